"""Start-up benchmark: `spasm remedy heat` against the smallest Typer + Rich app, in
English and in Spanish (LANG=es_ES.UTF-8: the catalogue, Typer's words, the Spanish layer).

Runs all three alternately in one go and prints the medians and their ratios. Targets: at
most 1.20 in English and 1.25 in Spanish (spasm adds no more than 20% or 25% to the
framework's own start-up). `--check` exits 1 when a target is missed.
Run: python bench/startup_bench.py [--runs N] [--check]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import base_env, interleaved, write_floor

TARGET = 1.20
TARGET_SPANISH = 1.25


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    python = sys.executable
    # Both sides run from bytecode, as an installed wheel does (PYTHONDONTWRITEBYTECODE
    # would otherwise recompile spasm's modules on every run but not the framework's).
    import compileall

    import back_spasm_cli

    compileall.compile_dir(Path(back_spasm_cli.__file__).parent, quiet=1)
    script = Path(python).parent / "spasm"  # what a user runs, not `python -m`
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = base_env(folder / "home")
        floor = write_floor(folder)
        cases = {
            "floor (typer+rich panel)": ([python, str(floor)], env, None),
            "spasm remedy heat": ([str(script), "remedy", "heat", "--format", "rich"], env, None),
            "spasm remedy calor (es)": (
                [str(script), "remedy", "calor", "--format", "rich"],
                {**env, "LANG": "es_ES.UTF-8"},
                None,
            ),
        }
        medians = interleaved(cases, args.runs)
    floor_s, spasm_s, spanish_s = medians.values()
    print(f"runs: {args.runs} each, interleaved, medians (python: {python})")
    for name, seconds in medians.items():
        print(f"  {name:<28} {seconds * 1000:7.1f} ms")
    missed = False
    for label, seconds, target in (
        ("ratio spasm/floor", spasm_s, TARGET),
        ("ratio spasm (es)/floor", spanish_s, TARGET_SPANISH),
    ):
        ratio = seconds / floor_s
        verdict = "meets" if ratio <= target else "MISSES"
        missed = missed or ratio > target
        print(f"  {label:<28} {ratio:7.3f}  ({verdict} target {target:.2f})")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
