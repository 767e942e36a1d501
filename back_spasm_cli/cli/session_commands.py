"""`spasm timer` and `spasm routine`: guided sessions on the terminal.

The core (back_spasm_cli.advice.sessions) decides lengths, order and what to say; this module
reads keys (raw, via termios, restored on the way out), draws the Rich progress bar, and
writes plain lines when there is no terminal. Ctrl-C stops either: the session is
recorded as stopped and spasm exits 130 with "stopped after m:ss".
"""

import contextlib
import sys
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.state import AppState, help_from_base, output_options, state_of
from back_spasm_cli.errors import ExitCode, SpasmError, UsageError
from back_spasm_cli.system.i18n import _

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.console import Console
    from rich.progress import TaskID

    from back_spasm_cli.advice.sessions import (
        CheckSummary,
        RoutineEvent,
        RoutineRun,
        SessionRecord,
        TimerPlan,
        TimerRun,
    )
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.knowledge.schema import Exercise, KnowledgeBaseFile

DaysOpt = Annotated[
    int | None,
    typer.Option(
        "--days",
        metavar="N",
        show_default=False,
        help="Days since it started (0 = today). Default: from your last `spasm check`.",
    ),
]


class Stopped(SpasmError):
    """Ctrl-C during a session: it was recorded as stopped; exit 130."""

    exit_code = ExitCode.INTERRUPTED


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _console() -> "Console":
    from back_spasm_cli.render.panels import make_console

    return make_console(sys.stdout)


def _say(console: "Console", text: str, style: str = "") -> None:
    from rich.text import Text

    from back_spasm_cli.render.text import clean

    console.print(Text(clean(text), style=style))


def _ask(console: "Console", prompt: str) -> str:
    from rich.text import Text

    try:
        return console.input(Text(prompt, style="bold")).strip().lower()
    except EOFError:
        raise Stopped("input ended; nothing was started") from None


# --------------------------------------------------------------------------- private data


def _saved_check() -> "CheckSummary | None":
    import sqlite3

    from back_spasm_cli.advice import sessions
    from back_spasm_cli.personal import storage

    try:
        conn = storage.private_db(write=False)
        try:
            return sessions.latest_check(conn)
        finally:
            conn.close()
    except (storage.PrivateDataError, sqlite3.Error):
        return None  # nothing readable saved: the session runs without the day count


def _store(session: "SessionRecord") -> None:
    """Record a session; a database that cannot be written costs a notice, not the exit."""
    import sqlite3

    from back_spasm_cli.advice import sessions
    from back_spasm_cli.personal import storage
    from back_spasm_cli.render.text import clean

    try:
        conn = storage.private_db()
        try:
            storage.write(
                conn, lambda c: sessions.record(c, session), "the session was not recorded"
            )
        finally:
            conn.close()
    except storage.PrivateDataError as err:
        sys.stderr.write(f"spasm: {clean(err.message)}\n")
    except (OSError, sqlite3.Error) as err:  # the record is lost, the session is not
        failed = _("the session was not recorded: {error}").format(error=clean(str(err)))
        sys.stderr.write(f"spasm: {failed}\n")


def _refuse_if_care_needed(state: AppState, knowledge: "KnowledgeBase") -> "CheckSummary | None":
    """The latest saved check; when it needs urgent or emergency care, show that instead
    of any session and stop."""
    from back_spasm_cli.advice.sessions import NO_SESSION_LEVELS
    from back_spasm_cli.views.sessions import refusal_document

    saved = _saved_check()
    if saved is not None and saved.level in NO_SESSION_LEVELS:
        state.show(refusal_document(knowledge, state.numbers(knowledge), saved))
        raise typer.Exit(int(ExitCode.OK))
    return saved


def _days(days: int | None, saved: "CheckSummary | None") -> int | None:
    from back_spasm_cli.system import clock

    if days is not None:
        if days < 0:
            raise UsageError(f"--days must be 0 or more (days since it started), not {days}")
        return days
    if saved is None:
        return None
    return saved.days_now(clock.now())


