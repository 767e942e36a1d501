"""What every command shares: global options, the loaded base, output, error reports."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from back_spasm_cli.errors import SpasmError
from back_spasm_cli.system.i18n import _

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
    """Give a command the shared `--format`, `--region` and `--full` options (declared
    once, above). A plain marker: cli/__init__.py adds the options when it builds the
    command (`shared_options`), and their callbacks store the values in the AppState.

    They may also come before the command (`spasm --format json remedy heat`); given after
    it, they win. The command reads them from the AppState, never as parameters.
    """
    wanted = ("fmt", *(("region",) if region else ()), *(("full",) if full else ()))

    def mark(func: F) -> F:
        func.output_options = wanted  # type: ignore[attr-defined]
        return func

    return mark


def _shared(fmt: FormatOpt = None, region: RegionOpt = None, full: FullOpt = False) -> None:
    """Only its signature counts: Typer turns it into the shared options."""


def _store(ctx: Any, param: Any, value: Any) -> None:
    state = ctx.find_object(AppState) or ctx.ensure_object(AppState)
    if param.name == "fmt" and value:
        state.fmt = value
    elif param.name == "region" and value:
        state.region = value
    elif param.name == "full" and value:
        state.full = True


def shared_options(command: Any) -> None:
    """Add the shared options to a built Click command (and its subcommands) marked with
    `output_options`, after its own options, as --help lists them."""
    wanted = getattr(command.callback, "output_options", None)
    if wanted:
        import typer.main

        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command()(_shared)
        made = {param.name: param for param in typer.main.get_command(single).params}
        for name in wanted:
            param = made[name]
            param.expose_value = False
            param.callback = _store
            command.params.append(param)
    for sub in getattr(command, "commands", {}).values():
        shared_options(sub)


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
            from back_spasm_cli.system import i18n

            self._kb = kb.load(
                self.kb_path,
                overlays=self.overlays,
                languages=kb.language_layer(self.kb_path, i18n.language()),
            )
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
            warning = _("warning: {message}").format(message=clean(message))
            sys.stderr.write(f"spasm: {warning}\n")

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


def forget_writes() -> None:
    """A new run starts with nothing written (tests run many in one process)."""
    _WRITTEN.clear()


#: Help text that comes from the base in use (an overlay can add a timer or a trigger):
#: (command, parameter) -> (metavar from the base, help rewritten from the base).
DYNAMIC_HELP: dict[
    tuple[str, str],
    tuple[
        Callable[[KnowledgeBaseFile], str] | None,
        Callable[[KnowledgeBaseFile, str], str] | None,
    ],
] = {}


def help_from_base(
    command: str,
    parameter: str,
    *,
    metavar: Callable[[KnowledgeBaseFile], str] | None = None,
    help: Callable[[KnowledgeBaseFile, str], str] | None = None,
) -> None:
    """Have a parameter's metavar (and help) read from the layered base when shown."""
    DYNAMIC_HELP[(command, parameter)] = (metavar, help)


def _base_now() -> KnowledgeBaseFile | None:
    """The base the running command line names (`--kb`, `--overlay`), or None."""
    import importlib

    try:  # Typer 0.29 carries its own Click
        globals_module = importlib.import_module("typer._click.globals")
    except ImportError:  # pragma: no cover - older Typer, with Click itself
        globals_module = importlib.import_module("click.globals")
    ctx = globals_module.get_current_context(silent=True)
    state: AppState | None = ctx.find_object(AppState) if ctx is not None else None
    try:
        if state is not None:
            return state.kb().content
        return base_in_use(ctx) if ctx is not None else None
    except Exception:  # help must show even when the base cannot be read
        return None


def apply_dynamic_help(name: str, command: Any) -> None:
    """Give the built command's parameters their metavar and help from the base in use,
    worked out each time they are shown (usage, --help, error messages), not when built:
    the parameter's class gets `metavar` and `help` properties over the static values."""
    for param in getattr(command, "params", ()):
        found = DYNAMIC_HELP.get((name, param.name))
        if found is None or "_spasm_static" in vars(param):
            continue
        metavar_from, help_from = found
        param._spasm_static = (vars(param).get("metavar"), vars(param).get("help"))

        def metavar(self: Any, _from: Any = metavar_from) -> Any:
            static = self._spasm_static[0]
            content = _base_now() if _from is not None else None
            return _from(content) if content is not None else static

        def help_text(self: Any, _from: Any = help_from) -> Any:
            static = self._spasm_static[1]
            content = _base_now() if _from is not None and static else None
            return _from(content, static) if content is not None else static

        def keep(index: int) -> Any:
            def setter(self: Any, value: Any) -> None:
                old = self._spasm_static
                self._spasm_static = (value, old[1]) if index == 0 else (old[0], value)

            return setter

        param.__class__ = type(
            type(param).__name__,
            (type(param),),
            {"metavar": property(metavar, keep(0)), "help": property(help_text, keep(1))},
        )
