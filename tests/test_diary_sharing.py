"""The diary shared: identity and time (m004), merging by UUID across homes, sessions in
history, export and import, and the row errors an import names. Expected values are
written out here."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from back_spasm_cli.personal import diary, storage
from back_spasm_cli.system import database
from tests.helpers import Invoke

UUID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
TODAY = dt.date.today()


def day(offset: int, time_of_day: str = "08:30") -> str:
    return f"{(TODAY + dt.timedelta(days=offset)).isoformat()} {time_of_day}"


def log(invoke: Invoke, *args: str) -> dict[str, object]:
    result = invoke("log", *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)["logged"]  # type: ignore[no-any-return]


def use_home(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv("SPASM_HOME", str(path))


def ice_session(minutes_done: int, outcome: str, start: str) -> None:
    """A timer session as `spasm timer ice` stores it (advice/sessions.record)."""
    from back_spasm_cli.advice import sessions

    conn = storage.private_db()
    try:
        sessions.record(
            conn,
            sessions.SessionRecord(
                "timer",
                "ice",
                dt.datetime.fromisoformat(start),
                900,
                minutes_done * 60,
                outcome,  # type: ignore[arg-type]
                {"days": 1, "remedy": "ice-pack"},
            ),
        )
    finally:
        conn.close()


def history(invoke: Invoke, *args: str) -> dict[str, list[dict[str, object]]]:
    result = invoke("history", "--format", "json", *args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- migration


def test_an_old_database_migrates_keeping_every_row(isolated_home: Path) -> None:
    path = storage.private_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    assert database.migrate(old, storage.PRIVATE_MIGRATIONS[:3]) == 3  # before m004
    with old:
        old.executemany(
            "INSERT INTO diary (id, at, pain, area, side, leg, trigger, helped, note, logged)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (3, "2026-11-20 08:30", 6, "lower", "left", 1, "lifting", '["heat"]', "stiff",
                 "2026-11-20T08:31:00+00:00"),
                (7, "2026-11-21 19:05", 4, None, None, 0, None, "[]", "",
                 "2026-11-21T19:06:00+00:00"),
            ],
        )  # fmt: skip
        old.execute(
            "INSERT INTO sessions (kind, what, started_at, planned_seconds, actual_seconds,"
            " outcome, details) VALUES ('timer', 'ice', '2026-11-20T09:00:00+00:00', 900, 300,"
            " 'stopped', '{\"days\": 1}')"
        )
    old.close()
    conn = storage.private_db()
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(storage.PRIVATE_MIGRATIONS),)
        got = list(reversed(diary.entries(conn)))
        sessions = diary.session_list(conn)
    finally:
        conn.close()
    fields = [(e.id, e.at, e.pain, e.area, e.side, e.leg, e.trigger, e.helped, e.note) for e in got]
    assert fields == [
        (3, "2026-11-20 08:30", 6, "lower", "left", True, "lifting", ("heat",), "stiff"),
        (7, "2026-11-21 19:05", 4, None, None, False, None, (), ""),
    ]  # fmt: skip
    assert [e.logged for e in got] == ["2026-11-20T08:31:00+00:00", "2026-11-21T19:06:00+00:00"]
    assert [e.changed for e in got] == [e.logged for e in got]
    assert all(UUID.match(e.uuid) for e in got) and got[0].uuid != got[1].uuid
    assert all(re.fullmatch(r"[+-]\d\d:\d\d", e.utc_offset) for e in got)
    assert [(s.what, s.outcome, s.actual_seconds, s.started_at) for s in sessions] == [
        ("ice", "stopped", 300, "2026-11-20T09:00:00+00:00")
    ]
    assert UUID.match(sessions[0].uuid)


def test_new_entries_and_sessions_get_a_uuid_offset_and_times(invoke: Invoke) -> None:
    entry = log(invoke, "--pain", "4", "--at", "2026-11-20 08:30")
    assert isinstance(entry["uuid"], str) and UUID.match(entry["uuid"])
    assert entry["utc_offset"] == diary.local_offset("2026-11-20 08:30")
    assert entry["changed"] == entry["logged"]
    ice_session(4, "stopped", "2026-11-20T09:00:00+00:00")
    (session,) = history(invoke, "--sessions")["sessions"]
    assert isinstance(session["uuid"], str) and UUID.match(session["uuid"])
    assert session["logged"] == session["changed"]


# --------------------------------------------------------------------------- merging


def test_two_homes_merge_into_a_third_once_and_again_changes_nothing(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A week on one home, three days on another; both into a third; then again."""
    laptop, phone, third = tmp_path / "laptop", tmp_path / "phone", tmp_path / "third"
    use_home(monkeypatch, laptop)
    for offset in range(-7, 0):  # a week up to yesterday (a diary entry is never ahead)
        log(invoke, "--pain", str(offset + 8), "--at", day(offset), "--note", f"laptop {offset}")
    ice_session(15, "completed", f"{day(-2)[:10]}T19:00:00+00:00")
    assert invoke("export", "-f", "json", "-o", str(tmp_path / "laptop.json")).exit_code == 0
    use_home(monkeypatch, phone)
    for offset in range(-3, 0):
        log(invoke, "--pain", "3", "--at", day(offset, "21:00"), "--note", f"phone {offset}")
    ice_session(5, "stopped", f"{day(-1)[:10]}T20:00:00+00:00")
    assert invoke("export", "-f", "csv", "-o", str(tmp_path / "phone.csv")).exit_code == 0
    use_home(monkeypatch, third)
    first = invoke("import", str(tmp_path / "laptop.json"))
    assert first.exit_code == 0, first
    assert first.stdout.startswith("imported 7 entries and 1 sessions from")
    second = invoke("import", str(tmp_path / "phone.csv"))
    assert second.exit_code == 0, second  # ids 1-3 and session 1 are taken: no clash
    assert second.stdout.startswith("imported 3 entries and 1 sessions from")
    seen = history(invoke)
    notes = sorted(str(e["note"]) for e in seen["entries"])
    assert notes == sorted(
        [f"laptop {n}" for n in range(-7, 0)] + [f"phone {n}" for n in (-3, -2, -1)]
    )
    assert sorted(int(e["id"]) for e in seen["entries"]) == list(range(1, 11))  # type: ignore[call-overload]
    assert sorted(str(s["outcome"]) for s in seen["sessions"]) == ["completed", "stopped"]
    assert len({e["uuid"] for e in seen["entries"]}) == 10
    again = invoke("import", str(tmp_path / "laptop.json"))
    assert again.exit_code == 0, again
    assert again.stdout.startswith("imported 0 entries and 0 sessions from")
    assert "(8 were already there)" in again.stdout
    assert invoke("import", str(tmp_path / "phone.csv")).stdout.startswith("imported 0 entries")
    assert history(invoke) == seen


