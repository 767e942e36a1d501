"""The Spanish layer of the knowledge base (data/es/): complete where safety needs it,
refused where it would change more than words, marked where it falls back to English,
stamped with the hash of the English it was made from."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from back_spasm_cli.knowledge import kb, language
from back_spasm_cli.knowledge import stamp as stamping
from tests.helpers import installed_spasm

DATA = Path(__file__).resolve().parents[1] / "data"


def english() -> kb.KnowledgeBaseFile:
    return kb.load(layered=False, use_cache=False).content


def spanish_report() -> language.Report:
    source = kb.language_layer(None, "es")[0]
    issues: list[kb.KBIssue] = []
    documents = [kb.compose(f.name, f.read_bytes(), issues) for f in source.files]
    assert issues == []
    return language.walk(english(), [d[0] for d in documents if d], "es").report


def test_spanish_safety_text_is_complete_and_current() -> None:
    report = spanish_report()
    assert language.safety_gaps(report) == []


def test_spanish_is_what_a_spanish_base_shows() -> None:
    content = kb.load(languages=kb.language_layer(None, "es"), use_cache=False).content
    assert content.meta is not None
    assert content.meta.disclaimer.startswith("spasm ofrece información general")
    heat = next(r for r in content.remedies if r.id == "heat")
    assert heat.title == "Calor"
    assert "calor" in heat.aliases and "hot water bottle" in heat.aliases  # both work
    fever = next(f for f in content.red_flags if f.id == "fever")
    assert fever.level == "urgent"
    spain = next(r for r in content.regions if r.id == "es")
    assert spain.emergency.number == "112"
    assert spain.emergency.label == "112 (emergencias, España)"


def copy_base(tmp_path: Path) -> Path:
    base = tmp_path / "kb"
    base.mkdir()
    for file in DATA.glob("*.yaml"):
        shutil.copy(file, base / file.name)
    (base / "es").mkdir()
    return base


def load_es(base: Path) -> kb.KnowledgeBaseFile:
    return kb.load(str(base), languages=kb.language_layer(str(base), "es"), use_cache=False).content


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("red_flags:\n  - id: fever\n    level: gp\n    title: Fiebre\n", "'level' cannot change"),
        (
            "remedies:\n  - id: heat\n    cautions: [Cuidado.]\n",
            "a translation has as many",
        ),
        (
            "regions:\n  - id: uk\n    emergency:\n      number: '998'\n",
            "'number' cannot change",
        ),
        (
            "red_flags:\n  - id: no-such-flag\n    title: Nada\n",
            "no entry has the id 'no-such-flag'",
        ),
    ],
)
def test_a_translation_changes_words_never_levels_numbers_or_lists(
    tmp_path: Path, text: str, refusal: str
) -> None:
    base = copy_base(tmp_path)
    (base / "es" / f"{text.split(':')[0]}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(kb.KnowledgeBaseError) as caught:
        load_es(base)
    assert refusal in "\n".join(str(issue) for issue in caught.value.issues)


def test_an_ordinary_entry_missing_in_spanish_is_english_and_says_so(tmp_path: Path) -> None:
    base = copy_base(tmp_path)
    (base / "es" / "remedies.yaml").write_text(
        "remedies:\n  - id: heat\n    title: Calor\n", encoding="utf-8"
    )
    content = load_es(base)
    titles = {r.id: r.title for r in content.remedies}
    assert titles["rest-and-ice"] == "Rest and ice therapy (en inglés)"
    assert titles["heat"] == "Calor (en inglés)"  # its summary and steps are still English
    # Safety text is never marked: it must be complete (the test above).
    assert not any(flag.title.endswith("(en inglés)") for flag in content.red_flags)


def test_stamping_writes_the_hash_and_a_changed_english_makes_it_stale(tmp_path: Path) -> None:
    base = copy_base(tmp_path)
    layer = base / "es" / "remedies.yaml"
    layer.write_text(
        "# comment kept\nremedies:\n  - id: heat\n    title: Calor\n    summary: >-\n"
        "      Calor suave.\n  - id: massage\n    title: Masaje\n",
        encoding="utf-8",
    )
    content = kb.load(str(base), layered=False, use_cache=False).content
    issues: list[kb.KBIssue] = []
    composed = kb.compose("remedies.yaml", layer.read_bytes(), issues)
    assert composed is not None
    text, names = stamping.stamp(content, layer.read_text(encoding="utf-8"), composed[1])
    assert names == ["remedies[heat]", "remedies[massage]"]
    heat = next(r for r in content.remedies if r.id == "heat")
    assert f'  - id: heat\n    source_hash: "{language.source_hash(heat)}"\n    title:' in text
    assert text.startswith("# comment kept\n")
    layer.write_text(text, encoding="utf-8")
    again = kb.compose("remedies.yaml", layer.read_bytes(), issues)
    assert again is not None
    assert stamping.stamp(content, text, again[1])[1] == []  # nothing left to stamp

    def report() -> language.Report:
        now = kb.load(str(base), layered=False, use_cache=False).content
        data = kb.compose("remedies.yaml", layer.read_bytes(), issues)
        assert data is not None
        return language.walk(now, [data[0]], "es").report

    assert "remedies[heat]" not in report().stale
    english_file = base / "remedies.yaml"
    english_file.write_text(
        english_file.read_text(encoding="utf-8").replace("Heat therapy", "Warmth"),
        encoding="utf-8",
    )
    assert "remedies[heat]" in report().stale


def run(args: list[str], env: dict[str, str], lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed_spasm(), *args],
        env={**env, "LANG": lang},
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_switching_language_shows_at_once(spasm_env: dict[str, str]) -> None:
    first = run(["remedy", "calor"], spasm_env, "es_ES.UTF-8")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Emergencia si tiene:")
    assert "Llame ya a emergencias: 112 (emergencias, España)" in first.stdout
    english_run = run(["remedy", "heat"], spasm_env, "en_GB.UTF-8")
    assert "Heat therapy" in english_run.stdout and "Calor" not in english_run.stdout
    again = run(["remedy", "heat"], spasm_env, "es_MX.UTF-8")
    assert "Calor" in again.stdout and "911 (emergencias, México)" in again.stdout


def test_kb_check_finds_no_gap_in_the_spanish_safety_text(spasm_env: dict[str, str]) -> None:
    import json

    result = run(["kb", "check", "--lang", "es", "--format", "json"], spasm_env, "C")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)["languages"]["es"]
    assert report["safety_gaps"] == []
    assert all(not item.startswith(("red_flags", "triage", "meta")) for item in report["stale"])


def test_a_language_layer_appends_context_cues_and_never_drops_any() -> None:
    """data/es/words.yaml adds Spanish whose-and-when cues (before, after, ends, unless) to
    the English groups; every English cue stays."""
    base = kb.load(use_cache=False).content.words
    spanish = kb.load(languages=kb.language_layer(None, "es"), use_cache=False).content.words
    assert base is not None and spanish is not None
    english = {g.id: g for g in base.context}
    merged = {g.id: g for g in spanish.context}
    assert set(merged) == set(english)
    for ident, group in english.items():
        for key in ("before", "after", "ends", "unless"):
            assert set(getattr(group, key)) <= set(getattr(merged[ident], key)), (ident, key)
    assert "mi abuela" in merged["someone-else"].before
    assert "yo" in merged["someone-else"].ends
    assert "ha vuelto" in merged["long-ago"].unless
    assert "his back has" in merged["someone-else"].unless


def test_a_translation_cannot_shorten_context_cues() -> None:
    from back_spasm_cli.knowledge.layers import Refused, translate

    group = kb.load(use_cache=False).content.words.context[0]
    with pytest.raises(Refused):
        translate(group, {"reach": group.reach + 1}, "words.context[0]")
    grown = translate(group, {"unless": ["ahora yo"]}, "words.context[0]")
    assert grown.unless == [*group.unless, "ahora yo"]
