"""The diary as documents: history, trends, the note's red flags, and the report for a
clinician (HTML with an inline SVG chart, or Markdown). Texts of advice come from the
knowledge base; this module only arranges them and the user's own entries."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import LEVEL_ORDER, KnowledgeBaseFile, RedFlag
from back_spasm_cli.personal.diary import Entry, FlagHit, Session, Trends, Vocabulary
from back_spasm_cli.personal.records import SavedCheck
from back_spasm_cli.render.text import clean
from back_spasm_cli.views import frame
from back_spasm_cli.views.document import Bullets, Document, Section, Tone

# --------------------------------------------------------------------------- pieces


def where(entry: Entry) -> str:
    parts = [f"{entry.area} back"] if entry.area else []
    if entry.side:
        parts.append("both sides" if entry.side == "both" else f"{entry.side} side")
    if entry.leg:
        parts.append("into a leg")
    return ", ".join(parts)


def entry_line(entry: Entry) -> str:
    """One entry on one line: '#12 2026-11-20 08:30 pain 6: lower back, left side; ...'."""
    parts = [f"#{entry.id} {entry.at} pain {entry.pain}"]
    details = [d for d in (where(entry), entry.trigger and f"trigger {entry.trigger}") if d]
    if entry.helped:
        details.append("helped: " + ", ".join(entry.helped))
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
) -> Document:
    verb = "Removed" if removed else "Logged"
    sections = [warning] if warning else []
    sections.append(
        Section(
            title=f"{verb} #{entry.id}",
            tone="note",
            facts=(
                ("When", entry.at),
                ("Pain", f"{entry.pain}/10"),
                *((("Where", where(entry)),) if where(entry) else ()),
                *((("Trigger", entry.trigger),) if entry.trigger else ()),
                *((("Helped", ", ".join(entry.helped)),) if entry.helped else ()),
                *((("Note", entry.note),) if entry.note else ()),
            ),
        )
    )
    payload: dict[str, Any] = {"removed" if removed else "logged": entry.to_data()}
    if flags:
        payload["red_flags"] = [{"id": f.id, "level": f.level, "title": f.title} for f in flags]
        payload["level"] = flags[0].level
    return frame.finish(content, sections, payload)


# --------------------------------------------------------------------------- history


def _minutes(seconds: int) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


OUTCOME_WORDS = {"completed": "finished", "stopped": "stopped early", "worse": "made it worse"}


def session_what(session: Session) -> str:
    """'ice timer', 'heat timer' or 'routine (3 exercises)'."""
    if session.kind == "timer":
        return f"{session.what} timer"
    count = len(session.what.split())
    return f"routine ({count} exercise{'s' if count != 1 else ''})"


def session_line(session: Session) -> str:
    """'S#3 2026-11-20 08:30 ice timer: 15:00 planned, 4:10 done, stopped early'."""
    return (
        f"S#{session.id} {session.at} {session_what(session)}:"
        f" {_minutes(session.planned_seconds)} planned, {_minutes(session.actual_seconds)}"
        f" done, {OUTCOME_WORDS.get(session.outcome, session.outcome)}"
    )


def history(
    content: KnowledgeBaseFile,
    items: Sequence[Entry],
    since: str | None,
    sessions: Sequence[Session] = (),
    *,
    shown: str = "both",
) -> Document:
    """Entries and sessions, newest first, in one list."""
    period = f"since {since[:10]}" if since else "all entries"
    count = f"{len(items)} entr{'y' if len(items) == 1 else 'ies'}"
    if shown != "entries":
        count = (
            f"{count}, {len(sessions)} session{'s' if len(sessions) != 1 else ''}"
            if shown == "both"
            else f"{len(sessions)} session{'s' if len(sessions) != 1 else ''}"
        )
    merged: list[tuple[str, int, str]] = [(e.at, 0, entry_line(e)) for e in items]
    merged += [(s.at, 1, session_line(s)) for s in sessions]
    merged.sort(key=lambda row: (row[0], row[1]), reverse=True)
    if merged:
        body = Section(
            title="Pain diary",
            subtitle=f"{count}, {period}, newest first",
            lists=(Bullets("", tuple(line for _, _, line in merged)),),
        )
    else:
        empty = {
            "sessions": "No sessions. `spasm timer ice` or `spasm routine` records one.",
        }.get(shown, "No entries. Add one with: spasm log --pain N")
        body = Section(title="Pain diary", subtitle=period, paragraphs=(empty,))
    payload: dict[str, Any] = {"since": since}
    if shown != "sessions":
        payload["entries"] = [entry.to_data() for entry in items]
    if shown != "entries":
        payload["sessions"] = [session.to_data() for session in sessions]
    return frame.finish(content, [body], payload)


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
    period = f"{result.since[:10]} to {result.today}" if result.since else f"to {result.today}"
    facts = [
        ("Period", period),
        ("Entries", str(result.count)),
        ("Average pain", _number(result.average)),
        ("Best (lowest)", "-" if result.best is None else str(result.best)),
        ("Worst (highest)", "-" if result.worst is None else str(result.worst)),
    ]
    if result.episode is not None:
        facts.append(
            (
                "This episode",
                f"first entry {result.episode.first}, {result.episode.days_since_first} days ago",
            )
        )
    return tuple(facts)


def trends_sections(content: KnowledgeBaseFile, result: Trends, vocab: Vocabulary) -> list[Section]:
    """Everything but the flags (which come first) and the chart."""
    sections = [Section(title="Pain over time", tone="info", facts=summary_facts(result))]
    if result.helped:
        lines = tuple(
            f"{vocab.helped.get(h.id, h.id)} ({h.id}): {_change(h.average_change)} points"
            f" on average, {h.uses} time{'s' if h.uses != 1 else ''}"
            for h in result.helped
        )
        sections.append(
            Section(
                title="What seemed to help",
                subtitle="change in pain since the entry before",
                tone="note",
                paragraphs=(content.diary.not_proof,) if content.diary else (),
                lists=(Bullets("", lines),),
            )
        )
    if result.sessions:
        sections.append(
            Section(
                title="Sessions recorded",
                tone="info",
                lists=(Bullets("", tuple(f"{s.what}: {s.count}" for s in result.sessions)),),
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
            {"id": h.id, "uses": h.uses, "average_change": h.average_change} for h in result.helped
        ],
        "sessions": [{"what": s.what, "count": s.count} for s in result.sessions],
        "flags": flags_payload(result.flags),
    }


def trends(content: KnowledgeBaseFile, result: Trends, vocab: Vocabulary) -> Document:
    """The whole of trends as one document (JSON, Markdown); terminals put the chart
    between the flags and the rest (see `chart`)."""
    sections = flag_sections(result.flags) + trends_sections(content, result, vocab)
    payload = trends_payload(result)
    if content.diary and result.helped:
        payload["not_proof"] = content.diary.not_proof
    helped = frame.shown_ids(content, (h.id for h in result.helped))
    return frame.finish(content, sections, payload, shows=helped)


def chart(days: Sequence[tuple[str, float]], width: int, *, color: bool) -> str:
    """Mean pain per day as a plotext line chart ('' with fewer than one day)."""
    if not days:
        return ""
    import plotext as plt  # type: ignore[import-untyped]

    plt.clear_figure()
    plt.date_form("Y-m-d")
    plt.plot([day for day, _ in days], [mean for _, mean in days], marker="braille")
    plt.ylim(0, 10)
    plt.plot_size(max(min(width, 100), 30), 15 if width >= 50 else 10)
    plt.title("Pain (0-10), mean per day")
    plt.theme("clear")  # the terminal's own background, light or dark
    text = plt.build()
    return str(plt.uncolorize(text)) if not color else str(text)


# --------------------------------------------------------------------------- report


def _flatten(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        lines: list[str] = []
        for key, item in value.items():
            lines += _flatten(
                item, f"{prefix}{key}." if isinstance(item, dict) else f"{prefix}{key}"
            )
        return lines
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value) if value else "none"
        return [f"{prefix.rstrip('.')}: {shown}"]
    return [f"{prefix.rstrip('.')}: {value}"] if prefix else [str(value)]


def check_section(content: KnowledgeBaseFile, record: SavedCheck) -> Section:
    level = frame.care_level(content, record.level)
    verdict = record.verdict if isinstance(record.verdict, dict) else {}
    reasons = verdict.get("reasons") if isinstance(verdict.get("reasons"), list) else []
    lists = []
    if reasons:
        lists.append(Bullets("Why", tuple(str(r) for r in reasons)))
    lists.append(Bullets("Answers", tuple(_flatten(record.answers)) or ("none",)))
    return Section(
        title="Last check",
        subtitle=record.at.isoformat(),
        tone=_tone(record.level),
        facts=(("Care level", level.title if level else record.level),),
        lists=tuple(lists),
    )


def report(
    content: KnowledgeBaseFile,
    result: Trends,
    vocab: Vocabulary,
    record: SavedCheck | None,
) -> Document:
    """The report's text parts (the chart and the table of entries are added per format)."""
    title = content.meta.title if content.meta else "spasm"
    header = Section(
        title="Back pain diary: report for a clinician",
        tone="note",
        facts=(("From", title), *summary_facts(result)),
    )
    sections = [header, *flag_sections(result.flags), *trends_sections(content, result, vocab)]
    if record is not None:
        sections.append(check_section(content, record))
    helped = frame.shown_ids(content, (h.id for h in result.helped))
    return frame.finish(content, sections, trends_payload(result), shows=helped)


