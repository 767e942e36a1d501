"""spasm: a terminal self-care advisor for back spasms."""

__version__ = "0.1.0"
#: The knowledge-base schema's version (schema.py re-exports it); part of the cache keys,
#: kept here so that hashing the files does not import pydantic.
SCHEMA_VERSION = 1
