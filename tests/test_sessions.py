"""Guided sessions: `spasm timer` and `spasm routine`.

The core runs on a fake clock and scripted keys, so a 20-minute timer and a whole routine
take milliseconds; the CLI is run in-process with the clock swapped, and the installed
command is driven through a pseudo-terminal for the bar, the keys and Ctrl-C.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from back_spasm_cli.advice import sessions
from back_spasm_cli.errors import UsageError
from back_spasm_cli.knowledge import kb
from back_spasm_cli.personal import storage
from tests.conftest import Invoke

BASE = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone.utc)
SKIN = "numb, very red, blistered or painful"
# From day 0 (Guy's and St Thomas' NHS, NHS inform: "you can do the following exercises early on").
DAY_1 = ["Pelvic tilt", "Knee rolls", "Good sitting posture", "Short walks"]
DAY_3_ON = [
    "Pelvic tilt",
    "Knee rolls",
    "Bottom to heels stretch",
    "Back extensions",
    "Good sitting posture",
    "Back bends",
    "Short walks",
]


class FakeClock:
    """Time that moves only when something waits; records every sleep."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def wall(self) -> dt.datetime:
        return BASE + dt.timedelta(seconds=self.t)

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "a zero or negative sleep would spin"
        self.sleeps.append(seconds)
        self.t += seconds


class ScriptedKeys:
    """Keys pressed at given clock times. A hold done at one's own pace (a wait with no
    time limit and nothing scripted) is ended with Enter after `pace` seconds."""

    def __init__(self, clock: FakeClock, presses: list[tuple[float, str]], pace: float = 5) -> None:
        self.clock = clock
        self.presses = sorted(presses)
        self.pace = pace
        self.waits = 0

    def wait(self, seconds: float | None) -> str | None:
        self.waits += 1
        if self.presses and (seconds is None or self.presses[0][0] <= self.clock.t + seconds):
            at, key = self.presses.pop(0)
            self.clock.t = max(self.clock.t, at)
            return key
        if seconds is None:
            self.clock.t += self.pace
            return "\n"
        assert seconds > 0, "a zero or negative wait would spin"
        self.clock.t += seconds
        return None


@pytest.fixture(scope="module")
def content() -> Any:
    return kb.load(use_cache=False).content


# --------------------------------------------------------------------------- timer core


def test_a_20_minute_ice_timer_on_a_fake_clock(content: Any) -> None:
    plan = sessions.plan_timer(content, "ice", 20)
    clock = FakeClock()
    run = sessions.TimerRun(plan, clock)
    events = list(run.events(every=1))
    ticks = [e for e in events if isinstance(e, sessions.Tick)]
    checks = [e for e in events if isinstance(e, sessions.SkinCheck)]
    assert [t.elapsed for t in ticks] == list(range(1200))
    assert ticks[0].left == 1200 and ticks[-1].left == 1
    assert len(checks) == 1 and checks[0].elapsed == 600
    assert SKIN in checks[0].text
    assert isinstance(events[-1], sessions.TimerDone)
    assert "take the ice off now" in events[-1].text
    assert clock.t == 1200
    # One sleep a second, each to the next whole second: no busy loop.
    assert len(clock.sleeps) == 1200 and all(s == 1 for s in clock.sleeps)
    record = run.record("completed")
    assert (record.planned_seconds, record.actual_seconds) == (1200, 1200)


def test_without_a_terminal_a_line_a_minute(content: Any) -> None:
    plan = sessions.plan_timer(content, "heat", 15)
    clock = FakeClock()
    events = list(sessions.TimerRun(plan, clock).events(every=60))
    ticks = [e.elapsed for e in events if isinstance(e, sessions.Tick)]
    assert ticks == [60 * m for m in range(15)]
    skin = [e.elapsed for e in events if isinstance(e, sessions.SkinCheck)]
    assert skin == [450]  # half of 15 minutes
    assert len(clock.sleeps) == 16  # 15 minutes plus the wake-up for the skin check


