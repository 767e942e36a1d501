"""The README's tour stays true: each `$ spasm …` line it shows is run with the installed
spasm, and every output line it prints under the command must appear in the real output
(lines shown as `…` stand for output left out)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import installed_spasm

README = Path(__file__).resolve().parent.parent / "README.md"


def tour() -> list[tuple[str, list[str]]]:
    examples: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if not chunk.startswith("$ spasm"):
                continue
            command, *output = chunk.rstrip("\n").split("\n")
            shown = [line for line in output if line.strip() and line.strip() != "…"]
            examples.append((command[2:].split("  #")[0].strip(), shown))
    return examples


def test_the_readme_has_a_tour() -> None:
    assert len(tour()) >= 8


@pytest.mark.parametrize(("command", "shown"), tour(), ids=[c for c, _ in tour()])
def test_tour_example(
    command: str, shown: list[str], spasm_env: dict[str, str], tmp_path: Path
) -> None:
    bin_dir = str(Path(installed_spasm()).parent)
    env = {
        **spasm_env,
        "PATH": bin_dir + os.pathsep + spasm_env.get("PATH", ""),
        "LANG": "en_GB.UTF-8",
        "COLUMNS": "200",
    }
    result = subprocess.run(
        "{ " + command + "; } 2>&1",  # stderr too, for the whole line
        shell=True,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stdout
    for line in shown:
        assert line.strip() in result.stdout, f"{command!r} no longer prints {line!r}"
