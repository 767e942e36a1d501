"""SQLite migrations: named, ordered, atomic, and safe to run on an old database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from back_spasm_cli.knowledge import kb
from back_spasm_cli.system import database


def m001_notes(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")


def m002_when(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE notes ADD COLUMN day TEXT")


def m002_broken(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_made (x)")
    raise RuntimeError("boom")


def version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}


def test_a_blank_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.sqlite3"
    database.connect(path, (m001_notes, m002_when)).close()
    assert version(path) == 2
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(notes)")]
    assert columns == ["id", "text", "day"]


def test_an_old_database_gets_only_the_new_steps(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    conn = database.connect(path, (m001_notes,))
    conn.execute("INSERT INTO notes (text) VALUES ('kept')")
    conn.commit()
    conn.close()
    conn = database.connect(path, (m001_notes, m002_when))
    assert conn.execute("SELECT text, day FROM notes").fetchall() == [("kept", None)]
    conn.close()
    assert version(path) == 2


def test_a_failed_step_leaves_nothing_half_made(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with pytest.raises(RuntimeError):
        database.connect(path, (m001_notes, m002_broken))
    assert version(path) == 1
    assert "half_made" not in tables(path)
    database.connect(path, (m001_notes, m002_when)).close()  # a fixed step then applies
    assert version(path) == 2


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    database.connect(path, (m001_notes, m002_when)).close()
    with pytest.raises(database.NewerDatabase, match="newer than this spasm knows"):
        database.connect(path, (m001_notes,))


def test_the_snapshot_cache_migrates_from_blank() -> None:
    path = kb.cache_path()
    database.connect(path, kb.CACHE_MIGRATIONS).close()
    assert version(path) == 2
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(snapshots)")]
    assert columns == ["fingerprint", "created", "digest", "payload"]