@contextlib.contextmanager
def _stop_signals_as_ctrl_c() -> "Iterator[None]":
    """SIGTERM and SIGHUP (a closed terminal window) stop a session as Ctrl-C does, so the
    terminal is put back and the session recorded as stopped."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


# --------------------------------------------------------------------------- timer


def _local(when: object) -> str:
    import datetime as dt

    assert isinstance(when, dt.datetime)
    return when.astimezone().strftime("%H:%M")


def _next_line(plan: "TimerPlan", run: "TimerRun") -> str:
    import datetime as dt

    from back_spasm_cli.advice.sessions import next_due

    ended = run.started_at + dt.timedelta(seconds=plan.seconds)
    due = next_due(plan.timer, ended)
    if due is None:
        return _("Next {timer} session: {again}.").format(
            timer=plan.timer.title.lower(), again=plan.timer.again
        )
    return _("Next {timer} session: from {start} to {end} ({again}).").format(
        timer=plan.timer.title.lower(),
        start=_local(due[0]),
        end=_local(due[1]),
        again=plan.timer.again,
    )


def _run_timer_terminal(plan: "TimerPlan", run: "TimerRun") -> None:
    from rich.progress import BarColumn, Progress, TextColumn

    from back_spasm_cli.advice.sessions import SkinCheck, Tick, TimerDone, clock_text

    console = _console()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(_("{left} left").replace("{left}", "{task.fields[left]}")),
        console=console,
        auto_refresh=False,  # no refresh thread: the bar is redrawn once a second
    )
    with progress:
        task = progress.add_task(
            plan.timer.title, total=plan.seconds, left=clock_text(plan.seconds)
        )
        for event in run.events(every=1):
            if isinstance(event, Tick):
                progress.update(
                    task, completed=event.elapsed, left=clock_text(event.left), refresh=True
                )
            elif isinstance(event, SkinCheck):
                console.bell()
                _say(progress.console, event.text, "bold yellow")
            elif isinstance(event, TimerDone):
                progress.update(task, completed=plan.seconds, left="0:00", refresh=True)
    console.bell()
    _say(console, run.plan.timer.end, "bold green")
    _say(console, _next_line(plan, run))


def _run_timer_plain(plan: "TimerPlan", run: "TimerRun") -> None:
    import datetime as dt

    from back_spasm_cli.advice.sessions import SkinCheck, Tick, TimerDone, clock_text
    from back_spasm_cli.render.text import clean

    def line(text: str) -> None:
        sys.stdout.write(clean(text) + "\n")
        sys.stdout.flush()

    end = run.started_at + dt.timedelta(seconds=plan.seconds)
    line(
        _("{timer}: {length} started at {start}; it ends at {end}.").format(
            timer=plan.timer.title,
            length=clock_text(plan.seconds),
            start=_local(run.started_at),
            end=_local(end),
        )
    )
    for event in run.events(every=60):
        if isinstance(event, Tick) and event.elapsed:
            line(_("{left} left").format(left=clock_text(event.left)))
        elif isinstance(event, SkinCheck):
            line(
                _("{elapsed} in: {text}").format(elapsed=clock_text(event.elapsed), text=event.text)
            )
        elif isinstance(event, TimerDone):
            line(event.text)
    line(_next_line(plan, run))


def _timer_ids(content: "KnowledgeBaseFile") -> str:
    return "|".join(t.id for t in content.sessions.timers) if content.sessions else "ice|heat"


def _timer_caps(content: "KnowledgeBaseFile", text: str) -> str:
    """The help's "at most 20" says the base's longest session."""
    import re

    if content.sessions is None:
        return text
    caps = {t.id: t.max_minutes for t in content.sessions.timers}
    said = str(next(iter(caps.values()))) if len(set(caps.values())) == 1 else None
    if said is None:
        said = ", ".join(f"{minutes} ({timer})" for timer, minutes in caps.items())
    return re.sub(r"\b20\b", said, text)


help_from_base("timer", "remedy", metavar=_timer_ids)
help_from_base("timer", "minutes", help=_timer_caps)


@command()
@output_options()
def timer(
    ctx: typer.Context,
    remedy: Annotated[str, typer.Argument(metavar="ice|heat", help="What to time.")],
    minutes: Annotated[
        int | None,
        typer.Option(
            "--minutes",
            "-m",
            metavar="N",
            show_default=False,
            help="How long. Default and maximum from the knowledge base (at most 20).",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Skip the Enter that confirms the checks.")
    ] = False,
    days: DaysOpt = None,
    seconds: Annotated[
        int | None, typer.Option("--seconds", hidden=True, help="A short length, for tests.")
    ] = None,
) -> None:
    """An ice or heat session: safety checks, a progress bar, a skin check, a bell.

    Longer than the maximum is refused (exit 2). Heat within 48 hours of a strain warns
    and offers ice instead. Ctrl-C stops it (exit 130). Each session is recorded.
    """
    import dataclasses

    from back_spasm_cli.advice import sessions
    from back_spasm_cli.views.sessions import timer_document

    state = state_of(ctx)
    if state.fmt in ("json", "markdown"):
        raise UsageError("the timer writes plain lines or a progress bar: use --format plain")
    knowledge = state.kb()
    content = knowledge.content
    sessions.require(content)
    plan = sessions.plan_timer(content, remedy, minutes, seconds=seconds, days=days)
    saved = _refuse_if_care_needed(state, knowledge)
    plan = dataclasses.replace(plan, days=_days(days, saved))
    interactive = _interactive()
    console = _console()
    if plan.early and interactive and plan.timer.instead and plan.timer.early_warning:
        _say(console, plan.timer.early_warning, "bold yellow")
        instead = sessions.find_timer(content, plan.timer.instead)
        answer = _ask(console, f"Use {instead.title.lower()} instead? [Y/n] ")
        if answer in ("", "y", "yes"):
            plan = sessions.plan_timer(
                content, instead.id, minutes, seconds=seconds, days=plan.days
            )
    if plan.early and not interactive and plan.timer.early_warning:
        # Nobody to offer the safer choice to: say why, and do not start (exit 2).
        raise UsageError(
            plan.timer.early_warning,
            details=[f"run it on a terminal to choose, or use `spasm timer {plan.timer.instead}`"]
            if plan.timer.instead
            else [],
        )
    state.show(timer_document(knowledge, state.numbers(knowledge), plan))
    if interactive and not yes:
        _ask(console, "Press Enter to start (Ctrl-C to cancel) ")
    run = sessions.TimerRun(plan, sessions.SystemClock())
    try:
        with _stop_signals_as_ctrl_c():
            if interactive and state.fmt != "plain":
                _run_timer_terminal(plan, run)
            else:
                _run_timer_plain(plan, run)
    except KeyboardInterrupt:
        _store(run.record("stopped"))
        raise Stopped(
            _("stopped after {elapsed}").format(elapsed=sessions.clock_text(run.elapsed()))
        ) from None
    _store(run.record("completed"))


# --------------------------------------------------------------------------- routine


def _exercise(exercises: list["Exercise"], word: str) -> "Exercise":
    from back_spasm_cli.knowledge import lookup

    found = lookup.resolve(exercises, [word], "exercise").item
    return next(exercise for exercise in exercises if exercise.id == found.id)


class TerminalKeys:
    """Single key presses from the terminal, without Enter or echo (cbreak mode); the
    terminal's settings are put back on the way out, whatever the way out is."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None

    def __enter__(self) -> "TerminalKeys":
        try:
            import termios
            import tty
        except ImportError:
            raise UsageError("the routine needs a POSIX terminal; --list prints it") from None
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)  # Ctrl-C still sends SIGINT
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def wait(self, seconds: float | None) -> str | None:
        import os
        import select

        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return None
        data = os.read(self.fd, 1)
        return data.decode("utf-8", "ignore") if data else ""


