"""docs/cli.md is every command's --help, generated from the app; this test fails when it
drifts. Regenerate with: python -m tests.test_docs"""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from back_spasm_cli.cli import app
from tests.helpers import all_commands

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
HEADER = """\
# spasm command reference

Generated from each command's `--help` by `python -m tests.test_docs`; a test fails when
this file and the app disagree. Exit codes and JSON shapes are in the README.
"""


def generate() -> str:
    runner = CliRunner()
    env = {"COLUMNS": "88", "NO_COLOR": "1", "TERM": "dumb"}
    parts = [HEADER]
    for command in [[], *all_commands()]:
        result = runner.invoke(app, [*command, "--help"], env=env)
        assert result.exit_code == 0, result.output
        title = " ".join(["spasm", *command])
        parts.append(f"## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


def test_cli_reference_is_current() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == generate(), (
        "docs/cli.md is stale: run python -m tests.test_docs"
    )


def test_every_command_is_in_the_reference() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    for command in all_commands():
        assert f"## `spasm {' '.join(command)}`" in text


if __name__ == "__main__":
    os.environ.pop("COLUMNS", None)
    REFERENCE.write_text(generate(), encoding="utf-8")
    print(f"wrote {REFERENCE}")


def test_the_command_table_names_every_registered_command_once() -> None:
    import importlib

    from back_spasm_cli import cli

    for module in sorted(set(cli.COMMANDS.values())):
        importlib.import_module(f"back_spasm_cli.cli.{module}")
    assert sorted(cli._REGISTERED) == sorted(cli.COMMANDS)
    for name, module in cli.COMMANDS.items():
        registered = cli._REGISTERED[name]
        callbacks = [c.callback for c in registered.registered_commands]
        callback = callbacks[0] if callbacks else registered.registered_callback.callback  # type: ignore[union-attr]
        assert callback is not None and callback.__module__ == f"back_spasm_cli.cli.{module}"
