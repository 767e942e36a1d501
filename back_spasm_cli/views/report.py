"""`spasm report` as a Report document (views/document.py) for a clinician: what it holds
first, one summary, the chart, the diary's flags, what seemed to help (only where pain
went down), the sessions (a session that made it worse says so), the last check in
sentences, every entry, and a footer that says what spasm is. render/report.py draws it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from back_spasm_cli.knowledge.schema import LEVEL_ORDER, KnowledgeBaseFile
from back_spasm_cli.personal.diary import Entry, Session, Trends, Vocabulary
from back_spasm_cli.personal.records import SavedCheck
from back_spasm_cli.views import frame
from back_spasm_cli.views.diary import (
    OUTCOME_WORDS,
    flag_sections,
    session_what,
    trends_payload,
    where,
)
from back_spasm_cli.views.document import Bullets, Chart, Report, Section, Table, Tone

TITLE = "Back pain diary: report for a clinician"
CHART_TITLE = "Pain (0-10), mean per day"
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: Said to the clinician at the end, instead of the user's pointer to `spasm doctor`.
ABOUT = (
    "About this report: spasm is a self-care information program for back spasms. The"
    " person who gave you this report recorded these entries themselves, on their own"
    " device; pain is their own score from 0 (none) to 10 (the worst they can imagine)."
)
NOT_A_DIAGNOSIS = (
    "spasm does not examine anyone and does not diagnose. Its care levels come from"
    " published guidance (NHS and others) applied to the person's own answers; they are"
    " not a clinical assessment."
)


def language() -> str:
    """The interface language (system/i18n.py), for `<html lang>`."""
    from back_spasm_cli.system import i18n

    return i18n.language()


def date_words(day: dt.date) -> str:
    """'Friday 20 November 2026'."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """'Fri 20 Nov 2026'."""
    return f"{_DAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]} {day.year}"


def when_words(at: str) -> str:
    """A diary time 'YYYY-MM-DD HH:MM' as 'Fri 20 Nov 2026, 08:30'."""
    return f"{short_date(dt.date.fromisoformat(at[:10]))}, {at[11:16]}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _period(result: Trends, items: Sequence[Entry]) -> str:
    end = dt.date.fromisoformat(result.today)
    if result.since:
        start = dt.date.fromisoformat(result.since[:10])
    elif items:
        start = dt.date.fromisoformat(min(e.at for e in items)[:10])
    else:
        start = end
    days = (end - start).days + 1
    return f"{date_words(start)} to {date_words(end)} ({_plural(days, 'day')})"


def contents_section(
    result: Trends, items: Sequence[Entry], sessions: Sequence[Session], *, notes: bool
) -> Section:
    """What is shared, said first."""
    with_notes = sum(1 for e in items if e.note)
    if notes:
        shown = f"included ({_plural(with_notes, 'entry', 'entries')} with a note)"
    else:
        shown = "not included (the person can add them with `spasm report --notes`)"
    return Section(
        title="What this report contains",
        tone="note",
        facts=(
            ("Period", _period(result, items)),
            ("Diary entries", str(len(items))),
            ("Guided sessions", str(len(sessions))),
            ("Free-text notes", shown),
        ),
    )


def summary_section(result: Trends) -> Section:
    """The one summary: entries, average, best, worst, the current episode."""
    facts = [
        ("Average pain", "-" if result.average is None else f"{result.average:.1f} out of 10"),
        ("Lowest", "-" if result.best is None else f"{result.best} out of 10"),
        ("Highest", "-" if result.worst is None else f"{result.worst} out of 10"),
    ]
    if result.days:
        first, last = result.days[0], result.days[-1]
        facts.append(
            (
                "First and last day",
                f"{first[1]:.1f} on {short_date(dt.date.fromisoformat(first[0]))},"
                f" {last[1]:.1f} on {short_date(dt.date.fromisoformat(last[0]))}",
            )
        )
    if result.episode is not None:
        facts.append(
            (
                "This episode",
                f"pain recorded since {when_words(result.episode.first)}"
                f" ({_plural(result.episode.days_since_first, 'day')} ago), with no pain-free"
                " entry and no long gap since",
            )
        )
    return Section(title="Summary", tone="info", facts=tuple(facts))


def helped_sections(content: KnowledgeBaseFile, result: Trends, vocab: Vocabulary) -> list[Section]:
    """What seemed to help: only where pain went down after it; the rest said apart."""
    down = [h for h in result.helped if h.average_change < 0]
    other = [h for h in result.helped if h.average_change >= 0]

    def line(h: Any) -> str:
        name = vocab.helped.get(h.id) or h.title or h.id
        over = _plural(h.uses, "entry", "entries")
        if h.average_change == 0:
            return f"{name}: no change in pain from the entry before, over {over}"
        direction = "lower" if h.average_change < 0 else "higher"
        return (
            f"{name}: pain {abs(h.average_change):.1f} points {direction} than at the entry"
            f" before, on average over {over}"
        )

    sections: list[Section] = []
    caveat = (content.diary.not_proof,) if content.diary else ()
    if down:
        sections.append(
            Section(
                title="What seemed to help",
                tone="note",
                paragraphs=caveat,
                lists=(Bullets("", tuple(line(h) for h in down)),),
            )
        )
    if other:
        sections.append(
            Section(
                title="Tried, without less pain afterwards",
                tone="note",
                paragraphs=() if down else caveat,
                lists=(Bullets("", tuple(line(h) for h in other)),),
            )
        )
    return sections


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min" if not rest else f"{minutes} min {rest} s"


def sessions_table(sessions: Sequence[Session]) -> Table:
    ordered = sorted(sessions, key=lambda s: s.started_at)
    rows = tuple(
        (
            when_words(s.at),
            session_what(s),
            _minutes(s.planned_seconds),
            _minutes(s.actual_seconds),
            OUTCOME_WORDS.get(s.outcome, s.outcome),
        )
        for s in ordered
    )
    return Table(
        title=f"Guided sessions ({len(rows)})",
        headers=("When", "What", "Planned", "Done", "How it ended"),
        rows=rows,
        empty="No guided sessions in this period.",
        strong=frozenset(i for i, s in enumerate(ordered) if s.outcome == "worse"),
        widths=(24, 28, 12, 14, 22),
    )


def entries_table(items: Sequence[Entry], vocab: Vocabulary, *, notes: bool) -> Table:
    ordered = sorted(items, key=lambda e: (e.at, e.id or 0))
    headers = ("When", "Pain", "Where", "Trigger", "What was tried")
    rows = []
    for e in ordered:
        row = (
            when_words(e.at),
            f"{e.pain}/10",
            where(e) or "-",
            vocab.triggers.get(e.trigger, e.trigger) if e.trigger else "-",
            ", ".join(e.helped_names(vocab)) or "-",
        )
        rows.append((*row, e.note) if notes else row)
    return Table(
        title=f"Every entry ({len(rows)}), oldest first",
        headers=(*headers, "Note") if notes else headers,
        rows=tuple(rows),
        empty="No entries in this period.",
        widths=(20, 6, 16, 17, 14, 27) if notes else (24, 7, 22, 24, 23),
    )


# --------------------------------------------------------------------------- the last check


def _answer_words(content: KnowledgeBaseFile, answers: Mapping[str, Any]) -> list[str]:
    """The saved answers as sentences."""
    triage = content.triage
    lines: list[str] = []
    if triage is None:
        return lines
    started = answers.get("started")
    if isinstance(started, str):
        labels = {o.id: o.label for o in triage.started.options}
        lines.append(f"How it started: {labels.get(started, started)}.")
    days = answers.get("days")
    if isinstance(days, int) and not isinstance(days, bool):
        lines.append(
            "It started on the day of the check."
            if days == 0
            else f"It started {_plural(days, 'day')} before the check."
        )
    severity = answers.get("severity")
    if isinstance(severity, int) and not isinstance(severity, bool):
        lines.append(f"Pain at its worst: {severity} out of 10.")
    age = answers.get("age_band")
    if isinstance(age, str):
        labels = {o.id: o.label for o in triage.age_band.options}
        lines.append(f"Age: {labels.get(age, age)}.")
    cramps = answers.get("cramps")
    if isinstance(cramps, bool):
        lines.append("Muscle cramps: yes." if cramps else "Muscle cramps: no.")
    signs = answers.get("signs")
    if isinstance(signs, Mapping) and signs:
        titles = {flag.id: flag.title for flag in content.red_flags}
        said = {"yes": [], "unsure": [], "no": []}  # type: dict[str, list[str]]
        for sign, answer in signs.items():
            bucket = said.get(str(answer).replace("not-sure", "unsure"), said["unsure"])
            bucket.append(titles.get(str(sign), str(sign).replace("-", " ")))
        if said["yes"]:
            lines.append("Warning signs reported: " + "; ".join(said["yes"]) + ".")
        if said["unsure"]:
            lines.append("Not sure about: " + "; ".join(said["unsure"]) + ".")
        if not said["yes"] and not said["unsure"]:
            lines.append(
                f"No warning signs reported: all {len(said['no'])} asked about were answered no."
            )
        elif said["no"]:
            lines.append(f"The other {len(said['no'])} warning signs asked about: no.")
    elif answers.get("no_others") is True:
        lines.append("No other warning signs, in the person's own words.")
    return lines


def _reason_words(content: KnowledgeBaseFile, reason: object) -> str:
    titles = {flag.id: flag.title for flag in content.red_flags}
    if isinstance(reason, Mapping):
        title = reason.get("title") or titles.get(str(reason.get("id")), reason.get("id"))
        return f"{title}."
    return f"{reason}."


def check_section(content: KnowledgeBaseFile, record: SavedCheck) -> Section:
    """The last `spasm check` in sentences: when, the verdict, each reason, the answers."""
    level = frame.care_level(content, record.level)
    when = record.at.astimezone()
    verdict = record.verdict if isinstance(record.verdict, Mapping) else {}
    reasons = verdict.get("reasons") if isinstance(verdict.get("reasons"), list) else []
    name = level.title if level else record.level
    lines = [f"Care level the check gave: {name}."]
    lists = []
    if reasons:
        lists.append(Bullets("Because", tuple(_reason_words(content, r) for r in reasons)))
    answers = record.answers if isinstance(record.answers, Mapping) else {}
    lists.append(Bullets("The answers", tuple(_answer_words(content, answers)) or ("None saved.",)))
    tone: Tone = record.level if record.level in LEVEL_ORDER else "note"
    return Section(
        title="The last check (spasm check)",
        subtitle=f"{date_words(when.date())}, {when:%H:%M}",
        tone=tone,
        paragraphs=tuple(lines),
        lists=tuple(lists),
    )


# --------------------------------------------------------------------------- the report


def report(
    content: KnowledgeBaseFile,
    result: Trends,
    vocab: Vocabulary,
    record: SavedCheck | None,
    items: Sequence[Entry],
    *,
    notes: bool = False,
) -> Report:
    sessions = result.session_items
    sections = [*flag_sections(result.flags), *helped_sections(content, result, vocab)]
    if record is not None:
        sections.append(check_section(content, record))
    assert content.meta is not None
    footer = (ABOUT, NOT_A_DIAGNOSIS, content.meta.disclaimer)
    payload = trends_payload(result)
    payload["notes_included"] = notes
    return Report(
        title=TITLE,
        lang=language(),
        contents=contents_section(result, items, sessions, notes=notes),
        summary=summary_section(result),
        chart=Chart(CHART_TITLE, result.days, 10, "pain"),
        sections=tuple(sections),
        tables=(sessions_table(sessions), entries_table(items, vocab, notes=notes)),
        footer=footer,
        payload=payload,
    )
