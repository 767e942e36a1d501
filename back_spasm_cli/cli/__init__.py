"""The `spasm` command: parse, call the core, render. Nothing here decides advice.

Commands live in sibling modules (lookup, kb, search, triage) and register with
`@command()`. Each is built only when it runs (or when help lists it): Typer otherwise
builds every command on every start, which cost more than the rest of a lookup (Click's
"lazily loading subcommands" pattern). Expected failures (SpasmError) become one message
on stderr and a documented exit code; Ctrl-C exits 130 and a closed pipe ends quietly,
never with a traceback.
"""

import contextlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from back_spasm_cli import __version__
from back_spasm_cli.cli.state import AppState, FormatOpt, RegionOpt, report
from back_spasm_cli.errors import ExitCode, SpasmError

if TYPE_CHECKING:
    from back_spasm_cli.document import Document
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.regions import Numbers

F = TypeVar("F", bound=Callable[..., Any])
#: name -> (a one-command Typer app, or a group such as `kb`; hidden from help?)
_COMMANDS: dict[str, tuple[typer.Typer, bool]] = {}
_BUILT: dict[str, Any] = {}
_GROUPS: set[str] = set()


def command(name: str | None = None, *, hidden: bool = False) -> Callable[[F], F]:
    """Register a top-level command, to be built when it is first needed."""

    def register(func: F) -> F:
        command_name = name or func.__name__.replace("_", "-")
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(command_name)(func)
        _COMMANDS[command_name] = (single, hidden)
        return func

    return register


def group(name: str, sub_app: typer.Typer) -> None:
    """Register a command group (`spasm kb ...`), built when first needed."""
    _COMMANDS[name] = (sub_app, False)
    _GROUPS.add(name)


class SpasmGroup(TyperGroup):
    """Builds commands on demand, and turns expected errors and Ctrl-C into a message and
    an exit code (also in tests)."""

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        lazy = [name for name in _COMMANDS if name not in self.commands]
        lazy.sort(key=lambda name: name in _GROUPS)  # commands first, then groups (kb)
        return [*super().list_commands(ctx), *lazy]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in _COMMANDS:
            return found
        if cmd_name not in _BUILT:
            import typer.main

            sub_app, hidden = _COMMANDS[cmd_name]
            built = typer.main.get_command(sub_app)
            built.name = cmd_name
            built.hidden = hidden
            _BUILT[cmd_name] = built
        return _BUILT[cmd_name]

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except SpasmError as err:
            report(err)
            raise typer.Exit(int(err.exit_code)) from None
        except KeyboardInterrupt:
            sys.stderr.write("\nspasm: interrupted; nothing was saved\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            # The reader (e.g. `head`) has gone: stop quietly with success, and point
            # stdout at devnull so the interpreter's final flush does not fail again.
            _silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


app = typer.Typer(
    name="spasm",
    cls=SpasmGroup,
    help="A self-care guide for back spasms: causes, remedies, prevention and, first of"
    " all, when to get help. General information, not a diagnosis.",
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 found, 1 not found, 2 usage error or invalid knowledge base,"
    " 70 internal error (a bug: please report it), 130 interrupted.",
)


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
            help="Use another knowledge base: a YAML file or a folder of them [env: SPASM_KB].",
        ),
    ] = None,
    fmt: FormatOpt = None,
    region: RegionOpt = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """With no command: what a back spasm is, the main commands, and the disclaimer."""
    state = AppState(kb_path=kb, fmt=fmt, region=region)
    ctx.obj = state
    if ctx.invoked_subcommand is None:
        state.show_view(("overview",), _overview)


def _overview(knowledge: "KnowledgeBase", numbers: "Numbers") -> "Document":
    from back_spasm_cli import views  # only when the view is not stored yet

    return views.overview(knowledge, numbers)


# Register the command groups (each module adds its commands to `app`).
from back_spasm_cli.cli import kb_commands, lookup, search_commands, triage_commands  # noqa: E402

__all__ = ["app", "kb_commands", "lookup", "main", "search_commands", "triage_commands"]


def main() -> None:
    """Console-script entry point."""
    _tolerant_streams()
    try:
        app(prog_name="spasm")
    except KeyboardInterrupt:
        sys.stderr.write("\nspasm: interrupted; nothing was saved\n")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(int(ExitCode.OK))
    except Exception as err:  # a bug: say so plainly, without a traceback
        sys.stderr.write(
            f"spasm: internal error ({type(err).__name__}: {err}); please report it."
            " Set SPASM_DEBUG=1 to see the traceback.\n"
        )
        if os.environ.get("SPASM_DEBUG"):
            raise
        sys.exit(int(ExitCode.INTERNAL))


def _tolerant_streams() -> None:
    """Never die on an encoding the terminal cannot show (LANG=C, odd consoles)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
