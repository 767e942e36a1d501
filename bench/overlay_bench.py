"""Overlay benchmark: spasm with a generated 1,000-entry overlay on top of the shipped base,
against the smallest Typer + Rich app, all in one interleaved run.

Cases (medians), each as a ratio to the floor:
- `spasm remedy heat` with the overlay (the snapshot warm): target at most 1.3;
- a warm `spasm search` (snapshot and index built): at most 1.5;
- (for reference, `spasm remedy heat` without the overlay: what the overlay itself costs);
- the first `spasm search` after the overlay changed (one entry's text edited before each
  run, so the base is validated, merged and indexed again): at most 3.0.

The benchmark writes its own overlay (remedies, exercises, FAQ, lifestyle and prevention
entries, some `extends:`, the new exercises appended to the routine).
Run: python bench/overlay_bench.py [--runs N] [--entries N] [--check]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import base_env, interleaved, write_floor

TARGETS = {"remedy": 1.3, "search": 1.5, "changed": 3.0}
WORDS = [
    *("gentle", "stretch", "warm", "towel", "shoulder", "hip", "knee", "walk", "posture"),
    *("breath", "chair", "desk", "lift", "bend", "twist", "rest", "sleep", "pillow"),
    *("mattress", "water", "stress", "calm", "core", "glute", "hamstring", "calf", "ankle"),
]


def _words(seed: int, count: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(count))


def write_overlay(folder: Path, entries: int) -> Path:
    """An overlay of `entries` items across five sections (about a tenth `extends:`)."""
    folder.mkdir(parents=True)
    (folder / "overlay.yaml").write_text(
        'name: Bench Clinic\nversion: "1.0"\nowner: bench\nrequires: ">=0.1"\n',
        encoding="utf-8",
    )
    sections = ("remedies", "faq", "lifestyle", "prevention", "exercises")
    shipped_remedies = ("heat", "rest-and-ice", "massage")
    lines: dict[str, list[str]] = {name: [f"{name}:"] for name in sections}
    exercises: list[str] = []
    for n in range(entries):
        section = sections[n % len(sections)]
        out = lines[section]
        if section == "remedies" and n % 50 == 0:
            out += [
                f"  - extends: {shipped_remedies[n % 3]}",
                f"    tips: ['Bench tip {n}: {_words(n, 8)}.']",
                "    sources: [{clinician: Bench Clinic}]",
            ]
            continue
        out += [
            f"  - id: bench-{section}-{n}",
            f"    title: Bench {section} {n} {_words(n, 2)}",
            f"    summary: {_words(n, 12)}.",
            f"    aliases: ['{_words(n + 1, 2)} {n}']",
        ]
        if section == "exercises":
            out += [
                f"    position: {_words(n, 6)}.",
                f"    steps: ['{_words(n, 9)}.', '{_words(n + 2, 9)}.']",
                "    hold_seconds: 5",
                "    reps: 5",
            ]
            exercises.append(f"bench-{section}-{n}")
        else:
            out += [f"    steps: ['{_words(n, 10)}.']", f"    body: ['{_words(n + 3, 30)}.']"]
        out.append("    sources: [{clinician: Bench Clinic}]")
    for name, text in lines.items():
        (folder / f"{name}.yaml").write_text("\n".join(text) + "\n", encoding="utf-8")
    order = "\n".join(f"      - {exercise}" for exercise in exercises[:20])
    (folder / "sessions.yaml").write_text(
        f"sessions:\n  routine:\n    order:\n{order}\n", encoding="utf-8"
    )
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    python = sys.executable
    import compileall

    import back_spasm_cli

    compileall.compile_dir(Path(back_spasm_cli.__file__).parent, quiet=1)
    script = str(Path(python).parent / "spasm")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        overlay = write_overlay(folder / "overlay", args.entries)
        floor = write_floor(folder)
        env = {**base_env(folder / "home"), "SPASM_OVERLAYS": str(overlay)}
        changing = folder / "changing"
        write_overlay(changing, args.entries)
        changed_env = {**base_env(folder / "home2"), "SPASM_OVERLAYS": str(changing)}
        faq = changing / "faq.yaml"
        original = faq.read_text(encoding="utf-8")
        counter = [0]

        def edit() -> None:
            counter[0] += 1  # one entry's summary says something new: a new fingerprint
            faq.write_text(
                original.replace("summary:", f"summary: edit {counter[0]}", 1), encoding="utf-8"
            )

        query = ["search", "warm", "towel", "shoulder", "--format", "plain"]
        cases = {
            "floor (typer+rich panel)": ([python, str(floor)], env, None),
            "remedy heat (+overlay)": ([script, "remedy", "heat", "--format", "rich"], env, None),
            "remedy heat (no overlay)": (
                [script, "remedy", "heat", "--format", "rich"],
                base_env(folder / "home3"),
                None,
            ),
            "search, warm": ([script, *query], env, None),
            "search, overlay changed": ([script, *query], changed_env, edit),
        }
        medians = interleaved(cases, args.runs)
    floor_s, remedy_s, _plain_s, search_s, changed_s = medians.values()
    print(
        f"runs: {args.runs} each, interleaved, medians; overlay of {args.entries:,} entries"
        f" (python: {python})"
    )
    for name, seconds in medians.items():
        print(f"  {name:<28} {seconds * 1000:7.1f} ms")
    missed = False
    for label, seconds, key in (
        ("remedy heat / floor", remedy_s, "remedy"),
        ("warm search / floor", search_s, "search"),
        ("changed search / floor", changed_s, "changed"),
    ):
        ratio = seconds / floor_s
        ok = ratio <= TARGETS[key]
        missed = missed or not ok
        verdict = "meets" if ok else "MISSES"
        print(f"  {label:<28} {ratio:7.3f}  ({verdict} target {TARGETS[key]:.1f})")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
