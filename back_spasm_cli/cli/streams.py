"""The standard streams, made safe to use whatever state they arrive in.

- A stream the shell closed (`>&-`, `2>&-`, `<&-`) arrives as None; it is replaced by a
  stand-in whose writes fail like a closed file, so one code path reports it.
- Text the terminal cannot encode (LANG=C) is replaced rather than fatal.
- A reader that goes away (`| head`) is success; any other failure to write (a full
  disk, a closed stream) is reported on whichever stream still works, with exit 74.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

from back_spasm_cli.errors import ExitCode


class ClosedStream(io.TextIOBase):
    """Stands in for a standard stream that was closed before spasm started."""

    def __init__(self, name: str) -> None:
        self.stream_name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"{self.stream_name} is closed")

    def read(self, size: int | None = -1) -> str:
        return ""  # a closed standard input reads as empty: no answers

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        return ""

    def isatty(self) -> bool:
        return False


def prepare() -> None:
    for name in ("stdin", "stdout", "stderr"):
        stream: Any = getattr(sys, name)
        if stream is None:
            setattr(sys, name, ClosedStream(name))
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and name != "stdin":
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def flush_stdout() -> None:
    """Flush now, inside the error handling, rather than at interpreter exit."""
    sys.stdout.flush()


def silence_stdout() -> None:
    """Point stdout at devnull so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


#: Errors that mean a stream cannot take output (closed, full, failing), as opposed to a
#: file spasm meant to read; those are bugs or expected errors, reported as such.
OUTPUT_ERRNOS = frozenset(
    code
    for code in (errno.EBADF, errno.ENOSPC, errno.EIO, errno.EFBIG, getattr(errno, "EDQUOT", 0))
    if code
)


def is_reader_gone(err: OSError) -> bool:
    return isinstance(err, BrokenPipeError) or err.errno == errno.EPIPE


def is_output_error(err: OSError) -> bool:
    return err.errno in OUTPUT_ERRNOS


def cannot_write(err: OSError) -> int:
    """Say that output could not be written, on a stream that still works; exit 74."""
    reason = err.strerror or str(err)
    message = f"spasm: cannot write output: {reason}\n"
    for stream in (sys.__stderr__, sys.stderr, sys.__stdout__):
        if stream is None:
            continue
        try:
            stream.write(message)
            stream.flush()
            break
        except (OSError, ValueError):
            continue
    silence_stdout()
    return int(ExitCode.CANNOT_WRITE)
