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
#: The columns of the `diary` table, and of an export, in order.
COLUMNS = ("id", "at", "pain", "area", "side", "leg", "trigger", "helped", "note", "logged")
#: At most this many row errors are listed when an import is refused.
MAX_ERRORS_SHOWN = 20

_AT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$")
_STORED_AT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}\Z")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Entry:
    """One diary entry. `id` is None until it is stored."""

    at: str  # 'YYYY-MM-DD HH:MM', local time
    pain: int
    area: str | None = None
    side: str | None = None
    leg: bool = False
    trigger: str | None = None
    helped: tuple[str, ...] = ()
    note: str = ""
    logged: str = ""  # ISO 8601, UTC
    id: int | None = None

    def as_row(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.at,
            self.pain,
            self.area,
            self.side,
            int(self.leg),
            self.trigger,
            '["' + '", "'.join(self.helped) + '"]' if self.helped else "[]",  # ids are slugs
            self.note,
            self.logged,
        )

    def to_data(self) -> dict[str, Any]:
        """JSON-ready, in the export's shape."""
        return {
            "id": self.id,
            "at": self.at,
            "pain": self.pain,
            "area": self.area,
            "side": self.side,
            "leg": self.leg,
            "trigger": self.trigger,
            "helped": list(self.helped),
            "note": self.note,
            "logged": self.logged,
        }


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


def check_helped(value: object, vocab: Vocabulary) -> tuple[str, ...]:
    if isinstance(value, str) and value in vocab.helped:
        return (value,)  # the common case: one id
    if isinstance(value, str):
        items = [part for part in re.split(r"[;,\s]+", value.strip()) if part]
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        items = list(value)
    else:
        raise RowError("helped", f"{value!r} is not a list of remedy or exercise ids")
    unknown = [item for item in items if item not in vocab.helped]
    if unknown:
        raise RowError(
            "helped",
            f"{', '.join(map(repr, unknown))}: not a remedy or exercise id"
            " (see `spasm remedies`, `spasm exercises`)",
        )
    if len(set(items)) != len(items):
        raise RowError("helped", "an id is named twice")
    return tuple(items)


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


def _check_logged(value: object) -> str:
    if value is None or value == "":
        return now_utc()
    if not isinstance(value, str):
        raise RowError("logged", f"{value!r} is not a time")
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RowError("logged", f"{value!r} is not an ISO 8601 time") from None
    if stamp.tzinfo is None:
        raise RowError("logged", f"{value!r} has no time zone (e.g. +00:00)")
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


def check_columns(names: Iterable[str]) -> None:
    extra = sorted(set(names) - _COLUMN_SET)
    if extra:
        raise RowError(extra[0], "is not a diary column (" + ", ".join(COLUMNS) + ")")


_COLUMN_SET = frozenset(COLUMNS)


def check_row(row: Mapping[str, object], vocab: Vocabulary, *, columns: bool = True) -> Entry:
    """One imported row as an Entry; RowError names the first bad field. `columns=False`
    when the caller has checked the column names already (a CSV header)."""
    if columns:
        check_columns(row)
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
    return Entry(
        id=_check_id(row.get("id")),
        at=at,
        pain=check_pain(row["pain"]),
        area=_choice("area", row.get("area"), AREAS),
        side=_choice("side", row.get("side"), SIDES),
        leg=_check_leg(row.get("leg", False)),
        trigger=_choice("trigger", row.get("trigger"), vocab.triggers),
        helped=check_helped(row["helped"], vocab) if row.get("helped") else (),
        note=check_note(row.get("note")),
        logged=_check_logged(row.get("logged")),
    )


# --------------------------------------------------------------------------- storing


def _entry(row: Sequence[Any]) -> Entry:
    return Entry(
        id=row[0],
        at=row[1],
        pain=row[2],
        area=row[3],
        side=row[4],
        leg=bool(row[5]),
        trigger=row[6],
        helped=tuple(json.loads(row[7])) if row[7] != "[]" else (),
        note=row[8],
        logged=row[9],
    )


_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM diary"


