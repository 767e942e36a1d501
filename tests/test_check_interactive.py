"""`spasm check`, `spasm plan` and `spasm forget` on a real terminal: the installed script
in a pseudo-terminal, answered as a person would."""

from __future__ import annotations

import datetime
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import installed_spasm
from tests.triage_kb import fixture_kb

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.installed

#: Every prompt ends with one of these hints.
HINT = re.compile(r"\[(y/n/s/b/\?|\d+-\d+/b/\?|number/b/\?|numbers/b|Y/n|y/N)\] ")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
UK_999 = "999 (United Kingdom emergency)"


@pytest.fixture
def env(spasm_env: dict[str, str]) -> dict[str, str]:
    return {**spasm_env, "TERM": "xterm", "COLUMNS": "80", "LINES": "24", "LANG": "en_GB.UTF-8"}


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        installed_spasm(), list(args), env=env, encoding="utf-8", timeout=30, dimensions=(24, 80)
    )


def plain(text: str) -> str:
    """Terminal output with escape codes removed and white space folded."""
    return " ".join(ANSI.sub("", text).replace("│", " ").split())


class Session:
    """Drives one run: `reply(prompt)` answers each prompt; every prompt is kept."""

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.prompts: list[str] = []
        self.transcript: list[str] = []
        child.logfile_read = self

    def write(self, text: str) -> None:  # pexpect's logfile_read
        self.transcript.append(text)

    def flush(self) -> None:
        pass

    def next_prompt(self) -> str | None:
        """The next prompt with what was shown since the last one (a list's signs), or None
        when the program has ended."""
        index = self.child.expect([HINT, pexpect.EOF])
        if index == 1:
            return None
        block = plain(self.child.before + self.child.after)
        self.prompts.append(block)
        return block

    def run(self, reply: Callable[[str], str]) -> int:
        while (prompt := self.next_prompt()) is not None:
            self.child.sendline(reply(prompt))
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)

    @property
    def out(self) -> str:
        return plain("".join(self.transcript))


def calm(
    started: str = "3", age: str = "2", days: str = "1", **special: str
) -> Callable[[str], str]:
    """Answers: UK, how it started (option number: a sudden movement), the age band
    (option number: 20-49), day 1, pain 3, and "n" to every sign, except prompts
    containing a key of `special` (answered with its value)."""

    def reply(prompt: str) -> str:
        for needle, answer in special.items():
            if needle.replace("_", " ") in prompt:
                return answer
        if "Where are you?" in prompt:
            return "1"
        if "How did this spasm start?" in prompt:
            return started
        if "How old are you?" in prompt:
            return age
        if "How many days ago" in prompt:
            return days
        if "How bad has the pain been" in prompt:
            return "3"
        return "n"

    return reply


def saved_rows(env: dict[str, str]) -> int:
    path = Path(env["SPASM_HOME"]) / "data" / "spasm.sqlite3"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])


# --------------------------------------------------------------------------- the all-no path


@pytest.mark.parametrize(
    ("lang", "started", "age", "days", "answers"),
    [
        # the longest all-no path: no region known; lifting, so bone risk is asked with
        # the emergency signs; 50 to 69, so "is it new for you" is asked; day 4, so "no
        # improvement after 3 days" is asked
        ("C", "1", "3", "4", 12),
        # region from the locale, a sudden movement, 20 to 49, day 1
        ("en_GB.UTF-8", "3", "2", "1", 11),
    ],
)
def test_the_all_no_path_takes_at_most_12_answers(
    env: dict[str, str], lang: str, started: str, age: str, days: str, answers: int
) -> None:
    session = Session(spawn({**env, "LANG": lang}, "check", "--format", "plain"))
    assert session.run(calm(started, age, days)) == 0
    assert len(session.prompts) == answers
    assert len(session.prompts) <= 12
    # the counter shown with each question says how many are left when all are "no"
    assert f"[{answers}/{answers}]" in session.prompts[-1]
    assert "Self-care at home" in session.out
    # Days are said one way: the day of the spasm and the date it started (issue 18).
    started = (datetime.date.today() - datetime.timedelta(days=int(days))).strftime("%-d %b")
    assert f"Today (day {days}, since {started})" in session.out
    assert session.out.rstrip().endswith("for when to get help.")
    assert UK_999 in session.out
    assert saved_rows(env) == 1