@settings(max_examples=40, deadline=None)
@given(minutes=st.integers(1, 20), every=st.sampled_from([1, 60]))
def test_every_allowed_length_ends_on_time(content: Any, minutes: int, every: int) -> None:
    plan = sessions.plan_timer(content, "ice", minutes)
    clock = FakeClock()
    events = list(sessions.TimerRun(plan, clock).events(every=every))
    assert clock.t == minutes * 60
    assert sum(isinstance(e, sessions.SkinCheck) for e in events) == 1
    assert isinstance(events[-1], sessions.TimerDone)


def test_defaults_and_limits(content: Any) -> None:
    assert sessions.plan_timer(content, "ice").seconds == 15 * 60
    assert sessions.plan_timer(content, "heat").seconds == 15 * 60
    assert sessions.plan_timer(content, "ICE", 20).seconds == 20 * 60
    with pytest.raises(UsageError, match="at most 20 minutes"):
        sessions.plan_timer(content, "ice", 21)
    with pytest.raises(UsageError, match="1 or more"):
        sessions.plan_timer(content, "heat", 0)


def test_heat_within_48_hours_is_early(content: Any) -> None:
    assert sessions.plan_timer(content, "heat", days=0).early
    assert sessions.plan_timer(content, "heat", days=1).early
    assert not sessions.plan_timer(content, "heat", days=2).early
    assert not sessions.plan_timer(content, "heat").early  # unknown: warned, not offered
    assert not sessions.plan_timer(content, "ice", days=0).early


def test_next_session_is_due_two_to_three_hours_after_ice(content: Any) -> None:
    ice = sessions.find_timer(content, "ice")
    heat = sessions.find_timer(content, "heat")
    ended = dt.datetime(2026, 11, 24, 10, 20, tzinfo=dt.timezone.utc)
    assert sessions.next_due(ice, ended) == (
        dt.datetime(2026, 11, 24, 12, 20, tzinfo=dt.timezone.utc),
        dt.datetime(2026, 11, 24, 13, 20, tzinfo=dt.timezone.utc),
    )
    assert sessions.next_due(heat, ended) is None


def test_clock_text() -> None:
    assert [sessions.clock_text(s) for s in (0, 7, 59.9, 600, 3723)] == [
        "0:00",
        "0:07",
        "0:59",
        "10:00",
        "1:02:03",
    ]


# --------------------------------------------------------------------------- routine core


def titles(plan: sessions.RoutinePlan) -> list[str]:
    return [item.exercise.title for item in plan.items]


def test_routine_for_the_first_days_and_later(content: Any) -> None:
    assert titles(sessions.build_routine(content, 0)) == DAY_1
    assert titles(sessions.build_routine(content, 1)) == DAY_1
    assert titles(sessions.build_routine(content, 2)) == DAY_1
    assert titles(sessions.build_routine(content, 3)) == DAY_3_ON
    assert titles(sessions.build_routine(content, 5)) == DAY_3_ON


def test_routine_timing_as_the_sources_give_it(content: Any) -> None:
    plan = sessions.build_routine(content, 5)
    by_id = {item.exercise.id: item for item in plan.items}
    assert (by_id["pelvic-tilt"].reps, by_id["pelvic-tilt"].hold_seconds) == (5, 2)
    knee = by_id["knee-rolls"]
    assert (knee.reps, knee.sides, knee.hold_seconds) == (5, 2, 2)
    assert (by_id["back-extensions"].reps, by_id["back-extensions"].hold_seconds) == (8, 5)
    assert by_id["bottom-to-heels"].self_paced  # "one deep breath": at your own pace
    assert by_id["short-walks"].block_seconds == 300
    # Day 5: holds and rests of 550 s plus 7 × 15 s to get ready.
    assert plan.total_seconds == 655
    # Day 1: the day-0 pelvic tilt (22 s) and knee rolls (32 s), each 15 s to get ready, join
    # the sitting posture and the walk (367 s).
    assert sessions.build_routine(content, 1).total_seconds == 367 + 22 + 32 + 2 * 15
    assert [ex.id for ex in sessions.build_routine(content, 5).untimed] == [
        "knee-hugs",
        "core-contraction",
        "bridging",
    ]


