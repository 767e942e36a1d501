"""Shared fixtures: every test runs with its own SPASM_HOME and HOME, never the real ones."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from back_spasm_cli.cli import app
from tests.helpers import Invoke, Result

# Variables that would change output if they leaked in from the developer's shell.
_LEAKY = (
    "SPASM_KB",
    "SPASM_OVERLAYS",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "TERM",
    "SPASM_REGION",
    "LC_ALL",
    "LC_MESSAGES",
    "LANGUAGE",
)

# Test modules that load the base at import (CONTENT = kb.load().content) run before any
# fixture: they get a throw-away home too, so collection never writes the real one's cache.
_COLLECTION_HOME = Path(tempfile.mkdtemp(prefix="spasm-tests-"))
atexit.register(shutil.rmtree, _COLLECTION_HOME, ignore_errors=True)
os.environ.update(
    {
        "SPASM_HOME": str(_COLLECTION_HOME / "spasm"),
        "HOME": str(_COLLECTION_HOME),
        "XDG_CACHE_HOME": str(_COLLECTION_HOME / ".cache"),
        "XDG_DATA_HOME": str(_COLLECTION_HOME / ".local" / "share"),
        "XDG_CONFIG_HOME": str(_COLLECTION_HOME / ".config"),
        "XDG_DATA_DIRS": str(_COLLECTION_HOME / "site"),
    }
)


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The caches spasm builds on its first run (the validated snapshot of the shipped base
    and the search index, in English and in Spanish), built once per test process by spasm
    itself in a throw-away home. Each test's home starts with a copy, so a test pays for a
    cold build only when it is about the cold build (mark it `cold_cache`): that build is
    about 0.2 s, paid by some 900 tests and subprocesses otherwise. The caches key on the
    data, layers, language and code, so a test with other layers still builds its own."""
    home = tmp_path_factory.mktemp("warm-cache")
    env = {name: None for name in _LEAKY}
    env.update(
        {
            "SPASM_HOME": str(home / "spasm"),
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_DATA_DIRS": str(home / "site"),
            "LANG": "en_GB.UTF-8",
        }
    )
    runner = CliRunner()
    for lang in ("en", "es"):
        runner.invoke(app, ["--lang", lang, "search", "heat", "--format", "json"], env=env)
    cache = home / "spasm" / "cache"
    return cache if cache.is_dir() else None  # a base that does not build: tests will say


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    warm_cache: Path | None,
) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    if warm_cache is not None and request.node.get_closest_marker("cold_cache") is None:
        (home / "spasm").mkdir(mode=0o700)
        shutil.copytree(warm_cache, home / "spasm" / "cache")  # modes kept: 0700 and 0600
    for name in _LEAKY:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPASM_HOME", str(home / "spasm"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    # Site-wide overlays (platformdirs' site_data_dir) come from here, never the machine's.
    monkeypatch.setenv("XDG_DATA_DIRS", str(home / "site"))
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    yield home


@pytest.fixture
def invoke() -> Invoke:
    """Run spasm in-process with CliRunner: `invoke("remedy", "heat", "--format", "plain")`."""

    def run(
        *args: str, env: dict[str, str] | None = None, input: str | None = None, width: int = 100
    ) -> Result:
        runner = CliRunner()
        merged = {"COLUMNS": str(width), **(env or {})}
        result = runner.invoke(app, list(args), env=merged, input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def spasm_env(isolated_home: Path) -> dict[str, str]:
    """A minimal environment for subprocess runs of the installed spasm."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY}
    env.update({"SPASM_HOME": str(isolated_home / "spasm"), "HOME": str(isolated_home)})
    return env
