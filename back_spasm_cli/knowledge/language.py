"""A language layer over the knowledge base: data/es/ carries the Spanish of data/.

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
import functools
import json
import re
import types
import typing
from collections.abc import Iterator
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


class Problem(NamedTuple):
    """Something a layer file cannot say (refused), at this path of the file."""

    file: str
    loc: tuple[int | str, ...]
    message: str


class Report(NamedTuple):
    """What a layer lacks: missing text, stale translations, entries with no stamp."""

    missing: tuple[str, ...]
    stale: tuple[str, ...]
    unstamped: tuple[str, ...]


class Applied(NamedTuple):
    content: schema.KnowledgeBaseFile
    problems: tuple[Problem, ...]
    report: Report


# --------------------------------------------------------------------------- the schema

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
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


@functools.cache
def fields_of(cls: type) -> dict[str, tuple[str, Any]]:
    """Each field of a schema type with its kind (see `_kind`)."""
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


# --------------------------------------------------------------------------- applying


class _Walk:
    def __init__(self, file: str, language: str) -> None:
        self.file = file
        self.mark = FALLBACK_MARK.get(language, f" ({language}: English)")
        self.problems: list[Problem] = []
        self.missing: list[str] = []
        self.stale: list[str] = []
        self.unstamped: list[str] = []

    def refuse(self, loc: tuple[int | str, ...], message: str) -> None:
        self.problems.append(Problem(self.file, loc, message))

    def item(self, english: Any, layer: Any, loc: tuple[int | str, ...], name: str) -> Any:
        """`english` with the text of `layer` (a dict from the layer file)."""
        cls = type(english)
        if not isinstance(layer, dict):
            self.refuse(loc, "expected a mapping, as in the English base")
            return english
        fields = fields_of(cls)
        changes: dict[str, Any] = {}
        incomplete = False
        for key, value in layer.items():
            where = (*loc, key)
            if key == HASH_KEY:
                if not _is_entry(cls):
                    self.refuse(where, "only an entry with sources carries a source_hash")
                elif not isinstance(value, str):
                    self.refuse(where, "source_hash must be a string")
                continue
            if key not in fields:
                self.refuse(where, f"unknown key {key!r}: not in the English schema")
                continue
            kind, model = fields[key]
            current = getattr(english, key)
            if key == "aliases":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.refuse(where, "expected a list of names")
                elif cls is schema.Region and not all(_SLUG.fullmatch(v) for v in value):
                    self.refuse(where, "a region's names are lower case, a-z, 0-9 and '-'")
                else:  # added to the English names, which keep working
                    changes[key] = list(dict.fromkeys([*current, *value]))
            elif kind == "text":
                if isinstance(value, str) and value.strip():
                    changes[key] = value.strip() if "\n" not in value else value
                else:
                    self.refuse(where, "expected text")
            elif kind == "texts":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.refuse(where, "expected a list of text")
                elif len(value) != len(current):
                    self.refuse(
                        where,
                        f"has {len(value)} items; the English has {len(current)}"
                        " (a translation keeps every step, caution and note)",
                    )
                else:
                    changes[key] = list(value)
            elif kind == "model" and current is not None:
                changes[key] = self.item(current, value, where, f"{name}.{key}")
            elif kind == "models":
                changes[key] = self.items(current, value, where, f"{name}.{key}")
            elif key in MATCH_KEYS and value == current:
                continue  # the id that matched it
            else:
                self.refuse(
                    where,
                    f"`{key}` is not text: only the English base sets it (a translation"
                    " changes words, never levels, rules, numbers or links)",
                )
        for key, (kind, _model) in fields.items():
            if key in layer or key == "aliases":
                continue
            value = getattr(english, key)
            if kind in ("text", "texts") and value:
                self.missing.append(f"{name}.{key}")
                incomplete = True
        if _is_entry(cls):
            stamp = layer.get(HASH_KEY)
            if stamp is None:
                self.unstamped.append(name)
            elif stamp != source_hash(english):
                self.stale.append(name)
        if incomplete and name.split(".")[0].split("[")[0] in ORDINARY and "title" in fields:
            changes["title"] = changes.get("title", english.title) + self.mark
        return dataclasses.replace(english, **changes) if changes else english

    def items(
        self, english: list[Any], layer: Any, loc: tuple[int | str, ...], name: str
    ) -> list[Any]:
        if not isinstance(layer, list):
            self.refuse(loc, "expected a list, as in the English base")
            return english
        if not english:
            if layer:
                self.refuse(loc, "the English base has no items here")
            return english
        key = _match_key(type(english[0]))
        found: dict[Any, tuple[int, Any]] = {}
        for index, value in enumerate(layer):
            if key is None:
                found[index] = (index, value)
            elif not isinstance(value, dict) or key not in value:
                self.refuse((*loc, index), f"each item names its `{key}`, as in the English")
            else:
                found[value[key]] = (index, value)
        known = {getattr(item, key) if key else index for index, item in enumerate(english)}
        for ident, (index, _value) in found.items():
            if ident not in known:
                self.refuse((*loc, index), f"no English item has {key or 'position'} {ident!r}")
        out = []
        for index, item in enumerate(english):
            ident = getattr(item, key) if key else index
            label = f"{name}[{ident}]"
            if ident in found:
                at, value = found[ident]
                out.append(self.item(item, value, (*loc, at), label))
            else:
                self.missing.append(label)
                out.append(self.whole_missing(item, label))
        return out

    def whole_missing(self, item: Any, label: str) -> Any:
        if _is_entry(type(item)):
            self.unstamped.append(label)
        section = label.split(".")[0].split("[")[0]
        if section in ORDINARY and "title" in fields_of(type(item)):
            return dataclasses.replace(item, title=item.title + self.mark)
        return item


def apply(
    content: schema.KnowledgeBaseFile, layers: dict[str, dict[str, Any]], language: str
) -> Applied:
    """The base with each layer file's text put in (`layers`: file name -> its data)."""
    changes: dict[str, Any] = {}
    problems: list[Problem] = []
    missing: list[str] = []
    stale: list[str] = []
    unstamped: list[str] = []
    covered: set[str] = set()
    fields = fields_of(type(content))
    for file, data in layers.items():
        walk = _Walk(file, language)
        for section, value in data.items():
            if section not in fields or section in NOT_MIRRORED:
                walk.refuse((section,), f"unknown section {section!r} for a language layer")
                continue
            if section in covered:
                walk.refuse((section,), "also translated in another file")
                continue
            covered.add(section)
            current = getattr(content, section)
            kind = fields[section][0]
            if kind == "models":
                changes[section] = walk.items(current, value, (section,), section)
            elif current is not None:
                changes[section] = walk.item(current, value, (section,), section)
        problems += walk.problems
        missing += walk.missing
        stale += walk.stale
        unstamped += walk.unstamped
    walk = _Walk("", language)
    for section, (kind, _model) in fields.items():
        current = getattr(content, section)
        if section in covered or section in NOT_MIRRORED or not current:
            continue
        missing.append(section)
        if kind == "models":
            changes[section] = [walk.whole_missing(item, f"{section}[{item.id}]") for item in current]
            unstamped += walk.unstamped
            walk.unstamped = []
    return Applied(
        dataclasses.replace(content, **changes) if changes else content,
        tuple(problems),
        Report(tuple(missing), tuple(stale), tuple(unstamped)),
    )


#: The sections, and the parts of sessions, that must be complete in every language.
SAFETY = ("red_flags", "triage", "care_levels", "meta", "fallback", "regions", "sessions")


def safety_gaps(report: Report) -> list[str]:
    """What a language lacks of its safety text (must be nothing)."""
    return [
        item
        for item in (*report.missing, *report.stale, *report.unstamped)
        if item.split(".")[0].split("[")[0] in SAFETY
    ]
