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


def make_console(out: TextIO) -> Console:
    return Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=False)


def render_panels(document: Document, out: TextIO) -> None:
    console = make_console(out)
    for section in document.sections:
        console.print(section_panel(section))
    for line in document.footer:
        console.print(Text(clean(line), style="dim"))


def section_panel(section: Section) -> Panel:
    style = TONE_STYLE.get(section.tone, "cyan")
    parts: list[RenderableType] = [Text(clean(p)) for p in section.paragraphs]
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
    return Panel(
        Group(*parts),
        title=Text(clean(section.title), style=f"bold {style}") if section.title else None,
        title_align="left",
        subtitle=Text(clean(section.subtitle), style="dim") if section.subtitle else None,
        subtitle_align="right",
        border_style=style,
        padding=(0, 1),
    )
