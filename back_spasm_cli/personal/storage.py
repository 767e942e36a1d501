"""The private database: the user's own records (saved check answers, guided sessions,
the pain diary) in one SQLite file under the data directory, mode 0600. It is never
rebuilt or overwritten: a damaged or newer file is reported and left as it is."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from back_spasm_cli.errors import ExitCode, SpasmError
from back_spasm_cli.system import database, paths
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


class DiaryDamaged(PrivateDataError):
    """SQLite finds the file damaged (or not a database): it is never written to."""


class DiaryBusy(PrivateDataError):
    """Other processes kept the database locked for longer than WRITE_WAIT."""

    exit_code = ExitCode.BUSY


class DiaryIOError(PrivateDataError):
    """The file system refused: disk full, file too large, read-only, permission denied,
    cannot open. The file itself is sound."""

    exit_code = ExitCode.CANNOT_WRITE


#: How long a writer keeps trying a locked database before it gives up (seconds).
WRITE_WAIT = 30.0
#: SQLite's own wait for the lock on each attempt (seconds).
BUSY_TIMEOUT = 5.0
_SIDE_FILES = ("-wal", "-shm", "-journal")

T = TypeVar("T")


class PrivateConnection(sqlite3.Connection):
    """A connection to the private database, with what was found on opening it."""

    path: Path
    #: What PRAGMA quick_check found when the file is damaged (read-only then), else ().
    damage: tuple[str, ...] = ()


def private_db_path() -> Path:
    return paths.data_dir() / "spasm.sqlite3"


def private_db(path: Path | None = None, *, write: bool = True) -> PrivateConnection:
    """Open the private database (creating it, mode 0600, in a 0700 folder).

    Before anything can be written the file passes PRAGMA quick_check: a damaged file
    raises DiaryDamaged when `write`, and otherwise opens read-only with `damage` set (the
    caller says that what it shows may be incomplete). WAL lets readers go on while one
    process writes; a locked database is waited for, up to WRITE_WAIT seconds in all.
    """
    path = path or private_db_path()
    _prepare(path, "nothing was saved" if write else "")
    deadline = time.monotonic() + WRITE_WAIT
    delay = 0.02
    while True:
        try:
            return _open(path, write=write)
        except sqlite3.Error as err:
            if not write and not database.is_busy(err) and _read_only_fs(path):
                return _open_read_only(path, err)
            if not database.is_busy(err) or time.monotonic() + delay > deadline:
                raise explain(err, path, "nothing was saved" if write else "") from None
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 0.5)


def _prepare(path: Path, outcome: str) -> None:
    """The folder 0700 and the file 0600 (created if need be), no link anywhere."""
    try:
        link = paths.symlink_in(path, *_SIDE_FILES)
    except OSError as err:
        raise explain_os(err, path, outcome) from None
    if link is not None:
        raise PrivateDataError(
            f"{link} is a symbolic link: spasm keeps your private data only in a plain"
            " file of its own, and did not follow it. Remove the link (spasm diary path"
            " says where the file belongs)."
        )
    try:
        paths.make_private_dir(path.parent)
        paths.make_private_file(path)
    except OSError as err:
        raise explain_os(err, path, outcome) from None


def _open(path: Path, *, write: bool) -> PrivateConnection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, factory=PrivateConnection)
    assert isinstance(conn, PrivateConnection)
    conn.path = path
    try:
        problems = _quick_check(conn)
        if problems:
            conn.close()
            if write:
                raise damaged(path, problems)
            # Read what can be read, through a connection that cannot write.
            conn = sqlite3.connect(
                f"{path.absolute().as_uri()}?mode=ro", uri=True, factory=PrivateConnection
            )
            assert isinstance(conn, PrivateConnection)
            conn.path, conn.damage = path, tuple(problems)
            return conn
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000):d}")
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, PRIVATE_MIGRATIONS, path)
    except NewerDatabase as err:
        conn.close()
        raise PrivateDataError(
            f"{path} was written by a newer spasm (schema {err.version}; this one knows"
            f" {err.known}): upgrade spasm. The file was not changed."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _open_read_only(path: Path, first: sqlite3.Error) -> PrivateConnection:
    """A file on a read-only file system, for reading: WAL needs a -shm file that cannot
    be made there, and nothing can change the file, so SQLite may take it as immutable."""
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(
                f"{path.absolute().as_uri()}?{query}", uri=True, factory=PrivateConnection
            )
        except sqlite3.Error:
            continue
        assert isinstance(conn, PrivateConnection)
        conn.path = path
        try:
            problems = _quick_check(conn)
        except sqlite3.Error:
            conn.close()
            continue
        conn.damage = tuple(problems)
        return conn
    raise explain(first, path, "") from None


def _quick_check(conn: sqlite3.Connection) -> list[str]:
    """What PRAGMA quick_check finds wrong ([] for a sound file); reads only."""
    try:
        found = [str(row[0]) for row in conn.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as err:
        if database.is_damage(err):
            return [str(err)]
        raise
    return [] if found == ["ok"] else found


def damaged(
    path: Path, problems: Sequence[str], outcome: str = "nothing was saved"
) -> DiaryDamaged:
    """A damaged file, reported with its path and what to run; `outcome` "" for a read."""
    done = f"{outcome} and the file was not changed" if outcome else "it was not changed"
    return DiaryDamaged(
        f"{path} is damaged (SQLite: {problems[0]}); {done}. `spasm diary check` says"
        " more; keep a copy of the file before any repair.",
    )


def write(
    conn: sqlite3.Connection,
    work: Callable[[sqlite3.Connection], T],
    outcome: str,
    *,
    begin: bool = True,
) -> T:
    """Run `work` (which may use `with conn:`) in one write transaction, taken with BEGIN
    IMMEDIATE so that a writer waits for the lock instead of failing part way. While the
    database is locked it tries again with growing pauses, up to WRITE_WAIT seconds; then,
    or on any other failure, a PrivateDataError ends with `outcome` ("the entry was not
    saved"). `begin=False` for work that takes its own BEGIN IMMEDIATE (it is retried
    the same way)."""
    path = getattr(conn, "path", private_db_path())
    if getattr(conn, "damage", ()):
        raise damaged(path, conn.damage)  # type: ignore[attr-defined]
    deadline = time.monotonic() + WRITE_WAIT
    delay = 0.02
    while True:
        try:
            if begin:
                conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                if conn.in_transaction:
                    conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back already
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as err:
            if not database.is_busy(err) or time.monotonic() + delay > deadline:
                raise explain(err, path, outcome) from None
        time.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 0.5)


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _too_large(path: Path) -> bool:
    """Whether a file size limit (ulimit -f) explains a failed write."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError):
        return False
    if limit == resource.RLIM_INFINITY:
        return False
    for suffix in ("", *_SIDE_FILES):
        try:
            if (path.with_name(path.name + suffix)).stat().st_size + 65536 >= limit:
                return True
        except OSError:
            continue
    return False