def add(conn: sqlite3.Connection, entry: Entry) -> Entry:
    """Store `entry`; return it with its id."""
    with conn:
        cursor = conn.execute(
            "INSERT INTO diary (" + ", ".join(COLUMNS) + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entry.as_row(),
        )
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
        Helped(str(item), int(uses), float(change))
        for item, uses, change in conn.execute(
            "WITH seq AS (SELECT pain, helped, LAG(pain) OVER (ORDER BY at, id) AS before"
            f" FROM diary {where})"
            " SELECT j.value, count(*), avg(seq.pain - seq.before)"
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
        flags=tuple(_flags(conn, today, rules, current)) if rules is not None else (),
    )


# --------------------------------------------------------------------------- export, import


def export_csv(items: Iterable[Entry]) -> str:
    """CSV that a spreadsheet cannot run and a terminal cannot act on (safe_formats)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    cell = safe_formats.csv_cell
    for entry in items:
        writer.writerow(
            (
                entry.id,
                entry.at,
                entry.pain,
                cell(entry.area),
                cell(entry.side),
                int(entry.leg),
                cell(entry.trigger),
                cell(";".join(entry.helped)),
                cell(entry.note),
                cell(entry.logged),
            )
        )
    return out.getvalue()


def export_json(items: Iterable[Entry]) -> str:
    """A JSON array, one entry per line (so import errors can name the line); control
    and bidi characters as \\u escapes."""
    lines = [safe_formats.json_dumps(entry.to_data()) for entry in items]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, object]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return
    header = [name.strip() for name in header]
    try:
        check_columns(header)
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


def read_import(text: str, fmt: str, vocab: Vocabulary) -> list[Entry]:
    """Every row of an export, validated; SpasmError listing each bad row's line and field
    (nothing is returned unless every row is good)."""
    errors: list[str] = []
    found: list[Entry] = []
    seen: dict[int, int] = {}
    rows: Iterator[tuple[int, object]] = _json_rows(text) if fmt == "json" else _csv_rows(text)
    try:
        for line, row in rows:
            if not isinstance(row, dict):
                errors.append(f"line {line}: an entry is an object with fields {COLUMNS}")
                continue
            try:
                entry = check_row(row, vocab, columns=fmt == "json")
            except RowError as err:
                errors.append(f"line {line}, field {err.field}: {err}")
                continue
            if entry.id is not None:
                if entry.id in seen:
                    errors.append(
                        f"line {line}, field id: {entry.id} is also on line {seen[entry.id]}"
                    )
                    continue
                seen[entry.id] = line
            found.append(entry)
    except _LineError as err:
        where = f"line {err.line}" + (f", field {err.field}" if err.field else "")
        errors.append(f"{where}: {err.message}")
    except csv.Error as err:
        errors.append(f"not valid CSV ({err})")
    if errors:
        raise ImportRefused(errors)
    return found


class ImportRefused(UsageError):
    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(f"… and {len(errors) - len(shown):,} more")
        noun = "row has an error" if len(errors) == 1 else "rows have errors"
        super().__init__(f"{len(errors):,} {noun}; nothing was imported", details=shown)


def store_import(conn: sqlite3.Connection, items: Sequence[Entry]) -> tuple[int, int]:
    """Store validated entries in one transaction: (added, already there).

    An entry whose id exists is skipped when the stored entry is the same (importing a
    file twice changes nothing) and refused when it differs; nothing is stored then.
    """
    with_ids = {entry.id: entry for entry in items if entry.id is not None}
    same = 0
    errors: list[str] = []
    skip: set[int] = set()
    if with_ids:
        ids = list(with_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for row in conn.execute(_SELECT + f" WHERE id IN ({marks})", chunk):
                stored = _entry(row)
                if stored == with_ids[stored.id]:  # type: ignore[index]
                    same += 1
                    skip.add(int(row[0]))
                else:
                    errors.append(
                        f"entry id {row[0]}: the diary already has a different entry #{row[0]}"
                    )
    if errors:
        raise ImportRefused(errors)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO diary ("
                + ", ".join(COLUMNS)
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry.as_row() for entry in items if entry.id not in skip),
            )
    except sqlite3.IntegrityError as err:  # a concurrent writer took an id meanwhile
        raise SpasmError(
            f"the import clashed with a change made meanwhile ({err}); nothing was imported"
        ) from None
    return len(items) - same, same