def test_named_exercises_are_checked_against_the_day(content: Any) -> None:
    by_id = {ex.id: ex for ex in content.exercises}
    plan = sessions.build_routine(content, 4, [by_id["knee-rolls"], by_id["short-walks"]])
    assert titles(plan) == ["Knee rolls", "Short walks"]
    with pytest.raises(UsageError, match="from about day 3"):
        sessions.build_routine(content, 1, [by_id["back-extensions"]])
    with pytest.raises(UsageError, match="physiotherapist"):
        sessions.build_routine(content, 5, [by_id["knee-hugs"]])


def run_routine(
    content: Any, days: int, presses: list[tuple[float, str]]
) -> tuple[sessions.RoutineRun, list[Any], FakeClock]:
    clock = FakeClock()
    keys = ScriptedKeys(clock, presses)
    run = sessions.RoutineRun(sessions.build_routine(content, days), clock, keys)
    events = list(run.events())
    return run, events, clock


def test_a_whole_routine_runs_on_a_fake_clock(content: Any) -> None:
    run, events, clock = run_routine(content, 5, [])
    end = events[-1]
    assert isinstance(end, sessions.RoutineEnd) and end.outcome == "completed"
    # Each hold at your own pace took 5 s, as the estimate counts them: on the dot.
    assert clock.t == 655
    ends = [e for e in events if isinstance(e, sessions.ExerciseEnd)]
    assert [(e.item.exercise.id, e.status, e.reps_done) for e in ends] == [
        ("pelvic-tilt", "completed", 5),
        ("knee-rolls", "completed", 5),
        ("bottom-to-heels", "completed", 8),
        ("back-extensions", "completed", 8),
        ("sitting-posture", "completed", 5),
        ("back-bends", "completed", 5),
        ("short-walks", "completed", 1),
    ]
    holds = [e for e in events if isinstance(e, sessions.Count) and e.phase == "hold"]
    knee_starts = [
        (e.rep, e.side) for e in holds if e.item.exercise.id == "knee-rolls" and e.left == 2
    ]
    assert knee_starts == [(rep, side) for rep in range(1, 6) for side in (1, 2)]
    waits = [e for e in events if isinstance(e, sessions.AwaitKey)]
    assert len(waits) == 8 + 5 + 5  # bottom to heels, posture, back bends
    record = run.record()
    assert record.outcome == "completed"
    assert (record.planned_seconds, record.actual_seconds) == (655, 655)
    assert record.what.split() == [
        "pelvic-tilt",
        "knee-rolls",
        "bottom-to-heels",
        "back-extensions",
        "sitting-posture",
        "back-bends",
        "short-walks",
    ]


def test_space_pauses_and_the_pause_is_not_counted(content: Any) -> None:
    _, events, clock = run_routine(content, 1, [(10, " "), (90, " ")])  # while getting ready
    assert [type(e).__name__ for e in events].count("Paused") == 1
    assert clock.t == 451 + 80  # the day-1 routine (see above) and the pause


def test_s_skips_one_exercise(content: Any) -> None:
    run, events, _ = run_routine(content, 5, [(16, "s")])  # in pelvic tilt's first hold
    ends = [(e.item.exercise.id, e.status) for e in events if isinstance(e, sessions.ExerciseEnd)]
    assert ends[0] == ("pelvic-tilt", "skipped")
    assert all(status == "completed" for _, status in ends[1:]) and len(ends) == 7
    assert run.record().outcome == "completed"


def test_q_quits(content: Any) -> None:
    run, events, _ = run_routine(content, 5, [(40, "q")])
    ends = [(e.item.exercise.id, e.status) for e in events if isinstance(e, sessions.ExerciseEnd)]
    assert ends == [("pelvic-tilt", "completed"), ("knee-rolls", "stopped")]
    assert run.record().outcome == "stopped"


def test_w_stops_and_gives_the_advice(content: Any) -> None:
    run, events, _ = run_routine(content, 5, [(16, "w")])
    worse = [e for e in events if isinstance(e, sessions.MadeWorse)]
    assert len(worse) == 1 and worse[0].item.exercise.id == "pelvic-tilt"
    assert "Stop that exercise" in worse[0].advice
    assert "GP or a physiotherapist" in worse[0].advice
    assert isinstance(events[-1], sessions.RoutineEnd) and events[-1].outcome == "worse"
    record = run.record()
    assert record.outcome == "worse"
    assert record.details["exercises"] == [{"id": "pelvic-tilt", "status": "worse", "reps_done": 0}]


