"""Guided sessions: the ice or heat timer and the timed exercise routine. Never prints.

Lengths, safety texts and the routine's make-up come from the knowledge base
(`sessions:` in data/sessions.yaml, and the exercises). A session is a generator of
events (a tick of the clock, the skin check, a hold, a rest, the end) that the CLI shows;
time comes from a `Clock` and key presses from `Keys`, both passed in, so tests run a
20-minute timer or a whole routine in milliseconds, and the real clock sleeps until the
next tick instead of spinning.

What was done is recorded in the private database (`sessions` table, storage.m002).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from back_spasm_cli.errors import NotFoundError, SpasmError, UsageError
from back_spasm_cli.knowledge.schema import (
    LEVEL_ORDER,
    Exercise,
    KnowledgeBaseFile,
    Level,
    Routine,
    Sessions,
    Timer,
    raise_level,
)

Outcome = Literal["completed", "stopped", "worse"]
Status = Literal["completed", "skipped", "stopped", "worse"]
#: Care levels at which no session starts: the care message is shown instead.
NO_SESSION_LEVELS: tuple[Level, ...] = ("urgent", "emergency")


# --------------------------------------------------------------------------- time and keys


class Clock(Protocol):
    """Where a session gets its time."""

    def monotonic(self) -> float:
        """Seconds on a clock that only goes forward (for lengths)."""

    def wall(self) -> dt.datetime:
        """The time of day, timezone-aware (for records and the next session)."""

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` (the real clock sleeps; it does not spin)."""


class Keys(Protocol):
    """Where a session gets key presses."""

    def wait(self, seconds: float | None) -> str | None:
        """Wait up to `seconds` (None: until a key) for one key; None when time ran out."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def clock_text(seconds: float) -> str:
    """m:ss (h:mm:ss from an hour), rounded down: 0:07, 14:59, 1:02:03."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def require(content: KnowledgeBaseFile) -> Sessions:
    if content.sessions is None:
        raise SpasmError("this knowledge base has no `sessions:` section (timers and routine)")
    return content.sessions


# --------------------------------------------------------------------------- saved checks


@dataclass(frozen=True)
class CheckSummary:
    """The latest answers saved by `spasm check`: when, days since onset, care level."""

    at: dt.datetime
    days: int | None
    level: Level

    def days_now(self, now: dt.datetime) -> int | None:
        """Days since onset today: the saved answer plus the calendar days since."""
        if self.days is None:
            return None
        from back_spasm_cli.system import clock

        return clock.day_of_spasm(self.days, self.at, now)


def latest_check(conn: sqlite3.Connection) -> CheckSummary | None:
    """What a session needs of the last saved check (records.last_check reads it)."""
    from back_spasm_cli.personal import records

    try:
        saved = records.last_check(conn)
    except sqlite3.Error:
        return None
    if saved is None:
        return None
    level: Level = "self-care"
    for found in (saved.level, saved.verdict.get("level")):
        if found in LEVEL_ORDER:
            level = raise_level(level, found)
    days = saved.answers.get("days")
    usable = isinstance(days, int) and not isinstance(days, bool) and days >= 0
    return CheckSummary(saved.at, days if usable else None, level)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class SessionRecord:
    """One session as stored: what, when, planned and actual length, how it ended."""

    kind: Literal["timer", "routine"]
    what: str
    started_at: dt.datetime
    planned_seconds: int
    actual_seconds: int
    outcome: Outcome
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "what": self.what,
            "started_at": self.started_at.isoformat(),
            "planned_seconds": self.planned_seconds,
            "actual_seconds": self.actual_seconds,
            "outcome": self.outcome,
            "details": self.details,
        }


def record(conn: sqlite3.Connection, session: SessionRecord) -> int:
    """Store a session with a new UUID, the UTC offset it started in, and when it was
    recorded (storage.m004_identity); return its id."""
    import uuid

    from back_spasm_cli.personal.storage import format_offset

    started = session.started_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    local = session.started_at.astimezone()
    offset = format_offset(local.utcoffset() or dt.timedelta(0))
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with conn:
        cursor = conn.execute(
            "INSERT INTO sessions (uuid, kind, what, started_at, utc_offset, planned_seconds,"
            " actual_seconds, outcome, details, logged, changed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(uuid.uuid4()),
                session.kind,
                session.what,
                started,
                offset,
                session.planned_seconds,
                session.actual_seconds,
                session.outcome,
                json.dumps(session.details, sort_keys=True),
                now,
                now,
            ),
        )
    return int(cursor.lastrowid or 0)


