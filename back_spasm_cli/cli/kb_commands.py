"""`spasm kb`: the layers in use, overlays (add, remove, check, new), validation, schema."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from back_spasm_cli.cli import group
from back_spasm_cli.cli.state import output_options, state_of
from back_spasm_cli.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.layers import LayerSource
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

kb_app = typer.Typer(
    help="The knowledge base in use and its layers: list them, add or remove an overlay,"
    " check one, find where an entry comes from, validate a base, print its JSON Schema.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
group("kb", kb_app)

OverlayPath = Annotated[
    str,
    typer.Argument(
        metavar="PATH", help="An overlay folder (with an overlay.yaml).", show_default=False
    ),
]


@kb_app.command()
@output_options(region=False)
def validate(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="PATH",
            help="A YAML file or folder (the base alone). Default: the base in use with its"
            " overlays.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate a knowledge base: 'valid' with counts (exit 0), or every error (exit 2)."""
    from back_spasm_cli.knowledge import kb
    from back_spasm_cli.views import lookups
    from back_spasm_cli.views.document import Document, Section

    state = state_of(ctx)
    if path is not None:
        knowledge = kb.load(path, use_cache=False, layered=False)
    else:
        knowledge = kb.load(state.kb_path, overlays=state.overlays, use_cache=False)
    counts = lookups.section_counts(knowledge.content)
    levels = lookups.red_flag_levels(knowledge.content)
    where = "shipped knowledge base" if knowledge.origin == kb.SHIPPED else knowledge.origin
    overlays = [layer.label() for layer in knowledge.overlays()]
    if overlays:
        where += f" with {', '.join(overlays)}"
    facts = [(name.replace("_", " "), str(n)) for name, n in counts.items()]
    facts.append(("red flags by level", ", ".join(f"{k} {v}" for k, v in levels.items())))
    document = Document(
        sections=(Section(title=f"valid: {where}", tone="self-care", facts=tuple(facts)),),
        payload={
            "valid": True,
            "origin": knowledge.origin,
            "files": list(knowledge.files),
            "layers": [layer.as_json() for layer in knowledge.layers],
            "counts": counts,
            "red_flag_levels": levels,
        },
    )
    state.show(document)


@kb_app.command("list")
@output_options(region=False, full=False)
def list_layers(ctx: typer.Context) -> None:
    """The layers in use, most local last: the base, translations, overlays, with counts."""
    from back_spasm_cli.views import layers

    state = state_of(ctx)
    state.show(layers.layer_list(state.kb()))


@kb_app.command()
@output_options(region=False, full=False)
def which(
    ctx: typer.Context,
    entry_id: Annotated[
        str, typer.Argument(metavar="ID", help="An entry's id, e.g. heat.", show_default=False)
    ],
) -> None:
    """Which layer and file define an entry, and which layers extend it (exit 1: no such id)."""
    from back_spasm_cli.knowledge.kb import iter_items
    from back_spasm_cli.render.text import clean
    from back_spasm_cli.views import layers

    state = state_of(ctx)
    knowledge = state.kb()
    wanted = entry_id.strip().casefold()
    section = next(
        (name for name, item in iter_items(knowledge.content) if item.id == wanted), None
    )
    if section is None or wanted not in knowledge.provenance:
        raise NotFoundError(f"no entry has the id {clean(entry_id)!r} (`spasm kb list`)")
    state.show(layers.which(knowledge, wanted, section))


@kb_app.command()
@output_options(region=False, full=False)
def check(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="PATH",
            help="An overlay folder (with an overlay.yaml). Without one: the language"
            " layers (data/es/), or the one --lang names.",
            show_default=False,
        ),
    ] = None,
    stamp: Annotated[
        bool,
        typer.Option(
            "--stamp",
            help="Write each translated entry's source_hash (of the English it was made"
            " from) into the language layer's files, where it has none.",
        ),
    ] = False,
) -> None:
    """Check an overlay without installing it, or a language layer: what is missing, stale
    or unstamped (exit 0, or 2 when safety text is missing or stale)."""
    from back_spasm_cli.knowledge import kb
    from back_spasm_cli.views import layers

    state = state_of(ctx)
    if path is None:
        _check_languages(ctx, stamp)
        return
    knowledge = kb.load(state.kb_path, overlays=(*state.overlays, path), use_cache=False)
    state.show(layers.check(knowledge, path))


