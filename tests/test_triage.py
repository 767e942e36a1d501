"""`spasm check`: red flags first, the strictest level wins, silence is never "no".

Every expected level here is written in the test (the brief, section 8), never read back
from data/ or from the code under test.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from back_spasm_cli.advice import triage
from back_spasm_cli.knowledge.regions import numbers as region_numbers
from tests.helpers import Invoke
from tests.triage_kb import FIXTURE_BASE, RANK, fixture_kb, has, shipped_content, unsure

SHIPPED = shipped_content()
UK_999 = "999 (United Kingdom emergency)"
UK_111 = "NHS 111 (England, United Kingdom)"
#: A calm context: nothing in it raises a flag.
CALM = ["--started", "sudden-movement", "--age-band", "20-49", "--days", "1", "--severity", "4"]

#: Every red flag alone, at the level the brief gives it (sections 1 and 8).
ALONE: dict[str, str] = {
    "saddle-numbness": "emergency",
    "bladder-bowel": "emergency",
    "both-legs": "emergency",
    "chest-pain": "emergency",
    "serious-accident": "emergency",
    "sexual-function": "emergency",
    "minor-fall-fragile-bones": "emergency",
    "abdominal-pain": "emergency",
    "fever": "urgent",
    "belly-pain": "urgent",
    "weight-loss": "urgent",
    "back-lump": "urgent",
    "night-pain": "urgent",
    "cough-sneeze": "urgent",
    "upper-back": "urgent",
    "leg-weakness": "urgent",
    "cancer-history": "urgent",
    "fluid-loss": "urgent",
    "weak-immune-system": "urgent",
    "band-pain": "urgent",
    "cramp-twitching": "urgent",
    "cramp-after-toxin": "urgent",
    "persistent": "gp",
    "daily-activities": "gp",
    "severe-worsening": "gp",
    "leg-numbness": "gp",
    "worried": "gp",
    "new-after-50": "gp",
    "bone-risk": "gp",
    "pregnant": "gp",
    "frequent-cramps": "gp",
    "leg-swelling": "gp",
    "cramp-triggers": "gp",
}


def check_json(invoke: Invoke, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = invoke("check", *args, "--format", "json", env=env)
    assert result.exit_code == 0, result
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --------------------------------------------------------------------------- scenarios

# (options, level, reason ids in order: most urgent first, then file order)
Scenario = tuple[list[str], str, list[str]]
SCENARIOS: list[Scenario] = [
    # every red flag alone
    *[(has(flag_id), level, [flag_id]) for flag_id, level in ALONE.items()],
    # nothing at all
    ([], "self-care", []),
    (CALM, "self-care", []),
    # section 8: a fall, knock or lifting with fragile bones is an emergency
    (
        ["--started", "lifting", *has("bone-risk")],
        "emergency",
        ["minor-fall-fragile-bones", "bone-risk"],
    ),
    (
        ["--started", "fall", *has("bone-risk")],
        "emergency",
        ["minor-fall-fragile-bones", "bone-risk"],
    ),
    (
        ["--started", "lifting", *unsure("bone-risk")],
        "emergency",
        ["minor-fall-fragile-bones", "bone-risk"],
    ),
    (["--started", "fall", "--age-band", "70-plus"], "emergency", ["minor-fall-fragile-bones"]),
    (["--started", "lifting", "--age-band", "70-plus"], "emergency", ["minor-fall-fragile-bones"]),
    # ... but not for a 38-year-old who lifted a box, nor fragile bones without a fall
    (["--started", "lifting", "--age-band", "20-49"], "self-care", []),
    (["--started", "lifting", "--age-band", "50-69"], "self-care", []),
    (["--started", "fall", "--age-band", "20-49"], "self-care", []),
    (["--started", "sudden-movement", *has("bone-risk")], "gp", ["bone-risk"]),
    (["--started", "posture", "--age-band", "70-plus"], "self-care", []),
    # a serious accident is an emergency for everyone
    (["--started", "fall", *has("serious-accident")], "emergency", ["serious-accident"]),
    # heavy sweating, vomiting or diarrhoea: urgent, wherever it is asked
    (["--started", "fluid-loss"], "urgent", ["fluid-loss"]),
    (["--started", "fluid-loss", *has("fluid-loss")], "urgent", ["fluid-loss"]),
    # leg weakness getting worse: both legs emergency, one leg urgent
    (has("both-legs", "leg-weakness"), "emergency", ["both-legs", "leg-weakness"]),
    # "not sure" counts as yes for that sign's level
    (unsure("fever"), "urgent", ["fever"]),
    (unsure("chest-pain"), "emergency", ["chest-pain"]),
    (unsure("worried"), "gp", ["worried"]),
    (unsure("band-pain"), "urgent", ["band-pain"]),
    ([*unsure("fever"), *has("worried")], "urgent", ["fever", "worried"]),
    # days since onset: 14 or more is persistent
    (["--days", "0"], "self-care", []),
    (["--days", "13"], "self-care", []),
    (["--days", "14"], "gp", ["persistent"]),
    (["--days", "100000"], "gp", ["persistent"]),
    # worst pain: 8 or more at once, 7 or more from day 3
    (["--severity", "7", "--days", "2"], "self-care", []),
    (["--severity", "7", "--days", "3"], "gp", ["severe-worsening"]),
    (["--severity", "8", "--days", "0"], "gp", ["severe-worsening"]),
    (["--severity", "10"], "gp", ["severe-worsening"]),
    (["--severity", "6", "--days", "5"], "self-care", []),
    (["--severity", "0", "--days", "0"], "self-care", []),
    # combinations: the strictest level wins, every reason is kept
    (has("fever", "saddle-numbness"), "emergency", ["saddle-numbness", "fever"]),
    (has("worried", "fever"), "urgent", ["fever", "worried"]),
    ([*has("worried"), "--days", "30"], "gp", ["persistent", "worried"]),
    (
        [*has("fever"), "--days", "30", "--severity", "9"],
        "urgent",
        ["fever", "persistent", "severe-worsening"],
    ),
    ([*has("chest-pain"), "--severity", "9"], "emergency", ["chest-pain", "severe-worsening"]),
    (has("band-pain", "pregnant"), "urgent", ["band-pain", "pregnant"]),
    (["--started", "fluid-loss", *has("both-legs")], "emergency", ["both-legs", "fluid-loss"]),
    # an answer only raises: a milder context never undoes a yes
    ([*has("persistent"), "--days", "1"], "gp", ["persistent"]),
    ([*has("severe-worsening"), "--severity", "1"], "gp", ["severe-worsening"]),
    (has("FEVER"), "urgent", ["fever"]),
]


@pytest.mark.parametrize(
    ("options", "level", "reasons"),
    SCENARIOS,
    ids=[" ".join(options) or "no-answers" for options, _, _ in SCENARIOS],
)
def test_scenarios(invoke: Invoke, options: list[str], level: str, reasons: list[str]) -> None:
    data = check_json(invoke, *options, "--no-others", "--no-save")
    assert data["level"] == level
    assert [reason["id"] for reason in data["reasons"]] == reasons
    for reason in data["reasons"]:
        assert reason["level"] == ALONE[reason["id"]]


def test_there_are_at_least_60_scenarios_and_every_flag_is_covered() -> None:
    assert len(SCENARIOS) >= 60
    assert {flag.id for flag in SHIPPED.red_flags} == set(ALONE)


def test_no_cramp_over_10_minutes_flag_for_back_spasms() -> None:
    ids = {flag.id for flag in SHIPPED.red_flags}
    assert "cramp-over-10-min" not in ids
    assert "difficulty-walking" not in ids  # reworded: new clumsiness or unsteadiness
    text = " ".join(f"{f.title} {f.question} {f.sign or ''}" for f in SHIPPED.red_flags).lower()
    assert "hard to walk" not in text
    assert "more than 10 minutes" not in text


@pytest.mark.parametrize(
    ("region", "label"),
    [
        ("uk", UK_999),
        ("us", "911 (United States emergency)"),
        ("ca", "911 (Canada emergency)"),
        ("eu", "112 (European Union emergency)"),
        ("au", "000 (Australia emergency, Triple Zero)"),
        ("nz", "111 (New Zealand emergency)"),
    ],
)
def test_each_region_names_its_number_with_the_country(
    invoke: Invoke, region: str, label: str
) -> None:
    data = check_json(invoke, *has("chest-pain"), "--region", region, "--no-save")
    assert data["level"] == "emergency"
    assert data["call"] == label
    assert label in data["action"]
    plain = invoke("check", *has("chest-pain"), "--region", region, "--format", "plain")
    assert label in plain.stdout


def test_urgent_calls_the_urgent_number(invoke: Invoke) -> None:
    data = check_json(invoke, *has("fever"), "--no-others", "--region", "uk", "--no-save")
    assert data["call"] == UK_111
    assert UK_999 in data["action"]  # if it gets worse


def test_without_a_region_the_fallback_words_are_used(invoke: Invoke) -> None:
    data = check_json(invoke, *has("chest-pain"), "--no-save", env={"LANG": "C"})
    assert data["call"] == (
        "UK 999 · US, Canada and Mexico 911 · EU 112 · Australia 000 · New Zealand 111"
        " (elsewhere, your local emergency number)"
    )
    assert data["numbers"]["region"] is None


# --------------------------------------------------------------------------- the core


#: Any mix of shipped red flags, answered yes or not sure, with any context answers.
ANY_ANSWERS = (
    st.dictionaries(st.sampled_from(sorted(ALONE)), st.sampled_from(["yes", "unsure"])),
    st.one_of(st.none(), st.sampled_from(["lifting", "fall", "posture", "fluid-loss", "unknown"])),
    st.one_of(st.none(), st.sampled_from(["under-20", "20-49", "50-69", "70-plus"])),
    st.one_of(st.none(), st.integers(0, 60)),
    st.one_of(st.none(), st.integers(0, 10)),
)


def _answers(signs: dict[str, str], started: Any, age: Any, days: Any, severity: Any) -> Any:
    return triage.answers_from_options(
        SHIPPED,
        [k for k, v in signs.items() if v == "yes"],
        [k for k, v in signs.items() if v == "unsure"],
        no_others=True,
        started=started,
        age_band=age,
        days=days,
        severity=severity,
    )


@settings(max_examples=300, deadline=None)
@given(*ANY_ANSWERS)
def test_the_strictest_level_wins_and_answers_only_raise(
    signs: dict[str, str], started: Any, age: Any, days: Any, severity: Any
) -> None:
    numbers = region_numbers(SHIPPED, None)
    answers = _answers(signs, started, age, days, severity)
    verdict = triage.verdict(SHIPPED, answers, numbers)
    strictest = max((RANK[ALONE[i]] for i in signs), default=0)
    assert RANK[verdict.level] >= strictest
    assert RANK[verdict.level] == max((RANK[r.level] for r in verdict.reasons), default=0)
    assert {r.id for r in verdict.reasons} >= set(signs)
    assert set(verdict.unsure) == {k for k, v in signs.items() if v == "unsure"}
    for extra in ("fever", "worried", "bone-risk", "both-legs"):
        more = _answers({**signs, extra: "unsure"}, started, age, days, severity)
        assert RANK[triage.verdict(SHIPPED, more, numbers).level] >= RANK[verdict.level]


def test_checklists_are_short_and_ordered_emergency_first() -> None:
    assert SHIPPED.triage is not None
    tiers = []
    for checklist in SHIPPED.triage.checklists:
        assert 1 <= len(checklist.signs) <= 5
        tiers.append(max(RANK[ALONE[sign]] for sign in checklist.signs))
    assert tiers == sorted(tiers, reverse=True)
    asked = {s for c in SHIPPED.triage.checklists for s in c.signs}
    raised = {rule.symptom for rule in SHIPPED.triage.rules}
    # every red flag can be reached: asked in a checklist, or raised by a rule
    assert asked | raised == set(ALONE)


def test_no_others_answers_every_sign_no_daily_activities_included(invoke: Invoke) -> None:
    data = check_json(invoke, "--no-others", "--no-save")
    signs = data["answers"]["signs"]
    assert signs["daily-activities"] == "no"
    assert set(signs) == set(ALONE)
    assert set(signs.values()) == {"no"}
    assert data["answers"]["cramps"] is False


def test_severity_is_not_asked_twice_and_days_settle_persistent() -> None:
    answers = triage.CheckAnswers(started="unknown", age_band="20-49", days=20, severity=9)
    asked: list[str] = []
    while (question := triage.next_question(SHIPPED, answers)) is not None:
        assert isinstance(question, (triage.SignList, triage.Gate))
        if isinstance(question, triage.SignList):
            asked += [flag.id for flag in question.signs]
            answers = triage.answer_list(answers, question)
        else:
            answers = triage.answer(answers, question, False)
    assert "severe-worsening" not in asked  # worst pain 9/10 already says it
    assert "persistent" not in asked  # 20 days already says it
    assert "cramp-twitching" not in asked  # behind the cramps gate, answered no


def test_an_emergency_answer_ends_the_questions_at_once() -> None:
    answers = triage.CheckAnswers(started="unknown", age_band="20-49", days=1, severity=3)
    question = triage.next_question(SHIPPED, answers)
    assert isinstance(question, triage.SignList)
    assert question.level == "emergency"
    answers = triage.answer_list(answers, question, unsure=[question.signs[0].id])
    assert triage.next_question(SHIPPED, answers) is None


def test_context_comes_first() -> None:
    answers = triage.CheckAnswers()
    keys = []
    while isinstance(
        question := triage.next_question(SHIPPED, answers, ask_region=True),
        (triage.Choice, triage.Number),
    ):
        keys.append(question.key)
        value = question.options[0][0] if isinstance(question, triage.Choice) else 1
        answers = triage.answer(answers, question, value)
    assert keys == ["region", "started", "age_band", "days", "severity"]


# --------------------------------------------------------------------------- JSON and views


def test_json_shape(invoke: Invoke) -> None:
    data = check_json(invoke, *unsure("fever"), "--no-others", "--region", "uk", *CALM, "--no-save")
    assert {
        "level",
        "reasons",
        "call",
        "unsure",
        "action",
        "answers",
        "disclaimer",
        "doctor",
    } <= set(data)
    assert data["level"] == "urgent"
    assert data["unsure"] == ["fever"]
    reason = data["reasons"][0]
    assert (reason["id"], reason["level"], reason["rule"]) == ("fever", "urgent", None)
    assert reason["text"].startswith("You were not sure about: ")
    assert data["call"] == UK_111
    assert data["today"] == [] and data["next"] is None  # no self-care beside urgent
    answers = data["answers"]
    assert answers["signs"]["fever"] == "unsure"
    assert answers["signs"]["saddle-numbness"] == "no"
    assert (answers["started"], answers["age_band"], answers["days"], answers["severity"]) == (
        "sudden-movement",
        "20-49",
        1,
        4,
    )


def test_rule_reasons_say_which_answers_led_there(invoke: Invoke) -> None:
    data = check_json(invoke, "--no-others", "--days", "20", "--no-save")
    assert [(r["id"], r["rule"]) for r in data["reasons"]] == [
        ("persistent", "not-better-after-two-weeks")
    ]
    plain = invoke("check", "--no-others", "--days", "20", "--format", "plain", "--no-save")
    assert "started 20 days ago" in plain.stdout
    unsure_bones = invoke(
        "check", "--no-others", "--started", "lifting", *unsure("bone-risk"), "--format", "plain"
    )
    assert "you were not sure about: " in unsure_bones.stdout


def test_self_care_ends_with_today_then_the_plan_pointer(invoke: Invoke) -> None:
    result = invoke("check", "--no-others", *CALM, "--region", "uk", "--format", "plain")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Emergency: numb groin or bottom")  # the strip, then the verdict
    assert "\n\nSelf-care at home\n" in out
    assert UK_999 in out  # the emergency signs are shown
    block = out[out.index("Today (day 1, since ") :]
    today = [line for line in block.splitlines()[1:] if line.startswith("- ")]
    assert 1 <= len(today) - 1 <= 6  # the lines for today, then "- spasm plan"
    assert today[-1] == "- spasm plan"
    assert "ice" in block.lower() and "walk" in block.lower()
    assert "no heat, hot baths, alcohol or massage" in block
    assert out.index("Call 999 (United Kingdom emergency) now") < out.index("Today (day 1, since ")


def test_from_day_3_today_changes(invoke: Invoke) -> None:
    data = check_json(invoke, "--no-others", "--days", "4", "--no-save")
    assert data["level"] == "self-care"
    assert 1 <= len(data["today"]) <= 6
    assert not any("no heat" in line for line in data["today"])
    assert data["next"] == "spasm plan"


def test_gp_verdict_keeps_up_self_care_meanwhile(invoke: Invoke) -> None:
    data = check_json(invoke, *has("worried"), "--no-others", "--days", "1", "--no-save")
    assert data["level"] == "gp"
    assert "self-care meanwhile" in data["action"]
    assert data["today"] and data["next"] == "spasm plan"


@pytest.mark.parametrize("flag_id", ["chest-pain", "fever", "fluid-loss", "band-pain"])
def test_no_self_care_beside_urgent_or_emergency(invoke: Invoke, flag_id: str) -> None:
    result = invoke("check", *has(flag_id), "--no-others", "--days", "1", "--format", "plain")
    assert result.exit_code == 0
    assert "Today" not in result.stdout
    assert "spasm plan" not in result.stdout
    assert "ice" not in result.stdout.lower().replace("advice", "").replace("device", "")


def test_emergency_view_names_the_number_first_and_ends_with_the_footer(invoke: Invoke) -> None:
    result = invoke("check", "--has", "saddle-numbness", "--region", "uk", "--format", "plain")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Emergency: get help now"
    assert UK_999 in lines[1]
    assert lines[-1] == "Worried, or not getting better? Run `spasm doctor` for when to get help."


def test_markdown_and_rich_formats_render(invoke: Invoke) -> None:
    for fmt, mark in (("markdown", "## "), ("rich", "╭")):
        result = invoke("check", "--has", "fever", "--no-others", "--format", fmt)
        assert result.exit_code == 0
        assert mark in result.stdout


def test_data_is_never_read_as_markup(invoke: Invoke, tmp_path: Path) -> None:
    folder = fixture_kb(tmp_path)
    result = invoke(
        "--kb", str(folder), "check", "--has", "worried", "--no-others", "--format", "rich"
    )
    assert result.exit_code == 0
    assert "[bold]or[/bold] <b>struggling</b>" in result.stdout


# --------------------------------------------------------------------------- refusals


def test_missing_answers_without_a_terminal_exit_2_with_short_grouped_lists(
    invoke: Invoke,
) -> None:
    result = invoke("check", "--has", "fever")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) <= 12  # the grouped lists, not one line per question
    assert lines[1].startswith("  emergency: saddle-numbness, bladder-bowel")
    assert "fever" not in "".join(lines[1:-1]).replace("--has", "")
    assert "--no-others" in result.stderr


def test_an_emergency_given_needs_no_other_answer(invoke: Invoke) -> None:
    data = check_json(invoke, "--has", "bladder-bowel", "--no-save")
    assert data["level"] == "emergency"
    assert "saddle-numbness" in data["answers"]["not_asked"]


def test_an_urgent_answer_does_not_stop_the_questions(invoke: Invoke) -> None:
    result = invoke("check", "--has", "fever", "--format", "json")
    assert result.exit_code == 2
    assert "saddle-numbness" in result.stderr  # an emergency may still be there


def test_unknown_symptom_is_a_usage_error_listing_the_known_ones(invoke: Invoke) -> None:
    result = invoke("check", "--has", "fevr", "--no-others")
    assert result.exit_code == 2
    assert "unknown symptom id 'fevr'" in result.stderr
    assert "did you mean: fever" in result.stderr
    assert "band-pain" in result.stderr


def test_the_same_sign_cannot_be_both_yes_and_not_sure(invoke: Invoke) -> None:
    result = invoke("check", *has("fever"), *unsure("fever"), "--no-others")
    assert result.exit_code == 2
    assert "both --has and --unsure" in result.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--days", "-1"], "--days must be from 0"),
        (["--severity", "11"], "--severity must be from 0 to 10"),
        (["--severity", "-1"], "--severity must be from 0 to 10"),
        (["--started", "falling"], "unknown --started 'falling'"),
        (["--age-band", "old"], "unknown --age-band 'old'"),
        (["--region", "mars"], "unknown region 'mars'"),
    ],
)
def test_bad_context_options_are_usage_errors(
    invoke: Invoke, options: list[str], message: str
) -> None:
    result = invoke("check", "--no-others", *options)
    assert result.exit_code == 2
    assert message in result.stderr


def test_started_values_come_from_the_base_in_use(invoke: Invoke, tmp_path: Path) -> None:
    unknown = invoke("check", "--no-others", "--started", "gardening")
    assert unknown.exit_code == 2
    for value in ("lifting", "fall", "fluid-loss", "unknown"):
        assert value in unknown.stderr
    folder = fixture_kb(tmp_path)
    triage_file = folder / "triage.yaml"
    text = triage_file.read_text(encoding="utf-8")
    text = text.replace(
        "      - id: stress\n",
        "      - id: gardening\n        label: Gardening\n        sources: [seed]\n"
        "      - id: stress\n",
        1,
    )
    triage_file.write_text(text, encoding="utf-8")
    ok = invoke("--kb", str(folder), "check", "--no-others", "--started", "gardening")
    assert ok.exit_code == 0, ok
    other = invoke("--kb", str(folder), "check", "--no-others", "--started", "nope")
    assert "gardening" in other.stderr


def test_help_does_not_hard_code_data_values(invoke: Invoke) -> None:
    for command in ("check", "plan"):
        text = invoke(command, "--help").stdout
        for value in ("lifting", "sudden-movement", "fluid-loss", "20-49", "70-plus"):
            assert value not in text, (command, value)


def test_started_values_are_offered_to_shell_completion(
    spasm_env: dict[str, str],
) -> None:
    import subprocess

    from tests.helpers import installed_spasm

    env = {
        **spasm_env,
        "_SPASM_COMPLETE": "complete_bash",
        "COMP_WORDS": "spasm check --started f",
        "COMP_CWORD": "3",
    }
    done = subprocess.run([installed_spasm()], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["fall", "fluid-loss"], done


def test_a_base_without_triage_gives_a_clear_error(invoke: Invoke) -> None:
    for command in ("check", "plan"):
        result = invoke("--kb", str(FIXTURE_BASE), command, "--no-others")
        assert result.exit_code == 2, result
        assert "no `triage:` section" in result.stderr


# --------------------------------------------------------------------------- saved answers


def _rows(home: Path) -> list[tuple[Any, ...]]:
    path = home / "spasm" / "data" / "spasm.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT at, level, answers, verdict FROM checks"))


def test_check_saves_answers_and_verdict(invoke: Invoke, isolated_home: Path) -> None:
    assert invoke("check", *has("fever"), "--no-others").exit_code == 0
    rows = _rows(isolated_home)
    assert len(rows) == 1
    at, level, answers, verdict = rows[0]
    assert level == "urgent"
    assert json.loads(answers)["signs"]["fever"] == "yes"
    assert json.loads(verdict)["reasons"][0]["id"] == "fever"
    assert "T" in at and at.endswith("+00:00")
    path = isolated_home / "spasm" / "data" / "spasm.sqlite3"
    assert path.stat().st_mode & 0o777 == 0o600


def test_no_save_stores_nothing(invoke: Invoke, isolated_home: Path) -> None:
    assert invoke("check", *has("fever"), "--no-others", "--no-save").exit_code == 0
    assert _rows(isolated_home) == []


def test_check_last_shows_the_last_verdict(invoke: Invoke) -> None:
    none = invoke("check", "--last")
    assert none.exit_code == 1
    assert "no saved check" in none.stderr
    invoke("check", *has("worried"), "--no-others", "--region", "uk")
    invoke("check", *unsure("fever"), "--no-others", "--region", "uk")
    data = check_json(invoke, "--last")
    assert data["level"] == "urgent"
    assert data["unsure"] == ["fever"]
    assert data["checked"].startswith("just now")
    refused = invoke("check", "--last", "--has", "fever")
    assert refused.exit_code == 2


def test_forget_deletes_every_record(invoke: Invoke, isolated_home: Path) -> None:
    assert invoke("forget").stdout == "Nothing is saved.\n"
    invoke("check", *has("fever"), "--no-others")
    invoke("check", "--no-others")
    refused = invoke("forget")  # no terminal, no --yes
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert len(_rows(isolated_home)) == 2
    done = invoke("forget", "--yes")
    assert done.exit_code == 0
    assert "Deleted 2 saved records." in done.stdout
    assert _rows(isolated_home) == []
    assert invoke("check", "--last").exit_code == 1


def test_a_remembered_region_is_used_when_none_is_known(invoke: Invoke) -> None:
    invoke("check", "--no-others", "--region", "nz")
    data = check_json(invoke, *has("chest-pain"), "--no-save", env={"LANG": "C"})
    assert data["call"] == "111 (New Zealand emergency)"


# --------------------------------------------------------------------------- validation


def test_the_shipped_base_and_the_fixture_are_valid(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("kb", "validate").exit_code == 0
    assert invoke("kb", "validate", str(fixture_kb(tmp_path))).exit_code == 0
    assert invoke("kb", "validate", str(FIXTURE_BASE)).exit_code == 0  # triage is optional


def test_the_started_options_the_issue_names_exist() -> None:
    assert SHIPPED.triage is not None
    ids = [option.id for option in SHIPPED.triage.started.options]
    assert ids == [
        "lifting",
        "fall",
        "sudden-movement",
        "posture",
        "fluid-loss",
        "stress",
        "unknown",
    ]


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            "symptom: persistent",
            "symptom: persistant",
            "triage.rules[0].symptom",
            "red flag id 'persistant' points to nothing",
        ),
        (
            "signs: [fever, weak-immune-system,",
            "signs: [fevr, weak-immune-system,",
            "triage.checklists[2].signs[0]",
            "red flag id 'fevr' points to nothing",
        ),
        (
            "entry: knee-rolls",
            "entry: knee-roll",
            "plan.phases[1].steps[3].entry",
            "entry id 'knee-roll' points to nothing",
        ),
        (
            "    - started: stress",
            "    - started: stres",
            "plan.causes[4].started",
            "triage.started option id 'stres' points to nothing",
        ),
        ("      from_day: 3", "      from_day: 0", "plan", "phases start at from_day 0"),
        (
            "      when: {days_at_least: 14}",
            "      when: {days_at_least: -1}",
            "triage.rules[0].when.days_at_least",
            "greater than or equal to 0",
        ),
    ],
)
def test_broken_references_are_reported_with_file_and_line(
    invoke: Invoke, tmp_path: Path, old: str, new: str, where: str, message: str
) -> None:
    folder = fixture_kb(tmp_path)
    triage_file = folder / "triage.yaml"
    text = triage_file.read_text(encoding="utf-8")
    assert old in text
    lines = text.splitlines()
    line = next(n for n, row in enumerate(lines, start=1) if old.strip() in row)
    triage_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = invoke("kb", "validate", str(folder))
    assert result.exit_code == 2
    issue = next(row for row in result.stderr.splitlines() if where + ":" in row)
    assert message in issue
    if where != "plan":
        assert f"triage.yaml:{line}:" in issue


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "signs: [saddle-numbness, bladder-bowel, both-legs, sexual-function, chest-pain]",
            "signs: [saddle-numbness, bladder-bowel, both-legs, sexual-function, chest-pain,"
            " abdominal-pain]",
            "at most 5 signs",
        ),
        ("started: [fluid-loss]}", "started: [sweating]}", "unknown option id 'sweating'"),
        ("      when: {severity_at_least: 8}\n", "      when: {}\n", "a rule needs a condition"),
    ],
)
def test_triage_rules_are_checked(
    invoke: Invoke, tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = fixture_kb(tmp_path)
    triage_file = folder / "triage.yaml"
    text = triage_file.read_text(encoding="utf-8")
    assert old in text
    triage_file.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = invoke("kb", "validate", str(folder))
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_plan_needs_a_triage_section(invoke: Invoke, tmp_path: Path) -> None:
    folder = fixture_kb(tmp_path)
    text = (folder / "triage.yaml").read_text(encoding="utf-8")
    (folder / "triage.yaml").write_text(text[text.index("\nplan:") + 1 :], encoding="utf-8")
    result = invoke("kb", "validate", str(folder))
    assert result.exit_code == 2
    assert "a `plan:` needs a `triage:` section" in result.stderr


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(sorted(ALONE)), max_size=4))
def test_check_json_level_is_never_below_the_flags_given(invoke: Invoke, ids: list[str]) -> None:
    data = check_json(invoke, *has(*ids), "--no-others", "--no-save")
    strictest = max((RANK[ALONE[i]] for i in ids), default=0)
    assert RANK[data["level"]] == strictest


def test_check_uses_the_remembered_region(invoke: Invoke) -> None:
    assert invoke("config", "set", "region", "australia").exit_code == 0
    data = check_json(invoke, *has("chest-pain"), "--no-save", env={"LANG": "C"})
    assert data["numbers"]["region"] == "au"
    assert data["call"] == "000 (Australia emergency, Triple Zero)"


def test_forget_says_what_it_would_delete(invoke: Invoke) -> None:
    invoke("check", "--no-others", "--started", "stress", "--days", "1", "-f", "json")
    invoke("log", "--pain", "4", "--where", "lower")
    result = invoke("forget")
    assert result.exit_code == 2
    assert "1 saved check answers, 1 pain diary entries" in result.stderr
    assert invoke("forget", "--yes").exit_code == 0
