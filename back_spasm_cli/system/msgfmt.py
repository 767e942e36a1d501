"""Compile a gettext .po catalogue to .mo, with the standard library only.

Used by hatch_build.py when the wheel is built and by i18n.mo_file in a checkout, so that
neither the wheel nor a checkout needs Babel or GNU msgfmt at run time (Babel extracts and
checks the catalogue in the tests). Fuzzy and untranslated entries are left out, as GNU
msgfmt leaves them, so their English shows instead.
"""

from __future__ import annotations

import ast
import re
import struct


def parse_po(text: str) -> dict[str, str]:
    """The catalogue as the .mo keys it: `ctxt\\x04id` or `id`, with a plural's forms
    joined by NUL on both sides. Entries are separated by blank lines, as Babel and GNU
    gettext write them."""
    messages: dict[str, str] = {}
    for block in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        fuzzy = False
        current: str | None = None
        for raw in block.splitlines():
            line = raw.strip()
            if not line or line.startswith("#~"):
                continue
            if line.startswith("#"):
                fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
                continue
            if line.startswith('"'):
                if current is None:
                    raise ValueError(f"a string with no keyword: {raw!r}")
                fields[current] += _unquote(line)
                continue
            keyword, _, rest = line.partition(" ")
            if not re.fullmatch(r"msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?", keyword):
                raise ValueError(f"unknown line in a .po file: {raw!r}")
            current = keyword
            fields[current] = _unquote(rest)
        if "msgid" not in fields:
            continue
        key = fields["msgid"]
        if "msgid_plural" in fields:
            key += "\0" + fields["msgid_plural"]
            forms = [fields[name] for name in sorted(f for f in fields if f.startswith("msgstr["))]
            value = "\0".join(forms) if forms and all(forms) else ""
        else:
            value = fields.get("msgstr", "")
        if "msgctxt" in fields:
            key = fields["msgctxt"] + "\x04" + key
        if value and (key == "" or not fuzzy):
            messages[key] = value
    return messages


def _unquote(text: str) -> str:
    value = ast.literal_eval(text.strip())
    if not isinstance(value, str):
        raise ValueError(f"not a string: {text!r}")
    return value


def write_mo(messages: dict[str, str]) -> bytes:
    """The GNU .mo format: sorted keys, no hash table."""
    keys = sorted(messages, key=lambda key: key.encode("utf-8"))
    ids = b""
    strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for key in keys:
        key_bytes, value_bytes = key.encode("utf-8"), messages[key].encode("utf-8")
        offsets.append((len(ids), len(key_bytes), len(strs), len(value_bytes)))
        ids += key_bytes + b"\0"
        strs += value_bytes + b"\0"
    count = len(keys)
    start = 7 * 4 + 16 * count  # the header, then the two tables
    key_table = b"".join(struct.pack("<2I", length, start + at) for at, length, _, _ in offsets)
    value_start = start + len(ids)
    value_table = b"".join(
        struct.pack("<2I", length, value_start + at) for _, _, at, length in offsets
    )
    header = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    return header + key_table + value_table + ids + strs


def compile_po(text: str) -> bytes:
    return write_mo(parse_po(text))