def explain(err: sqlite3.Error, path: Path, outcome: str) -> PrivateDataError:
    """The true reason SQLite gave, as a message: locked, damaged, disk full, file too
    large, read-only, permission denied or cannot open. `outcome` ends it ("the entry
    was not saved"); "" for a read."""
    code = database.error_code(err)
    tail = f"; {outcome}" if outcome else ""
    if database.is_damage(err):
        return damaged(path, [str(err)], outcome)
    if code in (database.SQLITE_BUSY, database.SQLITE_LOCKED):
        return DiaryBusy(
            f"{path} stayed locked by other spasm processes for {WRITE_WAIT:g} s{tail}."
            " Try again in a moment."
        )
    if code == database.SQLITE_FULL:
        return DiaryIOError(f"disk full: cannot write {path}{tail}. Free some space.")
    if code == database.SQLITE_TOOBIG or (code == database.SQLITE_IOERR and _too_large(path)):
        return DiaryIOError(f"file too large: {path} hit the file size limit (ulimit -f){tail}")
    if code in (database.SQLITE_READONLY, database.SQLITE_CANTOPEN) and _read_only_fs(path):
        return DiaryIOError(f"read-only file system: cannot write {path}{tail}")
    if code == database.SQLITE_READONLY:
        return DiaryIOError(f"permission denied: {path} is read-only{tail}")
    if code in (database.SQLITE_PERM, database.SQLITE_AUTH):
        return DiaryIOError(f"permission denied: {path}{tail}")
    if code == database.SQLITE_CANTOPEN:
        if not os.access(path.parent, os.W_OK | os.X_OK):
            return DiaryIOError(f"permission denied: cannot open {path}{tail}")
        return DiaryIOError(f"cannot open {path}{tail}")
    if code == database.SQLITE_IOERR:
        return DiaryIOError(f"input/output error on {path}{tail}")
    return PrivateDataError(f"cannot use {path} ({err}){tail}")


def explain_os(err: OSError, path: Path, outcome: str) -> PrivateDataError:
    """The same for an error from the file system itself (making the folder or file)."""
    import errno

    tail = f"; {outcome}" if outcome else ""
    where = err.filename or path
    if err.errno == errno.ELOOP:
        return PrivateDataError(
            f"{where} is a symbolic link: spasm did not follow it{tail}. Remove the link."
        )
    reasons = {
        errno.ENOSPC: "disk full",
        errno.EDQUOT: "disk quota exceeded",
        errno.EFBIG: "file too large",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
    }
    reason = reasons.get(err.errno or 0)
    if reason is not None:
        return DiaryIOError(f"{reason}: {where}{tail}")
    return DiaryIOError(f"cannot open {where} ({err.strerror or err}){tail}")


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
