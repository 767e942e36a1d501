"""Lookup commands: causes, remedies, prevention, lifestyle, FAQ, exercises, doctor, about."""

from typing import TYPE_CHECKING, Annotated

import typer

from back_spasm_cli.cli import command
from back_spasm_cli.cli.state import complete_names, output_options, state_of

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.knowledge.regions import Numbers
    from back_spasm_cli.views.document import Document


def names_argument(kind_name: str) -> object:
    """The NAME... argument of a lookup command, completing that kind's names."""
    return typer.Argument(
        metavar="NAME",
        help="A name, alias or id; several words need no quotes. None: the list.",
        show_default=False,
        autocompletion=complete_names(kind_name),
    )


def _show_kind(ctx: typer.Context, kind_name: str, words: list[str] | None) -> None:
    state = state_of(ctx)

    def build(knowledge: "KnowledgeBase", numbers: "Numbers") -> "Document":
        from back_spasm_cli.knowledge import lookup
        from back_spasm_cli.knowledge.kinds import KINDS
        from back_spasm_cli.views import lookups

        kind = KINDS[kind_name]
        if not words:
            if state.full:
                return lookups.entries(knowledge, numbers, kind, full=True)
            return lookups.summaries(knowledge, numbers, kind)
        found, match = lookup.resolve_anywhere(knowledge.content, kind, words)
        notices = []
        if found is not kind:
            notices.append(
                f"{match.item.title!r} is not a {kind.name}; it is under `spasm {found.command}`"
            )
        return lookups.entries(knowledge, numbers, found, [match], full=state.full, notices=notices)

    state.show_view(build)


CausesNames = Annotated[list[str] | None, names_argument("cause")]
RemedyNames = Annotated[list[str] | None, names_argument("remedy")]
PreventNames = Annotated[list[str] | None, names_argument("prevention")]
LifestyleNames = Annotated[list[str] | None, names_argument("lifestyle")]
FaqNames = Annotated[list[str] | None, names_argument("faq")]
ExerciseNames = Annotated[list[str] | None, names_argument("exercise")]


@command()
@output_options()
def causes(ctx: typer.Context, name: CausesNames = None) -> None:
    """What can set off a back spasm: the list, or the one you name."""
    _show_kind(ctx, "cause", name)


@command()
@output_options()
def remedies(ctx: typer.Context) -> None:
    """Every remedy in one line each (--full: each in full)."""
    _show_kind(ctx, "remedy", None)


@command()
@output_options()
def remedy(ctx: typer.Context, name: RemedyNames = None) -> None:
    """One remedy: what to do, how long, cautions (--full: evidence and sources)."""
    _show_kind(ctx, "remedy", name)


@command()
@output_options()
def prevent(ctx: typer.Context, name: PreventNames = None) -> None:
    """Habits that make spasms less likely: the list, or the one you name."""
    _show_kind(ctx, "prevention", name)


@command()
@output_options()
def lifestyle(ctx: typer.Context, name: LifestyleNames = None) -> None:
    """Day-to-day changes: hydration, nutrition, ergonomics, stress management."""
    _show_kind(ctx, "lifestyle", name)


@command()
@output_options()
def faq(ctx: typer.Context, question: FaqNames = None) -> None:
    """Common questions: the list, or the one you name (a few of its words will do)."""
    _show_kind(ctx, "faq", question)


@command()
@output_options()
def exercises(ctx: typer.Context, name: ExerciseNames = None) -> None:
    """Guided exercises: the list, or one with its holds and repetitions."""
    _show_kind(ctx, "exercise", name)


@command()
@output_options()
def doctor(ctx: typer.Context) -> None:
    """When to get help: the red flags by urgency, and the numbers to call (--full: each
    sign on its own line, and the numbers' notes)."""
    from back_spasm_cli.views import lookups

    state = state_of(ctx)
    state.show_view(lambda knowledge, numbers: lookups.doctor(knowledge, numbers, full=state.full))


@command()
@output_options(region=False)
def about(ctx: typer.Context) -> None:
    """Version, where the knowledge base is, its counts and sources, the disclaimer."""
    from back_spasm_cli.views import lookups

    state = state_of(ctx)
    state.show(lookups.about(state.kb()))
