"""`spasm check` and `spasm plan`: ask the red-flag questions, then show a care level or
a plan. The questions, levels and texts come from the knowledge base (triage, plan).

On a terminal the questions are asked one by one; in scripts the answers are options
(`--has ID ... --no-others`). Unanswered red-flag questions are never taken as "no".
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.state import AppState, output_options, state_of, wrote
from back_spasm_cli.errors import ExitCode, SpasmError, UsageError
from back_spasm_cli.render.text import clean

if TYPE_CHECKING:
    from rich.console import Console

    from back_spasm_cli.schema import ContextQuestion, KnowledgeBaseFile, RedFlag
    from back_spasm_cli.triage import Answers

HasOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--has",
        metavar="ID",
        show_default=False,
        help="A red-flag symptom you have (repeat for several). Ids: `spasm doctor --format json`.",
    ),
]
NoOthersOpt = Annotated[
    bool,
    typer.Option(
        "--no-others", help="Answer no to every red-flag question not given with --has (scripts)."
    ),
]
StartedOpt = Annotated[
    str | None,
    typer.Option(
        "--started",
        metavar="lifting|sudden-movement|posture|sweating|stress|unknown",
        show_default=False,
        help="How it started.",
    ),
]
DaysOpt = Annotated[
    int | None,
    typer.Option(
        "--days", metavar="N", show_default=False, help="How many days ago it started (0 = today)."
    ),
]
SeverityOpt = Annotated[
    int | None,
    typer.Option(
        "--severity",
        metavar="0-10",
        show_default=False,
        help="How bad the pain is now: 0 none, 10 the worst you can imagine.",
    ),
]
DailyOpt = Annotated[
    bool | None,
    typer.Option(
        "--daily-activities/--no-daily-activities",
        show_default=False,
        help="Whether the pain stops your normal daily activities.",
    ),
]

YES = {"y", "yes"}
NO = {"n", "no"}
HELP = {"?", "h", "help"}


class InputEnded(SpasmError):
    """Ctrl-D at a question: stop like Ctrl-C, having written nothing."""

    exit_code = ExitCode.INTERRUPTED


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


# --------------------------------------------------------------------------- prompts


class Asker:
    """Asks one question at a time on the terminal; `?` explains, bad input re-asks.

    Every text from the knowledge base goes to Rich as a Text object, never as markup.
    Ctrl-C (KeyboardInterrupt) is left to reach the command group, which exits 130.
    """

    def __init__(self, console: "Console", total: int) -> None:
        self.console = console
        self.total = total
        self.number = 0

    def _read(self, question: str, hint: str) -> str:
        from rich.text import Text

        from back_spasm_cli.render.text import clean

        prompt = Text()
        prompt.append(f"[{self.number}/{self.total}] ", style="dim")
        prompt.append(clean(question), style="bold")
        prompt.append(f" {hint} ", style="dim")
        try:
            return self.console.input(prompt).strip().lower()
        except EOFError:
            raise InputEnded(
                "input ended before every question was answered; nothing was saved"
            ) from None

    def say(self, text: str, style: str = "") -> None:
        from rich.text import Text

        from back_spasm_cli.render.text import clean

        self.console.print(Text(clean(text), style=style))

    def yes_no(self, question: str, explain: str) -> bool:
        self.number += 1
        while True:
            answer = self._read(question, "[y/n/?]")
            if answer in YES:
                return True
            if answer in NO:
                return False
            if answer in HELP:
                self.say(explain, "cyan")
            else:
                self.say("Please answer y (yes), n (no) or ? (what this means).", "yellow")

    def number_in(self, question: str, explain: str, low: int, high: int | None) -> int:
        self.number += 1
        hint = f"[{low}-{high} or ?]" if high is not None else "[a number or ?]"
        while True:
            answer = self._read(question, hint)
            if answer in HELP:
                self.say(explain, "cyan")
                continue
            try:
                value = int(answer)
            except ValueError:
                value = None
            if value is not None and value >= low and (high is None or value <= high):
                return value
            wanted = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.say(f"Please type a whole number {wanted}, or ? for why this is asked.", "yellow")

    def choose(self, question: str, explain: str, options: list[tuple[str, str]]) -> str:
        self.number += 1
        first = True
        while True:
            if first:
                for index, (_, label) in enumerate(options, start=1):
                    self.say(f"  {index}. {label}")
                first = False
            answer = self._read(question, f"[1-{len(options)} or ?]")
            if answer in HELP:
                self.say(explain, "cyan")
                continue
            ids = [option_id for option_id, _ in options]
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return ids[int(answer) - 1]
            if answer in ids:
                return answer
            self.say(
                f"Please type a number from 1 to {len(options)}, or ? for why this is asked.",
                "yellow",
            )


def _ask(content: "KnowledgeBaseFile", answers: "Answers") -> None:
    """Ask, on the terminal, every question the options left open; stop at an emergency."""
    from back_spasm_cli import triage as engine
    from back_spasm_cli.render.panels import make_console

    triage = engine.require(content)
    flags: list[RedFlag] = [f for f in engine.questions(content) if f.id not in answers.flags]
    context: list[tuple[str, ContextQuestion]] = [
        (name, question)
        for name, question in (
            ("started", triage.started),
            ("days", triage.days),
            ("severity", triage.severity),
            ("daily_activities", triage.daily_activities),
        )
        if getattr(answers, name) is None
    ]
    if engine.stopped(content, answers) or not (flags or context):
        return
    console = make_console(sys.stdout)
    asker = Asker(console, len(flags) + len(context))
    asker.say(
        "Answer y (yes) or n (no); ? explains a question. Ctrl-C stops, and nothing is saved.",
        "dim",
    )
    for flag in flags:
        answers.flags[flag.id] = asker.yes_no(flag.question, flag.explain)
        if answers.flags[flag.id] and engine.stopped(content, answers):
            console.print()
            return
    for name, question in context:
        if name == "started":
            options = [(option.id, option.label) for option in triage.started.options]
            answers.started = asker.choose(question.question, question.explain, options)
        elif name == "days":
            answers.days = asker.number_in(question.question, question.explain, 0, None)
        elif name == "severity":
            answers.severity = asker.number_in(
                question.question, question.explain, 0, engine.MAX_SEVERITY
            )
        else:
            answers.daily_activities = asker.yes_no(question.question, question.explain)
    console.print()


def _answers(
    state: AppState,
    has: list[str] | None,
    no_others: bool,
    started: str | None,
    days: int | None,
    severity: int | None,
    daily_activities: bool | None,
) -> "Answers":
    """The answers from the options, then from the terminal; refuse any still missing."""
    from back_spasm_cli import triage as engine

    content = state.kb().content
    answers = engine.answers_from_options(
        content,
        has or [],
        no_others=no_others,
        started=started,
        days=days,
        severity=severity,
        daily_activities=daily_activities,
    )
    if not no_others and _interactive():
        _ask(content, answers)
    gaps = engine.missing(content, answers)
    if gaps:
        raise UsageError(
            f"{len(gaps)} red-flag question{'s have' if len(gaps) != 1 else ' has'} no"
            " answer, and spasm never takes silence as 'no'",
            details=[str(gap) for gap in gaps]
            + [
                "run spasm in a terminal to be asked, or give --has ID for each symptom"
                " you have and --no-others for the rest",
            ],
        )
    return answers


# --------------------------------------------------------------------------- commands


@command()
@output_options()
def check(
    ctx: typer.Context,
    has: HasOpt = None,
    no_others: NoOthersOpt = False,
    started: StartedOpt = None,
    days: DaysOpt = None,
    severity: SeverityOpt = None,
    daily_activities: DailyOpt = None,
) -> None:
    """Red-flag questions first, then a care level and the reasons for it.

    Emergency, urgent, see a GP, or self-care. On a terminal you are asked; in scripts
    give the answers: spasm check --has fever --no-others --format json.
    """
    from back_spasm_cli import triage as engine

    state = state_of(ctx)
    knowledge = state.kb()
    engine.require(knowledge.content)
    numbers = state.numbers(knowledge)
    answers = _answers(state, has, no_others, started, days, severity, daily_activities)
    outcome = engine.evaluate(knowledge.content, answers)
    state.show(engine.check_document(knowledge, numbers, outcome, answers))


@command()
@output_options()
def plan(
    ctx: typer.Context,
    has: HasOpt = None,
    no_others: NoOthersOpt = False,
    started: StartedOpt = None,
    days: DaysOpt = None,
    severity: SeverityOpt = None,
    daily_activities: DailyOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            show_default=False,
            dir_okay=False,
            help="Also write a handout for a clinician: FILE.md or FILE.html.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """A personal, phased self-care plan, built from the same questions as `spasm check`.

    Any red flag gives only the care level, its number and reasons: no self-care steps.
    """
    import datetime

    from back_spasm_cli import plan as planner
    from back_spasm_cli import triage as engine

    state = state_of(ctx)
    knowledge = state.kb()
    planner.require(knowledge.content)
    numbers = state.numbers(knowledge)
    handout_fmt = planner.check_target(output, force=force) if output is not None else None
    answers = _answers(state, has, no_others, started, days, severity, daily_activities)
    outcome = engine.evaluate(knowledge.content, answers)
    document = planner.build(knowledge, numbers, outcome, answers)
    state.show(document)
    if output is not None and handout_fmt is not None:
        today = datetime.date.today().isoformat()
        text = planner.render_handout(
            planner.handout(knowledge, document, answers, today), handout_fmt
        )
        planner.write_handout(output, text, force=force)
        wrote(str(output))
        sys.stderr.write(f"spasm: wrote the plan to {clean(str(output))}\n")
