"""`spasm check`, `spasm plan` and `spasm forget`: parse options, ask on a terminal, call
the core (triage, plan, records), render the views, write the handout.

On a terminal the questions are asked one by one (cli/triage_prompts.py); in scripts the
answers are options (`--has ID ... --no-others`). Unanswered red-flag signs are never
taken as "no". Answers are saved (private database) only after the verdict is shown.
"""

import sqlite3
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
from back_spasm_cli.errors import NotFoundError, UsageError
from back_spasm_cli.render.text import clean

if TYPE_CHECKING:
    from rich.console import Console

    from back_spasm_cli.advice.triage import CheckAnswers
    from back_spasm_cli.knowledge.regions import Numbers
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile
    from back_spasm_cli.personal.records import SavedCheck


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


# --------------------------------------------------------------------------- records


def _last_saved(max_age_hours: float | None) -> "SavedCheck | None":
    """The newest saved check (None when nothing is saved or the file cannot be read)."""
    import datetime

    from back_spasm_cli.personal import records, storage

    if not storage.private_db_path().exists():
        return None
    try:
        conn = storage.private_db(write=False)
    except storage.PrivateDataError as err:
        sys.stderr.write(f"spasm: {clean(err.message)}\n")
        return None
    try:
        age = datetime.timedelta(hours=max_age_hours) if max_age_hours is not None else None
        return records.last_check(conn, age)
    except sqlite3.Error as err:
        sys.stderr.write(f"spasm: {clean(storage.explain(err, conn.path, '').message)}\n")
        return None
    finally:
        conn.close()


def _save(answers: "CheckAnswers", verdict_data: dict[str, object]) -> None:
    """Save the answers and the verdict; a failure is said on stderr, never fatal (the
    verdict has already been shown)."""

    from back_spasm_cli.personal import records, storage

    try:
        conn = storage.private_db()
    except storage.PrivateDataError as err:
        sys.stderr.write(f"spasm: your answers were not saved: {clean(err.message)}\n")
        return
    try:
        storage.write(
            conn,
            lambda c: records.save_check(c, answers.to_data(), dict(verdict_data)),
            "your answers were not saved",
        )
    except storage.PrivateDataError as err:
        sys.stderr.write(f"spasm: {clean(err.message)}\n")
        return
    finally:
        conn.close()
    wrote(str(storage.private_db_path()))


# --------------------------------------------------------------------------- answers


def _numbers(state: AppState, content: "KnowledgeBaseFile", answers: "CheckAnswers") -> "Numbers":
    from back_spasm_cli.knowledge import regions

    region = state.region_of(content)
    if region is None and answers.region:
        region = next((r for r in content.regions if r.id == answers.region), None)
    return regions.numbers(content, region)


def _confirm_diary_flags(
    content: "KnowledgeBaseFile", answers: "CheckAnswers", console: "Console"
) -> tuple["CheckAnswers", bool]:
    """What the diary already says (pain for two weeks, pain getting worse) is put to the
    person to confirm, instead of asking the sign's question again."""
    from back_spasm_cli.cli.triage_prompts import Asker
    from back_spasm_cli.personal import diary, storage
    from back_spasm_cli.system import clock

    try:
        conn = storage.private_db(write=False)
        try:
            hits = diary.flags(conn, clock.today(), content)
        finally:
            conn.close()
    except (storage.PrivateDataError, OSError, sqlite3.Error):
        return answers, False  # no diary to read: the questions are asked as usual
    known = {flag.id for flag in content.red_flags}
    asker = Asker(console)
    confirmed = False
    for hit in hits:
        if hit.red_flag not in known or hit.red_flag in answers.signs:
            continue
        asker.say(f"Your diary: {hit.text}", "bold yellow")
        agreed = asker.confirm("Is that right?", default=True)
        answers = answers.copy()
        answers.signs[hit.red_flag] = "yes" if agreed else "no"
        confirmed = True
    return answers, confirmed


