"""Start-up benchmark: `spasm remedy heat` against the smallest Typer + Rich app.

Runs both alternately in one go and prints the medians and their ratio. Target: at most
1.20 (spasm adds no more than 20% to the framework's own start-up). `--check` exits 1
when the target is missed. Run: python bench/startup_bench.py [--runs N] [--check]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import base_env, interleaved, write_floor

TARGET = 1.20


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
        }
        medians = interleaved(cases, args.runs)
    floor_s, spasm_s = medians.values()
    ratio = spasm_s / floor_s
    print(f"runs: {args.runs} each, interleaved, medians (python: {python})")
    for name, seconds in medians.items():
        print(f"  {name:<28} {seconds * 1000:7.1f} ms")
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"  ratio spasm/floor            {ratio:7.3f}  ({verdict} target {TARGET:.2f})")
    return 1 if args.check and ratio > TARGET else 0


if __name__ == "__main__":
    raise SystemExit(main())
