"""The red-flag recogniser in Spanish: data/es/words.yaml scored on a labelled corpus
written apart from the words (tests/data/es/red_flag_phrasings.yaml), and the issue's
examples, with accents or without."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from back_spasm_cli.advice import recognise
from back_spasm_cli.knowledge import kb
from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

CORPUS = Path(__file__).resolve().parent / "data" / "es" / "red_flag_phrasings.yaml"
#: The issue's targets: recall 100% emergency, 95% urgent, 90% gp; false alarms <= 2%.
TARGETS = {"emergency": 1.0, "urgent": 0.95, "gp": 0.90}
MAX_FALSE_ALARMS = 0.02
#: What the words reach today (measured; a floor, so that no change makes them worse).
#: Spanish whose-and-when cues (data/es/words.yaml `context:`) took false alarms from 12%
#: to 0.7% ("mi abuela tiene osteoporosis", "tuve fiebre hace años").
FLOORS = {"emergency": 1.0, "urgent": 0.97, "gp": 0.91}
FALSE_ALARMS_TODAY = 0.01


@pytest.fixture(scope="module")
def spanish() -> KnowledgeBaseFile:
    return kb.load(languages=kb.language_layer(None, "es"), use_cache=False).content


def level(content: KnowledgeBaseFile, text: str) -> str:
    found = recognise.recognise(content, text)
    return found[0].level if found else "none"


def test_the_corpus_is_large_and_mixed() -> None:
    items = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["phrasings"]
    levels = Counter(item["level"] for item in items)
    assert len(items) >= 300
    assert all(levels[tier] >= 40 for tier in ("emergency", "urgent", "gp", "none"))


def test_spanish_corpus_recall_and_false_alarms(spanish: KnowledgeBaseFile) -> None:
    items = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["phrasings"]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses = []
    for item in items:
        got = level(spanish, item["text"])
        total[item["level"]] += 1
        if got == item["level"]:
            right[item["level"]] += 1
        else:
            misses.append(f"{item['level']} -> {got}: {item['text']}")
    recall = {tier: right[tier] / total[tier] for tier in TARGETS}
    false_alarms = 1 - right["none"] / total["none"]
    for tier, value in recall.items():
        print(f"recall {tier:9} {100 * value:5.1f}%  (target {100 * TARGETS[tier]:.0f}%)")
    print(f"false alarms     {100 * false_alarms:5.1f}%  (target {100 * MAX_FALSE_ALARMS:.0f}%)")
    assert recall["emergency"] == 1.0, [m for m in misses if m.startswith("emergency")]
    for tier, floor in FLOORS.items():
        assert recall[tier] >= floor, misses
    assert false_alarms <= FALSE_ALARMS_TODAY, misses


@pytest.mark.parametrize(
    "text",
    [
        "no siento nada al limpiarme",
        "No siento nada al limpiarme",
        "me hice pis encima",
        "Me hice pís encima",
        "las dos piernas dormidas",
        "tengo las dos piernas dormidas desde ayer",
        "se me duermen las dos piernas",
        "no puedo orinar desde ayer",
    ],
)
def test_the_issues_examples_are_emergencies(spanish: KnowledgeBaseFile, text: str) -> None:
    assert level(spanish, text) == "emergency"


@pytest.mark.parametrize(
    "text",
    ["no tengo fiebre", "me duele la espalda al levantar peso", "no tengo las piernas dormidas"],
)
def test_negation_and_everyday_words(spanish: KnowledgeBaseFile, text: str) -> None:
    expected = "none"
    assert level(spanish, text) == expected


def test_english_words_still_work_in_spanish(spanish: KnowledgeBaseFile) -> None:
    assert level(spanish, "I peed myself") == "emergency"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mi abuela tiene fiebre", "none"),
        ("tuve fiebre de niño", "none"),
        ("cuido a mi madre y tengo fiebre", "urgent"),
        ("mi hijo tiene gripe y estoy con fiebre", "urgent"),
        ("mi madre tiene fiebre y ahora yo también", "urgent"),
        ("hace años tuve fiebre y ha vuelto", "urgent"),
        ("mi esposo dice que no controlo la orina", "emergency"),
        ("desde hace años tomo corticoides y me caí de la silla", "emergency"),
        ("no tengo problemas de erección pero no siento nada al limpiarme", "emergency"),
    ],
)
def test_spanish_context_sets_aside_others_and_the_past_never_the_persons_own_sign(
    spanish: KnowledgeBaseFile, text: str, expected: str
) -> None:
    assert level(spanish, text) == expected