def _collect(
    state: AppState,
    *,
    has: list[str] | None,
    unsure: list[str] | None,
    no_others: bool,
    started: str | None,
    age_band: str | None,
    days: int | None,
    severity: int | None,
    reuse: bool,
) -> tuple["CheckAnswers", bool]:
    """The answers: options first, then (for `plan`) recent saved ones, then the terminal.
    Returns the answers and whether they are new (worth saving). Refuses any still missing."""
    from back_spasm_cli.advice import triage
    from back_spasm_cli.personal import records
    from back_spasm_cli.system import clock
    from back_spasm_cli.views import frame

    content = state.kb().content
    given = triage.answers_from_options(
        content,
        has or [],
        unsure or [],
        no_others=no_others,
        started=started,
        age_band=age_band,
        days=days,
        severity=severity,
    )
    region = state.region_of(content)
    interactive = _interactive() and not no_others
    answers, new = given, True
    if reuse and not no_others and not triage.given_any(given):
        saved = _last_saved(records.REUSE_FOR.total_seconds() / 3600)
        if saved is not None:
            now = clock.now()
            when = frame.ago(saved.at, now)
            prior = triage.forget_unknown(
                content, triage.CheckAnswers.from_data(saved.answers).aged(saved.at, now)
            )
            use = True
            if interactive:
                from back_spasm_cli.cli.triage_prompts import Asker
                from back_spasm_cli.render.panels import make_console

                use = Asker(make_console(sys.stdout)).confirm(
                    f"Use your answers from {when}?", default=True
                )
            else:
                sys.stderr.write(f"spasm: using your answers from {when} (--fresh asks again)\n")
            if use:
                answers, new = prior, False
    if region is not None:
        answers.region = region.id
    elif answers.region is None:
        remembered = _last_saved(None)
        if remembered is not None:
            answers.region = triage.forget_unknown(
                content, triage.CheckAnswers.from_data(remembered.answers)
            ).region
    if interactive:
        from back_spasm_cli.cli.triage_prompts import ask_all
        from back_spasm_cli.render.panels import make_console

        console = make_console(sys.stdout)
        answers, confirmed = _confirm_diary_flags(content, answers, console)
        answers, asked = ask_all(content, answers, console, ask_region=answers.region is None)
        new = new or asked > 0 or confirmed
    gaps = triage.missing(content, answers)
    if gaps:
        count = sum(len(gap.signs) for gap in gaps)
        raise UsageError(
            f"{count} red-flag sign{'s have' if count != 1 else ' has'} no answer, and spasm"
            " never takes silence as 'no'",
            details=[str(gap) for gap in gaps]
            + [
                "give --has ID (or --unsure ID) for each sign you have and --no-others for"
                " the rest, or run spasm in a terminal to be asked",
            ],
        )
    return answers, new


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
    content = knowledge.content
    triage.require(content)
    if last:
        if (
            has
            or unsure
            or no_others
            or any(v is not None for v in (started, age_band, days, severity))
        ):
            raise UsageError("--last shows the saved verdict; it takes no answers")
        _show_last(state)
        return
    answers, _ = _collect(
        state,
        has=has,
        unsure=unsure,
        no_others=no_others,
        started=started,
        age_band=age_band,
        days=days,
        severity=severity,
        reuse=False,
    )
    numbers = _numbers(state, content, answers)
    verdict = triage.verdict(content, answers, numbers)
    state.show(views.check(knowledge, numbers, verdict, answers))
    if not no_save:
        _save(answers, verdict.to_data())


def _show_last(state: AppState) -> None:
    from back_spasm_cli.advice import triage
    from back_spasm_cli.system import clock
    from back_spasm_cli.views import frame
    from back_spasm_cli.views import triage as views

    knowledge = state.kb()
    content = knowledge.content
    saved = _last_saved(None)
    if saved is None:
        raise NotFoundError("no saved check yet: run `spasm check`")
    now = clock.now()
    answers = triage.forget_unknown(
        content, triage.CheckAnswers.from_data(saved.answers).aged(saved.at, now)
    )
    numbers = _numbers(state, content, answers)
    kept = triage.Verdict.from_data(saved.verdict)
    verdict = triage.Verdict(
        kept.level, kept.reasons, kept.unsure, triage.call_label(kept.level, numbers)
    )
    local = saved.at.astimezone().strftime("%Y-%m-%d %H:%M")
    checked = f"{frame.ago(saved.at, now)} ({local})"
    state.show(views.check(knowledge, numbers, verdict, answers, checked=checked))


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
    from back_spasm_cli.advice import triage
    from back_spasm_cli.system import clock
    from back_spasm_cli.views import triage as views

    state = state_of(ctx)
    knowledge = state.kb()
    content = knowledge.content
    planner.require(content)
    handout_fmt = check_target(output, force=force) if output is not None else None
    answers, new = _collect(
        state,
        has=has,
        unsure=unsure,
        no_others=no_others,
        started=started,
        age_band=age_band,
        days=days,
        severity=severity,
        reuse=not fresh,
    )
    numbers = _numbers(state, content, answers)
    verdict = triage.verdict(content, answers, numbers)
    data = planner.build(content, verdict, answers, numbers)
    document = views.plan(knowledge, numbers, verdict, answers, data)
    state.show(document)
    if output is not None and handout_fmt is not None:
        today = clock.today().isoformat()
        text = render_handout(views.handout(knowledge, document, answers, today), handout_fmt)
        write_handout(output, text, force=force)
        wrote(str(output))
        sys.stderr.write(f"spasm: wrote the plan to {clean(str(output))}\n")
    if new and not no_save:
        _save(answers, verdict.to_data())


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
        sys.stdout.write("Nothing is saved.\n")
        return
    conn = storage.private_db()
    try:
        count = records.count_all(conn)
        what = records.describe_all(conn)
        if count == 0:
            sys.stdout.write("Nothing is saved.\n")
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
                f"Delete {what}? This cannot be undone.",
                default=False,
            ):
                sys.stdout.write("Nothing was deleted.\n")
                return
        removed = storage.write(conn, records.forget_all, "nothing was deleted")
    finally:
        conn.close()
    sys.stdout.write(f"Deleted {removed} saved record{'s' if removed != 1 else ''}.\n")
