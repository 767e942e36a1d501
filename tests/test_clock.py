"""system/clock.py: one home for time. Days of the spasm count LOCAL calendar days, so
`ask`, `plan` and `routine` agree on the day, also just after midnight (records.py once
counted UTC dates: in New Zealand, ask said day 1 when plan said day 2)."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import pytest

from back_spasm_cli.personal import records, storage
from back_spasm_cli.system import clock
from back_spasm_cli.views import frame
from tests.helpers import Invoke


@pytest.fixture
def auckland(monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.tzinfo]:
    """Local time in New Zealand (UTC+13 in November): local and UTC dates differ."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        yield dt.datetime(2026, 11, 21, 12, 0).astimezone().tzinfo  # type: ignore[misc]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_just_after_midnight_ask_plan_and_routine_agree_on_the_day(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, auckland: dt.tzinfo
) -> None:
    answered = dt.datetime(2026, 11, 20, 23, 50, tzinfo=auckland)  # 10:50 UTC, Nov 20
    after_midnight = dt.datetime(2026, 11, 21, 0, 10, tzinfo=auckland)  # 11:10 UTC, Nov 20
    assert answered.astimezone(dt.timezone.utc).date() == dt.date(2026, 11, 20)
    assert after_midnight.astimezone(dt.timezone.utc).date() == dt.date(2026, 11, 20)
    monkeypatch.setattr(clock, "now", lambda: after_midnight)
    conn = storage.private_db()
    try:
        records.save_check(
            conn,
            {"signs": {}, "started": "lifting", "days": 1, "no_others": True},
            {"level": "self-care", "reasons": [], "unsure": []},
            at=answered,
        )
    finally:
        conn.close()
    ask = json.loads(invoke("ask", "ice", "or", "heat", "--format", "json").stdout)
    plan = json.loads(invoke("plan", "--format", "json").stdout)
    routine = json.loads(invoke("routine", "--list", "--format", "json").stdout)
    # Day 1 was answered ten minutes before midnight, local time: it is day 2 now.
    assert ask["days_since_onset"] == 2
    assert plan["answers"]["days"] == 2
    assert routine["days"] == 2


def test_days_follow_the_local_calendar() -> None:
    tz = dt.timezone(dt.timedelta(hours=13))
    late = dt.datetime(2026, 11, 20, 23, 59, tzinfo=tz)
    early = dt.datetime(2026, 11, 21, 0, 1, tzinfo=tz)
    assert clock.days_passed(late.astimezone(), early.astimezone()) in (0, 1)  # machine's zone
    assert clock.day_of_spasm(3, early, early) == 3
    assert clock.days_passed(early, late) == 0  # never negative
    assert clock.day_of_spasm(0, dt.datetime(2026, 11, 1, 12, tzinfo=tz), late) >= 19


@pytest.mark.parametrize(
    ("seconds", "expected", "words"),
    [
        (0, None, "just now"),
        (59, None, "just now"),
        (60, (1, "minute"), "1 minute ago"),
        (3 * 3600 + 5, (3, "hour"), "3 hours ago"),
        (86_400, (1, "day"), "1 day ago"),
        (2 * 86_400 + 7200, (2, "day"), "2 days ago"),
    ],
)
def test_how_long_ago(seconds: int, expected: tuple[int, str] | None, words: str) -> None:
    then = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.timezone.utc)
    moment = then + dt.timedelta(seconds=seconds)
    assert clock.elapsed(then, moment) == expected
    assert frame.ago(then, moment) == words


@pytest.mark.parametrize(
    ("text", "start"),
    [("14d", "2026-11-07 00:00"), ("2w", "2026-11-07 00:00"), ("1d", "2026-11-20 00:00")],
)
def test_since_counts_today(text: str, start: str) -> None:
    assert clock.parse_since(text, dt.date(2026, 11, 20)) == start


def test_since_refuses_nonsense() -> None:
    from back_spasm_cli.errors import UsageError

    with pytest.raises(UsageError, match="at least 1 day"):
        clock.parse_since("0d", dt.date(2026, 11, 20))
    with pytest.raises(UsageError, match="not a real date"):
        clock.parse_since("2026-02-30", dt.date(2026, 11, 20))
