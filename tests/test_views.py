"""Answer first (issue 9): every shipped view answers on the first screen of a 100x30
terminal; depth is one flag away; the safety strip and the disclaimer are never lost."""

from __future__ import annotations

import json
import os

import pexpect
import pytest

from tests.helpers import Invoke, installed_spasm

#: Every shipped entry, by the command that opens it (written out: a new entry should be
#: added here on purpose, with a look at how it reads).
ENTRIES = {
    "causes": [
        "muscle-strain",
        "dehydration-electrolytes",
        "posture-ergonomics",
        "medical-conditions",
    ],
    "remedy": [
        "rest-and-ice",
        "heat",
        "stretching-and-exercise",
        "massage",
        "medication",
        "physical-therapy",
        "lifestyle-changes",
    ],
    "prevent": [
        "healthy-weight",
        "core-strength",
        "good-posture",
        "warm-up-cool-down",
        "listen-to-your-body",
        "safe-lifting",
    ],
    "lifestyle": ["hydration", "nutrition", "ergonomics", "stress-management"],
    "faq": [
        "how-long",
        "when-to-seek-help",
        "can-it-be-prevented",
        "is-it-serious",
        "work",
        "driving",
        "sex",
        "sleep",
        "getting-out-of-bed",
        "alcohol",
        "manipulation",
        "braces",
        "tens",
        "imaging",
        "painkillers",
        "pregnancy",
    ],
    # In the order they suit: from the first days (day 0), then from about day 3.
    "exercises": [
        "knee-rolls",
        "pelvic-tilt",
        "sitting-posture",
        "short-walks",
        "knee-hugs",
        "bottom-to-heels",
        "back-extensions",
        "back-bends",
        "core-contraction",
        "bridging",
    ],
}
LISTS = ["causes", "remedies", "prevent", "lifestyle", "faq", "exercises"]
STRIP = "Emergency: numb groin or bottom, lost bladder or bowel control"
CALL_UK = "Call 999 (United Kingdom emergency) now · more: spasm doctor"
DISCLAIMER = "spasm gives general self-care information, not a diagnosis or medical advice."
POINTER = "Worried, or not getting better? Run `spasm doctor` for when to get help."
MEDICATION = (
    "For any medicine, follow the dose on the label or leaflet, or ask a pharmacist; spasm"
    " never gives doses."
)


def rich(invoke: Invoke, *args: str) -> list[str]:
    result = invoke(*args, "--format", "rich", "--region", "uk", width=100)
    assert result.exit_code == 0, result
    return result.stdout.splitlines()


def words(lines: list[str]) -> str:
    """The text without borders and wrapping, to find sentences that span lines."""
    return " ".join(" ".join(lines).replace("│", " ").split())


def test_the_entry_table_matches_the_shipped_base(invoke: Invoke) -> None:
    for command, ids in ENTRIES.items():
        listed = json.loads(invoke(command, "--format", "json").stdout)["entries"]
        assert [entry["id"] for entry in listed] == ids, command


@pytest.mark.parametrize("command", LISTS)
def test_a_list_fits_40_lines_with_every_entry_and_how_to_open_it(
    invoke: Invoke, command: str
) -> None:
    lines = rich(invoke, command)
    assert len(lines) <= 40, len(lines)
    text = words(lines)
    assert STRIP in text and CALL_UK in text
    assert text.endswith(f"{DISCLAIMER} {POINTER}")
    opener = {"causes": "causes", "remedies": "remedy"}.get(command, command)
    for entry_id in ENTRIES["remedy" if command == "remedies" else command]:
        assert f"spasm {opener} {entry_id}" in text


@pytest.mark.parametrize(
    ("command", "entry_id"),
    [(command, entry_id) for command, ids in ENTRIES.items() for entry_id in ids],
)
def test_an_entry_opens_with_its_title_and_fits_45_lines(
    invoke: Invoke, command: str, entry_id: str
) -> None:
    lines = rich(invoke, command, entry_id)
    assert len(lines) <= 45, len(lines)
    title = json.loads(invoke(command, entry_id, "--format", "json").stdout)["entries"][0]
    assert any(title["title"][:30] in line for line in lines[:5])
    text = words(lines)
    assert text.startswith(STRIP)
    assert CALL_UK in text
    assert text.endswith(f"{DISCLAIMER} {POINTER}")
    assert "Sources" not in text and "Evidence" not in text


def test_the_safety_strip_is_three_lines_at_100_columns_with_or_without_a_region(
    invoke: Invoke,
) -> None:
    # With no region, every number is named: since Mexico joined the US and Canada on 911
    # (issue 20) that line no longer fits 100 columns, so the strip may take a fourth.
    for env, most in (({"LANG": "en_GB.UTF-8"}, 3), ({"LANG": "C.UTF-8"}, 4)):
        result = invoke("remedy", "heat", "--format", "rich", env=env, width=100)
        strip = result.stdout.split("╭")[0].rstrip("\n").splitlines()
        assert len(strip) <= most, strip
    every = invoke("remedy", "heat", "--format", "plain", env={"LANG": "C.UTF-8"}).stdout
    assert (
        "Call UK 999 · US, Canada and Mexico 911 · EU 112 · Australia 000 · New Zealand 111 now"
        in every
    )


