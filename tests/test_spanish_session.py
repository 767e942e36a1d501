"""Issue 20's "done when", as a new user with LANG=es_ES.UTF-8 would try it: the installed
spasm in subprocesses, and `spasm check` answered in a pseudo-terminal with s, n and "no
sé". Every line is Spanish except the marked fallbacks ("(en inglés)"); LANG=C is English."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pexpect
import pytest

from tests.helpers import installed_spasm

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: Words that mark a line as English (a Spanish line has none of them, or one by chance).
_WORDS = (
    "the your you with when what is are not now get help call steps cautions why today"
    " next pain logged left started ends minutes session"
)
ENGLISH = frozenset(_WORDS.split(" "))


def english_lines(text: str) -> list[str]:
    """Lines with two or more English words, leaving out marked fallbacks."""
    found = []
    for line in ESCAPES.sub("", text).splitlines():
        if "(en inglés)" in line:
            continue
        words = re.findall(r"[a-z]+", line.casefold())
        if sum(word in ENGLISH for word in words) >= 2:
            found.append(line)
    return found


def run(args: list[str], env: dict[str, str], lang: str = "es_ES.UTF-8") -> str:
    result = subprocess.run(
        [installed_spasm(), *args],
        env={**env, "LANG": lang, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        ([], "Para empezar"),
        (["--help"], "Comandos:"),
        (["remedy", "calor"], "Calor (remedio: heat"),
        (["doctor", "--region", "es"], "Llame ya a emergencias: 112 (emergencias, España)"),
        (["plan", "--started", "lifting", "--days", "1", "--no-others", "--no-save"], "Ahora"),
        (["remedios"], "Remedios"),
        (["causas"], "Causas"),
    ],
)
def test_spanish_throughout(spasm_env: dict[str, str], args: list[str], spanish: str) -> None:
    out = run(args, spasm_env)
    assert spanish in out
    assert english_lines(out) == []


def test_a_diary_in_spanish(spasm_env: dict[str, str]) -> None:
    logged = run(["log", "--pain", "5", "--where", "lower", "--at", "2026-12-01 08:00"], spasm_env)
    assert "Anotado #1" in logged and "Dónde: parte baja de la espalda" in logged
    trends = run(["trends"], spasm_env)
    assert "Dolor medio: 5.0" in trends
    assert english_lines(logged + trends) == []


#: English that these commands printed in Spanish before it went through the catalogue.
SEEN_IN_ENGLISH = (
    "planned",
    " done,",
    "finished",
    "ice timer",
    "(ice: ",
    "red-flag sign",
    "never takes silence",
    "using your answers",
    "--fresh asks again",
)


def assert_no_seen_english(text: str) -> None:
    leftovers = [phrase for phrase in SEEN_IN_ENGLISH if phrase in ESCAPES.sub("", text)]
    assert leftovers == []


def test_sessions_in_trends_and_plan_notices(spasm_env: dict[str, str]) -> None:
    timed = run(["timer", "hielo", "--yes", "--seconds", "1"], spasm_env)
    run(["log", "--pain", "5", "--note", "prueba"], spasm_env)
    run(["log", "--pain", "3", "--note", "otra"], spasm_env)
    trends = run(["trends"], spasm_env)
    assert "Sesiones registradas (frío: 1)" in trends
    assert "temporizador de frío: 0:01 previstos, 0:01 hechos, terminada" in trends
    assert "Entradas: 2" in trends and "Dolor medio: 4.0" in trends
    history = run(["history"], spasm_env)
    assert "Diario del dolor (2 entradas, 1 sesión, todas las entradas" in history
    assert "#2 " in history and ' dolor 3: "otra"' in history
    assert "Pain diary" not in history and " pain 3" not in history
    plan = subprocess.run(
        [installed_spasm(), "plan"],
        env={**spasm_env, "LANG": "es_ES.UTF-8", "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert plan.returncode == 2 and "Traceback" not in plan.stderr
    assert "32 señales de alarma no tienen respuesta" in plan.stderr
    assert "  emergencia: saddle-numbness" in plan.stderr
    assert "indique --has ID (o --unsure ID)" in plan.stderr
    answered = run(["check", "--has", "fever", "--no-others", "--region", "es"], spasm_env)
    reused = run(["plan", "--region", "es"], spasm_env)
    assert "se usan sus respuestas de" in reused
    assert_no_seen_english(plan.stderr)  # its sign ids ("abdominal-pain") are --has's values
    for text in (timed, trends, history, answered, reused):
        assert_no_seen_english(text)
        assert english_lines(text) == []


#: Metavars that were English in the Spanish help.
HELP_ENGLISH = re.compile(r"\b(PATH|FILE|LANG|REGION|WHEN|NAME|AREA|SIDE|ARGS)\b")


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        (["--help"], "--kb RUTA"),
        (["log", "--help"], "--where ZONA [LADO] [leg]"),
        (["remedy", "--help"], "Uso: spasm remedy [OPCIONES] [NOMBRE]..."),
        (["plan", "--help"], "-o, --output ARCHIVO"),
        (["trends", "--help"], "--since 14d|2w|YYYY-MM-DD"),
        (["timer", "--help"], "-r, --region REGIÓN"),
    ],
)
def test_help_metavars(spasm_env: dict[str, str], args: list[str], spanish: str) -> None:
    out = run(args, spasm_env)
    assert spanish in out
    assert HELP_ENGLISH.findall(out.replace("LC_MESSAGES, LANG)", "")) == []


def test_mistyped_command_in_spanish(spasm_env: dict[str, str]) -> None:
    result = subprocess.run(
        [installed_spasm(), "remedi"],
        env={**spasm_env, "LANG": "es_ES.UTF-8", "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 2
    assert "Error: No existe el comando 'remedi'. ¿Quería decir 'remedy'" in result.stderr
    assert "Uso: spasm [OPCIONES] COMANDO [ARGUMENTOS]..." in result.stderr
    assert "No such command" not in result.stderr and "Usage" not in result.stderr


def test_timer_hielo(spasm_env: dict[str, str]) -> None:
    out = run(["timer", "hielo", "--yes", "--seconds", "2"], spasm_env)
    assert "Frío: 0:02" in out and "Próxima sesión de frío" in out
    assert english_lines(out) == []


def test_c_stays_english(spasm_env: dict[str, str]) -> None:
    out = run(["remedy", "heat"], spasm_env, lang="C")
    assert "Heat therapy (remedy: heat" in out and "Calor" not in out


def test_check_answered_with_s_n_and_no_se(spasm_env: dict[str, str], tmp_path: Path) -> None:
    env = {**spasm_env, "LANG": "es_ES.UTF-8", "COLUMNS": "100", "TERM": "xterm"}
    child = pexpect.spawn(
        installed_spasm(), ["check", "--region", "es"], env=env, encoding="utf-8", timeout=30
    )
    seen = []
    answers = iter(["1", "2", "2", "4"])  # lifting, 20-49, day 2, pain 4
    try:
        while True:
            index = child.expect(
                [r"\[(1-\d+|0-10|número)/a/\?\] ", r"\[s/n/ns/a/\?\] ", pexpect.EOF]
            )
            seen.append(child.before)
            if index == 2:
                break
            if index == 0:
                child.sendline(next(answers))
            elif not any("no sé" in line for line in seen[-1:]) and len(seen) == 6:
                child.sendline("no sé")
                child.expect(r"\[números/a\] ")
                child.sendline("1")
            else:
                child.sendline("n")
    finally:
        child.close()
    text = "".join(seen)
    assert "Responda s (sí), n (no) o ns (no sé)" in text
    assert "¿Cómo empezó este espasmo?" in text
    verdict = ESCAPES.sub("", text)
    assert "Por qué" in verdict or "Hoy" in verdict or "Vaya a su médico" in verdict
    assert english_lines(text) == []