def test_the_checklists_show_at_most_five_signs(env: dict[str, str]) -> None:
    session = Session(spawn(env, "check", "--no-save"))
    assert session.run(calm()) == 0
    text = ANSI.sub("", "".join(session.transcript))
    for block in re.split(r"Do any of these apply to you\?", text)[:-1]:
        numbered = re.findall(r"^\s+(\d)\. ", block.rsplit("]", 1)[-1], re.M)
        assert len(numbered) <= 5


# --------------------------------------------------------------------------- b, ?, not sure


def test_b_goes_back_one_question(env: dict[str, str]) -> None:
    child = spawn(env, "check", "--format", "plain", "--no-save")
    session = Session(child)
    assert "How did this spasm start?" in (session.next_prompt() or "")
    child.sendline("b")  # nothing before the first question
    assert "How did this spasm start?" in (session.next_prompt() or "")
    assert "This is the first question." in session.out
    child.sendline("3")
    assert "How old are you?" in (session.next_prompt() or "")
    child.sendline("b")
    assert "How did this spasm start?" in (session.next_prompt() or "")
    child.sendline("5")  # heavy sweating, vomiting or diarrhoea this time
    assert session.run(calm()) == 0
    assert "Urgent: get medical advice today" in session.out
    assert "Self-care at home" not in session.out


def test_question_mark_explains_and_bad_input_asks_again(env: dict[str, str]) -> None:
    child = spawn(env, "check", "--no-save")
    session = Session(child)
    for reply in ("3", "2", "1", "3"):
        session.next_prompt()
        child.sendline(reply)
    assert "Do any of these apply to you?" in (session.next_prompt() or "")
    child.sendline("?1")
    session.next_prompt()
    assert "bicycle saddle" in session.out  # saddle-numbness, explained in plain words
    child.sendline("maybe")
    session.next_prompt()
    assert "Please answer y (yes, one or more applies)" in session.out
    child.sendintr()
    child.expect(pexpect.EOF)


def test_not_sure_counts_as_yes_and_says_so(env: dict[str, str]) -> None:
    child = spawn(env, "check", "--format", "plain", "--no-save")
    session = Session(child)

    def reply(prompt: str) -> str:
        if "Which are you not sure about?" in prompt:
            return "1"
        if "Do any of these" in prompt and "Fever or high temperature" in prompt:
            return "s"
        return calm()(prompt)

    assert session.run(reply) == 0
    assert "Urgent: get medical advice today" in session.out
    assert "You were not sure about: Fever or high temperature" in session.out
    assert "Today (day" not in session.out  # no self-care beside urgent


def test_an_emergency_answer_ends_the_questions_at_once(env: dict[str, str]) -> None:
    child = spawn(env, "check", "--region", "nz", "--no-save")
    session = Session(child)

    def reply(prompt: str) -> str:
        if "Which ones?" in prompt:
            return "5"  # chest pain
        if "Do any of these" in prompt:
            return "y"
        return calm()(prompt)

    assert session.run(reply) == 0
    assert len(session.prompts) == 6  # 4 context answers, the list, which one
    assert "Emergency: get help now" in session.out
    assert "111 (New Zealand emergency)" in session.out
    assert "╭" in "".join(session.transcript)  # Rich panels on a terminal


# --------------------------------------------------------------------------- Ctrl-C, Ctrl-D


def test_ctrl_c_exits_130_and_saves_nothing(env: dict[str, str]) -> None:
    child = spawn(env, "check")
    session = Session(child)
    for reply in ("3", "2", "1", "3", "n"):
        session.next_prompt()
        child.sendline(reply)
    session.next_prompt()
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in session.out
    assert "interrupted; nothing was saved" in session.out
    assert saved_rows(env) == 0


def test_ctrl_d_stops_like_ctrl_c(env: dict[str, str]) -> None:
    child = spawn(env, "check")
    session = Session(child)
    session.next_prompt()
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "nothing was saved" in session.out
    assert saved_rows(env) == 0


