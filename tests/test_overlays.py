"""Overlays: layers on top of the base, that add and extend but never weaken safety."""

from __future__ import annotations

import json
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
