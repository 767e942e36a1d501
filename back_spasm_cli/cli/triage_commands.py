"""`spasm check`, `spasm plan` and `spasm forget`: parse options, ask on a terminal, call
the core (triage, plan, records), render the views, write the handout.

On a terminal the questions are asked one by one (cli/triage_prompts.py); in scripts the
answers are options (`--has ID ... --no-others`). Unanswered red-flag signs are never
taken as "no". Answers are saved (private database) only after the verdict is shown.
"""

import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.files import (
    ForceOpt,
    HandoutOpt,
    check_target,
    render_handout,
    write_handout,
)
from back_spasm_cli.cli.state import AppState, output_options, state_of, wrote
from back_spasm_cli.errors import SpasmError, UsageError
from back_spasm_cli.render.text import clean
from back_spasm_cli.system.i18n import _, ngettext

if TYPE_CHECKING:
    import datetime

    from back_spasm_cli.advice.checking import Given, Outcome
    from back_spasm_cli.advice.triage import CheckAnswers
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile
    from back_spasm_cli.personal.diary import FlagHit


# --------------------------------------------------------------------------- completion


def _base_for_completion(ctx: typer.Context) -> "KnowledgeBaseFile | None":
    from back_spasm_cli.cli.state import base_in_use

    try:
        return base_in_use(ctx)
    except Exception:  # completion must never fail loudly
        return None


def _complete_option(key: Literal["started", "age_band"]):  # type: ignore[no-untyped-def]
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from back_spasm_cli.advice import triage

        content = _base_for_completion(ctx)
        if content is None:
            return []
        return [i for i in triage.option_ids(content, key) if i.startswith(incomplete)]

    return complete


def _complete_sign(ctx: typer.Context, incomplete: str) -> list[str]:
    content = _base_for_completion(ctx)
    if content is None:
        return []
    return [flag.id for flag in content.red_flags if flag.id.startswith(incomplete)]


# --------------------------------------------------------------------------- options

HasOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--has",
        metavar="ID",
        show_default=False,
        autocompletion=_complete_sign,
        help="A red-flag sign you have (repeat for several). Ids: `spasm doctor --format json`.",
    ),
]
UnsureOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--unsure",
        metavar="ID",
        show_default=False,
        autocompletion=_complete_sign,
        help="A red-flag sign you are not sure about: it counts as yes for its level.",
    ),
]
NoOthersOpt = Annotated[
    bool,
    typer.Option(
        "--no-others",
        help="Answer no to every red-flag sign not given with --has or --unsure (scripts).",
    ),
]
StartedOpt = Annotated[
    str | None,
    typer.Option(
        "--started",
        metavar="ID",
        show_default=False,
        autocompletion=_complete_option("started"),
        help="How it started: an option id of the knowledge base in use"
        " (an unknown value lists them).",
    ),
]
AgeBandOpt = Annotated[
    str | None,
    typer.Option(
        "--age-band",
        metavar="ID",
        show_default=False,
        autocompletion=_complete_option("age_band"),
        help="Your age band: an option id of the knowledge base in use"
        " (an unknown value lists them).",
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
        help="The worst pain: 0 none, 10 the worst you can imagine.",
    ),
]
NoSaveOpt = Annotated[
    bool, typer.Option("--no-save", help="Do not save the answers and the verdict.")
]


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


# --------------------------------------------------------------------------- the flow


