"""Typer's and Click's own words ("Usage:", "Options", "Error: No such command …") in the
interface's language.

Typer 0.29 carries its own copy of Click (typer._click) with those words written into
f-strings rather than passed through gettext; older Typers use Click, which passes some
through gettext's global `_`. Neither can be told a language, so when the language is not
English `install()` puts spasm's catalogue where each of them looks:

- typer.core's and Click's module-level `_` (and Typer's rich panel titles), for the
  words that do go through gettext;
- a help formatter (the Context's `formatter_class`) that says "Usage:" and the headings,
  and the framework's own option help ("Show this message and exit.") in the language;
- `usage_error()`, which run() calls instead of Click's `show()`: the usage line, the
  hint and "Error: …", with Click's message matched against the patterns below.

English changes nothing: install() is not called and start-up stays as it was.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from back_spasm_cli.system.i18n import N_, _, ngettext

#: Click's and Typer's messages, as patterns of the English they print, with the
#: catalogue's message for each (its named placeholders are the patterns' groups).
MESSAGES: tuple[tuple[str, str], ...] = (
    (r"No such command (?P<name>'.*')\.(?P<rest>.*)", N_("No such command %(name)s.%(rest)s")),
    (r"Missing argument (?P<name>'.*')\.", N_("Missing argument %(name)s.")),
    (r"Missing option (?P<name>'.*')\.", N_("Missing option %(name)s.")),
    (r"Missing parameter: (?P<name>.*)", N_("Missing parameter: %(name)s")),
    (r"Missing command\.", N_("Missing command.")),
    (r"No such option: (?P<name>\S+)(?P<rest>.*)", N_("No such option: %(name)s%(rest)s")),
    (
        r"Option (?P<name>'.*') requires an argument\.",
        N_("Option %(name)s requires an argument."),
    ),
    (
        r"Option (?P<name>'.*') requires (?P<count>\d+) arguments\.",
        N_("Option %(name)s requires %(count)s arguments."),
    ),
    (
        r"Option (?P<name>'.*') does not take a value\.",
        N_("Option %(name)s does not take a value."),
    ),
    (
        r"Got unexpected extra arguments? \((?P<args>.*)\)",
        N_("Got unexpected extra arguments (%(args)s)"),
    ),
    (r"Invalid value for (?P<name>.*?): (?P<rest>.*)", N_("Invalid value for %(name)s: %(rest)s")),
    (r"Invalid value: (?P<rest>.*)", N_("Invalid value: %(rest)s")),
    (
        r"(?P<value>'.*') is not one of (?P<choices>.*)\.",
        N_("%(value)s is not one of %(choices)s."),
    ),
    (r"(?P<value>'.*') is not a valid integer\.", N_("%(value)s is not a valid integer.")),
    (r"(?P<value>'.*') is not a valid float\.", N_("%(value)s is not a valid number.")),
    (
        r"(?P<value>.*) is not in the range (?P<range>.*)\.",
        N_("%(value)s is not in the range %(range)s."),
    ),
    (r"(?P<value>'.*') is not a valid boolean\.", N_("%(value)s is not a valid boolean.")),
    (
        r"(?P<value>'.*'): No such file or directory",
        N_("%(value)s: no such file or folder"),
    ),
)
#: Pieces inside Click's messages.
PIECES: tuple[tuple[str, str], ...] = (
    (r" Did you mean (?P<names>.*)\?", N_(" Did you mean %(names)s?")),
    (r"^Value error, ", ""),
    (r"\(Possible options: (?P<names>.*)\)", N_("(Possible options: %(names)s)")),
    (r"'(?P<a>[^']*)' or '(?P<b>[^']*)'", N_("'%(a)s' or '%(b)s'")),
)
#: The framework's own help texts and headings.
HELP = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Install completion for the specified shell."),
    N_("Show completion for the specified shell, to copy it or customize the installation."),
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("Error"),
    N_("Aborted!"),
    N_("required"),
)
#: Words of the usage line Click makes itself.
USAGE = (N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("[ARGS]..."))
#: The options' and arguments' own metavars (cli/) that are words; ids, values and
#: numbers ("ID", "N", "ice|heat", "0-10") stay as they are typed.
METAVARS = (
    N_("PATH"),
    N_("FILE"),
    N_("LANG"),
    N_("REGION"),
    N_("WHEN"),
    N_("NAME"),
    N_("AREA [SIDE] [leg]"),
    N_("FILE.html|FILE.md"),
    N_("[EXERCISE]..."),
)
#: Bracketed notes Click adds to an option's help.
NOTES: tuple[tuple[str, str], ...] = (
    (r"\[default: (?P<value>[^\]]*)\]", N_("[default: %(value)s]")),
    (r"\[env var: (?P<value>[^\]]*)\]", N_("[env var: %(value)s]")),
    (r"\[required\]", N_("[required]")),
    (r"\[(?P<range>[^\]]*x[^\]]*)\]", "[%(range)s]"),
)


def translate_message(message: str) -> str:
    """Click's English message, in the interface's language."""
    for pattern, template in MESSAGES:
        match = re.fullmatch(pattern, message, flags=re.DOTALL)
        if match:
            parts = {
                key: translate_message(value) if key == "rest" else _pieces(value)
                for key, value in match.groupdict().items()
            }
            return _(template) % parts
    return _pieces(message)


def _filled(template: str) -> Any:
    def fill(match: re.Match[str]) -> str:
        return (_(template) if template else "") % match.groupdict()

    return fill


def _pieces(text: str) -> str:
    for pattern, template in PIECES:
        text = re.sub(pattern, _filled(template), text)
    return text


def translate_help(text: str) -> str:
    stripped = text.strip()
    for message in HELP:
        if stripped.startswith(message):
            text = text.replace(message, _(message), 1)
            break
    for pattern, template in NOTES:
        text = re.sub(pattern, _filled(template), text)
    return text


def _click() -> Any:
    import importlib

    try:
        return importlib.import_module("typer._click")
    except ImportError:  # Typer before 0.29 uses Click itself
        return importlib.import_module("click")


def install() -> None:
    """Speak the interface's language in Typer's and Click's own words."""
    click = _click()
    formatting = sys.modules[click.__name__ + ".formatting"]
    base = formatting.HelpFormatter

    class Formatter(base):  # type: ignore[misc, valid-type]
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            for words in USAGE:
                args = args.replace(words, _(words))
            super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            super().write_heading(_(heading))

        def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
            rows = [(first, translate_help(second)) for first, second in rows]
            super().write_dl(rows, *args, **kwargs)

    click.Context.formatter_class = Formatter
    import typer.core

    for module in (typer.core, *_gettext_modules(click)):
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        for name, english in (
            ("ARGUMENTS_PANEL_TITLE", "Arguments"),
            ("OPTIONS_PANEL_TITLE", "Options"),
            ("COMMANDS_PANEL_TITLE", "Commands"),
            ("ERRORS_PANEL_TITLE", "Error"),
        ):
            setattr(rich_utils, name, _(english))


