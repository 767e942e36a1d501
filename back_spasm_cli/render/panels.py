"""Rich panels for a terminal. Data text goes in as Text objects: never parsed as markup."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from back_spasm_cli.document import Document, Section
from back_spasm_cli.render.text import clean

TONE_STYLE = {
    "info": "cyan",
    "note": "blue",
    "self-care": "green",
    "gp": "yellow",
    "urgent": "bold dark_orange",
    "emergency": "bold red",
}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # Rich would exit 1 here; the CLI treats a reader that has gone as success.
        raise BrokenPipeError


def make_console(out: TextIO) -> Console:
    return _Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=False)


def render_panels(document: Document, out: TextIO) -> None:
    console = make_console(out)
    narrow = console.width < NARROW  # border titles would be cut: put them inside
    for section in document.sections:
        console.print(section_panel(section, titles_inside=narrow))
    for line in document.footer:
        console.print(Text(clean(line), style="dim"))


NARROW = 40  # columns


def section_panel(section: Section, *, titles_inside: bool = False) -> Panel:
    style = TONE_STYLE.get(section.tone, "cyan")
    parts: list[RenderableType] = []
    if titles_inside and section.title:
        parts.append(Text(clean(section.title), style=f"bold {style}"))
    parts += [Text(clean(p)) for p in section.paragraphs]
    if section.facts:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=False)
        grid.add_column()
        for label, value in section.facts:
            grid.add_row(Text(clean(label)), Text(clean(value)))
        parts.append(grid)
    for bullets in section.lists:
        if bullets.label:
            parts.append(Text(clean(bullets.label), style=f"bold {style}"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for number, item in enumerate(bullets.items, start=1):
            grid.add_row(Text(f"{number}." if bullets.ordered else "•"), Text(clean(item)))
        parts.append(grid)
    spaced: list[RenderableType] = []
    for part in parts:  # a blank line between blocks, as between paragraphs
        if spaced:
            spaced.append(Text(""))
        spaced.append(part)
    return Panel(
        Group(*spaced),
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
