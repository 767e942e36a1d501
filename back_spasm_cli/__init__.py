"""spasm: a terminal self-care advisor for back spasms.

As a library: `from back_spasm_cli import Advisor` (see back_spasm_cli/api.py).
"""

from typing import TYPE_CHECKING, Any

from back_spasm_cli.version import SCHEMA_VERSION, __version__

if TYPE_CHECKING:
    from back_spasm_cli.api import Advisor


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that `spasm` itself does not import the library layer.
    if name == "Advisor":
        from back_spasm_cli.api import Advisor

        return Advisor
    raise AttributeError(f"module 'back_spasm_cli' has no attribute {name!r}")


__all__ = ["SCHEMA_VERSION", "Advisor", "__version__"]
