"""What every command shares: global options, the loaded base, output, error reports."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from back_spasm_cli.errors import SpasmError

if TYPE_CHECKING:
    from back_spasm_cli.document import Document
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.regions import Numbers

FormatName = Literal["rich", "plain", "json", "markdown"]
FormatOpt = Annotated[
    FormatName | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: rich panels on a terminal, plain text otherwise.",
        show_default=False,
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        "-r",
        metavar="uk|us|ca|eu|au|nz",
        help="Whose emergency numbers to show. Default: from the locale (LANG).",
        show_default=False,
    ),
]


class AppState:
    """Global options, and the knowledge base loaded once, on first use."""

    def __init__(
        self, kb_path: str | None = None, fmt: str | None = None, region: str | None = None
    ) -> None:
        self.kb_path = kb_path
        self.fmt = fmt
        self.region = region
        self._kb: KnowledgeBase | None = None

    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            from back_spasm_cli import kb

            self._kb = kb.load(self.kb_path)
        return self._kb

    def numbers(self, knowledge: KnowledgeBase, region: str | None = None) -> Numbers:
        from back_spasm_cli import regions

        chosen = regions.resolve(knowledge.content, region or self.region)
        return regions.numbers(knowledge.content, chosen)

    def show_view(
        self,
        request: tuple[object, ...],
        build: Callable[[KnowledgeBase, Numbers], Document],
        fmt: str | None = None,
        region: str | None = None,
    ) -> None:
        """Show a lookup view, from the view cache when this exact view was built before.

        `request` names the view (command and words); the base's hash, the region asked
        for and the locale's country complete the key, as the view depends on them too.
        """
        from back_spasm_cli import kb, regions, viewcache

        region = region or self.region
        fingerprint = kb.fingerprint(self.kb_path)
        view_key = viewcache.key(
            fingerprint, (*request, self.kb_path, region, regions.country_from_locale())
        )
        document = viewcache.get(view_key)
        if document is None:
            knowledge = self.kb()
            document = build(knowledge, self.numbers(knowledge, region))
            # Store it only under the files it was built from: if they changed between
            # the two reads, the key describes other files and the view must not be kept.
            if knowledge.fingerprint == fingerprint:
                viewcache.put(view_key, document)
        self.show(document, fmt)

    def show(self, document: Document, fmt: str | None = None) -> None:
        from back_spasm_cli.render import choose_format, render

        for notice in document.notices:
            sys.stderr.write(f"spasm: {notice}\n")
        render(document, choose_format(fmt or self.fmt, sys.stdout), sys.stdout)


def state_of(ctx: typer.Context) -> AppState:
    state = ctx.find_object(AppState)
    return state if state is not None else AppState()


def report(err: SpasmError) -> None:
    """One clear message on stderr (plus details such as every knowledge-base error)."""
    from back_spasm_cli.render.text import clean

    lines = [f"spasm: {clean(err.message)}"] + [f"  {clean(d)}" for d in err.details]
    sys.stderr.write("\n".join(lines) + "\n")
