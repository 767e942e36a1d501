"""Shared timing helpers for the benchmarks: interleaved runs, medians, the floor app."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

#: The smallest Typer + Rich app that prints one panel: the framework's own start-up.
FLOOR_APP = """\
import typer
from rich.console import Console
from rich.panel import Panel

app = typer.Typer()


@app.command()
def main(name: str = "heat") -> None:
    Console().print(Panel(name, title="floor"))


app()
"""


def write_floor(folder: Path) -> Path:
    path = folder / "floor.py"
    path.write_text(FLOOR_APP, encoding="utf-8")
    return path


def time_once(
    argv: Sequence[str], env: dict[str, str], prepare: Callable[[], None] | None = None
) -> float:
    if prepare is not None:
        prepare()
    start = time.perf_counter()
    subprocess.run(
        argv,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - start


def interleaved(
    cases: dict[str, tuple[Sequence[str], dict[str, str], Callable[[], None] | None]],
    runs: int,
    warmup: int = 2,
) -> dict[str, float]:
    """Median seconds per case, with the cases' runs alternating so drift hits all alike."""
    for _ in range(warmup):
        for argv, env, prepare in cases.values():
            time_once(argv, env, prepare)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (argv, env, prepare) in cases.items():
            samples[name].append(time_once(argv, env, prepare))
    return {name: statistics.median(values) for name, values in samples.items()}


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPASM_")}
    env.update({"SPASM_HOME": str(home), "COLUMNS": "80", "LANG": "en_GB.UTF-8"})
    return env
