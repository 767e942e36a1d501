"""Stored views: used when current, never stale, never hiding an error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from back_spasm_cli import kb, viewcache
from tests.conftest import Invoke

DATA = Path(__file__).resolve().parent.parent / "data"


def test_a_repeated_lookup_is_served_without_loading_the_base(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = invoke("remedy", "heat", "--format", "plain")
    assert first.exit_code == 0

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the knowledge base was loaded for a stored view")

    monkeypatch.setattr(kb, "load", refuse)
    second = invoke("remedy", "heat", "--format", "plain")
    assert second.exit_code == 0
    assert second.stdout == first.stdout


def test_the_stored_view_is_a_document_not_rendered_text(invoke: Invoke) -> None:
    plain = invoke("remedy", "heat", "--format", "plain")
    as_json = invoke("remedy", "heat", "--format", "json")  # same view, other format
    assert plain.exit_code == as_json.exit_code == 0
    assert json.loads(as_json.stdout)["entries"][0]["id"] == "heat"


def test_an_edited_base_is_never_served_stale(invoke: Invoke, tmp_path: Path) -> None:
    base = tmp_path / "kb"
    shutil.copytree(DATA, base)
    before = invoke("--kb", str(base), "remedy", "heat", "--format", "json")
    remedies = base / "remedies.yaml"
    remedies.write_text(
        remedies.read_text(encoding="utf-8").replace("title: Heat therapy", "title: Warmth"),
        encoding="utf-8",
    )
    after = invoke("--kb", str(base), "remedy", "heat", "--format", "json")
    assert json.loads(before.stdout)["entries"][0]["title"] == "Heat therapy"
    assert json.loads(after.stdout)["entries"][0]["title"] == "Warmth"


def test_region_and_locale_are_part_of_the_view(invoke: Invoke) -> None:
    uk = invoke("doctor", "--format", "plain", "--region", "uk")
    nz = invoke("doctor", "--format", "plain", "--region", "nz")
    by_locale = invoke("doctor", "--format", "plain", env={"LANG": "en_AU.UTF-8"})
    assert "999 (United Kingdom" in uk.stdout and "999 (United Kingdom" not in nz.stdout
    assert "111 (New Zealand" in nz.stdout
    assert "000 (Australia" in by_locale.stdout


def test_a_miss_is_not_stored_and_errors_stay_errors(invoke: Invoke) -> None:
    for _ in range(2):
        result = invoke("remedy", "xyzzy")
        assert result.exit_code == 1
        assert "no remedy matches" in result.stderr
    for _ in range(2):
        result = invoke("doctor", "--region", "mars")
        assert result.exit_code == 2


def test_loose_match_notice_survives_the_cache(invoke: Invoke) -> None:
    for _ in range(2):
        result = invoke("remedy", "haet", "--format", "plain")
        assert "closest: Heat therapy" in result.stderr


def test_a_damaged_cache_only_costs_speed(invoke: Invoke) -> None:
    invoke("remedy", "heat")
    path = viewcache.cache_path()
    assert path.is_file()
    path.write_bytes(b"this is not a database")
    result = invoke("remedy", "heat", "--format", "plain")
    assert result.exit_code == 0
    assert "Heat therapy" in result.stdout


def test_an_invalid_base_is_reported_even_after_a_stored_view(
    invoke: Invoke, tmp_path: Path
) -> None:
    base = tmp_path / "kb"
    shutil.copytree(DATA, base)
    assert invoke("--kb", str(base), "remedy", "heat").exit_code == 0
    (base / "remedies.yaml").write_text("remedies: [oops\n", encoding="utf-8")
    result = invoke("--kb", str(base), "remedy", "heat")
    assert result.exit_code == 2
    assert "YAML syntax error" in result.stderr
