"""`spasm search` and `spasm ask`: find advice from your own words."""

from contextlib import AbstractContextManager
from typing import Annotated, Literal

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.state import output_options, state_of

#: The kinds `--kind` accepts: the names in kinds.KINDS (a test keeps them equal).
KindName = Literal["cause", "remedy", "prevention", "lifestyle", "faq", "red-flag", "exercise"]


#: The most of standard input a question is read from (a question, not a document).
MAX_STDIN = 10_000


def words_or_stdin(words: list[str] | None, what: str) -> str:
    """The words given, or, with none on a pipe or with `-`, the text on standard input.

    An apostrophe the shell would take as a quote (`spasm search I can't sit`) leaves it
    waiting: quoting the words, or piping them in, avoids that."""
    import sys

    from back_spasm_cli.errors import UsageError

    given = list(words or [])
    if given == ["-"] or (not given and not sys.stdin.isatty()):
        text = sys.stdin.read(MAX_STDIN + 1)
        if len(text) > MAX_STDIN:
            raise UsageError(f"the {what} on standard input is over {MAX_STDIN:,} characters")
        if not text.strip():
            raise UsageError(f"no {what}: standard input was empty")
        return " ".join(text.split())
    if not given:
        command = "ask" if what == "question" else "search"
        raise UsageError(
            f'give your {what}, e.g. spasm {command} "I can\'t sit", or pipe it in:'
            f' echo "..." | spasm {command}'
        )
    return " ".join(given)


def _progress() -> AbstractContextManager[object]:
    """A spinner on stderr while a large index is built, only on a terminal."""
    import sys
    from contextlib import nullcontext

    if not sys.stderr.isatty():
        return nullcontext()
    from rich.console import Console

    return Console(stderr=True).status("Building the search index…")


@command()
@output_options()
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help='Your own words. Quote words with an apostrophe ("I can\'t sit"), or the'
            " shell waits for the closing quote; none, or -, reads them from a pipe.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=100, help="How many results.")
    ] = 5,
    kind: Annotated[
        KindName | None,
        typer.Option("--kind", "-k", help="Only entries of this kind.", show_default=False),
    ] = None,
) -> None:
    """Search every entry, best match first, matched words marked «like this».

    A red flag in your words comes first: its care level, the number to call, and why.
    Exit 1 when neither an entry nor a red flag matches (with the nearest known words).
    """
    from back_spasm_cli.advice import queries
    from back_spasm_cli.errors import NotFoundError
    from back_spasm_cli.views import search as view

    state = state_of(ctx)
    knowledge = state.kb()
    numbers = state.numbers(knowledge)
    text = words_or_stdin(query, "words")
    try:
        found = queries.search(knowledge, text, limit=limit, kind=kind, progress=_progress)
    except NotFoundError:  # nothing searchable (only punctuation): still the safety strip
        state.show(view.nothing_found(knowledge, numbers, text))
        raise
    if found.missing is not None:
        state.show(view.nothing_found(knowledge, numbers, text))
        raise found.missing
    state.show(
        view.search_results(
            knowledge, numbers, found.results, found.flags, notices=found.notices, check=found.check
        )
    )


@command()
@output_options()
def ask(
    ctx: typer.Context,
    question: Annotated[
        list[str] | None,
        typer.Argument(
            help="A question in plain words. Quote words with an apostrophe (\"can't I"
            ' drive?"), or the shell waits for the closing quote; none, or -, reads the'
            " question from a pipe.",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=0,
            max=100_000,
            help="Days since it started (0 = today): orders ice or heat for your day."
            " Default: from your last `spasm check`.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Answer a question: red flags first, then the entries that answer what was asked."""
    from back_spasm_cli.advice import queries
    from back_spasm_cli.views import search as view

    state = state_of(ctx)
    knowledge = state.kb()
    text = words_or_stdin(question, "question")
    asked = queries.ask(knowledge, text, days=days, progress=_progress)
    numbers = state.numbers(knowledge)
    found, notices = asked.answer, asked.notices
    state.show(view.ask_answer(knowledge, numbers, found, full=state.full, notices=notices))
