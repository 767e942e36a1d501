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


def section_to_data(section: Section) -> dict[str, Any]:
    """A section as JSON-ready data (the view cache and the search index store these)."""
    return {
        "title": section.title,
        "subtitle": section.subtitle,
        "tone": section.tone,
        "paragraphs": list(section.paragraphs),
        "lists": [
            {"label": b.label, "items": list(b.items), "ordered": b.ordered} for b in section.lists
        ],
        "facts": [list(fact) for fact in section.facts],
    }


def section_from_data(data: dict[str, Any]) -> Section:
    """The inverse of `section_to_data`."""
    return Section(
        title=data["title"],
        subtitle=data.get("subtitle", ""),
        tone=data.get("tone", "info"),
        paragraphs=tuple(data.get("paragraphs", ())),
        lists=tuple(
            Bullets(b["label"], tuple(b["items"]), bool(b.get("ordered")))
            for b in data.get("lists", ())
        ),
        facts=tuple((str(k), str(v)) for k, v in data.get("facts", ())),
    )


def to_data(document: Document) -> dict[str, Any]:
    """The whole document as JSON-ready data."""
    return {
        "sections": [section_to_data(s) for s in document.sections],
        "footer": list(document.footer),
        "payload": document.payload,
        "notices": list(document.notices),
    }


def from_data(data: dict[str, Any]) -> Document:
    """The inverse of `to_data`."""
    return Document(
        sections=tuple(section_from_data(s) for s in data["sections"]),
        footer=tuple(data["footer"]),
        payload=data["payload"],
        notices=tuple(data["notices"]),
    )
