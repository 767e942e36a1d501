"""Exit codes and the one exception type the CLI turns into a clear message."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes (README, "Exit codes")."""

    OK = 0
    NOT_FOUND = 1
    USAGE = 2  # bad usage, or an invalid knowledge base
    INTERNAL = 70  # a bug in spasm (EX_SOFTWARE); reported without a traceback
    CANNOT_WRITE = 74  # output or a file could not be written or opened (EX_IOERR)
    BUSY = 75  # the private database stayed locked; nothing was saved (EX_TEMPFAIL)
    INTERRUPTED = 130  # Ctrl-C


class SpasmError(Exception):
    """An expected failure: shown as one message on stderr, never as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFoundError(SpasmError):
    exit_code = ExitCode.NOT_FOUND


class UsageError(SpasmError):
    exit_code = ExitCode.USAGE
