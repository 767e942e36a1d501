"""The `spasm` command: parse, call the core, render. Nothing here decides advice.

Commands live in sibling modules (lookup_commands, triage_commands, …) and register with
`@command()` or `group()`. COMMANDS says which module holds each, in the order `--help`
lists them; a module is imported, and its commands built, only when one of them runs
(Click's "lazily loading subcommands" pattern): importing and building all of them cost
about 12 ms of a 30 ms start-up over the framework's own (bench/startup_bench.py).

`run()` is the one place that turns what can go wrong into a message and a documented exit
code: expected failures (SpasmError), usage errors, Ctrl-C (130), a reader that has gone
(0) and output that cannot be written (74), never a traceback.
"""

import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from back_spasm_cli.cli import streams
from back_spasm_cli.cli.state import (
    AppState,
    FormatOpt,
    FullOpt,
    RegionOpt,
    forget_writes,
    report,
)
from back_spasm_cli.errors import ExitCode, SpasmError, UsageError
from back_spasm_cli.system import i18n
from back_spasm_cli.system.i18n import _
from back_spasm_cli.version import __version__

if i18n.language() != i18n.ENGLISH:
    from back_spasm_cli.cli import framework

    framework.install()

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.knowledge.regions import Numbers
    from back_spasm_cli.views.document import Document

F = TypeVar("F", bound=Callable[..., Any])
#: Longest argument accepted: far above any name or question, far below what would
#: take seconds to match or flood the screen when echoed.
MAX_ARGUMENT = 1000

#: Every command, in the order `spasm --help` lists them, and the module that defines it
#: (tests/test_docs.py checks this against what the modules register).
COMMANDS: dict[str, str] = {
    "check": "triage_commands",
    "remedies": "lookup_commands",
    "remedy": "lookup_commands",
    "exercises": "lookup_commands",
    "ask": "search_commands",
    "search": "search_commands",
    "doctor": "lookup_commands",
    "plan": "triage_commands",
    "causes": "lookup_commands",
    "prevent": "lookup_commands",
    "lifestyle": "lookup_commands",
    "faq": "lookup_commands",
    "timer": "session_commands",
    "routine": "session_commands",
    "log": "diary_commands",
    "history": "diary_commands",
    "trends": "diary_commands",
    "report": "diary_commands",
    "export": "diary_commands",
    "import": "diary_commands",
    "diary": "diary_commands",
    "forget": "triage_commands",
    "config": "config_commands",
    "help": "config_commands",
    "about": "lookup_commands",
    "kb": "kb_commands",
}
#: What the modules have registered: name -> a Typer app holding that one command or group.
_REGISTERED: dict[str, typer.Typer] = {}
_BUILT: dict[str, Any] = {}

#: Other words people type for a command: the alias -> the command it runs.
COMMAND_ALIASES: dict[str, str] = {
    "prevention": "prevent",
    "tips": "prevent",
    "red-flags": "doctor",
    "stretches": "exercises",
    "stretch": "exercises",
    "exercise": "exercises",
    "cause": "causes",
    "questions": "faq",
    # Spanish names (hidden; they work in any language).
    "causas": "causes",
    "remedios": "remedies",
    "remedio": "remedy",
    "ejercicios": "exercises",
    "prevenir": "prevent",
    "medico": "doctor",
    "médico": "doctor",
    "preguntar": "ask",
    "buscar": "search",
}


class _Stop(BaseException):
    """Carries an exception past Typer's own handling (which would turn Ctrl-C into a
    silent exit and a closed pipe into exit 1) to `run()`, which decides."""

    def __init__(self, original: BaseException) -> None:
        self.original = original


