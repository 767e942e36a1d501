"""Helpers shared by the tests (fixtures live in conftest.py). Tests import from here,
never from each other."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

#: The founding article and the brief, beside the checkout as CI lays them out.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


class Result:
    """What a command did: exit code, stdout and stderr kept apart."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def flat(self) -> str:
        """stdout lower-cased with runs of white space folded, for phrase checks."""
        import re

        return re.sub(r"\s+", " ", self.stdout).lower()

    def __repr__(self) -> str:
        return (
            f"Result(exit_code={self.exit_code}, stdout={self.stdout[:400]!r}, "
            f"stderr={self.stderr[:400]!r})"
        )


Invoke = Callable[..., Result]


def assert_no_bug(result: Result) -> None:
    """In-process, a bug shows as exit 70 and 'internal error' (never a traceback)."""
    assert result.exit_code != 70, result
    assert "internal error" not in result.stderr, result


def installed_spasm() -> str:
    """The `spasm` script of the environment running the tests."""
    candidate = Path(sys.executable).parent / "spasm"
    found = str(candidate) if candidate.exists() else shutil.which("spasm")
    if not found:
        pytest.fail("the spasm entry point is not installed: pip install -e '.[test]'")
    return found


def all_commands() -> list[list[str]]:
    """Every command and sub-command of the app, as argument lists."""
    import typer
    import typer.main

    from back_spasm_cli.cli import app

    group: Any = typer.main.get_command(app)
    ctx = typer.Context(group)
    found: list[list[str]] = []
    for name in group.list_commands(ctx):
        found.append([name])
        command = group.get_command(ctx, name)
        for sub in getattr(command, "commands", {}):
            found.append([name, sub])
    return found
