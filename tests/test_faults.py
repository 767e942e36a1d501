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


# --------------------------------------------------------------------------- hostile notes

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tstarts with a tab",
    "\rstarts with a CR",
    "'=already quoted",
    "'tis an apostrophe",
    "osc 52 \x1b]52;c;aGk=\x07 clear \x1b[2J bidi \u202etxt.exe",
    "csi8 \x9b31m del \x7f nul-free",
    "a CR\rinside, and CRLF\r\nand LF\n",
    "a literal \\u{41} and a backslash \\",
]


def _logged(invoke: Any, notes: list[str]) -> None:
    for index, note in enumerate(notes):
        result = invoke(
            "log", "--pain", "3", "--note", note, "--at", f"2026-11-2{index % 8} 08:3{index % 10}"
        )
        assert result.exit_code == 0, result


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_hostile_notes_are_inert_in_exports_and_come_back_exactly(
    invoke: Any, tmp_path: Path, fmt: str
) -> None:
    import csv
    import io
    import json

    from back_spasm_cli.personal import diary, storage

    _logged(invoke, HOSTILE)
    result = invoke("export", "--format", fmt)
    assert result.exit_code == 0, result
    text = result.stdout
    for char in ("\x1b", "\x9b", "\x7f", "\u202e", "\r"):
        assert char not in text  # nothing a terminal acts on reaches it
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        cells = [row[rows[0].index("note")] for row in rows[1:]]
        for cell in cells:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
        assert '\'=HYPERLINK("http://evil.example","x")' in cells
        assert "''=already quoted" in cells
        assert "'tis an apostrophe" in cells
    else:
        notes = {json.loads(line.rstrip(","))["note"] for line in text.splitlines()[1:-1]}
        assert notes == set(HOSTILE)
        assert "\\u202e" in text and "\\u009b" in text
    conn = storage.private_db()
    before = diary.entries(conn)
    conn.close()
    path = tmp_path / f"export.{fmt}"
    path.write_text(text, encoding="utf-8", newline="")
    assert invoke("forget", "--yes").exit_code == 0
    result = invoke("import", str(path))
    assert result.exit_code == 0, result
    conn = storage.private_db()
    after = diary.entries(conn)
    conn.close()
    assert [entry.note for entry in after] == [entry.note for entry in before]
    assert sorted(entry.note for entry in after) == sorted(HOSTILE)


def test_history_csv_is_inert_on_the_terminal(invoke: Any) -> None:
    _logged(invoke, [HOSTILE[0], HOSTILE[8]])
    result = invoke("history", "--format", "csv")
    assert result.exit_code == 0, result
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert ",\"'=HYPERLINK(" in result.stdout


def test_a_cr_inside_a_quoted_csv_cell_survives_import(invoke: Any, tmp_path: Path) -> None:
    from back_spasm_cli.personal import diary, storage

    path = tmp_path / "other.csv"
    path.write_bytes(b'at,pain,note\r\n2026-11-20 08:30,4,"one\rtwo\r\nthree"\r\n')
    result = invoke("import", str(path))
    assert result.exit_code == 0, result
    conn = storage.private_db()
    assert [entry.note for entry in diary.entries(conn)] == ["one\rtwo\r\nthree"]
    conn.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '[\n{"at": "2026-11-20 08:30", "pain": 4},\n{"at": "2026-11-20 09:30", "pain": 4,'
            ' "pain": 5}\n]\n',
            "line 3: the key 'pain' is given twice",
        ),
        ("[" * 100_000 + "]" * 100_000, "line 1: nested more than 3 deep"),
        (
            '[\n{"id": 100000000000000000000000, "at": "2026-11-20 08:30", "pain": 4}\n]\n',
            "line 2: the number 100000000000000000000000 is too large",
        ),
        ('[\n{"at": "2026-11-20 08:30", "pain": NaN}\n]\n', "line 2: NaN is not a number"),
        (
            '[\n{"at": "2026-11-20 08:30", "pain": 4, "note": "\\ud800"}\n]\n',
            "line 2, field note: is not valid UTF-8 text",
        ),
        ('[\n{"at": "2026-11-20 08:30", "pain": "' + "9" * 5000 + '"}\n]\n', "line 2, field pain"),
    ],
    ids=["duplicate-key", "deep", "huge-id", "nan", "surrogate", "huge-pain"],
)
def test_hostile_json_imports_are_usage_errors(
    invoke: Any, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    result = invoke("import", str(path))
    assert result.exit_code == 2, result
    assert message in result.stderr, result
    assert "nothing was imported" in result.stderr


def test_a_huge_csv_id_is_a_usage_error(invoke: Any, tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text("id,at,pain\n" + "1" * 24 + ",2026-11-20 08:30,4\n", encoding="utf-8")
    result = invoke("import", str(path))
    assert result.exit_code == 2, result
    assert "line 2, field id" in result.stderr


def test_a_huge_entry_number_is_a_usage_error(invoke: Any) -> None:
    result = invoke("history", "delete", "9" * 30)
    assert result.exit_code == 2, result
    assert "an entry's number is from 1 to" in result.stderr


def test_a_note_of_invalid_utf8_is_a_usage_error(spasm_env: dict[str, str]) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "back_spasm_cli", "log", "--pain", "3", "--note", b"bad \xff\xfe"],
        env={**spasm_env, "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result
    assert "--note: is not valid UTF-8 text" in result.stderr
