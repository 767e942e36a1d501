"""No global state survives between in-process runs, no cache is changed by a call, and
what cannot be read or written is said on stderr, in one line, never swallowed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pwd
import sqlite3
from pathlib import Path

import pytest

from back_spasm_cli.advice import checking, recognise
from back_spasm_cli.cli import state
from back_spasm_cli.knowledge import kb
from tests.helpers import Invoke

# Where a load at import time (as test modules do) would put its cache.
CACHE_AT_COLLECTION = kb.cache_path()
REAL_HOME = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()
REAL_DIRS = (REAL_HOME / ".cache", REAL_HOME / ".local", REAL_HOME / ".config")


def test_collection_never_writes_the_real_home() -> None:
    for cache in (CACHE_AT_COLLECTION, kb.cache_path()):
        assert not any(cache.resolve().is_relative_to(d) for d in REAL_DIRS), cache


def test_files_written_by_one_run_are_forgotten_by_the_next(invoke: Invoke) -> None:
    state.wrote("/tmp/an-old-handout.md")
    assert state.completed_writes() == ("/tmp/an-old-handout.md",)
    assert invoke("remedy", "heat", "--format", "json").exit_code == 0
    assert state.completed_writes() == ()


def test_recognise_leaves_its_cached_matcher_as_it_was() -> None:
    content = kb.load().content
    words = content.words
    assert words is not None
    # A base whose `words:` section has no entry for fever: fever is matched by its names.
    trimmed = dataclasses.replace(
        content,
        words=dataclasses.replace(words, flags=[e for e in words.flags if e.flag != "fever"]),
    )
    matcher = recognise.matcher_for(trimmed)
    assert matcher is not None
    before = dict(matcher.phrases)
    assert [m.id for m in recognise.recognise(trimmed, "I feel hot and shivery")] == ["fever"]
    assert recognise.matcher_for(trimmed) is matcher
    assert matcher.phrases == before


class _Yes:
    def reuse(self, saved_at: dt.datetime, now: dt.datetime) -> bool:
        return True

    def diary_flag(self, hit: object) -> bool:
        return True

    def ask_all(self, content: object, answers: object, *, ask_region: bool) -> tuple[object, int]:
        return answers, 0


def test_a_diary_that_cannot_be_read_is_said_not_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from back_spasm_cli.personal import diary

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise sqlite3.DatabaseError("database disk image is malformed")

    monkeypatch.setattr(diary, "flags", broken)
    content = kb.load().content
    outcome = checking.run(
        content,
        checking.Given(no_others=True, started="lifting", days=1),
        region=None,
        now=dt.datetime(2026, 11, 20, 9, 0).astimezone(),
        prompter=_Yes(),  # type: ignore[arg-type]
    )
    assert outcome.verdict.level == "self-care"
    assert [p.message for p in outcome.problems] == [
        "the diary was not read: database disk image is malformed"
    ]


def test_a_session_record_lost_to_sqlite_is_said(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    from back_spasm_cli.advice import sessions

    def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sessions, "record", broken)
    result = invoke("timer", "ice", "--minutes", "1", "--yes", "--seconds", "1")
    assert "the session was not recorded" in result.stderr, result
    assert "Traceback" not in result.stderr
