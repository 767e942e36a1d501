"""`spasm search` and `spasm ask`: find advice from your own words."""

from contextlib import AbstractContextManager
from typing import Annotated, Literal

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.state import output_options, state_of

#: The kinds `--kind` accepts: the names in kinds.KINDS (a test keeps them equal).
KindName = Literal["cause", "remedy", "prevention", "lifestyle", "faq", "red-flag", "exercise"]


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
        list[str],
        typer.Argument(help="Your own words; no quotes needed.", show_default=False),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, max=100, help="How many results.")
    ] = 5,
    kind: Annotated[
        KindName | None,
        typer.Option("--kind", "-k", help="Only entries of this kind.", show_default=False),
    ] = None,
) -> None:
    """Search every entry, best match first, matched words marked «like this».

    Exit 1 when nothing matches (with the nearest known words). A red flag in your words
    puts its care level first.
    """
    from back_spasm_cli import answers
    from back_spasm_cli import search as engine

    state = state_of(ctx)
    with engine.open_index(state.kb_path, progress=_progress) as index:
        document = answers.search_results(
            index,
            " ".join(query),
            limit=limit,
            kind=kind,
            region=state.region,
            kb_path=state.kb_path,
        )
    state.show(document)


@command()
@output_options()
def ask(
    ctx: typer.Context,
    question: Annotated[
        list[str],
        typer.Argument(
            help="A question in plain words; no quotes needed.",
            show_default=False,
        ),
    ],
) -> None:
    """Answer a question: the best entry in full, then related ones. Red flags come first."""
    from back_spasm_cli import answers
    from back_spasm_cli import search as engine

    state = state_of(ctx)
    knowledge = state.kb()
    numbers = state.numbers(knowledge)
    with engine.open_index(knowledge=knowledge) as index:
        document = answers.ask_answer(index, knowledge, numbers, " ".join(question))
    state.show(document)
