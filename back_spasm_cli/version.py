"""The package's version and the knowledge-base schema's version: a leaf that imports
nothing, so that every room can read them without importing the package's facade."""

__version__ = "0.1.0"
#: The knowledge-base schema's version (schema.py re-exports it); part of the cache keys,
#: kept here so that hashing the files does not import the schema.
SCHEMA_VERSION = 2
