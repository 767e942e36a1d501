"""The pain diary: entries in the private database, their trends, and the flags they raise.

Core only: functions take an open connection (storage.private_db()) and return
dataclasses; nothing here prints or knows about the terminal. Times are the user's local
wall-clock time as 'YYYY-MM-DD HH:MM' (what a person writes in a diary); `logged` is when
the entry was recorded, in UTC. Thresholds and texts of the flags come from the
knowledge base's `diary:` section (data/diary.yaml).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import json
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from back_spasm_cli.errors import NotFoundError, SpasmError, UsageError
from back_spasm_cli.personal import safe_formats

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.schema import Diary, KnowledgeBaseFile

AREAS = ("lower", "middle", "upper")
SIDES = ("left", "right", "both")
MAX_PAIN = 10
MAX_NOTE = 2000
AT_FORMAT = "%Y-%m-%d %H:%M"
#: The columns of the `diary` table (storage.m004_identity, m005_helped_titles), in order.
COLUMNS = (
    "id",
    "uuid",
    "at",
    "utc_offset",
    "pain",
    "area",
    "side",
    "leg",
    "trigger",
    "helped",
    "note",
    "logged",
    "changed",
    "helped_titles",
)
#: The columns of the `sessions` table, in order.
SESSION_COLUMNS = (
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
)
#: An export's CSV columns: `type` (entry or session), then both tables' columns.
CSV_COLUMNS = (
    "type",
    *COLUMNS,
    *(name for name in SESSION_COLUMNS if name not in COLUMNS),
)
#: At most this many row errors are listed when an import is refused.
MAX_ERRORS_SHOWN = 20

_AT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$")
_STORED_AT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}\Z")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Entry:
    """One diary entry. `id` (the local number, #12) is None until it is stored; `uuid`
    is its identity on every device (storage.m004_identity), '' until it is stored."""

    at: str  # 'YYYY-MM-DD HH:MM', local time
    pain: int
    area: str | None = None
    side: str | None = None
    leg: bool = False
    trigger: str | None = None
    helped: tuple[str, ...] = ()
    note: str = ""
    logged: str = ""  # created: ISO 8601, UTC
    id: int | None = None
    uuid: str = ""
    utc_offset: str = ""  # of `at`, e.g. '+01:00'
    changed: str = ""  # last changed: ISO 8601, UTC
    #: The title of each id in `helped`, as it was when logged ('' where unknown): what
    #: an entry says once the overlay that defined the exercise is gone.
    helped_titles: tuple[str, ...] = ()

    def titles(self) -> dict[str, str]:
        """{id: title} for what helped, where a title is known."""
        return {i: t for i, t in zip(self.helped, self.helped_titles, strict=False) if t}

    def helped_names(self, vocab: Vocabulary | None = None) -> tuple[str, ...]:
        """What helped, for people: the base's title, else the one kept, else the id."""
        kept = self.titles()
        known = vocab.helped if vocab is not None else {}
        return tuple(known.get(i) or kept.get(i) or i for i in self.helped)

    def as_row(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.uuid,
            self.at,
            self.utc_offset,
            self.pain,
            self.area,
            self.side,
            int(self.leg),
            self.trigger,
            '["' + '", "'.join(self.helped) + '"]' if self.helped else "[]",  # ids are slugs
            self.note,
            self.logged,
            self.changed,
            json.dumps(self.titles(), ensure_ascii=False, sort_keys=True),
        )

    def content(self, *, notes: bool = True) -> tuple[Any, ...]:
        """What the entry says (not its local number or time stamps): two rows with one
        UUID and the same content are the same entry."""
        return (
            self.at,
            self.utc_offset,
            self.pain,
            self.area,
            self.side,
            self.leg,
            self.trigger,
            self.helped,
            self.note if notes else None,
        )

    @property
    def moment(self) -> str:
        """`at` with its offset, ISO 8601: '2026-11-20T08:30:00+01:00'."""
        return f"{self.at[:10]}T{self.at[11:16]}:00{self.utc_offset or '+00:00'}"

    def to_data(self) -> dict[str, Any]:
        """JSON-ready, in the export's shape."""
        return {
            "type": "entry",
            "id": self.id,
            "uuid": self.uuid,
            "at": self.at,
            "utc_offset": self.utc_offset,
            "pain": self.pain,
            "area": self.area,
            "side": self.side,
            "leg": self.leg,
            "trigger": self.trigger,
            "helped": list(self.helped),
            "note": self.note,
            "logged": self.logged,
            "changed": self.changed,
            "helped_titles": self.titles(),
        }


#: How a guided session ended (storage.m002_sessions).
OUTCOMES = ("completed", "stopped", "worse")
SESSION_KINDS = ("timer", "routine")


@dataclass(frozen=True)
class Session:
    """A guided session as the diary shows and exports it (`spasm timer`, `spasm routine`).

    `started_at` is ISO 8601 in UTC; `utc_offset` is the offset where it ran, so `at` (the
    local wall-clock start) sorts beside the entries. `details` is canonical JSON text.
    """

    kind: str  # timer | routine
    what: str  # ice, heat, or the routine's exercise ids joined by spaces
    started_at: str
    utc_offset: str
    planned_seconds: int
    actual_seconds: int
    outcome: str  # completed | stopped | worse
    details: str = "{}"
    logged: str = ""
    changed: str = ""
    uuid: str = ""
    id: int | None = None

    @property
    def at(self) -> str:
        """The local start, 'YYYY-MM-DD HH:MM', in the offset it ran in."""
        return self.start.strftime(AT_FORMAT)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.started_at).astimezone(_zone(self.utc_offset))

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.actual_seconds)

    @property
    def label(self) -> str:
        """'ice', 'heat' or 'routine'."""
        return self.what if self.kind == "timer" else self.kind

    def details_data(self) -> dict[str, Any]:
        value = json.loads(self.details)
        return value if isinstance(value, dict) else {}

    def content(self) -> tuple[Any, ...]:
        return (
            self.kind,
            self.what,
            self.started_at,
            self.utc_offset,
            self.planned_seconds,
            self.actual_seconds,
            self.outcome,
            self.details,
        )

    def as_row(self) -> tuple[Any, ...]:
        return (self.id, self.uuid, *self.content(), self.logged, self.changed)

    def to_data(self) -> dict[str, Any]:
        return {
            "type": "session",
            "id": self.id,
            "uuid": self.uuid,
            "kind": self.kind,
            "what": self.what,
            "started_at": self.started_at,
            "utc_offset": self.utc_offset,
            "planned_seconds": self.planned_seconds,
            "actual_seconds": self.actual_seconds,
            "outcome": self.outcome,
            "details": self.details_data(),
            "logged": self.logged,
            "changed": self.changed,
        }


