"""Search benchmark: `spasm search` on generated bases of 1,000 and 10,000 entries.

Generates two valid knowledge bases in a temporary folder (meta, fallback, care levels,
regions, red flags, and causes/remedies/prevention/lifestyle/FAQ entries whose text is
the shipped base's sentences, titles and aliases recombined), then times, in one run
with the runs interleaved:

  floor      the smallest Typer + Rich app that prints one panel (`python floor.py`)
  cold@1k    `spasm --kb DIR search QUERY` at 1,000 entries, empty SPASM_HOME each run
             (no cache at all: the YAML is validated and the index built)
  warm@10k   the same at 10,000 entries, cache and index already built

and prints the medians and their ratios to the floor. Targets: cold@1k <= 1.5x and
warm@10k <= 1.2x the floor; `--check` exits 1 when one is missed.
Run: python bench/search_bench.py [--runs N] [--check] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import base_env, interleaved, write_floor

TARGETS = {"cold@1k": 1.5, "warm@10k": 1.2}
QUERY = ["hot", "water", "bottle", "for", "a", "stiff", "lower", "back"]
PER_FILE = 500  # entries per generated YAML file

META = """\
meta:
  title: spasm benchmark base
  disclaimer: "Generated text for a benchmark, not advice."
  doctor_pointer: "Run `spasm doctor` for when to get help."
  medication_notice: Follow the label or ask a pharmacist.
  sources: [seed]
fallback:
  emergency: "your local emergency number"
  urgent: "your doctor's surgery or a local urgent care service"
care_levels:
  - {id: emergency, title: Emergency, action: "Call {emergency} now.", sources: [seed]}
  - {id: urgent, title: Urgent, action: "Contact {urgent} today.", sources: [seed]}
  - {id: gp, title: See a GP, action: Book an appointment., sources: [seed]}
  - {id: self-care, title: Self-care, action: Self-care should help., sources: [seed]}
regions:
  - id: uk
    name: United Kingdom
    countries: [GB]
    emergency: {number: "999", label: 999 (United Kingdom emergency)}
    urgent: {number: "111", label: "NHS 111 (England, United Kingdom)"}
    sources: [seed]
  - id: us
    name: United States
    countries: [US]
    emergency: {number: "911", label: 911 (United States emergency)}
    sources: [seed]
red_flags:
  - {id: saddle-numbness, level: emergency, title: Numbness around the genitals or buttocks,
     aliases: [numb groin, saddle numbness], question: Is your groin numb?,
     explain: A sign of a nerve problem that needs help now., sources: [seed]}
  - {id: bladder-bowel, level: emergency, title: Loss of bladder or bowel control,
     aliases: [incontinence], question: Have you lost bladder control?,
     explain: A sign of a nerve problem that needs help now., sources: [seed]}
  - {id: chest-pain, level: emergency, title: Chest pain, question: Do you have chest pain?,
     explain: Chest pain needs help now., sources: [seed]}
  - {id: fever, level: urgent, title: Fever or high temperature, aliases: [temperature],
     question: Do you have a fever?, explain: A fever can mean an infection., sources: [seed]}
