"""Diary benchmark: with 100,000 entries, `spasm trends` and `spasm history --since 30d`
against the smallest Typer + Rich app, and how fast `spasm import` stores rows.

Makes its own data: 100,000 entries, four a day ending today (about 68 years), pain never
0, so the current episode spans the whole diary (the slowest case for finding where it
began), every third entry naming what helped. Targets: each command at most 1.50x the
floor (interleaved medians), and the import at least 50,000 rows a second, timed as the
whole `spasm import` process (start-up included). `--check` exits 1 when a target is
missed. Run: python bench/diary_bench.py [--runs N] [--entries N] [--check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import base_env, interleaved, write_floor

RATIO_TARGET = 1.50
IMPORT_TARGET = 50_000  # rows a second


def make_export(path: Path, entries: int) -> None:
    from back_spasm_cli.personal import diary

    rng = random.Random(13)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    helped = ("heat", "rest-and-ice", "knee-rolls", "short-walks")
    items = []
    for n in range(entries):
        at = now - dt.timedelta(hours=6 * n)
        items.append(
            diary.Entry(
                at=at.strftime(diary.AT_FORMAT),
                pain=rng.randint(1, 9),
                area=rng.choice(diary.AREAS),
                side=rng.choice(diary.SIDES),
                leg=rng.random() < 0.2,
                trigger=rng.choice(("lifting", "posture", None)),
                helped=(helped[n % 4],) if n % 3 == 0 else (),
                note="stiff in the morning" if n % 5 == 0 else "",
                logged="2026-11-24T10:00:00+00:00",
            )
        )
    items.reverse()
    path.write_text(diary.export_csv(items), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    python = sys.executable
    import compileall

    import back_spasm_cli

    compileall.compile_dir(Path(back_spasm_cli.__file__).parent, quiet=1)
    script = str(Path(python).parent / "spasm")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = base_env(folder / "home")
        export = folder / "diary.csv"
        make_export(export, args.entries)
        start = time.perf_counter()
        subprocess.run(
            [script, "import", str(export)], env=env, check=True, stdout=subprocess.DEVNULL
        )
        seconds = time.perf_counter() - start
        rate = args.entries / seconds
        floor = write_floor(folder)
        cases = {
            "floor (typer+rich panel)": ([python, str(floor)], env, None),
            "spasm trends": ([script, "trends", "--format", "rich"], env, None),
            "spasm history --since 30d": (
                [script, "history", "--since", "30d", "--format", "rich"],
                env,
                None,
            ),
        }
        medians = interleaved(cases, args.runs)
    floor_s = medians["floor (typer+rich panel)"]
    print(f"entries: {args.entries:,}; runs: {args.runs} each, interleaved, medians")
    missed = False
    for name, value in medians.items():
        ratio = value / floor_s
        verdict = ""
        if name != "floor (typer+rich panel)":
            ok = ratio <= RATIO_TARGET
            missed |= not ok
            verdict = f"  ratio {ratio:5.2f} ({'meets' if ok else 'MISSES'} {RATIO_TARGET:.2f})"
        print(f"  {name:<28} {value * 1000:7.1f} ms{verdict}")
    ok = rate >= IMPORT_TARGET
    missed |= not ok
    print(
        f"  spasm import                 {seconds * 1000:7.1f} ms  {rate:,.0f} rows/s"
        f" ({'meets' if ok else 'MISSES'} {IMPORT_TARGET:,})"
    )
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
