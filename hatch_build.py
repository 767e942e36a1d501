"""Hatch build hook: compile the interface's gettext catalogues (.po) to .mo.

The wheel gets each back_spasm_cli/locale/LANG/LC_MESSAGES/spasm.mo compiled from its .po
(by back_spasm_cli/system/msgfmt.py, the standard library only, so building needs nothing
beyond hatchling). An editable install compiles them in place; a checkout's .mo is also
recompiled on first use whenever its .po is newer (back_spasm_cli/system/i18n.py).
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _msgfmt(root: Path) -> Any:
    spec = importlib.util.spec_from_file_location(
        "_spasm_msgfmt", root / "back_spasm_cli" / "system" / "msgfmt.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CatalogueHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        msgfmt = _msgfmt(root)
        locale = root / "back_spasm_cli" / "locale"
        out = Path(tempfile.mkdtemp(prefix="spasm-mo-"))
        for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
            data = msgfmt.compile_po(po.read_text(encoding="utf-8"))
            relative = po.with_suffix(".mo").relative_to(root)
            if version == "editable":
                po.with_suffix(".mo").write_bytes(data)
                continue
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            build_data["force_include"][str(target)] = relative.as_posix()
