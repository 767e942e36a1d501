"""Shared fixtures: every test runs with its own SPASM_HOME and HOME, never the real ones."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from back_spasm_cli.cli import app

Invoke = Callable[..., "Result"]

# Variables that would change output if they leaked in from the developer's shell.
_LEAKY = (
    "SPASM_KB",
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
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    yield home


class Result:
    """What a command did: exit code, stdout and stderr kept apart."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def flat(self) -> str:
        """stdout lower-cased with runs of white space folded, for phrase checks."""
        return re.sub(r"\s+", " ", self.stdout).lower()

    def __repr__(self) -> str:
        return (
            f"Result(exit_code={self.exit_code}, stdout={self.stdout[:400]!r}, "
            f"stderr={self.stderr[:400]!r})"
        )


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


def installed_spasm() -> str:
    """The `spasm` script of the environment running the tests."""
    candidate = Path(sys.executable).parent / "spasm"
    found = str(candidate) if candidate.exists() else shutil.which("spasm")
    if not found:
        pytest.fail("the spasm entry point is not installed: pip install -e '.[test]'")
    return found


@pytest.fixture
def spasm_env(isolated_home: Path) -> dict[str, str]:
    """A minimal environment for subprocess runs of the installed spasm."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY}
    env.update({"SPASM_HOME": str(isolated_home / "spasm"), "HOME": str(isolated_home)})
    return env
