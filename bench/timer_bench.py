"""Timer CPU benchmark: CPU seconds per minute of a running `spasm timer`, beside `sleep`.

A timer that polls would burn a core while someone lies on an ice pack; spasm's sleeps
until the next tick. This runs the real command (the hidden `--seconds` sets a short
length) twice per mode, short and long, and reads each child's CPU time (user + system,
from wait4). The difference between the two lengths is the cost of running, without the
start-up (it can come out slightly negative: start-up varies by more than the running
costs); it is given per minute of timer, beside `sleep` measured the same way. The long
run's whole CPU time per minute, start-up included, is an upper bound.

Modes: `plain` (no terminal: a line a minute) and `bar` (in a pseudo-terminal: the Rich
bar redrawn once a second). Target: under 0.1 CPU seconds per minute of timer (under
0.2% of one core) for the running cost; the upper bound is printed beside it.
Medians of --runs runs.
Run: python bench/timer_bench.py [--short 1] [--long 31] [--runs 3] [--check]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import base_env

TARGET = 0.1  # CPU seconds per minute of timer: under 0.2% of one core


def cpu_of(argv: Sequence[str], env: dict[str, str], terminal: bool) -> float:
    """Run `argv` to the end; return its CPU seconds (user + system)."""
    if terminal:
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            argv, env={**env, "TERM": "xterm"}, stdin=slave, stdout=slave, stderr=slave
        )
        os.close(slave)
        try:
            while True:  # drain the terminal so the child never blocks on a full buffer
                ready, _, _ = select.select([master], [], [], 1.0)
                if ready:
                    try:
                        if not os.read(master, 65536):
                            break
                    except OSError:  # EIO: the child closed its end
                        break
                elif proc.poll() is not None:
                    break
        finally:
            os.close(master)
    else:
        proc = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return float(usage.ru_utime + usage.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=1, help="seconds of the short run")
    parser.add_argument("--long", type=int, default=31, help="seconds of the long run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each, medians taken")
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    if args.long <= args.short:
        parser.error("--long must be longer than --short")
    script = Path(sys.executable).parent / "spasm"
    span_minutes = (args.long - args.short) / 60
    rows: list[tuple[str, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = base_env(Path(tmp) / "home")

        def spasm(seconds: int, mode: str) -> list[str]:
            fmt = "plain" if mode == "plain" else "rich"
            return [
                str(script),
                "timer",
                "ice",
                "--yes",
                "--seconds",
                str(seconds),
                "--format",
                fmt,
                "--region",
                "uk",
            ]

        # Build the knowledge-base cache first, as any earlier run of spasm would have.
        cpu_of([str(script), "about"], env, terminal=False)
        cases = {
            "sleep (reference)": (lambda s: ["sleep", str(s)], False),
            "spasm timer, plain": (lambda s: spasm(s, "plain"), False),
            "spasm timer, bar in a pty": (lambda s: spasm(s, "bar"), True),
        }
        for name, (argv, terminal) in cases.items():
            short = statistics.median(
                cpu_of(argv(args.short), env, terminal) for _ in range(args.runs)
            )
            long = statistics.median(
                cpu_of(argv(args.long), env, terminal) for _ in range(args.runs)
            )
            rows.append((name, short, long, (long - short) / span_minutes))
    print(
        f"CPU seconds (user+system) of runs of {args.short} s and {args.long} s,"
        f" medians of {args.runs}"
    )
    print(f"  {'':28} {'short':>7} {'long':>7} {'running/min':>12} {'bound/min':>10}")
    for name, short, long, running in rows:
        bound = long / (args.long / 60)
        print(f"  {name:<28} {short:7.3f} {long:7.3f} {running:12.4f} {bound:10.3f}")
    print(
        "  running/min = (long - short) per minute of timer; bound/min = the long run's"
        " whole CPU per minute, start-up included"
    )
    running_worst = max(r for name, _, _, r in rows if name.startswith("spasm"))
    verdict = "meets" if running_worst <= TARGET else "MISSES"
    print(f"  worst running cost: {running_worst:.4f} CPU s per minute ({verdict} target {TARGET})")
    return 1 if args.check and running_worst > TARGET else 0


if __name__ == "__main__":
    raise SystemExit(main())