class _Terminal:
    """The check flow's Prompter (advice/checking.py) on a terminal."""

    def __init__(self) -> None:
        from back_spasm_cli.cli.triage_prompts import Asker
        from back_spasm_cli.render.panels import make_console

        self.console = make_console(sys.stdout)
        self.asker = Asker(self.console)

    def reuse(self, saved_at: "datetime.datetime", now: "datetime.datetime") -> bool:
        from back_spasm_cli.views import frame

        return self.asker.confirm(
            _("Use your answers from {when}?").format(when=frame.ago(saved_at, now)), default=True
        )

    def diary_flag(self, hit: "FlagHit") -> bool:
        self.asker.say(_("Your diary: {text}").format(text=hit.text), "bold yellow")
        return self.asker.confirm(_("Is that right?"), default=True)

    def ask_all(
        self, content: "KnowledgeBaseFile", answers: "CheckAnswers", *, ask_region: bool
    ) -> tuple["CheckAnswers", int]:
        from back_spasm_cli.cli.triage_prompts import ask_all

        return ask_all(content, answers, self.console, ask_region=ask_region)


def _run(state: AppState, given: "Given", *, reuse: bool, with_plan: bool = False) -> "Outcome":
    """Call the flow with a terminal to ask on (when there is one and --no-others is not
    given); say on stderr what it could not read and which saved answers it reused."""
    from back_spasm_cli.advice import checking
    from back_spasm_cli.system import clock
    from back_spasm_cli.views import frame

    content = state.kb().content
    prompter = _Terminal() if _interactive() and not given.no_others else None
    now = clock.now()
    outcome = checking.run(
        content,
        given,
        region=state.region_of(content),
        now=now,
        reuse=reuse,
        prompter=prompter,
        with_plan=with_plan,
    )
    for problem in outcome.problems:
        sys.stderr.write(f"spasm: {clean(problem.message)}\n")
    if outcome.reused_at is not None:
        when = frame.ago(outcome.reused_at, now)
        notice = _("using your answers from {when} (--fresh asks again)").format(when=when)
        sys.stderr.write(f"spasm: {notice}\n")
    return outcome


def _save(outcome: "Outcome") -> None:
    """Save the answers and the verdict; a failure is said on stderr, never fatal (the
    verdict has already been shown)."""
    from back_spasm_cli.advice import checking

    try:
        path = checking.save(outcome.answers, outcome.verdict)
    except SpasmError as err:
        sys.stderr.write(f"spasm: {clean(err.message)}\n")
        return
    wrote(str(path))


def _given(
    has: list[str] | None,
    unsure: list[str] | None,
    no_others: bool,
    started: str | None,
    age_band: str | None,
    days: int | None,
    severity: int | None,
) -> "Given":
    from back_spasm_cli.advice.checking import Given

    return Given(
        tuple(has or ()), tuple(unsure or ()), no_others, started, age_band, days, severity
    )


# --------------------------------------------------------------------------- commands


@command()
@output_options()
def check(
    ctx: typer.Context,
    has: HasOpt = None,
    unsure: UnsureOpt = None,
    no_others: NoOthersOpt = False,
    started: StartedOpt = None,
    age_band: AgeBandOpt = None,
    days: DaysOpt = None,
    severity: SeverityOpt = None,
    last: Annotated[
        bool, typer.Option("--last", help="Show the last saved verdict instead of asking.")
    ] = False,
    no_save: NoSaveOpt = False,
) -> None:
    """Red flags first, then a care level and the reasons for it.

    Emergency, urgent, see a GP, or self-care (with what to do today). On a terminal you
    are asked; in scripts give the answers: spasm check --has fever --no-others.
    The answers are saved for `spasm plan` (--no-save: not saved; `spasm forget` deletes).
    """
    from back_spasm_cli.advice import triage
    from back_spasm_cli.views import triage as views

    state = state_of(ctx)
    knowledge = state.kb()
    triage.require(knowledge.content)
    given = _given(has, unsure, no_others, started, age_band, days, severity)
    if last:
        if given.any():
            raise UsageError("--last shows the saved verdict; it takes no answers")
        _show_last(state)
        return
    outcome = _run(state, given, reuse=False)
    state.show(views.check(knowledge, outcome.numbers, outcome.verdict, outcome.answers))
    if not no_save:
        _save(outcome)


