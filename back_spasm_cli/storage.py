"""SQLite files in the user's directories, with named, ordered migrations.

Every database spasm keeps (the validated knowledge-base cache and the search index now,
the symptom diary later) opens through `connect`, which applies the migrations that the
file has not yet seen and records progress in `PRAGMA user_version`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

Migration = Callable[[sqlite3.Connection], None]


def connect(path: Path, migrations: Sequence[Migration]) -> sqlite3.Connection:
    """Open (creating if need be) the database at `path` and bring it up to date.

    Raises OSError or sqlite3.Error when the place cannot be written; callers that only
    cache decide for themselves to carry on without it.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(path, timeout=5.0)
    try:
        migrate(conn, migrations)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Apply the migrations after the file's recorded version; return the new version.

    Each migration and its version bump commit together or not at all (schema changes
    included), under a write lock, so a failed step or two first runs at once never
    leave a half-made database behind.
    """
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > len(migrations):
        raise sqlite3.DatabaseError(
            f"{version=} is newer than this spasm knows ({len(migrations)}); upgrade spasm"
        )
    if version == len(migrations):
        return int(version)
    previous = conn.isolation_level
    conn.isolation_level = None  # explicit transactions: the default would not cover DDL
    try:
        for number, migration in enumerate(migrations, start=1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                (current,) = conn.execute("PRAGMA user_version").fetchone()
                if current < number:  # another process may have got here first
                    migration(conn)
                    conn.execute(f"PRAGMA user_version = {number:d}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
    finally:
        conn.isolation_level = previous
    return len(migrations)
