"""What the core hands to a renderer: a document of sections plus a JSON payload.

The core builds a `Document` (titles, paragraphs, lists, labelled facts, a tone per
section) and never prints. Each renderer (Rich panels, plain, Markdown, JSON) turns the
same document into one format, so new commands need no renderer changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

#: How a section should look: care tones match the care levels, so red flags stand out.
Tone = Literal["info", "note", "self-care", "gp", "urgent", "emergency"]


class Bullets(NamedTuple):
    """A labelled list: steps are ordered, cautions and tips are not."""

    label: str
    items: tuple[str, ...]
    ordered: bool = False


class Section(NamedTuple):
    """One panel in a terminal; one heading in Markdown."""

    title: str
    subtitle: str = ""
    tone: Tone = "info"
    paragraphs: tuple[str, ...] = ()
    lists: tuple[Bullets, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # (label, value), e.g. ("Open it", "spasm …")
    strip: bool = False  # a few bold lines in the tone's colour, no border: the safety strip


@dataclass(frozen=True)
class Document:
    """A complete answer: sections in reading order, then the footer lines."""

    sections: tuple[Section, ...]
    footer: tuple[str, ...] = ()
    payload: dict[str, Any] = field(default_factory=dict)  # the JSON view
    notices: tuple[str, ...] = ()  # said on stderr, e.g. "matched 'haet' loosely"


# --------------------------------------------------------------------------- a report


class Chart(NamedTuple):
    """A line chart of one value per day: the renderers draw it (SVG, text)."""

    title: str
    points: tuple[tuple[str, float], ...]  # (ISO date, value), oldest first
    y_max: int = 10
    y_label: str = ""


class Table(NamedTuple):
    """Rows under a heading; `strong` rows stand out (e.g. a session that made it worse)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = ""
    strong: frozenset[int] = frozenset()
    widths: tuple[int, ...] = ()  # relative column widths for print, when given


@dataclass(frozen=True)
class Report:
    """A handout: what it contains first, one summary, a chart, sections, tables, and
    a footer. render/report.py draws it as one HTML file or as Markdown."""

    title: str
    lang: str  # the interface language, for <html lang>
    contents: Section  # what is shared: period, counts, whether notes are included
    summary: Section
    chart: Chart
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    footer: tuple[str, ...]
    payload: dict[str, Any] = field(default_factory=dict)