def test_ctrl_c_part_way_is_recorded_as_stopped(content: Any) -> None:
    clock = FakeClock()
    run = sessions.RoutineRun(sessions.build_routine(content, 5), clock, ScriptedKeys(clock, []))
    for event in run.events():
        if isinstance(event, sessions.Count) and event.item.exercise.id == "knee-rolls":
            break  # what the CLI's KeyboardInterrupt leaves behind
    record = run.record()
    assert record.outcome == "stopped"
    assert record.details["exercises"] == [
        {"id": "pelvic-tilt", "status": "completed", "reps_done": 5},
        {"id": "knee-rolls", "status": "stopped", "reps_done": 0},
    ]


# --------------------------------------------------------------------------- records


def test_sessions_table_and_records_round_trip() -> None:
    conn = storage.private_db()
    columns = [row[1] for row in conn.execute("PRAGMA table_info(sessions)")]
    assert columns == [
        "id",
        "uuid",
        "kind",
        "what",
        "started_at",
        "utc_offset",
        "planned_seconds",
        "actual_seconds",
        "outcome",
        "details",
        "logged",
        "changed",
    ]
    first = sessions.SessionRecord("timer", "ice", BASE, 900, 900, "completed", {"days": 1})
    later = sessions.SessionRecord(
        "routine", "knee-rolls", BASE + dt.timedelta(hours=1), 60, 12, "worse"
    )
    sessions.record(conn, first)
    sessions.record(conn, later)
    stored = sessions.recent(conn)
    assert [(s.what, s.outcome, s.actual_seconds) for s in stored] == [
        ("knee-rolls", "worse", 12),
        ("ice", "completed", 900),
    ]
    assert stored[1].started_at == BASE and stored[1].details == {"days": 1}
    with pytest.raises(sqlite3.IntegrityError), conn:
        conn.execute(
            "INSERT INTO sessions (uuid, kind, what, started_at, utc_offset, planned_seconds,"
            " actual_seconds, outcome, details, logged, changed) VALUES"
            " ('3f2b8c1e-5a7d-4c9e-8f10-2b6d4e8a9c01', 'nap', 'x', 'now', '+00:00', 1, 1,"
            " 'completed', '{}', 'now', 'now')"
        )
    assert storage.forget_everything(conn) == 2
    assert sessions.recent(conn) == []
    conn.close()


def save_check(days: int | None, level: str, at: dt.datetime | None = None) -> None:
    conn = storage.private_db()
    with conn:
        conn.execute(
            "INSERT INTO checks (at, answers, level, verdict) VALUES (?, ?, ?, ?)",
            (
                (at or dt.datetime.now(dt.timezone.utc)).isoformat(),
                json.dumps({"days": days}),
                level,
                json.dumps({"level": level}),
            ),
        )
    conn.close()


def test_latest_check_counts_the_days_since() -> None:
    save_check(4, "gp", BASE - dt.timedelta(days=10))
    save_check(1, "self-care", BASE - dt.timedelta(days=2))
    conn = storage.private_db()
    saved = sessions.latest_check(conn)
    conn.close()
    assert saved is not None and saved.level == "self-care" and saved.days == 1
    assert saved.days_now(BASE) == 3


# --------------------------------------------------------------------------- the CLI


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    """The CLI's clock, swapped for a fake one that starts at BASE."""
    clock = FakeClock()
    monkeypatch.setattr(sessions, "SystemClock", lambda: clock)
    yield clock


def rows() -> list[tuple[Any, ...]]:
    conn = storage.private_db()
    found = conn.execute(
        "SELECT kind, what, planned_seconds, actual_seconds, outcome FROM sessions ORDER BY id"
    ).fetchall()
    conn.close()
    return found


def test_timer_without_a_terminal_writes_plain_lines(invoke: Invoke, fake_time: FakeClock) -> None:
    result = invoke("timer", "ice", "--minutes", "3", "--region", "uk")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Ice: 3:00 started at"))
    assert lines[start + 1 :] == [
        "2:00 left",
        "1:30 in: Check your skin now. Stop at once if it is numb, very red, blistered or painful.",
        "1:00 left",
        "Time is up: take the ice off now and let your skin warm up again.",
        "Next ice session: from "
        + local(BASE, 123)
        + " to "
        + local(BASE, 183)
        + " (every 2 to 3 hours).",
    ]
    assert "Wrap the ice pack" in result.stdout  # the checks came first
    assert "999" in result.stdout  # the safety strip names the number
    assert rows() == [("timer", "ice", 180, 180, "completed")]


