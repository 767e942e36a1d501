"""The `spasm` console script: as small as it can be, so that Ctrl-C at any moment of
start-up ends with exit 130 and one line, never a traceback. The handler is installed
first by the package's __init__.py (the console script imports the package before this
module); here again for `python -m back_spasm_cli`."""

import os
import signal
import sys


def _interrupted_at_start(signum: int, frame: object) -> None:
    # Nothing has been written yet: leave at once.
    try:
        os.write(2, b"\nspasm: interrupted\n")
    finally:
        os._exit(130)


def main() -> None:
    signal.signal(signal.SIGINT, _interrupted_at_start)
    from back_spasm_cli.cli import run

    sys.exit(run())