def _check_languages(ctx: typer.Context, stamp: bool) -> None:
    """`spasm kb check [--lang es] [--stamp]`: the language layers against the English."""
    from back_spasm_cli.knowledge import kb, language
    from back_spasm_cli.system import i18n
    from back_spasm_cli.views.document import Bullets, Document, Section

    state = state_of(ctx)
    wanted = [i18n.language()] if i18n.option_in(sys.argv) or i18n.language() != "en" else []
    languages = [lang for lang in (wanted or i18n.LANGUAGES) if lang != "en"]
    english = kb.load(state.kb_path, layered=False, use_cache=False).content
    sections: list[Section] = []
    payload: dict[str, object] = {}
    gaps = False
    for lang in languages:
        layer = kb.language_layer(state.kb_path, lang)
        if not layer:
            raise UsageError(f"no language layer for {lang!r} beside this knowledge base")
        source = layer[0]
        if stamp:
            written = _stamp(english, source)
            if written:
                sys.stderr.write(f"spasm: stamped {written} entries ({lang})\n")
        issues: list[kb.KBIssue] = []
        documents = [kb.compose(f.name, f.read_bytes(), issues) for f in source.files]
        if issues:
            raise kb.KnowledgeBaseError(issues)
        report = language.walk(english, [d[0] for d in documents if d], lang).report
        # The layer must also merge: anything not text is refused there, with its line.
        kb.load(state.kb_path, languages=layer, use_cache=False)
        safety = language.safety_gaps(report)
        gaps = gaps or bool(safety)
        lists = tuple(
            Bullets(label, items)
            for label, items in (
                ("Missing (shown in English)", report.missing),
                ("Stale (the English changed since)", report.stale),
                ("Not stamped (run --stamp)", report.unstamped),
                ("Safety text not complete and current", tuple(safety)),
            )
            if items
        )
        verdict = "incomplete" if safety else "complete" if not lists else "usable"
        sections.append(
            Section(
                title=f"{lang}: {verdict} ({source.path})",
                tone="urgent" if safety else "self-care",
                facts=(
                    ("missing", str(len(report.missing))),
                    ("stale", str(len(report.stale))),
                    ("not stamped", str(len(report.unstamped))),
                ),
                lists=lists,
            )
        )
        payload[lang] = {
            "path": source.path,
            "missing": list(report.missing),
            "stale": list(report.stale),
            "unstamped": list(report.unstamped),
            "safety_gaps": safety,
        }
    state.show(Document(sections=tuple(sections), payload={"languages": payload}))
    if gaps:
        raise typer.Exit(2)


def _stamp(english: "KnowledgeBaseFile", source: "LayerSource") -> int:
    from back_spasm_cli.knowledge import kb
    from back_spasm_cli.knowledge import stamp as stamper

    written = 0
    for file in source.files:
        data = file.read_bytes()
        issues: list[kb.KBIssue] = []
        composed = kb.compose(file.name, data, issues)
        if composed is None:
            raise kb.KnowledgeBaseError(issues)
        text, names = stamper.stamp(english, data.decode("utf-8-sig"), composed[1])
        if names:
            from back_spasm_cli.system import atomic

            atomic.write_text(Path(str(file.resource)), text)
            written += len(names)
    return written


@kb_app.command()
@output_options(region=False, full=False)
def add(ctx: typer.Context, path: OverlayPath) -> None:
    """Install an overlay for you: checked first, then copied into the spasm home."""
    from back_spasm_cli.knowledge import kb
    from back_spasm_cli.knowledge import layers as layering
    from back_spasm_cli.views.document import Document, Section

    state = state_of(ctx)
    knowledge = kb.load(state.kb_path, overlays=(*state.overlays, path), use_cache=False)
    layer = knowledge.layers[-1]
    target = layering.install(Path(path).expanduser(), layer.name)
    state.show(
        Document(
            sections=(
                Section(
                    title=f"installed: {layer.label()}",
                    tone="self-care",
                    facts=(("Folder", str(target)), ("Remove", f"spasm kb remove {target.name}")),
                ),
            ),
            payload={"installed": layer.as_json() | {"path": str(target)}},
        )
    )


@kb_app.command()
@output_options(region=False, full=False)
def remove(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The overlay's name or folder (`spasm kb list`).",
            show_default=False,
        ),
    ],
) -> None:
    """Remove an overlay you installed with `spasm kb add` (exit 1: none by that name)."""
    from back_spasm_cli.knowledge import layers as layering
    from back_spasm_cli.render.text import clean
    from back_spasm_cli.views.document import Document, Section

    state = state_of(ctx)
    found = layering.find_installed(name)
    if found is None:
        raise NotFoundError(f"no installed overlay is called {clean(name)!r} (`spasm kb list`)")
    folder, scope = found
    if scope == "site":
        raise UsageError(
            f"{clean(name)!r} is installed for every user, in {folder}; ask whoever manages"
            " this machine to remove it"
        )
    label = layering.manifest_name(folder) or folder.name
    layering.uninstall(folder)
    state.show(
        Document(
            sections=(
                Section(title=f"removed: {label}", tone="note", facts=(("Folder", str(folder)),)),
            ),
            payload={"removed": {"name": label, "path": str(folder)}},
        )
    )


@kb_app.command()
def new(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="A folder to create.", show_default=False)
    ],
) -> None:
    """Write a commented starter overlay into a new folder (exit 2 if it exists)."""
    from back_spasm_cli.knowledge.layers import write_starter

    for written in write_starter(path):
        typer.echo(f"wrote {written}")
    typer.echo(f"next: edit them, then `spasm kb check {path}` and `spasm kb add {path}`")


@kb_app.command()
def schema() -> None:
    """Print the JSON Schema of a knowledge-base file (for editors: yaml-language-server)."""
    import json

    from back_spasm_cli.knowledge.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
