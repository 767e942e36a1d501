"""The flows of `spasm search` and `spasm ask` (and the library's), in one place: check the
words, recognise red flags, open the index, rank or answer. Returns data; never prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from back_spasm_cli.advice import recognise
from back_spasm_cli.advice import search as engine
from back_spasm_cli.errors import NotFoundError

if TYPE_CHECKING:
    from back_spasm_cli.advice.recognise import FlagMatch, Pointer
    from back_spasm_cli.knowledge.kb import KnowledgeBase


@dataclass(frozen=True)
class Found:
    """What `spasm search` shows: ranked results and the red flags in the words.
    `missing` (with the nearest known words) when neither matched: show, then raise it."""

    text: str
    results: engine.Results
    flags: list[FlagMatch]
    missing: NotFoundError | None
    notices: tuple[str, ...]
    check: Pointer | None = None  # send the person to `spasm check` (recognise.Pointer)


def search(
    knowledge: KnowledgeBase,
    text: str,
    *,
    limit: int = 5,
    kind: str | None = None,
    progress: engine.Progress | None = None,
) -> Found:
    """Rank the entries for `text`, a red flag in it first. NotFoundError at once when
    nothing in `text` can be searched (only punctuation)."""
    engine.query_words(text)
    reading = recognise.read(knowledge.content, text)
    flags, pointer = reading.flags, reading.pointer()
    with engine.open_index(knowledge, progress=progress) as index:
        results = index.search(text, limit=limit, kind=kind)
        missing = engine.not_found(index, text, kind) if not results.hits else None
        notices = index.notices
    level = recognise.strictest(flags)
    if level is None and pointer is not None and pointer.reason == "words":
        level = engine.CHECK  # words that touch a sign: `spasm check`, not unrelated self-care
    # The hard rule, in one place (search.beside): nothing but red flags beside urgent or
    # emergency; the view shows what is left.
    results = engine.guard(results, level)
    # A red flag answered the words: "nothing matches" would only contradict it.
    answered = bool(flags) or pointer is not None
    return Found(text, results, flags, missing if not answered else None, notices, pointer)


@dataclass(frozen=True)
class Asked:
    answer: engine.Answer
    notices: tuple[str, ...]


def ask(
    knowledge: KnowledgeBase,
    question: str,
    *,
    days: int | None = None,
    saved_days: bool = True,
    progress: engine.Progress | None = None,
) -> Asked:
    """The entries that answer `question`, red flags first. `days` since the spasm
    started orders ice or heat; without it (and with `saved_days`) the day comes from the
    last saved check, aged to today."""
    engine.query_words(question)
    if days is None and saved_days:
        from back_spasm_cli.personal import records

        days = records.saved_days_since_onset()
    with engine.open_index(knowledge, progress=progress) as index:
        found = engine.answer(index, knowledge.content, question, days_since_onset=days)
        notices = index.notices
    return Asked(found, notices)
