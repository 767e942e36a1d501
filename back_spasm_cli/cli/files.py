"""Files the user asked for (handouts, reports, exports): written whole or not at all,
mode 0600, and never over an existing file without --force."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from back_spasm_cli.errors import UsageError
from back_spasm_cli.render.text import clean

if TYPE_CHECKING:
    from back_spasm_cli.views.document import Document


#: `--force`, for every command that writes a file the user names.
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


#: `--output FILE` for `spasm plan` and `spasm export` (each also works without it).
HandoutOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        dir_okay=False,
        show_default=False,
        help="Also write a handout for a clinician: FILE.md or FILE.html.",
    ),
]
ExportOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        dir_okay=False,
        show_default=False,
        help="Write to FILE (mode 0600) instead of standard output.",
    ),
]


HANDOUT_SUFFIXES: dict[str, str] = {".md": "markdown", ".html": "html"}


def handout_format(path: Path) -> str:
    """ "markdown" or "html" from the suffix; a usage error for any other."""
    fmt = HANDOUT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        suffix = repr(path.suffix) if path.suffix else "no suffix"
        raise UsageError(
            f"{clean(str(path))}: a handout is Markdown (.md) or HTML (.html), not {suffix}"
        )
    return fmt


def check_target(path: Path, *, force: bool) -> str:
    """Refuse early what `write_handout` would refuse, before any question is asked."""
    fmt = handout_format(path)
    shown = clean(str(path))
    if not path.parent.is_dir():
        raise UsageError(f"{shown}: the folder {clean(str(path.parent))!r} does not exist")
    if path.is_dir():
        raise UsageError(f"{shown}: is a folder; name a file")
    if path.exists() and not force:
        raise UsageError(f"{shown} already exists; use --force to replace it")
    return fmt


def render_handout(document: Document, fmt: str) -> str:
    if fmt == "markdown":
        from back_spasm_cli.render.markdown import render_markdown

        return render_markdown(document)
    from back_spasm_cli.render.html import render_html

    return render_html(document)


def write_handout(path: Path, text: str, *, force: bool, what: str = "the handout") -> None:
    """Write all of `text` or nothing, mode 0600: a temp file in the same folder, then
    into place. Without `force` an existing file is never replaced, even one that appeared
    since `check_target` looked (the final step is a hard link, which refuses to overwrite).
    """
    try:
        _write_new(path, text, force=force)
    except OSError as err:
        raise UsageError(
            f"{clean(str(path))}: cannot write {what} ({err.strerror or err})"
        ) from None


def _write_new(path: Path, text: str, *, force: bool) -> None:
    from back_spasm_cli.system import atomic

    try:
        atomic.write_text(path, text, replace=force)
    except FileExistsError:
        raise UsageError(f"{clean(str(path))} already exists; use --force to replace it") from None
