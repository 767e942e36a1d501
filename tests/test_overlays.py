"""Overlays: layers on top of the base, that add and extend but never weaken safety."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from back_spasm_cli.knowledge import kb
from tests.helpers import Invoke

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "riverside-physio"


def overlay(root: Path, name: str, files: dict[str, str], version: str = "1.0") -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "overlay.yaml").write_text(f'name: {name}\nversion: "{version}"\n')
    for file, text in files.items():
        (folder / file).write_text(text)
    return folder


# --------------------------------------------------------------------------- refusals

REFUSALS = {
    "lower-a-red-flag": (
        {"red_flags.yaml": "red_flags:\n  - extends: saddle-numbness\n    level: gp\n"},
        "red_flags.yaml:3",
        "never lower it",
    ),
    "hide-a-red-flag": (
        {"red_flags.yaml": "red_flags:\n  - hide: both-legs\n"},
        "red_flags.yaml:2",
        "'both-legs' is a shipped red flag",
    ),
    "replace-a-red-flag": (
        {
            "red_flags.yaml": "red_flags:\n  - replace: fever\n    level: gp\n    title: t\n"
            "    question: q?\n    explain: e\n    sources: [seed]\n"
        },
        "red_flags.yaml:2",
        "'fever' is a shipped red flag",
    ),
    "redefine-a-red-flag": (
        {
            "red_flags.yaml": "red_flags:\n  - id: fever\n    level: gp\n    title: t\n"
            "    question: q?\n    explain: e\n    sources: [seed]\n"
        },
        "red_flags.yaml:2",
        "'fever' is a shipped red flag",
    ),
    "hide-a-care-level": (
        {"care_levels.yaml": "care_levels:\n  - hide: emergency\n"},
        "care_levels.yaml:2",
        "'emergency' is a shipped care level",
    ),
    "change-the-uk-number": (
        {
            "regions.yaml": "regions:\n  - extends: uk\n    emergency:\n      number: '998'\n"
            "      label: 998 (United Kingdom emergency)\n"
        },
        "regions.yaml:3",
        "'uk' is a shipped region",
    ),
    "replace-the-uk-region": (
        {
            "regions.yaml": "regions:\n  - replace: uk\n    name: United Kingdom\n"
            "    emergency: {number: '998', label: 998 (United Kingdom emergency)}\n"
            "    sources: [seed]\n"
        },
        "regions.yaml:2",
        "'uk' is a shipped region",
    ),
    "hide-a-region": (
        {"regions.yaml": "regions:\n  - hide: nz\n"},
        "regions.yaml:2",
        "'nz' is a shipped region",
    ),
    "change-a-rule": (
        {
            "triage.yaml": "triage:\n  rules:\n    - id: not-better-after-two-weeks\n"
            "      symptom: fever\n"
            "      when: {days_at_least: 99}\n      sources: [seed]\n"
        },
        "triage.yaml:3",
        "rule 'not-better-after-two-weeks' is shipped",
    ),
    "change-a-checklist": (
        {
            "triage.yaml": "triage:\n  checklists:\n    - id: nerves-and-chest\n"
            "      signs: [fever]\n      sources: [seed]\n"
        },
        "triage.yaml:3",
        "checklist 'nerves-and-chest' is shipped",
    ),
    "change-a-triage-question": (
        {
            "triage.yaml": "triage:\n  days:\n    question: q?\n    explain: e\n"
            "    sources: [seed]\n"
        },
        "triage.yaml:2",
        "triage.days belongs to the base",
    ),
    "ignore-phrasings": (
        {"words.yaml": "words:\n  ignore: ['peed myself']\n"},
        "words.yaml:2",
        "could hide a red flag",
    ),
    "drop-phrasings": (
        {"words.yaml": "words:\n  flags:\n    - flag: bladder-bowel\n      within: 2\n"},
        "words.yaml:4",
        "may only add to its phrases",
    ),
    "negation": (
        {"words.yaml": "words:\n  negation:\n    before: [maybe]\n"},
        "words.yaml:2",
        "could hide a red flag",
    ),
    "a-longer-ice-timer": (
        {"sessions.yaml": "sessions:\n  timers:\n    - id: ice\n      max_minutes: 30\n"},
        "sessions.yaml:4",
        "the shipped safety cap",
    ),
    "the-disclaimer": (
        {"meta.yaml": "meta:\n  title: t\n"},
        "meta.yaml:2",
        "belongs to the base",
    ),
}


def _checked_ids(key: str) -> None:
    """The ids the refusal cases name must exist in the shipped base (or the case tests
    nothing)."""
    content = kb.load().content
    known = {item.id for _, item in kb.iter_items(content)}
    assert content.triage is not None
    known |= {rule.id for rule in content.triage.rules}
    known |= {checklist.id for checklist in content.triage.checklists}
    for word in ("saddle-numbness", "both-legs", "fever", "uk", "nz", "emergency"):
        assert word in known
    assert "not-better-after-two-weeks" in known or key != "change-a-rule"
    assert "nerves-and-chest" in known or key != "change-a-checklist"


@pytest.mark.parametrize("key", sorted(REFUSALS))
def test_a_weakening_overlay_is_refused_and_changes_nothing(
    key: str, tmp_path: Path, invoke: Invoke
) -> None:
    _checked_ids(key)
    files, where, why = REFUSALS[key]
    before = invoke("doctor", "--region", "uk", "--format", "json")
    folder = overlay(tmp_path, key, files)
    result = invoke("--overlay", str(folder), "doctor", "--region", "uk", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "overlay refused" in result.stderr
    assert f"{key}/{where}" in result.stderr
    assert why in result.stderr
    # Refused at install too: nothing is copied.
    added = invoke("kb", "add", str(folder))
    assert added.exit_code == 2
    assert why in added.stderr
    after = invoke("doctor", "--region", "uk", "--format", "json")
    assert after.stdout == before.stdout
    assert json.loads(after.stdout)["region"]["emergency"] == "999 (United Kingdom emergency)"


# --------------------------------------------------------------------------- walk-through


def test_the_readme_walk_through(invoke: Invoke, isolated_home: Path) -> None:
    """kb add -> exercises and routine say where they came from -> kb which names the
    file -> a diary entry names an overlay exercise -> kb remove -> the diary still reads."""
    added = invoke("kb", "add", str(EXAMPLE), "--format", "plain")
    assert added.exit_code == 0, added.stderr
    assert "installed: Riverside Physio 1.2" in added.stdout
    installed = isolated_home / "spasm" / "data" / "overlays" / "riverside-physio"
    assert (installed / "overlay.yaml").is_file()

    listed = invoke("exercises", "--format", "plain")
    assert "(spasm exercises cat-cow) · from: Riverside Physio 1.2" in listed.stdout
    assert "(spasm exercises knee-rolls)\n" in listed.stdout  # a shipped one says nothing
    shown = invoke("exercises", "cat", "and", "cow", "--format", "json")
    entry = json.loads(shown.stdout)["entries"][0]
    assert entry["id"] == "cat-cow"
    assert entry["from"] == {"layer": "overlay", "name": "Riverside Physio", "version": "1.2"}
    heat = invoke("remedy", "heat", "--format", "plain").stdout
    assert "added to by: Riverside Physio 1.2" in heat
    assert "wheat bag" in heat  # the clinic's step, after the shipped ones

    routine = invoke("routine", "--days", "5", "--list", "--format", "plain").stdout
    assert "8. Cat and cow: 10 times, hold 2 s · from: Riverside Physio 1.2" in routine
    assert "9. Side-lying clams: 10 times, hold 3 s · from: Riverside Physio 1.2" in routine
    assert "Routine for day 5 (9 exercises)" in routine

    which = invoke("kb", "which", "cat-cow", "--format", "plain").stdout
    assert "Defined by: Riverside Physio 1.2 (overlay)" in which
    assert f"File: {installed / 'exercises.yaml'}:3" in which
    extended = invoke("kb", "which", "heat", "--format", "json")
    data = json.loads(extended.stdout)
    assert data["file"] == "data/remedies.yaml"
    assert data["extended_by"][0]["file"] == str(installed / "remedies.yaml")
    layers = json.loads(invoke("kb", "list", "--format", "json").stdout)["layers"]
    assert [(x["layer"], x["name"], x["scope"]) for x in layers] == [
        ("base", "shipped knowledge base", "shipped"),
        ("overlay", "Riverside Physio", "user"),
    ]

    region = invoke("doctor", "--region", "za", "--format", "json")
    assert json.loads(region.stdout)["region"]["emergency"] == "10177 (South Africa ambulance)"

    assert invoke("log", "--pain", "6", "--note", "stiff").exit_code == 0
    logged = invoke("log", "--pain", "4", "--helped", "cat-cow")
    assert logged.exit_code == 0, logged.stderr
    exported = invoke("export", "--format", "json").stdout

    removed = invoke("kb", "remove", "Riverside Physio", "--format", "plain")
    assert removed.exit_code == 0, removed.stderr
    assert not installed.exists()
    assert "from: Riverside" not in invoke("exercises", "--format", "plain").stdout

    history = invoke("history", "--format", "plain")
    assert history.exit_code == 0, history.stderr
    assert "helped: Cat and cow" in history.stdout
    again = invoke("export", "--format", "json")
    assert again.exit_code == 0
    assert json.loads(again.stdout) == json.loads(exported)
    (isolated_home / "diary.json").write_text(exported)
    invoke("forget", "--yes")
    imported = invoke("import", str(isolated_home / "diary.json"))
    assert imported.exit_code == 0, imported.stderr
    assert "helped: Cat and cow" in invoke("history", "--format", "plain").stdout
    trends = json.loads(invoke("trends", "--format", "json").stdout)
    assert trends["entries"] == 2
    assert [(h["id"], h["title"]) for h in trends["helped"]] == [("cat-cow", "Cat and cow")]
    assert "Cat and cow (cat-cow): -2.0 points" in invoke("trends", "--format", "plain").stdout


def test_kb_remove_of_nothing_installed_is_not_found(invoke: Invoke) -> None:
    result = invoke("kb", "remove", "Riverside Physio")
    assert result.exit_code == 1
    assert "no installed overlay is called 'Riverside Physio'" in result.stderr


def test_an_overlay_installed_twice_is_refused(invoke: Invoke) -> None:
    assert invoke("kb", "add", str(EXAMPLE)).exit_code == 0
    again = invoke("kb", "add", str(EXAMPLE))
    assert again.exit_code == 2
    assert "another layer is already called 'Riverside Physio'" in again.stderr


# --------------------------------------------------------------------------- the stack


def test_layers_go_most_local_last(
    tmp_path: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """site, then the user's, then SPASM_OVERLAYS, then --overlay: each extends heat, and
    the steps come in that order."""

    def step(name: str) -> dict[str, str]:
        return {
            "remedies.yaml": f"remedies:\n  - extends: heat\n    steps: ['{name} step']\n"
            "    sources: [{clinician: " + name + "}]\n"
        }

    site = isolated_home / "site" / "spasm" / "overlays"
    overlay(site, "site", step("site"))
    assert invoke("kb", "add", str(overlay(tmp_path, "user", step("user")))).exit_code == 0
    env_a = overlay(tmp_path, "env-a", step("env-a"))
    env_b = overlay(tmp_path, "env-b", step("env-b"))
    option = overlay(tmp_path, "option", step("option"))
    monkeypatch.setenv("SPASM_OVERLAYS", f"{env_a}{os.pathsep}{env_b}")
    result = invoke("--overlay", str(option), "remedy", "heat", "--format", "json")
    entry = json.loads(result.stdout)["entries"][0]
    assert [s for s in entry["steps"] if s.endswith(" step")] == [
        "site step",
        "user step",
        "env-a step",
        "env-b step",
        "option step",
    ]
    assert entry["sources"][-1] == "clinician: option"
    assert [x["name"] for x in entry["extended_by"]] == ["site", "user", "env-a", "env-b", "option"]


def test_overlays_go_on_top_of_another_base(tmp_path: Path, invoke: Invoke) -> None:
    base = Path(__file__).resolve().parents[1] / "data"
    result = invoke("--kb", str(base), "--overlay", str(EXAMPLE), "exercises", "cat-cow")
    assert result.exit_code == 0
    assert "from: Riverside Physio 1.2" in result.stdout


def test_editing_an_overlay_shows_on_the_next_command(tmp_path: Path, invoke: Invoke) -> None:
    folder = overlay(tmp_path, "edits", {"remedies.yaml": "remedies:\n  - hide: massage\n"})
    assert "massage" in invoke("remedies", "--format", "plain").stdout
    first = invoke("--overlay", str(folder), "remedies", "--format", "plain")
    assert "(spasm remedy massage)" not in first.stdout
    (folder / "remedies.yaml").write_text(
        "remedies:\n  - extends: massage\n    tips: [Ask for gentle pressure.]\n"
    )
    second = invoke("--overlay", str(folder), "remedy", "massage", "--full", "--format", "plain")
    assert "Ask for gentle pressure." in second.stdout
    # and search reads the same layered base (its index is keyed on every layer's files)
    found = invoke("--overlay", str(folder), "search", "gentle", "pressure", "-f", "json")
    assert "massage" in [hit["id"] for hit in json.loads(found.stdout)["results"]]
    (folder / "remedies.yaml").unlink()
    third = invoke("--overlay", str(folder), "remedy", "massage", "--full", "--format", "plain")
    assert "Ask for gentle pressure." not in third.stdout


def test_replace_and_hide_ordinary_entries(tmp_path: Path, invoke: Invoke) -> None:
    folder = overlay(
        tmp_path,
        "swap",
        {
            "faq.yaml": "faq:\n  - replace: " + _first_faq() + "\n    title: Our answer\n"
            "    summary: What our clinic says.\n    sources: [{clinician: Us}]\n",
        },
    )
    result = invoke("--overlay", str(folder), "faq", "--format", "json")
    entries = json.loads(result.stdout)["entries"]
    replaced = next(e for e in entries if e["id"] == _first_faq())
    assert replaced["title"] == "Our answer"
    assert replaced["from"]["name"] == "swap"


def _first_faq() -> str:
    return kb.load().content.faq[0].id


def test_hiding_what_the_plan_uses_is_refused(tmp_path: Path, invoke: Invoke) -> None:
    folder = overlay(tmp_path, "nowalk", {"exercises.yaml": "exercises:\n  - hide: short-walks\n"})
    result = invoke("--overlay", str(folder), "exercises")
    assert result.exit_code == 2
    assert "hide: 'short-walks' is used by plan.phases[0].steps[1].entry" in result.stderr


def test_an_unknown_key_and_an_unknown_file_are_errors(tmp_path: Path, invoke: Invoke) -> None:
    folder = overlay(tmp_path, "typos", {"exercise.yaml": "exercises: []\n"})
    result = invoke("--overlay", str(folder), "exercises")
    assert result.exit_code == 2
    assert "typos/exercise.yaml: not a section file of the base" in result.stderr
    (folder / "exercise.yaml").unlink()
    (folder / "overlay.yaml").write_text('name: typos\nversion: "1"\nowner: me\nwebsite: x\n')
    result = invoke("--overlay", str(folder), "exercises")
    assert result.exit_code == 2
    assert "typos/overlay.yaml:4:1: website: unknown key" in result.stderr
    (folder / "overlay.yaml").write_text('name: typos\nversion: "1"\n')
    (folder / "remedies.yaml").write_text("remedies:\n  - extends: heat\n    stepz: [x]\n")
    result = invoke("--overlay", str(folder), "exercises")
    assert result.exit_code == 2
    assert "typos/remedies.yaml:3:5: remedies[0].stepz: `extends:` adds to steps" in result.stderr


def test_a_newer_spasm_is_required(tmp_path: Path, invoke: Invoke) -> None:
    folder = overlay(tmp_path, "future", {})
    (folder / "overlay.yaml").write_text('name: future\nversion: "1"\nrequires: ">=99.0"\n')
    result = invoke("kb", "check", str(folder))
    assert result.exit_code == 2
    assert "needs spasm >=99.0" in result.stderr


def test_kb_new_writes_a_starter_that_checks(tmp_path: Path, invoke: Invoke) -> None:
    target = tmp_path / "starter"
    made = invoke("kb", "new", str(target))
    assert made.exit_code == 0
    assert (target / "overlay.yaml").read_text().startswith("# An overlay")
    checked = invoke("kb", "check", str(target), "--format", "json")
    assert checked.exit_code == 0, checked.stderr
    assert json.loads(checked.stdout)["counts"] == {"add": 1, "append": 1, "extends": 1}
    assert invoke("kb", "new", str(target)).exit_code == 2  # never over a folder


def test_an_added_red_flag_phrasing_and_raised_level_are_allowed(
    tmp_path: Path, invoke: Invoke
) -> None:
    folder = overlay(
        tmp_path,
        "stricter",
        {
            "words.yaml": "words:\n  flags:\n    - flag: bladder-bowel\n"
            "      phrases: ['wet the bed']\n",
            "red_flags.yaml": "red_flags:\n  - extends: fever\n    level: emergency\n",
        },
    )
    found = invoke("--overlay", str(folder), "search", "I", "wet", "the", "bed", "-f", "json")
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout)["safety"]["level"] == "emergency"
    doctor = json.loads(invoke("--overlay", str(folder), "doctor", "-f", "json").stdout)
    emergency = next(level for level in doctor["levels"] if level["id"] == "emergency")
    assert "fever" in [flag["id"] for flag in emergency["red_flags"]]


def test_red_flags_come_most_urgent_first_whatever_the_file_order(
    tmp_path: Path, invoke: Invoke
) -> None:
    folder = overlay(
        tmp_path,
        "gpflag",
        {
            "red_flags.yaml": "red_flags:\n  - id: new-gp-sign\n    level: gp\n"
            "    title: A gp sign\n"
            "    question: Q?\n    explain: E.\n    sources: [{clinician: Us}]\n"
            "  - id: new-emergency-sign\n    level: emergency\n    title: An emergency sign\n"
            "    question: Q?\n    explain: E.\n    sources: [{clinician: Us}]\n"
        },
    )
    content = kb.load(overlays=[str(folder)], use_cache=False).content
    levels = [flag.level for flag in content.red_flags]
    assert levels == sorted(levels, key=["emergency", "urgent", "gp"].index)
    ids = [flag.id for flag in content.red_flags]
    assert ids.index("new-emergency-sign") < ids.index("new-gp-sign")
