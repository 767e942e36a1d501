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

from back_spasm_cli.advice import plan as planner
from back_spasm_cli.advice import triage
from back_spasm_cli.cli import files
from back_spasm_cli.errors import UsageError
from back_spasm_cli.knowledge.kinds import KIND_BY_SECTION
from back_spasm_cli.knowledge.regions import numbers as region_numbers
from tests.helpers import Invoke
from tests.triage_kb import RANK, fixture_kb, has, shipped_content

SHIPPED = shipped_content()
NO_FLAGS = ["--no-others"]
CONTEXT = ["--started", "lifting", "--age-band", "20-49", "--severity", "5"]
UK_999 = "999 (United Kingdom emergency)"
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


def test_at_gp_level_the_plan_comes_under_the_meanwhile_heading(invoke: Invoke) -> None:
    data = plan_json(invoke, *NO_FLAGS, *CONTEXT, "--days", "14")
    assert data["level"] == "gp"
    assert [reason["id"] for reason in data["reasons"]] == ["persistent"]
    assert data["meanwhile"]["title"] == "Meanwhile: gentle self-care"
    assert [phase["id"] for phase in data["phases"]] == ["from-day-3"]
    plain = invoke("plan", *NO_FLAGS, *CONTEXT, "--days", "14", "--format", "plain").stdout
    # the verdict first (book a GP appointment), then the plan under its heading
    assert plain.startswith("Emergency: numb groin or bottom")  # the strip, then the verdict
    assert "\n\nSee a GP or doctor\n" in plain
    assert plain.index("See a GP or doctor") < plain.index("Meanwhile: gentle self-care")
    assert plain.index("Meanwhile: gentle self-care") < plain.index("From day 3")
    assert "Keep up gentle self-care meanwhile" in plain


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
    now_text = " ".join(step["text"] for step in data["phases"][0]["steps"])
    assert "avoid heat, hot baths, alcohol and massage" in now_text
    assert not DOSE.search(text)


@pytest.mark.parametrize(
    ("started", "entries"),
    [
        ("lifting", ["muscle-strain"]),
        ("sudden-movement", ["muscle-strain"]),
        ("posture", ["posture-ergonomics", "ergonomics"]),
        ("fall", ["muscle-strain"]),
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
    assert out.index("Call 999") < out.index("1. Stay gently active")  # the first step
    assert SHIPPED.meta is not None
    assert out.rstrip().endswith(SHIPPED.meta.doctor_pointer)
    assert SHIPPED.meta.medication_notice.split()[0] in out
    assert not DOSE.search(out)


# --------------------------------------------------------------------------- red flags


URGENT_OR_WORSE = {
    "saddle-numbness": "emergency",
    "chest-pain": "emergency",
    "fever": "urgent",
    "band-pain": "urgent",
    "fluid-loss": "urgent",
    "leg-weakness": "urgent",
}
GP = {"worried": "gp", "leg-numbness": "gp", "daily-activities": "gp", "pregnant": "gp"}


@pytest.mark.parametrize(("flag_id", "level"), sorted(URGENT_OR_WORSE.items()))
def test_urgent_or_emergency_gives_only_the_care_message(
    invoke: Invoke, flag_id: str, level: str
) -> None:
    data = plan_json(invoke, "--has", flag_id, "--no-others", "--region", "uk", *CONTEXT)
    assert data["level"] == level
    assert data["phases"] == [] and data["prevention"] == [] and data["cause"] is None
    assert data["get_help"] == [] and data["meanwhile"] is None
    plain = invoke(
        "plan", "--has", flag_id, "--no-others", "--region", "uk", *CONTEXT, "--format", "plain"
    ).stdout
    title = {"emergency": "Emergency: get help now", "urgent": "Urgent: get medical advice today"}
    assert plain.startswith(title[level])
    assert UK_999 in plain
    assert "See: spasm" not in plain
    for phase_title in ("Now: the first 2 to 3 days", "From day 3", "Meanwhile"):
        assert phase_title not in plain


@pytest.mark.parametrize("flag_id", sorted(GP))
def test_gp_level_books_a_gp_and_keeps_the_plan(invoke: Invoke, flag_id: str) -> None:
    data = plan_json(invoke, "--has", flag_id, "--no-others", *CONTEXT, "--days", "1")
    assert data["level"] == "gp"
    assert data["meanwhile"] is not None
    assert [phase["id"] for phase in data["phases"]] == ["now", "from-day-3"]


LEVEL_OF = {**URGENT_OR_WORSE, **GP, "persistent": "gp", "both-legs": "emergency"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sets(st.sampled_from(sorted(LEVEL_OF)), max_size=4),
    st.one_of(st.none(), st.integers(0, 40)),
)
def test_no_plan_is_ever_shown_beside_urgent_or_emergency(
    invoke: Invoke, ids: set[str], days: int | None
) -> None:
    options = [*has(*sorted(ids)), "--no-others"]
    if days is not None:
        options += ["--days", str(days)]
    data = plan_json(invoke, *options, "--no-save")
    strictest = max((RANK[LEVEL_OF[i]] for i in ids), default=0)
    assert RANK[data["level"]] >= strictest
    if data["level"] in ("urgent", "emergency"):
        assert data["phases"] == [] and data["get_help"] == []
    else:
        assert data["phases"]


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(LEVEL_OF)), st.sampled_from(["yes", "unsure"])),
    st.one_of(st.none(), st.integers(0, 60)),
    st.one_of(st.none(), st.integers(0, 10)),
)
def test_no_plan_beside_urgent_or_emergency_in_the_core(
    signs: dict[str, str], days: int | None, severity: int | None
) -> None:
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.views import triage as views

    knowledge = KnowledgeBase(SHIPPED, "test", (), "")
    numbers = region_numbers(SHIPPED, None)
    answers = triage.answers_from_options(
        SHIPPED,
        [k for k, v in signs.items() if v == "yes"],
        [k for k, v in signs.items() if v == "unsure"],
        no_others=True,
        started="unknown",
        days=days,
        severity=severity,
    )
    verdict = triage.verdict(SHIPPED, answers, numbers)
    data = planner.build(SHIPPED, verdict, answers, numbers)
    document = views.plan(knowledge, numbers, verdict, answers, data)
    assert RANK[verdict.level] >= max((RANK[LEVEL_OF[i]] for i in signs), default=0)
    if verdict.level in ("urgent", "emergency"):
        assert data.phases == () and document.payload["phases"] == []
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
    assert "How old are you? — 20 to 49" in text
    assert "other warning signs — No (given as --no-others)" in text
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
    assert target.stat().st_mode & 0o777 == 0o600


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
    with pytest.raises(UsageError, match="already exists"):
        files.write_handout(target, "new\n", force=False)
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


