"""Plain text: no escape codes, no wrapping, one item per line (grep- and pipe-friendly)."""

from __future__ import annotations

from back_spasm_cli.render.text import clean
from back_spasm_cli.views.document import Document, Section


def render_plain(document: Document) -> str:
    blocks = [_section(section) for section in document.sections]
    if document.footer:
        blocks.append("\n".join(clean(line) for line in document.footer))
    return "\n\n".join(blocks) + "\n"


def _section(section: Section) -> str:
    title = clean(section.title)
    if section.subtitle:
        title += f" ({clean(section.subtitle)})"
    lines = [title] if title else []
    lines += [clean(p) for p in section.paragraphs]
    for label, value in section.facts:
        lines.append(f"{clean(label)}: {clean(value)}")
    for bullets in section.lists:
        if bullets.label:
            lines.append(f"{clean(bullets.label)}:")
        for number, item in enumerate(bullets.items, start=1):
            marker = f"{number}." if bullets.ordered else "-"
            lines.append(f"{marker} {clean(item)}")
    return "\n".join(lines)
