"""What a language layer (data/es/) lacks, and the English it leaves marked.

layers.py puts a layer's text into the base (`translate`) and refuses whatever is not
text. This module says what is left: text the layer lacks (missing), translations made
from English text that has changed since (stale, by `source_hash`), entries not stamped
yet; and marks an ordinary entry shown in English with "(en inglés)".

A layer file mirrors an English file of the same name: the same top-level keys and the
same ids, each entry carrying only its text fields (translated) plus `source_hash`, a
short hash of the English entry's text when it was translated (`spasm kb check --stamp`
writes them). What counts as text is read from the schema: fields typed `Text` or `Line`
(and lists of them). Everything else (ids, levels, rules, numbers, sources, links,
thresholds) belongs to the English base alone: a layer that carries one is refused, a
list of text (steps, cautions, notes) must keep the English length, and aliases are
added to the English ones, never instead of them. So a translation can change words
and nothing else: never a level, a rule, a number, or a phrasing the recogniser knows.

An ordinary entry the layer lacks, wholly or in part, is shown in English with "(en
inglés)" after its title; safety text (red flags, triage, care levels, the strip, the
disclaimer, the medication notice, regions, sessions) must be complete (a test says so).
The recogniser's words in another language (data/es/words.yaml) are not a mirror of the
English ones: they are read by the recogniser, not here.

Entries are the schema's items that carry `sources`; their hash covers their own text
and that of what they hold without sources of their own (a region's phone labels).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

try:  # CPython's own BLAKE2, as in kb.py
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

from back_spasm_cli.knowledge import schema

#: Sections that are not translated by mirroring (the recogniser reads its own words).
NOT_MIRRORED = ("words",)
#: Sections whose entries may fall back to English, marked; everything else is safety.
ORDINARY = ("overview", "causes", "remedies", "lifestyle", "prevention", "faq", "exercises")
#: Keys that identify an item of a list that has no `id`.
MATCH_KEYS = ("id", "level", "started")
HASH_KEY = "source_hash"
#: Said after the title of an entry shown in English in another language.
FALLBACK_MARK = {"es": " (en inglés)"}


class Report(NamedTuple):
    """What a layer lacks: missing text, stale translations, entries with no stamp."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    unstamped: tuple[str, ...]


class Applied(NamedTuple):
    content: schema.KnowledgeBaseFile
    report: Report


# --------------------------------------------------------------------------- the schema

_TEXT_CHECKS = {id(typing.get_args(schema.Text)[1]), id(typing.get_args(schema.Line)[1])}


def _kind(hint: Any) -> tuple[str, Any]:
    """("text" | "texts" | "model" | "models" | "other", the model class if any)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _kind(args[0]) if len(args) == 1 else ("other", None)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(hint)
        if base is str and any(id(item) in _TEXT_CHECKS for item in metadata):
            return "text", None
        return _kind(base)
    if origin is list:
        inner, model = _kind(typing.get_args(hint)[0])
        if inner == "text":
            return "texts", None
        if inner == "model":
            return "models", model
        return "other", None
    if isinstance(hint, type) and issubclass(hint, schema.Model):
        return "model", hint
    return "other", None


def fields_of(cls: type) -> dict[str, tuple[str, Any]]:
    """Each field of a schema type with its kind (see `_kind`)."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = _fields_of(cls)
    return found


_FIELDS: dict[type, dict[str, tuple[str, Any]]] = {}


def _fields_of(cls: type) -> dict[str, tuple[str, Any]]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return {field.name: _kind(hints[field.name]) for field in dataclasses.fields(cls)}


def _is_entry(cls: type) -> bool:
    return "sources" in fields_of(cls)


def _match_key(cls: type) -> str | None:
    return next((key for key in MATCH_KEYS if key in fields_of(cls)), None)


# --------------------------------------------------------------------------- hashing