_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b;
  max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
section { border-left: 4px solid #3a7bd5; padding: 0.2rem 0 0.2rem 0.9rem; margin: 1rem 0; }
section.gp { border-color: #c99700; } section.urgent { border-color: #d2691e; }
section.emergency { border-color: #c0392b; } section.self-care { border-color: #2e8b57; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.4rem; text-align: left;
  vertical-align: top; }
footer { margin-top: 2rem; color: #555; font-size: 0.9rem; }
svg text { font: 11px sans-serif; fill: #333; }
@media print { body { margin: 0; } }
"""


def _e(text: str) -> str:
    return html.escape(clean(text))


def _section_html(section: Section, heading: str = "h2") -> str:
    parts = [f'<section class="{_e(section.tone)}">']
    if section.title:
        sub = f" <small>({_e(section.subtitle)})</small>" if section.subtitle else ""
        parts.append(f"<{heading}>{_e(section.title)}{sub}</{heading}>")
    parts += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
    if section.facts:
        parts.append(
            "<dl>"
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in section.facts)
            + "</dl>"
        )
    for bullets in section.lists:
        if bullets.label:
            parts.append(f"<p><strong>{_e(bullets.label)}</strong></p>")
        tag = "ol" if bullets.ordered else "ul"
        parts.append(f"<{tag}>" + "".join(f"<li>{_e(i)}</li>" for i in bullets.items) + f"</{tag}>")
    parts.append("</section>")
    return "\n".join(parts)


def svg_chart(days: Sequence[tuple[str, float]], width: int = 640, height: int = 240) -> str:
    """Mean pain per day as an inline SVG line chart: no script, nothing fetched."""
    import datetime as dt

    left, right, top, bottom = 36, 12, 12, 34
    inner_w, inner_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}"><title>Pain (0-10), mean per day</title>'
    ]
    for level in range(0, 11, 2):
        y = top + inner_h - inner_h * level / 10
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"'
            ' stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{level}</text>'
        )
    if days:
        first = dt.date.fromisoformat(days[0][0])
        span = max((dt.date.fromisoformat(days[-1][0]) - first).days, 1)
        points = []
        for day, mean in days:
            offset = (dt.date.fromisoformat(day) - first).days
            x = left + (inner_w * offset / span if len(days) > 1 else inner_w / 2)
            y = top + inner_h - inner_h * mean / 10
            points.append((x, y))
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline fill="none" stroke="#3a7bd5" stroke-width="2" points="{path}"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#3a7bd5"/>' for x, y in points]
        labels = {days[0][0]: points[0][0], days[-1][0]: points[-1][0]}
        for day, x in labels.items():
            anchor = "start" if x == points[0][0] and len(labels) > 1 else "end"
            if len(labels) == 1:
                anchor = "middle"
            parts.append(
                f'<text x="{x:.1f}" y="{height - 12}" text-anchor="{anchor}">{_e(day)}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}"'
        ' stroke="#999"/></svg>'
    )
    return "".join(parts)


def report_html(document: Document, result: Trends, items: Sequence[Entry]) -> str:
    header, *rest = document.sections
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_e(str(cell))}</td>"
            for cell in (
                e.id,
                e.at,
                e.pain,
                where(e),
                e.trigger or "",
                ", ".join(e.helped),
                e.note,
            )
        )
        + "</tr>"
        for e in items
    )
    table = (
        "<table><thead><tr><th>#</th><th>When</th><th>Pain</th><th>Where</th><th>Trigger</th>"
        f"<th>Helped</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
        if items
        else "<p>No entries in this period.</p>"
    )
    body = [
        f"<h1>{_e(header.title)}</h1>",
        _section_html(header._replace(title="")),
        f"<figure>{svg_chart(result.days)}</figure>",
        *(_section_html(s) for s in rest),
        f"<h2>Entries ({len(items)})</h2>",
        table,
        "<footer>" + "".join(f"<p>{_e(line)}</p>" for line in document.footer) + "</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(header.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def report_markdown(
    document: Document, result: Trends, items: Sequence[Entry], chart_text: str
) -> str:
    from back_spasm_cli.render.markdown import escape, render_markdown

    header, *rest = document.sections
    head = render_markdown(Document(sections=(header,)), heading_level=1).rstrip()
    fence = f"```text\n{chart_text.rstrip()}\n```" if chart_text else ""
    table_lines = [
        "| # | When | Pain | Where | Trigger | Helped | Note |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in items:
        cells = (str(e.id), e.at, str(e.pain), where(e), e.trigger or "", ", ".join(e.helped))
        note = escape(e.note).replace("\n", " ")
        table_lines.append("| " + " | ".join(escape(c) for c in cells) + f" | {note} |")
    table = "\n".join(table_lines) if items else "No entries in this period."
    middle = render_markdown(Document(sections=tuple(rest))) if rest else ""
    footer = render_markdown(Document(sections=(), footer=document.footer))
    parts = (head, fence, middle.rstrip(), f"## Entries ({len(items)})", table, footer.rstrip())
    return "\n\n".join(part for part in parts if part) + "\n"
