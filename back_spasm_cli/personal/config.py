"""The user's settings (`spasm config`): a small INI file in the spasm home's data folder.

Only settings spasm knows are kept (today: `region` and `lang`). The file is written atomically,
mode 0600; a file that cannot be read is reported, never overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from back_spasm_cli.errors import SpasmError, UsageError
from back_spasm_cli.system import paths

SECTION = "spasm"
KNOWN = ("region", "lang")
#: A settings file is a few lines; more than this is not one.
MAX_BYTES = 64 * 1024


def path() -> Path:
    return paths.data_dir() / "config.ini"


def load() -> dict[str, str]:
    """The saved settings; {} when there is no file yet. SpasmError for a file that cannot
    be read (garbage, not UTF-8, unreadable, a symbolic link)."""
    file = path()
    try:
        if file.is_symlink():
            raise SpasmError(
                f"the settings file {file} is a symbolic link: spasm did not follow it"
            )
        if not file.is_file():
            return {}
    except OSError as err:
        raise SpasmError(f"cannot read the settings in {file}: {err.strerror or err}") from None
    import configparser  # only when there is a file: most runs have none

    parser = configparser.ConfigParser(interpolation=None)
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, encoding="utf-8") as source:
            info = os.fstat(source.fileno())
            if info.st_mode & 0o777 != 0o600 and info.st_uid == os.geteuid():
                with contextlib.suppress(OSError):  # private whatever the umask was
                    os.fchmod(source.fileno(), 0o600)
            parser.read_string(source.read(MAX_BYTES + 1), source=str(file))
    except (OSError, UnicodeDecodeError, configparser.Error) as err:
        reason = getattr(err, "strerror", None) or str(err).splitlines()[0]
        raise SpasmError(f"cannot read the settings in {file}: {reason}") from None
    if not parser.has_section(SECTION):
        return {}
    return {key: value for key, value in parser.items(SECTION) if key in KNOWN}


def load_or_report() -> tuple[dict[str, str], str | None]:
    """The saved settings, or ({}, why) when they cannot be read: settings never stand in
    the way of advice, so the caller says why once and goes on without them."""
    try:
        return load(), None
    except SpasmError as err:
        return {}, err.message


def save(settings: dict[str, str]) -> Path:
    """Write `settings` atomically (system/atomic.py: a reader sees the old file or the
    new, never half), mode 0600."""
    import configparser
    import io

    from back_spasm_cli.system import atomic

    unknown = sorted(set(settings) - set(KNOWN))
    if unknown:
        raise UsageError(f"unknown setting {unknown[0]!r}; known: {', '.join(KNOWN)}")
    parser = configparser.ConfigParser(interpolation=None)
    parser[SECTION] = dict(sorted(settings.items()))
    text = io.StringIO()
    parser.write(text)
    file = path()
    try:
        if file.is_symlink():
            raise UsageError(
                f"the settings file {file} is a symbolic link: spasm did not follow it"
            )
        if file.is_dir():
            raise UsageError(f"{file} is a folder: the settings file cannot be written there")
        paths.make_private_dir(file.parent)
        atomic.write_text(file, text.getvalue())
    except OSError as err:
        raise _cannot_write(file, err) from None
    return file


def _cannot_write(file: Path, err: OSError) -> SpasmError:
    from back_spasm_cli.personal.storage import explain_os

    if err.errno == errno.EISDIR:
        return UsageError(f"{file} is a folder: the settings file cannot be written there")
    return explain_os(err, file, "the setting was not saved")


def remembered_language() -> str | None:
    """The language `spasm config set lang` saved (for system/i18n.choose); None when
    the file cannot be read (region_of says why, once: settings never block advice)."""
    return load_or_report()[0].get("lang")
