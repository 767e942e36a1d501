"""Time, in one place: now, today, the days since a spasm started, how long ago, and
`--since`. Days are counted in LOCAL calendar dates (the person's day, not UTC's), so
`ask`, `plan`, `timer` and `routine` agree on which day of the spasm it is, also just
after midnight. Tests fix the clock by replacing `now`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from back_spasm_cli.errors import UsageError

Unit = Literal["day", "hour", "minute"]

_SINCE_DAYS = re.compile(r"^(\d{1,5})\s*([dw])$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def now() -> dt.datetime:
    """This moment, time-zone aware, in the local time zone."""
    return dt.datetime.now().astimezone()


def utc_now() -> dt.datetime:
    """This moment in UTC, to the second (what is stored)."""
    return now().astimezone(dt.timezone.utc).replace(microsecond=0)


def today() -> dt.date:
    """Today's local date."""
    return now().date()


def days_passed(then: dt.datetime, moment: dt.datetime) -> int:
    """Local calendar days from `then` to `moment` (0 on the same day, never negative)."""
    return max(0, (moment.astimezone().date() - then.astimezone().date()).days)


def day_of_spasm(days: int, answered_at: dt.datetime, moment: dt.datetime) -> int:
    """The day of the spasm at `moment` (0 = the day it started), when `days` was the
    answer given at `answered_at`: it moves on with the local calendar."""
    return days + days_passed(answered_at, moment)


def elapsed(then: dt.datetime, moment: dt.datetime) -> tuple[int, Unit] | None:
    """How long ago, in the largest whole unit: (3, 'hour'); None under a minute."""
    seconds = int((moment - then).total_seconds())
    sizes: tuple[tuple[int, Unit], ...] = ((86_400, "day"), (3_600, "hour"), (60, "minute"))
    for size, unit in sizes:
        if seconds >= size:
            return seconds // size, unit
    return None


def parse_since(text: str, day: dt.date) -> str:
    """`--since 14d`, `2w` or a date, as the first diary time included ('YYYY-MM-DD 00:00').

    `14d` is the last 14 days counting `day` (today): from 13 days before it.
    """
    value = text.strip().lower()
    match = _SINCE_DAYS.match(value)
    if match:
        count = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        if count < 1:
            raise UsageError(f"--since {text}: give at least 1 day")
        start = day - dt.timedelta(days=count - 1)
    elif _DATE.match(value):
        try:
            start = dt.date.fromisoformat(value)
        except ValueError:
            raise UsageError(f"--since {text}: not a real date") from None
    else:
        raise UsageError(f"--since {text}: give a number of days (14d), weeks (2w) or a date")
    return f"{start.isoformat()} 00:00"
