"""Shared fixtures: every test runs with its own SPASM_HOME and HOME, never the real ones."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
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
