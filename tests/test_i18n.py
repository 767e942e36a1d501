"""The interface's language: how it is chosen, the catalogue, and Typer's and Click's own
words in Spanish (the installed `spasm` in subprocesses: the language is bound before
Typer is imported)."""

from __future__ import annotations

import gettext
import io
import re
import subprocess

import pytest

from back_spasm_cli.system import i18n, msgfmt
from tests.helpers import installed_spasm

# --------------------------------------------------------------------------- choosing


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "es_ES.UTF-8"}, "es"),
        ({"LANG": "es_MX.UTF-8"}, "es"),
        ({"LANG": "es_US.UTF-8"}, "es"),
        ({"LANG": "es"}, "es"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "es"}, "en"),  # gettext ignores LANGUAGE in C
        ({"LANG": "POSIX", "LANGUAGE": "es"}, "en"),
        ({"LANGUAGE": "es"}, "en"),  # no locale at all is the C locale
        ({"LANG": "en_GB.UTF-8", "LANGUAGE": "es:en"}, "es"),
        ({"LANG": "es_ES.UTF-8", "LANGUAGE": "en"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LANGUAGE": "fr:es_MX"}, "es"),
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "es_ES.UTF-8"}, "es"),
        ({"LANG": "es_ES.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es"),
        ({"LANG": "es_ES.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
    ],
)
def test_the_environment_is_read_as_gettext_reads_it(
    environ: dict[str, str], expected: str
) -> None:
    assert i18n.from_environment(environ) == expected


def test_option_then_spasm_lang_then_setting_then_environment() -> None:
    env = {"LANG": "es_ES.UTF-8", "SPASM_LANG": "en"}
    assert i18n.choose("es", env, "en") == "es"
    assert i18n.choose(None, env, "es") == "en"
    assert i18n.choose(None, {"LANG": "en_GB.UTF-8"}, "es") == "es"
    assert i18n.choose(None, {"LANG": "es_MX.UTF-8"}, lambda: None) == "es"
    assert i18n.choose(None, {"LANG": "C"}, lambda: "es") == "es"
    assert i18n.choose(None, {"LANG": "C"}) == "en"


def test_lang_is_found_anywhere_before_a_double_dash() -> None:
    assert i18n.option_in(["remedy", "heat", "--lang", "es"]) == "es"
    assert i18n.option_in(["--lang=en", "remedy"]) == "en"
    assert i18n.option_in(["search", "--", "--lang", "es"]) is None
    assert i18n.without_option(["--lang", "es", "remedy", "--lang=en", "heat"]) == [
        "remedy",
        "heat",
    ]


# --------------------------------------------------------------------------- catalogue


def test_the_template_is_up_to_date_and_every_spanish_message_is_translated() -> None:
    babel = pytest.importorskip("babel")
    assert babel
    from tests import i18n_catalogue as tool

    extracted = tool.extract()
    template = tool.read(tool.POT)
    ids = {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in extracted if m.id}
    in_pot = {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in template if m.id}
    assert ids - in_pot == set(), "run: python -m tests.i18n_catalogue"
    assert in_pot - ids == set(), "run: python -m tests.i18n_catalogue"
    spanish = tool.read(tool.po_path("es"))
    problems = []
    for message in template:
        if not message.id:
            continue
        found = spanish.get(message.id, context=message.context)
        if found is None:
            problems.append(f"missing: {message.id!r}")
        elif "fuzzy" in found.flags:
            problems.append(f"fuzzy: {message.id!r}")
        elif not (found.string if isinstance(found.string, str) else all(found.string)):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)[^{}]*\}")


def test_translations_keep_every_named_placeholder() -> None:
    pytest.importorskip("babel")
    from tests import i18n_catalogue as tool

    wrong = []
    for message in tool.read(tool.po_path("es")):
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = {m.group(0) for m in PLACEHOLDER.finditer(sources[-1])}
        for string in strings:
            if {m.group(0) for m in PLACEHOLDER.finditer(string)} != wanted:
                wrong.append((message.id, string))
    assert wrong == []


def test_the_compiler_gives_gettext_what_babel_reads() -> None:
    pytest.importorskip("babel")
    from tests import i18n_catalogue as tool

    text = tool.po_path("es").read_text(encoding="utf-8")
    translations = gettext.GNUTranslations(io.BytesIO(msgfmt.compile_po(text)))
    catalog = tool.read(tool.po_path("es"))
    checked = 0
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string:
            assert translations.gettext(message.id) == message.string
            checked += 1
    assert checked > 40
    assert translations.ngettext("x", "xs", 1) == "x"  # untranslated: the English


