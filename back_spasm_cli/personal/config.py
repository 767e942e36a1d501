"""The user's settings (`spasm config`): a small INI file in the spasm home's data folder.

Only settings spasm knows are kept (today: `region` and `lang`). The file is written atomically,
mode 0600; a file that cannot be read is reported, never overwritten.
"""

from __future__ import annotations

from pathlib import Path

from back_spasm_cli.errors import SpasmError, UsageError
from back_spasm_cli.system import paths

SECTION = "spasm"
KNOWN = ("region", "lang")


def path() -> Path:
    return paths.data_dir() / "config.ini"


def load() -> dict[str, str]:
    """The saved settings; {} when there is no file yet."""
    file = path()
    if not file.is_file():
        return {}
    import configparser  # only when there is a file: most runs have none

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(file.read_text(encoding="utf-8"), source=str(file))
    except (OSError, UnicodeDecodeError, configparser.Error) as err:
        raise SpasmError(f"cannot read the settings in {file}: {err}") from None
    if not parser.has_section(SECTION):
        return {}
    return {key: value for key, value in parser.items(SECTION) if key in KNOWN}


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
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic.write_text(file, text.getvalue())
    return file


def remembered_language() -> str | None:
    """The language `spasm config set lang` saved (for system/i18n.choose)."""
    return load().get("lang")