def _show_last(state: AppState) -> None:
    from back_spasm_cli.advice import checking
    from back_spasm_cli.system import clock
    from back_spasm_cli.views import frame
    from back_spasm_cli.views import triage as views

    knowledge = state.kb()
    now = clock.now()
    found = checking.last(knowledge.content, state.region_of(knowledge.content), now)
    for problem in found.problems:
        sys.stderr.write(f"spasm: {clean(problem.message)}\n")
    local = found.saved.at.astimezone().strftime("%Y-%m-%d %H:%M")
    checked = f"{frame.ago(found.saved.at, now)} ({local})"
    state.show(views.check(knowledge, found.numbers, found.verdict, found.answers, checked=checked))


@command()
@output_options()
def plan(
    ctx: typer.Context,
    has: HasOpt = None,
    unsure: UnsureOpt = None,
    no_others: NoOthersOpt = False,
    started: StartedOpt = None,
    age_band: AgeBandOpt = None,
    days: DaysOpt = None,
    severity: SeverityOpt = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Ask again rather than reuse answers from today.")
    ] = False,
    no_save: NoSaveOpt = False,
    output: HandoutOpt = None,
    force: ForceOpt = False,
) -> None:
    """A personal, phased self-care plan, from the same answers as `spasm check`.

    Answers saved less than 24 hours ago are reused (--fresh asks again). At urgent and
    emergency level: only the care level, its number and reasons, no self-care steps.
    At GP level: book the appointment, with the plan to keep up meanwhile.
    """
    from back_spasm_cli.advice import plan as planner
    from back_spasm_cli.system import clock
    from back_spasm_cli.views import triage as views

    state = state_of(ctx)
    knowledge = state.kb()
    planner.require(knowledge.content)
    handout_fmt = check_target(output, force=force) if output is not None else None
    given = _given(has, unsure, no_others, started, age_band, days, severity)
    outcome = _run(state, given, reuse=not fresh, with_plan=True)
    assert outcome.plan is not None
    answers = outcome.answers
    document = views.plan(
        knowledge, outcome.numbers, outcome.verdict, answers, outcome.plan, full=state.full
    )
    state.show(document)
    if output is not None and handout_fmt is not None:
        document = views.plan(knowledge, outcome.numbers, outcome.verdict, answers, outcome.plan)
        today = clock.today().isoformat()
        text = render_handout(views.handout(knowledge, document, answers, today), handout_fmt)
        write_handout(output, text, force=force)
        wrote(str(output))
        written = _("wrote the plan to {path}").format(path=clean(str(output)))
        sys.stderr.write(f"spasm: {written}\n")
    if outcome.new and not no_save:
        _save(outcome)


@command()
def forget(
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (scripts).")
    ] = False,
) -> None:
    """Delete everything spasm has saved: check answers, timer and routine sessions, and
    the pain diary (it says how many of each first)."""
    from back_spasm_cli.personal import records, storage

    path = storage.private_db_path()
    if not path.exists():
        sys.stdout.write(_("Nothing is saved.") + "\n")
        return
    conn = storage.private_db()
    try:
        count = records.count_all(conn)
        what = records.describe_all(conn)
        if count == 0:
            sys.stdout.write(_("Nothing is saved.") + "\n")
            return
        if not yes:
            if not _interactive():
                raise UsageError(
                    f"spasm forget deletes {what}; add --yes to confirm (there is no"
                    " terminal to ask on)"
                )
            from back_spasm_cli.cli.triage_prompts import Asker
            from back_spasm_cli.render.panels import make_console

            asker = Asker(make_console(sys.stdout))
            if not asker.confirm(
                _("Delete {what}? This cannot be undone.").format(what=what),
                default=False,
            ):
                sys.stdout.write(_("Nothing was deleted.") + "\n")
                return
        removed = storage.write(conn, records.forget_all, "nothing was deleted")
    finally:
        conn.close()
    sys.stdout.write(
        ngettext("Deleted {n} saved record.", "Deleted {n} saved records.", removed).format(
            n=removed
        )
        + "\n"
    )
