"""`spasm plan`: phases by day, entries by id, never a self-care step over a red flag."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from back_spasm_cli import plan as planner
from back_spasm_cli import triage as engine
from back_spasm_cli.kinds import KIND_BY_SECTION
from tests.helpers import Invoke
from tests.test_triage import ANY_ANSWERS, RANK, SHIPPED, SHIPPED_LEVELS, fixture_kb, has

NO_FLAGS = ["--no-others"]
CONTEXT = ["--started", "lifting", "--severity", "5", "--no-daily-activities"]
DOSE = re.compile(r"\b\d+\s*(mg|milligram|ml|tablets?|capsules?)\b", re.IGNORECASE)


def plan_json(invoke: Invoke, *args: str) -> dict[str, Any]:
    result = invoke("plan", *args, "--format", "json")
    assert result.exit_code == 0, result
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def entry_sections() -> dict[str, str]:
    return {
        item.id: section
        for section in ("causes", "remedies", "lifestyle", "prevention", "faq", "exercises")
        for item in getattr(SHIPPED, section)
    }


# --------------------------------------------------------------------------- phases


@pytest.mark.parametrize(
    ("days", "phases"),
    [
        (None, ["now", "from-day-3"]),
        ("0", ["now", "from-day-3"]),
        ("2", ["now", "from-day-3"]),
        ("3", ["from-day-3"]),
        ("13", ["from-day-3"]),
    ],
)
def test_days_since_onset_pick_the_phase(
    invoke: Invoke, days: str | None, phases: list[str]
) -> None:
    options = [*NO_FLAGS, *CONTEXT] + (["--days", days] if days is not None else [])
    data = plan_json(invoke, *options)
    assert data["level"] == "self-care"
    assert data["reasons"] == []
    assert [phase["id"] for phase in data["phases"]] == phases


def test_a_long_duration_is_persistent_and_gets_no_plan(invoke: Invoke) -> None:
    data = plan_json(invoke, *NO_FLAGS, *CONTEXT, "--days", "14")
    assert data["level"] == "gp"
    assert [reason["id"] for reason in data["reasons"]] == ["persistent"]
    assert data["phases"] == []


def test_json_shape(invoke: Invoke) -> None:
    data = plan_json(invoke, *NO_FLAGS, *CONTEXT, "--days", "1", "--region", "uk")
    assert {
        "level",
        "reasons",
        "call",
        "phases",
        "cause",
        "prevention",
        "get_help",
        "answers",
        "disclaimer",
        "doctor",
    } <= set(data)
    assert data["call"] == "999 (United Kingdom emergency)"
    for phase in data["phases"]:
        assert set(phase) >= {"id", "title", "steps"}
        assert phase["steps"]
        for step in phase["steps"]:
            assert set(step) == {"text", "entry", "command"}
    assert data["answers"]["started"] == "lifting"
    assert data["answers"]["days"] == 1


def test_every_step_names_a_command_that_opens_its_entry(invoke: Invoke) -> None:
    data = plan_json(invoke, *NO_FLAGS, *CONTEXT)
    sections = entry_sections()
    steps = [step for phase in data["phases"] for step in phase["steps"]]
    assert len(steps) >= 8
    for step in steps:
        assert step["entry"] in sections
        kind = KIND_BY_SECTION[sections[step["entry"]]]
        assert step["command"] == f"spasm {kind.command} {step['entry']}"
    for command in sorted({step["command"] for step in steps}):
        opened = invoke(*command.split()[1:], "--format", "plain")
        assert opened.exit_code == 0, command


def test_the_plan_follows_the_brief(invoke: Invoke) -> None:
    data = plan_json(invoke, *NO_FLAGS, *CONTEXT)
    now = {step["entry"] for step in data["phases"][0]["steps"]}
    later = {step["entry"] for step in data["phases"][1]["steps"]}
    assert {"rest-and-ice", "short-walks", "medication"} <= now
    assert "heat" not in now  # heat from day 3; ice first (NHS sprains and strains)
    assert {"heat", "stretching-and-exercise", "short-walks", "knee-rolls"} <= later
    text = " ".join(step["text"] for phase in data["phases"] for step in phase["steps"])
    assert "15 to 20 minutes" in text
    assert "a day or two at most" in text
    assert not DOSE.search(text)


@pytest.mark.parametrize(
    ("started", "entries"),
    [
        ("lifting", ["muscle-strain"]),
        ("sudden-movement", ["muscle-strain"]),
        ("posture", ["posture-ergonomics", "ergonomics"]),
        ("sweating", ["hydration", "dehydration-electrolytes"]),
        ("stress", ["stress-management"]),
        ("unknown", []),
    ],
)
def test_advice_for_the_likely_cause(invoke: Invoke, started: str, entries: list[str]) -> None:
    data = plan_json(invoke, *NO_FLAGS, "--started", started)
    assert data["cause"]["started"] == started
    assert [entry["id"] for entry in data["cause"]["entries"]] == entries
    assert data["cause"]["label"]


def test_no_cause_when_not_asked(invoke: Invoke) -> None:
    assert plan_json(invoke, *NO_FLAGS)["cause"] is None


def test_prevention_and_when_to_get_help(invoke: Invoke) -> None:
    data = plan_json(invoke, *NO_FLAGS, "--region", "nz")
    prevention = {item.id for item in SHIPPED.prevention}
    assert data["prevention"]
    assert all(item["id"] in prevention for item in data["prevention"])
    assert all(item["command"].startswith("spasm prevent ") for item in data["prevention"])
    levels = [item["level"] for item in data["get_help"]]
    assert levels[0] == "emergency" and "gp" in levels
    texts = " ".join(item["text"] for item in data["get_help"])
    assert "111 (New Zealand emergency)" in texts
    assert "{" not in texts


def test_plain_view_shows_the_emergency_signs_before_any_step(invoke: Invoke) -> None:
    result = invoke(
        "plan", *NO_FLAGS, *CONTEXT, "--days", "0", "--region", "uk", "--format", "plain"
    )
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Emergency: numb groin or bottom, lost bladder or bowel control")
    assert "Call 999 (United Kingdom emergency) now" in out
    assert out.index("Call 999") < out.index("See: spasm remedy rest-and-ice")
    assert SHIPPED.meta is not None
    assert out.rstrip().endswith(SHIPPED.meta.doctor_pointer)
    assert SHIPPED.meta.medication_notice.split()[0] in out
    assert not DOSE.search(out)


# --------------------------------------------------------------------------- red flags


@pytest.mark.parametrize("flag_id", ["saddle-numbness", "fever", "worried", "leg-numbness"])
def test_any_red_flag_gives_only_the_care_message(invoke: Invoke, flag_id: str) -> None:
    data = plan_json(invoke, "--has", flag_id, "--no-others", "--region", "uk", *CONTEXT)
    assert data["level"] == SHIPPED_LEVELS[flag_id]
    assert data["phases"] == [] and data["prevention"] == [] and data["cause"] is None
    assert data["get_help"] == []
    plain = invoke(
        "plan", "--has", flag_id, "--no-others", "--region", "uk", *CONTEXT, "--format", "plain"
    ).stdout
    level = next(c for c in SHIPPED.care_levels if c.id == SHIPPED_LEVELS[flag_id])
    assert plain.startswith(level.title)
    assert "999 (United Kingdom emergency)" in plain
    assert "See: spasm" not in plain
    assert SHIPPED.plan is not None
    for phase in SHIPPED.plan.phases:
        assert phase.title not in plain


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sets(st.sampled_from(sorted(SHIPPED_LEVELS)), max_size=5),
    st.one_of(st.none(), st.integers(0, 40)),
)
def test_no_plan_is_ever_shown_over_a_red_flag(
    invoke: Invoke, ids: set[str], days: int | None
) -> None:
    options = [*has(*sorted(ids)), "--no-others"]
    if days is not None:
        options += ["--days", str(days)]
    data = plan_json(invoke, *options)
    strictest = max((RANK[SHIPPED_LEVELS[i]] for i in ids), default=0)
    assert RANK[data["level"]] >= strictest
    if ids or data["reasons"]:
        assert data["phases"] == []
        assert data["level"] != "self-care"
    else:
        assert data["phases"]


@settings(max_examples=300, deadline=None)
@given(*ANY_ANSWERS)
def test_no_plan_over_a_red_flag_in_the_core(
    ids: set[str], days: int | None, severity: int | None, daily: bool | None
) -> None:
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.regions import numbers

    knowledge = KnowledgeBase(SHIPPED, "test", (), "")
    answers = engine.answers_from_options(
        SHIPPED,
        sorted(ids),
        no_others=True,
        started="unknown",
        days=days,
        severity=severity,
        daily_activities=daily,
    )
    outcome = engine.evaluate(SHIPPED, answers)
    document = planner.build(knowledge, numbers(SHIPPED, None), outcome, answers)
    assert RANK[outcome.level] >= max((RANK[SHIPPED_LEVELS[i]] for i in ids), default=0)
    if outcome.reasons:
        assert document.payload["phases"] == []
        assert all(section.tone != "self-care" for section in document.sections)
    else:
        assert document.payload["phases"]


def test_a_base_without_a_plan_section_gives_a_clear_error(invoke: Invoke, tmp_path: Path) -> None:
    folder = fixture_kb(tmp_path)
    text = (folder / "triage.yaml").read_text(encoding="utf-8")
    (folder / "triage.yaml").write_text(text[: text.index("\nplan:") + 1], encoding="utf-8")
    result = invoke("--kb", str(folder), "plan", "--no-others")
    assert result.exit_code == 2
    assert "no `plan:` section" in result.stderr
    assert invoke("--kb", str(folder), "check", "--no-others").exit_code == 0


# --------------------------------------------------------------------------- handout

TODAY = datetime.date.today().isoformat()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for handouts (tmp_path also holds the isolated home)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_markdown_handout_has_the_date_the_answers_and_the_plan(invoke: Invoke, out: Path) -> None:
    target = out / "plan.md"
    result = invoke(
        "plan", *NO_FLAGS, *CONTEXT, "--days", "1", "--region", "uk", "--output", str(target)
    )
    assert result.exit_code == 0, result
    assert f"wrote the plan to {target}" in result.stderr
    assert result.stdout  # the plan is shown as well
    text = target.read_text(encoding="utf-8")
    assert TODAY in text
    assert SHIPPED.triage is not None
    label = SHIPPED.triage.started.options[0].label
    assert label in text  # "how did it start?" and its answer
    first = engine.questions(SHIPPED)[0]
    assert "No" in text and first.question.split()[0] in text
    assert "## " in text and "See: spasm remedy rest-and-ice" in text
    assert [p.name for p in out.iterdir()] == ["plan.md"]  # no temp file left


def test_html_handout(invoke: Invoke, out: Path) -> None:
    target = out / "plan.html"
    result = invoke("plan", *NO_FLAGS, *CONTEXT, "--days", "4", "--output", str(target))
    assert result.exit_code == 0, result
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert TODAY in html
    assert "From day 3" in html
    assert "style=" in html  # inline styles, no stylesheet needed
    assert "<title>Back spasm: answers and plan</title>" in html


def test_handout_over_a_red_flag_holds_the_care_message_and_answers(
    invoke: Invoke, out: Path
) -> None:
    target = out / "plan.md"
    result = invoke(
        "plan", "--has", "fever", "--no-others", "--region", "uk", "--output", str(target)
    )
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    fever = next(f for f in SHIPPED.red_flags if f.id == "fever")
    assert fever.title in text
    assert "Yes" in text
    assert "See: spasm" not in text


def test_handout_text_is_escaped(invoke: Invoke, tmp_path: Path) -> None:
    folder = fixture_kb(tmp_path)
    md = tmp_path / "out.md"
    html = tmp_path / "out.html"
    for target in (md, html):
        result = invoke(
            "--kb", str(folder), "plan", "--has", "worried", "--no-others", "--output", str(target)
        )
        assert result.exit_code == 0, result
    assert "<b>" not in md.read_text(encoding="utf-8")
    assert "\\<b\\>struggling" in md.read_text(encoding="utf-8")
    page = html.read_text(encoding="utf-8")
    assert "<b>struggling" not in page
    assert "&lt;b&gt;struggling&lt;/b&gt;" in page
    assert "[bold]or[/bold]" in page


def test_an_existing_file_is_never_overwritten_without_force(invoke: Invoke, out: Path) -> None:
    target = out / "plan.md"
    target.write_text("my notes\n", encoding="utf-8")
    refused = invoke("plan", *NO_FLAGS, "--output", str(target))
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert refused.stdout == ""  # refused before anything else
    assert target.read_text(encoding="utf-8") == "my notes\n"
    allowed = invoke("plan", *NO_FLAGS, "--output", str(target), "--force")
    assert allowed.exit_code == 0
    assert TODAY in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["plan.md"]


def test_the_final_step_never_replaces_a_file_that_appeared_meanwhile(out: Path) -> None:
    target = out / "plan.md"
    target.write_text("arrived first\n", encoding="utf-8")
    with pytest.raises(planner.UsageError, match="already exists"):
        planner.write_handout(target, "new\n", force=False)
    assert target.read_text(encoding="utf-8") == "arrived first\n"
    assert [p.name for p in out.iterdir()] == ["plan.md"]


@pytest.mark.parametrize("name", ["plan.txt", "plan", "plan.pdf"])
def test_other_suffixes_are_refused(invoke: Invoke, out: Path, name: str) -> None:
    result = invoke("plan", *NO_FLAGS, "--output", str(out / name))
    assert result.exit_code == 2
    assert ".md" in result.stderr and ".html" in result.stderr
    assert list(out.iterdir()) == []


def test_a_missing_folder_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("plan", *NO_FLAGS, "--output", str(tmp_path / "nowhere" / "plan.md"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_missing_answers_write_nothing(invoke: Invoke, out: Path) -> None:
    target = out / "plan.md"
    result = invoke("plan", "--has", "fever", "--output", str(target))
    assert result.exit_code == 2
    assert not target.exists()


def test_handout_does_not_record_no_others_as_answers(invoke: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    result = invoke(
        "plan",
        "--has",
        "fever",
        "--no-others",
        "--days",
        "1",
        "--output",
        str(out),
        "--format",
        "plain",
    )
    assert result.exit_code == 0, result
    text = out.read_text(encoding="utf-8")
    answers = text.split("Answers given", 1)[1]
    assert "— Yes" in answers
    assert "(given as --no-others)" in answers
    assert answers.count("— No\n") == 0  # no question is shown as answered one by one
    # The verdict comes before the answers that led to it.
    assert text.index("Urgent") < text.index("Answers given")