KEYS_HINT = "Keys: space pause · s skip · q quit · w this makes it worse · Ctrl-C stop"


def _ask_days(console: "Console") -> int:
    while True:
        answer = _ask(console, "How many days ago did it start? (0 = today) ")
        if answer.isdigit():
            return int(answer)
        _say(console, "Please type a whole number: 0 for today, 1 for yesterday.", "yellow")


def _describe(event: "RoutineEvent") -> tuple[str, int, int] | None:
    """(description, completed, total) for the bar, from a Count or AwaitKey."""
    from back_spasm_cli.advice.sessions import AwaitKey, Count

    if isinstance(event, Count):
        item = event.item
        side = f", side {event.side}" if item.sides == 2 else ""
        label = {
            "ready": "Get ready",
            "rest": "Rest",
            "block": "Go",
            "hold": f"Hold {event.rep}/{item.reps}{side}",
        }[event.phase]
        return f"{label} ({event.left} s)", event.length - event.left, event.length
    if isinstance(event, AwaitKey):
        item = event.item
        side = f", side {event.side}" if item.sides == 2 else ""
        hold = (item.exercise.hold or "at your own pace").lower()
        return f"{event.rep}/{item.reps}{side}: {hold}, then Enter", 0, 1
    return None


def _run_routine_terminal(run: "RoutineRun") -> None:
    from rich.progress import BarColumn, Progress, TextColumn

    from back_spasm_cli.advice.sessions import (
        Begin,
        ExerciseEnd,
        MadeWorse,
        Paused,
        Resumed,
        RoutineEnd,
        clock_text,
    )
    from back_spasm_cli.render.panels import section_panel
    from back_spasm_cli.views.sessions import exercise_intro

    console = _console()
    progress: Progress | None = None
    task: TaskID | None = None
    try:
        for event in run.events():
            if isinstance(event, Begin):
                console.print(
                    section_panel(
                        exercise_intro(event.item, event.index, event.count), console.width
                    )
                )
                _say(console, KEYS_HINT, "dim")
                progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    console=console,
                    auto_refresh=False,
                )
                progress.start()
                task = progress.add_task("", total=1)
                continue
            shown = _describe(event)
            if shown is not None and progress is not None and task is not None:
                text, done, total = shown
                progress.update(task, description=text, completed=done, total=total, refresh=True)
            elif isinstance(event, Paused) and progress is not None and task is not None:
                progress.update(task, description="Paused: space to carry on", refresh=True)
            elif isinstance(event, Resumed):
                pass
            elif isinstance(event, ExerciseEnd):
                if progress is not None:
                    progress.stop()
                    progress = None
                status = {
                    "completed": "done",
                    "skipped": "skipped",
                    "stopped": "stopped",
                    "worse": "stopped: it made things worse",
                }[event.status]
                _say(console, f"{event.item.exercise.title}: {status}", "dim")
            elif isinstance(event, MadeWorse):
                console.bell()
                _say(console, event.advice, "bold yellow")
            elif isinstance(event, RoutineEnd):
                word = {"completed": "Routine done", "stopped": "Stopped", "worse": "Stopped"}
                _say(console, f"{word[event.outcome]} after {clock_text(event.actual_seconds)}.")
                if event.outcome == "completed":
                    console.bell()
    finally:
        if progress is not None:
            progress.stop()


