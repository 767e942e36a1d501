"""Lookup commands: causes, remedies, prevention, lifestyle, FAQ, exercises, doctor, about."""

from typing import TYPE_CHECKING, Annotated

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.state import output_options, state_of

if TYPE_CHECKING:
    from back_spasm_cli.document import Document
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.regions import Numbers

NamesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="A name, alias or id; several words need no quotes.",
        show_default=False,
    ),
]


def _show_kind(
    ctx: typer.Context,
    kind_name: str,
    words: list[str] | None,
    *,
    summaries_when_empty: bool = False,
) -> None:
    def build(knowledge: "KnowledgeBase", numbers: "Numbers") -> "Document":
        from back_spasm_cli import lookup
        from back_spasm_cli.kinds import KINDS
        from back_spasm_cli.views import lookups

        kind = KINDS[kind_name]
        if not words:
            return (
                lookups.summaries(knowledge, numbers, kind)
                if summaries_when_empty
                else lookups.entries(knowledge, numbers, kind)
            )
        items = getattr(knowledge.content, kind.section)
        match = lookup.resolve(items, words, kind.name)
        return lookups.entries(knowledge, numbers, kind, [match])

    state_of(ctx).show_view(build)


@command()
@output_options()
def causes(ctx: typer.Context, name: NamesArg = None) -> None:
    """What can set off a back spasm: every cause, or the one you name."""
    _show_kind(ctx, "cause", name)


@command()
@output_options()
def remedies(ctx: typer.Context) -> None:
    """Every remedy with its one-line summary."""
    _show_kind(ctx, "remedy", None, summaries_when_empty=True)


@command()
@output_options()
def remedy(
    ctx: typer.Context,
    name: Annotated[
        list[str],
        typer.Argument(help="e.g. heat, ice, stretching, massage, meds, physio."),
    ],
) -> None:
    """One remedy in full: how to, how long, cautions, evidence, related entries, sources."""
    _show_kind(ctx, "remedy", name)


@command()
@output_options()
def prevent(ctx: typer.Context, name: NamesArg = None) -> None:
    """Habits that make spasms less likely: all of them, or the one you name."""
    _show_kind(ctx, "prevention", name)


@command()
@output_options()
def lifestyle(ctx: typer.Context, name: NamesArg = None) -> None:
    """Day-to-day changes: hydration, nutrition, ergonomics, stress management."""
    _show_kind(ctx, "lifestyle", name)


@command()
@output_options()
def faq(
    ctx: typer.Context,
    question: Annotated[
        list[str] | None,
        typer.Argument(help="A question id or a few of its words.", show_default=False),
    ] = None,
) -> None:
    """Common questions: how long spasms last, when to get help, prevention."""
    _show_kind(ctx, "faq", question)


@command()
@output_options()
def exercises(ctx: typer.Context, name: NamesArg = None) -> None:
    """Guided exercises with their holds and repetitions."""
    _show_kind(ctx, "exercise", name)


@command()
@output_options()
def doctor(ctx: typer.Context) -> None:
    """When to get help: the red flags by urgency, and the numbers to call."""

    def build(knowledge: "KnowledgeBase", numbers: "Numbers") -> "Document":
        from back_spasm_cli.views import lookups

        return lookups.doctor(knowledge, numbers)

    state_of(ctx).show_view(build)


@command()
@output_options(region=False)
def about(ctx: typer.Context) -> None:
    """Version, where the knowledge base is, its counts and sources, the disclaimer."""
    from back_spasm_cli.views import lookups

    state = state_of(ctx)
    state.show(lookups.about(state.kb()))
