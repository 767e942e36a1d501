"""The diary as documents: history, trends, the note's red flags, and the report for a
clinician (HTML with an inline SVG chart, or Markdown). Texts of advice come from the
knowledge base; this module only arranges them and the user's own entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import LEVEL_ORDER, KnowledgeBaseFile, RedFlag
from back_spasm_cli.personal.diary import Entry, FlagHit, Helped, Session, Trends, Vocabulary
from back_spasm_cli.system.i18n import N_, _, ngettext
from back_spasm_cli.views import frame
from back_spasm_cli.views.document import Bullets, Document, Section, Tone

if TYPE_CHECKING:
    from back_spasm_cli.advice.recognise import Pointer

# --------------------------------------------------------------------------- pieces


#: Where the pain is, in words (the diary keeps the ids).
AREAS = {"lower": N_("lower back"), "middle": N_("middle back"), "upper": N_("upper back")}
SIDES = {"both": N_("both sides"), "left": N_("left side"), "right": N_("right side")}


def where(entry: Entry) -> str:
    parts = [_(AREAS.get(entry.area, "{area} back")).format(area=entry.area)] if entry.area else []
    if entry.side:
        parts.append(_(SIDES.get(entry.side, "{side} side")).format(side=entry.side))
    if entry.leg:
        parts.append(_("into a leg"))
    return ", ".join(parts)


def entry_line(entry: Entry) -> str:
    """One entry on one line: '#12 2026-11-20 08:30 pain 6: lower back, left side; ...'."""
    parts = [_("#{id} {at} pain {pain}").format(id=entry.id, at=entry.at, pain=entry.pain)]
    trigger = entry.trigger and _("trigger {trigger}").format(trigger=entry.trigger)
    details = [d for d in (where(entry), trigger) if d]
    if entry.helped:
        details.append(_("helped: {names}").format(names=", ".join(entry.helped_names())))
    if entry.note:
        details.append(f'"{entry.note}"')
    return parts[0] + (": " + "; ".join(details) if details else "")


def _tone(level: str) -> Tone:
    return level if level in LEVEL_ORDER else "note"


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _change(value: float) -> str:
    return f"{value:+.1f}"


# --------------------------------------------------------------------------- log


def note_warning(
    content: KnowledgeBaseFile, numbers: Numbers, flags: Sequence[RedFlag]
) -> Section | None:
    """The care level a note's red flags call for, with the number, shown at once."""
    if not flags:
        return None
    level = flags[0].level  # most urgent first
    return frame.care_section(content, numbers, level, [flag.title for flag in flags])


def logged(
    content: KnowledgeBaseFile,
    entry: Entry,
    warning: Section | None,
    flags: Sequence[RedFlag],
    *,
    removed: bool = False,
    check: Pointer | None = None,
) -> Document:
    title = _("Removed #{id}") if removed else _("Logged #{id}")
    sections = [warning] if warning else []
    pointer: dict[str, Any] | None = None
    if check is not None:  # words that touch a sign, or one set aside: `spasm check`
        section, pointer = frame.check_section(content, check)
        sections.append(section)
    sections.append(
        Section(
            title=title.format(id=entry.id),
            tone="note",
            facts=(
                (_("When"), entry.at),
                (_("Pain"), f"{entry.pain}/10"),
                *(((_("Where"), where(entry)),) if where(entry) else ()),
                *(((_("Trigger"), entry.trigger),) if entry.trigger else ()),
                *(((_("Helped"), ", ".join(entry.helped_names())),) if entry.helped else ()),
                *(((_("Note"), entry.note),) if entry.note else ()),
            ),
        )
    )
    payload: dict[str, Any] = {"removed" if removed else "logged": entry.to_data()}
    if flags:
        payload["red_flags"] = [{"id": f.id, "level": f.level, "title": f.title} for f in flags]
        payload["level"] = flags[0].level
    if pointer is not None:
        payload["check"] = pointer
    return frame.finish(content, sections, payload)


# --------------------------------------------------------------------------- history


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


OUTCOME_WORDS = {
    "completed": N_("finished"),
    "stopped": N_("stopped early"),
    "worse": N_("made it worse"),
}
#: What a timer times, in words (sessions keep the ids).
TIMER_WORDS = {"ice": N_("ice timer"), "heat": N_("heat timer")}
#: The same, short, for counts ("ice: 2").
WHAT_WORDS = {"ice": N_("ice"), "heat": N_("heat"), "routine": N_("routine")}


