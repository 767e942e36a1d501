"""JSON: the document's payload, as documented in the README (control codes escaped)."""

from __future__ import annotations

import json
from typing import TextIO

from back_spasm_cli.document import Document


def render_json(document: Document, out: TextIO) -> None:
    json.dump(document.payload, out, indent=2, ensure_ascii=False)
    out.write("\n")