@command()
@output_options()
def routine(
    ctx: typer.Context,
    exercise: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[EXERCISE]...",
            help="Only these exercises (ids or names), in this order.",
            show_default=False,
        ),
    ] = None,
    days: DaysOpt = None,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print the routine and its total time, and exit.")
    ] = False,
) -> None:
    """A timed exercise routine for your day since it started: holds, repetitions, rests.

    Gentle exercises in the first days, more from about day 3. On a terminal it counts
    each hold; keys: space pause, s skip, q quit, w "this makes it worse". Not started
    when your last `spasm check` needs urgent or emergency care.
    """
    from back_spasm_cli.advice import sessions
    from back_spasm_cli.views.sessions import routine_document

    state = state_of(ctx)
    knowledge = state.kb()
    content = knowledge.content
    sessions.require(content)
    saved = _refuse_if_care_needed(state, knowledge)
    interactive = _interactive()
    day = _days(days, saved)
    if day is None:
        if not interactive:
            raise UsageError(
                "how many days since it started? Give --days N (0 = today), or answer"
                " `spasm check` first"
            )
        day = _ask_days(_console())
    chosen = [_exercise(content.exercises, word) for word in exercise or ()]
    plan = sessions.build_routine(content, day, chosen)
    if not plan.items:
        raise UsageError(f"no timed exercises suit day {day} in this knowledge base")
    if not list_only and not interactive:
        raise UsageError("the routine runs on a terminal; --list prints it")
    state.show(routine_document(knowledge, state.numbers(knowledge), plan))
    if list_only:
        return
    _ask(_console(), "Press Enter to start (Ctrl-C to stop at any time) ")
    keys = TerminalKeys(sys.stdin.fileno())
    run = sessions.RoutineRun(plan, sessions.SystemClock(), keys)
    try:
        with _stop_signals_as_ctrl_c(), keys:
            _run_routine_terminal(run)
    except KeyboardInterrupt:
        _store(run.record())
        raise Stopped(
            _("stopped after {elapsed}").format(elapsed=sessions.clock_text(run.elapsed()))
        ) from None
    _store(run.record())
