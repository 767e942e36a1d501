"""The pain diary: log, history, trends, flags, report, export/import, storage under load
and faults. Expected figures are written out here, worked by hand from the entries."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from back_spasm_cli.advice import recognise
from back_spasm_cli.knowledge import kb
from back_spasm_cli.personal import diary, storage
from back_spasm_cli.system import database
from tests.helpers import Invoke, installed_spasm

TODAY = dt.date.today()
CONTENT = kb.load().content
VOCAB = diary.vocabulary(CONTENT)


def day(offset: int, time_of_day: str = "00:00") -> str:
    # Midnight, so that an entry for today is never in the future, whenever the suite runs
    # (log refuses a future --at).
    return f"{(TODAY + dt.timedelta(days=offset)).isoformat()} {time_of_day}"


def log(invoke: Invoke, *args: str) -> dict[str, object]:
    result = invoke("log", *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def week(invoke: Invoke) -> None:
    """Seven days ending today: pain 7 6 6 5 4 4 3, heat named from the second day on."""
    for offset, pain in zip(range(-6, 1), (7, 6, 6, 5, 4, 4, 3), strict=True):
        helped = ["--helped", "heat"] if offset > -6 else []
        log(
            invoke,
            "--pain",
            str(pain),
            "--where",
            "lower left",
            "--trigger",
            "lifting",
            *helped,
            "--at",
            day(offset),
        )


def db() -> sqlite3.Connection:
    return storage.private_db()


# --------------------------------------------------------------------------- log, history


def test_a_week_logged_by_options_gives_these_trends(invoke: Invoke) -> None:
    week(invoke)
    result = invoke("trends", "--format", "json")
    assert result.exit_code == 0, result
    payload = json.loads(result.stdout)
    assert payload["entries"] == 7
    assert payload["average"] == pytest.approx(5.0)  # 35 / 7
    assert (payload["best"], payload["worst"]) == (3, 7)
    assert [d["average"] for d in payload["days"]] == [7, 6, 6, 5, 4, 4, 3]
    # heat: changes -1, 0, -1, -1, 0, -1 from the entry before -> -4/6
    assert payload["helped"] == [
        {"id": "heat", "title": "Heat therapy", "uses": 6, "average_change": pytest.approx(-4 / 6)}
    ]
    assert payload["episode"]["days_since_first"] == 6
    assert payload["flags"] == []  # getting better, and under two weeks
    assert "not proof" in payload["not_proof"]


def test_trends_on_a_terminal_format_shows_a_chart(invoke: Invoke) -> None:
    week(invoke)
    result = invoke("trends", "--format", "plain", width=80)
    assert result.exit_code == 0, result
    assert "Pain (0-10), mean per day" in result.stdout
    assert "┤" in result.stdout  # plotext's axis
    assert "Average pain: 5.0" in result.stdout
    assert "Heat therapy (heat): -0.7 points on average, 6 times" in result.stdout


def test_history_is_newest_first_and_filters_by_since(invoke: Invoke) -> None:
    for offset, pain in ((-20, 8), (-3, 5), (0, 2)):
        log(invoke, "--pain", str(pain), "--at", day(offset))
    result = invoke("history", "--format", "json")
    pains = [e["pain"] for e in json.loads(result.stdout)["entries"]]
    assert pains == [2, 5, 8]
    result = invoke("history", "--since", "14d", "--format", "json")
    assert [e["pain"] for e in json.loads(result.stdout)["entries"]] == [2, 5]
    since = (TODAY - dt.timedelta(days=3)).isoformat()
    result = invoke("history", "--since", since, "--format", "plain")
    assert result.stdout.count("pain ") == 2
    result = invoke("history", "--format", "csv")
    assert result.stdout.splitlines()[0] == ",".join(diary.CSV_COLUMNS)
    assert len(result.stdout.splitlines()) == 4


def test_undo_and_delete(invoke: Invoke) -> None:
    for pain in (3, 4, 5):
        log(invoke, "--pain", str(pain))
    removed = log(invoke, "--undo")["removed"]
    assert removed["pain"] == 5
    assert invoke("history", "delete", "1", "--format", "plain").exit_code == 0
    left = json.loads(invoke("history", "--format", "json").stdout)["entries"]
    assert [e["pain"] for e in left] == [4]
    missing = invoke("history", "delete", "99")
    assert missing.exit_code == 1
    assert "no diary entry #99" in missing.stderr
    invoke("log", "--undo")
    assert invoke("log", "--undo").exit_code == 1  # empty now


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pain", "11"], "less than or equal to 10"),
        (["--pain", "5", "--helped", "magic-beans"], "'magic-beans': not a remedy or exercise"),
        (["--pain", "5", "--trigger", "gardening"], "--trigger 'gardening'"),
        (["--pain", "5", "--at", "2026-02-30 08:00"], "not a real time"),
        (["--pain", "5", "--at", "tomorrow"], "not a time like"),
        (["--pain", "5", "--where", "knee"], "'knee' is not one of"),
        (["--where", "lower"], "--pain is needed"),
        (["--undo", "--pain", "3"], "--undo takes no other"),
    ],
)
def test_bad_log_options_are_refused(invoke: Invoke, args: list[str], message: str) -> None:
    result = invoke("log", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    with db() as conn:
        assert diary.count(conn) == 0


def test_several_helped_ids_and_where_words(invoke: Invoke) -> None:
    entry = log(
        invoke,
        "--pain",
        "4",
        "--where",
        "middle,both,leg",
        "--helped",
        "heat,knee-rolls",
        "--helped",
        "short-walks",
    )["logged"]
    assert (entry["area"], entry["side"], entry["leg"]) == ("middle", "both", True)
    assert entry["helped"] == ["heat", "knee-rolls", "short-walks"]


def test_a_note_describing_a_red_flag_shows_the_level_and_number_at_once(
    invoke: Invoke,
) -> None:
    result = invoke(
        "log", "--pain", "6", "--note", "Woke up with a NUMB GROIN", "-f", "plain", "--region", "uk"
    )
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first == "Emergency: get help now"
    assert "999 (United Kingdom emergency)" in result.stdout
    assert result.stdout.index("999") < result.stdout.index("Logged #1")
    calm = invoke("log", "--pain", "3", "--note", "stiff after gardening", "-f", "json")
    assert "level" not in json.loads(calm.stdout)


@pytest.mark.parametrize(
    ("note", "flags"),
    [
        ("numb groin today", ["saddle-numbness"]),
        ("I peed myself on the way to the loo", ["bladder-bowel"]),
        ("feel feverish and shivery tonight", ["fever"]),
        ("no fever, just stiff", []),
        ("stiff after gardening, better after a walk", []),
    ],
)
def test_notes_go_through_the_red_flag_recogniser(note: str, flags: list[str]) -> None:
    assert [flag.id for flag in recognise.note_flags(CONTENT, note)] == flags


# --------------------------------------------------------------------------- flags


def entries_at(conn: sqlite3.Connection, pains: list[tuple[int, int]]) -> None:
    for offset, pain in pains:
        diary.add(conn, diary.Entry(at=day(offset), pain=pain, logged=diary.now_utc()))


def flag_ids(conn: sqlite3.Connection) -> list[str]:
    return [hit.id for hit in diary.flags(conn, TODAY, CONTENT)]


def test_fifteen_days_of_pain_says_see_a_gp(invoke: Invoke) -> None:
    with db() as conn:
        entries_at(conn, [(offset, 4) for offset in range(-14, 1)])  # 15 days
        assert flag_ids(conn) == ["two-weeks-of-pain"]
        hit = diary.flags(conn, TODAY, CONTENT)[0]
        assert hit.level == "gp" and hit.red_flag == "persistent"
    result = invoke("trends", "--format", "plain")
    assert result.stdout.startswith("Emergency:")  # the safety strip, then the flag
    assert result.stdout.split("\n\n")[1].startswith("Your diary shows back pain for two weeks")


def test_fourteen_days_is_not_yet_two_weeks() -> None:
    with db() as conn:
        entries_at(conn, [(offset, 4) for offset in range(-13, 1)])
        assert flag_ids(conn) == []


def test_an_entry_of_pain_zero_or_a_long_gap_starts_a_new_episode() -> None:
    with db() as conn:
        entries_at(conn, [(-30, 5), (-20, 5), (-12, 0), (-11, 3), (0, 3)])
        current = diary.episode(conn, TODAY, 7)
        assert current is not None
        assert current.first == day(0)  # 11 days without an entry: a new episode
        assert flag_ids(conn) == []
        entries_at(conn, [(offset, 3) for offset in range(-10, 0)])
        current = diary.episode(conn, TODAY, 7)
        assert current is not None and current.first == day(-11)  # back to after the 0
        assert current.days_since_first == 11


def test_pain_rising_over_the_week_says_see_a_gp() -> None:
    with db() as conn:
        entries_at(conn, [(-3, 3), (-2, 4), (-1, 5), (0, 6)])  # +3 over three days
        assert flag_ids(conn) == ["getting-worse"]
        hit = diary.flags(conn, TODAY, CONTENT)[0]
        assert dict(hit.facts)["Trend over the window"] == "+3.0 points"


def test_flat_or_falling_pain_raises_nothing() -> None:
    with db() as conn:
        entries_at(conn, [(-3, 6), (-2, 5), (-1, 6), (0, 5)])
        assert flag_ids(conn) == []


def test_a_small_rise_is_not_clearly_worse() -> None:
    with db() as conn:
        entries_at(conn, [(-3, 4), (-2, 4), (-1, 5), (0, 5)])  # fitted rise 1.2 < 2
        assert flag_ids(conn) == []


# --------------------------------------------------------------------------- report


def test_the_html_report_is_offline_private_and_never_overwritten(
    invoke: Invoke, tmp_path: Path
) -> None:
    week(invoke)
    log(invoke, "--pain", "3", "--note", "<script>alert(1)</script>")
    with db() as conn, conn:
        conn.execute(
            "INSERT INTO checks (at, answers, level, verdict) VALUES (?, ?, ?, ?)",
            (
                "2026-11-20T08:00:00+00:00",
                json.dumps({"started": "lifting", "days": 3}),
                "gp",
                json.dumps({"level": "gp", "reasons": ["Not improving with self-care"]}),
            ),
        )
    out = tmp_path / "report.html"
    result = invoke("report", "--output", str(out), "--notes")
    assert result.exit_code == 0, result
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "<polyline" in page
    for fetches in ("<script", "<link", "src=", "url(", "@import"):
        assert fetches not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<tr>") == 1 + 8  # header + entries
    assert "See a GP or doctor" in page and "Not improving with self-care" in page
    assert "not a diagnosis" in page
    again = invoke("report", "--output", str(out), "--notes")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert out.read_text(encoding="utf-8") == page
    assert invoke("report", "--output", str(out), "--since", "2d", "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").count("<tr>") == 1 + 3


def test_the_markdown_report_has_the_chart_and_a_table(invoke: Invoke, tmp_path: Path) -> None:
    week(invoke)
    out = tmp_path / "report.md"
    assert invoke("report", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Back pain diary: report for a clinician")
    assert "```text" in text and "┤" in text
    assert "| When | Pain | Where | Trigger | What was tried |" in text
    assert text.count("| lower back, left side |") == 7
    assert invoke("report", "-o", str(tmp_path / "r.pdf")).exit_code == 2


def test_sessions_recorded_by_the_timer_and_routine_are_shown(invoke: Invoke) -> None:
    from back_spasm_cli.advice import sessions

    week(invoke)
    now = dt.datetime.now(dt.timezone.utc)
    with db() as conn:
        for kind, what, ago_days in (
            ("timer", "ice", 1),
            ("timer", "ice", 0),
            ("routine", "pelvic-tilt knee-rolls", 0),
            ("timer", "ice", 90),
        ):
            sessions.record(
                conn,
                sessions.SessionRecord(
                    kind=kind,  # type: ignore[arg-type]
                    what=what,
                    started_at=now - dt.timedelta(days=ago_days),
                    planned_seconds=900,
                    actual_seconds=900,
                    outcome="completed",
                ),
            )
    payload = json.loads(invoke("trends", "-f", "json").stdout)
    assert payload["sessions"] == [{"what": "ice", "count": 2}, {"what": "routine", "count": 1}]


# --------------------------------------------------------------------------- export, import

notes = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=60
)
entries_strategy = st.lists(
    st.builds(
        diary.Entry,
        at=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
            lambda d: d.strftime(diary.AT_FORMAT)
        ),
        pain=st.integers(0, 10),
        area=st.sampled_from([None, *diary.AREAS]),
        side=st.sampled_from([None, *diary.SIDES]),
        leg=st.booleans(),
        trigger=st.sampled_from([None, "lifting", "stress"]),
        helped=st.lists(st.sampled_from(["heat", "knee-rolls", "massage"]), unique=True).map(tuple),
        note=notes,
        logged=st.just("2026-11-24T10:00:00+00:00"),
        id=st.integers(1, 10**6),
        uuid=st.uuids().map(str),
        utc_offset=st.sampled_from(["+00:00", "+05:30", "-08:00", "+14:00"]),
        changed=st.just("2026-11-25T09:00:00+00:00"),
    ).map(lambda entry: diary.with_titles(entry, VOCAB)),  # as logged: ids with their titles
    max_size=8,
    unique_by=(lambda e: e.id, lambda e: e.uuid),
)


@settings(max_examples=60, deadline=None)
@given(entries_strategy, st.sampled_from(["csv", "json"]))
def test_export_then_import_is_lossless(items: list[diary.Entry], fmt: str) -> None:
    text = diary.export_csv(items) if fmt == "csv" else diary.export_json(items)
    assert [row.item for row in diary.read_import(text, fmt, VOCAB)] == items


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_an_empty_home_gives_the_same_history(
    invoke: Invoke, tmp_path: Path, fmt: str
) -> None:
    week(invoke)
    log(invoke, "--pain", "2", "--note", 'line one\nline "two", with commas; ünïcode')
    invoke("history", "delete", "3")  # a gap in the ids survives the trip
    before = invoke("history", "--format", "json").stdout
    out = tmp_path / f"diary.{fmt}"
    assert invoke("export", "--format", fmt, "--output", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    env = {"SPASM_HOME": str(tmp_path / "other-home")}
    result = invoke("import", str(out), env=env)
    assert result.exit_code == 0, result
    assert result.stdout.startswith("imported 7 entries")
    assert invoke("history", "--format", "json", env=env).stdout == before
    again = invoke("import", str(out), env=env)
    assert "imported 0 entries" in again.stdout and "(7 were already there)" in again.stdout


def test_a_bad_row_imports_nothing_and_names_line_and_field(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "at,pain,helped,note\n"
        "2026-11-20 08:30,5,heat,fine\n"
        '2026-11-21 08:30,4,,"two\nlines"\n'
        "2026-11-22 08:30,12,,too high\n"
        "2026-11-23 8:30,3,,bad time\n"
        "2026-11-24 08:30,3,witchcraft,unknown remedy\n",
        encoding="utf-8",
    )
    result = invoke("import", str(path))
    assert result.exit_code == 2
    assert "3 rows have errors; nothing was imported" in result.stderr
    assert "line 5, field pain: 12 is not from 0 to 10" in result.stderr
    assert "line 6, field at:" in result.stderr
    assert "line 7, field helped: 'witchcraft'" in result.stderr
    with db() as conn:
        assert diary.count(conn) == 0


def test_json_import_errors_name_the_line(tmp_path: Path, invoke: Invoke) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '[\n{"at": "2026-11-20 08:30", "pain": 5},\n{"at": "2026-11-21 08:30", "pain": "x"},\n'
        '{"at": "2026-11-22 08:30", "pain": 3, "mood": "fine"}\n]\n',
        encoding="utf-8",
    )
    result = invoke("import", str(path))
    assert result.exit_code == 2
    assert "line 3, field pain" in result.stderr
    assert "line 4, field mood: is not a diary column" in result.stderr


def test_an_import_whose_uuid_is_here_with_other_content_is_a_conflict(
    invoke: Invoke, tmp_path: Path
) -> None:
    uuid = log(invoke, "--pain", "5", "--at", "2026-11-20 08:30")["logged"]["uuid"]
    path = tmp_path / "clash.json"
    row = {"uuid": uuid, "at": "2026-11-20 08:30", "utc_offset": "+00:00", "pain": 6}
    path.write_text(json.dumps([row]), encoding="utf-8")
    result = invoke("import", str(path))
    assert result.exit_code == 2
    assert "1 row conflict with the diary (same UUID, other content)" in result.stderr
    assert f"line 1: entry {uuid} differs from the diary's #1 (" in result.stderr
    assert "pain" in result.stderr and "--replace" in result.stderr
    assert [e["pain"] for e in json.loads(invoke("history", "-f", "json").stdout)["entries"]] == [5]
    result = invoke("import", str(path), "--replace")
    assert result.exit_code == 0, result
    assert "(1 replaced)" in result.stdout
    entries = json.loads(invoke("history", "-f", "json").stdout)["entries"]
    assert [(e["id"], e["uuid"], e["pain"]) for e in entries] == [(1, uuid, 6)]


# --------------------------------------------------------------------------- storage


def test_diary_path_and_file_mode(invoke: Invoke, isolated_home: Path) -> None:
    log(invoke, "--pain", "1")
    path = Path(invoke("diary", "path").stdout.strip())
    assert path == isolated_home / "spasm" / "data" / "spasm.sqlite3"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert invoke("diary", "check").stdout.startswith("ok: ")


def test_migrates_from_a_blank_file_and_from_after_m001(tmp_path: Path) -> None:
    blank = tmp_path / "blank.sqlite3"
    sqlite3.connect(blank).close()
    conn = storage.private_db(blank)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(storage.PRIVATE_MIGRATIONS)
    conn.close()
    old = tmp_path / "old.sqlite3"
    conn = database.connect(old, (storage.m001_checks,))
    conn.execute("INSERT INTO checks (at, answers, level, verdict) VALUES ('t', '{}', 'gp', '{}')")
    conn.commit()
    conn.close()
    conn = storage.private_db(old)
    assert conn.execute("SELECT level FROM checks").fetchall() == [("gp",)]
    diary.add(conn, diary.Entry(at="2026-11-20 08:30", pain=4, logged=diary.now_utc()))
    assert diary.count(conn) == 1
    columns = [row[1] for row in conn.execute("PRAGMA table_info(diary)")]
    assert columns == list(diary.COLUMNS)
    conn.close()


def test_a_newer_or_damaged_database_is_reported_and_left_alone(
    invoke: Invoke, isolated_home: Path
) -> None:
    log(invoke, "--pain", "4")
    path = isolated_home / "spasm" / "data" / "spasm.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    result = invoke("history")
    assert result.exit_code == 2 and "newer spasm" in result.stderr
    assert path.read_bytes() == before
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    result = invoke("log", "--pain", "3")
    assert result.exit_code == 2 and "damaged" in result.stderr
    assert path.read_bytes() == b"this is not a database" * 100
    check = invoke("diary", "check")
    assert check.exit_code == 2 and "integrity check" in check.stderr


def test_the_database_opens_as_plain_sqlite(invoke: Invoke, isolated_home: Path) -> None:
    """What sqlite-utils and Datasette see: plain tables and columns, JSON in `helped`."""
    log(invoke, "--pain", "4", "--helped", "heat")
    path = isolated_home / "spasm" / "data" / "spasm.sqlite3"
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
        row = conn.execute("SELECT pain, json_extract(helped, '$[0]') FROM diary").fetchone()
    conn.close()
    assert row == (4, "heat")


# --------------------------------------------------------------------------- load and faults


@pytest.mark.slow
@pytest.mark.installed
def test_fifty_log_processes_at_once_store_fifty_entries(spasm_env: dict[str, str]) -> None:
    spasm = installed_spasm()
    processes = [
        subprocess.Popen(
            [spasm, "log", "--pain", str(n % 11), "--note", f"process {n}", "-f", "json"],
            env=spasm_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        for n in range(50)
    ]
    failures = [p.communicate(timeout=120)[1] for p in processes if p.wait(timeout=120) != 0]
    assert failures == []
    with db() as conn:
        assert diary.count(conn) == 50
        notes = {row[0] for row in conn.execute("SELECT note FROM diary")}
        assert notes == {f"process {n}" for n in range(50)}
        assert diary.integrity(conn) == ["ok"]


WRITER = """
import sys
from back_spasm_cli.personal import diary
from back_spasm_cli.personal import storage
conn = storage.private_db()
n = 0
while True:
    diary.add(conn, diary.Entry(at="2026-11-20 08:30", pain=n % 11, logged=diary.now_utc()))
    n += 1
    print(n, flush=True)