def _gettext_modules(click: Any) -> list[Any]:
    names = ("core", "exceptions", "formatting", "decorators", "types", "parser", "termui")
    return [
        sys.modules[f"{click.__name__}.{name}"]
        for name in names
        if f"{click.__name__}.{name}" in sys.modules
    ]


def usage_error(err: Any) -> None:
    """Show a Click usage error as Click would, in the interface's language."""
    ctx = getattr(err, "ctx", None)
    lines = []
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(
                _("Try '{command} {option}' for help.").format(
                    command=ctx.command_path, option=ctx.help_option_names[0]
                )
                + "\n"
            )
    lines.append(_("Error: {message}").format(message=translate_message(err.format_message())))
    sys.stderr.write("\n".join(lines) + "\n")


def translate_command(command: Any) -> None:
    """A built command's help, its options' and arguments' help, and its sub-commands',
    in the interface's language. The English is in the code (docstrings, `help=`);
    tests/i18n_catalogue.py extracts it into the catalogue."""
    for name in ("help", "short_help", "epilog"):
        value = getattr(command, name, None)
        if isinstance(value, str) and value:
            setattr(command, name, _(value))
    for param in getattr(command, "params", ()):
        value = getattr(param, "help", None)
        if isinstance(value, str) and value:
            param.help = _(value)
        metavar = getattr(param, "metavar", None)
        if isinstance(metavar, str) and metavar in METAVARS:
            param.metavar = _(metavar)
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub)
