"""`spasm export --format fhir`: an HL7 FHIR R4 Bundle that fhir.resources validates (its
R4B models: Observation, Procedure, List and Bundle are the same as R4's), and that
`spasm import` reads back losslessly. Expected values are written out here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.list import List as FhirList
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.procedure import Procedure
from hypothesis import given, settings
from hypothesis import strategies as st

from back_spasm_cli.knowledge import kb
from back_spasm_cli.personal import diary, fhir, storage
from tests.helpers import Invoke

VOCAB = diary.vocabulary(kb.load().content)
MODELS = {"Observation": Observation, "Procedure": Procedure, "List": FhirList}


def validate(text: str) -> dict[str, Any]:
    """The bundle, validated whole and resource by resource with fhir.resources."""
    data = json.loads(text)
    Bundle.model_validate(data)
    for item in data["entry"]:
        MODELS[item["resource"]["resourceType"]].model_validate(item["resource"])
    return data  # type: ignore[no-any-return]


def record_session(what: str, kind: str, outcome: str, start: str, done: int) -> None:
    from back_spasm_cli.advice import sessions

    conn = storage.private_db()
    sessions.record(
        conn,
        sessions.SessionRecord(
            kind,  # type: ignore[arg-type]
            what,
            dt.datetime.fromisoformat(start),
            900,
            done,
            outcome,  # type: ignore[arg-type]
            {"days": 2},
        ),
    )
    conn.close()


def diary_of_three(invoke: Invoke) -> None:
    for args in (
        ["--pain", "6", "--where", "lower left leg", "--trigger", "lifting", "--helped", "heat"],
        ["--pain", "4", "--note", "stiff getting up", "--helped", "heat,knee-rolls"],
        ["--pain", "0"],
    ):
        day = 20 + len(json.loads(invoke("history", "-f", "json").stdout)["entries"])
        result = invoke("log", *args, "--at", f"2026-11-{day} 08:30")
        assert result.exit_code == 0, result
    record_session("ice", "timer", "stopped", "2026-11-20T09:00:00+00:00", 240)
    record_session("knee-rolls pelvic-tilt", "routine", "worse", "2026-11-21T18:00:00+00:00", 70)


def test_the_fhir_export_validates_and_says_what_it_holds(invoke: Invoke, tmp_path: Path) -> None:
    diary_of_three(invoke)
    result = invoke("export", "--format", "fhir")
    assert result.exit_code == 0, result
    data = validate(result.stdout)
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    kinds = [item["resource"]["resourceType"] for item in data["entry"]]
    assert kinds == ["List", "Observation", "Observation", "Observation", "Procedure", "Procedure"]
    contents = data["entry"][0]["resource"]
    assert contents["note"][0]["text"] == (
        "spasm pain diary, from 2026-11-20 to 2026-11-22: 3 pain entries (Observation) and 2"
        " guided sessions (Procedure); free-text notes are left out (export with --notes to"
        " include them)."
    )
    first = data["entry"][1]["resource"]
    assert first["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert first["category"][0]["coding"][0]["code"] == "survey"
    assert first["valueInteger"] == 6
    offset = diary.local_offset("2026-11-20 08:30")
    assert first["effectiveDateTime"] == f"2026-11-20T08:30:00{offset}"
    assert first["bodySite"]["text"] == "lower back, left side, spreading into a leg"
    texts = [c["valueCodeableConcept"]["text"] for c in first["component"]]
    assert texts == [VOCAB.triggers["lifting"], VOCAB.helped["heat"]]
    assert "stiff getting up" not in result.stdout  # no --notes
    ice = data["entry"][4]["resource"]
    assert ice["status"] == "stopped" and ice["code"]["text"] == "Ice pack, timed with spasm timer"
    assert ice["performedPeriod"] == {
        "start": dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc)
        .astimezone(diary._zone(ice["performedPeriod"]["start"][-6:]))
        .isoformat(),
        "end": dt.datetime(2026, 11, 20, 9, 4, tzinfo=dt.timezone.utc)
        .astimezone(diary._zone(ice["performedPeriod"]["start"][-6:]))
        .isoformat(),
    }
    worse = data["entry"][5]["resource"]
    assert worse["outcome"]["text"] == "Stopped: it made the pain worse"
    assert worse["complication"] == [{"text": "Pain got worse during the session"}]
    with_notes = invoke("export", "--format", "fhir", "--notes")
    data = validate(with_notes.stdout)
    assert data["entry"][2]["resource"]["note"] == [{"text": "stiff getting up"}]
    assert "free-text notes are included" in data["entry"][0]["resource"]["note"][0]["text"]


def test_a_fhir_export_imports_back_losslessly(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diary_of_three(invoke)
    before = json.loads(invoke("history", "-f", "json").stdout)
    out = tmp_path / "diary.json"
    assert invoke("export", "-f", "fhir", "--notes", "-o", str(out)).exit_code == 0
    monkeypatch.setenv("SPASM_HOME", str(tmp_path / "elsewhere"))
    result = invoke("import", str(out))
    assert result.exit_code == 0, result
    assert result.stdout.startswith("imported 3 entries and 2 sessions from")
    after = json.loads(invoke("history", "-f", "json").stdout)
    assert after["entries"] == before["entries"]
    assert after["sessions"] == before["sessions"]
    assert "(5 were already there)" in invoke("import", str(out)).stdout


def test_a_bundle_without_notes_merges_without_a_conflict(invoke: Invoke, tmp_path: Path) -> None:
    diary_of_three(invoke)
    out = tmp_path / "no-notes.json"
    assert invoke("export", "-f", "fhir", "-o", str(out)).exit_code == 0
    result = invoke("import", str(out))
    assert result.exit_code == 0, result
    assert "(5 were already there)" in result.stdout
    notes = [e["note"] for e in json.loads(invoke("history", "-f", "json").stdout)["entries"]]
    assert "stiff getting up" in notes  # kept, not blanked


def test_a_bad_observation_is_refused_by_entry_and_fhir_path(
    invoke: Invoke, tmp_path: Path
) -> None:
    diary_of_three(invoke)
    data = json.loads(invoke("export", "-f", "fhir").stdout)
    data["entry"][1]["resource"]["valueInteger"] = 11
    data["entry"][2]["resource"]["effectiveDateTime"] = "2026-11-21T08:30:00"
    data["entry"][3]["resource"]["resourceType"] = "Patient"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = invoke("import", str(path))
    assert result.exit_code == 2, result
    assert "3 rows have errors; nothing was imported" in result.stderr
    assert "entry 2 (line " in result.stderr
    assert "Observation.valueInteger: 11 is not from 0 to 10" in result.stderr
    assert "Observation.effectiveDateTime: '2026-11-21T08:30:00' has no time and zone" in (
        result.stderr
    )
    assert "resourceType: 'Patient': spasm imports Observation and Procedure" in result.stderr


entries = st.lists(
    st.builds(
        diary.Entry,
        at=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
            lambda d: d.strftime(diary.AT_FORMAT)
        ),
        pain=st.integers(0, 10),
        area=st.sampled_from([None, *diary.AREAS]),
        side=st.sampled_from([None, *diary.SIDES]),
        leg=st.booleans(),
        trigger=st.sampled_from([None, "lifting", "stress"]),
        helped=st.lists(st.sampled_from(["heat", "knee-rolls"]), unique=True).map(tuple),
        note=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
        logged=st.just("2026-11-24T10:00:00+00:00"),
        id=st.integers(1, 10**6),
        uuid=st.uuids(version=4).map(str),
        utc_offset=st.sampled_from(["+00:00", "+05:30", "-08:00", "+13:45"]),
        changed=st.just("2026-11-25T09:00:00+00:00"),
    ),
    max_size=6,
    unique_by=(lambda e: e.id, lambda e: e.uuid),
)


@settings(max_examples=40, deadline=None)
@given(entries)
def test_every_exported_bundle_validates_and_reads_back(items: list[diary.Entry]) -> None:
    text = fhir.export_bundle(items, [], notes=True, vocab=VOCAB)
    validate(text)
    back = [row.item for row in fhir.read_bundle(text, VOCAB)]
    assert back == [
        dataclasses.replace(e, helped_titles=tuple(VOCAB.helped[h] for h in e.helped))
        for e in items
    ]
