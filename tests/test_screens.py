"""Views on one screen (issue 18): in a pseudo-terminal of 30 rows by 100 columns, the first
30 lines of doctor, plan, ask, check's verdict and trends hold their answer and the number to
call (depth behind --full). Run through the installed `spasm`, as a person would."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

SPASM = shutil.which("spasm") or str(Path(__file__).resolve().parent.parent / ".venv/bin/spasm")
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]|\x1b\][^\x07]*\x07")
ROWS, COLUMNS = 30, 100
UK = "999 (United Kingdom emergency)"
CONTEXT = ["--no-others", "--no-save", "--started", "lifting", "--age-band", "20-49"]


def screen(home: Path, *args: str) -> list[str]:
    env = {
        **os.environ,
        "SPASM_HOME": str(home / "spasm"),
        "HOME": str(home),
        "COLUMNS": str(COLUMNS),
        "LINES": str(ROWS),
        "TERM": "xterm-256color",
        "SPASM_REGION": "uk",
    }
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        SPASM, list(args), env=env, dimensions=(ROWS, COLUMNS), encoding="utf-8", timeout=60
    )
    out = child.read()
    child.close()
    lines = ANSI.sub("", out).replace("\r\n", "\n").rstrip("\n").split("\n")
    assert all(len(line) <= COLUMNS for line in lines)
    return lines


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        (("doctor",), "Emergency: get help now"),
        (("plan", *CONTEXT, "--days", "1", "--severity", "5"), "1. Stay gently active"),
        (("check", *CONTEXT, "--days", "1", "--severity", "5"), "Self-care at home"),
        (("check", "--no-others", "--no-save", "--has", "chest-pain"), "Emergency: get help now"),
        (("ask", "should", "I", "use", "ice", "or", "heat"), "In the first 48 hours"),
        (("ask", "can", "I", "go", "back", "to", "work"), "Stay at work or go back early"),
        (("ask", "is", "this", "dangerous"), "Most back spasms are not dangerous"),
    ],
)
def test_the_first_screen_holds_the_answer_and_the_number(
    isolated_home: Path, args: tuple[str, ...], answer: str
) -> None:
    lines = screen(isolated_home, *args)
    first = "\n".join(lines[:ROWS])
    assert answer in first, first
    assert UK in first or "Call 999" in first, first


def test_doctor_and_plan_fit_where_they_scrolled(isolated_home: Path) -> None:
    doctor = screen(isolated_home, "doctor")
    assert len(doctor) <= ROWS  # was 65, then 43
    assert "Call 999 (United Kingdom emergency) now" in doctor[1], doctor
    assert "NHS 111 (England, United Kingdom)" in "\n".join(doctor), doctor
    assert doctor[-1] == "Worried, or not getting better? Run `spasm doctor` for when to get help."
    plan = screen(isolated_home, "plan", *CONTEXT, "--days", "1", "--severity", "5")
    assert len(plan) <= ROWS  # was 72, then 36
    assert "1. Stay gently active" in "\n".join(plan), plan
    assert plan[-1] == "Worried, or not getting better? Run `spasm doctor` for when to get help."
    assert len(screen(isolated_home, "ask", "ice", "or", "heat")) <= 40  # was 77


def test_trends_and_history_carry_the_strip(isolated_home: Path) -> None:
    for day in ("2026-11-21", "2026-11-22", "2026-11-23"):
        given = ("--where", "lower", "--trigger", "lifting", "--helped", "heat", "--note", "x")
        screen(isolated_home, "log", "--pain", "5", "--at", day, *given)
    for command in ("trends", "history"):
        first = "\n".join(screen(isolated_home, command)[:ROWS])
        assert first.startswith("Emergency: numb groin"), (command, first)
        assert "Call 999 (United Kingdom emergency) now" in first, command
    trends = "\n".join(screen(isolated_home, "trends")[:ROWS])
    assert "Average pain: 5.0" in trends
    assert re.search(r"This episode: day \d+, since 21 Nov", trends), trends
