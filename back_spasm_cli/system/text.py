"""Make text from the knowledge base or the user safe to show: nothing in it may drive the
terminal (escape sequences, control codes) or reorder what is shown (bidi overrides)."""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides and isolates: they can make text display in an
# order other than the one it has (U+202E turns "txt.exe" around).
_BIDI = "\u202a-\u202e\u2066-\u2069"
#: One character a terminal would act on or reorder by: C0 controls but newline and tab,
#: DEL, C1 controls and bidi controls (what `clean` removes, one character at a time).
UNSAFE_CHAR = "[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "]"
# CSI (ESC [ ...), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, the 8-bit CSI,
# the rest of the C0 and C1 control characters except newline and tab, and bidi controls.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|" + UNSAFE_CHAR
)
# What JSON leaves raw but a terminal would act on: DEL, C1 controls and bidi controls.
_JSON_UNSAFE = re.compile("[\x7f-\x9f" + _BIDI + "]")


def clean(text: str) -> str:
    """`text` with escape sequences, control characters and bidi controls removed."""
    return _ESCAPES.sub("", text)


def json_safe(encoded: str) -> str:
    """JSON text with DEL, C1 and bidi controls written as \\u escapes: the same data
    to a parser, inert on a terminal (json already escapes C0 controls)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