def session_what(session: Session) -> str:
    """'ice timer', 'heat timer' or 'routine (3 exercises)'."""
    if session.kind == "timer":
        if session.what in TIMER_WORDS:
            return _(TIMER_WORDS[session.what])
        return _("{what} timer").format(what=session.what)
    count = len(session.what.split())
    return ngettext("routine ({count} exercise)", "routine ({count} exercises)", count).format(
        count=count
    )


def session_line(session: Session) -> str:
    """'S#3 2026-11-20 08:30 ice timer: 15:00 planned, 4:10 done, stopped early'."""
    outcome = OUTCOME_WORDS.get(session.outcome)
    return _("S#{id} {at} {what}: {planned} planned, {done} done, {outcome}").format(
        id=session.id,
        at=session.at,
        what=session_what(session),
        planned=_minutes(session.planned_seconds),
        done=_minutes(session.actual_seconds),
        outcome=_(outcome) if outcome else session.outcome,
    )


def history(
    content: KnowledgeBaseFile,
    items: Sequence[Entry],
    since: str | None,
    sessions: Sequence[Session] = (),
    *,
    shown: str = "both",
    numbers: Numbers | None = None,
) -> Document:
    """Entries and sessions, newest first, in one list; after the safety strip when the
    region's `numbers` are given (every diary view on a screen carries it)."""
    period = _("since {date}").format(date=since[:10]) if since else _("all entries")
    count = ngettext("{count} entry", "{count} entries", len(items)).format(count=len(items))
    if shown != "entries":
        session_count = ngettext("{count} session", "{count} sessions", len(sessions)).format(
            count=len(sessions)
        )
        count = f"{count}, {session_count}" if shown == "both" else session_count
    merged: list[tuple[str, int, str]] = [(e.at, 0, entry_line(e)) for e in items]
    merged += [(s.at, 1, session_line(s)) for s in sessions]
    merged.sort(key=lambda row: (row[0], row[1]), reverse=True)
    if merged:
        body = Section(
            title=_("Pain diary"),
            subtitle=_("{count}, {period}, newest first").format(count=count, period=period),
            lists=(Bullets("", tuple(line for _, _, line in merged)),),
        )
    else:
        empty = (
            _("No sessions. `spasm timer ice` or `spasm routine` records one.")
            if shown == "sessions"
            else _("No entries. Add one with: spasm log --pain N")
        )
        body = Section(title=_("Pain diary"), subtitle=period, paragraphs=(empty,))
    payload: dict[str, Any] = {"since": since}
    if shown != "sessions":
        payload["entries"] = [entry.to_data() for entry in items]
    if shown != "entries":
        payload["sessions"] = [session.to_data() for session in sessions]
    return frame.finish(content, [*_strip(content, numbers), body], payload)


def _strip(content: KnowledgeBaseFile, numbers: Numbers | None) -> list[Section]:
    """The safety strip, as every advice view opens with it (none without numbers)."""
    banner = frame.safety_section(content, numbers) if numbers is not None else None
    return [banner] if banner is not None else []


# --------------------------------------------------------------------------- trends


def flag_sections(hits: Sequence[FlagHit]) -> list[Section]:
    return [
        Section(title=hit.title, tone=_tone(hit.level), paragraphs=(hit.text,), facts=hit.facts)
        for hit in hits
    ]


def flags_payload(hits: Sequence[FlagHit]) -> list[dict[str, Any]]:
    return [
        {
            "id": hit.id,
            "level": hit.level,
            "title": hit.title,
            "text": hit.text,
            "red_flag": hit.red_flag,
            "facts": dict(hit.facts),
        }
        for hit in hits
    ]


def summary_facts(result: Trends) -> tuple[tuple[str, str], ...]:
    period = (
        _("{start} to {end}").format(start=result.since[:10], end=result.today)
        if result.since
        else _("to {end}").format(end=result.today)
    )
    facts = [
        (_("Period"), period),
        (_("Entries"), str(result.count)),
        (_("Average pain"), _number(result.average)),
        (_("Best (lowest)"), "-" if result.best is None else str(result.best)),
        (_("Worst (highest)"), "-" if result.worst is None else str(result.worst)),
    ]
    if result.episode is not None:
        days = result.episode.days_since_first
        first = dt.date.fromisoformat(result.episode.first[:10])
        facts.append((_("This episode"), frame.day_since(days, first)))
    return tuple(facts)


