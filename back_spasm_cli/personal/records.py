"""The user's saved records in the private database: `spasm check` answers and verdicts.

Core functions over an open connection (storage.private_db()); they return dataclasses and
never print. Later records (guided sessions, the pain diary) live in the same database;
`forget_all` deletes every one of them.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from back_spasm_cli.personal import storage
from back_spasm_cli.system import clock

#: How long `spasm plan` reuses the answers of a check.
REUSE_FOR = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class SavedCheck:
    """One `spasm check` (or fresh `spasm plan`): its answers and verdict, time-stamped."""

    id: int
    at: datetime.datetime  # when it was saved, UTC
    answers: dict[str, Any]  # triage.CheckAnswers.to_data()
    level: str
    verdict: dict[str, Any]  # triage.Verdict.to_data()


def _now() -> datetime.datetime:
    return clock.now()


def save_check(
    conn: sqlite3.Connection,
    answers: dict[str, Any],
    verdict: dict[str, Any],
    *,
    at: datetime.datetime | None = None,
) -> SavedCheck:
    """Store one check; return it as saved."""
    when = (at or _now()).astimezone(datetime.timezone.utc).replace(microsecond=0)
    level = str(verdict.get("level", ""))
    with conn:
        cursor = conn.execute(
            "INSERT INTO checks (at, answers, level, verdict) VALUES (?, ?, ?, ?)",
            (when.isoformat(), json.dumps(answers), level, json.dumps(verdict)),
        )
    return SavedCheck(int(cursor.lastrowid or 0), when, answers, level, verdict)


def _row(row: tuple[Any, ...]) -> SavedCheck | None:
    row_id, at, answers, level, verdict = row
    try:
        when = datetime.datetime.fromisoformat(at)
        answers_data = json.loads(answers)
        verdict_data = json.loads(verdict)
    except (TypeError, ValueError):
        return None  # a damaged row is skipped, never half-read
    if not isinstance(answers_data, dict) or not isinstance(verdict_data, dict):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return SavedCheck(int(row_id), when, answers_data, str(level), verdict_data)


def last_check(
    conn: sqlite3.Connection,
    max_age: datetime.timedelta | None = None,
    *,
    now: datetime.datetime | None = None,
) -> SavedCheck | None:
    """The newest saved check, if any (and, with `max_age`, only if it is that recent)."""
    rows = conn.execute(
        "SELECT id, at, answers, level, verdict FROM checks ORDER BY at DESC, id DESC LIMIT 20"
    )
    moment = now or _now()
    for row in rows:
        saved = _row(row)
        if saved is None:
            continue
        if max_age is not None and not (datetime.timedelta(0) <= moment - saved.at < max_age):
            return None
        return saved
    return None


def count_all(conn: sqlite3.Connection) -> int:
    """How many records the user has saved, in every table."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return sum(int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in tables)


def forget_all(conn: sqlite3.Connection) -> int:
    """Delete every saved record (checks, and later sessions and the diary)."""
    return storage.forget_everything(conn)


#: How long a saved check still says which day of the spasm it is (ask, timer, routine).
DAYS_KNOWN_FOR = datetime.timedelta(days=14)


def days_since_onset(
    conn: sqlite3.Connection, *, now: datetime.datetime | None = None
) -> int | None:
    """The day of the spasm today (0 = the day it started), from the last saved check:
    its answer, plus the days since it was given. None when unknown or too old."""
    saved = last_check(conn, DAYS_KNOWN_FOR, now=now)
    if saved is None:
        return None
    days = saved.answers.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        return None
    return clock.day_of_spasm(days, saved.at, now or _now())


def saved_days_since_onset() -> int | None:
    """`days_since_onset` from the private database, or None when there is none to read."""
    from back_spasm_cli.personal import storage

    path = storage.private_db_path()
    if not path.exists():
        return None
    try:
        conn = storage.private_db(path, write=False)
    except storage.PrivateDataError:
        return None
    try:
        return days_since_onset(conn)
    except sqlite3.Error:  # damaged: advice goes on without the day count
        return None
    finally:
        conn.close()


#: How each table of the private database is named to a person (`spasm forget`).
RECORD_NAMES: dict[str, str] = {
    "checks": "saved check answers",
    "sessions": "timer and routine sessions",
    "diary": "pain diary entries",
}


def describe_all(conn: sqlite3.Connection) -> str:
    """ "3 saved check answers, 7 pain diary entries": what `forget` would delete."""
    parts = []
    for table, label in RECORD_NAMES.items():
        try:
            (count,) = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        except sqlite3.Error:
            continue
        if count:
            parts.append(f"{count} {label}")
    return ", ".join(parts) or "nothing"
