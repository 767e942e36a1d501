"""The fault suite (issue 17): locked, damaged, full, read-only and hostile conditions,
each reproduced, each with the result the issue asks for."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from back_spasm_cli.knowledge import kb
from back_spasm_cli.system import database


def _short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """sqlite3.connect with a 50 ms busy timeout, so a held lock fails fast."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs["timeout"] = 0.05
        return real(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)


# --------------------------------------------------------------------------- locks


def test_a_locked_kb_cache_is_skipped_not_deleted(monkeypatch: pytest.MonkeyPatch) -> None:
    kb.load()  # builds the snapshot cache
    path = kb.cache_path()
    assert path.is_file()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        _short_timeout(monkeypatch)
        content, notices = kb.snapshot_get("any-key")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert content is None
    assert notices == ()
    assert path.is_file()  # "database is locked" is not damage: the cache is kept


def test_real_damage_still_rebuilds_the_kb_cache() -> None:
    kb.load()
    path = kb.cache_path()
    path.write_bytes(b"this is not a database at all" * 200)
    _, notices = kb.snapshot_get("any-key")
    assert len(notices) == 1
    assert "damaged" in notices[0]
    assert not path.exists()


def test_error_codes_tell_busy_from_damage() -> None:
    locked = sqlite3.OperationalError("database is locked")
    malformed = sqlite3.DatabaseError("database disk image is malformed")
    assert database.is_busy(locked)
    assert not database.is_damage(locked)
    assert database.is_damage(malformed)
    assert not database.is_busy(malformed)


def test_migrate_reports_a_full_disk_not_a_second_rollback(tmp_path: Path) -> None:
    """SQLite rolls back by itself on SQLITE_FULL; a ROLLBACK after it used to fail with
    'cannot rollback - no transaction is active' and hide the real error."""
    path = tmp_path / "db.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA max_page_count = 3")  # a 'disk' of three pages: full at once

    def fill(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (randomblob(100000))")

    with pytest.raises(sqlite3.DatabaseError) as caught:
        database.migrate(conn, (fill,), path)
    assert database.error_code(caught.value) == database.SQLITE_FULL
    assert not conn.in_transaction
    conn.close()