def local(base: dt.datetime, minutes: int) -> str:
    return (base + dt.timedelta(minutes=minutes)).astimezone().strftime("%H:%M")


def test_25_minutes_is_refused_with_the_reason(invoke: Invoke) -> None:
    result = invoke("timer", "ice", "--minutes", "25")
    assert result.exit_code == 2
    assert "Ice for 25 minutes is refused" in result.stderr
    assert "at most 20 minutes at a time" in result.stderr
    assert "Traceback" not in result.stderr
    assert rows() == []


def test_unknown_timer_is_not_found(invoke: Invoke) -> None:
    result = invoke("timer", "steam")
    assert result.exit_code == 1
    assert "timers: ice, heat" in result.stderr


def test_heat_on_day_1_without_a_terminal_is_refused_with_the_reason(invoke: Invoke) -> None:
    result = invoke("timer", "heat", "--days", "1", "--minutes", "1")
    assert result.exit_code == 2, result
    assert "less than 48 hours" in result.stderr
    assert "use ice instead" in result.stderr
    assert "or use `spasm timer ice`" in result.stderr


def test_heat_later_does_not_warn(invoke: Invoke, fake_time: FakeClock) -> None:
    result = invoke("timer", "heat", "--days", "4", "--minutes", "1")
    assert result.exit_code == 0, result
    assert "less than 48 hours" not in result.flat
    assert "next heat session: 2 to 3 times a day, if it helps." in result.flat


def test_heat_uses_the_saved_check_for_the_days(invoke: Invoke, fake_time: FakeClock) -> None:
    save_check(0, "self-care")
    result = invoke("timer", "heat", "--minutes", "1")
    assert result.exit_code == 2
    assert "less than 48 hours" in result.stderr


def test_ctrl_c_in_the_timer(
    invoke: Invoke, fake_time: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def sleep(seconds: float) -> None:  # Ctrl-C 67 s in, part way through a sleep
        if fake_time.t + seconds >= 67:
            fake_time.t = 67
            raise KeyboardInterrupt
        fake_time.t += seconds

    monkeypatch.setattr(fake_time, "sleep", sleep)
    result = invoke("timer", "ice")
    assert result.exit_code == 130
    assert "spasm: stopped after 1:07" in result.stderr
    assert rows() == [("timer", "ice", 900, 67, "stopped")]


def test_json_is_refused_for_the_timer(invoke: Invoke) -> None:
    result = invoke("timer", "ice", "--format", "json")
    assert result.exit_code == 2
    assert "--format plain" in result.stderr


def routine_json(invoke: Invoke, *args: str) -> dict[str, Any]:
    result = invoke("routine", *args, "--list", "--format", "json")
    assert result.exit_code == 0, result
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def test_routine_list_day_1_and_day_5(invoke: Invoke) -> None:
    day1 = routine_json(invoke, "--days", "1")
    day5 = routine_json(invoke, "--days", "5")
    assert [e["title"] for e in day1["exercises"]] == DAY_1
    assert [e["title"] for e in day5["exercises"]] == DAY_3_ON
    assert (day1["total_seconds"], day5["total_seconds"]) == (451, 655)
    assert [e["id"] for e in day1["later"]] == [
        "bottom-to-heels",
        "back-extensions",
        "back-bends",
    ]
    assert "disclaimer" in day1 and "safety" in day1


def test_routine_list_in_plain_words(invoke: Invoke) -> None:
    result = invoke("routine", "--days", "5", "--list", "--format", "plain", "--region", "uk")
    assert result.exit_code == 0, result
    assert "Routine for day 5 (7 exercises)" in result.stdout
    assert "Total: about 10:55" in result.stdout
    assert "2. Knee rolls: 5 times, hold 2 s each side" in result.stdout
    assert "3. Bottom to heels stretch: 8 times, hold: one deep breath" in result.stdout
    assert "7. Short walks: 5 minutes" in result.stdout
    assert "Stop any exercise that makes your symptoms worse" in result.stdout


def test_routine_takes_the_days_from_the_saved_check(invoke: Invoke) -> None:
    save_check(1, "gp", dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3))
    assert routine_json(invoke)["days"] == 4


