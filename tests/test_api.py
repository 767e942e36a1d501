"""The Python API stands without the CLI: plain data in, plain data out, no printing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from back_spasm_cli import Advisor
from back_spasm_cli.errors import NotFoundError, UsageError


def test_lookup_finds_an_entry_by_what_people_type() -> None:
    advisor = Advisor(region="uk")
    heat = advisor.lookup("remedy", "hot water bottle")
    assert heat["id"] == "heat" and heat["kind"] == "remedy" and heat["how"] == "alias"
    assert heat["title"] == "Heat therapy"
    assert heat["sources"]
    json.dumps(heat)  # plain data


def test_a_name_of_another_kind_and_a_miss() -> None:
    advisor = Advisor()
    assert advisor.lookup("remedy", "hydration")["kind"] == "lifestyle"
    with pytest.raises(NotFoundError):
        advisor.lookup("remedy", "xyzzy")
    with pytest.raises(UsageError, match="unknown kind 'potion'"):
        advisor.entries("potion")


def test_entries_numbers_and_red_flags() -> None:
    advisor = Advisor(region="nz")
    assert [e["id"] for e in advisor.entries("cause")] == [
        "muscle-strain",
        "dehydration-electrolytes",
        "posture-ergonomics",
        "medical-conditions",
    ]
    assert advisor.numbers()["emergency"] == "111 (New Zealand emergency)"
    levels = [flag["level"] for flag in advisor.red_flags()]
    assert levels == sorted(levels, key=["emergency", "urgent", "gp"].index)


def test_the_library_prints_nothing_and_needs_no_cli(tmp_path: object) -> None:
    code = (
        "import sys\n"
        "from back_spasm_cli import Advisor\n"
        "Advisor(region='uk').lookup('remedy', 'ice')\n"
        "assert 'typer' not in sys.modules and 'rich' not in sys.modules, sorted(sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_search_ask_check_and_plan_return_the_json_data() -> None:
    advisor = Advisor(region="uk")
    found = advisor.search("hot water bottle")
    assert found["results"][0]["id"] == "heat"
    flagged = advisor.search("I peed myself")
    assert flagged["care"]["level"] == "emergency"
    assert advisor.ask("ice or heat?", days=1)["answer"][0]["id"] == "rest-and-ice"
    assert advisor.ask("ice or heat?", days=4)["answer"][0]["id"] == "heat"
    assert advisor.check(has=["fever"])["level"] == "urgent"
    assert advisor.check(has=["fever"])["call"] == "NHS 111 (England, United Kingdom)"
    assert advisor.check(unsure=["bone-risk"], started="lifting")["level"] == "emergency"
    calm = advisor.check(started="sudden-movement", days=1, severity=4)
    assert calm["level"] == "self-care" and calm["today"]
    assert advisor.plan(has=["chest-pain"])["phases"] == []  # no self-care over an emergency
    assert advisor.plan(started="lifting", days=1)["phases"]
    json.dumps(advisor.plan(started="lifting", days=1))


def test_the_library_saves_nothing(isolated_home: object) -> None:
    from back_spasm_cli.personal import storage

    Advisor().check(has=["fever"])
    assert not storage.private_db_path().exists()
