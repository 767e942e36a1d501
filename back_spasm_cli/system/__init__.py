"""System: where spasm keeps files and how it opens them (platform folders, SQLite with
migrations). Knows nothing of back pain; every other room may use it."""
