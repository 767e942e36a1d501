"""What every command shares: global options, the loaded base, output, error reports."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from back_spasm_cli.errors import SpasmError

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.knowledge.regions import Numbers
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile, Region
    from back_spasm_cli.views.document import Document

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


def base_in_use(ctx: typer.Context | None = None) -> KnowledgeBaseFile:
    """The layered base the command line names (`--kb`, `--overlay`), for completion and
    help text, before the command itself has run."""
    from back_spasm_cli.knowledge import kb

    params: dict[str, Any] = {}
    if ctx is not None:
        params = ctx.find_root().params or {}
    path = params.get("kb")
    overlays = params.get("overlay") or ()
    return kb.load(path if isinstance(path, str) else None, overlays=tuple(overlays)).content


def _complete_region(ctx: typer.Context, incomplete: str) -> list[str]:
    """The regions of the knowledge base in use, for shell completion."""
    try:
        regions = base_in_use(ctx).regions
    except Exception:  # completion must never print a traceback into the shell
        return []
    names = [name for region in regions for name in (region.id, *region.aliases)]
    return [name for name in names if name.startswith(incomplete.casefold())]


RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region",
        "-r",
        metavar="REGION",
        help="Whose emergency numbers to show: a region or country, e.g. uk, england, usa,"
        " germany. Default: SPASM_REGION, then `spasm config set region`, then the locale.",
        show_default=False,
        autocompletion=_complete_region,
    ),
]


F = TypeVar("F", bound=Callable[..., Any])


FullOpt = Annotated[
    bool,
    typer.Option(
        "--full",
        help="Everything: the long text, evidence notes and sources (JSON has them always).",
    ),
]


def output_options(*, region: bool = True, full: bool = True) -> Callable[[F], F]:
    """Give a command the shared `--format`, `--region` and `--full` options, declared
    here once.

    They may also come before the command (`spasm --format json remedy heat`); given after
    it, they win. The command reads them from the AppState, never as parameters.
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        extra = [
            inspect.Parameter(
                "fmt", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=FormatOpt
            )
        ]
        if region:
            extra.append(
                inspect.Parameter(
                    "region", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=RegionOpt
                )
            )
        if full:
            extra.append(
                inspect.Parameter(
                    "full", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=FullOpt
                )
            )

        # The command's own `ctx: typer.Context` parameter (Typer fills in one only).
        names = list(signature.parameters)
        ctx_name = next(
            name for name, p in signature.parameters.items() if p.annotation is typer.Context
        )

        @functools.wraps(func)
        def command(
            *args: Any,
            fmt: str | None = None,
            region: str | None = None,
            full: bool = False,
            **kw: Any,
        ) -> Any:
            ctx = kw[ctx_name] if ctx_name in kw else args[names.index(ctx_name)]
            state = state_of(ctx)
            state.fmt = fmt or state.fmt
            state.region = region or state.region
            state.full = full or state.full
            return func(*args, **kw)

        command.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), *extra]
        )
        command.__annotations__ = {
            **func.__annotations__,
            **{parameter.name: parameter.annotation for parameter in extra},
        }
        return command  # type: ignore[return-value]

    return decorate


class AppState:
    """Global options, and the knowledge base loaded once, on first use."""

    def __init__(
        self,
        kb_path: str | None = None,
        fmt: str | None = None,
        region: str | None = None,
        overlays: tuple[str, ...] = (),
    ) -> None:
        self.kb_path = kb_path
        self.overlays = overlays
        self.fmt = fmt
        self.region = region
        self.full = False
        self._kb: KnowledgeBase | None = None
        self._warned: set[str] = set()

    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            from back_spasm_cli.knowledge import kb

            self._kb = kb.load(self.kb_path, overlays=self.overlays)
        return self._kb

    def region_of(self, content: KnowledgeBaseFile) -> Region | None:
        """--region, else SPASM_REGION, else the remembered region, else the locale.

        The settings file is read only when neither is given, and a bad one (or a region
        it names that this base does not know) is said once on stderr and ignored for
        this run: settings never stand between a person and the emergency numbers."""
        from back_spasm_cli.knowledge import regions

        asked = self.region or os.environ.get("SPASM_REGION")
        if asked and asked.strip():
            return regions.resolve(content, asked)
        from back_spasm_cli.errors import UsageError
        from back_spasm_cli.personal import config

        settings, problem = config.load_or_report()
        if problem is not None:
            self.warn_once(f"{problem}; ignored for this run (see `spasm config show`)")
        try:
            return regions.resolve(content, None, settings.get("region"))
        except UsageError as err:
            self.warn_once(f"{err.message}; ignored for this run")
            return regions.resolve(content, None, None)

    def warn_once(self, message: str) -> None:
        from back_spasm_cli.render.text import clean

        if message not in self._warned:
            self._warned.add(message)
            sys.stderr.write(f"spasm: warning: {clean(message)}\n")

    def numbers(self, knowledge: KnowledgeBase) -> Numbers:
        from back_spasm_cli.knowledge import regions

        return regions.numbers(knowledge.content, self.region_of(knowledge.content))

    def show_view(self, build: Callable[[KnowledgeBase, Numbers], Document]) -> None:
        """Build a view from the knowledge base and the region's numbers, and show it."""
        knowledge = self.kb()
        self.show(build(knowledge, self.numbers(knowledge)))

    def show(self, document: Document) -> None:
        from back_spasm_cli.render import choose_format, render
        from back_spasm_cli.render.text import clean

        for notice in (*(self._kb.notices if self._kb else ()), *document.notices):
            sys.stderr.write(f"spasm: {clean(notice)}\n")
        render(document, choose_format(self.fmt, sys.stdout), sys.stdout)


def complete_names(kind_name: str) -> Callable[..., list[str]]:
    """Shell completion for a lookup command: the kind's ids and aliases."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from back_spasm_cli.knowledge.kinds import KINDS

        try:
            items = getattr(base_in_use(ctx), KINDS[kind_name].section)
        except Exception:  # completion must never print a traceback into the shell
            return []
        names = [item.id for item in items] + [
            alias.replace(" ", "-") for item in items for alias in item.aliases
        ]
        wanted = incomplete.casefold()
        return sorted({name for name in names if name.casefold().startswith(wanted)})

    return complete


def state_of(ctx: typer.Context) -> AppState:
    state = ctx.find_object(AppState)
    return state if state is not None else AppState()


def report(err: SpasmError) -> None:
    """One clear message on stderr (plus details such as every knowledge-base error)."""
    from back_spasm_cli.render.text import clean

    lines = [f"spasm: {clean(err.message)}"] + [f"  {clean(d)}" for d in err.details]
    sys.stderr.write("\n".join(lines) + "\n")


_WRITTEN: list[str] = []


def wrote(path: str) -> None:
    """Record a file the command has finished writing (an interrupt after it is no loss)."""
    from back_spasm_cli.render.text import clean

    _WRITTEN.append(clean(path))


def completed_writes() -> tuple[str, ...]:
    return tuple(_WRITTEN)
