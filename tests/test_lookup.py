"""Lookup commands through CliRunner: names, formats, exit codes, and safety in every view."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import Invoke, all_commands

ADVICE_COMMANDS = [
    [],
    ["causes"],
    ["causes", "muscle", "strain"],
    ["remedies"],
    ["remedy", "heat"],
    ["remedy", "medication"],
    ["prevent"],
    ["prevention", "core"],
    ["lifestyle", "hydration"],
    ["faq"],
    ["faq", "how", "long"],
    ["exercises"],
    ["exercises", "knee", "rolls"],
    ["doctor"],
    ["red-flags"],
]
FORMATS = ["rich", "plain", "json", "markdown"]


def disclaimer(invoke: Invoke) -> tuple[str, str]:
    data = json.loads(invoke("about", "--format", "json").stdout)
    return data["disclaimer"], data["doctor"]


@pytest.mark.parametrize("args", ADVICE_COMMANDS, ids=lambda a: " ".join(a) or "(none)")
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_advice_view_in_every_format(invoke: Invoke, args: list[str], fmt: str) -> None:
    result = invoke(*args, "--format", fmt)
    assert result.exit_code == 0, result
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["disclaimer"] and data["doctor"]
        return
    line, pointer = disclaimer(invoke)
    lines = [x.strip() for x in result.stdout.strip().splitlines() if x.strip()]
    # The view ends with the one-line disclaimer and the pointer to `spasm doctor`.
    assert line in " ".join(lines[-4:]).replace("_", "")
    assert "spasm doctor" in lines[-1]
    assert "spasm doctor" in pointer


@pytest.mark.parametrize(
    "args", [a for a in ADVICE_COMMANDS if a[:1] != ["doctor"] and a[:1] != ["red-flags"]], ids=str
)
def test_red_flags_come_before_any_self_care_advice(invoke: Invoke, args: list[str]) -> None:
    out = invoke(*args, "--format", "plain", "--region", "uk").stdout
    first_block = out.split("\n\n")[0]
    assert "999 (United Kingdom" in first_block
    assert "bladder" in first_block.lower()


@pytest.mark.parametrize(
    ("words", "expected_id", "how"),
    [
        (["heat"], "heat", "id"),
        (["HEAT"], "heat", "id"),
        (["ice"], "rest-and-ice", "alias"),
        (["heating", "pad"], "heat", "alias"),
        (["hot", "water", "bottle"], "heat", "alias"),
        (["rest-and-ice"], "rest-and-ice", "id"),
        (["Rest", "and", "ice", "therapy"], "rest-and-ice", "title"),
        (["physio"], "physical-therapy", "alias"),
        (["PT"], "physical-therapy", "alias"),
        (["meds"], "medication", "alias"),
        (["painkillers"], "medication", "alias"),
        (["ibuprofen"], "medication", "alias"),
        (["mass"], "massage", "prefix"),
        (["haet"], "heat", "loose"),
        (["massge"], "massage", "loose"),
    ],
)
def test_names_resolve(invoke: Invoke, words: list[str], expected_id: str, how: str) -> None:
    result = invoke("remedy", *words, "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert [e["id"] for e in data["entries"]] == [expected_id]
    assert data["matches"][0]["how"] == how
    if how == "loose":
        assert "showing the closest" in result.stderr
    else:
        assert result.stderr == ""


def test_loose_match_is_said_on_stderr_not_stdout(invoke: Invoke) -> None:
    result = invoke("remedy", "haet", "--format", "plain")
    assert result.exit_code == 0
    assert "Heat therapy" in result.stdout
    assert "haet" in result.stderr and "haet" not in result.stdout


def test_unknown_name_exits_1_with_suggestions(invoke: Invoke) -> None:
    result = invoke("remedy", "xyz")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no remedy matches 'xyz'" in result.stderr
    assert "known:" in result.stderr or "did you mean" in result.stderr


def test_near_miss_is_matched_loosely_and_far_miss_suggests(invoke: Invoke) -> None:
    near = invoke("causes", "posterr", "--format", "json")
    assert near.exit_code == 0
    assert json.loads(near.stdout)["entries"][0]["id"] == "posture-ergonomics"
    assert "closest: Poor posture and ergonomics" in near.stderr
    far = invoke("remedy", "massaging", "chairs")
    assert far.exit_code == 1
    assert "did you mean: massage" in far.stderr


def test_a_lookup_without_a_name_lists_its_entries(invoke: Invoke) -> None:
    result = invoke("remedy", "--format", "plain")
    assert result.exit_code == 0, result
    assert "- Heat therapy: " in result.stdout
    assert "(spasm remedy heat)" in result.stdout
    assert "Steps:" not in result.stdout  # the list, not every remedy in full


def test_remedies_lists_every_remedy_one_per_line(invoke: Invoke) -> None:
    result = invoke("remedies", "--format", "plain")
    items = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert len(items) == 7
    ids = [
        "rest-and-ice",
        "heat",
        "stretching-and-exercise",
        "massage",
        "medication",
        "physical-therapy",
        "lifestyle-changes",
    ]
    for remedy_id in ids:
        assert any(line.endswith(f"(spasm remedy {remedy_id})") for line in items), remedy_id


def test_remedy_in_full_has_every_part(invoke: Invoke) -> None:
    out = invoke("remedy", "heat", "--full", "--format", "plain").stdout
    for label in ("Steps:", "Cautions:", "Evidence:", "Related:", "Sources:"):
        assert label in out
    assert "https://" in out


def test_a_remedy_shows_what_to_do_and_leaves_depth_to_full(invoke: Invoke) -> None:
    out = invoke("remedy", "heat", "--format", "plain").stdout
    for label in ("How long:", "Steps:", "Cautions:", "Related:"):
        assert label in out
    for label in ("Tips:", "Evidence:", "Sources:", "https://"):
        assert label not in out
    assert "(remedy: heat · more: --full)" in out


def test_medication_view_defers_to_pharmacist_and_gives_no_doses(invoke: Invoke) -> None:
    out = invoke("remedy", "medication", "--format", "plain").stdout
    assert "pharmacist" in out.lower()
    assert "label" in out.lower()
    assert not re.search(r"\d\s*(mg|milligram|tablets?|times a day)\b", out, re.IGNORECASE)


@pytest.mark.parametrize(
    ("region", "number", "country"),
    [
        ("uk", "999", "United Kingdom"),
        ("us", "911", "United States"),
        ("ca", "911", "Canada"),
        ("eu", "112", "European Union"),
        ("au", "000", "Australia"),
        ("nz", "111", "New Zealand"),
    ],
)
def test_doctor_names_each_number_with_its_country(
    invoke: Invoke, region: str, number: str, country: str
) -> None:
    out = invoke("doctor", "--region", region, "--format", "plain").stdout
    assert f"{number} ({country}" in out
    # No number is ever shown bare: each digit group of 3 sits next to a country name.
    for line in out.splitlines():
        for match in re.finditer(r"\b(999|911|112|000|111)\b", line):
            assert "(" in line[match.end() : match.end() + 3] or "NHS" in line, line


def test_doctor_lists_tiers_most_urgent_first(invoke: Invoke) -> None:
    data = json.loads(invoke("doctor", "--format", "json", "--region", "uk").stdout)
    levels = [level["id"] for level in data["levels"]]
    assert levels[:3] == ["emergency", "urgent", "gp"]
    assert sum(len(level["red_flags"]) for level in data["levels"]) >= 12


def test_region_from_locale_and_fallback(invoke: Invoke) -> None:
    uk = invoke("doctor", "--format", "json", env={"LANG": "en_GB.UTF-8"})
    nz = invoke("doctor", "--format", "json", env={"LANG": "en_NZ.UTF-8"})
    unknown = invoke("doctor", "--format", "json", env={"LANG": "C"})
    assert json.loads(uk.stdout)["region"]["region"] == "uk"
    assert json.loads(nz.stdout)["region"]["region"] == "nz"
    fallback = json.loads(unknown.stdout)["region"]
    assert fallback["region"] is None
    assert "local emergency number" in fallback["emergency"]


def test_unknown_region_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("doctor", "--region", "mars")
    assert result.exit_code == 2
    assert "unknown region 'mars'" in result.stderr
    assert "uk" in result.stderr


def test_about_shows_version_counts_and_sources(invoke: Invoke) -> None:
    from back_spasm_cli import __version__

    data = json.loads(invoke("about", "--format", "json").stdout)
    assert data["version"] == __version__
    assert data["knowledge_base"]["origin"] == "shipped"
    assert data["counts"]["remedies"] >= 7
    assert any(src.startswith("https://www.nhs.uk") for src in data["sources"])


def test_version_flag(invoke: Invoke) -> None:
    from back_spasm_cli import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"spasm {__version__}"


def test_global_format_applies_to_the_command(invoke: Invoke) -> None:
    result = invoke("--format", "json", "remedy", "heat")
    assert json.loads(result.stdout)["entries"][0]["id"] == "heat"


@pytest.mark.parametrize("command", all_commands(), ids=" ".join)
def test_every_command_has_help(invoke: Invoke, command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert len(result.stdout.splitlines()) > 3


def test_the_main_commands_exist() -> None:
    names = {tuple(c) for c in all_commands()}
    for name in (
        "causes",
        "remedies",
        "remedy",
        "prevent",
        "lifestyle",
        "faq",
        "exercises",
        "doctor",
        "about",
        "kb",
    ):
        assert (name,) in names


@pytest.mark.parametrize(
    ("alias", "first_line"),
    [
        ("prevention", "Maintain a healthy weight"),
        ("red-flags", "Urgent: get medical advice today"),
    ],
)
def test_command_aliases_run_their_command(invoke: Invoke, alias: str, first_line: str) -> None:
    result = invoke(alias, "--format", "plain")
    assert result.exit_code == 0, result
    assert first_line in result.stdout


@pytest.mark.parametrize("width", [20, 30, 80, 300])
def test_rich_panels_fit_the_width(invoke: Invoke, width: int) -> None:
    result = invoke("remedy", "heat", "--format", "rich", width=width)
    assert result.exit_code == 0
    longest = max(len(line) for line in result.stdout.splitlines())
    assert longest <= width
    assert "╭" in result.stdout


def test_markdown_has_headings_and_lists(invoke: Invoke) -> None:
    out = invoke("remedy", "ice", "--format", "markdown").stdout
    assert out.startswith("> **Emergency: ")
    assert "\n## Rest and ice therapy\n" in out
    assert "\n1. " in out
    assert "\n- " in out