def test_the_medication_notice_only_where_medicines_are_named(invoke: Invoke) -> None:
    for args in (["remedy", "medication"], ["remedies"], ["faq", "painkillers"]):
        out = invoke(*args, "--format", "plain").stdout
        assert MEDICATION in out, args
    for args in (
        ["remedy", "heat"],
        ["remedy", "ice"],
        ["causes"],
        ["exercises", "knee-rolls"],
        ["doctor"],
    ):
        assert MEDICATION not in invoke(*args, "--format", "plain").stdout, args


def test_full_adds_the_long_text_evidence_and_sources(invoke: Invoke) -> None:
    short = invoke("remedy", "heat", "--format", "plain").stdout
    full = invoke("remedy", "heat", "--full", "--format", "plain").stdout
    assert "Evidence:" in full and "Sources:" in full and "https://" in full
    assert "A general-audience article on back spasms says the extra blood flow" in full
    assert "A general-audience article on back spasms says the extra blood flow" not in short
    assert len(full.splitlines()) > len(short.splitlines()) + 10


def test_json_carries_everything_without_full(invoke: Invoke) -> None:
    entry = json.loads(invoke("remedy", "heat", "--format", "json").stdout)["entries"][0]
    assert entry["evidence"] and entry["sources"] and entry["body"]
    listed = json.loads(invoke("remedies", "--format", "json").stdout)["entries"]
    assert all(item["sources"] and "steps" in item for item in listed)


def test_bare_spasm_fits_one_screen_with_what_it_is_and_five_commands(invoke: Invoke) -> None:
    lines = rich(invoke)
    assert len(lines) <= 30
    text = words(lines)
    assert text.startswith(STRIP)
    assert "What is a back spasm?" in text
    for command in (
        "spasm check",
        "spasm remedies",
        "spasm exercises",
        "spasm ask",
        "spasm doctor",
    ):
        assert command in text
    assert text.endswith(f"{DISCLAIMER} {POINTER}")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["causes"],
        ["remedy", "heat"],
        ["remedy", "ice"],
        ["exercises"],
        ["prevent"],
        ["faq", "how", "long"],
    ],
    ids=lambda a: " ".join(a) or "spasm",
)
def test_on_a_real_100x30_terminal_the_answer_is_on_the_first_screen(
    spasm_env: dict[str, str], args: list[str]
) -> None:
    env = {**spasm_env, "LANG": "en_GB.UTF-8", "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    child = pexpect.spawn(
        installed_spasm(), args, env=env, dimensions=(30, 100), encoding="utf-8", timeout=30
    )
    screen = child.read()
    child.close()
    assert child.exitstatus == 0
    plain = pexpect_plain(screen)
    first_screen = plain.splitlines()[:30]
    assert any("╭" in line for line in first_screen)  # Rich panels on a terminal
    assert STRIP in words(first_screen[:3])
    answer = {
        "": "What is a back spasm?",
        "causes": "Muscle strain or injury",
        "remedy heat": "Steps",
        "remedy ice": "How long",
        "exercises": "Knee rolls",
        "prevent": "Lift and carry safely",
        "faq how long": "Most back pain improves",
    }[" ".join(args)]
    assert answer in words(first_screen)


def pexpect_plain(screen: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).replace("\r", "")


def test_no_color_on_a_terminal_gives_plain_text(spasm_env: dict[str, str]) -> None:
    env = {**spasm_env, "TERM": "xterm-256color"}
    coloured = pexpect.spawn(installed_spasm(), ["causes"], env=env, encoding="utf-8")
    assert "\x1b[" in coloured.read() and coloured.wait() == 0
    plain = pexpect.spawn(
        installed_spasm(), ["causes"], env={**env, "NO_COLOR": "1"}, encoding="utf-8"
    )
    out = plain.read()
    assert plain.wait() == 0
    assert "\x1b" not in out and "╭" not in out
    assert "Muscle strain or injury" in out


# --------------------------------------------------------------------------- forgiving


@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        (["stretches"], ["exercises"]),
        (["stretch", "knee", "rolls"], ["exercises", "knee-rolls"]),
        (["cause"], ["causes"]),
        (["tips"], ["prevent"]),
        (["prevention", "lifting"], ["prevent", "safe-lifting"]),
        (["red-flags"], ["doctor"]),
    ],
)
def test_the_words_people_use_are_aliases(
    invoke: Invoke, typed: list[str], same_as: list[str]
) -> None:
    alias = invoke(*typed, "--format", "json")
    real = invoke(*same_as, "--format", "json")
    assert alias.exit_code == real.exit_code == 0
    shown, expected = json.loads(alias.stdout), json.loads(real.stdout)
    shown.pop("matches", None)  # how each name matched may differ
    expected.pop("matches", None)
    assert shown == expected


