"""SQLite files with named, ordered migrations: the caches and the private database.

`connect` applies the migrations a file has not yet seen and records progress in
`PRAGMA user_version`. Caches (knowledge/kb.py, advice/search.py) are disposable and
rebuilt when damaged; the private database (personal/storage.py) never is.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

Migration = Callable[[sqlite3.Connection], None]

# SQLite's primary result codes (an extended code keeps its primary one in the low byte).
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_TOOBIG, SQLITE_AUTH, SQLITE_NOTADB = 18, 23, 26


def error_code(err: BaseException) -> int | None:
    """SQLite's primary result code behind `err`, or None when it has none."""
    code = getattr(err, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(err).lower()  # Python before 3.11 gives only the message
    for words, found in (
        (("database is locked", "database table is locked"), SQLITE_BUSY),
        (("malformed", "not a database"), SQLITE_CORRUPT),
        (("database or disk is full",), SQLITE_FULL),
        (("readonly database",), SQLITE_READONLY),
        (("unable to open",), SQLITE_CANTOPEN),
        (("disk i/o error",), SQLITE_IOERR),
    ):
        if any(word in text for word in words):
            return found
    return None


def is_busy(err: BaseException) -> bool:
    """Another process holds the lock: wait and try again. Never damage."""
    return error_code(err) in (SQLITE_BUSY, SQLITE_LOCKED)


def is_damage(err: BaseException) -> bool:
    """The file itself is damaged or not a database (SQLITE_CORRUPT, SQLITE_NOTADB):
    the only errors that say anything about the file's bytes."""
    return error_code(err) in (SQLITE_CORRUPT, SQLITE_NOTADB)


class NewerDatabase(Exception):
    """The file was written by a newer spasm: this one does not know its tables."""

    def __init__(self, path: Path | str, version: int, known: int) -> None:
        super().__init__(f"{path}: schema version {version} is newer than this spasm knows")
        self.path, self.version, self.known = path, version, known


def connect(path: Path, migrations: Sequence[Migration]) -> sqlite3.Connection:
    """Open (creating if need be) the database at `path` and bring it up to date.

    The folder is made 0700 and the file 0600 whatever the umask; a symbolic link at the
    path is refused (OSError ELOOP), never followed.
    Raises OSError or sqlite3.Error when the place cannot be written, NewerDatabase for a
    file from a newer spasm; callers that only cache decide for themselves to carry on
    without it.
    """
    from back_spasm_cli.system import paths

    link = paths.symlink_in(path, "-wal", "-shm", "-journal")
    if link is not None:
        raise OSError(errno.ELOOP, "a symbolic link: not followed", str(link))
    paths.make_private_dir(path.parent)
    paths.make_private_file(path)  # 0600 whatever the umask; SQLite's journals follow it
    conn = sqlite3.connect(path, timeout=5.0)
    try:
        migrate(conn, migrations, path)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(
    conn: sqlite3.Connection, migrations: Sequence[Migration], path: Path | str = "database"
) -> int:
    """Apply the migrations after the file's recorded version; return the new version.

    Each migration and its version bump commit together or not at all (schema changes
    included), under a write lock, so a failed step or two first runs at once never
    leave a half-made database behind.
    """
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > len(migrations):
        raise NewerDatabase(path, int(version), len(migrations))
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
                # SQLite may have rolled back already (SQLITE_FULL, SQLITE_IOERR): a second
                # ROLLBACK would fail and hide the error that matters.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    finally:
        conn.isolation_level = previous
    return len(migrations)