def test_an_old_export_without_uuids_imports_once(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "id,at,pain,area,side,leg,trigger,helped,note,logged\n"
        "1,2026-11-20 08:30,6,lower,,0,lifting,heat,,2026-11-20T08:31:00+00:00\n",
        encoding="utf-8",
    )
    assert invoke("import", str(path)).stdout.startswith("imported 1 entries")
    again = invoke("import", str(path))
    assert (
        again.stdout.startswith("imported 0 entries") and "(1 were already there)" in again.stdout
    )


# --------------------------------------------------------------------------- row errors


BAD_ROWS = [
    (
        '{"at": "2026-11-20 08:30", "pain": 11}',
        "line 2, field pain: 11 is not from 0 to 10",
    ),
    (
        '{"at": "2026-11-20 08:30", "pain": 3, "logged": "2026-11-20T08:31:00"}',
        "line 2, field logged: '2026-11-20T08:31:00' has no time zone (e.g. +00:00)",
    ),
    (
        '{"at": "2026-11-20 08:30", "pain": 3, "helped": ["heat", "heat"]}',
        "line 2, field helped: an id is named twice",
    ),
    (
        '{"at": "2026-11-20 08:30", "pain": 3, "utc_offset": "+25:00"}',
        "line 2, field utc_offset: '+25:00' is not a UTC offset from -14:00 to +14:00",
    ),
    (
        '{"at": "2026-11-20 08:30", "pain": 3, "uuid": "not-a-uuid"}',
        "line 2, field uuid: 'not-a-uuid' is not a UUID",
    ),
    (
        '{"type": "session", "kind": "timer", "what": "ice", "outcome": "fine",'
        ' "started_at": "2026-11-20T09:00:00+00:00", "planned_seconds": 900,'
        ' "actual_seconds": 60}',
        "line 2, field outcome: 'fine' is not one of: completed, stopped, worse",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_each_bad_row_is_refused_with_a_true_message(
    invoke: Invoke, tmp_path: Path, row: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(f"[\n{row}\n]\n", encoding="utf-8")
    result = invoke("import", str(path))
    assert result.exit_code == 2, result
    assert message in result.stderr
    assert "1 row has an error; nothing was imported" in result.stderr
    assert "clashed" not in result.stderr
    assert history(invoke)["entries"] == []


def test_an_id_or_uuid_twice_in_one_file_names_both_lines(invoke: Invoke, tmp_path: Path) -> None:
    uuid = "3f2b8c1e-5a7d-4c9e-8f10-2b6d4e8a9c01"
    path = tmp_path / "twice.csv"
    path.write_text(
        "id,uuid,at,pain\n"
        f"4,{uuid},2026-11-20 08:30,3\n"
        "4,,2026-11-21 08:30,4\n"
        f"5,{uuid},2026-11-22 08:30,5\n",
        encoding="utf-8",
    )
    result = invoke("import", str(path))
    assert result.exit_code == 2, result
    assert "line 3, field id: entry id 4 is also on line 2" in result.stderr
    assert f"line 4, field uuid: entry uuid {uuid} is also on line 2" in result.stderr
    assert "clashed" not in result.stderr


def test_the_export_csv_round_trips_sessions(invoke: Invoke, tmp_path: Path) -> None:
    log(invoke, "--pain", "5", "--at", "2026-11-20 08:30")
    ice_session(4, "worse", "2026-11-20T09:00:00+00:00")
    before = history(invoke)
    for fmt in ("csv", "json"):
        out = tmp_path / f"all.{fmt}"
        assert invoke("export", "-f", fmt, "-o", str(out)).exit_code == 0
        rows = diary.read_import(out.read_text(encoding="utf-8"), fmt, diary.Vocabulary({}, {}))
        assert [type(r.item).__name__ for r in rows] == ["Entry", "Session"]
        assert [r.item.to_data() for r in rows] == [before["entries"][0], before["sessions"][0]]


# --------------------------------------------------------------------------- history


def test_history_shows_a_stopped_ice_session_beside_the_entries(invoke: Invoke) -> None:
    log(invoke, "--pain", "6", "--at", "2026-11-20 08:30")
    ice_session(4, "stopped", "2026-11-20T09:00:00+00:00")
    plain = invoke("history", "--format", "plain")
    assert plain.exit_code == 0, plain
    local = dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc).astimezone()
    assert (
        f"S#1 {local:%Y-%m-%d %H:%M} ice timer: 15:00 planned, 4:00 done, stopped early"
        in plain.stdout
    )
    assert "#1 2026-11-20 08:30 pain 6" in plain.stdout
    assert "1 entry, 1 session" in plain.stdout
    only = invoke("history", "--sessions", "--format", "plain").stdout
    assert "ice timer" in only and "pain 6" not in only
    entries = invoke("history", "--entries", "--format", "plain").stdout
    assert "ice timer" not in entries and "pain 6" in entries
    both = invoke("history", "--entries", "--sessions")
    assert both.exit_code == 2 and "give one of them" in both.stderr
    assert "sessions" not in history(invoke, "--entries")


def test_a_routine_that_made_it_worse_says_so(invoke: Invoke) -> None:
    from back_spasm_cli.advice import sessions

    conn = storage.private_db()
    sessions.record(
        conn,
        sessions.SessionRecord(
            "routine",
            "knee-rolls pelvic-tilt",
            dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc),
            300,
            70,
            "worse",
        ),
    )
    conn.close()
    plain = invoke("history", "--format", "plain").stdout
    assert "routine (2 exercises): 5:00 planned, 1:10 done, made it worse" in plain


def test_the_migration_does_not_touch_a_newer_file(isolated_home: Path) -> None:
    conn = storage.private_db()
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(storage.PrivateDataError, match="newer spasm"):
        storage.private_db()
    assert os.path.exists(storage.private_db_path())
