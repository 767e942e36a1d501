"""CSV and JSON that cannot attack whoever opens them, read back losslessly, and parsed
within limits (issue 17). Every export and import of the private data goes through here.

- **Formulas** (the OWASP rule for CSV injection): a cell that starts with `=`, `+`, `-`,
  `@`, a tab or a CR gets a leading apostrophe, so a spreadsheet shows it as text;
  `csv_value` takes the apostrophe off again. A cell that already starts with apostrophes
  before such a character gets one more, so the rule is lossless both ways.
- **Terminal controls** (what system/text.py's `clean` removes on the terminal: C0 and C1
  controls but newline and tab, DEL, bidi overrides): in CSV written as `\\u{1b}`, in JSON
  as `\\u001b`; a literal `\\u{` in the text is written `\\u{5c}u{`, so import restores
  exactly what was there.
- **Limits while parsing JSON**: a duplicate key is an error with its line; integers
  beyond SQLite's 64 bits, NaN and Infinity are refused; nesting deeper than an entry
  needs is refused before Python's recursion limit is reached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from back_spasm_cli.system.text import UNSAFE_CHAR, json_safe

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: SQLite's largest integer: anything bigger cannot be stored.
MAX_INTEGER = 2**63 - 1
#: An entry is an object whose values are at most one list deep: [ { "helped": [ ] } ].
MAX_DEPTH = 3

_UNSAFE = re.compile(UNSAFE_CHAR + r"|\\(?=u\{[0-9a-f]{1,6}\})")
_ESCAPED = re.compile(r"\\u\{([0-9a-f]{1,6})\}")


# --------------------------------------------------------------------------- CSV


def csv_cell(value: object) -> str:
    """`value` as a CSV cell a spreadsheet or terminal cannot act on."""
    text = "" if value is None else str(value)
    text = _UNSAFE.sub(lambda m: f"\\u{{{ord(m.group()):x}}}", text)
    if text.lstrip("'")[:1] in FORMULA_START and text.lstrip("'"):
        text = "'" + text
    return text


def csv_value(cell: str) -> str:
    """The value `csv_cell` wrote as `cell` (a cell from elsewhere passes unchanged unless
    it uses the same escapes)."""
    if cell.startswith("'") and cell.lstrip("'")[:1] in FORMULA_START and cell.lstrip("'"):
        cell = cell[1:]
    if "\\u{" not in cell:
        return cell
    return _ESCAPED.sub(_unescape, cell)


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group()  # not a character: leave the text as it was
    return chr(code)


# --------------------------------------------------------------------------- JSON


def json_dumps(value: Any, **options: Any) -> str:
    """json.dumps with every control and bidi character written as a \\u escape."""
    return json_safe(json.dumps(value, ensure_ascii=False, **options))


class JSONLimitError(ValueError):
    """A JSON text breaks a limit: `line` is where (1-based), `message` says which."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Refused(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Refused(f"the key {key!r} is given twice")
        found[key] = value
    return found


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(int(text)) > MAX_INTEGER:
        raise _Refused(f"the number {text[:30]}{'…' if len(text) > 30 else ''} is too large")
    return int(text)


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number")


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_integer, parse_constant=_constant)
_SPACE = re.compile(r"[ \t\n\r]*")
_OPEN = re.compile(r"[\[{]")


_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _depth_ok(text: str, start: int, limit: int) -> int:
    """-1 when the value opening at `start` nests at most `limit` deep, else the offset
    where it goes deeper; strings are skipped, and the scan stops at the value's end."""
    depth = 0
    for match in _NESTING.finditer(text, start):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                return -1
    return -1


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def json_array(text: str, depth: int = MAX_DEPTH) -> Iterator[tuple[int, Any]]:
    """Each element of the JSON array `text`, with the line it starts on; JSONLimitError
    for invalid JSON, a duplicate key, a number out of range or nesting deeper than
    `depth` (the array itself counts as 1)."""
    position = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith("[", position):
        raise JSONLimitError(_line(text, position), "a JSON export is a [list]")
    position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    line, counted = 1, 0
    if text.startswith("]", position):
        return
    while True:
        line += text.count("\n", counted, position)
        counted = position
        if _OPEN.match(text, position):
            too_deep = _depth_ok(text, position, depth - 1)
            if too_deep >= 0:
                raise JSONLimitError(
                    line + text.count("\n", position, too_deep),
                    f"nested more than {depth} deep (an entry's values are text, numbers"
                    " or one list)",
                )
        try:
            value, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as err:
            raise JSONLimitError(err.lineno, f"not valid JSON ({err.msg})") from None
        except _Refused as err:
            raise JSONLimitError(line, str(err)) from None
        except RecursionError:  # pragma: no cover - the depth scan comes first
            raise JSONLimitError(line, "nested too deeply") from None
        yield line, value
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
        if text.startswith(",", position):
            position = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
        elif text.startswith("]", position):
            rest = _SPACE.match(text, position + 1).end()  # type: ignore[union-attr]
            if rest != len(text):
                raise JSONLimitError(_line(text, rest), "text after the closing ']'")
            return
        else:
            raise JSONLimitError(
                line + text.count("\n", counted, position), "expected ',' or ']' after an entry"
            )


def json_loads(text: str, depth: int = 32) -> Any:
    """One JSON value with the same limits as `json_array` (for callers that read a whole
    document, such as a FHIR bundle)."""
    position = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    if _OPEN.match(text, position):
        too_deep = _depth_ok(text, position, depth)
        if too_deep >= 0:
            raise JSONLimitError(_line(text, too_deep), f"nested more than {depth} deep")
    try:
        value, end = _DECODER.raw_decode(text, position)
    except json.JSONDecodeError as err:
        raise JSONLimitError(err.lineno, f"not valid JSON ({err.msg})") from None
    except _Refused as err:
        raise JSONLimitError(_line(text, position), str(err)) from None
    except RecursionError:  # pragma: no cover - the depth scan comes first
        raise JSONLimitError(_line(text, position), "nested too deeply") from None
    if _SPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
        raise JSONLimitError(_line(text, end), "text after the JSON value")
    return value
