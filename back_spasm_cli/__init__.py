"""spasm: a terminal self-care advisor for back spasms."""

__version__ = "0.1.0"
