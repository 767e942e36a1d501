"""HTML: the panels as Rich draws them, exported as a standalone page (for handouts)."""

from __future__ import annotations

import html
import io

from back_spasm_cli.render.text import clean
from back_spasm_cli.views.document import Document

PAGE_WIDTH = 88  # columns: fits a printed page in the export's monospace font


def render_html(document: Document) -> str:
    from rich.console import Console

    from back_spasm_cli.render.panels import print_document

    console = Console(
        record=True,
        file=io.StringIO(),
        width=PAGE_WIDTH,
        markup=False,
        highlight=False,
        emoji=False,
        color_system="truecolor",
    )
    print_document(console, document)
    page = console.export_html(inline_styles=True)
    title = document.sections[0].title if document.sections else "spasm"
    return page.replace("<head>", f"<head>\n<title>{html.escape(clean(title))}</title>", 1)