def test_routine_without_days_outside_a_terminal_asks_for_them(invoke: Invoke) -> None:
    result = invoke("routine", "--list")
    assert result.exit_code == 2
    assert "--days N" in result.stderr


def test_routine_needs_a_terminal_to_run(invoke: Invoke) -> None:
    result = invoke("routine", "--days", "3")
    assert result.exit_code == 2
    assert "--list prints it" in result.stderr


@pytest.mark.parametrize("level", ["urgent", "emergency"])
def test_urgent_saved_answers_refuse_sessions(invoke: Invoke, level: str) -> None:
    save_check(1, level)
    title = {"urgent": "Urgent: get medical advice today", "emergency": "Emergency: get help now"}
    for args in (["routine", "--days", "5", "--list"], ["timer", "ice", "--yes"]):
        result = invoke(*args, "--format", "plain", "--region", "uk")
        assert result.exit_code == 0, result
        assert title[level] in result.stdout
        assert "Routine for day" not in result.stdout
        assert "started at" not in result.stdout
    assert rows() == []


def test_gp_saved_answers_do_not_refuse(invoke: Invoke) -> None:
    save_check(5, "gp")
    assert next(e["id"] for e in routine_json(invoke)["exercises"]) == "pelvic-tilt"


def test_routine_with_named_exercises(invoke: Invoke) -> None:
    data = routine_json(invoke, "--days", "3", "knee rolls", "walking")
    assert [e["id"] for e in data["exercises"]] == ["knee-rolls", "short-walks"]
    early = invoke("routine", "--days", "1", "--list", "back-extensions")
    assert early.exit_code == 2 and "from about day 3" in early.stderr


# --------------------------------------------------------------------------- content


def test_every_exercise_says_when_it_suits(content: Any) -> None:
    labels = {0: "From the first days", 3: "Once the worst has eased, from about day 3"}
    for exercise in content.exercises:
        assert exercise.from_day in labels, exercise.id
        assert exercise.when == labels[exercise.from_day], exercise.id


def test_exercise_views_show_when(invoke: Invoke) -> None:
    walk = invoke("exercises", "short-walks", "--format", "plain")
    assert "When: From the first days" in walk.stdout
    knee = invoke("exercises", "knee-rolls", "--format", "plain")
    assert "When: From the first days" in knee.stdout  # Guy's and St Thomas': early on
    bottom = invoke("exercises", "bottom-to-heels", "--format", "plain")
    assert "When: Once the worst has eased, from about day 3" in bottom.stdout


def test_cuh_exercises_have_no_invented_timing(content: Any) -> None:
    by_id = {ex.id: ex for ex in content.exercises}
    for ex_id in ("knee-hugs", "core-contraction", "bridging"):
        ex = by_id[ex_id]
        assert (ex.hold_seconds, ex.hold, ex.reps, ex.repetitions, ex.minutes) == (
            None,
            None,
            None,
            None,
            None,
        )


def test_session_texts_keep_the_safety_rules(content: Any) -> None:
    ice = sessions.find_timer(content, "ice")
    heat = sessions.find_timer(content, "heat")
    assert (ice.max_minutes, heat.max_minutes) == (20, 20)
    assert any("never put ice straight onto bare skin" in c.lower() for c in ice.checks)
    assert any("never fall asleep" in c.lower() for c in heat.checks)
    for timer in (ice, heat):
        assert any("numb" in c and "broken skin" in c for c in timer.checks)
        assert SKIN in timer.skin_check
    assert (heat.early_days, heat.instead) == (2, "ice")


# --------------------------------------------------------------------------- terminals


def test_terminal_keys_restore_the_terminal() -> None:
    termios = pytest.importorskip("termios")
    from back_spasm_cli.cli.session_commands import TerminalKeys

    master, slave = os.openpty()
    try:
        before = termios.tcgetattr(slave)
        with TerminalKeys(slave) as keys:
            inside = termios.tcgetattr(slave)
            assert not inside[3] & termios.ICANON  # one key at a time
            assert inside[3] & termios.ISIG  # Ctrl-C still interrupts
            assert keys.wait(0.01) is None
            os.write(master, b"s")
            assert keys.wait(1) == "s"
        assert termios.tcgetattr(slave) == before
        with pytest.raises(KeyboardInterrupt), TerminalKeys(slave):
            raise KeyboardInterrupt
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


