"""Knowledge: what spasm knows and how it is read (the schema, loading and validating the
base, names, regions and their numbers). Depends on `system` only."""
