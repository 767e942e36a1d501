"""`spasm kb`: check a knowledge base, print its JSON Schema."""

from typing import Annotated

import typer

from back_spasm_cli.cli import group
from back_spasm_cli.cli.state import output_options, state_of

kb_app = typer.Typer(
    help="Check a knowledge base, or print its JSON Schema.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
group("kb", kb_app)


@kb_app.command()
@output_options(region=False)
def validate(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="PATH",
            help="A YAML file or folder. Default: --kb, SPASM_KB, or the shipped base.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate a knowledge base: 'valid' with counts (exit 0), or every error (exit 2)."""
    from back_spasm_cli.knowledge import kb
    from back_spasm_cli.views import lookups
    from back_spasm_cli.views.document import Document, Section

    state = state_of(ctx)
    knowledge = kb.load(path or state.kb_path, use_cache=False)
    counts = lookups.section_counts(knowledge.content)
    levels = lookups.red_flag_levels(knowledge.content)
    where = "shipped knowledge base" if knowledge.origin == kb.SHIPPED else knowledge.origin
    facts = [(name.replace("_", " "), str(n)) for name, n in counts.items()]
    facts.append(("red flags by level", ", ".join(f"{k} {v}" for k, v in levels.items())))
    document = Document(
        sections=(Section(title=f"valid: {where}", tone="self-care", facts=tuple(facts)),),
        payload={
            "valid": True,
            "origin": knowledge.origin,
            "files": list(knowledge.files),
            "counts": counts,
            "red_flag_levels": levels,
        },
    )
    state.show(document)


@kb_app.command()
def schema() -> None:
    """Print the JSON Schema of a knowledge-base file (for editors: yaml-language-server)."""
    import json

    from back_spasm_cli.knowledge.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
