"""The private database: the user's own records (saved check answers, guided sessions,
the pain diary) in one SQLite file under the data directory, mode 0600. It is never
rebuilt or overwritten: a damaged or newer file is reported and left as it is."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from back_spasm_cli.errors import SpasmError
from back_spasm_cli.system import paths
from back_spasm_cli.system.database import Migration, NewerDatabase, migrate


def m001_checks(conn: sqlite3.Connection) -> None:
    """Saved `spasm check` answers and verdicts (reused by `spasm plan`)."""
    conn.execute(
        "CREATE TABLE checks ("
        " id INTEGER PRIMARY KEY,"
        " at TEXT NOT NULL,"  # ISO 8601, UTC, e.g. 2026-11-24T08:30:00+00:00
        " answers TEXT NOT NULL,"  # JSON: the answers as `spasm check --format json` has them
        " level TEXT NOT NULL,"  # the care level: self-care, gp, urgent, emergency
        " verdict TEXT NOT NULL"  # JSON: the verdict (level, reasons, unsure)
        ")"
    )


def m002_sessions(conn: sqlite3.Connection) -> None:
    """Guided sessions: `spasm timer` and `spasm routine`, what was done and how it ended."""
    conn.execute(
        "CREATE TABLE sessions ("
        " id INTEGER PRIMARY KEY,"
        " kind TEXT NOT NULL CHECK (kind IN ('timer', 'routine')),"
        " what TEXT NOT NULL,"  # ice, heat, or the exercise ids joined by spaces
        " started_at TEXT NOT NULL,"  # ISO 8601, UTC
        " planned_seconds INTEGER NOT NULL,"
        " actual_seconds INTEGER NOT NULL,"
        " outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'stopped', 'worse')),"
        " details TEXT NOT NULL"  # JSON: per-exercise results, the length asked for, ...
        ")"
    )


def m003_diary(conn: sqlite3.Connection) -> None:
    """The pain diary (`spasm log`). Documented column by column in docs/diary.md."""
    conn.execute(
        "CREATE TABLE diary ("
        " id INTEGER PRIMARY KEY,"
        " at TEXT NOT NULL CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
        " [0-9][0-9]:[0-9][0-9]'),"  # local wall-clock time, 'YYYY-MM-DD HH:MM'
        " pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),"
        " area TEXT CHECK (area IN ('lower', 'middle', 'upper')),"
        " side TEXT CHECK (side IN ('left', 'right', 'both')),"
        " leg INTEGER NOT NULL DEFAULT 0 CHECK (leg IN (0, 1)),"  # spreading into a leg
        " trigger TEXT,"  # a triage.started option id
        " helped TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(helped)),"  # JSON list of ids
        " note TEXT NOT NULL DEFAULT '',"
        " logged TEXT NOT NULL"  # when it was recorded: ISO 8601, UTC
        ")"
    )
    conn.execute("CREATE INDEX diary_at ON diary (at)")
    conn.execute("CREATE INDEX diary_pain_at ON diary (pain, at)")


def _local_offset(stamp: str | None) -> str:
    """The UTC offset ('+01:00') the machine's zone has at `stamp`: a local
    'YYYY-MM-DD HH:MM' or an ISO time with a zone (an old row's best guess)."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        moment = dt.datetime.now()
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return format_offset(moment.astimezone().utcoffset() or dt.timedelta(0))


def format_offset(delta: object) -> str:
    """A timedelta as '+HH:MM' / '-HH:MM'."""
    import datetime as dt

    assert isinstance(delta, dt.timedelta)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _new_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


#: A UUID as stored: 36 lowercase characters, 8-4-4-4-12.
UUID_GLOB = (
    "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-"
    "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-"
    "[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-"
    "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
)
OFFSET_GLOB = "[+-][0-1][0-9]:[0-5][0-9]"


def m004_identity(conn: sqlite3.Connection) -> None:
    """Every diary entry and session gets a random UUID (its identity across devices),
    its UTC offset, and when it was created and last changed. The tables are rebuilt
    with the new columns and every row is kept: old rows get a new UUID, the offset the
    machine's zone has at their time, and their old time stamp as created and changed."""
    conn.create_function("spasm_uuid", 0, _new_uuid)
    conn.create_function("spasm_offset", 1, _local_offset)
    conn.execute(
        "CREATE TABLE diary_new ("
        " id INTEGER PRIMARY KEY,"
        f" uuid TEXT NOT NULL UNIQUE CHECK (uuid GLOB '{UUID_GLOB}'),"
        " at TEXT NOT NULL CHECK (at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
        " [0-9][0-9]:[0-9][0-9]'),"  # local wall-clock time, 'YYYY-MM-DD HH:MM'
        f" utc_offset TEXT NOT NULL CHECK (utc_offset GLOB '{OFFSET_GLOB}'),"  # of `at`
        " pain INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),"
        " area TEXT CHECK (area IN ('lower', 'middle', 'upper')),"
        " side TEXT CHECK (side IN ('left', 'right', 'both')),"
        " leg INTEGER NOT NULL DEFAULT 0 CHECK (leg IN (0, 1)),"
        " trigger TEXT,"
        " helped TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(helped)),"
        " note TEXT NOT NULL DEFAULT '',"
        " logged TEXT NOT NULL,"  # created: ISO 8601, UTC
        " changed TEXT NOT NULL"  # last changed: ISO 8601, UTC
        ")"
    )
    conn.execute(
        "INSERT INTO diary_new (id, uuid, at, utc_offset, pain, area, side, leg, trigger,"
        " helped, note, logged, changed)"
        " SELECT id, spasm_uuid(), at, spasm_offset(at), pain, area, side, leg, trigger,"
        " helped, note, logged, logged FROM diary ORDER BY id"
    )
    conn.execute("DROP TABLE diary")
    conn.execute("ALTER TABLE diary_new RENAME TO diary")
    conn.execute("CREATE INDEX diary_at ON diary (at)")
    conn.execute("CREATE INDEX diary_pain_at ON diary (pain, at)")
    conn.execute(
        "CREATE TABLE sessions_new ("
        " id INTEGER PRIMARY KEY,"
        f" uuid TEXT NOT NULL UNIQUE CHECK (uuid GLOB '{UUID_GLOB}'),"
        " kind TEXT NOT NULL CHECK (kind IN ('timer', 'routine')),"
        " what TEXT NOT NULL,"  # ice, heat, or the exercise ids joined by spaces
        " started_at TEXT NOT NULL,"  # ISO 8601, UTC
        f" utc_offset TEXT NOT NULL CHECK (utc_offset GLOB '{OFFSET_GLOB}'),"
        " planned_seconds INTEGER NOT NULL CHECK (planned_seconds >= 0),"
        " actual_seconds INTEGER NOT NULL CHECK (actual_seconds >= 0),"
        " outcome TEXT NOT NULL CHECK (outcome IN ('completed', 'stopped', 'worse')),"
        " details TEXT NOT NULL CHECK (json_valid(details)),"
        " logged TEXT NOT NULL,"  # created: ISO 8601, UTC
        " changed TEXT NOT NULL"  # last changed: ISO 8601, UTC
        ")"
    )
    conn.execute(
        "INSERT INTO sessions_new (id, uuid, kind, what, started_at, utc_offset,"
        " planned_seconds, actual_seconds, outcome, details, logged, changed)"
        " SELECT id, spasm_uuid(), kind, what, started_at, spasm_offset(started_at),"
        " planned_seconds, actual_seconds, outcome, details, started_at, started_at"
        " FROM sessions ORDER BY id"
    )
    conn.execute("DROP TABLE sessions")
    conn.execute("ALTER TABLE sessions_new RENAME TO sessions")
    conn.execute("CREATE INDEX sessions_started ON sessions (started_at)")


def m005_helped_titles(conn: sqlite3.Connection) -> None:
    """What helped is kept by id and by title ({"id": "title"}), so that an entry naming
    an overlay's exercise stays readable, exportable and importable after the overlay is
    removed. Older rows name shipped entries only; their titles come from the base."""
    conn.execute(
        "ALTER TABLE diary ADD COLUMN helped_titles TEXT NOT NULL DEFAULT '{}'"
        " CHECK (json_valid(helped_titles) AND json_type(helped_titles) = 'object')"
    )


#: The private database's schema, in order; each step is named for what it adds.
PRIVATE_MIGRATIONS: tuple[Migration, ...] = (
    m001_checks,
    m002_sessions,
    m003_diary,
    m004_identity,
    m005_helped_titles,
)


class PrivateDataError(SpasmError):
    """The private database cannot be used; nothing in it was changed."""


def private_db_path() -> Path:
    return paths.data_dir() / "spasm.sqlite3"


def private_db(path: Path | None = None) -> sqlite3.Connection:
    """Open the private database (creating it, mode 0600, in a 0700 folder).

    WAL lets readers go on while one process writes; the busy timeout makes concurrent
    writers wait their turn instead of failing.
    """
    path = path or private_db_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process created it first
    except OSError as err:
        raise PrivateDataError(f"cannot create {path}: {err.strerror}") from None
    try:
        conn = sqlite3.connect(path, timeout=10.0)
    except sqlite3.Error as err:
        raise PrivateDataError(f"cannot open {path}: {err}") from None
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, PRIVATE_MIGRATIONS, path)
    except NewerDatabase as err:
        conn.close()
        raise PrivateDataError(
            f"{path} was written by a newer spasm (schema {err.version}; this one knows"
            f" {err.known}): upgrade spasm. The file was not changed."
        ) from None
    except sqlite3.DatabaseError as err:
        conn.close()
        raise PrivateDataError(
            f"{path} is damaged or not a spasm database ({err}); it was not changed."
            " Move it aside to start afresh."
        ) from None
    return conn


def forget_everything(conn: sqlite3.Connection) -> int:
    """Delete every row the user has stored (every table the migrations made, so records
    added by later migrations are covered too); return how many rows went."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    removed = 0
    with conn:
        for name in tables:
            removed += conn.execute(f'DELETE FROM "{name}"').rowcount
    conn.execute("VACUUM")  # leave no deleted pages behind in the file
    return removed
