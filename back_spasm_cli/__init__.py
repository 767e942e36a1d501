"""spasm: a terminal self-care advisor for back spasms.

As a library: `from back_spasm_cli import Advisor` (see back_spasm_cli/api.py).
"""

import sys

if sys.argv and sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] in ("spasm", "spasm.exe"):
    # The `spasm` console script imports this package first. From its first statement,
    # Ctrl-C ends the process at once with one line and exit 130, never a traceback
    # (entry.py installs the same handler; cli.run replaces it once commands can clean up).
    # Only modules already loaded at start-up are used: an import here could be interrupted.
    import _signal  # type: ignore[import-not-found]  # C module, loaded at start-up
    import os

    def _interrupted_at_start(signum: int, frame: object) -> None:
        try:
            os.write(2, b"\nspasm: interrupted\n")
        finally:
            os._exit(130)

    _signal.signal(_signal.SIGINT, _interrupted_at_start)

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
