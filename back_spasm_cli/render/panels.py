"""Rich panels for a terminal. Data text goes in as Text objects: never parsed as markup.

Text is wrapped here, with hanging indents for list items, before Rich sees it: Rich then
has nothing left to measure or re-wrap, which makes a full page several times cheaper to
draw than with nested tables (start-up time is a product requirement, see bench/).
"""

from __future__ import annotations

import textwrap
from typing import TextIO

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from back_spasm_cli.render.text import clean
from back_spasm_cli.views.document import Bullets, Document, Section

TONE_STYLE = {
    "info": "cyan",
    "note": "blue",
    "self-care": "green",
    "gp": "yellow",
    "urgent": "bold dark_orange",
    "emergency": "bold red",
}
NARROW = 40  # columns: below this, titles go inside the panel (a border would cut them)
MIN_WIDTH = 20  # columns: narrower terminals (or COLUMNS=0) get 20, never a cropped strip
_BORDER = 4  # two border columns and one column of padding on each side


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1 here; the CLI treats a reader that has gone as success.
        raise BrokenPipeError


def make_console(out: TextIO) -> Console:
    console = _Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=False)
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


def render_panels(document: Document, out: TextIO) -> None:
    print_document(make_console(out), document)


def print_document(console: Console, document: Document) -> None:
    """The document as panels on `console` (a terminal's, or a recording one for HTML)."""
    narrow = console.width < NARROW
    previous: Section | None = None
    for section in document.sections:
        if section.strip:
            if previous is not None and previous.strip:
                console.print()  # two strips (the safety strip, an answer) apart
            console.print(strip_text(section, console.width))
        else:
            console.print(section_panel(section, console.width, titles_inside=narrow))
        previous = section
    for line in document.footer:
        console.print(Text(clean(line), style="dim"))


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> str:
    return textwrap.fill(
        clean(text), width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def strip_text(section: Section, width: int) -> Text:
    """A few bold lines in the tone's colour, with no border (the safety strip)."""
    style = f"bold {TONE_STYLE.get(section.tone, 'cyan')}"
    return Text("\n".join(_wrap(p, max(width, 8)) for p in section.paragraphs), style=style)


def section_panel(section: Section, width: int = 80, *, titles_inside: bool = False) -> Panel:
    style = TONE_STYLE.get(section.tone, "cyan")
    inner = max(width - _BORDER, 8)
    blocks: list[Text] = []
    if titles_inside and section.title:
        blocks.append(Text(_wrap(section.title, inner), style=f"bold {style}"))
    blocks += [Text(_wrap(p, inner)) for p in section.paragraphs]
    if section.facts:
        facts = Text()
        for label, value in section.facts:
            head = f"{clean(label)}:"
            wrapped = _wrap(f"{head} {value}", inner, rest="  ")
            facts.append(wrapped[: len(head)], style="bold")
            facts.append(wrapped[len(head) :] + "\n")
        facts.rstrip()
        blocks.append(facts)
    blocks += [_bullets(bullets, inner, style) for bullets in section.lists]
    body = Text("\n\n").join(blocks)
    # Already wrapped to the panel's width: Rich need not divide lines again. A line that
    # still overflows (a very wide character) is folded rather than cut.
    body.no_wrap = True
    body.overflow = "fold"
    return Panel(
        body,
        title=(
            Text(clean(section.title), style=f"bold {style}")
            if section.title and not titles_inside
            else None
        ),
        title_align="left",
        subtitle=(
            Text(clean(section.subtitle), style="dim")
            if section.subtitle and not titles_inside
            else None
        ),
        subtitle_align="right",
        border_style=style,
        padding=(0, 1),
    )


def _bullets(bullets: Bullets, width: int, style: str) -> Text:
    text = Text()
    if bullets.label:
        text.append(_wrap(bullets.label, width) + "\n", style=f"bold {style}")
    for number, item in enumerate(bullets.items, start=1):
        marker = f"{number}. " if bullets.ordered else "• "
        text.append(_wrap(item, width, marker, " " * len(marker)) + "\n")
    text.rstrip()
    return text