def test_a_mistyped_command_suggests_the_closest(invoke: Invoke) -> None:
    result = invoke("remdy", "heat")
    assert result.exit_code == 2
    assert "No such command 'remdy'. Did you mean 'remedy'" in result.stderr


@pytest.mark.parametrize("args", [["help"], ["help", "remedy"], ["help", "kb", "validate"]])
def test_help_shows_the_help(invoke: Invoke, args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result
    expected = {
        "help": "Usage: spasm [OPTIONS] COMMAND [ARGS]...",
        "help remedy": "Usage: spasm remedy [OPTIONS] [NAME]...",
        "help kb validate": "Usage: spasm kb validate [OPTIONS] [PATH]",
    }[" ".join(args)]
    assert expected in result.stdout


def test_help_for_an_unknown_command_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("help", "nonsense")
    assert result.exit_code == 2
    assert result.stderr == "spasm: no command 'nonsense'; see `spasm help`\n"


def test_a_name_of_another_kind_is_found_where_it_is(invoke: Invoke) -> None:
    result = invoke("remedy", "hydration", "--format", "json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["kind"] == "lifestyle" and data["entries"][0]["id"] == "hydration"
    assert result.stderr == "spasm: 'Hydration' is not a remedy; it is under `spasm lifestyle`\n"


def test_completion_offers_entry_names_and_aliases(spasm_env: dict[str, str]) -> None:
    import subprocess

    env = {
        **spasm_env,
        "_SPASM_COMPLETE": "complete_bash",
        "COMP_WORDS": "spasm remedy he",
        "COMP_CWORD": "2",
    }
    result = subprocess.run(
        [installed_spasm()], env=env, capture_output=True, text=True, timeout=60
    )
    offered = set(result.stdout.split())
    assert {"heat", "heating-pad", "heat-pack"} <= offered
    assert "rest-and-ice" not in offered


# --------------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("gb", "999 (United Kingdom emergency)"),
        ("England", "999 (United Kingdom emergency)"),
        ("scotland", "999 (United Kingdom emergency)"),
        ("USA", "911 (United States emergency)"),
        ("america", "911 (United States emergency)"),
        ("canada", "911 (Canada emergency)"),
        ("germany", "112 (European Union emergency)"),
        ("de", "112 (European Union emergency)"),
        ("australia", "000 (Australia emergency, Triple Zero)"),
        ("new-zealand", "111 (New Zealand emergency)"),
        ("New Zealand", "111 (New Zealand emergency)"),
    ],
)
def test_region_takes_common_names(invoke: Invoke, name: str, number: str) -> None:
    result = invoke("causes", "--format", "plain", "--region", name)
    assert result.exit_code == 0, result
    assert f"Call {number} now" in result.stdout


def test_an_unknown_region_lists_the_known_ones(invoke: Invoke) -> None:
    result = invoke("causes", "--region", "mars")
    assert result.exit_code == 2
    assert "unknown region 'mars'; known regions: uk, us, ca, mx, es, eu, au, nz" in result.stderr


def test_a_remembered_region_is_used_and_flags_and_environment_win(invoke: Invoke) -> None:
    saved = invoke("config", "set", "region", "england")
    assert saved.exit_code == 0, saved
    assert saved.stdout.startswith("region = uk (saved in ")
    assert "Call 999 (United Kingdom" in invoke("causes", "-f", "plain", env={"LANG": "C"}).stdout
    assert (
        "Call 911 (United States"
        in invoke("causes", "-f", "plain", env={"SPASM_REGION": "us"}).stdout
    )
    assert (
        "Call 000 (Australia"
        in invoke("causes", "-f", "plain", "--region", "au", env={"SPASM_REGION": "us"}).stdout
    )
    shown = json.loads(invoke("config", "show", "--format", "json").stdout)
    assert shown["settings"] == {"region": "uk"}
    assert invoke("config", "unset", "region").exit_code == 0
    assert (
        "Call UK 999 · US, Canada and Mexico 911"
        in invoke("causes", "-f", "plain", env={"LANG": "C"}).stdout
    )


def test_the_settings_file_is_private(invoke: Invoke) -> None:
    from back_spasm_cli.personal import config

    invoke("config", "set", "region", "nz")
    assert config.path().stat().st_mode & 0o777 == 0o600
    assert os.path.dirname(config.path()).endswith(os.path.join("spasm", "data"))


def test_an_unknown_setting_is_refused(invoke: Invoke) -> None:
    result = invoke("config", "set", "colour", "red")
    assert result.exit_code == 2
    assert "unknown setting 'colour'; known: region" in result.stderr
