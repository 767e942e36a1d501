"""The pain diary's commands: log, history, trends, report, export, import, diary.

Parse the options, call back_spasm_cli.personal.diary (the core), render with views/diary.py.
Everything is stored through storage.private_db(): one private SQLite file.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from back_spasm_cli.cli import command, group
from back_spasm_cli.cli.files import ExportOpt, ForceOpt
from back_spasm_cli.cli.state import AppState, help_from_base, output_options, state_of, wrote
from back_spasm_cli.errors import SpasmError, UsageError
from back_spasm_cli.render.text import clean

if TYPE_CHECKING:
    import datetime
    import sqlite3
    from collections.abc import Callable

    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile
    from back_spasm_cli.personal.diary import Vocabulary
    from back_spasm_cli.personal.storage import PrivateConnection

SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="14d|2w|YYYY-MM-DD",
        show_default=False,
        help="Only entries from this date, or from N days (14d) or weeks (2w) ago.",
    ),
]
T = TypeVar("T")
HistoryFormat = Literal["rich", "plain", "json", "csv", "markdown"]


def _today() -> "datetime.date":
    from back_spasm_cli.system import clock

    return clock.today()


def _db(*, write: bool = True) -> "PrivateConnection":
    """The private database; for a read of a damaged file, a read-only connection and a
    warning that what is shown may be incomplete (a write refuses it: storage.write)."""
    from back_spasm_cli.personal import storage

    conn = storage.private_db(write=write)
    if conn.damage:
        sys.stderr.write(
            f"spasm: warning: {clean(str(conn.path))} is damaged ({clean(conn.damage[0])});"
            " what is shown may be incomplete. See `spasm diary check`.\n"
        )
    return conn


def _write(
    conn: "sqlite3.Connection",
    work: "Callable[[sqlite3.Connection], T]",
    outcome: str,
    *,
    begin: bool = True,
) -> T:
    from back_spasm_cli.personal import storage

    return storage.write(conn, work, outcome, begin=begin)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _since(text: str | None) -> str | None:
    from back_spasm_cli.system import clock

    return clock.parse_since(text, _today()) if text else None


# --------------------------------------------------------------------------- log


#: Words `--where` passes over: "lower back", "left side", "down my leg".
_WHERE_FILLER = frozenset(
    ("back", "spine", "my", "the", "of", "in", "on", "and", "side", "sided", "down", "into")
)


def _parse_where(text: str) -> tuple[str | None, str | None, bool]:
    """'lower', 'lower left', 'lower,both,leg', 'lower back' -> (area, side, leg)."""
    import re

    from back_spasm_cli.personal import diary

    area = side = None
    leg = False
    for word in (w for w in re.split(r"[\s,;+/-]+", text.strip().lower()) if w):
        if word in _WHERE_FILLER:
            continue
        if word in diary.AREAS and area is None:
            area = word
        elif word in diary.SIDES and side is None:
            side = word
        elif word in ("leg", "legs"):
            leg = True
        else:
            raise UsageError(
                f"--where {text!r}: {word!r} is not one of lower, middle, upper,"
                " left, right, both, leg"
            )
    return area, side, leg


def _helped_ids(
    values: list[str], vocab: "Vocabulary", content: "KnowledgeBaseFile"
) -> tuple[str, ...]:
    """Ids, names or aliases, as `spasm remedy` and `spasm exercises` take them: each
    --helped, and each part between commas, is one ("ice", "hot water bottle"), or ids
    separated by spaces ("rest-and-ice short-walks")."""
    import re

    from back_spasm_cli.errors import NotFoundError
    from back_spasm_cli.knowledge import lookup
    from back_spasm_cli.personal import diary

    items: list[Any] = [*content.remedies, *content.exercises]
    ids: list[str] = []
    for part in (p.strip() for value in values for p in re.split(r"[;,]", value)):
        if not part:
            continue
        words = part.split()
        if all(word in vocab.helped for word in words):
            ids += words
            continue
        try:
            ids.append(lookup.resolve(items, words, "remedy or exercise", loose=False).item.id)
        except NotFoundError:
            raise UsageError(
                f"--helped {part!r}: not a remedy or exercise id or name (see `spasm remedies`,"
                " `spasm exercises`)"
            ) from None
    try:
        return diary.check_helped(ids, vocab)
    except diary.RowError as err:
        raise UsageError(f"--helped: {err}") from None


class _Prompts:
    """Asks, on a terminal, for what the options did not give; Enter skips a question."""

    def __init__(self) -> None:
        from back_spasm_cli.render.panels import make_console

        self.console = make_console(sys.stdout)

    def read(self, question: str, hint: str) -> str:
        from rich.text import Text

        from back_spasm_cli.cli.triage_prompts import InputEnded

        prompt = Text()
        prompt.append(clean(question), style="bold")
        prompt.append(f" {hint} ", style="dim")
        try:
            return str(self.console.input(prompt)).strip()
        except EOFError:
            raise InputEnded(
                "input ended before the entry was complete; nothing was saved"
            ) from None

    def say(self, text: str) -> None:
        from rich.text import Text

        self.console.print(Text(clean(text), style="yellow"))

    def pain(self) -> int:
        while True:
            answer = self.read(
                "Pain now, from 0 (none) to 10 (the worst you can imagine)?", "[0-10]"
            )
            if answer.isdigit() and 0 <= int(answer) <= 10:
                return int(answer)
            self.say("Please type a whole number from 0 to 10.")

    def choose(self, question: str, options: list[tuple[str, str]]) -> str | None:
        for index, (_, label) in enumerate(options, start=1):
            self.console.print(f"  {index}. {clean(label)}", markup=False, highlight=False)
        ids = [option_id for option_id, _ in options]
        while True:
            answer = self.read(question, f"[1-{len(options)}, Enter to skip]").lower()
            if not answer:
                return None
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return ids[int(answer) - 1]
            if answer in ids:
                return answer
            self.say(f"Please type a number from 1 to {len(options)}, or press Enter to skip.")

    def yes_no(self, question: str) -> bool:
        while True:
            answer = self.read(question, "[y/N]").lower()
            if answer in ("", "n", "no"):
                return False
            if answer in ("y", "yes"):
                return True
            self.say("Please answer y or n.")

    def helped(self, vocab: "Vocabulary", content: "KnowledgeBaseFile") -> tuple[str, ...]:
        while True:
            answer = self.read(
                "What helped? Remedies or exercises, e.g. ice, hot water bottle, knee-rolls",
                "[Enter: nothing]",
            )
            if not answer.strip():
                return ()
            try:
                return _helped_ids([answer.lower()], vocab, content)
            except UsageError as err:
                self.say(str(err).removeprefix("--helped "))


def _ask_missing(
    content: "KnowledgeBaseFile",
    vocab: "Vocabulary",
    pain: int | None,
    where: str | None,
    trigger: str | None,
    helped: tuple[str, ...] | None,
    note: str | None,
) -> tuple[int, tuple[str | None, str | None, bool] | None, str | None, tuple[str, ...], str]:
    from back_spasm_cli.personal import diary

    ask = _Prompts()
    ask.console.print(
        "Enter skips a question; Ctrl-C stops, and nothing is saved.", style="dim", markup=False
    )
    pain = ask.pain() if pain is None else pain
    located: tuple[str | None, str | None, bool] | None = None
    if where is None:
        area = ask.choose("Where is the pain?", [(a, f"{a} back") for a in diary.AREAS])
        side = ask.choose("Which side?", [(s, s) for s in diary.SIDES])
        leg = ask.yes_no("Does it spread into a leg?")
        located = (area, side, leg)
    if trigger is None and vocab.triggers:
        question = content.triage.started.question if content.triage else "How did it start?"
        trigger = ask.choose(question, list(vocab.triggers.items()))
    if helped is None:
        helped = ask.helped(vocab, content)
    if note is None:
        note = ask.read("A note?", "[Enter: none]")
    return pain, located, trigger, helped, note


def _trigger_ids(content: "KnowledgeBaseFile") -> str:
    from back_spasm_cli.personal.diary import vocabulary

    return "|".join(vocabulary(content).triggers) or "ID"


help_from_base("log", "trigger", metavar=_trigger_ids)


@command()
@output_options()
def log(
    ctx: typer.Context,
    pain: Annotated[
        int | None,
        typer.Option(
            "--pain",
            "-p",
            min=0,
            max=10,
            metavar="0-10",
            show_default=False,
            help="Pain now: 0 none, 10 the worst you can imagine.",
        ),
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(
            "--where",
            "-w",
            metavar="AREA [SIDE] [leg]",
            show_default=False,
            help="Where: lower, middle or upper; left, right or both; 'leg' if it spreads"
            " into a leg. E.g. --where 'lower left leg'.",
        ),
    ] = None,
    trigger: Annotated[
        str | None,
        typer.Option(
            "--trigger",
            "-t",
            metavar="lifting|sudden-movement|posture|sweating|stress|unknown",
            show_default=False,
            help="What set it off.",
        ),
    ] = None,
    helped: Annotated[
        list[str] | None,
        typer.Option(
            "--helped",
            metavar="ID",
            show_default=False,
            help="A remedy or exercise that helped (repeat, or separate with commas).",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", show_default=False, help="A note in your words.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="WHEN",
            show_default=False,
            help="When (local time): '2026-11-20 08:30', a date alone (noon), 'yesterday',"
            " 'yesterday 18:00' or 'today 07:15'; not in the future. Default: now.",
        ),
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="Remove the entry logged last, and show it.")
    ] = False,
) -> None:
    """Add a diary entry: pain 0-10, where, trigger, what helped, a note.

    On a terminal it asks for what the options leave out; in scripts give --pain at least:
    spasm log --pain 6 --where lower --trigger lifting --helped rest-and-ice.
    """
    from back_spasm_cli.advice import recognise
    from back_spasm_cli.personal import diary
    from back_spasm_cli.views import diary as view

    state = state_of(ctx)
    knowledge = state.kb()
    content = knowledge.content
    if undo:
        given = [pain, where, trigger, helped, note, at]
        if any(value is not None for value in given):
            raise UsageError("--undo takes no other entry options")
        conn = _db()
        try:
            removed = _write(conn, diary.undo, "nothing was removed")
        finally:
            conn.close()
        state.show(view.logged(content, removed, None, [], removed=True))
        return
    vocab = diary.vocabulary(content)
    try:
        when = diary.parse_when(at) if at is not None else diary.now_local()
    except ValueError as err:
        raise UsageError(f"--at: {err}") from None
    if trigger is not None and trigger not in vocab.triggers:
        raise UsageError(f"--trigger {trigger!r}: not one of {', '.join(vocab.triggers)}")
    helped_ids = _helped_ids(helped, vocab, content) if helped is not None else None
    if note is not None:
        try:
            diary.check_note(note)
        except diary.RowError as err:
            raise UsageError(f"--note: {err}") from None
    located = _parse_where(where) if where is not None else None
    if _interactive() and None in (pain, where, trigger, helped_ids, note):
        pain, asked_where, trigger, helped_ids, note = _ask_missing(
            content, vocab, pain, where, trigger, helped_ids, note
        )
        located = located or asked_where
    if pain is None:
        raise UsageError("--pain is needed (0-10) when spasm cannot ask: spasm log --pain 6")
    area, side, leg = located or (None, None, False)
    entry = diary.Entry(
        at=when,
        pain=pain,
        area=area,
        side=side,
        leg=leg,
        trigger=trigger,
        helped=helped_ids or (),
        note=note or "",
        logged=diary.now_utc(),
    )
    entry = diary.with_titles(entry, vocab)
    flags = recognise.note_flags(content, entry.note) if entry.note else []
    warning = view.note_warning(content, state.numbers(knowledge), flags) if flags else None
    pointer = recognise.note_pointer(content, entry.note) if entry.note and not flags else None
    conn = _db()
    try:
        stored = _write(conn, lambda c: diary.add(c, entry), "the entry was not saved")
    finally:
        conn.close()
    state.show(view.logged(content, stored, warning, flags, check=pointer))


# --------------------------------------------------------------------------- history

history_app = typer.Typer(
    help="Your diary entries, newest first; `spasm history delete ID` removes one.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
group("history", history_app)


@history_app.callback(invoke_without_command=True)
def history(
    ctx: typer.Context,
    since: SinceOpt = None,
    fmt: Annotated[
        HistoryFormat | None,
        typer.Option(
            "--format",
            "-f",
            show_default=False,
            help="Output format; csv is the export's. Default: rich on a terminal, else plain.",
        ),
    ] = None,
    only_entries: Annotated[
        bool, typer.Option("--entries", help="Only the diary entries, no sessions.")
    ] = False,
    only_sessions: Annotated[
        bool, typer.Option("--sessions", help="Only the timer and routine sessions.")
    ] = False,
) -> None:
    """Your diary entries and sessions, newest first. `spasm history delete ID` removes one."""
    if ctx.invoked_subcommand is not None:
        return
    from back_spasm_cli.personal import diary
    from back_spasm_cli.views import diary as view

    if only_entries and only_sessions:
        raise UsageError("--entries and --sessions: give one of them, or neither for both")
    state = state_of(ctx)
    start = _since(since)
    conn = _db(write=False)
    try:
        items = [] if only_sessions else diary.entries(conn, start)
        sessions = [] if only_entries else diary.session_list(conn, start)
    finally:
        conn.close()
    if (fmt or state.fmt) == "csv":
        sys.stdout.write(diary.export_csv(reversed(diary.oldest_first(items, sessions))))
        return
    state.fmt = fmt or state.fmt
    shown = "entries" if only_entries else "sessions" if only_sessions else "both"
    knowledge = state.kb()
    numbers = state.numbers(knowledge)
    state.show(
        view.history(knowledge.content, items, start, sessions, shown=shown, numbers=numbers)
    )


@history_app.command("delete")
@output_options(region=False)
def history_delete(
    ctx: typer.Context,
    entry_id: Annotated[int, typer.Argument(metavar="ID", help="The entry's number (#ID).")],
) -> None:
    """Remove one diary entry by its number, and show what was removed."""
    from back_spasm_cli.personal import diary
    from back_spasm_cli.personal.safe_formats import MAX_INTEGER
    from back_spasm_cli.views import diary as view

    if not 1 <= entry_id <= MAX_INTEGER:
        raise UsageError(f"{entry_id}: an entry's number is from 1 to {MAX_INTEGER}")
    state = state_of(ctx)
    conn = _db()
    try:
        removed = _write(conn, lambda c: diary.delete(c, entry_id), "nothing was removed")
    finally:
        conn.close()
    state.show(view.logged(state.kb().content, removed, None, [], removed=True))


# --------------------------------------------------------------------------- trends


@command()
@output_options(region=False)
def trends(ctx: typer.Context, since: SinceOpt = None) -> None:
    """Pain over time as a chart, average, best and worst, what seemed to help, and
    the diary's flags (two weeks of pain, or pain getting worse: see a GP).

    Default period: the last 30 days.
    """
    from back_spasm_cli.personal import diary
    from back_spasm_cli.render import choose_format, render
    from back_spasm_cli.views import diary as view
    from back_spasm_cli.views.document import Document

    state = state_of(ctx)
    knowledge = state.kb()
    content = knowledge.content
    today = _today()
    start = _since(since or "30d")
    conn = _db(write=False)
    try:
        result = diary.trends(conn, today, start, content.diary)
    finally:
        conn.close()
    vocab = diary.vocabulary(content)
    document = view.trends(content, result, vocab, state.numbers(knowledge))
    fmt = choose_format(state.fmt, sys.stdout)
    if fmt in ("json", "markdown"):
        state.show(document)
        return
    # On a terminal or in plain text: the flags first, then the chart, then the rest.
    flag_count = len(result.flags) + sum(1 for s in document.sections if s.strip)
    if flag_count:
        render(Document(sections=document.sections[:flag_count]), fmt, sys.stdout)
    import shutil

    width = shutil.get_terminal_size((80, 24)).columns
    from back_spasm_cli.render.charts import text_chart
    from back_spasm_cli.system.i18n import _
    from back_spasm_cli.views.document import Chart

    chart = Chart(_("Pain (0-10), mean per day"), result.days)
    picture = text_chart(chart, width, color=fmt == "rich")
    if picture:
        sys.stdout.write(picture.rstrip("\n") + "\n")
    render(
        Document(
            sections=document.sections[flag_count:],
            footer=document.footer,
            payload=document.payload,
        ),
        fmt,
        sys.stdout,
    )


# --------------------------------------------------------------------------- report


@command()
def report(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE.html|FILE.md",
            dir_okay=False,
            show_default=False,
            help="Where to write the report: HTML (opens offline) or Markdown.",
        ),
    ],
    since: SinceOpt = None,
    force: ForceOpt = False,
    notes: Annotated[
        bool, typer.Option("--notes/--no-notes", help="Include the free-text notes.")
    ] = False,
) -> None:
    """A report for a clinician: what it contains, a chart, the diary's flags, what seemed
    to help, sessions, the last check in words, every entry, and what spasm is. Notes
    are left out unless --notes. Default period: 30 days."""
    from back_spasm_cli.cli import files
    from back_spasm_cli.personal import diary, records
    from back_spasm_cli.render import report as draw
    from back_spasm_cli.views import report as view

    state = state_of(ctx)
    fmt = files.check_target(output, force=force)
    content = state.kb().content
    today = _today()
    start = _since(since or "30d")
    conn = _db(write=False)
    try:
        result = diary.trends(conn, today, start, content.diary)
        items = diary.entries(conn, start)
        record = records.last_check(conn)
    finally:
        conn.close()
    vocab = diary.vocabulary(content)
    document = view.report(content, result, vocab, record, items, notes=notes)
    text = draw.report_html(document) if fmt == "html" else draw.report_markdown(document)
    files.write_handout(output, text, force=force, what="the report")
    wrote(str(output))
    left_out = "" if notes else "; notes left out (--notes includes them)"
    sys.stderr.write(
        f"spasm: wrote the report ({len(items)} entries, {len(result.session_items)} sessions"
        f"{left_out}) to {clean(str(output))}\n"
    )


# --------------------------------------------------------------------------- export, import


@command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        Literal["csv", "json", "fhir"],
        typer.Option(
            "--format",
            "-f",
            help="csv, json (both import back losslessly) or fhir (an HL7 FHIR R4 Bundle,"
            " which imports back too).",
        ),
    ] = "csv",
    output: ExportOpt = None,
    force: ForceOpt = False,
    notes: Annotated[
        bool,
        typer.Option(
            "--notes/--no-notes",
            help="fhir: include the free-text notes (left out unless asked).",
        ),
    ] = False,
) -> None:
    """Every diary entry and session, oldest first, as CSV, JSON or a FHIR R4 Bundle
    (`spasm import` reads all three back). The FHIR bundle leaves notes out unless --notes.
    """
    from back_spasm_cli.cli import files
    from back_spasm_cli.personal import diary

    conn = _db(write=False)
    try:
        entries = list(reversed(diary.entries(conn)))
        sessions = list(reversed(diary.session_list(conn)))
    finally:
        conn.close()
    if fmt == "fhir":
        from back_spasm_cli.personal import fhir

        vocab = diary.vocabulary(state_of(ctx).kb().content)
        text = fhir.export_bundle(entries, sessions, notes=notes, vocab=vocab)
    else:
        items = diary.oldest_first(entries, sessions)
        text = diary.export_csv(items) if fmt == "csv" else diary.export_json(items)
    if output is None:
        sys.stdout.write(text)
        return
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; use --force to replace it")
    if not output.parent.is_dir():
        raise UsageError(f"{output}: the folder {str(output.parent)!r} does not exist")
    files.write_handout(output, text, force=force, what="the export")
    wrote(str(output))
    left_out = " (notes left out; --notes includes them)" if fmt == "fhir" and not notes else ""
    sys.stderr.write(
        f"spasm: exported {len(entries)} entries and {len(sessions)} sessions"
        f" to {clean(str(output))}{left_out}\n"
    )


def _import_kind(file: Path, text: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        head = text.lstrip()[:4096]
        return "fhir" if head.startswith("{") and '"resourceType"' in head else "json"
    raise UsageError(f"{file}: give --format csv, json or fhir (the suffix does not say)")


@command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", dir_okay=False, help="A .csv or .json export, or a FHIR"),
    ],
    fmt: Annotated[
        Literal["csv", "json", "fhir"] | None,
        typer.Option("--format", "-f", show_default=False, help="Default: from FILE."),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Where a row's UUID is here with other content, take the file's."
        ),
    ] = False,
) -> None:
    """Merge an export (CSV, JSON or a FHIR Bundle) into the diary, by each row's UUID.
    Every row is checked first: one bad row and nothing is imported, with each error's
    line and field. Rows already here are skipped, so importing twice adds nothing; a row
    whose UUID is here with other content is a conflict (nothing is imported without
    --replace)."""
    from back_spasm_cli.personal import diary

    try:
        # newline="": a CR inside a quoted CSV cell is data, not a line end.
        with file.open(encoding="utf-8-sig", newline="") as source:
            text = source.read()
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"{file}: not UTF-8 text") from None
    except OSError as err:
        raise UsageError(f"{file}: cannot read it ({err.strerror})") from None
    kind = _import_kind(file, text, fmt)
    state: AppState = state_of(ctx)
    vocab = diary.vocabulary(state.kb().content)
    try:
        if kind == "fhir":
            from back_spasm_cli.personal import fhir

            rows = fhir.read_bundle(text, vocab)
        else:
            rows = diary.read_import(text, kind, vocab)
    except diary.ImportRefused as err:
        raise UsageError(f"{file}: {err.message}", details=err.details) from None
    notes = True
    if kind == "fhir":
        from back_spasm_cli.personal import fhir

        notes = fhir.has_notes(text)
    conn = _db()
    try:
        result = _write(
            conn,
            lambda c: diary.store_import(c, rows, replace=replace, notes=notes),
            "nothing was imported",
            begin=False,  # store_import takes its own write lock
        )
    except diary.ImportRefused as err:
        raise UsageError(f"{file}: {err.message}", details=err.details) from None
    finally:
        conn.close()
    extra = [f"{result.same} were already there"] if result.same else []
    if result.replaced:
        extra.append(f"{result.replaced} replaced")
    again = f" ({', '.join(extra)})" if extra else ""
    sys.stdout.write(
        f"imported {result.entries} entries and {result.sessions} sessions"
        f" from {clean(str(file))}{again}\n"
    )


# --------------------------------------------------------------------------- diary


diary_app = typer.Typer(
    help="Where the diary is kept, and a check that the file is sound.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
group("diary", diary_app)


@diary_app.command("path")
def diary_path() -> None:
    """Print where the private database is (open it with sqlite-utils or Datasette)."""
    from back_spasm_cli.personal import storage

    sys.stdout.write(f"{storage.private_db_path()}\n")


@diary_app.command("check")
def diary_check() -> None:
    """Run SQLite's integrity check on the private database, read-only."""
    import sqlite3

    from back_spasm_cli.personal import storage
    from back_spasm_cli.system import database, paths

    path = storage.private_db_path()
    try:
        link = paths.symlink_in(path, "-wal", "-shm", "-journal")
        if link is None and not path.exists():
            sys.stdout.write(f"no diary yet at {path}\n")
            return
        if link is not None:
            raise UsageError(f"{link} is a symbolic link: spasm did not follow it")
        with path.open("rb"):  # an unreadable file is "cannot open", not damage
            pass
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            found = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except OSError as err:
        raise storage.DiaryIOError(
            f"cannot open {path} ({err.strerror or err}); it was not checked"
        ) from None
    except sqlite3.DatabaseError as err:
        if not database.is_damage(err):
            reason = storage.explain(err, path, "").message
            raise storage.DiaryIOError(
                f"cannot open {path} to check it: {reason}; it was not changed"
            ) from None
        found = [str(err)]
    if found == ["ok"]:
        sys.stdout.write(f"ok: {path}\n")
        return
    raise SpasmError(
        f"{path} failed SQLite's integrity check; it was not changed",
        details=found[:20],
    )
