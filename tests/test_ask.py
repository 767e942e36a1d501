"""`spasm ask`: a question in plain words -> the best entry in full, related ones, safety."""

from __future__ import annotations

import json
import typing

import pytest

from tests.helpers import Invoke


def ask_json(invoke: Invoke, question: str, *options: str) -> dict[str, typing.Any]:
    result = invoke("ask", *question.split(), "--format", "json", *options)
    assert result.exit_code == 0, result
    data: dict[str, typing.Any] = json.loads(result.stdout)
    return data


def answer_ids(data: dict[str, typing.Any]) -> list[str]:
    return [entry["id"] for entry in data["answer"]]


def related_ids(data: dict[str, typing.Any]) -> list[str]:
    return [entry["id"] for entry in data["related"]]


def test_how_long_is_answered_by_the_faq(invoke: Invoke) -> None:
    data = ask_json(invoke, "how long do back spasms last")
    assert answer_ids(data) == ["how-long"]
    assert data["answer"][0]["kind"] == "faq"
    assert "care" not in data
    assert 2 <= len(data["related"]) <= 3


def test_lifting_gives_the_strain_and_ice(invoke: Invoke) -> None:
    data = ask_json(invoke, "what helps after lifting something heavy")
    assert answer_ids(data) == ["muscle-strain", "safe-lifting"]
    assert "rest-and-ice" in related_ids(data)
    assert "care" not in data


def test_ice_or_heat_shows_both_in_full(invoke: Invoke) -> None:
    data = ask_json(invoke, "should I use ice or heat")
    assert set(answer_ids(data)) == {"rest-and-ice", "heat"}
    out = invoke("ask", "should", "I", "use", "ice", "or", "heat", "--format", "plain").stdout
    # Each shown in full: the steps and how long to use it.
    assert (
        "Heat therapy (remedy: heat" in out and "Rest and ice therapy (remedy: rest-and-ice" in out
    )
    assert out.count("How long:") >= 2


def test_answer_is_a_full_entry_and_related_are_summaries(invoke: Invoke) -> None:
    data = ask_json(invoke, "how long do back spasms last")
    assert data["answer"][0]["body"] and data["answer"][0]["sources"]
    for entry in data["related"]:
        assert set(entry) == {"kind", "id", "title", "summary", "command"}
        assert entry["command"].startswith("spasm ")
        assert entry["id"] not in answer_ids(data)
    out = invoke("ask", "how", "long", "do", "back", "spasms", "last", "--format", "plain").stdout
    assert "Related:" in out or "\nRelated\n" in out


def test_framing_banner_first_and_disclaimer_last(invoke: Invoke) -> None:
    about = json.loads(invoke("about", "--format", "json").stdout)
    out = invoke(
        "ask", "how", "long", "will", "this", "last", "--format", "plain", "--region", "uk"
    ).stdout
    first = out.split("\n\n")[0]
    assert "999 (United Kingdom" in first and "bladder" in first.lower()
    lines = out.strip().splitlines()
    assert lines[-2] == about["disclaimer"] and lines[-1] == about["doctor"]


def test_a_remedy_answer_carries_the_medication_notice(invoke: Invoke) -> None:
    data = ask_json(invoke, "should I use ice or heat")
    out = invoke("ask", "should", "I", "use", "ice", "or", "heat", "--format", "plain").stdout
    assert data["disclaimer"] in out
    footer = out.strip().split("\n\n")[-1]
    assert "pharmacist" in footer  # the notice in meta.yaml, shown with remedies


@pytest.mark.parametrize(
    ("question", "flag"),
    [
        ("I can't control my bladder", "bladder-bowel"),
        ("my groin is numb", "saddle-numbness"),
        ("I have chest pain", "chest-pain"),
    ],
)
def test_emergency_comes_before_any_answer(invoke: Invoke, question: str, flag: str) -> None:
    data = ask_json(invoke, question, "--region", "uk")
    assert next(iter(data)) == "care"
    assert data["care"]["level"] == "emergency" and flag in data["care"]["red_flags"]
    out = invoke("ask", *question.split(), "--format", "plain", "--region", "uk").stdout
    blocks = out.split("\n\n")
    assert blocks[0].startswith("Emergency") and "999 (United Kingdom" in blocks[0]
    assert f"red flag: {flag}" in blocks[1]  # what the sign means, before any advice


def test_fever_is_urgent(invoke: Invoke) -> None:
    data = ask_json(invoke, "my back hurts and I have a fever", "--region", "uk")
    assert data["care"]["level"] == "urgent" and data["care"]["red_flags"] == ["fever"]
    assert "NHS 111" in data["care"]["action"]


@pytest.mark.parametrize("fmt", ["rich", "plain", "markdown", "json"])
def test_every_format(invoke: Invoke, fmt: str) -> None:
    result = invoke("ask", "how", "long", "do", "spasms", "last", "--format", fmt)
    assert result.exit_code == 0, result
    assert "spasm doctor" in result.stdout


def test_no_answer_exits_1_with_suggestions(invoke: Invoke) -> None:
    result = invoke("ask", "stretchign")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "stretching" in result.stderr


@pytest.mark.parametrize("question", ["", "  "])
def test_empty_question_is_a_usage_error(invoke: Invoke, question: str) -> None:
    result = invoke("ask", question)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("question", ['"', "NEAR(", "AND OR NOT", "?", "x" * 900])
def test_odd_questions_are_answered_without_errors(invoke: Invoke, question: str) -> None:
    result = invoke("ask", "--", question)
    assert result.exit_code in (0, 1), result
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "question", ["I fell down the stairs, is heat ok?", "my chest hurts, which stretches help"]
)
def test_ask_shows_no_self_care_over_an_emergency(invoke: Invoke, question: str) -> None:
    result = invoke("ask", *question.split(), "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["care"]["level"] == "emergency"
    assert all(entry["kind"] in ("faq", "red-flag") for entry in data["answer"])
    assert all(entry["kind"] in ("faq", "red-flag") for entry in data["related"])
