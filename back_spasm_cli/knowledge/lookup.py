"""Resolve what people type to one entry: id, title, alias, prefix, then a loose match."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from back_spasm_cli.errors import NotFoundError
from back_spasm_cli.knowledge.kinds import KINDS, Kind

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

How = Literal["id", "title", "alias", "prefix", "words", "loose"]
LOOSE_CUTOFF = 0.7  # difflib ratio for a loose (typo-tolerant) match
SUGGEST_CUTOFF = 0.5


class Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def aliases(self) -> list[str]: ...


@dataclass(frozen=True)
class Match:
    item: Named
    how: How
    query: str

    @property
    def loose(self) -> bool:
        return self.how == "loose"


class AmbiguousName(NotFoundError):
    """Several entries fit; the message lists them."""


def normalise(text: str) -> str:
    """Lower-case, with punctuation and hyphens folded to single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _names(item: Named) -> list[tuple[str, How]]:
    names: list[tuple[str, How]] = [(normalise(item.id), "id"), (normalise(item.title), "title")]
    names += [(normalise(alias), "alias") for alias in item.aliases]
    return [(name, how) for name, how in names if name]


def resolve_anywhere(
    content: KnowledgeBaseFile, kind: Kind, words: Sequence[str]
) -> tuple[Kind, Match]:
    """The entry of `kind` that `words` name; failing that, an entry of another kind that
    they name exactly (`spasm remedy hydration` finds the lifestyle entry), else the
    first error, with its suggestions."""
    try:
        return kind, resolve(getattr(content, kind.section), words, kind.name)
    except AmbiguousName:
        raise
    except NotFoundError as missing:
        for other in KINDS.values():
            if other is kind or not other.by_name:
                continue
            try:
                return other, resolve(
                    getattr(content, other.section), words, other.name, loose=False
                )
            except NotFoundError:
                continue
        raise missing from None


def resolve(
    items: Sequence[Named], words: Sequence[str], kind: str, *, loose: bool = True
) -> Match:
    """The one entry that `words` name, or NotFoundError with suggestions (`loose`:
    also accept a close misspelling)."""
    query = normalise(" ".join(words))
    if not query:
        raise NotFoundError(
            f"no {kind} named: give a name, e.g. `{kind} {items[0].id}`"
            if items
            else f"there are no {kind} entries"
        )
    table = [(item, name, how) for item in items for name, how in _names(item)]

    for stage in ("exact", "prefix", "words"):
        if stage == "exact":
            hits = [(item, how) for item, name, how in table if name == query]
        elif stage == "prefix":
            hits = [(item, "prefix") for item, name, _ in table if name.startswith(query)]
        else:
            wanted = set(query.split())
            hits = [(item, "words") for item, name, _ in table if wanted <= set(name.split())]
        found = _unique(hits)
        if len(found) == 1:
            item, how = found[0]
            return Match(item, how, query)
        if len(found) > 1:
            raise _ambiguous(kind, query, [item for item, _ in found])

    if not loose:
        raise NotFoundError(f"no {kind} matches {query!r}")
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, query, name).ratio(), index, item)
            for index, (item, name, _) in enumerate(table)
        ),
        key=lambda row: (-row[0], row[1]),
    )
    best = [row for row in scored if row[0] >= LOOSE_CUTOFF]
    if best:
        top = best[0][0]
        tied = _unique([(item, "loose") for score, _, item in best if score == top])
        if len(tied) == 1:
            return Match(tied[0][0], "loose", query)
        raise _ambiguous(kind, query, [item for item, _ in tied])

    suggestions = _unique(
        [(item, "loose") for score, _, item in scored if score >= SUGGEST_CUTOFF]
    )[:3]
    hint = (
        f"did you mean: {', '.join(item.id for item, _ in suggestions)}?"
        if suggestions
        else f"known: {', '.join(item.id for item in items)}"
    )
    raise NotFoundError(f"no {kind} matches {query!r}", details=[hint])


def _unique(hits: list[tuple[Named, How]]) -> list[tuple[Named, How]]:
    seen: dict[str, tuple[Named, How]] = {}
    for item, how in hits:
        seen.setdefault(item.id, (item, how))
    return list(seen.values())


def _ambiguous(kind: str, query: str, items: list[Named]) -> AmbiguousName:
    return AmbiguousName(
        f"{query!r} fits more than one {kind}",
        details=[f"{item.id}: {item.title}" for item in items],
    )
