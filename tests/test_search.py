"""`spasm search`: relevance, stemming, red flags first, the cache, and odd queries."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from back_spasm_cli.advice import search
from back_spasm_cli.cli.search_commands import KindName
from back_spasm_cli.errors import NotFoundError, UsageError
from back_spasm_cli.knowledge import kb
from back_spasm_cli.knowledge.kinds import KINDS
from back_spasm_cli.system import database
from tests.helpers import Invoke, installed_spasm

DATA = Path(__file__).resolve().parent.parent / "data"

# How people describe back spasms -> the entry that must be in the top 3.
RELEVANCE = [
    ("pain after lifting boxes", "muscle-strain"),
    ("pulled a muscle in my back", "muscle-strain"),
    ("hot water bottle", "heat"),
    ("a warm bath", "heat"),
    ("bag of frozen peas", "rest-and-ice"),
    ("should I put an ice pack on it", "rest-and-ice"),
    ("sitting at my desk all day", "posture-ergonomics"),
    ("drink more water", "hydration"),
    ("stretches", "stretching-and-exercise"),
    ("how long will this last", "how-long"),
    ("pins and needles in my bottom", "saddle-numbness"),
    ("can I take ibuprofen", "medication"),
    ("seeing a physio", "physical-therapy"),
    ("deep tissue massage for the knots", "massage"),
    ("changing my daily habits", "lifestyle-changes"),
    ("feeling stressed and tense", "stress-management"),
    ("eating bananas for potassium", "nutrition"),
    ("my office chair", "ergonomics"),
    ("low on electrolytes", "dehydration-electrolytes"),
    ("slipped disc", "medical-conditions"),
    ("losing weight to help my back", "healthy-weight"),
    ("exercises for my core", "core-strength"),
    ("I slouch all the time", "good-posture"),
    ("warming up before the gym", "warm-up-cool-down"),
    ("overdoing it", "listen-to-your-body"),
    ("when should I see a doctor", "when-to-seek-help"),
    ("will it come back", "can-it-be-prevented"),
    ("child's pose", "bottom-to-heels"),
    ("rolling my knees from side to side", "knee-rolls"),
    ("lying on my front and pushing up", "back-extensions"),
    ("tilting my pelvis", "pelvic-tilt"),
    ("sit up straight", "sitting-posture"),
    ("bending backwards while standing", "back-bends"),
    ("going for a walk", "short-walks"),
    ("wetting myself", "bladder-bowel"),
    ("pain in my chest", "chest-pain"),
    ("I have a high temperature", "fever"),
    ("pain that is worse at night", "night-pain"),
    ("weakness in both legs", "both-legs"),
    ("after a car crash", "serious-accident"),
    ("it is not getting better", "persistent"),
    ("sciatica down one leg", "leg-numbness"),
]


def run_json(invoke: Invoke, *args: str) -> dict[str, typing.Any]:
    result = invoke("search", *args, "--format", "json")
    assert result.exit_code == 0, result
    data: dict[str, typing.Any] = json.loads(result.stdout)
    return data


def ids(data: dict[str, typing.Any]) -> list[str]:
    return [hit["id"] for hit in data["results"]]


def copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    shutil.copytree(DATA, folder)
    return folder


# --------------------------------------------------------------------------- relevance


@pytest.mark.parametrize(("query", "expected"), RELEVANCE, ids=[q for q, _ in RELEVANCE])
def test_relevance(invoke: Invoke, query: str, expected: str) -> None:
    data = run_json(invoke, *query.split(), "--limit", "3")
    assert expected in ids(data), (query, ids(data))


def test_relevance_table_is_large_enough() -> None:
    assert len(RELEVANCE) >= 25


def test_stemming_gives_the_same_top_hit(invoke: Invoke) -> None:
    tops = {ids(run_json(invoke, word))[0] for word in ("stretch", "stretches", "stretching")}
    assert tops == {"stretching-and-exercise"}


def test_aliases_act_as_synonyms(invoke: Invoke) -> None:
    # "frozen peas" is only in the remedy's aliases and steps, not its title.
    assert ids(run_json(invoke, "frozen", "peas"))[0] == "rest-and-ice"


# --------------------------------------------------------------------------- output


def test_json_shape(invoke: Invoke) -> None:
    data = run_json(invoke, "hot", "water", "bottle")
    assert data["query"] == "hot water bottle"
    assert data["results"], data
    for hit in data["results"]:
        assert set(hit) == {"kind", "id", "title", "score", "snippet", "command"}
        assert hit["kind"] in KINDS
        assert hit["command"].startswith("spasm ")
    scores = [hit["score"] for hit in data["results"]]
    assert scores == sorted(scores, reverse=True)
    top = data["results"][0]
    assert top["id"] == "heat" and top["command"] == "spasm remedy heat"
    assert "«hot» «water» «bottle»" in top["snippet"]
    assert "care" not in data
    assert data["disclaimer"] and data["doctor"]


def test_each_hit_opens_with_its_command(invoke: Invoke) -> None:
    for hit in run_json(invoke, "walking", "--limit", "10")["results"]:
        args = hit["command"].split()[1:]
        result = invoke(*args, "--format", "json")
        assert result.exit_code == 0, (hit, result)


@pytest.mark.parametrize("fmt", ["plain", "markdown", "rich"])
def test_highlights_and_safety_in_every_format(invoke: Invoke, fmt: str) -> None:
    result = invoke("search", "hot", "water", "bottle", "--format", fmt, "--region", "uk")
    assert result.exit_code == 0, result
    assert "«hot»" in result.stdout
    assert "spasm remedy heat" in result.stdout
    assert "999 (United Kingdom" in result.stdout  # the emergency banner
    assert "spasm doctor" in result.stdout.strip().splitlines()[-1]  # the footer
    assert "[bold" not in result.stdout and "\x1b" not in result.stdout


def test_plain_output_lists_each_hit_with_kind_id_and_command(invoke: Invoke) -> None:
    out = invoke("search", "hot", "water", "bottle", "--format", "plain").stdout
    assert "Heat therapy (remedy: heat)" in out
    assert "Open it: spasm remedy heat" in out


def test_limit(invoke: Invoke) -> None:
    assert len(run_json(invoke, "pain", "--limit", "2")["results"]) == 2
    assert len(run_json(invoke, "pain")["results"]) == 5
    assert invoke("search", "pain", "--limit", "0").exit_code == 2


@pytest.mark.parametrize("kind", list(KINDS))
def test_kind_filter(invoke: Invoke, kind: str) -> None:
    result = invoke("search", "back", "pain", "muscle", "--kind", kind, "--format", "json")
    assert result.exit_code in (0, 1), result
    if result.exit_code == 0:
        assert {hit["kind"] for hit in json.loads(result.stdout)["results"]} <= {kind}


def test_kind_filter_finds_the_exercise(invoke: Invoke) -> None:
    data = run_json(invoke, "walking", "--kind", "exercise")
    assert ids(data)[0] == "short-walks"
    assert data["results"][0]["command"] == "spasm exercises short-walks"


def test_kind_choices_match_the_kinds() -> None:
    assert set(typing.get_args(KindName)) == set(KINDS)


def test_unknown_kind_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("search", "heat", "--kind", "potion")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- red flags


@pytest.mark.parametrize(
    ("query", "flag"),
    [
        ("I can't control my bladder", "bladder-bowel"),
        ("numb groin", "saddle-numbness"),
        ("chest pain", "chest-pain"),
        # Everyday phrasings found in a new-user trial.
        ("my chest hurts and my back is in spasm", "chest-pain"),
        ("fell off a ladder", "serious-accident"),
        ("fell down the stairs", "serious-accident"),
        ("can't feel my bum", "saddle-numbness"),
        ("pins and needles in my bottom", "saddle-numbness"),
        ("loss of sensation in groin", "saddle-numbness"),
        ("tingling in my legs", "both-legs"),
        ("pins and needles in my legs", "both-legs"),
    ],
)
def test_emergency_red_flags_come_first(invoke: Invoke, query: str, flag: str) -> None:
    data = run_json(invoke, *query.split(), "--region", "uk")
    assert next(iter(data)) == "care"
    assert data["care"]["level"] == "emergency"
    assert flag in data["care"]["red_flags"]
    assert "999 (United Kingdom" in data["care"]["action"]

    out = invoke("search", *query.split(), "--format", "plain", "--region", "uk").stdout
    first = out.split("\n\n")[0]
    assert first.startswith("Emergency")
    assert "999 (United Kingdom" in first
    assert "Why:" in first


def test_urgent_red_flag_names_the_urgent_number(invoke: Invoke) -> None:
    data = run_json(invoke, "I", "have", "a", "fever", "--region", "uk")
    assert data["care"]["level"] == "urgent"
    assert data["care"]["red_flags"] == ["fever"]
    assert "NHS 111" in data["care"]["action"]


def test_the_strictest_level_wins(invoke: Invoke) -> None:
    data = run_json(invoke, "fever", "and", "chest", "pain")
    assert data["care"]["level"] == "emergency"
    assert data["care"]["red_flags"] == ["chest-pain"]


def test_care_block_uses_the_region(invoke: Invoke) -> None:
    out = invoke("search", "chest", "pain", "--format", "plain", "--region", "nz").stdout
    assert "111 (New Zealand" in out.split("\n\n")[0]


def test_care_comes_first_even_with_a_kind_filter(invoke: Invoke) -> None:
    result = invoke("search", "chest", "pain", "--kind", "remedy", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["care"]["level"] == "emergency"


@pytest.mark.parametrize(
    "query",
    [
        "hot water bottle",
        "muscle injury from lifting",  # "injury" is also the muscle strain's name
        "what makes it worse",  # "worse" is everywhere in the advice
        "how to lose weight",  # "lose weight" is a prevention habit
        "ice for 20 minutes",
        "stretches for my lower back",
        "I fell asleep on the sofa",
    ],
)
def test_everyday_words_raise_no_red_flag(invoke: Invoke, query: str) -> None:
    assert "care" not in run_json(invoke, *query.split())


@pytest.mark.parametrize("query", ["chest pain exercises", "I have a fever, is heat ok"])
def test_no_self_care_is_listed_beside_an_urgent_or_emergency_flag(
    invoke: Invoke, query: str
) -> None:
    data = run_json(invoke, *query.split())
    assert data["care"]["level"] in ("emergency", "urgent")
    assert {hit["kind"] for hit in data["results"]} <= {"red-flag", "faq"}


def test_one_leg_and_both_legs_are_told_apart(invoke: Invoke) -> None:
    # Stemmed, "numb leg" (one leg, see a GP) and "legs numb" (both, emergency) are equal.
    assert run_json(invoke, "my", "leg", "is", "numb")["care"]["level"] == "gp"
    assert run_json(invoke, "my", "legs", "are", "numb")["care"]["level"] == "emergency"


# --------------------------------------------------------------------------- misses


def test_no_hits_suggests_words_and_exits_1_still_with_the_safety_strip(invoke: Invoke) -> None:
    result = invoke("search", "stretchign", "--format", "plain", "--region", "uk")
    assert result.exit_code == 1, result
    assert "999 (United Kingdom" in result.stdout  # the safety strip
    assert "spasm doctor" in result.stdout.strip().splitlines()[-1]
    assert "nothing matches 'stretchign'" in result.stderr
    assert "did you mean" in result.stderr and "stretching" in result.stderr


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_a_usage_error(invoke: Invoke, query: str) -> None:
    result = invoke("search", query)
    assert result.exit_code == 2
    assert "nothing to search for" in result.stderr


def test_missing_query_is_a_usage_error(invoke: Invoke) -> None:
    assert invoke("search").exit_code == 2


def test_an_argument_over_1000_characters_is_refused_at_once(invoke: Invoke) -> None:
    result = invoke("search", "x" * 5000)
    assert result.exit_code == 2
    assert result.stderr == "spasm: an argument of 5,000 characters is too long (at most 1,000)\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR",
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "heat AND",
        '"heat',
        "NEAR(heat ice)",
        "heat*",
        "^heat",
        "title: heat",
        "{title}: heat",
        "heat OR",
        "-",
        "--",
        "?!",
        "'",
        "\x00heat",
        "日本語",
        "ｈｅａｔ",
        "HEAT",
        "Ice; DROP TABLE docs",
    ],
)
def test_odd_queries_are_answered_without_errors(invoke: Invoke, query: str) -> None:
    result = invoke("search", "--", query)
    # "-" alone reads the words from standard input (issue 18), empty here: a usage error.
    assert result.exit_code in ((2,) if query == "-" else (0, 1)), result
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text())
def test_any_text_never_raises(invoke: Invoke, text: str) -> None:
    result = invoke("search", "--format", "json", "--", text)
    assert result.exit_code in (0, 1, 2), result
    if result.exit_code == 0:
        json.loads(result.stdout)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_engine_only_raises_usage_or_not_found(text: str) -> None:
    with search.open_index(kb.load()) as index, contextlib.suppress(UsageError, NotFoundError):
        index.search(text)


# --------------------------------------------------------------------------- the cache


def index_file(home: Path) -> Path:
    files = list((home / "spasm" / "cache" / "search").glob("*.sqlite3"))
    assert len(files) == 1, files
    return files[0]


@pytest.mark.cold_cache
def test_index_is_cached_and_reused(isolated_home: Path) -> None:
    knowledge = kb.load()
    with search.open_index(knowledge) as first:
        assert first.built and first.path is not None and first.notices == ()
        assert first.path.parent == isolated_home / "spasm" / "cache" / "search"
    with search.open_index(knowledge) as second:
        assert not second.built and second.notices == ()
        assert second.path == first.path


@pytest.mark.cold_cache
def test_the_index_key_covers_the_code(isolated_home: Path) -> None:
    # kb.fingerprint hashes the data and spasm's own code: another code, another index.
    knowledge = kb.load()
    with search.open_index(knowledge) as first:
        assert first.built
    edited = knowledge._replace(fingerprint="0" * 64)
    with search.open_index(edited) as second:
        assert second.built and second.path != first.path


@pytest.mark.cold_cache
def test_index_is_rebuilt_when_the_base_changes(invoke: Invoke, tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    assert invoke("--kb", str(folder), "search", "zebrafish").exit_code == 1
    remedies = folder / "remedies.yaml"
    text = remedies.read_text(encoding="utf-8")
    remedies.write_text(
        text.replace("- hot water bottle", "- hot water bottle\n      - zebrafish", 1),
        encoding="utf-8",
    )
    data = json.loads(invoke("--kb", str(folder), "search", "zebrafish", "--format", "json").stdout)
    assert ids(data)[0] == "heat"
    indexes = list((tmp_path / "home" / "spasm" / "cache" / "search").glob("*.sqlite3"))
    assert len(indexes) == 2  # one per version of the base


def test_the_index_holds_data_not_presentation(isolated_home: Path) -> None:
    with search.open_index(kb.load()) as index:
        keys = {row[0] for row in index.conn.execute("SELECT key FROM meta")}
        values = " ".join(row[0] for row in index.conn.execute("SELECT value FROM meta"))
    assert keys == {"fingerprint", "generic", "commands"}
    # Nothing of the frame: no banner, numbers, disclaimer or care levels.
    for shown in ("999", "United Kingdom", "not a diagnosis", "emergency department"):
        assert shown not in values


def test_unwritable_cache_builds_in_memory_with_one_line(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("SPASM_HOME", str(blocker / "spasm"))  # mkdir under a file fails
    result = invoke("search", "hot", "water", "bottle", "--format", "json")
    assert result.exit_code == 0, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("spasm: the search index cannot be saved (")
    assert lines[0].endswith("); searched without the cache")
    assert ids(json.loads(result.stdout))[0] == "heat"
    with search.open_index(kb.load(use_cache=False)) as index:
        assert index.path is None and index.built


@pytest.mark.parametrize("home", ["relative/home", "we ird?#%home"])
def test_cache_in_a_relative_or_oddly_named_home(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPASM_HOME", home)
    for _ in range(2):
        result = invoke("search", "heat", "--format", "json")
        assert result.exit_code == 0, result
    with search.open_index(kb.load()) as index:
        assert not index.built and index.path is not None
        assert index.path.absolute().is_relative_to(tmp_path / home)


@pytest.mark.cold_cache
def test_old_indexes_are_pruned(isolated_home: Path) -> None:
    folder = isolated_home / "spasm" / "cache" / "search"
    folder.mkdir(parents=True)
    for number in range(search.INDEX_KEEP + 4):
        old = folder / f"{number:016x}-{search.INDEX_FORMAT}.sqlite3"
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))
    with search.open_index(kb.load()) as index:
        assert index.path is not None and index.path.exists()
    assert len(list(folder.glob("*.sqlite3"))) == search.INDEX_KEEP


def _damage_notice(result: typing.Any) -> None:
    """One line on stderr saying the index was damaged and rebuilt; the answer is right."""
    assert result.exit_code == 0, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("spasm: the search index was damaged ("), lines
    assert lines[0].endswith("; rebuilt it")
    assert ids(json.loads(result.stdout))[0] == "heat"


@pytest.mark.cold_cache
def test_random_bytes_in_the_index_are_detected_and_rebuilt_once(
    invoke: Invoke, isolated_home: Path
) -> None:
    assert invoke("search", "heat").exit_code == 0
    path = index_file(isolated_home)
    size = path.stat().st_size
    with path.open("r+b") as damaged:  # random bytes over the middle of the file
        damaged.seek(size // 3)
        damaged.write(random.Random(7).randbytes(size // 3))
    _damage_notice(invoke("search", "hot", "water", "bottle", "--format", "json"))
    again = invoke("search", "hot", "water", "bottle", "--format", "json")
    assert again.exit_code == 0 and again.stderr == ""  # healed: no notice the second time


@pytest.mark.cold_cache
def test_a_file_that_is_not_a_database_is_rebuilt(invoke: Invoke, isolated_home: Path) -> None:
    assert invoke("search", "heat").exit_code == 0
    index_file(isolated_home).write_bytes(b"this is not a database")
    _damage_notice(invoke("search", "hot", "water", "bottle", "--format", "json"))


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE entries SET title = 'Tampered' WHERE id = 'heat'",
        "DELETE FROM entries WHERE id = 'heat'",
        "UPDATE meta SET value = '[]' WHERE key = 'generic'",
        "INSERT INTO docs(rowid, title, aliases, summary, body, notes)"
        " VALUES (999, 'hot water bottle', '', '', '', '')",
    ],
    ids=["row-edited", "row-deleted", "meta-edited", "row-added"],
)
@pytest.mark.cold_cache
def test_a_tampered_but_valid_index_is_detected_and_rebuilt(
    invoke: Invoke, isolated_home: Path, tamper: str
) -> None:
    assert invoke("search", "heat").exit_code == 0
    conn = sqlite3.connect(index_file(isolated_home))
    with conn:
        conn.execute(tamper)
    conn.close()
    result = invoke("search", "hot", "water", "bottle", "--format", "json")
    _damage_notice(result)
    assert "do not match its hash" in result.stderr
    assert json.loads(result.stdout)["results"][0]["title"] == "Heat therapy"


@pytest.mark.parametrize(
    "change", ["PRAGMA user_version = 7", "DROP TABLE words"], ids=["version", "table"]
)
@pytest.mark.cold_cache
def test_an_index_with_the_wrong_schema_is_rebuilt(
    invoke: Invoke, isolated_home: Path, change: str
) -> None:
    assert invoke("search", "heat").exit_code == 0
    conn = sqlite3.connect(index_file(isolated_home))
    conn.execute(change)
    conn.commit()
    conn.close()
    _damage_notice(invoke("search", "hot", "water", "bottle", "--format", "json"))


@pytest.mark.cold_cache
def test_a_stale_temporary_file_is_removed_on_the_next_run(
    invoke: Invoke, isolated_home: Path
) -> None:
    folder = isolated_home / "spasm" / "cache" / "search"
    folder.mkdir(parents=True)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)  # a process that has exited (as after kill -9)
    stale = folder / f".0123456789abcdef-{search.INDEX_FORMAT}.sqlite3.{dead_pid}.tmp"
    stale.write_bytes(b"half an index")
    other = folder / f".0123456789abcdef-{search.INDEX_FORMAT}.sqlite3.{os.getpid()}.tmp"
    other.write_bytes(b"a live process's build")
    assert invoke("search", "heat").exit_code == 0
    assert not stale.exists()
    assert other.exists()  # its process is alive: not stale


@pytest.mark.cold_cache
def test_concurrent_cold_searches_all_succeed_and_one_builds(spasm_env: dict[str, str]) -> None:
    runs = [
        subprocess.Popen(
            [installed_spasm(), "search", "hot", "water", "bottle", "--format", "json"],
            env=spasm_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert err == ""
        assert ids(json.loads(out))[0] == "heat"
    folder = Path(spasm_env["SPASM_HOME"]) / "cache" / "search"
    assert len(list(folder.glob("*.sqlite3"))) == 1
    assert list(folder.glob("*.tmp")) == []


def test_index_migrations_build_a_blank_database(tmp_path: Path) -> None:
    conn = database.connect(tmp_path / "index.sqlite3", search.INDEX_MIGRATIONS)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        (version,) = conn.execute("PRAGMA user_version").fetchone()
    finally:
        conn.close()
    assert {"meta", "entries", "docs", "words"} <= tables
    assert version == len(search.INDEX_MIGRATIONS)


def test_unknown_region_is_a_usage_error(invoke: Invoke) -> None:
    invoke("search", "heat")  # build the index
    result = invoke("search", "heat", "--region", "mars")
    assert result.exit_code == 2
    assert "unknown region 'mars'" in result.stderr


def test_warm_search_parses_no_yaml(spasm_env: dict[str, str]) -> None:
    # The base comes from its snapshot and the index from the cache: no YAML is parsed.
    code = (
        "import sys\n"
        "from back_spasm_cli.cli import main\n"
        "sys.argv = ['spasm', 'search', 'heat', '--format', 'plain']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in ('yaml',) if m in sys.modules]\n"
        "sys.stderr.write('LOADED=' + ','.join(loaded))\n"
    )
    run = [sys.executable, "-c", code]
    subprocess.run(run, env=spasm_env, capture_output=True, check=True)  # builds the index
    warm = subprocess.run(run, env=spasm_env, capture_output=True, text=True, check=True)
    assert warm.stderr.strip().endswith("LOADED="), warm.stderr


def test_the_benchmark_generates_a_valid_base(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        import search_bench
    finally:
        sys.path.pop(0)
    folder = search_bench.generate(tmp_path / "kb", 40, search_bench.Corpus())
    knowledge = kb.load(str(folder), use_cache=False)
    assert sum(1 for _ in kb.iter_items(knowledge.content)) > 40
    with search.open_index(knowledge) as index:
        assert index.search("hot water bottle").hits


@pytest.mark.cold_cache
def test_a_file_of_another_schema_under_a_matching_hash_is_rebuilt(
    invoke: Invoke, isolated_home: Path
) -> None:
    # Bytes that match the name's hash, but not an index of this schema.
    assert invoke("search", "heat").exit_code == 0
    path = index_file(isolated_home)
    path.unlink()
    other = path.with_name("other.sqlite3")
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    digest = search._file_digest(other)
    other.rename(path.with_name(path.name.rsplit("-", 1)[0] + f"-{digest[:32]}.sqlite3"))
    result = invoke("search", "hot", "water", "bottle", "--format", "json")
    _damage_notice(result)
    assert "tables missing" in result.stderr


def test_punctuation_only_exits_1_with_the_safety_strip(invoke: Invoke) -> None:
    result = invoke("search", "?!", "--format", "plain", "--region", "uk")
    assert result.exit_code == 1
    assert "999 (United Kingdom" in result.stdout
    assert "nothing to search for" in result.stderr