# --------------------------------------------------------------------------- saved answers


def test_plan_reuses_answers_from_a_recent_check_and_says_so(invoke: Invoke) -> None:
    assert invoke("check", "--no-others", *CONTEXT, "--days", "4", "--region", "uk").exit_code == 0
    result = invoke("plan", "--format", "json")
    assert result.exit_code == 0, result
    assert "using your answers from just now" in result.stderr
    data = json.loads(result.stdout)
    assert data["answers"]["started"] == "lifting" and data["answers"]["days"] == 4
    assert [phase["id"] for phase in data["phases"]] == ["from-day-3"]


def test_fresh_asks_again(invoke: Invoke) -> None:
    invoke("check", "--no-others", *CONTEXT)
    result = invoke("plan", "--fresh")
    assert result.exit_code == 2
    assert "no answer" in result.stderr
    assert "using your answers" not in result.stderr


def test_answers_older_than_a_day_are_not_reused(invoke: Invoke, isolated_home: Path) -> None:
    import sqlite3

    invoke("check", "--no-others", *CONTEXT)
    path = isolated_home / "spasm" / "data" / "spasm.sqlite3"
    with sqlite3.connect(path) as conn:
        old = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=25)
        conn.execute("UPDATE checks SET at = ?", (old.replace(microsecond=0).isoformat(),))
    result = invoke("plan")
    assert result.exit_code == 2
    assert "using your answers" not in result.stderr


def test_reused_days_move_on_with_the_calendar() -> None:
    saved_at = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.timezone.utc)
    now = saved_at + datetime.timedelta(days=1, hours=1)
    answers = triage.CheckAnswers(days=2).aged(saved_at, now)
    assert answers.days == 3


def test_plan_from_options_saves_and_reuse_does_not_save_again(
    invoke: Invoke, isolated_home: Path
) -> None:
    import sqlite3

    invoke("plan", "--no-others", *CONTEXT)
    invoke("plan")
    with sqlite3.connect(isolated_home / "spasm" / "data" / "spasm.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM checks").fetchone()[0] == 1
