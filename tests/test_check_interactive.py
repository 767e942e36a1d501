"""`spasm check` and `spasm plan` on a real terminal: the installed script in a pty."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import pytest

from back_spasm_cli import triage as engine
from tests.test_triage import SHIPPED, fixture_kb

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.installed

SPASM = Path(sys.executable).parent / "spasm"
COUNTER = re.compile(r"\[(\d+)/(\d+)\]")
HINTS = [r"\[y/n/\?\]", r"\[1-\d+ or \?\]", r"\[a number or \?\]", r"\[0-10 or \?\]"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CONTEXT = ["started", "days", "severity", "daily_activities"]
CALM = {"started": "1", "days": "1", "severity": "4", "daily_activities": "n"}


@pytest.fixture
def env(isolated_home: Path) -> dict[str, str]:
    return {
        "SPASM_HOME": str(isolated_home / "spasm"),
        "HOME": str(isolated_home),
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm",
        "COLUMNS": "80",
        "LINES": "24",
        "LANG": "en_GB.UTF-8",
    }


def spawn(env: dict[str, str], *args: str, cwd: Path | None = None) -> pexpect.spawn:
    if not SPASM.exists():
        pytest.fail(f"the spasm entry point is not installed at {SPASM}")
    return pexpect.spawn(
        str(SPASM),
        list(args),
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 80),
        cwd=str(cwd) if cwd else None,
    )


def order(skip: tuple[str, ...] = ()) -> list[str]:
    """What each numbered prompt asks: red-flag ids, then the context questions."""
    return [f.id for f in engine.questions(SHIPPED) if f.id not in skip] + CONTEXT


def drive(
    child: pexpect.spawn, replies: dict[str, str], asked: list[str], default: str = "n"
) -> list[str]:
    """Answer prompts until the program ends; return the ids asked, in order."""
    seen: list[str] = []
    while True:
        index = child.expect([*HINTS, pexpect.EOF])
        if index == len(HINTS):
            return seen
        number = int(COUNTER.findall(ANSI.sub("", child.before))[-1][0])
        question = asked[number - 1]
        if not seen or seen[-1] != question:
            seen.append(question)
        child.sendline(replies.get(question, CALM.get(question, default)))


def finish(child: pexpect.spawn) -> tuple[int | None, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, ANSI.sub("", child.before or "")


def plain(text: str) -> str:
    """Terminal output with escape codes removed and white space folded."""
    return " ".join(ANSI.sub("", text).replace("│", " ").split())


def test_yes_no_help_reask_and_an_urgent_result(env: dict[str, str]) -> None:
    asked = order()
    first = next(f for f in SHIPPED.red_flags if f.id == asked[0])
    child = spawn(env, "check", "--region", "uk", "--format", "plain")
    transcript: list[str] = []
    child.logfile_read = _Tee(transcript)
    child.expect(HINTS[0])
    child.sendline("?")
    child.expect(HINTS[0])
    assert " ".join(first.explain.split()[:4]) in plain(child.before)
    child.sendline("maybe")
    child.expect(HINTS[0])
    assert "Please answer y (yes), n (no) or ? (what this means)." in plain(child.before)
    assert "[1/" in child.before  # the same question again
    child.sendline("n")
    seen = drive(child, {"fever": "y"}, asked)
    child.close()
    assert child.exitstatus == 0
    out = plain("".join(transcript))
    assert seen == asked[1:]  # every question after the first, once each
    urgent = next(c for c in SHIPPED.care_levels if c.id == "urgent")
    fever = next(f for f in SHIPPED.red_flags if f.id == "fever")
    assert urgent.title in out
    assert fever.title in out
    assert "NHS 111 (England, United Kingdom)" in out
    assert SHIPPED.meta is not None and SHIPPED.meta.doctor_pointer in out


def test_asking_stops_at_an_emergency_answer(env: dict[str, str]) -> None:
    asked = order()
    child = spawn(env, "check", "--region", "uk")
    transcript: list[str] = []
    child.logfile_read = _Tee(transcript)
    seen = drive(child, {asked[1]: "y"}, asked)
    child.close()
    assert child.exitstatus == 0
    assert seen == asked[:2]
    emergency = next(c for c in SHIPPED.care_levels if c.id == "emergency")
    assert emergency.title in plain("".join(transcript))


def test_emergency_result_in_panels(env: dict[str, str]) -> None:
    child = spawn(env, "check", "--region", "nz")
    transcript: list[str] = []
    child.logfile_read = _Tee(transcript)
    child.expect(HINTS[0])
    child.sendline("y")
    status, _ = finish(child)
    out = "".join(transcript)
    assert status == 0
    assert "╭" in out  # Rich panels on a terminal
    emergency = next(c for c in SHIPPED.care_levels if c.id == "emergency")
    assert emergency.title in plain(out)
    assert "111 (New Zealand emergency)" in plain(out)
    assert "[2/" not in out


def test_ctrl_c_exits_130_without_a_traceback(env: dict[str, str]) -> None:
    child = spawn(env, "check")
    for _ in range(3):
        child.expect(HINTS[0])
        child.sendline("n")
    child.expect(HINTS[0])
    child.send("\x03")
    status, out = finish(child)
    assert status == 130
    assert "Traceback" not in out
    assert "interrupted" in out


def test_ctrl_d_stops_like_ctrl_c(env: dict[str, str]) -> None:
    child = spawn(env, "check")
    child.expect(HINTS[0])
    child.sendeof()
    status, out = finish(child)
    assert status == 130
    assert "Traceback" not in out
    assert "nothing was saved" in out


def test_ctrl_c_in_plan_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    child = spawn(env, "plan", "--output", str(folder / "plan.md"))
    child.expect(HINTS[0])
    child.sendline("n")
    child.expect(HINTS[0])
    child.send("\x03")
    status, out = finish(child)
    assert status == 130
    assert "Traceback" not in out
    assert list(folder.iterdir()) == []


def test_a_whole_plan_on_a_terminal_with_a_handout(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "plan.md"
    asked = order()
    child = spawn(env, "plan", "--region", "uk", "--output", str(target), "--format", "plain")
    transcript: list[str] = []
    child.logfile_read = _Tee(transcript)
    replies = {"started": "?", "days": "-1"}
    seen: list[str] = []
    # the "?" and "-1" replies are explained / refused, then answered properly
    while True:
        index = child.expect([*HINTS, pexpect.EOF])
        if index == len(HINTS):
            break
        number = int(COUNTER.findall(ANSI.sub("", child.before))[-1][0])
        question = asked[number - 1]
        again = bool(seen) and seen[-1] == question
        seen.append(question)
        reply = CALM.get(question, "n") if again else replies.get(question, CALM.get(question, "n"))
        child.sendline(reply)
    child.close()
    assert child.exitstatus == 0
    out = plain("".join(transcript))
    assert SHIPPED.triage is not None
    assert " ".join(SHIPPED.triage.started.explain.split()[:4]) in out
    assert "Please type a whole number 0 or more" in out
    assert SHIPPED.plan is not None
    assert SHIPPED.plan.phases[0].title in out
    assert f"wrote the plan to {target}" in out
    text = target.read_text(encoding="utf-8")
    assert datetime.date.today().isoformat() in text
    assert SHIPPED.triage.started.options[0].label in text
    assert "See: spasm remedy rest-and-ice" in text


def test_options_given_are_not_asked_again(env: dict[str, str]) -> None:
    asked = order(skip=("fever",))
    child = spawn(env, "check", "--has", "fever", "--days", "2", "--region", "uk")
    transcript: list[str] = []
    child.logfile_read = _Tee(transcript)
    seen = drive(child, {}, [a for a in asked if a != "days"])
    child.close()
    assert child.exitstatus == 0
    assert "fever" not in seen and "days" not in seen
    fever = next(f for f in SHIPPED.red_flags if f.id == "fever")
    assert fever.question not in plain("".join(transcript))


def test_an_emergency_given_as_an_option_asks_nothing(env: dict[str, str]) -> None:
    child = spawn(env, "check", "--has", "chest-pain", "--region", "uk")
    status, out = finish(child)
    assert status == 0
    assert "[1/" not in out
    assert "999 (United Kingdom emergency)" in plain(out)


def test_prompts_never_read_data_as_markup(env: dict[str, str], tmp_path: Path) -> None:
    base = fixture_kb(tmp_path)
    child = spawn(env, "--kb", str(base), "check")
    transcript: list[str] = []
    child.logfile_read = _Tee(transcript)
    while True:
        child.expect(HINTS[0])
        if "Are you worried" in ANSI.sub("", child.before).splitlines()[-1]:
            break
        child.sendline("n")
    assert "[bold]or[/bold] <b>struggling</b>" in ANSI.sub("", child.before)
    child.sendline("?")
    child.expect(HINTS[0])
    assert "[red]explanation[/red]" in ANSI.sub("", child.before)
    child.send("\x03")
    status, _ = finish(child)
    assert status == 130


class _Tee:
    """A file-like sink for pexpect's logfile_read that keeps everything read."""

    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def write(self, text: str) -> None:
        self.sink.append(text)

    def flush(self) -> None:
        pass