class SpasmGroup(TyperGroup):
    """The root group: resolves command aliases, and is the one place that turns what can
    go wrong into a message and an exit code (in tests too, which call `main`)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        name = COMMAND_ALIASES.get(cmd_name, cmd_name)
        if name not in COMMANDS:
            return None
        if name not in _BUILT:
            import importlib

            import typer.main

            importlib.import_module(f"{__name__}.{COMMANDS[name]}")
            from back_spasm_cli.cli.state import shared_options

            built = typer.main.get_command(_REGISTERED[name])
            built.name = name
            shared_options(built)
            if i18n.language() != i18n.ENGLISH:
                from back_spasm_cli.cli import framework

                framework.translate_command(built)
            _BUILT[name] = built
            from back_spasm_cli.cli.state import apply_dynamic_help

            apply_dynamic_help(name, built)
        return _BUILT[name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            from back_spasm_cli.render.text import clean

            known = [*COMMANDS, *COMMAND_ALIASES]
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            commands = dict.fromkeys(COMMAND_ALIASES.get(c, c) for c in close)
            hint = _(" Did you mean {names}?").format(
                names=", ".join(repr(c) for c in list(commands)[:2])
            )
            ctx.fail(
                _("No such command {name}.").format(name=repr(clean(name)))
                + (hint if close else "")
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (SpasmError, KeyboardInterrupt, OSError, typer.Abort) as err:
            raise _Stop(err) from None

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if i18n.language() != i18n.ENGLISH and not getattr(self, "_translated", False):
            from back_spasm_cli.cli import framework

            framework.translate_command(self)
            self._translated = True
        code = _guarded(
            list(sys.argv[1:] if args is None else args),
            lambda argv: super(SpasmGroup, self).main(
                argv, prog_name, complete_var, standalone_mode=False, **extra
            ),
        )
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    name="spasm",
    cls=SpasmGroup,
    help=_(
        "A self-care guide for back spasms: causes, remedies, prevention and, first of"
        " all, when to get help. General information, not a diagnosis."
    ),
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_(
        "Exit codes: 0 found, 1 not found, 2 usage error or invalid knowledge base,"
        " 70 internal error (a bug: please report it), 74 output or a file could not be"
        " written or opened (disk full, read-only, permission denied), 75 the diary stayed"
        " locked (nothing was saved: try again), 130 interrupted."
    ),
)


def command(name: str | None = None) -> Callable[[F], F]:
    """Register a top-level command (built when it is first needed)."""

    def register(func: F) -> F:
        command_name = name or func.__name__.replace("_", "-")
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(command_name)(func)
        _REGISTERED[command_name] = single
        return func

    return register


def group(name: str, sub_app: typer.Typer) -> None:
    """Register a command group (`spasm kb ...`)."""
    _REGISTERED[name] = sub_app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spasm {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    kb: Annotated[
        str | None,
        typer.Option(
            "--kb",
            metavar="PATH",
            help=_("Use another knowledge base: a YAML file or a folder of them [env: SPASM_KB]."),
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help=_(
                "The language: es or en. Default: SPASM_LANG, then `spasm config set lang`,"
                " then the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English."
            ),
        ),
    ] = None,
    overlay: Annotated[
        list[str] | None,
        typer.Option(
            "--overlay",
            metavar="PATH",
            help=_(
                "Add an overlay folder on top of the base, for this run (repeatable; after"
                " the installed ones and SPASM_OVERLAYS)."
            ),
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = None,
    region: RegionOpt = None,
    full: FullOpt = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_("Show the version and exit.")
        ),
    ] = False,
) -> None:
    """With no command: what a back spasm is, the main commands, and the disclaimer."""
    # --lang was taken from the command line before parsing (system/i18n.py).
    state = AppState(kb_path=kb, fmt=fmt, region=region, overlays=tuple(overlay or ()))
    state.full = full
    ctx.obj = state
    if ctx.invoked_subcommand is None:

        def overview(knowledge: "KnowledgeBase", numbers: "Numbers") -> "Document":
            from back_spasm_cli.views import lookups

            return lookups.overview(knowledge, numbers, full=state.full)

        state.show_view(overview)


__all__ = ["COMMANDS", "app", "command", "group", "run"]


def run(argv: list[str] | None = None) -> int:
    """Run `spasm` with `argv` (default: the command line); return the exit code."""
    return int(app(args=argv, prog_name="spasm", standalone_mode=False))


def _guarded(args: list[str], invoke: Callable[[list[str]], Any]) -> int:
    try:
        # From here on Ctrl-C raises KeyboardInterrupt, handled below (until here, entry.py
        # ends the process at once: nothing has been written yet).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        forget_writes()
        streams.prepare()
        from back_spasm_cli.personal.config import remembered_language

        i18n.setup(args, remembered_language)
        args = i18n.without_option(args)
        too_long = next((arg for arg in args if len(arg) > MAX_ARGUMENT), None)
        if too_long is not None:
            raise UsageError(
                _("an argument of {length:,} characters is too long (at most {most:,})").format(
                    length=len(too_long), most=MAX_ARGUMENT
                )
            )
        try:
            code = _exit_code(invoke, args)
        except _Stop as stop:
            raise stop.original from None
        streams.flush_stdout()
        return code
    except SpasmError as err:
        report(err)
        return int(err.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        return _interrupted()
    except OSError as err:
        if streams.is_reader_gone(err):
            streams.silence_stdout()
            return int(ExitCode.OK)
        if streams.is_output_error(err):
            return streams.cannot_write(err)
        return _internal_error(err)
    except Exception as err:
        if type(err).__module__ == "sqlite3":  # the private database failed under a read
            from back_spasm_cli.personal import storage

            found = storage.explain(err, storage.private_db_path(), "")  # type: ignore[arg-type]
            report(found)
            return int(found.exit_code)
        return _internal_error(err)  # a bug: say so plainly, without a traceback


def _internal_error(err: Exception) -> int:
    from back_spasm_cli.render.text import clean

    sys.stderr.write(
        "spasm: "
        + _(
            "internal error ({error}); please report it. Set SPASM_DEBUG=1 to see the traceback."
        ).format(error=f"{type(err).__name__}: {clean(str(err))}")
        + "\n"
    )
    if os.environ.get("SPASM_DEBUG"):
        raise err
    return int(ExitCode.INTERNAL)


def _exit_code(invoke: Callable[[list[str]], Any], args: list[str]) -> int:
    try:
        result = invoke(args)
    except typer.Exit as done:
        return int(done.exit_code)
    except Exception as err:
        show = getattr(err, "show", None)
        if show is None or not hasattr(err, "exit_code"):
            raise
        # A usage error: Click's message, e.g. "No such command 'remdy'. Did you mean …"
        if i18n.language() == i18n.ENGLISH:
            show()
        else:
            from back_spasm_cli.cli import framework

            framework.usage_error(err)
        return int(err.exit_code)
    return result if isinstance(result, int) else int(ExitCode.OK)


def _interrupted() -> int:
    """Ctrl-C: exit 130, and say what was already written in full (a handout, the saved
    answers), else that nothing was saved. 130 even after a write: the person stopped
    spasm, and a script must see that (README, Exit codes)."""
    from back_spasm_cli.cli.state import completed_writes

    written = completed_writes()
    try:
        if written:
            sys.stderr.write(
                "\nspasm: "
                + _("interrupted; already written: {files}").format(files=", ".join(written))
                + "\n"
            )
        else:
            sys.stderr.write("\nspasm: " + _("interrupted; nothing was saved") + "\n")
    except (OSError, ValueError):
        pass
    return int(ExitCode.INTERRUPTED)


def main() -> None:
    """Entry point for `python -m back_spasm_cli` and tests: exits with run()'s code."""
    sys.exit(run())
