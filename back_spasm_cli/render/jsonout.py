"""JSON: the document's payload, as documented in the README (control codes escaped)."""

from __future__ import annotations

import json
from typing import TextIO

from back_spasm_cli.render.text import json_safe
from back_spasm_cli.views.document import Document


def render_json(document: Document, out: TextIO) -> None:
    out.write(json_safe(json.dumps(document.payload, indent=2, ensure_ascii=False)) + "\n")
