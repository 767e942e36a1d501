"""Turn a Document into one output format. One module per format; this picks one."""

from __future__ import annotations

import os
from typing import Literal, TextIO

from back_spasm_cli.views.document import Document

Format = Literal["rich", "plain", "json", "markdown"]
FORMATS: tuple[Format, ...] = ("rich", "plain", "json", "markdown")


def choose_format(requested: str | None, stream: TextIO) -> Format:
    """The format asked for; else Rich panels on a terminal, plain text anywhere else."""
    if requested:
        for fmt in FORMATS:
            if fmt == requested:
                return fmt
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return "plain"
    isatty = getattr(stream, "isatty", None)
    return "rich" if isatty is not None and isatty() else "plain"


def render(document: Document, fmt: Format, out: TextIO) -> None:
    """Write `document` to `out` in `fmt`. Imports only the renderer it uses."""
    if fmt == "json":
        from back_spasm_cli.render.jsonout import render_json

        render_json(document, out)
    elif fmt == "markdown":
        from back_spasm_cli.render.markdown import render_markdown

        out.write(render_markdown(document))
    elif fmt == "rich":
        from back_spasm_cli.render.panels import render_panels

        render_panels(document, out)
    else:
        from back_spasm_cli.render.plain import render_plain

        out.write(render_plain(document))
    out.flush()
