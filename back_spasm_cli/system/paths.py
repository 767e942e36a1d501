"""Where spasm keeps the user's data and caches: SPASM_HOME, else the platform's dirs."""

from __future__ import annotations

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