"""

SECTIONS = ["causes", "remedies", "prevention", "lifestyle", "faq"]


class Corpus:
    """Sentences, titles and aliases of the shipped base, recombined into new entries."""

    def __init__(self) -> None:
        from back_spasm_cli.knowledge import kb

        content = kb.load(use_cache=False).content
        self.sentences: list[str] = []
        self.titles: list[str] = []
        self.aliases: list[str] = []
        for _, item in kb.iter_items(content):
            texts = [getattr(item, name, None) or "" for name in ("summary", "explain")]
            for name in ("body", "steps", "tips", "cautions", "evidence"):
                texts += getattr(item, name, None) or []
            for text in texts:
                self.sentences += [
                    s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) > 20
                ]
            if hasattr(item, "aliases") and hasattr(item, "title"):
                self.titles.append(item.title)
                self.aliases += item.aliases
        self.sentences = sorted(set(self.sentences))

    def paragraph(self, rng: random.Random, sentences: int) -> str:
        return " ".join(rng.sample(self.sentences, sentences))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _entry(corpus: Corpus, rng: random.Random, number: int, ids: list[str]) -> tuple[str, str]:
    entry_id = f"entry-{number}"
    title = f"{rng.choice(corpus.titles)} ({number})"
    related = rng.sample(ids, k=min(len(ids), rng.randint(0, 2)))
    lines = [
        f"  - id: {entry_id}",
        f"    title: {_quote(title)}",
        f"    aliases: [{', '.join(_quote(a) for a in rng.sample(corpus.aliases, 3))}]",
        f"    summary: {_quote(corpus.paragraph(rng, 1))}",
        "    body:",
        *(f"      - {_quote(corpus.paragraph(rng, rng.randint(2, 4)))}" for _ in range(2)),
        "    steps:",
        *(f"      - {_quote(corpus.paragraph(rng, 1))}" for _ in range(rng.randint(1, 3))),
        f"    cautions: [{_quote(corpus.paragraph(rng, 1))}]",
        f"    related: [{', '.join(related)}]",
        "    sources: [seed]",
    ]
    return entry_id, "\n".join(lines) + "\n"


def generate(folder: Path, entries: int, corpus: Corpus, seed: int = 1) -> Path:
    """A valid knowledge base of `entries` entries in `folder` (created)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.yaml").write_text(META, encoding="utf-8")
    ids: list[str] = []
    for start in range(0, entries, PER_FILE):
        section = SECTIONS[(start // PER_FILE) % len(SECTIONS)]
        chunks = [f"{section}:\n"]
        for number in range(start, min(start + PER_FILE, entries)):
            entry_id, text = _entry(corpus, rng, number, ids[-50:])
            ids.append(entry_id)
            chunks.append(text)
        (folder / f"{section}-{start // PER_FILE:03d}.yaml").write_text(
            "".join(chunks), encoding="utf-8"
        )
    return folder


def _spasm(script: Path, kb: Path, fmt: str) -> list[str]:
    return [str(script), "--kb", str(kb), "search", *QUERY, "--format", fmt]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--format",
        default="rich",
        choices=["rich", "plain"],
        help="spasm's output format (the floor always prints a Rich panel)",
    )
    parser.add_argument("--keep", type=Path, help="generate the bases here and keep them")
    args = parser.parse_args()
    python = sys.executable
    script = Path(python).parent / "spasm"  # what a user runs, like bench/startup_bench.py
    # Time spasm as installed, with its bytecode compiled (as pip does), even where
    # PYTHONDONTWRITEBYTECODE is set; the floor's libraries are compiled already.
    import back_spasm_cli

    subprocess.run(
        [python, "-m", "compileall", "-q", str(Path(back_spasm_cli.__file__).parent)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        started = time.perf_counter()
        corpus = Corpus()
        small = generate(folder / "kb-1k", 1_000, corpus)
        large = generate(folder / "kb-10k", 10_000, corpus)
        print(f"generated 1,000 and 10,000 entries in {time.perf_counter() - started:.1f} s")
        floor = write_floor(Path(tmp))
        cold_home, warm_home = Path(tmp) / "cold-home", Path(tmp) / "warm-home"
        cold_env, warm_env = base_env(cold_home), base_env(warm_home)

        def empty_cold_home() -> None:
            shutil.rmtree(cold_home, ignore_errors=True)

        started = time.perf_counter()
        subprocess.run(
            _spasm(script, large, "plain"), env=warm_env, check=True, stdout=subprocess.DEVNULL
        )
        print(f"built the 10k cache and index once in {time.perf_counter() - started:.1f} s")
        cases = {
            "floor": ([python, str(floor)], base_env(Path(tmp) / "floor-home"), None),
            "cold@1k": (_spasm(script, small, args.format), cold_env, empty_cold_home),
            "warm@10k": (_spasm(script, large, args.format), warm_env, None),
        }
        medians = interleaved(cases, args.runs)
    print(
        f"runs: {args.runs} each, interleaved, medians; spasm --format {args.format};"
        f" python: {python}"
    )
    floor_s = medians["floor"]
    missed = False
    for name, seconds in medians.items():
        line = f"  {name:<10} {seconds * 1000:7.1f} ms"
        if name in TARGETS:
            ratio = seconds / floor_s
            ok = ratio <= TARGETS[name]
            missed |= not ok
            line += (
                f"  {ratio:5.2f}x floor  ({'meets' if ok else 'MISSES'} target"
                f" {TARGETS[name]:.1f}x)"
            )
        print(line)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
