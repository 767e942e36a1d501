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
    # The language is bound before Typer is imported, so that the help texts the command
    # modules declare, and Typer's and Click's own words, are in it (system/i18n.py;
    # tests/test_i18n.py runs the installed spasm to check it).
    from back_spasm_cli.errors import SpasmError
    from back_spasm_cli.personal.config import remembered_language
    from back_spasm_cli.system import i18n

    try:
        i18n.setup(sys.argv[1:], remembered_language)
    except SpasmError as err:
        os.write(2, f"spasm: {err.message}\n".encode("utf-8", "replace"))
        sys.exit(2)
    from back_spasm_cli.cli import run

    sys.exit(run())
