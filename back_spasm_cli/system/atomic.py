"""Writing a file whole or not at all: the one place that does it (handouts, reports and
exports; the settings file; the search index).

A temporary file in the same folder (so the rename stays on one file system), mode 0600
from the start, flushed to the disk (fsync), then renamed into place: a reader sees the old
file or the new one, never half of one, even after a crash.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

MODE = 0o600


def write_text(path: Path, text: str, *, replace: bool = True) -> None:
    """Write all of `text` to `path` or nothing. With `replace=False` an existing file is
    never replaced, even one that appears while writing: FileExistsError (the final step
    is then a hard link, which refuses to overwrite)."""
    handle, temp_name = tempfile.mkstemp(prefix=".spasm-", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        os.fchmod(handle, MODE)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temp, path)
        else:
            _link_new(temp, path)
        _sync_folder(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def publish(temp: Path, final: Path) -> None:
    """Move a file written completely at `temp` (in `final`'s folder) into place: mode
    0600, flushed to the disk, then renamed over `final`."""
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fchmod(fd, MODE)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, final)
    _sync_folder(final.parent)


def _link_new(temp: Path, path: Path) -> None:
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError:
        # Some file systems have no hard links: check, then move into place.
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.replace(temp, path)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
