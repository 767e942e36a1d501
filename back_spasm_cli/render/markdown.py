"""Markdown: headings, lists and a quoted footer; data text is escaped, never markup."""

from __future__ import annotations

import re

from back_spasm_cli.render.text import clean
from back_spasm_cli.views.document import Document, Section

_SPECIAL = re.compile(r"([\\*_\[\]<>|])")


def escape(text: str) -> str:
    """Escape what Markdown (and the HTML it may become) would read as markup."""
    escaped = _SPECIAL.sub(r"\\\1", clean(text))
    return re.sub(r"^([#+\-=>]|\d+\.)", r"\\\1", escaped)


def escape_inline(text: str) -> str:
    """`escape` for text inside a line (after a label, in a table cell), where a leading
    '6.8' or '-' cannot start a list or a heading."""
    return _SPECIAL.sub(r"\\\1", clean(text)).replace("\n", " ")


def render_markdown(document: Document, heading_level: int = 2) -> str:
    blocks = [_section(section, "#" * heading_level) for section in document.sections]
    if document.footer:
        blocks.append("---\n\n" + "\n".join(f"_{escape(line)}_  " for line in document.footer))
    return "\n\n".join(blocks) + "\n"


def _section(section: Section, hashes: str) -> str:
    if section.strip:
        return "\n".join(f"> **{escape(p)}**  " for p in section.paragraphs)
    parts = [f"{hashes} {escape(section.title)}"] if section.title else []
    if section.subtitle:
        parts.append(f"_{escape(section.subtitle)}_")
    parts += [escape(p) for p in section.paragraphs]
    if section.facts:
        parts.append("\n".join(f"**{escape(k)}:** {escape_inline(v)}  " for k, v in section.facts))
    for bullets in section.lists:
        lines = [f"**{escape(bullets.label)}**", ""] if bullets.label else []
        for number, item in enumerate(bullets.items, start=1):
            lines.append(f"{number}. {escape(item)}" if bullets.ordered else f"- {escape(item)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