def _zone(offset: str) -> dt.timezone:
    match = _OFFSET.match(offset or "+00:00")
    if match is None:
        return dt.timezone.utc
    sign = -1 if match.group(1) == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


_OFFSET = re.compile(r"\A([+-])(\d{2}):(\d{2})\Z")
_UUID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


@dataclass(frozen=True)
class Vocabulary:
    """The ids an entry may name: triggers (triage.started) and what helped (remedies and
    exercises), with their titles."""

    triggers: Mapping[str, str]
    helped: Mapping[str, str]


def vocabulary(content: KnowledgeBaseFile) -> Vocabulary:
    triggers = {o.id: o.label for o in content.triage.started.options} if content.triage else {}
    helped = {item.id: item.title for item in content.remedies}
    helped.update({item.id: item.title for item in content.exercises})
    return Vocabulary(triggers, helped)


def now_utc() -> str:
    from back_spasm_cli.system import clock

    return clock.utc_now().isoformat()


def now_local() -> str:
    from back_spasm_cli.system import clock

    return clock.now().strftime(AT_FORMAT)


def local_offset(at: str) -> str:
    """The UTC offset ('+01:00') this machine's zone has at the local time `at`."""
    return _hour_offset(at[:13])


@functools.lru_cache(maxsize=4096)
def _hour_offset(hour: str) -> str:
    """By the hour: zones change their offset on an hour (an import of 100,000 entries
    works out a few thousand, not 100,000)."""
    from back_spasm_cli.personal.storage import format_offset

    moment = dt.datetime(int(hour[0:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]), 30)
    return format_offset(moment.astimezone().utcoffset() or dt.timedelta(0))


# --------------------------------------------------------------------------- parsing


def parse_at(text: str) -> str:
    """'YYYY-MM-DD HH:MM' (or with a T) as the stored form; ValueError if it is not one."""
    if _STORED_AT.match(text):  # the stored form itself (every row of an export): check only
        try:
            dt.datetime(
                int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16])
            )
        except ValueError as err:
            raise ValueError(f"{text!r} is not a real time ({err})") from None
        return text
    match = _AT.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time like 2026-11-20 08:30")
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute).strftime(AT_FORMAT)
    except ValueError as err:
        raise ValueError(f"{text!r} is not a real time ({err})") from None


#: `--at` words for a day, and the days back from today they mean.
_DAY_WORDS = {"today": 0, "yesterday": 1}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
#: The time given to a past day named without one.
NOON = (12, 0)


def parse_when(text: str, now: dt.datetime | None = None) -> str:
    """What `spasm log --at` takes, as the stored form: 'YYYY-MM-DD HH:MM', a date alone
    (noon that day), 'today' or 'yesterday', each optionally followed by HH:MM. Today
    without a time is now. ValueError if it is none of these or is in the future."""
    from back_spasm_cli.system import clock

    current = (now or clock.now()).replace(tzinfo=None, second=0, microsecond=0)
    words = text.strip().lower().split()
    day: dt.date | None = None
    if words and words[0] in _DAY_WORDS:
        day = current.date() - dt.timedelta(days=_DAY_WORDS[words[0]])
    elif words and _DATE.match(words[0]):
        year, month, date = (int(part) for part in words[0].split("-"))
        try:
            day = dt.date(year, month, date)
        except ValueError as err:
            raise ValueError(f"{text!r} is not a real time ({err})") from None
    if day is None or len(words) > 2:
        try:
            moment = dt.datetime.strptime(parse_at(text), AT_FORMAT)
        except ValueError as err:
            if "real time" in str(err):
                raise
            raise ValueError(
                f"{text!r} is not a time like 2026-11-20 08:30, a date like 2026-11-20,"
                " 'today' or 'yesterday' (with a time if you like: 'yesterday 18:00')"
            ) from None
    elif len(words) == 2:
        match = _TIME.match(words[1])
        if match is None:
            raise ValueError(f"{words[1]!r} is not a time like 08:30")
        try:
            moment = dt.datetime.combine(day, dt.time(int(match[1]), int(match[2])))
        except ValueError as err:
            raise ValueError(f"{words[1]!r} is not a real time ({err})") from None
    elif day == current.date():
        moment = current
    else:
        moment = dt.datetime.combine(day, dt.time(*NOON))
    if moment > current:
        raise FutureTime(
            f"{moment.strftime(AT_FORMAT)} is in the future: a diary entry is for a time that"
            " has passed (now is " + current.strftime(AT_FORMAT) + ")"
        )
    return moment.strftime(AT_FORMAT)


class FutureTime(ValueError):
    """`--at` names a time still to come."""


