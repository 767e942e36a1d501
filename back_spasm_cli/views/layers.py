"""Views of the layer stack: `spasm kb list`, `kb which`, `kb check`. Never prints."""

from __future__ import annotations

from collections import Counter
from typing import Any

from back_spasm_cli.knowledge.kb import KnowledgeBase
from back_spasm_cli.knowledge.layers import Layer
from back_spasm_cli.views.document import Bullets, Document, Section


def from_line(knowledge: KnowledgeBase, item_id: str) -> str | None:
    """ "from: Riverside Physio 1.2" for an entry an overlay added, replaced or extended."""
    origin = knowledge.origin_of(item_id)
    extended = [layer for layer in knowledge.extended_by(item_id) if layer is not origin]
    if origin is None and not extended:
        return None
    if origin is not None:
        line = f"from: {origin.label()}"
        return line + (
            f" (added to by {', '.join(x.label() for x in extended)})" if extended else ""
        )
    return f"added to by: {', '.join(layer.label() for layer in extended)}"


def from_json(knowledge: KnowledgeBase, item_id: str) -> dict[str, Any]:
    """The JSON keys of provenance: `from` (layer, name, version) and `extended_by`."""
    out: dict[str, Any] = {}
    origin = knowledge.origin_of(item_id)
    if origin is not None:
        out["from"] = _short(origin)
    extended = knowledge.extended_by(item_id)
    if extended:
        out["extended_by"] = [_short(layer) for layer in extended]
    return out


def _short(layer: Layer) -> dict[str, Any]:
    return {"layer": layer.kind, "name": layer.name, "version": layer.version}


def _counts(knowledge: KnowledgeBase, index: int) -> dict[str, int]:
    if index == 0:
        own = [found for found in knowledge.provenance.values() if found.layer == 0]
        return {"entries": len(own)}
    ops = Counter(touch.op for touch in knowledge.touches if touch.layer == index)
    return dict(sorted(ops.items()))


def layer_list(knowledge: KnowledgeBase) -> Document:
    """Every layer, most local last, with what each adds."""
    sections = []
    payload = []
    for index, layer in enumerate(knowledge.layers):
        counts = _counts(knowledge, index)
        facts = [("Kind", f"{layer.kind} ({layer.scope})"), ("Path", layer.path)]
        if layer.owner:
            facts.append(("Owner", layer.owner))
        if layer.contact:
            facts.append(("Contact", layer.contact))
        if layer.language:
            facts.append(("Language", layer.language))
        facts.append(("Counts", ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing"))
        sections.append(
            Section(
                title=f"{index + 1}. {layer.label()}",
                tone="info" if index == 0 else "note",
                facts=tuple(facts),
            )
        )
        payload.append(
            {
                **layer.as_json(),
                "owner": layer.owner,
                "contact": layer.contact,
                "files": list(layer.files),
                "counts": counts,
            }
        )
    return Document(sections=tuple(sections), payload={"layers": payload})


def which(knowledge: KnowledgeBase, item_id: str, section: str) -> Document:
    """Which layer and file define an id, and what extends or points at it."""
    found = knowledge.provenance[item_id]
    layer = knowledge.layers[found.layer]
    where = found.file + (f":{found.line}" if found.line else "")
    facts = [
        ("Section", section),
        ("Defined by", f"{layer.label()} ({layer.kind})"),
        ("File", where),
    ]
    if found.replaced:
        facts.append(("Replaces", "the entry of the same id below it"))
    lists = []
    extended = [
        f"{knowledge.layers[i].label()}: {file}" + (f":{line}" if line else "")
        for i, file, line in found.extended_by
    ]
    if extended:
        lists.append(Bullets("Extended by", tuple(extended)))
    payload = {
        "id": item_id,
        "section": section,
        "layer": layer.as_json(),
        "file": found.file,
        "line": found.line,
        "replaced": found.replaced,
        "extended_by": [
            {"layer": knowledge.layers[i].as_json(), "file": file, "line": line}
            for i, file, line in found.extended_by
        ],
    }
    return Document(
        sections=(Section(title=item_id, facts=tuple(facts), lists=tuple(lists)),),
        payload=payload,
    )


def check(knowledge: KnowledgeBase, path: str) -> Document:
    """`spasm kb check PATH`: the overlay is valid on top of the layers in use."""
    index, layer = next(
        (i, layer) for i, layer in reversed(list(enumerate(knowledge.layers))) if layer.path == path
    )
    counts = _counts(knowledge, index)
    facts = [
        ("Files", ", ".join(layer.files) or "none"),
        ("Operations", ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"),
    ]
    return Document(
        sections=(
            Section(
                title=f"valid: {layer.label()}",
                subtitle=f"overlay: {path}",
                tone="self-care",
                facts=tuple(facts),
            ),
        ),
        payload={
            "valid": True,
            "layer": layer.as_json(),
            "files": list(layer.files),
            "counts": counts,
        },
    )