def trends_sections(content: KnowledgeBaseFile, result: Trends, vocab: Vocabulary) -> list[Section]:
    """Everything but the flags (which come first) and the chart."""
    sections = [Section(title=_("Pain over time"), tone="info", facts=summary_facts(result))]
    down = [h for h in result.helped if h.average_change < 0]
    other = [h for h in result.helped if h.average_change >= 0]

    def line(h: Helped) -> str:
        return ngettext(
            "{name} ({id}): {change} points on average, {n} time",
            "{name} ({id}): {change} points on average, {n} times",
            h.uses,
        ).format(
            name=vocab.helped.get(h.id) or h.title or h.id,
            id=h.id,
            change=_change(h.average_change),
            n=h.uses,
        )

    caveat = (content.diary.not_proof,) if content.diary else ()
    if down:
        sections.append(
            Section(
                title=_("What seemed to help"),
                subtitle=_("pain went down since the entry before"),
                tone="note",
                paragraphs=caveat,
                lists=(Bullets("", tuple(line(h) for h in down)),),
            )
        )
    if other:
        sections.append(
            Section(
                title=_("Tried, without less pain afterwards"),
                subtitle=_("change in pain since the entry before"),
                tone="note",
                paragraphs=() if down else caveat,
                lists=(Bullets("", tuple(line(h) for h in other)),),
            )
        )
    if result.session_items:
        worse = [s for s in result.session_items if s.outcome == "worse"]
        shown = result.session_items[:10]
        lines = tuple(session_line(s) for s in shown)
        if len(result.session_items) > len(shown):
            lines += (
                _("… and {count} earlier").format(count=len(result.session_items) - len(shown)),
            )
        counts = ", ".join(
            f"{_(WHAT_WORDS[s.what]) if s.what in WHAT_WORDS else s.what}: {s.count}"
            for s in result.sessions
        )
        sections.append(
            Section(
                title=_("Sessions recorded"),
                subtitle=counts,
                tone="gp" if worse else "info",
                paragraphs=(
                    (
                        ngettext(
                            "{count} session made the pain worse and stopped.",
                            "{count} sessions made the pain worse and stopped.",
                            len(worse),
                        ).format(count=len(worse)),
                    )
                    if worse
                    else ()
                ),
                lists=(Bullets("", lines),),
            )
        )
    return sections


def trends_payload(result: Trends) -> dict[str, Any]:
    return {
        "since": result.since,
        "today": result.today,
        "entries": result.count,
        "average": result.average,
        "best": result.best,
        "worst": result.worst,
        "days": [{"day": day, "average": mean} for day, mean in result.days],
        "episode": None
        if result.episode is None
        else {
            "first": result.episode.first,
            "last": result.episode.last,
            "days_since_first": result.episode.days_since_first,
        },
        "helped": [
            {
                "id": h.id,
                "title": h.title or None,
                "uses": h.uses,
                "average_change": h.average_change,
            }
            for h in result.helped
        ],
        "sessions": [{"what": s.what, "count": s.count} for s in result.sessions],
        "session_list": [s.to_data() for s in result.session_items],
        "flags": flags_payload(result.flags),
    }


def trends(
    content: KnowledgeBaseFile,
    result: Trends,
    vocab: Vocabulary,
    numbers: Numbers | None = None,
) -> Document:
    """The whole of trends as one document (JSON, Markdown): the safety strip (with
    `numbers`) and the flags, then the rest; terminals put the chart between them (see
    `chart` and `lead_count`)."""
    sections = (
        _strip(content, numbers)
        + flag_sections(result.flags)
        + trends_sections(content, result, vocab)
    )
    payload = trends_payload(result)
    if content.diary and result.helped:
        payload["not_proof"] = content.diary.not_proof
    helped = frame.shown_ids(content, (h.id for h in result.helped))
    return frame.finish(content, sections, payload, shows=helped)
