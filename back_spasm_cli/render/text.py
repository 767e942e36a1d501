"""Make text from the knowledge base safe to show: no terminal escapes, no control codes."""

from __future__ import annotations

import re

# CSI (ESC [ ...), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, and the rest
# of the C0/C1 control characters except newline and tab.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def clean(text: str) -> str:
    """`text` with escape sequences and control characters removed."""
    return _ESCAPES.sub("", text)
