"""Terminal-safe text for the renderers: system/text.py holds it (the core's exports need
it too, and the core never imports render/)."""

from back_spasm_cli.system.text import UNSAFE_CHAR, clean, json_safe

__all__ = ["UNSAFE_CHAR", "clean", "json_safe"]
