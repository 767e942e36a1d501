"""The fault suite (issue 17): locked, damaged, full, read-only and hostile conditions,
each reproduced, each with the result the issue asks for."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
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
        cells = [row["note"] for row in csv.DictReader(io.StringIO(text, newline=""))]
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
        ("[" * 100_000 + "]" * 100_000, "line 1: nested more than"),
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


# --------------------------------------------------------------------------- many writers


#: Root without the capabilities that let it ignore file modes: chmod applies again.
NO_OVERRIDE = [
    "setpriv",
    "--bounding-set=-dac_override,-dac_read_search",
    "--inh-caps=-dac_override,-dac_read_search",
]


def _spasm(
    env: dict[str, str], *args: str, modes_apply: bool = False, **kwargs: Any
) -> subprocess.Popen[bytes]:
    """The installed entry point (`python -m back_spasm_cli`); `modes_apply` runs it
    without CAP_DAC_OVERRIDE, so that root meets permissions as a user does."""
    prefix = NO_OVERRIDE if modes_apply and os.geteuid() == 0 else []
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "back_spasm_cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _run(env: dict[str, str], *args: str, **kwargs: Any) -> tuple[int, str, str]:
    process = _spasm(env, *args, **kwargs)
    out, err = process.communicate(timeout=120)
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def _many_writers(env: dict[str, str], total: int, at_once: int) -> None:
    """`total` `spasm log` processes, `at_once` of them running at a time."""
    from back_spasm_cli.personal import diary, storage

    running: list[tuple[int, subprocess.Popen[bytes]]] = []
    failures: list[str] = []

    def reap(process: subprocess.Popen[bytes]) -> None:
        _, err = process.communicate(timeout=600)
        if process.returncode != 0:
            failures.append(f"exit {process.returncode}: {err.decode(errors='replace')}")

    for n in range(total):
        if len(running) >= at_once:
            reap(running.pop(0)[1])
        running.append((n, _spasm(env, "log", "--pain", str(n % 11), "--note", f"writer {n}")))
    for _, process in running:
        reap(process)
    assert failures == []
    conn = storage.private_db()
    try:
        assert diary.count(conn) == total
        notes = {row[0] for row in conn.execute("SELECT note FROM diary")}
        assert notes == {f"writer {n}" for n in range(total)}
        assert diary.integrity(conn) == ["ok"]
    finally:
        conn.close()


def test_twenty_writers_at_once_store_twenty_entries(spasm_env: dict[str, str]) -> None:
    # Enough to meet the lock on two cores; the full count runs marked slow, below.
    _many_writers(spasm_env, 20, 20)


@pytest.mark.slow
def test_five_hundred_writers_store_five_hundred_entries(spasm_env: dict[str, str]) -> None:
    # 150 at a time: 500 interpreters at once would need ~18 GB on a 24 GB machine.
    _many_writers(spasm_env, 500, 150)


@pytest.fixture
def quick_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    from back_spasm_cli.personal import storage

    monkeypatch.setattr(storage, "BUSY_TIMEOUT", 0.05)
    monkeypatch.setattr(storage, "WRITE_WAIT", 0.5)


def _hold_write_lock() -> sqlite3.Connection:
    from back_spasm_cli.personal import storage

    storage.private_db().close()
    holder = sqlite3.connect(
        storage.private_db_path(), isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_writer_waits_for_the_lock_then_saves(invoke: Any, quick_waits: None) -> None:
    import threading

    from back_spasm_cli.personal import diary, storage

    holder = _hold_write_lock()
    release = threading.Timer(0.25, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        result = invoke("log", "--pain", "4")
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result
    conn = storage.private_db()
    assert diary.count(conn) == 1
    conn.close()


def test_a_lock_held_too_long_says_the_entry_was_not_saved(invoke: Any, quick_waits: None) -> None:
    holder = _hold_write_lock()
    try:
        result = invoke("log", "--pain", "4")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 75, result
    assert "stayed locked by other spasm processes" in result.stderr
    assert "the entry was not saved" in result.stderr
    assert "damaged" not in result.stderr


# --------------------------------------------------------------------------- damage


def _real_diary(invoke: Any) -> Path:
    """A diary made by spasm itself (entries, a saved check), then 4 KB of 0xFF written
    at offset 8192: a table page destroyed, as a failing disk would."""
    from back_spasm_cli.personal import storage

    for n in range(1, 6):
        result = invoke(
            "log", "--pain", str(n), "--note", f"day {n}", "--at", f"2026-11-2{n} 08:30"
        )
        assert result.exit_code == 0, result
    assert invoke("check", "--no-others", "--started", "lifting", "--days", "1").exit_code == 0
    path = storage.private_db_path()
    assert path.stat().st_size >= 8192 + 4096
    with path.open("r+b") as file:
        file.seek(8192)
        file.write(b"\xff" * 4096)
    return path


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


WRITES = [
    ["log", "--pain", "4"],
    ["log", "--undo"],
    ["history", "delete", "1"],
    ["forget", "--yes"],
    ["timer", "ice", "--minutes", "1", "--yes", "--seconds", "1"],
]
READS = [
    ["history"],
    ["export"],
    ["export", "--format", "json"],
    ["trends"],
    ["history", "--format", "csv"],
]


def test_a_damaged_diary_is_never_changed_and_always_named(invoke: Any, tmp_path: Path) -> None:
    path = _real_diary(invoke)
    before = _digest(path)
    report = tmp_path / "report.html"
    for args in [
        *WRITES,
        *READS,
        ["report", "-o", str(report)],
        ["diary", "check"],
        ["import", str(tmp_path / "none.csv")],
    ]:
        result = invoke(*args)
        assert _digest(path) == before, args  # not one byte changed, by any command
        assert result.exit_code != 70 and "internal error" not in result.stderr, (args, result)
        assert "move it aside" not in result.stderr.lower()
        if args in WRITES[:4]:
            assert result.exit_code == 2, (args, result)
            assert str(path) in result.stderr and "spasm diary check" in result.stderr, args
            assert "the file was not changed" in result.stderr
    for args in READS:
        result = invoke(*args)
        if result.exit_code == 0:
            assert "may be incomplete" in result.stderr, (args, result)
        else:
            assert result.exit_code == 2 and "is damaged" in result.stderr, (args, result)
    check = invoke("diary", "check")
    assert check.exit_code == 2
    assert "failed SQLite's integrity check" in check.stderr


def test_a_damaged_diary_does_not_stop_the_timer(invoke: Any) -> None:
    _real_diary(invoke)
    result = invoke("timer", "ice", "--minutes", "1", "--yes", "--seconds", "1")
    assert result.exit_code == 0, result
    assert "nothing was saved" in result.stderr
    assert "is damaged" in result.stderr


# --------------------------------------------------------------------------- I/O faults


def _mount(*args: str) -> bool:
    try:
        done = subprocess.run(["mount", *args], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """A 1 MiB tmpfs (as root where the machine allows mounts), unmounted after."""
    place = tmp_path / "disk"
    place.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(place)):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount rights)")
    yield place
    subprocess.run(["umount", "-l", str(place)], capture_output=True, timeout=30)


def test_a_full_disk_says_disk_full_not_damaged(
    small_disk: Path, spasm_env: dict[str, str]
) -> None:
    env = {**spasm_env, "SPASM_HOME": str(small_disk / "spasm")}
    assert _run(env, "log", "--pain", "2")[0] == 0  # the caches and the diary exist
    free = os.statvfs(small_disk)
    room = free.f_bavail * free.f_frsize - 64 * 1024  # about 64 KiB left (WAL, -shm)
    if room > 0:
        (small_disk / "filler").write_bytes(b"\0" * room)
    note = "x" * 900
    for n in range(1, 400):  # noqa: B007 - n - 1 entries fitted
        code, _, err = _run(env, "log", "--pain", "3", "--note", note)
        if code != 0:
            break
    else:
        pytest.fail("the small disk never filled up")
    assert n > 1  # some entries fitted before the disk was full
    assert code == 74, err
    assert "disk full" in err and "the entry was not saved" in err
    assert "damaged" not in err and "move it aside" not in err.lower()
    code, out, err = _run(env, "diary", "check")
    assert code == 0 and out.startswith("ok:"), err  # the file is sound
    code, out, _ = _run(env, "history", "--format", "json")
    assert code == 0
    assert len(json.loads(out)["entries"]) == n  # the first one, and n - 1 that fitted


def test_a_file_size_limit_says_file_too_large(spasm_env: dict[str, str]) -> None:
    import resource

    note = "x" * 900
    # Most of the way to the limit in one process (an import), then one entry at a time.
    filled = Path(spasm_env["HOME"]) / "filled.csv"
    filled.write_text(
        "at,pain,note\n"
        + "".join(f"2026-11-{1 + n % 28:02d} {n % 24:02d}:00,2,{note}\n" for n in range(30)),
        encoding="utf-8",
    )
    code, _, err = _run(spasm_env, "import", str(filled))
    assert code == 0, err

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (48 * 1024, 48 * 1024))

    for _ in range(200):
        process = subprocess.run(
            [sys.executable, "-m", "back_spasm_cli", "log", "--pain", "3", "--note", note],
            env=spasm_env,
            capture_output=True,
            text=True,
            preexec_fn=limit,
            timeout=120,
        )
        if process.returncode != 0:
            break
    else:
        pytest.fail("the file size limit was never reached")
    assert process.returncode == 74, process.stderr
    assert "file too large" in process.stderr and "the entry was not saved" in process.stderr
    assert "damaged" not in process.stderr
    code, out, _ = _run(spasm_env, "diary", "check")
    assert code == 0 and out.startswith("ok:")


@pytest.fixture
def read_only_home(tmp_path: Path, spasm_env: dict[str, str]) -> Any:
    """A spasm home with a diary in it, then mounted read-only (a bind mount remounted
    ro: chmod alone does not stop root)."""
    source, place = tmp_path / "source", tmp_path / "ro"
    source.mkdir()
    place.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(source), str(place)):
        pytest.skip("cannot make a read-only bind mount here (needs root and mount rights)")
    env = {**spasm_env, "SPASM_HOME": str(place / "spasm")}
    try:
        assert _run(env, "log", "--pain", "4", "--note", "kept")[0] == 0
        if not _mount("-o", "remount,bind,ro", str(place)):
            pytest.skip("cannot remount read-only here")
        yield env
    finally:
        subprocess.run(["umount", "-l", str(place)], capture_output=True, timeout=30)


def test_a_read_only_home_says_read_only_and_still_reads(read_only_home: dict[str, str]) -> None:
    env = read_only_home
    code, _, err = _run(env, "log", "--pain", "5")
    assert code == 74, err
    assert "read-only file system" in err and "nothing was saved" in err
    assert "damaged" not in err
    code, out, err = _run(env, "history", "--format", "json")
    assert code == 0, err
    assert [e["note"] for e in json.loads(out)["entries"]] == ["kept"]
    code, _, err = _run(env, "config", "set", "region", "uk")
    assert code == 74, err
    assert "read-only file system" in err and "the setting was not saved" in err
    code, out, err = _run(env, "doctor", "--region", "uk", "--format", "plain")
    assert code == 0 and "999" in out, err


@pytest.fixture
def modes_apply(spasm_env: dict[str, str]) -> dict[str, str]:
    """Permissions that bite: as a user they do; as root, only without DAC override."""
    if os.geteuid() == 0:
        import shutil

        if shutil.which("setpriv") is None:
            pytest.skip("root ignores file modes, and setpriv is not here to drop that")
        code, _, err = _run(spasm_env, "--version", modes_apply=True)
        if code != 0:
            pytest.skip(f"cannot drop CAP_DAC_OVERRIDE here: {err[:200]}")
    return spasm_env


def test_permission_denied_is_said_as_such(modes_apply: dict[str, str]) -> None:
    from back_spasm_cli.system import paths

    env = modes_apply
    assert _run(env, "log", "--pain", "3")[0] == 0
    data, cache = paths.data_dir(), paths.cache_dir()
    cache.chmod(0o000)
    try:
        code, _, err = _run(env, "search", "back", "pain", "--format", "plain", modes_apply=True)
        assert code in (0, 1), err  # an unreadable cache costs speed, never the answer
        assert "internal error" not in err
        data.chmod(0o000)
        for args in (["log", "--pain", "3"], ["history"]):
            code, _, err = _run(env, *args, modes_apply=True)
            assert code == 74, (args, err)
            assert "permission denied" in err and "damaged" not in err, args
        code, _, err = _run(env, "diary", "check", modes_apply=True)
        assert code == 74 and "cannot open" in err, err
        code, _, err = _run(env, "doctor", "--format", "plain", modes_apply=True)
        assert code == 0, err
        assert "cannot read the settings" in err and "ignored for this run" in err
        code, _, err = _run(env, "config", "set", "region", "uk", modes_apply=True)
        assert code in (2, 74) and "internal error" not in err, err
    finally:
        data.chmod(0o700)
        cache.chmod(0o700)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("garbage", [b"\x00\xff garbage [[[", b"no section here\n= = =\n"])
def test_a_bad_settings_file_never_withholds_the_emergency_number(
    invoke: Any, garbage: bytes
) -> None:
    from back_spasm_cli.personal import config

    config.path().parent.mkdir(parents=True)
    config.path().write_bytes(garbage)
    for args in (["doctor", "--region", "uk"], ["doctor"], ["remedy", "heat"]):
        result = invoke(*args, "--format", "plain")
        assert result.exit_code == 0, (args, result)
        assert "999" in result.stdout or "112" in result.stdout
    with_flag = invoke("doctor", "--region", "uk", "--format", "plain")
    assert with_flag.stderr == ""  # --region never reads the file
    by_env = invoke("doctor", "--format", "plain", env={"SPASM_REGION": "uk"})
    assert by_env.exit_code == 0 and by_env.stderr == ""
    plain = invoke("doctor", "--format", "plain")
    assert plain.stderr.count("cannot read the settings") == 1
    assert "ignored for this run" in plain.stderr


def test_a_remembered_region_this_base_does_not_know_is_ignored(invoke: Any) -> None:
    from back_spasm_cli.personal import config

    config.path().parent.mkdir(parents=True)
    config.path().write_text("[spasm]\nregion = atlantis\n", encoding="utf-8")
    result = invoke("doctor", "--format", "plain")
    assert result.exit_code == 0, result
    assert "unknown remembered region 'atlantis'" in result.stderr


def test_a_folder_where_the_settings_go_is_a_usage_error(invoke: Any) -> None:
    from back_spasm_cli.personal import config

    config.path().mkdir(parents=True)
    result = invoke("config", "set", "region", "uk")
    assert result.exit_code == 2, result
    assert "is a folder" in result.stderr


# --------------------------------------------------------------------------- privacy


def test_modes_are_private_whatever_the_umask(spasm_env: dict[str, str], tmp_path: Path) -> None:
    import stat

    home = tmp_path / "wide" / "spasm"
    env = {**spasm_env, "SPASM_HOME": str(home)}
    old = os.umask(0)
    try:
        for args in (
            ["log", "--pain", "3"],
            ["search", "back", "pain"],
            ["config", "set", "region", "uk"],
        ):
            assert _run(env, *args)[0] in (0, 1), args
    finally:
        os.umask(old)
    found = {}
    for place in [home, *home.rglob("*")]:
        found[place.relative_to(home.parent).as_posix()] = stat.S_IMODE(place.stat().st_mode)
    assert found["spasm"] == 0o700
    wrong = {name: oct(mode) for name, mode in found.items() if mode not in (0o700, 0o600)}
    assert wrong == {}
    assert found["spasm/data/spasm.sqlite3"] == 0o600
    assert found["spasm/data/config.ini"] == 0o600
    assert found["spasm/cache/kb.sqlite3"] == 0o600


def test_wide_modes_are_corrected_on_open(invoke: Any) -> None:
    import stat

    from back_spasm_cli.personal import storage

    assert invoke("log", "--pain", "3").exit_code == 0
    path = storage.private_db_path()
    path.chmod(0o644)
    path.parent.chmod(0o755)
    path.parent.parent.chmod(0o777)
    assert invoke("history").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_at_the_database_path_is_refused(
    invoke: Any, tmp_path: Path, dangling: bool
) -> None:
    from back_spasm_cli.personal import storage

    target = tmp_path / "elsewhere.sqlite3"
    if not dangling:
        target.write_bytes(b"")
    path = storage.private_db_path()
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    for args in (["log", "--pain", "3"], ["history"], ["diary", "check"]):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result)
        assert "symbolic link" in result.stderr and "internal error" not in result.stderr
    assert target.exists() == (not dangling)
    if not dangling:
        assert target.read_bytes() == b""  # nothing written through the link


def test_a_symlink_at_the_settings_or_cache_path_is_not_followed(
    invoke: Any, tmp_path: Path
) -> None:
    from back_spasm_cli.personal import config

    target = tmp_path / "target.ini"
    target.write_text("[spasm]\nregion = us\n", encoding="utf-8")
    config.path().parent.mkdir(parents=True)
    config.path().symlink_to(target)
    result = invoke("config", "set", "region", "uk")
    assert result.exit_code == 2 and "symbolic link" in result.stderr, result
    assert "region = us" in target.read_text(encoding="utf-8")
    shown = invoke("doctor", "--format", "plain")
    assert shown.exit_code == 0 and "symbolic link" in shown.stderr
    invoke("remedy", "heat")  # builds the cache
    cache = kb.cache_path()
    cache.unlink()
    decoy = tmp_path / "decoy.sqlite3"
    cache.symlink_to(decoy)
    assert invoke("remedy", "heat", "--format", "plain").exit_code == 0
    assert not decoy.exists()  # the cache was not written through the link
