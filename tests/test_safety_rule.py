"""The hard rule, over the corpora: no self-care entry, link or tip beside an urgent or
emergency answer in `search` or `ask`, in the JSON and in every rendered format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from back_spasm_cli.advice import search
from back_spasm_cli.api import Advisor
from back_spasm_cli.knowledge.kinds import KINDS

DATA = Path(__file__).resolve().parent / "data"


def texts(name: str, key: str) -> list[str]:
    return [item["text"] for item in yaml.safe_load((DATA / name).read_text("utf-8"))[key]]


FLAGGED = [
    item["text"]
    for name in ("red_flag_phrasings.yaml", "red_flag_phrasings_context.yaml")
    for item in yaml.safe_load((DATA / name).read_text("utf-8"))["phrasings"]
    if item["level"] in ("urgent", "emergency")
]
QUESTIONS = texts("ask_questions.yaml", "questions") + texts(
    "ask_questions_everyday.yaml", "questions"
)
#: The commands that open a self-care entry (every kind but a red flag).
SELF_CARE_COMMANDS = tuple(
    f"spasm {kind.command} " for kind in KINDS.values() if kind.name != "red-flag"
)


@pytest.fixture(scope="module")
def advisor() -> Advisor:
    return Advisor(region="uk")


def kinds_shown(data: dict[str, Any]) -> set[str]:
    shown = [*data.get("results", ()), *data.get("answer", ()), *data.get("related", ())]
    return {entry["kind"] for entry in shown}


def test_the_rule_lives_in_one_function() -> None:
    for level in ("emergency", "urgent"):
        assert search.beside(level, "red-flag")
        for kind in KINDS.values():
            if kind.name != "red-flag":
                assert not search.beside(level, kind.name), (level, kind.name)
    assert search.beside("gp", "remedy") and search.beside(None, "faq")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sign=st.sampled_from(FLAGGED),
    question=st.one_of(st.just(""), st.sampled_from(QUESTIONS)),
    first=st.booleans(),
)
def test_no_self_care_beside_urgent_or_emergency(
    advisor: Advisor, sign: str, question: str, first: bool
) -> None:
    text = f"{sign}. {question}" if first else f"{question}. {sign}"
    for data in (advisor.search(text.strip()), advisor.ask(text.strip())):
        level = data.get("care", {}).get("level")
        assert level in ("urgent", "emergency"), (text, level)
        assert kinds_shown(data) <= {"red-flag"}, (text, kinds_shown(data))
        dumped = json.dumps(
            {k: v for k, v in data.items() if k not in ("safety", "doctor", "disclaimer")}
        )
        assert not any(command in dumped for command in SELF_CARE_COMMANDS), text


@pytest.mark.parametrize("fmt", ["plain", "markdown", "rich", "json"])
@pytest.mark.parametrize(
    "words",
    [
        "I peed myself, can I use a heat pad",
        "how long do back spasms last, I have a fever",
        "is this dangerous I can't feel anything when wiping",
        "what stretches help, pain between my shoulder blades and short of breath",
    ],
)
def test_every_format_keeps_the_rule(invoke: Any, fmt: str, words: str) -> None:
    for command in ("search", "ask"):
        result = invoke(command, *words.split(), "--format", fmt)
        assert result.exit_code == 0, result
        assert not any(c in result.stdout for c in SELF_CARE_COMMANDS), (command, fmt)


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("my son has a fever and I did my back in", "someone-else"),
        ("a bit of tingling after the sofa", "words"),
    ],
)
def test_a_note_that_touches_a_sign_points_to_check(invoke: Any, note: str, reason: str) -> None:
    result = invoke("log", "--pain", "4", "--note", note, "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert "level" not in data
    assert data["check"]["command"] == "spasm check" and data["check"]["reason"] == reason
    plain = invoke("log", "--pain", "4", "--note", note, "--format", "plain").stdout
    assert "spasm check" in plain


def test_search_and_ask_point_to_check_for_words_that_touch_a_sign(invoke: Any) -> None:
    for command in ("search", "ask"):
        result = invoke(command, "I", "fell", "on", "the", "ice", "yesterday", "-f", "json")
        assert result.exit_code == 0, result
        data = json.loads(result.stdout)
        assert data["check"]["reason"] == "words" and data["check"]["words"] == "fell"
        assert kinds_shown(data) <= {"red-flag"}  # no unrelated self-care (ice therapy)
    data = json.loads(invoke("ask", "is", "this", "dangerous", "-f", "json").stdout)
    assert data["intent"] == "dangerous" and data["check"]["reason"] == "asked"