pexpect = pytest.importorskip("pexpect")
SPASM = Path(sys.executable).parent / "spasm"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(home: Path, *args: str) -> Any:
    if not SPASM.exists():
        pytest.fail(f"the spasm entry point is not installed at {SPASM}")
    env = {
        "SPASM_HOME": str(home / "spasm"),
        "HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm",
        "LANG": "en_GB.UTF-8",
    }
    return pexpect.spawn(
        str(SPASM), list(args), env=env, encoding="utf-8", timeout=20, dimensions=(30, 80)
    )


def db_rows(home: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "spasm" / "data" / "spasm.sqlite3") as conn:
        return conn.execute("SELECT kind, what, outcome FROM sessions").fetchall()


@pytest.mark.installed
def test_the_timer_in_a_terminal_shows_a_bar_and_stops_on_ctrl_c(isolated_home: Path) -> None:
    child = spawn(isolated_home, "timer", "ice", "--minutes", "1", "--region", "uk")
    child.expect("Wrap the ice pack")
    child.expect("Press Enter to start")
    child.sendline("")
    child.expect("1:00 left")
    child.expect(r"0:5\d left")  # the bar moves on, once a second
    assert "━" in child.before or "━" in child.after
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    output = ANSI.sub("", child.before)
    assert re.search(r"spasm: stopped after 0:0\d", output)
    assert "Traceback" not in output
    assert db_rows(isolated_home) == [("timer", "ice", "stopped")]


@pytest.mark.installed
def test_the_routine_in_a_terminal_takes_keys(isolated_home: Path) -> None:
    child = spawn(
        isolated_home, "routine", "sitting-posture", "short-walks", "--days", "1", "--region", "uk"
    )
    child.expect("Routine for day 1")
    child.expect("Press Enter to start")
    child.sendline("")
    child.expect("Good sitting posture")
    child.expect("Get ready")
    child.send(" ")
    child.expect("Paused")
    child.send("s")
    child.expect("Good sitting posture: skipped")
    child.expect("Short walks")
    child.expect("Get ready")
    child.send("w")
    child.expect("Stop that exercise for now")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert db_rows(isolated_home) == [("routine", "sitting-posture short-walks", "worse")]


@pytest.mark.installed
def test_ctrl_c_stops_the_routine(isolated_home: Path) -> None:
    child = spawn(isolated_home, "routine", "--days", "4", "--region", "uk")
    child.expect("Press Enter to start")
    child.sendline("")
    child.expect("Get ready")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "stopped after 0:0" in ANSI.sub("", child.before)
    assert db_rows(isolated_home) == [
        (
            "routine",
            "pelvic-tilt knee-rolls bottom-to-heels back-extensions sitting-posture"
            " back-bends short-walks",
            "stopped",
        )
    ]


@pytest.mark.installed
def test_heat_on_day_1_offers_ice_in_a_terminal(isolated_home: Path) -> None:
    child = spawn(isolated_home, "timer", "heat", "--days", "1", "--minutes", "1", "--region", "uk")
    child.expect("less than 48 hours")
    child.expect(r"Use ice instead\? \[Y/n\]")
    child.sendline("")
    child.expect("Ice: 1 minute")
    child.expect("Press Enter to start")
    child.sendline("")
    child.expect("1:00 left")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert db_rows(isolated_home) == [("timer", "ice", "stopped")]


@pytest.mark.installed
def test_sigterm_stops_the_timer(spasm_env: dict[str, str], isolated_home: Path) -> None:
    import signal
    import subprocess

    proc = subprocess.Popen(
        [str(SPASM), "timer", "heat", "--days", "5", "--seconds", "120", "--region", "uk"],
        env=spasm_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Heat: 2:00 started at"):
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert re.search(r"spasm: stopped after 0:0\d", err)
    assert db_rows(isolated_home) == [("timer", "heat", "stopped")]
