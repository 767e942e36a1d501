"""Peak memory of `spasm import` on a large CSV (issue 17: at most twice the file).

    python bench/import_bench.py --mb 200

Writes a CSV of about MB megabytes (rows like an export's, without ids, notes of 60-120
characters), imports it into a fresh SPASM_HOME with the installed entry point, and prints
the file's size, the child's peak RSS (ru_maxrss), the ratio and the time taken.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write_csv(path: Path, megabytes: float) -> int:
    target = int(megabytes * 1024 * 1024)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("at,pain,area,side,leg,trigger,helped,note\n")
        size = 0
        while size < target:
            day = 1 + rows % 28
            minute = rows % 60
            note = f"entry {rows}: stiff after sitting; better after a walk " + "x" * (rows % 60)
            line = f"2026-11-{day:02d} 08:{minute:02d},{rows % 11},lower,left,0,,heat,{note}\n"
            out.write(line)
            size += len(line)
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the CSV (MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "big.csv"
        rows = write_csv(csv_path, args.mb)
        size = csv_path.stat().st_size
        env = {**os.environ, "SPASM_HOME": str(Path(folder) / "home")}
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "back_spasm_cli", "import", str(csv_path)],
            env=env,
            capture_output=True,
            text=True,
        )
        took = time.monotonic() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
        print(f"file      {size / 1e6:8.1f} MB, {rows:,} rows")
        print(f"exit      {done.returncode} {done.stdout.strip() or done.stderr.strip()[:200]}")
        print(f"peak RSS  {peak / 1e6:8.1f} MB ({peak / size:.2f}x the file)")
        print(f"time      {took:8.1f} s")


if __name__ == "__main__":
    main()
