"""Nine behaviour-changing mutations once escaped the suite (issue 16). Each test here
states the value a correct spasm gives, so each of those mutations now fails one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from back_spasm_cli.advice import recognise, triage
from back_spasm_cli.knowledge import kb, regions
from back_spasm_cli.personal import diary, records, storage
from tests.helpers import Invoke

CONTENT = kb.load().content
UK = regions.numbers(CONTENT, regions.resolve(CONTENT, "uk"))


# ------------------------------------------------------------------ the number to call


@pytest.mark.parametrize(
    ("level", "call"),
    [
        ("emergency", "999 (United Kingdom emergency)"),
        ("urgent", "NHS 111 (England, United Kingdom)"),
        # At gp and self-care the safety net is the emergency number, never the urgent one.
        ("gp", "999 (United Kingdom emergency)"),
        ("self-care", "999 (United Kingdom emergency)"),
    ],
)
def test_the_number_to_call_at_each_level(level: triage.Level, call: str) -> None:
    assert triage.call_label(level, UK) == call


# ------------------------------------------------------------ a damaged saved verdict


@pytest.mark.parametrize(
    "damaged",
    [{}, {"level": "fine"}, {"level": None}, {"level": 3}, {"level": ["self-care"]}],
)
def test_a_damaged_saved_verdict_falls_back_to_emergency(damaged: dict[str, object]) -> None:
    assert triage.Verdict.from_data(damaged).level == "emergency"
    reason = triage.Reason.from_data({"id": "x", **damaged})
    assert reason.level == "emergency"


def test_check_last_shows_a_damaged_verdict_as_an_emergency(invoke: Invoke) -> None:
    conn = storage.private_db()
    try:
        records.save_check(conn, {"signs": {}, "no_others": True}, {"level": "all fine"})
    finally:
        conn.close()
    result = invoke("check", "--last", "--format", "json", "--region", "uk")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["level"] == "emergency"
    assert data["call"] == "999 (United Kingdom emergency)"


# ------------------------------------------------------------------ negation reach

FILLERS = "walking today after lunch with my sister"


@pytest.mark.parametrize(
    ("words", "negated"),
    [(5, True), (6, False)],  # `reach: 6` in data/words.yaml
)
def test_a_cue_before_reaches_exactly_so_far(words: int, negated: bool) -> None:
    assert CONTENT.words is not None and CONTENT.words.negation.reach == 6
    text = f"no {' '.join(FILLERS.split()[:words])} fever"
    assert [m.id for m in recognise.recognise(CONTENT, text)] == ([] if negated else ["fever"])


@pytest.mark.parametrize(("words", "negated"), [(5, True), (6, False)])
def test_a_cue_after_reaches_exactly_so_far(words: int, negated: bool) -> None:
    text = f"fever {' '.join(FILLERS.split()[:words])} fine"
    assert [m.id for m in recognise.recognise(CONTENT, text)] == ([] if negated else ["fever"])


# ------------------------------------------------------------ most urgent first


@pytest.mark.parametrize("order", ["reversed", "gp-first"])
def test_red_flags_come_most_urgent_first_whatever_the_file_order(order: str) -> None:
    flags = list(CONTENT.red_flags)
    if order == "reversed":
        flags.reverse()
    else:
        flags.sort(key=lambda flag: {"gp": 0, "urgent": 1, "emergency": 2}[flag.level])
    shuffled = dataclasses.replace(CONTENT, red_flags=flags)
    text = "I am worried, I have a fever, and I wet myself"
    found = recognise.recognise(shuffled, text)
    assert [(m.id, m.level) for m in found] == [
        ("bladder-bowel", "emergency"),
        ("fever", "urgent"),
        ("worried", "gp"),
    ]
    assert [f.level for f in recognise.note_flags(shuffled, text)] == ["emergency", "urgent", "gp"]


# ------------------------------------------------------------ the hidden --seconds cap


def test_the_hidden_seconds_option_stops_at_the_timers_limit(invoke: Invoke) -> None:
    from back_spasm_cli.advice import sessions
    from back_spasm_cli.errors import UsageError

    # Ice is at most 20 minutes (data/sessions.yaml): 1,200 seconds, not one more. Planned
    # only (a timer that ran would take the 20 minutes).
    assert sessions.plan_timer(CONTENT, "ice", None, seconds=1200).seconds == 1200
    with pytest.raises(UsageError, match=r"^--seconds must be from 1 to 1200$"):
        sessions.plan_timer(CONTENT, "ice", None, seconds=1201)
    result = invoke("timer", "ice", "--seconds", "0", "--yes")
    assert result.exit_code == 2
    assert result.stderr.strip() == "spasm: --seconds must be from 1 to 1200"


# ------------------------------------------------------------ the diary import checks
# Written against the CLI: whoever reworks the import (issue 21) passes them as they are.


def _import(invoke: Invoke, tmp_path: Path, *rows: dict[str, object]) -> tuple[int, str]:
    path = tmp_path / "diary.json"
    lines = ",\n".join(json.dumps(row) for row in rows)
    path.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    result = invoke("import", str(path))
    return result.exit_code, result.stderr


def _stored() -> int:
    conn = storage.private_db()
    try:
        return diary.count(conn)
    finally:
        conn.close()


GOOD = {"at": "2026-11-20 08:30", "pain": 4}


def test_import_takes_pain_10(invoke: Invoke, tmp_path: Path) -> None:
    code, err = _import(invoke, tmp_path, {**GOOD, "pain": 10})
    assert (code, err) == (0, "")
    assert _stored() == 1


def test_import_refuses_pain_11(invoke: Invoke, tmp_path: Path) -> None:
    code, err = _import(invoke, tmp_path, GOOD, {**GOOD, "at": "2026-11-21 08:30", "pain": 11})
    assert code == 2
    assert "nothing was imported" in err
    assert "line 3, field pain: 11 is not from 0 to 10" in err
    assert _stored() == 0


def test_import_refuses_a_time_without_a_zone(invoke: Invoke, tmp_path: Path) -> None:
    code, err = _import(invoke, tmp_path, {**GOOD, "logged": "2026-11-20T08:31:00"})
    assert code == 2
    assert "line 2, field logged: '2026-11-20T08:31:00' has no time zone" in err
    assert _stored() == 0


def test_import_refuses_an_id_twice(invoke: Invoke, tmp_path: Path) -> None:
    code, err = _import(
        invoke, tmp_path, {**GOOD, "id": 7}, {**GOOD, "id": 7, "at": "2026-11-21 08:30"}
    )
    assert code == 2
    assert "line 3, field id: entry id 7 is also on line 2" in err
    assert _stored() == 0


def test_import_refuses_a_helped_id_twice(invoke: Invoke, tmp_path: Path) -> None:
    code, err = _import(invoke, tmp_path, {**GOOD, "helped": ["heat", "heat"]})
    assert code == 2
    assert "line 2, field helped: an id is named twice" in err
    assert _stored() == 0