def test_fuzzy_and_untranslated_entries_stay_english() -> None:
    po = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, fuzzy\nmsgid "Options"\nmsgstr "Opciones"\n\n'
        'msgid "Usage: "\nmsgstr ""\n\n'
        'msgctxt "answer"\nmsgid "Not sure"\nmsgstr "No s\\u00e9"\n\n'
        'msgid "one day"\nmsgid_plural "{n} days"\nmsgstr[0] "un d\\u00eda"\n'
        'msgstr[1] "{n} d\\u00edas"\n'
    )
    translations = gettext.GNUTranslations(io.BytesIO(msgfmt.compile_po(po)))
    assert translations.gettext("Options") == "Options"
    assert translations.gettext("Usage: ") == "Usage: "
    assert translations.pgettext("answer", "Not sure") == "No sé"
    assert translations.ngettext("one day", "{n} days", 3) == "{n} días"


# --------------------------------------------------------------------------- the command


def run(args: list[str], env: dict[str, str], lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_spasm(), *args],
        env={**env, "LANG": lang},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_help_is_spanish_with_typers_own_words(spasm_env: dict[str, str]) -> None:
    result = run(["--help"], spasm_env, "es_ES.UTF-8")
    assert result.returncode == 0
    assert result.stdout.startswith("Uso: spasm [OPCIONES] COMANDO [ARGUMENTOS]...")
    assert "Opciones:" in result.stdout
    assert "Comandos:" in result.stdout
    assert "Muestra este mensaje y termina." in result.stdout
    for english in ("Usage:", "Options:", "Commands:", "Show this message and exit."):
        assert english not in result.stdout


def test_a_mistyped_command_gets_a_spanish_error(spasm_env: dict[str, str]) -> None:
    result = run(["remdy", "heat"], spasm_env, "es_MX.UTF-8")
    assert result.returncode == 2
    assert "Error: No existe el comando 'remdy'. ¿Quería decir 'remedy', 'remedies'?" in (
        result.stderr
    )
    assert "Pruebe 'spasm -h' para ver la ayuda." in result.stderr


def test_a_missing_argument_is_said_in_spanish(spasm_env: dict[str, str]) -> None:
    result = run(["timer"], spasm_env, "es_US.UTF-8")
    assert result.returncode == 2
    assert "Error: Falta el argumento" in result.stderr


def test_the_c_locale_stays_english(spasm_env: dict[str, str]) -> None:
    result = run(["--help"], {**spasm_env, "LANGUAGE": "es"}, "C")
    assert result.stdout.startswith("Usage: spasm [OPTIONS] COMMAND [ARGS]...")
    error = run(["remdy"], spasm_env, "C")
    assert "Error: No such command 'remdy'. Did you mean" in error.stderr


def test_lang_option_and_spasm_lang_win_over_the_locale(spasm_env: dict[str, str]) -> None:
    assert run(["--lang", "en", "--help"], spasm_env, "es_ES.UTF-8").stdout.startswith("Usage:")
    assert run(["--help", "--lang", "es"], spasm_env, "C").stdout.startswith("Uso:")
    env = {**spasm_env, "SPASM_LANG": "es"}
    assert run(["--help"], env, "en_GB.UTF-8").stdout.startswith("Uso:")


def test_an_unknown_language_is_one_message_and_exit_2(spasm_env: dict[str, str]) -> None:
    result = run(["--lang", "fr", "remedy", "heat"], spasm_env, "C")
    assert result.returncode == 2
    assert result.stderr == "spasm: unknown language 'fr' in --lang; known: en, es\n"


def test_the_language_can_be_remembered(spasm_env: dict[str, str]) -> None:
    saved = run(["config", "set", "lang", "es_ES"], spasm_env, "C")
    assert saved.returncode == 0, saved.stderr
    assert run(["--help"], spasm_env, "C").stdout.startswith("Uso:")
    assert run(["--help"], {**spasm_env, "SPASM_LANG": "en"}, "C").stdout.startswith("Usage:")
    refused = run(["config", "set", "lang", "klingon"], spasm_env, "C")
    assert refused.returncode == 2