# --------------------------------------------------------------------------- validation


class RowError(ValueError):
    def __init__(self, fieldname: str, message: str) -> None:
        super().__init__(message)
        self.field = fieldname


def _whole(text: str, digits: int) -> bool:
    """`text` is a whole number of at most `digits` ASCII digits (a longer one, or "²",
    would fail in int() or overflow SQLite)."""
    text = text.strip()
    return text.isascii() and text.isdigit() and len(text) <= digits


def check_pain(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and _whole(value, 3):
            value = int(value.strip())
        else:
            raise RowError("pain", f"{value!r} is not a whole number from 0 to {MAX_PAIN}")
    if not 0 <= value <= MAX_PAIN:
        raise RowError("pain", f"{value} is not from 0 to {MAX_PAIN}")
    return value


def _choice(name: str, value: object, allowed: Collection[str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value in allowed:
        return value
    names = tuple(allowed)
    shown = ", ".join(names) if len(names) <= 12 else ", ".join(names[:12]) + ", …"
    raise RowError(name, f"{value!r} is not one of: {shown}")


def check_helped(
    value: object, vocab: Vocabulary, titles: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The ids of what helped. An id the base in use does not know is accepted when
    `titles` (an export's `helped_titles`) names it: its overlay has been removed."""
    if isinstance(value, str) and value in vocab.helped:
        return (value,)  # the common case: one id
    if isinstance(value, str):
        items = [part for part in re.split(r"[;,\s]+", value.strip()) if part]
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        items = list(value)
    else:
        raise RowError("helped", f"{value!r} is not a list of remedy or exercise ids")
    unknown = [item for item in items if item not in vocab.helped and not (titles or {}).get(item)]
    if unknown:
        raise RowError(
            "helped",
            f"{', '.join(map(repr, unknown))}: not a remedy or exercise id"
            " (see `spasm remedies`, `spasm exercises`)",
        )
    if len(set(items)) != len(items):
        raise RowError("helped", "an id is named twice")
    return tuple(items)


def check_titles(value: object) -> dict[str, str]:
    """`helped_titles`: {id: title} (JSON, or its text in a CSV cell)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise RowError("helped_titles", "is not a JSON object of id: title") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str)
        and isinstance(v, str)
        and len(v) <= 400
        and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k)
        for k, v in value.items()
    ):
        raise RowError("helped_titles", "is not a JSON object of id: title")
    return {k: " ".join(v.split()) for k, v in value.items()}


def with_titles(entry: Entry, vocab: Vocabulary, kept: Mapping[str, str] | None = None) -> Entry:
    """`entry` with the title of each id that helped: the base's, else the one kept."""
    kept = kept or {}
    titles = tuple(vocab.helped.get(i) or kept.get(i, "") for i in entry.helped)
    return dataclasses.replace(entry, helped_titles=titles)


def check_note(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RowError("note", f"{value!r} is not text")
    if _SURROGATE.search(value):  # undecodable bytes (a lone surrogate) cannot be stored
        raise RowError("note", "is not valid UTF-8 text")
    if len(value) > MAX_NOTE:
        raise RowError("note", f"{len(value):,} characters is too long (at most {MAX_NOTE:,})")
    return value


def _check_leg(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false", ""):
        return value.strip().lower() in ("1", "true")
    raise RowError("leg", f"{value!r} is not true or false (1 or 0)")


def _check_logged(value: object, fieldname: str = "logged", default: str = "") -> str:
    if value is None or value == "":
        return default or now_utc()
    if not isinstance(value, str):
        raise RowError(fieldname, f"{value!r} is not a time")
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError(fieldname, f"{value!r} is not an ISO 8601 time") from None
    if stamp.tzinfo is None:
        raise RowError(fieldname, f"{value!r} has no time zone (e.g. +00:00)")
    return value


def _check_id(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and _whole(value, 19):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RowError("id", f"{str(value)[:30]!r} is not a whole number of 1 or more")
    if value > safe_formats.MAX_INTEGER:
        raise RowError("id", f"{value} is too large (at most {safe_formats.MAX_INTEGER})")
    return value


def _check_uuid(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value.strip().lower()
        text = text.removeprefix("urn:uuid:")
        if _UUID.match(text):
            return text
    raise RowError("uuid", f"{value!r} is not a UUID like 3f2b8c1e-5a7d-4c9e-8f10-2b6d4e8a9c01")


def _check_offset(value: object, default: str) -> str:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        match = _OFFSET.match(value.strip())
        if match and int(match.group(2)) * 60 + int(match.group(3)) <= 14 * 60:
            return value.strip()
    raise RowError("utc_offset", f"{value!r} is not a UTC offset from -14:00 to +14:00")


def check_columns(names: Iterable[str], allowed: Collection[str] = ()) -> None:
    allowed = allowed or _COLUMN_SET
    extra = sorted(set(names) - set(allowed))
    if extra:
        raise RowError(extra[0], "is not a diary column (" + ", ".join(allowed) + ")")


_COLUMN_SET = frozenset(("type", *COLUMNS))
_SESSION_SET = frozenset(("type", *SESSION_COLUMNS))


def check_row(row: Mapping[str, object], vocab: Vocabulary, *, columns: bool = True) -> Entry:
    """One imported row as an Entry; RowError names the first bad field. `columns=False`
    when the caller has checked the column names already (a CSV header)."""
    if columns:
        check_columns(row, tuple(("type", *COLUMNS)))
    if "at" not in row or row["at"] in (None, ""):
        raise RowError("at", "is missing")
    if "pain" not in row or row["pain"] in (None, ""):
        raise RowError("pain", "is missing")
    at = row["at"]
    if not isinstance(at, str):
        raise RowError("at", f"{at!r} is not a time like 2026-11-20 08:30")
    try:
        at = parse_at(at)
    except ValueError as err:
        raise RowError("at", str(err)) from None
    pain = check_pain(row["pain"])
    logged = _check_logged(row.get("logged"))
    titles = check_titles(row.get("helped_titles"))
    entry = Entry(
        id=_check_id(row.get("id")),
        uuid=_check_uuid(row.get("uuid")),
        at=at,
        utc_offset=_check_offset(row.get("utc_offset"), ""),
        pain=pain,
        area=_choice("area", row.get("area"), AREAS),
        side=_choice("side", row.get("side"), SIDES),
        leg=_check_leg(row.get("leg", False)),
        trigger=_choice("trigger", row.get("trigger"), vocab.triggers),
        helped=check_helped(row["helped"], vocab, titles) if row.get("helped") else (),
        note=check_note(row.get("note")),
        logged=logged,
        changed=_check_logged(row.get("changed"), "changed", logged),
    )
    return with_titles(entry, vocab, titles)


_WHAT = re.compile(r"\A[a-z0-9][a-z0-9-]{0,63}( [a-z0-9][a-z0-9-]{0,63}){0,49}\Z")
MAX_SESSION_SECONDS = 6 * 3600
MAX_DETAILS = 20_000


def _seconds(name: str, value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowError(name, f"{value!r} is not a whole number of seconds")
    if not 0 <= value <= MAX_SESSION_SECONDS:
        raise RowError(name, f"{value} is not from 0 to {MAX_SESSION_SECONDS} seconds")
    return value


def check_session(row: Mapping[str, object], *, columns: bool = True) -> Session:
    """One imported session; RowError names the first bad field."""
    if columns:
        check_columns(row, tuple(("type", *SESSION_COLUMNS)))
    for name in ("kind", "what", "started_at", "planned_seconds", "actual_seconds", "outcome"):
        if row.get(name) in (None, ""):
            raise RowError(name, "is missing")
    kind = _choice("kind", row["kind"], SESSION_KINDS)
    what = row["what"]
    if not isinstance(what, str) or not _WHAT.match(what):
        raise RowError("what", f"{what!r} is not a timer id or exercise ids")
    started = _check_logged(row["started_at"], "started_at")
    started = dt.datetime.fromisoformat(started).astimezone(dt.timezone.utc).isoformat()
    outcome = _choice("outcome", row["outcome"], OUTCOMES)
    details = row.get("details") or {}
    if isinstance(details, str):
        try:
            details = json.loads(details)
        except ValueError:
            raise RowError("details", "is not JSON") from None
    if not isinstance(details, dict):
        raise RowError("details", f"{details!r} is not a JSON object")
    details_text = json.dumps(details, sort_keys=True)
    if len(details_text) > MAX_DETAILS:
        raise RowError("details", f"is too long (at most {MAX_DETAILS:,} characters)")
    logged = _check_logged(row.get("logged"))
    moment = dt.datetime.fromisoformat(started)
    from back_spasm_cli.personal.storage import format_offset

    guess = format_offset(moment.astimezone().utcoffset() or dt.timedelta(0))
    return Session(
        id=_check_id(row.get("id")),
        uuid=_check_uuid(row.get("uuid")),
        kind=str(kind),
        what=what,
        started_at=started,
        utc_offset=_check_offset(row.get("utc_offset"), guess),
        planned_seconds=_seconds("planned_seconds", row["planned_seconds"]),
        actual_seconds=_seconds("actual_seconds", row["actual_seconds"]),
        outcome=str(outcome),
        details=details_text,
        logged=logged,
        changed=_check_logged(row.get("changed"), "changed", logged),
    )


# --------------------------------------------------------------------------- storing


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=row[0],
        uuid=row[1],
        at=row[2],
        utc_offset=row[3],
        pain=row[4],
        area=row[5],
        side=row[6],
        leg=bool(row[7]),
        trigger=row[8],
        helped=tuple(json.loads(row[9])) if row[9] != "[]" else (),
        note=row[10],
        logged=row[11],
        changed=row[12],
        helped_titles=_titles_of(row[9], row[13]),
    )


def _titles_of(helped: str, titles: str) -> tuple[str, ...]:
    ids = json.loads(helped) if helped != "[]" else []
    kept = json.loads(titles) if titles != "{}" else {}
    return tuple(kept.get(i, "") for i in ids)


def _session(row: Sequence[Any]) -> Session:
    return Session(
        id=row[0],
        uuid=row[1],
        kind=row[2],
        what=row[3],
        started_at=row[4],
        utc_offset=row[5],
        planned_seconds=int(row[6]),
        actual_seconds=int(row[7]),
        outcome=row[8],
        details=row[9],
        logged=row[10],
        changed=row[11],
    )


_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM diary"
_SELECT_SESSIONS = "SELECT " + ", ".join(SESSION_COLUMNS) + " FROM sessions"
_INSERT = "INSERT INTO diary (" + ", ".join(COLUMNS) + ") VALUES (" + ", ".join("?" * 14) + ")"
_INSERT_SESSION = (
    "INSERT INTO sessions (" + ", ".join(SESSION_COLUMNS) + ") VALUES (" + ", ".join("?" * 12) + ")"
)


def _new_uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def complete(entry: Entry, **changes: Any) -> Entry:
    """`entry` with what storing gives it: a UUID, its offset, created and changed."""
    logged = entry.logged or now_utc()
    return dataclasses.replace(
        entry,
        **changes,
        uuid=entry.uuid or _new_uuid(),
        utc_offset=entry.utc_offset or local_offset(entry.at),
        logged=logged,
        changed=entry.changed or logged,
    )


def add(conn: sqlite3.Connection, entry: Entry) -> Entry:
    """Store `entry` (a new UUID, this machine's offset at its time); return it as stored."""
    entry = complete(entry)
    with conn:
        cursor = conn.execute(_INSERT, entry.as_row())
    return dataclasses.replace(entry, id=cursor.lastrowid)


def undo(conn: sqlite3.Connection) -> Entry:
    """Remove the entry logged last (the highest id) in one statement; return it."""
    with conn:
        row = conn.execute(
            "DELETE FROM diary WHERE id = (SELECT max(id) FROM diary) RETURNING "
            + ", ".join(COLUMNS)
        ).fetchone()
    if row is None:
        raise NotFoundError("the diary is empty: nothing to undo")
    return _entry(row)


def delete(conn: sqlite3.Connection, entry_id: int) -> Entry:
    with conn:
        row = conn.execute(
            "DELETE FROM diary WHERE id = ? RETURNING " + ", ".join(COLUMNS), (entry_id,)
        ).fetchone()
    if row is None:
        raise NotFoundError(f"no diary entry #{entry_id} (see `spasm history`)")
    return _entry(row)


def entries(conn: sqlite3.Connection, since: str | None = None) -> list[Entry]:
    """Entries from `since` ('YYYY-MM-DD HH:MM') on, newest first."""
    if since is None:
        rows = conn.execute(_SELECT + " ORDER BY at DESC, id DESC")
    else:
        rows = conn.execute(_SELECT + " WHERE at >= ? ORDER BY at DESC, id DESC", (since,))
    return [_entry(row) for row in rows]


def session_list(conn: sqlite3.Connection, since: str | None = None) -> list[Session]:
    """Guided sessions that started from `since` (local 'YYYY-MM-DD HH:MM') on, newest
    first."""
    found = [_session(row) for row in conn.execute(_SELECT_SESSIONS)]
    if since is not None:
        found = [item for item in found if item.at >= since]
    found.sort(key=lambda item: (item.started_at, item.id or 0), reverse=True)
    return found


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM diary").fetchone()[0])


def integrity(conn: sqlite3.Connection) -> list[str]:
    """SQLite's integrity check: ['ok'] for a sound file, else what it found."""
    return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]


# --------------------------------------------------------------------------- trends


@dataclass(frozen=True)
class Episode:
    """The current run of entries: no entry of pain 0 and no long gap between them."""

    first: str  # 'at' of its first entry
    last: str
    days_since_first: int  # today - the first entry's day
    span_days: int  # the last entry's day - the first's


@dataclass(frozen=True)
class Helped:
    """What seemed to help: the mean change in pain from the entry before to the entry
    that names it (negative = less pain)."""

    id: str
    uses: int
    average_change: float
    title: str = ""  # as kept in the diary (the base's title wins where it has one)


@dataclass(frozen=True)
class SessionCount:
    what: str
    count: int


@dataclass(frozen=True)
class FlagHit:
    """A diary flag raised: the knowledge base's texts and the figures that raised it."""

    id: str
    level: str
    title: str
    text: str
    red_flag: str | None
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Trends:
    since: str | None
    today: str
    count: int
    average: float | None
    best: int | None
    worst: int | None
    days: tuple[tuple[str, float], ...]  # (date, mean pain that day), oldest first
    helped: tuple[Helped, ...]
    episode: Episode | None
    sessions: tuple[SessionCount, ...]
    flags: tuple[FlagHit, ...] = field(default_factory=tuple)
    session_items: tuple[Session, ...] = ()  # the sessions themselves, newest first


def _day(at: str) -> dt.date:
    return dt.date(int(at[0:4]), int(at[5:7]), int(at[8:10]))


def _parse(at: str) -> dt.datetime:
    return dt.datetime.strptime(at, AT_FORMAT)


def episode(conn: sqlite3.Connection, today: dt.date, gap_days: int) -> Episode | None:
    """The episode that the latest entry belongs to, or None when it says pain 0.

    Walks back inside SQLite with index look-ups, up to `gap_days` at a time: the cost
    grows with the episode's length in weeks, not with the number of entries.
    """
    latest = conn.execute("SELECT at, pain FROM diary ORDER BY at DESC, id DESC LIMIT 1").fetchone()
    if latest is None or latest[1] == 0:
        return None
    (zero,) = conn.execute("SELECT max(at) FROM diary WHERE pain = 0").fetchone()
    # Each step jumps to the earliest entry within `gap_days` before the current first
    # one (all of them are close enough to belong); it stops at a longer gap or the 0.
    (first,) = conn.execute(
        "WITH RECURSIVE walk(at) AS (SELECT :last UNION ALL"
        " SELECT (SELECT min(d.at) FROM diary AS d"
        "  WHERE d.at >= strftime('%Y-%m-%d %H:%M', walk.at, :back) AND d.at < walk.at"
        "  AND d.at > :zero)"
        " FROM walk WHERE walk.at IS NOT NULL)"
        " SELECT min(at) FROM walk",
        {"last": latest[0], "back": f"-{gap_days:d} days", "zero": zero or ""},
    ).fetchone()
    return Episode(
        first=first,
        last=latest[0],
        days_since_first=(today - _day(first)).days,
        span_days=(_day(latest[0]) - _day(first)).days,
    )


def _rise(points: Sequence[tuple[str, int]]) -> float | None:
    """The rise of the least-squares line through (time, pain) from the first point to
    the last; None when the points span less than a day."""
    start = _parse(points[0][0])
    xs = [(_parse(at) - start).total_seconds() / 86400 for at, _ in points]
    ys = [float(pain) for _, pain in points]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0 or xs[-1] - xs[0] < 1:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope * (xs[-1] - xs[0])


def flags(
    conn: sqlite3.Connection, today: dt.date, content: KnowledgeBaseFile | None = None
) -> list[FlagHit]:
    """The flags the diary raises today: pain over two weeks or more, pain clearly getting
    worse over the last week (thresholds and texts from the base's `diary:` section).

    `spasm check` offers these for confirmation; `content` defaults to the loaded base.
    """
    if content is None:
        from back_spasm_cli.knowledge import kb

        content = kb.load().content
    rules = content.diary
    if rules is None:
        return []
    return _flags(conn, today, rules, episode(conn, today, rules.episode_gap_days))


def _flags(
    conn: sqlite3.Connection, today: dt.date, rules: Diary, current: Episode | None
) -> list[FlagHit]:
    hits: list[FlagHit] = []
    if (
        current is not None
        and (today - _day(current.last)).days <= rules.episode_gap_days
        and current.span_days >= rules.persistent_days
    ):
        flag = rules.persistent
        hits.append(
            FlagHit(
                flag.id,
                flag.level,
                flag.title,
                flag.text,
                flag.red_flag,
                (
                    ("First entry", current.first),
                    ("Latest entry", current.last),
                    ("Days with pain recorded", f"{current.span_days + 1}"),
                ),
            )
        )
    window = f"{(today - dt.timedelta(days=rules.worsening_days - 1)).isoformat()} 00:00"
    points = conn.execute(
        "SELECT at, pain FROM diary WHERE at >= ? ORDER BY at, id", (window,)
    ).fetchall()
    if len(points) >= rules.worsening_entries and len({at[:10] for at, _ in points}) >= 2:
        rise = _rise(points)
        if rise is not None and rise >= rules.worsening_rise:
            flag = rules.worsening
            hits.append(
                FlagHit(
                    flag.id,
                    flag.level,
                    flag.title,
                    flag.text,
                    flag.red_flag,
                    (
                        ("Entries in the window", str(len(points))),
                        ("Trend over the window", f"+{rise:.1f} points"),
                    ),
                )
            )
    return hits


def sessions(conn: sqlite3.Connection, since: str | None) -> tuple[SessionCount, ...]:
    """Guided sessions (storage.m002_sessions) started since `since` (local 'YYYY-MM-DD
    HH:MM'), counted by what was done: the timer's remedy (ice, heat) or "routine"."""
    what = "CASE kind WHEN 'timer' THEN what ELSE kind END"
    sql = f"SELECT {what}, started_at FROM sessions"
    counts: dict[str, int] = {}
    for name, started in conn.execute(sql):
        if since is not None and _local_minute(str(started)) < since:
            continue
        counts[str(name)] = counts.get(str(name), 0) + 1
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return tuple(SessionCount(name, n) for name, n in ordered)


def _local_minute(stamp: str) -> str:
    """An ISO time as stored (UTC) in the diary's local 'YYYY-MM-DD HH:MM' form."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:16].replace("T", " ")
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.strftime(AT_FORMAT)


def trends(
    conn: sqlite3.Connection, today: dt.date, since: str | None, rules: Diary | None
) -> Trends:
    where, params = ("WHERE at >= ?", (since,)) if since is not None else ("", ())
    total, average, best, worst = conn.execute(
        f"SELECT count(*), avg(pain), min(pain), max(pain) FROM diary {where}", params
    ).fetchone()
    days = tuple(
        (str(day), float(mean))
        for day, mean in conn.execute(
            f"SELECT substr(at, 1, 10) AS day, avg(pain) FROM diary {where}"
            " GROUP BY day ORDER BY day",
            params,
        )
    )
    helped = tuple(
        Helped(str(item), int(uses), float(change), str(title or ""))
        for item, uses, change, title in conn.execute(
            "WITH seq AS (SELECT pain, helped, helped_titles,"
            f" LAG(pain) OVER (ORDER BY at, id) AS before FROM diary {where})"
            " SELECT j.value, count(*), avg(seq.pain - seq.before),"
            " max(json_extract(seq.helped_titles, '$.\"' || j.value || '\"'))"
            " FROM seq, json_each(seq.helped) AS j"
            " WHERE seq.before IS NOT NULL GROUP BY j.value"
            " ORDER BY avg(seq.pain - seq.before), j.value",
            params,
        )
    )
    gap = rules.episode_gap_days if rules is not None else 7
    current = episode(conn, today, gap)
    return Trends(
        since=since,
        today=today.isoformat(),
        count=int(total),
        average=float(average) if average is not None else None,
        best=best,
        worst=worst,
        days=days,
        helped=helped,
        episode=current,
        sessions=sessions(conn, since),
        session_items=tuple(session_list(conn, since)),
        flags=tuple(_flags(conn, today, rules, current)) if rules is not None else (),
    )


# --------------------------------------------------------------------------- export, import


Record = Entry | Session


def export_csv(items: Iterable[Record]) -> str:
    """Entries and sessions in one CSV (`type` says which; the other's columns are
    empty) that a spreadsheet cannot run and a terminal cannot act on (safe_formats)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    cell = safe_formats.csv_cell
    for item in items:
        data = item.to_data()
        cells: list[object] = []
        for name in CSV_COLUMNS:
            value = data.get(name)
            if value is None:
                cells.append("")
            elif name == "helped":
                cells.append(cell(";".join(value)))
            elif name == "helped_titles":
                cells.append(cell(json.dumps(value, ensure_ascii=False, sort_keys=True)))
            elif name == "leg":
                cells.append(int(value))
            elif name == "details":
                cells.append(cell(json.dumps(value, sort_keys=True)))
            elif isinstance(value, str):
                cells.append(cell(value))
            else:
                cells.append(value)
        writer.writerow(cells)
    return out.getvalue()


def export_json(items: Iterable[Record]) -> str:
    """A JSON array, one entry or session per line (so import errors can name the line);
    control and bidi characters as \\u escapes."""
    lines = [safe_formats.json_dumps(_flat(item)) for item in items]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _flat(item: Record) -> dict[str, Any]:
    """An export row: a session's details as their JSON text, so that every row stays
    within safe_formats' nesting limit (an object of values and one list)."""
    data = item.to_data()
    if isinstance(item, Session):
        data["details"] = item.details
    return data


def oldest_first(entries_: Iterable[Entry], sessions_: Iterable[Session]) -> list[Record]:
    """Entries and sessions in one list by their local time, oldest first."""
    items: list[Record] = [*entries_, *sessions_]
    items.sort(key=lambda item: (item.at, isinstance(item, Session), item.id or 0))
    return items


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, object]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip() for name in header]
    try:
        check_columns(header, CSV_COLUMNS)
    except RowError as err:
        raise _LineError(1, err.field, str(err)) from None
    line = reader.line_num + 1
    value = safe_formats.csv_value
    for values in reader:
        if values:
            if len(values) != len(header):
                raise _LineError(line, "", f"{len(values)} fields, the header has {len(header)}")
            yield line, dict(zip(header, map(value, values), strict=True))
        line = reader.line_num + 1


class _LineError(Exception):
    def __init__(self, line: int, fieldname: str, message: str) -> None:
        super().__init__(message)
        self.line, self.field, self.message = line, fieldname, message


def _json_rows(text: str) -> Iterator[tuple[int, object]]:
    """Each element of a JSON array with the line it starts on (within safe_formats'
    limits: no duplicate key, no number beyond 64 bits, no deep nesting)."""
    try:
        yield from safe_formats.json_array(text)
    except safe_formats.JSONLimitError as err:
        raise _LineError(err.line, "", err.message) from None


@dataclass(frozen=True)
class Row:
    """A validated record of an import and where it was in the file."""

    line: int
    item: Record
    where: str = ""  # how to name its place: 'line 4' (default) or 'entry 3' (FHIR)

    @property
    def place(self) -> str:
        return self.where or f"line {self.line}"


def _csv_record(row: dict[str, object], vocab: Vocabulary) -> Record:
    kind = row.pop("type", "") or "entry"
    values = {name: value for name, value in row.items() if value not in ("", None)}
    if kind == "session":
        return check_session(values, columns=False)
    if kind != "entry":
        raise RowError("type", f"{kind!r} is not entry or session")
    return check_row(values, vocab, columns=False)


def _json_record(row: dict[str, object], vocab: Vocabulary) -> Record:
    kind = row.get("type", "entry")
    if kind == "session":
        return check_session(row)
    if kind != "entry":
        raise RowError("type", f"{kind!r} is not entry or session")
    return check_row(row, vocab)


def read_import(text: str, fmt: str, vocab: Vocabulary) -> list[Row]:
    """Every row of an export (CSV or JSON; a FHIR Bundle: fhir.read_bundle), validated;
    SpasmError listing each bad row's line and field (nothing is returned unless every row
    is good)."""
    errors: list[str] = []
    found: list[Row] = []
    rows: Iterator[tuple[int, object]] = _json_rows(text) if fmt == "json" else _csv_rows(text)
    try:
        for line, row in rows:
            if not isinstance(row, dict):
                errors.append(f"line {line}: an entry is an object with fields {COLUMNS}")
                continue
            try:
                item = _json_record(row, vocab) if fmt == "json" else _csv_record(row, vocab)
            except RowError as err:
                errors.append(f"line {line}, field {err.field}: {err}")
                continue
            found.append(Row(line, item))
    except _LineError as err:
        where = f"line {err.line}" + (f", field {err.field}" if err.field else "")
        errors.append(f"{where}: {err.message}")
    except csv.Error as err:
        errors.append(f"not valid CSV ({err})")
    errors += repeats(found)
    if errors:
        raise ImportRefused(errors)
    return found


def repeats(rows: Sequence[Row]) -> list[str]:
    """An id or a UUID named twice in one file, each with the two places."""
    errors: list[str] = []
    seen: dict[tuple[str, str, object], Row] = {}
    for row in rows:
        kind = "session" if isinstance(row.item, Session) else "entry"
        for name, value in (("id", row.item.id), ("uuid", row.item.uuid)):
            if value in (None, ""):
                continue
            first = seen.setdefault((kind, name, value), row)
            if first is not row:
                errors.append(
                    f"{row.place}, field {name}: {kind} {name} {value} is also on {first.place}"
                )
    return errors


class ImportRefused(UsageError):
    def __init__(self, errors: list[str], what: str = "") -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(f"… and {len(errors) - len(shown):,} more")
        noun = "row has an error" if len(errors) == 1 else "rows have errors"
        super().__init__(what or f"{len(errors):,} {noun}; nothing was imported", details=shown)


@dataclass(frozen=True)
class Imported:
    """What an import did: rows added, already there (skipped), replaced (--replace)."""

    added: int = 0
    same: int = 0
    replaced: int = 0
    entries: int = 0  # of the added, how many were diary entries
    sessions: int = 0


def _differences(old: Record, new: Record) -> str:
    a, b = old.to_data(), new.to_data()
    names = [
        name
        for name in a
        if name not in ("id", "logged", "changed", "type") and a[name] != b.get(name)
    ]
    return ", ".join(names)


def store_import(
    conn: sqlite3.Connection,
    rows: Sequence[Row],
    *,
    replace: bool = False,
    notes: bool = True,
) -> Imported:
    """Merge validated rows into the diary in one transaction, by UUID.

    A row whose UUID is already there with the same content is skipped (importing a file
    twice changes nothing); with other content it is a conflict: nothing is stored and
    ImportRefused lists them, unless `replace` (then the file's version is taken, keeping
    the local number). Rows without a UUID (exports before storage.m004) are skipped when
    an entry with the same content and time stamp is there, else added with a new UUID.
    A row keeps its file's id when that number is free here, else it gets a new one.
    `notes=False`: the file left the notes out (a FHIR export without --notes), so notes
    are neither compared nor overwritten.
    """
    conn.execute("BEGIN IMMEDIATE")  # no other writer between the checks and the inserts
    try:
        result = _merge(conn, rows, replace=replace, notes=notes)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return result


def _merge(
    conn: sqlite3.Connection, rows: Sequence[Row], *, replace: bool, notes: bool
) -> Imported:
    conflicts: list[str] = []
    updates: list[Record] = []
    inserts: list[Record] = []
    same = 0
    taken = {
        "entry": {int(r[0]) for r in conn.execute("SELECT id FROM diary")},
        "session": {int(r[0]) for r in conn.execute("SELECT id FROM sessions")},
    }
    # What is there, read once: most rows of a big import are new and need no look-up.
    uuids = {
        "entry": {str(r[0]) for r in conn.execute("SELECT uuid FROM diary")},
        "session": {str(r[0]) for r in conn.execute("SELECT uuid FROM sessions")},
    }
    stamps = {(str(r[0]), str(r[1])) for r in conn.execute("SELECT at, logged FROM diary")}
    stamps |= {("", str(r[0])) for r in conn.execute("SELECT started_at FROM sessions")}
    for row in rows:
        item = row.item
        is_session = isinstance(item, Session)
        select = _SELECT_SESSIONS if is_session else _SELECT
        make = _session if is_session else _entry
        stored: Record | None = None
        if item.uuid:
            if item.uuid in uuids["session" if is_session else "entry"]:
                found = conn.execute(select + " WHERE uuid = ?", (item.uuid,)).fetchone()
                stored = make(found) if found else None
        else:
            key = ("", item.started_at) if isinstance(item, Session) else (item.at, item.logged)
            stored = _same_content(conn, item) if key in stamps else None
            if stored is not None:
                same += 1
                continue
        if stored is not None:
            if isinstance(item, Entry) and not notes:
                item = dataclasses.replace(item, note=stored.note)  # type: ignore[union-attr]
            if _content(item) == _content(stored):
                same += 1
            elif replace:
                updates.append(dataclasses.replace(item, id=stored.id))
            else:
                kind = "session" if is_session else "entry"
                conflicts.append(
                    f"{row.place}: {kind} {item.uuid} differs from the diary's #{stored.id}"
                    f" ({_differences(stored, item)})"
                )
            continue
        ids = taken["session" if is_session else "entry"]
        keep = item.id if item.id is not None and item.id not in ids else None
        if keep is not None:
            ids.add(keep)
        if isinstance(item, Entry):
            inserts.append(complete(item, id=keep))
        else:
            inserts.append(dataclasses.replace(item, id=keep, uuid=item.uuid or _new_uuid()))
    if conflicts:
        raise ImportRefused(
            conflicts,
            f"{len(conflicts):,} row{'s' if len(conflicts) != 1 else ''} conflict with the"
            " diary (same UUID, other content); nothing was imported."
            " Give --replace to take the file's version",
        )
    try:
        for item in updates:
            if isinstance(item, Entry):
                conn.execute(
                    "UPDATE diary SET at = ?, utc_offset = ?, pain = ?, area = ?, side = ?,"
                    " leg = ?, trigger = ?, helped = ?, note = ?, changed = ?,"
                    " helped_titles = ? WHERE id = ?",
                    (*item.as_row()[2:11], item.changed or now_utc(), item.as_row()[13], item.id),
                )
            else:
                conn.execute(
                    "UPDATE sessions SET kind = ?, what = ?, started_at = ?, utc_offset = ?,"
                    " planned_seconds = ?, actual_seconds = ?, outcome = ?, details = ?,"
                    " changed = ? WHERE id = ?",
                    (*item.content(), item.changed or now_utc(), item.id),
                )
        conn.executemany(_INSERT, [i.as_row() for i in inserts if isinstance(i, Entry)])
        conn.executemany(_INSERT_SESSION, [i.as_row() for i in inserts if isinstance(i, Session)])
    except sqlite3.IntegrityError as err:
        raise SpasmError(f"the database refused a row ({err}); nothing was imported") from None
    added_sessions = sum(isinstance(i, Session) for i in inserts)
    return Imported(
        added=len(inserts),
        same=same,
        replaced=len(updates),
        entries=len(inserts) - added_sessions,
        sessions=added_sessions,
    )


def _content(item: Record) -> tuple[Any, ...]:
    return item.content()


def _same_content(conn: sqlite3.Connection, item: Record) -> Record | None:
    """A stored row that is this UUID-less row: same content, same creation time."""
    if isinstance(item, Session):
        for found in conn.execute(
            _SELECT_SESSIONS + " WHERE started_at = ? AND kind = ? AND what = ?",
            (item.started_at, item.kind, item.what),
        ):
            twin = _session(found)
            if twin.content()[4:] == item.content()[4:]:
                return twin
        return None
    for found in conn.execute(_SELECT + " WHERE at = ? AND pain = ?", (item.at, item.pain)):
        stored = _entry(found)
        ours = dataclasses.replace(item, utc_offset=stored.utc_offset)
        if stored.content() == ours.content() and stored.logged == item.logged:
            return stored
    return None
