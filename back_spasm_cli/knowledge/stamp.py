"""`spasm kb check --stamp`: write each translated entry's `source_hash` into its file.

The hash (knowledge/language.source_hash) is of the English entry's text as it is now:
stamping says "this translation was made from this English". Only entries with no stamp
are stamped; a stale one (its English changed since) is listed by `kb check` until the
translator has brought the text up to date and removed its old stamp.

The file is edited as text, one line added per entry at the entry's own indentation, so
its comments and layout are kept; nothing else in it changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from back_spasm_cli.knowledge import language
from back_spasm_cli.knowledge.schema import KnowledgeBaseFile


def _entries(item: Any, node: Any, name: str) -> Iterator[tuple[str, Any, Any]]:
    """(name, mapping node, English item) for every entry (item with sources) inside."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    if language._is_entry(type(item)):
        yield name, node, item
    fields = language.fields_of(type(item))
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in fields:
            continue
        kind = fields[key][0]
        current = getattr(item, key)
        if kind == "model" and current is not None:
            yield from _entries(current, value_node, f"{name}.{key}")
        elif kind == "models" and isinstance(value_node, yaml.SequenceNode):
            yield from _items(current, value_node, f"{name}.{key}")


def _items(items: list[Any], node: Any, name: str) -> Iterator[tuple[str, Any, Any]]:
    if not items:
        return
    key = language._match_key(type(items[0]))
    by_key = {getattr(item, key): item for item in items} if key else {}
    for index, child in enumerate(node.value):
        if key is None:
            if index < len(items):
                yield from _entries(items[index], child, f"{name}[{index}]")
            continue
        ident = next((v.value for k, v in getattr(child, "value", ()) if k.value == key), None)
        if ident in by_key:
            yield from _entries(by_key[ident], child, f"{name}[{ident}]")


def stamp(english: KnowledgeBaseFile, text: str, root: Any) -> tuple[str, list[str]]:
    """The file's text with a `source_hash` for each unstamped entry; and their names."""
    import yaml

    fields = language.fields_of(type(english))
    inserts: list[tuple[int, str]] = []
    stamped: list[str] = []
    for key_node, value_node in root.value:
        section = key_node.value
        if section not in fields or section in language.NOT_MIRRORED:
            continue
        kind = fields[section][0]
        current = getattr(english, section)
        if kind == "models" and isinstance(value_node, yaml.SequenceNode):
            found = _items(current, value_node, section)
        elif current is not None:
            found = _entries(current, value_node, section)
        else:
            continue
        for name, node, item in found:
            keys = [k.value for k, _v in node.value]
            if language.HASH_KEY in keys or node.flow_style or not node.value:
                continue
            first_key, first_value = node.value[0]
            column = first_key.start_mark.column
            if len(node.value) > 1:
                line = node.value[1][0].start_mark.line
            else:
                end = first_value.end_mark
                line = end.line + (1 if end.column > 0 else 0)
            hashed = language.source_hash(item)
            inserts.append((line, f'{" " * column}{language.HASH_KEY}: "{hashed}"\n'))
            stamped.append(name)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for line, added in sorted(inserts, reverse=True):
        lines.insert(line, added)
    return "".join(lines), stamped