"""


@pytest.mark.slow
@pytest.mark.installed
def test_kill_9_during_writes_loses_at_most_the_entry_being_written(
    spasm_env: dict[str, str],
) -> None:
    for attempt in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER], env=spasm_env, stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        confirmed = 0
        deadline = time.monotonic() + 0.3 + attempt * 0.2
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if line:
                confirmed = int(line)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        rest = child.stdout.read().split()
        confirmed = int(rest[-1]) if rest else confirmed
        with db() as conn:
            assert diary.integrity(conn) == ["ok"]
            stored = diary.count(conn)
            conn.execute("DELETE FROM diary")
            conn.commit()
        conn.close()
        assert confirmed > 0
        assert stored in (confirmed, confirmed + 1)  # at most the unconfirmed one is lost


@pytest.mark.slow
@pytest.mark.installed
def test_kill_9_during_an_import_leaves_all_or_nothing(
    spasm_env: dict[str, str], tmp_path: Path
) -> None:
    items = [
        diary.Entry(
            at=day(-(n % 900)), pain=n % 11, note="x" * 50, logged="2026-11-24T10:00:00+00:00"
        )
        for n in range(60_000)
    ]
    path = tmp_path / "big.csv"
    path.write_text(diary.export_csv(items), encoding="utf-8")
    spasm = installed_spasm()
    for delay in (0.2, 0.5, 0.8):
        child = subprocess.Popen(
            [spasm, "import", str(path)],
            env=spasm_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        with db() as conn:
            assert diary.integrity(conn) == ["ok"]
            assert diary.count(conn) in (0, 60_000)
            conn.execute("DELETE FROM diary")
            conn.commit()
        conn.close()


# --------------------------------------------------------------------------- terminal


@pytest.mark.installed
def test_on_a_terminal_log_asks_only_for_what_was_not_given(isolated_home: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {
        "SPASM_HOME": str(isolated_home / "spasm"),
        "HOME": str(isolated_home),
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "en_GB.UTF-8",
    }
    child = pexpect.spawn(
        installed_spasm(),
        ["log", "--pain", "6", "--note", "stiff"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 80),
    )
    child.expect(r"Where is the pain\?")
    child.sendline("1")
    child.expect(r"Which side\?")
    child.sendline("9")  # out of range: asked again
    child.expect(r"Please type a number from 1 to 3")
    child.sendline("both")
    child.expect(r"spread into a leg\?")
    child.sendline("y")
    child.expect(r"How did this spasm start\?")
    child.sendline("")  # skipped
    child.expect(r"What helped\?")
    child.sendline("heat, nonsense")
    child.expect(r"'nonsense': not a remedy or exercise id")
    child.expect(r"What helped\?")
    child.sendline("heat, knee-rolls")
    child.expect(r"Logged #1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    output = child.before or ""
    assert "Pain pain" not in output and "A note?" not in output  # note was given
    with db() as conn:
        (entry,) = diary.entries(conn)
    assert (entry.pain, entry.area, entry.side, entry.leg) == (6, "lower", "both", True)
    assert (entry.trigger, entry.helped, entry.note) == (None, ("heat", "knee-rolls"), "stiff")
