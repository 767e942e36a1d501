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
from back_spasm_cli.system import i18n
from back_spasm_cli.system.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

#: The answers people type, by language. In Spanish `s` is sí (not "not sure"), "no sé"
#: or `ns` is not sure, and `a` (atrás) goes back; `b` and `y` are still understood.
ANSWERS: dict[str, dict[str, frozenset[str]]] = {
    "en": {
        "yes": frozenset({"y", "yes"}),
        "no": frozenset({"n", "no"}),
        "unsure": frozenset({"s", "not sure", "notsure", "unsure", "ns", "dk", "don't know"}),
        "help": frozenset({"?", "h", "help"}),
        "back": frozenset({"b", "back"}),
    },
    "es": {
        "yes": frozenset({"s", "si", "sí", "y", "yes"}),
        "no": frozenset({"n", "no"}),
        "unsure": frozenset(
            {
                "ns",
                "no sé",
                "no se",
                "nose",
                "nosé",
                "no lo sé",
                "no lo se",
                "no estoy seguro",
                "no estoy segura",
                "not sure",
            }
        ),
        "help": frozenset({"?", "h", "ayuda", "help"}),
        "back": frozenset({"a", "atrás", "atras", "b", "back"}),
    },
}


def answers(kind: str) -> frozenset[str]:
    """What counts as `kind` (yes, no, unsure, help, back) in the interface's language."""
    return ANSWERS.get(i18n.language(), ANSWERS["en"])[kind]


def keys() -> str:
    """The prompt's keys: "y/n/s/b/?" in English, "s/n/ns/a/?" in Spanish."""
    return _("y/n/s/b/?")


def intro() -> str:
    return _(
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
                _("input ended before every question was answered; nothing was saved")
            ) from None

    def confirm(self, question: str, *, default: bool) -> bool:
        hint = _("[Y/n]") if default else _("[y/N]")
        while True:
            reply = self.read("", question, hint)
            if not reply:
                return default
            if reply in answers("yes"):
                return True
            if reply in answers("no"):
                return False
            self.say(_("Please answer y (yes) or n (no)."), "yellow")

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
            reply = self.read(label, text, f"[{keys()}]")
            if reply in answers("yes"):
                return "yes"
            if reply in answers("no"):
                return "no"
            if reply in answers("unsure"):
                return "unsure"
            if reply in answers("back"):
                raise _Back
            if reply in answers("help"):
                self.say(explain, "cyan")
            else:
                self.say(
                    _("Please answer y (yes), n (no) or s (not sure); b goes back, ? explains."),
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
                reply = self.read(label, question.text, f"[{keys()}]")
                if reply in answers("yes") | answers("unsure") | answers("no"):
                    break
                if reply in answers("back"):
                    raise _Back
                match = re.fullmatch(r"\?\s*(\d+)", reply)
                if match and 1 <= int(match.group(1)) <= len(signs):
                    flag = signs[int(match.group(1)) - 1]
                    self.say(f"{match.group(1)}. {flag.explain}", "cyan")
                elif reply in answers("help"):
                    self.say(question.explain, "cyan")
                    for index, flag in enumerate(signs, start=1):
                        self.say(f"{index}. {flag.explain}", "cyan")
                else:
                    self.say(
                        _(
                            "Please answer y (yes, one or more applies), n (no, none applies)"
                            " or s (not sure); b goes back, ? explains."
                        ),
                        "yellow",
                    )
            if reply in answers("no"):
                return [], []
            chosen = self._which(signs, unsure=reply in answers("unsure"))
            if chosen is not None:
                return chosen
            # `b` at "which": show the list again

    def _which(self, signs: tuple[Any, ...], *, unsure: bool) -> tuple[list[str], list[str]] | None:
        if unsure:
            text = _("Which are you not sure about? Type their numbers, e.g. 1 3")
        else:
            text = _(
                "Which ones? Type their numbers, e.g. 1 3; add ? to one you are not sure of (2?)"
            )
        while True:
            reply = self.read("", text, _("[numbers/b]"))
            if reply in answers("back"):
                return None
            tokens = [t for t in re.split(r"[\s,]+", reply) if t]
            if tokens in (["all"], ["todas"], ["todos"]):
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
            self.say(
                _("Please type numbers from 1 to {last}, or b to go back.").format(last=len(signs)),
                "yellow",
            )

    def _choice(self, question: triage.Choice, label: str) -> str:
        for index, (_option, text) in enumerate(question.options, start=1):
            self.say(f"  {index}. {text}")
        ids = [option_id for option_id, _text in question.options]
        while True:
            reply = self.read(label, question.text, _("[1-{last}/b/?]").format(last=len(ids)))
            if reply in answers("back"):
                raise _Back
            if reply in answers("help"):
                self.say(question.explain, "cyan")
                continue
            if reply.isdigit() and 1 <= int(reply) <= len(ids):
                return ids[int(reply) - 1]
            if reply and reply in ids:
                return reply
            self.say(
                _("Please type a number from 1 to {last}; b goes back, ? explains.").format(
                    last=len(ids)
                ),
                "yellow",
            )

    def _number(self, question: triage.Number, label: str) -> int:
        small = question.high <= 100
        hint = (
            _("[{low}-{high}/b/?]").format(low=question.low, high=question.high)
            if small
            else _("[number/b/?]")
        )
        while True:
            reply = self.read(label, question.text, hint)
            if reply in answers("back"):
                raise _Back
            if reply in answers("help"):
                self.say(question.explain, "cyan")
                continue
            value = int(reply) if re.fullmatch(r"\d{1,7}", reply) else None
            if value is not None and question.low <= value <= question.high:
                return value
            wanted = (
                _("Please type a whole number from {low} to {high}; b goes back, ? explains.")
                if small
                else _("Please type a whole number, {low} or more; b goes back, ? explains.")
            )
            self.say(wanted.format(low=question.low, high=question.high), "yellow")


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
            asker.say(intro(), "dim")
            first = False
        number = len(history) + 1
        total = number + triage.remaining(content, answers, ask_region=ask_region) - 1
        try:
            reply = asker.ask(question, f"{number}/{total}")
        except _Back:
            if history:
                answers = history.pop()
            else:
                asker.say(_("This is the first question."), "yellow")
            continue
        history.append(answers)
        if isinstance(question, triage.SignList):
            yes, unsure = reply
            answers = triage.answer_list(answers, question, yes, unsure)
        else:
            answers = triage.answer(answers, question, reply)