def recent(conn: sqlite3.Connection, limit: int = 50) -> list[SessionRecord]:
    """The latest sessions, newest first."""
    rows = conn.execute(
        "SELECT id, kind, what, started_at, planned_seconds, actual_seconds, outcome, details"
        " FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [
        SessionRecord(
            kind=kind,
            what=what,
            started_at=dt.datetime.fromisoformat(started),
            planned_seconds=int(planned),
            actual_seconds=int(actual),
            outcome=outcome,
            details=json.loads(details),
            id=int(row_id),
        )
        for row_id, kind, what, started, planned, actual, outcome, details in rows
    ]


# --------------------------------------------------------------------------- the timer


@dataclass(frozen=True)
class TimerPlan:
    """A timer ready to run: which remedy, how long, when the skin check comes."""

    timer: Timer
    seconds: int
    days: int | None = None

    @property
    def skin_check_at(self) -> int:
        return max(1, self.seconds * self.timer.skin_check_percent // 100)

    @property
    def early(self) -> bool:
        """Within the days after a strain that this remedy does not suit (heat: 48 h)."""
        early_days = self.timer.early_days
        return early_days is not None and self.days is not None and self.days < early_days

    def as_json(self) -> dict[str, Any]:
        return {
            "timer": self.timer.id,
            "remedy": self.timer.remedy,
            "seconds": self.seconds,
            "max_minutes": self.timer.max_minutes,
            "skin_check_at": self.skin_check_at,
            "days": self.days,
            "early": self.early,
        }


def find_timer(content: KnowledgeBaseFile, timer_id: str) -> Timer:
    timers = require(content).timers
    wanted = timer_id.strip().lower()
    for timer in timers:
        if timer.id == wanted:
            return timer
    # Also the timer's title, or a name of the remedy it times ("hielo", "hot water bottle").
    remedies = {remedy.id: remedy for remedy in content.remedies}
    for timer in timers:
        remedy = remedies.get(timer.remedy)
        aliases = remedy.aliases if remedy else []
        names = {timer.title.casefold(), *(a.casefold() for a in aliases)}
        if wanted in names:
            return timer
    known = ", ".join(timer.id for timer in timers)
    raise NotFoundError(f"no timer is called {timer_id!r}; timers: {known}")


def plan_timer(
    content: KnowledgeBaseFile,
    timer_id: str,
    minutes: int | None = None,
    *,
    seconds: int | None = None,
    days: int | None = None,
) -> TimerPlan:
    """Check the length asked for against the knowledge base's limit (exit 2 beyond it)."""
    timer = find_timer(content, timer_id)
    if days is not None and days < 0:
        raise UsageError(f"--days must be 0 or more (days since it started), not {days}")
    if minutes is not None:
        if minutes < 1:
            raise UsageError(f"--minutes must be 1 or more, not {minutes}")
        if minutes > timer.max_minutes:
            raise UsageError(
                f"{timer.title} for {minutes} minutes is refused: "
                + timer.refuse.replace("{max}", str(timer.max_minutes))
            )
    length = (minutes if minutes is not None else timer.default_minutes) * 60
    if seconds is not None:  # the short test length (a hidden option)
        if not 1 <= seconds <= timer.max_minutes * 60:
            raise UsageError(f"--seconds must be from 1 to {timer.max_minutes * 60}")
        length = seconds
    return TimerPlan(timer, length, days)


def next_due(timer: Timer, ended: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """When the next session may start: (earliest, latest), where the source says."""
    if not timer.again_after_minutes:
        return None
    earliest, latest = timer.again_after_minutes
    return ended + dt.timedelta(minutes=earliest), ended + dt.timedelta(minutes=latest)


@dataclass(frozen=True)
class Tick:
    """Time has moved on: `elapsed` of `total` seconds."""

    elapsed: int
    total: int

    @property
    def left(self) -> int:
        return max(0, self.total - self.elapsed)


@dataclass(frozen=True)
class SkinCheck:
    text: str
    elapsed: int


@dataclass(frozen=True)
class TimerDone:
    elapsed: int
    text: str


TimerEvent = Tick | SkinCheck | TimerDone


class TimerRun:
    """One running timer. `events(every)` yields a Tick each `every` seconds (1 on a
    terminal, 60 in a log), the skin check part way, and the end; `elapsed()` says how
    long it ran when it is stopped early."""

    def __init__(self, plan: TimerPlan, clock: Clock) -> None:
        self.plan = plan
        self.clock = clock
        self.started_at = clock.wall()
        self._start = clock.monotonic()

    def elapsed(self) -> float:
        return min(float(self.plan.seconds), self.clock.monotonic() - self._start)

    def events(self, every: int = 1) -> Iterator[TimerEvent]:
        total = self.plan.seconds
        skin_at = self.plan.skin_check_at
        skin_due = skin_at < total
        yield Tick(0, total)
        while True:
            elapsed = self.clock.monotonic() - self._start
            if elapsed >= total:
                break
            # Sleep to the next moment anything happens: a tick, the skin check, the end.
            moments = [(math.floor(elapsed / every) + 1) * every, total]
            if skin_due:
                moments.append(skin_at)
            target = min(m for m in moments if m > elapsed)
            self.clock.sleep(target - elapsed)
            elapsed = self.clock.monotonic() - self._start
            if skin_due and elapsed >= skin_at:
                skin_due = False
                yield SkinCheck(self.plan.timer.skin_check, int(elapsed))
            if elapsed < total and target % every == 0:  # not for a skin check between ticks
                yield Tick(int(elapsed), total)
        yield TimerDone(total, self.plan.timer.end)

    def record(self, outcome: Outcome) -> SessionRecord:
        return SessionRecord(
            kind="timer",
            what=self.plan.timer.id,
            started_at=self.started_at,
            planned_seconds=self.plan.seconds,
            actual_seconds=round(self.elapsed()),
            outcome=outcome,
            details={"days": self.plan.days, "remedy": self.plan.timer.remedy},
        )


# --------------------------------------------------------------------------- the routine


@dataclass(frozen=True)
class RoutineItem:
    """One exercise of a routine, with its timing as the sources give it."""

    exercise: Exercise
    reps: int
    sides: int
    hold_seconds: int | None  # None: held "for one deep breath" and the like, at your pace
    block_seconds: int | None  # timed as one block (a walk), not counted
    estimate_seconds: int  # holds and rests between repetitions

    @property
    def self_paced(self) -> bool:
        return self.block_seconds is None and self.hold_seconds is None

    def as_json(self) -> dict[str, Any]:
        ex = self.exercise
        return {
            "id": ex.id,
            "title": ex.title,
            "when": ex.when,
            "from_day": ex.from_day,
            "reps": None if self.block_seconds else self.reps,
            "sides": self.sides,
            "hold_seconds": self.hold_seconds,
            "hold": ex.hold,
            "block_seconds": self.block_seconds,
            "estimate_seconds": self.estimate_seconds,
        }


@dataclass(frozen=True)
class RoutinePlan:
    """The exercises for a day since onset, in order, and the estimated total time."""

    days: int
    items: tuple[RoutineItem, ...]
    settings: Routine
    not_yet: tuple[Exercise, ...] = ()  # in the routine from a later day
    untimed: tuple[Exercise, ...] = ()  # suit now, but the source leaves timing to a physio

    @property
    def total_seconds(self) -> int:
        return (
            sum(item.estimate_seconds for item in self.items)
            + len(self.items) * self.settings.rest_between_exercises
        )

    @property
    def self_paced_holds(self) -> int:
        return sum(item.reps * item.sides for item in self.items if item.self_paced)


def _item(exercise: Exercise, settings: Routine) -> RoutineItem:
    if exercise.minutes is not None:
        block = exercise.minutes * 60
        return RoutineItem(exercise, 1, 1, None, block, block)
    reps = exercise.reps or 1
    sides = exercise.holds_per_rep
    hold = exercise.hold_seconds or None
    each = hold if hold is not None else settings.self_paced_estimate
    estimate = reps * sides * each + (reps - 1) * settings.rest_between_reps
    return RoutineItem(exercise, reps, sides, hold, None, estimate)


def timed(exercise: Exercise) -> bool:
    """Whether the routine can time it: the source gives repetitions or minutes."""
    return exercise.reps is not None or exercise.minutes is not None


def build_routine(
    content: KnowledgeBaseFile, days: int, chosen: Sequence[Exercise] = ()
) -> RoutinePlan:
    """The routine for day `days` since onset: the routine's exercises that suit from that
    day, in routine order; or the `chosen` ones, each checked to suit that day."""
    settings = require(content).routine
    if days < 0:
        raise UsageError(f"--days must be 0 or more (days since it started), not {days}")
    by_id = {exercise.id: exercise for exercise in content.exercises}
    if chosen:
        for exercise in chosen:
            if not timed(exercise):
                raise UsageError(
                    f"{exercise.title} is not in the timed routine. {settings.no_timing or ''}"
                )
            if exercise.from_day > days:
                raise UsageError(
                    f"{exercise.title} is not in the routine on day {days}:"
                    f" {exercise.when or f'from day {exercise.from_day}'}"
                )
        picked = list({exercise.id: exercise for exercise in chosen}.values())
        not_yet: list[Exercise] = []
    else:
        ordered = [by_id[i] for i in settings.order if i in by_id]
        picked = [ex for ex in ordered if ex.from_day <= days and timed(ex)]
        not_yet = [ex for ex in ordered if ex.from_day > days]
    untimed = [
        ex
        for ex in content.exercises
        if not timed(ex) and ex.from_day <= days and ex not in picked and not chosen
    ]
    return RoutinePlan(
        days=days,
        items=tuple(_item(ex, settings) for ex in picked),
        settings=settings,
        not_yet=tuple(not_yet),
        untimed=tuple(untimed),
    )


Phase = Literal["ready", "hold", "rest", "block"]


@dataclass(frozen=True)
class Begin:
    """An exercise starts: show its instructions while the `ready` count runs."""

    index: int  # from 1
    count: int
    item: RoutineItem


@dataclass(frozen=True)
class Count:
    """A countdown second: getting ready, a hold, a rest, or a timed block."""

    phase: Phase
    item: RoutineItem
    left: int
    length: int
    rep: int = 0
    side: int = 0


@dataclass(frozen=True)
class AwaitKey:
    """A hold the source times in words ("one deep breath"): Enter when done."""

    item: RoutineItem
    rep: int
    side: int


@dataclass(frozen=True)
class Paused:
    item: RoutineItem


@dataclass(frozen=True)
class Resumed:
    item: RoutineItem


@dataclass(frozen=True)
class ExerciseEnd:
    item: RoutineItem
    status: Status
    reps_done: int


@dataclass(frozen=True)
class MadeWorse:
    """The user pressed w: stop, and show the advice."""

    item: RoutineItem
    advice: str


@dataclass(frozen=True)
class RoutineEnd:
    outcome: Outcome
    actual_seconds: int


RoutineEvent = Begin | Count | AwaitKey | Paused | Resumed | ExerciseEnd | MadeWorse | RoutineEnd

PAUSE_KEYS = {" "}
SKIP_KEYS = {"s", "S"}
QUIT_KEYS = {"q", "Q", "\x04"}  # and Ctrl-D
WORSE_KEYS = {"w", "W"}
DONE_KEYS = {"\n", "\r"}


class _Skip(Exception):
    pass


class _Quit(Exception):
    pass


class _Worse(Exception):
    pass


class RoutineRun:
    """One routine being done. `events()` yields what to show; keys: space pauses,
    s skips the exercise, q quits, w says it makes things worse (stops, with advice);
    Enter ends a hold that is done at your own pace. `record()` says what was done, also
    after Ctrl-C."""

    def __init__(self, plan: RoutinePlan, clock: Clock, keys: Keys) -> None:
        self.plan = plan
        self.clock = clock
        self.keys = keys
        self.started_at = clock.wall()
        self._start = clock.monotonic()
        self.results: list[tuple[str, Status, int]] = []  # (exercise id, status, reps done)
        self.current: RoutineItem | None = None
        self.reps_done = 0
        self.outcome: Outcome | None = None

    def elapsed(self) -> float:
        return self.clock.monotonic() - self._start

    def events(self) -> Iterator[RoutineEvent]:
        settings = self.plan.settings
        count = len(self.plan.items)
        outcome: Outcome = "completed"
        for index, item in enumerate(self.plan.items, start=1):
            self.current, self.reps_done = item, 0
            status: Status = "completed"
            try:
                yield Begin(index, count, item)
                yield from self._countdown("ready", item, settings.rest_between_exercises)
                yield from self._exercise(item)
            except _Skip:
                status = "skipped"
            except _Quit:
                status = outcome = "stopped"
            except _Worse:
                status = outcome = "worse"
            self.results.append((item.exercise.id, status, self.reps_done))
            self.current = None
            yield ExerciseEnd(item, status, self.reps_done)
            if status == "worse":
                yield MadeWorse(item, settings.worse)
            if outcome != "completed":
                break
        self.outcome = outcome
        yield RoutineEnd(outcome, round(self.elapsed()))

    def _exercise(self, item: RoutineItem) -> Iterator[RoutineEvent]:
        if item.block_seconds is not None:
            yield from self._countdown("block", item, item.block_seconds, rep=1, side=1)
            self.reps_done = 1
            return
        rest = self.plan.settings.rest_between_reps
        for rep in range(1, item.reps + 1):
            for side in range(1, item.sides + 1):
                if item.hold_seconds is not None:
                    yield from self._countdown("hold", item, item.hold_seconds, rep, side)
                else:
                    yield AwaitKey(item, rep, side)
                    yield from self._until_done(item)
            self.reps_done = rep
            if rep < item.reps and rest:
                yield from self._countdown("rest", item, rest, rep)

    def _react(self, key: str | None) -> bool:
        """Act on a key: raise for skip, quit and worse; True for pause."""
        if key in SKIP_KEYS:
            raise _Skip
        if key in QUIT_KEYS or key == "":
            raise _Quit
        if key in WORSE_KEYS:
            raise _Worse
        return key in PAUSE_KEYS

    def _pause(self, item: RoutineItem) -> Iterator[RoutineEvent]:
        yield Paused(item)
        while True:
            key = self.keys.wait(None)
            if self._react(key):  # space again: carry on
                break
        yield Resumed(item)

    def _until_done(self, item: RoutineItem) -> Iterator[RoutineEvent]:
        while True:
            key = self.keys.wait(None)
            if key in DONE_KEYS:
                return
            if self._react(key):
                yield from self._pause(item)

    def _countdown(
        self, phase: Phase, item: RoutineItem, length: int, rep: int = 0, side: int = 0
    ) -> Iterator[RoutineEvent]:
        """Count `length` seconds down, a Count a second; a pause stops the count."""
        if length <= 0:
            return
        done = 0.0  # seconds counted, pauses left out
        yield Count(phase, item, length, length, rep, side)
        while done < length:
            target = min(float(length), math.floor(done) + 1.0)
            before = self.clock.monotonic()
            key = self.keys.wait(target - done)
            done += self.clock.monotonic() - before
            if key is None:
                if done < length:
                    yield Count(phase, item, math.ceil(length - done), length, rep, side)
                continue
            if self._react(key):
                yield from self._pause(item)
                yield Count(phase, item, math.ceil(length - done), length, rep, side)

    def record(self) -> SessionRecord:
        """What was done: after the end, or (Ctrl-C) part way."""
        results = list(self.results)
        if self.current is not None:  # stopped part way through an exercise
            results.append((self.current.exercise.id, "stopped", self.reps_done))
        outcome: Outcome = self.outcome or "stopped"
        return SessionRecord(
            kind="routine",
            what=" ".join(item.exercise.id for item in self.plan.items),
            started_at=self.started_at,
            planned_seconds=self.plan.total_seconds,
            actual_seconds=round(self.elapsed()),
            outcome=outcome,
            details={
                "days": self.plan.days,
                "exercises": [
                    {"id": ex_id, "status": status, "reps_done": reps}
                    for ex_id, status, reps in results
                ],
            },
        )