def test_ctrl_c_in_plan_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    child = spawn(env, "plan", "--output", str(folder / "plan.md"))
    session = Session(child)
    session.next_prompt()
    child.sendline("3")
    session.next_prompt()
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(folder.iterdir()) == []
    assert saved_rows(env) == 0


# --------------------------------------------------------------------------- check, then plan


def test_check_then_plan_asks_nothing_twice(env: dict[str, str], tmp_path: Path) -> None:
    first = Session(spawn(env, "check", "--format", "plain"))
    assert first.run(calm()) == 0
    asked = len(first.prompts)
    target = tmp_path / "plan.md"
    second = Session(spawn(env, "plan", "--format", "plain", "--output", str(target)))
    assert second.run(lambda prompt: "") == 0  # Enter: yes, use them
    assert len(second.prompts) == 1
    assert "Use your answers from just now?" in second.prompts[0]
    assert "Now: the first 2 to 3 days" in second.out
    assert target.exists()
    # the cause as answered in the check; the written plan carries the depth
    assert "A sudden or awkward movement" in target.read_text(encoding="utf-8")
    assert saved_rows(env) == 1  # reused answers are not saved again
    assert asked >= 10
    third = Session(spawn(env, "plan", "--no-save"))
    assert third.run(lambda prompt: "n" if "[Y/n]" in prompt else calm()(prompt)) == 0
    assert len(third.prompts) == asked + 1  # "no" to reuse: asked afresh


def test_options_given_are_not_asked_again(env: dict[str, str]) -> None:
    session = Session(
        spawn(env, "check", "--started", "posture", "--days", "2", "--no-save", "--has", "fever")
    )
    assert session.run(calm()) == 0
    text = " ".join(session.prompts)
    assert "How did this spasm start?" not in text
    assert "How many days ago" not in text
    assert "Fever or high temperature" not in session.out.split("Why")[0]


def test_prompts_never_read_data_as_markup(env: dict[str, str], tmp_path: Path) -> None:
    base = fixture_kb(tmp_path)
    child = spawn(env, "--kb", str(base), "check", "--no-save")
    session = Session(child)
    while (prompt := session.next_prompt()) is not None:
        if "Do any of these" in prompt and "[bold]or[/bold] <b>struggling</b>" in prompt:
            break
        child.sendline(calm()(prompt))
    child.sendline("?")
    session.next_prompt()
    assert "[red]explanation[/red]" in session.out
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_forget_asks_on_a_terminal(env: dict[str, str]) -> None:
    assert Session(spawn(env, "check", "--no-others", "--has", "fever")).run(calm()) == 0
    keep = Session(spawn(env, "forget"))
    assert keep.run(lambda prompt: "") == 0  # Enter: no
    assert "Nothing was deleted." in keep.out
    assert saved_rows(env) == 1
    gone = Session(spawn(env, "forget"))
    assert gone.run(lambda prompt: "y") == 0
    assert "Delete 1 saved check answers?" in gone.prompts[0]
    assert "Deleted 1 saved record." in gone.out
    assert saved_rows(env) == 0


# --------------------------------------------------------------------------- the diary


def test_a_15_day_diary_is_put_to_the_person_instead_of_asked_again(
    env: dict[str, str],
) -> None:
    import datetime
    import subprocess

    today = datetime.date.today()
    rows = "".join(
        f"{today - datetime.timedelta(days=back)} 00:00,5,lower\n" for back in range(15, -1, -1)
    )
    diary_file = Path(env["HOME"]) / "sixteen-days.csv"
    diary_file.write_text("at,pain,area\n" + rows, encoding="utf-8")
    logged = subprocess.run(
        [installed_spasm(), "import", str(diary_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert logged.returncode == 0 and "imported 16 entries" in logged.stdout, logged
    session = Session(spawn(env, "check", "--format", "plain"))
    assert session.run(calm(days="15", **{"Is that right?": "y"})) == 0
    diary_prompt = next(p for p in session.prompts if "Your diary:" in p)
    assert "Is that right?" in diary_prompt
    assert not any("not better" in p.lower() and "[y/n/s" in p for p in session.prompts)
    assert "See a GP" in session.out
