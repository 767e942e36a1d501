"""The interface's language: which one, and the gettext catalogue that speaks it.

It lives in system/, the bottom room, because every other room needs it (errors raised
in knowledge/ and personal/, words made in views/ and cli/) and it needs nothing but the
standard library: choosing a language and loading a catalogue import neither Typer nor
the knowledge base, so `entry.py` binds it before Typer is imported and Typer's and
Click's own strings come out in the same language (cli/framework.py).

One function decides the language (`choose`): `--lang`, then SPASM_LANG, then `spasm
config set lang`, then the environment as GNU gettext reads it (LANGUAGE, except when the
locale is C or POSIX; then LC_ALL, LC_MESSAGES, LANG); otherwise English. The choice is
handed to gettext explicitly, never left to Python's own environment lookup.

Messages are English in the code (`_("Logged #{id}").format(id=...)`); catalogues live
in back_spasm_cli/locale/LANG/LC_MESSAGES/spasm.po and are compiled to .mo when the wheel
is built (hatch_build.py) or, in a checkout, here on first use when the .mo is missing or
older than the .po (system/msgfmt.py, the standard library only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext as gettext_module

DOMAIN = "spasm"
ENGLISH = "en"
#: Languages spasm speaks; English is the code's own.
LANGUAGES = ("en", "es")
#: What each is called, in itself (for messages and docs).
NAMES = {"en": "English", "es": "español"}
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")

_language = ENGLISH
_translation: gettext_module.NullTranslations | None = None


def normalise(value: str) -> str | None:
    """`es_MX.UTF-8@euro` -> "es"; None when spasm does not speak it."""
    base = value.strip().split(".")[0].split("@")[0]
    language = base.replace("-", "_").split("_")[0].casefold()
    return language if language in LANGUAGES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for, read as GNU gettext reads it."""
    env = os.environ if environ is None else environ
    locale = next((env[name] for name in _LOCALE_VARS if env.get(name)), "")
    base = locale.split(".")[0].split("@")[0]
    if base in ("", "C", "POSIX"):
        return ENGLISH  # gettext ignores LANGUAGE in the C locale
    wanted = [item for item in env.get("LANGUAGE", "").split(":") if item.strip()]
    if wanted:
        # The first language of the list that has a catalogue (English needs none).
        return next((lang for lang in map(normalise, wanted) if lang), ENGLISH)
    return normalise(locale) or ENGLISH


def option_in(argv: Sequence[str]) -> str | None:
    """The value of `--lang X` / `--lang=X` in a command line (before any `--`)."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def without_option(argv: Sequence[str]) -> list[str]:
    """`argv` less its `--lang X` (so that it may come anywhere, even after a command)."""
    out: list[str] = []
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            out.extend(argv[index:])
            break
        if arg == "--lang" and index + 1 < len(argv):
            skip = True
            continue
        if arg.startswith("--lang="):
            continue
        out.append(arg)
    return out


def check(value: str, origin: str) -> str:
    language = normalise(value)
    if language is None:
        from back_spasm_cli.errors import UsageError

        raise UsageError(
            _("unknown language {value!r} in {origin}; known: {known}").format(
                value=value, origin=origin, known=", ".join(LANGUAGES)
            )
        )
    return language


def choose(
    option: str | None = None,
    environ: Mapping[str, str] | None = None,
    remembered: str | Callable[[], str | None] | None = None,
) -> str:
    """`--lang`, then SPASM_LANG, then the remembered setting (`spasm config set lang`,
    read only when needed: pass personal.config's reader), then the environment."""
    env = os.environ if environ is None else environ
    if option:
        return check(option, "--lang")
    if env.get("SPASM_LANG", "").strip():
        return check(env["SPASM_LANG"], "SPASM_LANG")
    saved = remembered() if callable(remembered) else remembered
    if saved:
        return check(saved, "the remembered setting `lang`")
    return from_environment(env)


def mo_file(language: str) -> Path | None:
    """The compiled catalogue for `language`: compiled here when a checkout's .mo is
    missing or older than its .po (an installed wheel has it already)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    try:
        po_time = po.stat().st_mtime_ns
    except OSError:
        return mo if mo.is_file() else None
    try:
        if mo.stat().st_mtime_ns >= po_time:
            return mo
    except OSError:
        pass
    from back_spasm_cli.system import msgfmt, paths

    data = msgfmt.compile_po(po.read_text(encoding="utf-8"))
    for target in (mo, paths.cache_dir() / "locale" / language / f"{DOMAIN}.mo"):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
            return target
        except OSError:
            continue
    return None


def install(language: str) -> None:
    """Speak `language` from now on (English: the messages as written)."""
    import gettext

    global _language, _translation
    if language == _language and (_translation is not None or language == ENGLISH):
        return
    _language = language
    _translation = None
    if language == ENGLISH:
        return
    mo = mo_file(language)
    if mo is not None:
        with open(mo, "rb") as handle:
            _translation = gettext.GNUTranslations(handle)


def setup(
    argv: Sequence[str],
    remembered: str | Callable[[], str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Choose the language for this command line and install it; return it."""
    language = choose(option_in(argv), environ, remembered)
    install(language)
    return language


def language() -> str:
    return _language


def _(message: str) -> str:
    """The message in the current language (the English as written when untranslated)."""
    return _translation.gettext(message) if _translation is not None else message


def ngettext(singular: str, plural: str, count: int) -> str:
    if _translation is not None:
        return _translation.ngettext(singular, plural, count)
    return singular if count == 1 else plural


def pgettext(context: str, message: str) -> str:
    """A message whose English is ambiguous (e.g. "Not sure" as a noun or an answer)."""
    return _translation.pgettext(context, message) if _translation is not None else message


def N_(message: str) -> str:
    """Marks a message for the catalogue, translated later with `_()` (tables, defaults)."""
    return message


gettext = _
