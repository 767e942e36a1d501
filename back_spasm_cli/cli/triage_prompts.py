"""Asking the triage questions on a terminal: one at a time, `b` goes back, `?` explains.

The order of questions is the core's (triage.next_question): this module only reads the
keyboard and records answers. Every text from the knowledge base goes to Rich as a Text
object, never as markup. Ctrl-C (KeyboardInterrupt) is left to reach the command group,
which exits 130; Ctrl-D stops the same way. Nothing is saved until every question is done.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from back_spasm_cli.advice import triage
from back_spasm_cli.errors import ExitCode, SpasmError

if TYPE_CHECKING:
    from rich.console import Console

    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

YES = {"y", "yes"}
NO = {"n", "no"}
NOT_SURE = {"s", "not sure", "notsure", "unsure", "ns", "dk", "don't know"}
HELP = {"?", "h", "help"}
BACK = {"b", "back"}

INTRO = (
    "Answer y (yes), n (no) or s (not sure); b goes back one question, ? explains."
    " Ctrl-C stops, and nothing is saved."
)


class InputEnded(SpasmError):
    """Ctrl-D at a question: stop like Ctrl-C, having saved nothing."""

    exit_code = ExitCode.INTERRUPTED


class _Back(Exception):
    """The person typed `b`."""


class Asker:
    """Reads one answer per question; bad input explains what is wanted and asks again."""

    def __init__(self, console: Console) -> None:
        self.console = console

    # ----------------------------------------------------------------- low level

    def say(self, text: str, style: str = "") -> None:
        from rich.text import Text

        from back_spasm_cli.render.text import clean

        self.console.print(Text(clean(text), style=style))

    def read(self, label: str, question: str, hint: str) -> str:
        from rich.text import Text

        from back_spasm_cli.render.text import clean

        prompt = Text()
        if label:
            prompt.append(f"[{label}] ", style="dim")
        prompt.append(clean(question), style="bold")
        prompt.append(f" {hint} ", style="dim")
        try:
            return self.console.input(prompt).strip().lower()
        except EOFError:
            raise InputEnded(
                "input ended before every question was answered; nothing was saved"
            ) from None

    def confirm(self, question: str, *, default: bool) -> bool:
        hint = "[Y/n]" if default else "[y/N]"
        while True:
            reply = self.read("", question, hint)
            if not reply:
                return default
            if reply in YES:
                return True
            if reply in NO:
                return False
            self.say("Please answer y (yes) or n (no).", "yellow")

    # ----------------------------------------------------------------- questions

    def ask(self, question: triage.Question, label: str) -> Any:
        """The answer to one question; raises _Back when the person typed `b`."""
        if isinstance(question, triage.SignList):
            return self._sign_list(question, label)
        if isinstance(question, triage.Choice):
            return self._choice(question, label)
        if isinstance(question, triage.Number):
            return self._number(question, label)
        return self._yes_no_unsure(question.text, question.explain, label) != "no"

    def _yes_no_unsure(self, text: str, explain: str, label: str) -> str:
        while True:
            reply = self.read(label, text, "[y/n/s/b/?]")
            if reply in YES:
                return "yes"
            if reply in NO:
                return "no"
            if reply in NOT_SURE:
                return "unsure"
            if reply in BACK:
                raise _Back
            if reply in HELP:
                self.say(explain, "cyan")
            else:
                self.say(
                    "Please answer y (yes), n (no) or s (not sure); b goes back, ? explains.",
                    "yellow",
                )

    def _sign_list(self, question: triage.SignList, label: str) -> tuple[list[str], list[str]]:
        signs = question.signs
        if len(signs) == 1:
            said = self._yes_no_unsure(question.text, question.explain, label)
            return (
                ([signs[0].id], [])
                if said == "yes"
                else (([], [signs[0].id]) if said == "unsure" else ([], []))
            )
        while True:
            for index, flag in enumerate(signs, start=1):
                self.say(f"  {index}. {flag.sign or flag.title}")
            while True:
                reply = self.read(label, question.text, "[y/n/s/b/?]")
                if reply in YES | NOT_SURE | NO:
                    break
                if reply in BACK:
                    raise _Back
                match = re.fullmatch(r"\?\s*(\d+)", reply)
                if match and 1 <= int(match.group(1)) <= len(signs):
                    flag = signs[int(match.group(1)) - 1]
                    self.say(f"{match.group(1)}. {flag.explain}", "cyan")
                elif reply in HELP:
                    self.say(question.explain, "cyan")
                    for index, flag in enumerate(signs, start=1):
                        self.say(f"{index}. {flag.explain}", "cyan")
                else:
                    self.say(
                        "Please answer y (yes, one or more applies), n (no, none applies) or"
                        " s (not sure); b goes back, ? explains.",
                        "yellow",
                    )
            if reply in NO:
                return [], []
            chosen = self._which(signs, unsure=reply in NOT_SURE)
            if chosen is not None:
                return chosen
            # `b` at "which": show the list again

    def _which(self, signs: tuple[Any, ...], *, unsure: bool) -> tuple[list[str], list[str]] | None:
        if unsure:
            text = "Which are you not sure about? Type their numbers, e.g. 1 3"
        else:
            text = "Which ones? Type their numbers, e.g. 1 3; add ? to one you are not sure of (2?)"
        while True:
            reply = self.read("", text, "[numbers/b]")
            if reply in BACK:
                return None
            tokens = [t for t in re.split(r"[\s,]+", reply) if t]
            if tokens == ["all"]:
                tokens = [str(n) for n in range(1, len(signs) + 1)]
            yes: list[str] = []
            not_sure: list[str] = []
            good = bool(tokens)
            for token in tokens:
                match = re.fullmatch(r"(\d+)(\?)?", token)
                if not match or not 1 <= int(match.group(1)) <= len(signs):
                    good = False
                    break
                flag_id = signs[int(match.group(1)) - 1].id
                (not_sure if unsure or match.group(2) else yes).append(flag_id)
            if good:
                return yes, not_sure
            self.say(f"Please type numbers from 1 to {len(signs)}, or b to go back.", "yellow")

    def _choice(self, question: triage.Choice, label: str) -> str:
        for index, (_, text) in enumerate(question.options, start=1):
            self.say(f"  {index}. {text}")
        ids = [option_id for option_id, _ in question.options]
        while True:
            reply = self.read(label, question.text, f"[1-{len(ids)}/b/?]")
            if reply in BACK:
                raise _Back
            if reply in HELP:
                self.say(question.explain, "cyan")
                continue
            if reply.isdigit() and 1 <= int(reply) <= len(ids):
                return ids[int(reply) - 1]
            if reply and reply in ids:
                return reply
            self.say(
                f"Please type a number from 1 to {len(ids)}; b goes back, ? explains.", "yellow"
            )

    def _number(self, question: triage.Number, label: str) -> int:
        small = question.high <= 100
        hint = f"[{question.low}-{question.high}/b/?]" if small else "[number/b/?]"
        while True:
            reply = self.read(label, question.text, hint)
            if reply in BACK:
                raise _Back
            if reply in HELP:
                self.say(question.explain, "cyan")
                continue
            value = int(reply) if re.fullmatch(r"\d{1,7}", reply) else None
            if value is not None and question.low <= value <= question.high:
                return value
            wanted = (
                f"from {question.low} to {question.high}" if small else f"{question.low} or more"
            )
            self.say(f"Please type a whole number {wanted}; b goes back, ? explains.", "yellow")


def ask_all(
    content: KnowledgeBaseFile,
    answers: triage.CheckAnswers,
    console: Console,
    *,
    ask_region: bool,
) -> tuple[triage.CheckAnswers, int]:
    """Ask every question the answers leave open; return the answers and how many
    questions were answered. `b` undoes the last answer and asks that question again."""
    asker = Asker(console)
    history: list[triage.CheckAnswers] = []
    first = True
    while True:
        question = triage.next_question(content, answers, ask_region=ask_region)
        if question is None:
            if not first:
                console.print()
            return answers, len(history)
        if first:
            asker.say(INTRO, "dim")
            first = False
        number = len(history) + 1
        total = number + triage.remaining(content, answers, ask_region=ask_region) - 1
        try:
            reply = asker.ask(question, f"{number}/{total}")
        except _Back:
            if history:
                answers = history.pop()
            else:
                asker.say("This is the first question.", "yellow")
            continue
        history.append(answers)
        if isinstance(question, triage.SignList):
            yes, unsure = reply
            answers = triage.answer_list(answers, question, yes, unsure)
        else:
            answers = triage.answer(answers, question, reply)
