"""The everyday questions (issue 18): each is answered, after the safety strip (and any care
level a red flag in the words raised), by one plain sentence, the entry's `answer`, and then
the entry itself. The questions are the independent corpus tests/data/ask_questions_everyday.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from back_spasm_cli.knowledge import kb
from tests.helpers import Invoke

CORPUS = Path(__file__).resolve().parent / "data" / "ask_questions_everyday.yaml"
QUESTIONS = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["questions"]

#: intent -> (the entry that answers it, words its answer sentence must say: the brief, §10).
ANSWERS: dict[str, tuple[str, str]] = {
    "work": ("work", "you do not need to be pain-free to go back"),
    "drive": ("driving", "brake hard"),
    "sex": ("sex", "support your back with a pillow"),
    "sleep": ("sleep", "a pillow between your knees"),
    "getting-up": ("getting-out-of-bed", "Roll onto your side"),
    "alcohol": ("alcohol", "first 48 hours"),
    "manipulation": ("manipulation", "only alongside exercise"),
    "braces": ("braces", "NICE advises against belts, corsets and braces"),
    "tens": ("tens", "NICE advises against TENS"),
    "imaging": ("imaging", "a scan is for when a doctor suspects a serious cause"),
    "painkillers": ("painkillers", "NICE does not advise on its own"),
    "dangerous": ("is-it-serious", "run `spasm check`"),
}
CASES = [
    pytest.param(item["text"], item["intent"], id=item["text"][:50])
    for item in QUESTIONS
    if item["intent"] in ANSWERS
]


def answer_of(entry_id: str) -> str:
    content = kb.load().content
    entry = next(e for e in content.faq if e.id == entry_id)
    assert entry.answer is not None, entry_id
    return entry.answer


def first_answer_block(out: str) -> str:
    """The plain output's first block after the safety strip, the care level and the red
    flags it names (those come first, always)."""
    for block in out.split("\n\n"):
        first = block.splitlines()[0]
        safety = first.startswith(("Emergency:", "Urgent:", "See a GP", "Call "))
        if safety or "(red flag: " in first:
            continue
        return block
    raise AssertionError(out)


def test_every_new_intent_has_questions_in_the_corpus() -> None:
    assert {item["intent"] for item in QUESTIONS} >= set(ANSWERS)
    assert len(CASES) >= 40


@pytest.mark.parametrize(("question", "intent"), CASES)
def test_the_first_line_is_the_answer_sentence(invoke: Invoke, question: str, intent: str) -> None:
    entry_id, words = ANSWERS[intent]
    sentence = answer_of(entry_id)
    assert words in sentence
    data = json.loads(invoke("ask", *question.split(), "--format", "json").stdout)
    assert data["intent"] == intent
    assert data["answer_line"] == sentence
    out = invoke("ask", *question.split(), "--format", "plain").stdout
    block = first_answer_block(out)
    assert block.splitlines()[0] == sentence  # a plain line, whole, not a title
    assert out.index(sentence) < out.index(f"(faq: {entry_id}")  # then the entry


def test_the_answer_is_wrapped_never_cut_at_40_columns(invoke: Invoke) -> None:
    sentence = answer_of("work")
    out = invoke("ask", "can", "i", "go", "back", "to", "work", "--format", "rich", width=40)
    lines = [line.rstrip() for line in out.stdout.splitlines()]
    assert all(len(line) <= 40 for line in lines)
    text = " ".join(lines)
    assert sentence in text  # every word of it, in order, across the wrapped lines
    assert not any(line.startswith("╭") and "Stay at work" in line for line in lines)
