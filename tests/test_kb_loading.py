"""The loader: strict schema, every error with file:line, hostile input refused safely."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from back_spasm_cli.knowledge import kb
from tests.helpers import Invoke, assert_no_bug

MINIMAL = """\
meta:
  title: Test base
  disclaimer: Test disclaimer line.
  doctor_pointer: Test pointer to spasm doctor.
  medication_notice: Follow the label or ask a pharmacist.
  sources: [seed]
fallback:
  emergency: your local emergency number
  urgent: your local urgent care
remedies:
  - id: heat
    title: Heat therapy
    aliases: [heating pad]
    summary: Warmth relaxes tight muscles.
    sources: [seed]
"""


def write(tmp_path: Path, text: str | bytes, name: str = "kb.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_shipped_base_is_valid(invoke: Invoke) -> None:
    result = invoke("kb", "validate", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["origin"] == "shipped"


def test_minimal_base_validates_with_counts(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    result = invoke("kb", "validate", str(path), "--format", "plain")
    assert result.exit_code == 0
    assert "valid" in result.stdout
    assert "remedies: 1" in result.stdout


def test_kb_option_and_environment_variable_pick_the_base(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    by_option = invoke("--kb", str(path), "remedy", "heating", "pad", "--format", "plain")
    by_env = invoke("remedy", "heat", "--format", "plain", env={"SPASM_KB": str(path)})
    for result in (by_option, by_env):
        assert result.exit_code == 0, result.stderr
        assert "Warmth relaxes tight muscles." in result.stdout
        assert "Test disclaimer line." in result.stdout


def test_a_folder_of_files_is_merged(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "a.yaml")
    write(
        tmp_path,
        "causes:\n  - id: strain\n    title: Strain\n    summary: Overdoing it.\n"
        "    related: [heat]\n    sources: [seed]\n",
        "b.yml",
    )
    result = invoke("kb", "validate", str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["causes"] == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    colour: red\n", "unknown key"),
        ("    cautions: not-a-list\n", "valid list"),
        ("    related: [nowhere]\n", "related id 'nowhere' points to no entry"),
        ("    sources: [ftp://example]\n", "source is 'seed'"),
    ],
)
def test_schema_errors_name_file_line_and_field(
    invoke: Invoke, tmp_path: Path, extra: str, expected: str
) -> None:
    text = MINIMAL.replace("    sources: [seed]\n", "", 1) if "sources" in extra else MINIMAL
    text = text.rstrip("\n") + "\n" + extra
    if "sources" in extra:  # put the bad sources on the remedy, not on meta
        text = MINIMAL.replace(
            "    summary: Warmth relaxes tight muscles.\n    sources: [seed]\n",
            "    summary: Warmth relaxes tight muscles.\n" + extra,
        )
    path = write(tmp_path, text)
    result = invoke("kb", "validate", str(path))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert f"{path}:" in result.stderr
    assert "remedies[0]" in result.stderr
    assert_no_bug(result)


def test_an_unknown_key_points_at_the_key(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("kb", "validate", str(write(tmp_path, MINIMAL + "    colour: red\n")))
    assert result.exit_code == 2
    assert ":16:5: remedies[0].colour: unknown key" in result.stderr


def test_every_error_is_listed_not_just_the_first(invoke: Invoke, tmp_path: Path) -> None:
    text = MINIMAL + (
        "  - id: heat\n    title: Duplicate\n    summary: Again.\n    sources: [seed]\n"
        "  - id: Bad Id\n    summary: 42\n    sources: []\n"
    )
    result = invoke("kb", "validate", str(write(tmp_path, text)))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(lines) >= 4, result.stderr  # bad id, missing title, summary type, empty sources
    assert any(":19:" in line or ":20:" in line for line in lines), result.stderr


def test_duplicate_ids_across_files(invoke: Invoke, tmp_path: Path) -> None:
    write(tmp_path, MINIMAL, "a.yaml")
    write(
        tmp_path,
        "remedies:\n  - id: heat\n    title: Again\n    summary: Twice.\n    sources: [seed]\n",
        "b.yaml",
    )
    result = invoke("kb", "validate", str(tmp_path))
    assert result.exit_code == 2
    assert "duplicate id 'heat' (first defined in" in result.stderr
    assert "b.yaml:2:" in result.stderr


def test_duplicate_keys_are_refused(invoke: Invoke, tmp_path: Path) -> None:
    text = MINIMAL + "    title: Second title\n"
    result = invoke("kb", "validate", str(write(tmp_path, text)))
    assert result.exit_code == 2
    assert "duplicate key 'title'" in result.stderr


def test_missing_meta_is_an_error(invoke: Invoke, tmp_path: Path) -> None:
    text = MINIMAL.split("fallback:")[1]
    result = invoke("kb", "validate", str(write(tmp_path, "fallback:" + text)))
    assert result.exit_code == 2
    assert "no file defines `meta:`" in result.stderr


# --------------------------------------------------------------------------- hostile input


def test_python_tags_are_refused_and_nothing_runs(invoke: Invoke, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = MINIMAL + f"evil: !!python/object/apply:os.system ['touch {marker}']\n"
    result = invoke("kb", "validate", str(write(tmp_path, text)))
    assert result.exit_code == 2
    assert "python/object/apply:os.system" in result.stderr
    assert "not allowed" in result.stderr
    assert ":16:" in result.stderr
    assert not marker.exists()


def test_yaml_syntax_error_names_the_line(invoke: Invoke, tmp_path: Path) -> None:
    text = MINIMAL + "  - id: [unclosed\n"
    result = invoke("kb", "validate", str(write(tmp_path, text)))
    assert result.exit_code == 2
    assert "YAML syntax error" in result.stderr
    assert f"{tmp_path / 'kb.yaml'}:1" in result.stderr
    assert_no_bug(result)


@pytest.mark.parametrize("content", ["", "   \n\n", "# only a comment\n"])
def test_empty_file(invoke: Invoke, tmp_path: Path, content: str) -> None:
    result = invoke("kb", "validate", str(write(tmp_path, content)))
    assert result.exit_code == 2
    assert "empty" in result.stderr


def test_top_level_must_be_a_mapping(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("kb", "validate", str(write(tmp_path, "- just\n- a list\n")))
    assert result.exit_code == 2
    assert "top level must be a mapping" in result.stderr


def test_folder_without_yaml(invoke: Invoke, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = invoke("--kb", str(tmp_path), "causes")
    assert result.exit_code == 2
    assert "no YAML files" in result.stderr
    assert str(tmp_path) in result.stderr


def test_missing_path(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("--kb", str(tmp_path / "nope.yaml"), "remedies")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_not_utf8(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.encode() + b"  # caf\xe9\n")
    result = invoke("kb", "validate", str(path))
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr


def test_alias_bomb_is_refused_quickly(invoke: Invoke, tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join(f"*a{level - 1}" for _ in range(9))
        lines.append(f"a{level}: &a{level} [{refs}]")
    bomb = MINIMAL + "\n".join(lines) + "\n"
    start = time.perf_counter()
    result = invoke("kb", "validate", str(write(tmp_path, bomb)))
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2
    assert "aliases" in result.stderr


def test_very_large_file_is_refused_quickly(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(kb.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    start = time.perf_counter()
    result = invoke("kb", "validate", str(path))
    assert time.perf_counter() - start < 5
    assert result.exit_code == 2
    assert "limit" in result.stderr
    assert str(path) in result.stderr


HOSTILE_TEXT = MINIMAL.replace(
    "Warmth relaxes tight muscles.",
    '"[red]Bold claim[/red] \\e[31mred\\e[0m \\e]0;title\\a [link=http://x]y[/link]"',
)


@pytest.mark.parametrize("fmt", ["rich", "plain", "markdown", "json"])
def test_markup_and_escapes_in_data_are_never_interpreted(
    invoke: Invoke, tmp_path: Path, fmt: str
) -> None:
    path = write(tmp_path, HOSTILE_TEXT)
    result = invoke("--kb", str(path), "remedy", "heat", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    if fmt == "json":
        summary = json.loads(out)["entries"][0]["summary"]
        assert "[red]Bold claim[/red]" in summary  # JSON keeps the data; escapes are \u-quoted
        assert "\x1b" not in out
        return
    assert "\x1b" not in out and "\x07" not in out
    if fmt == "markdown":
        assert r"\[red\]Bold claim\[/red\]" in out
    else:
        assert "[red]Bold claim[/red]" in out
        assert "[link=http://x]y[/link]" in out


def test_validate_uses_no_cache_and_load_caches(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    first = kb.load(str(path))
    second = kb.load(str(path))
    assert not first.from_cache
    assert second.from_cache
    assert second.content.to_data() == first.content.to_data()  # the same data, unpickled
    path.write_text(MINIMAL.replace("Warmth", "Gentle warmth"), encoding="utf-8")
    third = kb.load(str(path))
    assert not third.from_cache
    assert third.content.remedies[0].summary.startswith("Gentle warmth")


def test_unwritable_cache_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SPASM_HOME", str(blocker / "spasm"))
    loaded = kb.load(str(write(tmp_path, MINIMAL)))
    assert loaded.content.remedies[0].id == "heat"


def test_json_schema_is_printed_and_matches_docs(invoke: Invoke) -> None:
    result = invoke("kb", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "remedies" in schema["properties"]
    shipped = Path(__file__).resolve().parent.parent / "docs" / "kb.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == schema, (
        "docs/kb.schema.json is stale: spasm kb schema > docs/kb.schema.json"
    )


REGION = """\
regions:
  - id: nz
    name: New Zealand
    countries: [NZ]
    emergency: {number: "111", label: "LABEL"}
    sources: [seed]
"""


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("111", "must name the country"),
        ("call 111 now", "must name the country"),
        ("999 (New Zealand emergency)", "must contain its number"),
    ],
)
def test_a_number_is_never_shown_without_its_country(
    invoke: Invoke, tmp_path: Path, label: str, expected: str
) -> None:
    path = write(tmp_path, MINIMAL + REGION.replace("LABEL", label))
    result = invoke("kb", "validate", str(path))
    assert result.exit_code == 2
    assert expected in result.stderr


def test_red_flags_need_their_care_levels(invoke: Invoke, tmp_path: Path) -> None:
    flag = (
        "red_flags:\n  - id: chest-pain\n    level: emergency\n    title: Chest pain\n"
        "    question: Do you have chest pain?\n    explain: It needs help now.\n"
        "    sources: [seed]\n"
    )
    result = invoke("kb", "validate", str(write(tmp_path, MINIMAL + flag)))
    assert result.exit_code == 2
    assert "care level 'emergency' is not in care_levels" in result.stderr