def _texts(item: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    for name, (kind, _model) in fields_of(type(item)).items():
        value = getattr(item, name)
        if name == "aliases" or value is None:
            continue
        if kind in ("text", "texts"):
            yield f"{path}{name}", value
        elif kind == "model" and not _is_entry(type(value)):
            yield from _texts(value, f"{path}{name}.")
        elif kind == "models" and value and not _is_entry(type(value[0])):
            for index, child in enumerate(value):
                yield from _texts(child, f"{path}{name}.{index}.")


def source_hash(item: Any) -> str:
    """A short hash of an English entry's text: what its translation was made from."""
    data = json.dumps(list(_texts(item)), ensure_ascii=False, separators=(",", ":"))
    return blake2b(data.encode("utf-8"), digest_size=5).hexdigest()


# --------------------------------------------------------------------------- what a layer lacks


class _Walk:
    """Walks a base beside a language layer's data (the text itself is put in by
    layers.translate): notes what the layer lacks, and marks the ordinary entries that
    stay (wholly or partly) English."""

    def __init__(self, language: str) -> None:
        self.mark = FALLBACK_MARK.get(language, f" ({language}: English)")
        self.missing: list[str] = []
        self.stale: list[str] = []
        self.unstamped: list[str] = []

    def item(self, base: Any, layer: Any, name: str) -> Any:
        cls = type(base)
        fields = fields_of(cls)
        layer = layer if isinstance(layer, dict) else {}
        changes: dict[str, Any] = {}
        incomplete = False
        for key, (kind, _model) in fields.items():
            value = getattr(base, key)
            if key == "aliases" or value is None:
                continue
            if key not in layer:
                if _has_text_field(kind, value):
                    self.missing.append(f"{name}.{key}")
                    incomplete = True
                continue
            if kind == "model":
                self.item(value, layer[key], f"{name}.{key}")
            elif kind == "models":
                self.items(value, layer[key], f"{name}.{key}")
        if _is_entry(cls):
            stamp = layer.get(HASH_KEY)
            if stamp is None:
                self.unstamped.append(name)
            elif stamp != source_hash(base):
                self.stale.append(name)
        if incomplete and _section(name) in ORDINARY and "title" in fields:
            changes["title"] = base.title + self.mark
        return dataclasses.replace(base, **changes) if changes else base

    def items(self, base: list[Any], layer: Any, name: str) -> list[Any]:
        if not base:
            return base
        layer = layer if isinstance(layer, list) else []
        key = _match_key(type(base[0]))
        if key is None:
            found = dict(enumerate(layer))
        else:
            found = {v[key]: v for v in layer if isinstance(v, dict) and key in v}
        out = []
        for index, item in enumerate(base):
            ident = getattr(item, key) if key else index
            label = f"{name}[{ident}]"
            if ident in found:
                out.append(self.item(item, found[ident], label))
            else:
                self.missing.append(label)
                out.append(self.whole_missing(item, label))
        return out

    def whole_missing(self, item: Any, label: str) -> Any:
        if _is_entry(type(item)):
            self.unstamped.append(label)
        if _section(label) in ORDINARY and "title" in fields_of(type(item)):
            return dataclasses.replace(item, title=item.title + self.mark)
        return item

    def report(self) -> Report:
        return Report(tuple(self.missing), tuple(self.stale), tuple(self.unstamped))


def _section(name: str) -> str:
    return name.split(".")[0].split("[")[0]


def _has_text_field(kind: str, value: Any) -> bool:
    if kind in ("text", "texts"):
        return bool(value)
    if kind == "model":
        return _has_text(value)
    return kind == "models" and any(_has_text(v) for v in value)


def _has_text(item: Any) -> bool:
    return any(value for _path, value in _texts(item))


def walk(
    content: schema.KnowledgeBaseFile, documents: Iterable[dict[str, Any]], language: str
) -> Applied:
    """`content` with the ordinary entries that the layer (`documents`, its files' data)
    lacks marked "(en inglés)", and what it lacks. Stale is measured against `content`:
    pass the English base for `kb check`, the translated one only to mark."""
    layer: dict[str, Any] = {}
    for data in documents:
        layer.update(data)
    walker = _Walk(language)
    changes: dict[str, Any] = {}
    for section, (kind, _model) in fields_of(type(content)).items():
        current = getattr(content, section)
        if section in NOT_MIRRORED or not current:
            continue
        if section not in layer:
            walker.missing.append(section)
            if kind == "models":
                changes[section] = [
                    walker.whole_missing(item, f"{section}[{item.id}]") for item in current
                ]
            continue
        if kind == "models":
            changes[section] = walker.items(current, layer[section], section)
        else:
            changes[section] = walker.item(current, layer[section], section)
    return Applied(dataclasses.replace(content, **changes) if changes else content, walker.report())


#: The sections, and the parts of sessions, that must be complete in every language.
SAFETY = ("red_flags", "triage", "care_levels", "meta", "fallback", "regions", "sessions")


def safety_gaps(report: Report) -> list[str]:
    """What a language lacks of its safety text (must be nothing)."""
    return [
        item
        for item in (*report.missing, *report.stale, *report.unstamped)
        if item.split(".")[0].split("[")[0] in SAFETY
    ]
