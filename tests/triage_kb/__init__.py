"""Helpers shared by the triage, plan and terminal tests (one home, not test-to-test
imports): the shipped base, the small fixture base, and option builders."""

from __future__ import annotations

import shutil
from pathlib import Path

from back_spasm_cli.knowledge import kb
from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURE_BASE = Path(__file__).resolve().parent / "base.yaml"

#: Care levels from least to most urgent (written here, not read from the code).
RANK = {"self-care": 0, "gp": 1, "urgent": 2, "emergency": 3}


def shipped_content() -> KnowledgeBaseFile:
    return kb.load(str(DATA), use_cache=False).content


def fixture_kb(tmp_path: Path) -> Path:
    """The small test base with the shipped triage.yaml beside it, as a folder."""
    folder = tmp_path / "kb"
    folder.mkdir(exist_ok=True)
    shutil.copy(FIXTURE_BASE, folder / "base.yaml")
    shutil.copy(DATA / "triage.yaml", folder / "triage.yaml")
    return folder


def has(*ids: str) -> list[str]:
    return [arg for flag_id in ids for arg in ("--has", flag_id)]


def unsure(*ids: str) -> list[str]:
    return [arg for flag_id in ids for arg in ("--unsure", flag_id)]
