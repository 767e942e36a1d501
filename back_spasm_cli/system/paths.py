"""Where spasm keeps the user's data and caches: SPASM_HOME, else the platform's dirs."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

APP_NAME = "spasm"


def _home_override() -> Path | None:
    value = os.environ.get("SPASM_HOME", "").strip()
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """The user's private data (the diary, later). Not created here."""
    home = _home_override()
    if home is not None:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """Disposable caches (validated knowledge base, search index). Not created here."""
    home = _home_override()
    if home is not None:
        return home / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def home_dir() -> Path | None:
    """SPASM_HOME when it is set (the folder that holds data/ and cache/)."""
    return _home_override()


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and SPASM_HOME above it) mode 0700 whatever the umask, and put
    right the mode of such a folder that is already there (when it is ours to change).

    Raises OSError when the folder cannot be made.
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    home = _home_override()
    places = [folder]
    if home is not None and home in folder.parents:
        places += [parent for parent in folder.parents if home in (parent, *parent.parents)]
    for place in places:
        info = place.stat()
        if info.st_mode & 0o777 != 0o700 and info.st_uid == os.geteuid():
            with contextlib.suppress(OSError):  # read-only: nothing is written there anyway
                place.chmod(0o700)


def symlink_in(path: Path, *suffixes: str) -> Path | None:
    """The first of `path` and `path` + each suffix that is a symbolic link, if any:
    spasm's private files are plain files, never links to somewhere else. Raises OSError
    when the folder cannot be looked in."""
    import stat

    for candidate in (path, *(path.with_name(path.name + s) for s in suffixes)):
        try:
            if stat.S_ISLNK(os.lstat(candidate).st_mode):
                return candidate
        except FileNotFoundError:
            continue
    return None


def make_private_file(path: Path) -> None:
    """Create `path` empty, mode 0600, unless it exists; correct the mode of one that
    exists (without following a link). Raises OSError (ELOOP for a symbolic link)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if info.st_mode & 0o777 != 0o600 and info.st_uid == os.geteuid():
            with contextlib.suppress(OSError):  # read-only: reading it is still fine
                os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
