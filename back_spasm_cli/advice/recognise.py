"""Recognise red flags (and the shape of a question) in people's own words.

All the words live in the knowledge base's `words:` section (data/words.yaml); this
module only knows how to match them:

- Text is split into words; commas, full stops and the `negation.breaks` words end a
  clause. Each word is reduced by a small suffix stemmer (`stem`), so "tingling",
  "tingle" and "tingles" are one word. A word of 4+ letters that the knowledge base never
  uses also matches a term word of 5+ letters one typo away with the same first letter
  ("numbnes", "feaver"); words the base knows ("never") are never read as typos.
- A term is one or more words matched in order, with up to `gap` other words between
  them; `=word` is matched exactly (`=legs` is not `leg`); `#` is a number in the
  concept's range.
- A red flag applies when one of its `phrases` appears, or when every concept of one of
  its `together` groups appears within `within` words. Words reached by a negation cue
  ("no", "haven't", "... is fine") in the same clause do not count; a cue that is part of
  a matched term ("no feeling", "not trying to lose weight") is not a cue for that match.
- `ignore` phrasings ("knees to chest", "fell asleep") are taken out before matching.

Pure: data in (the validated base and a string), data out. Never prints.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.schema import Intent, KnowledgeBaseFile, RedFlag, Shapes, Words

#: The largest number of words read from one text (a long text is cut, never refused).
MAX_WORDS = 400
#: Fewest letters for a typo to be forgiven: in the word typed, and in the term word.
TYPO_TYPED, TYPO_TERM = 4, 5
_COMBINATIONS = 2000  # occurrence combinations tried per `together` group

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|[.,;:!?()\[\]\n/]")
_BREAK_CHARS = set(".,;:!?()[]\n/")


class FlagMatch(NamedTuple):
    """A red flag the words describe, and the words that said so."""

    id: str
    level: str
    title: str
    phrase: str  # the user's own words, as typed


class IntentMatch(NamedTuple):
    id: str
    phrase: str


# --------------------------------------------------------------------------- words


def stem(word: str) -> str:
    """A small, generic suffix stemmer: consistent, not linguistic (both sides use it)."""
    w = word
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix, keep in (("ness", 4), ("ing", 3), ("ed", 3), ("er", 4), ("ly", 4)):
        if w.endswith(suffix) and len(w) - len(suffix) >= keep:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # throbb(ing) -> throb
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def _norm(word: str) -> str:
    """Case, apostrophes and accents do not count: "sé" is "se", "Orinár" is "orinar"."""
    folded = word.casefold().replace("'", "").replace("’", "")
    if folded.isascii():
        return folded
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def close(typed: str, known: str) -> bool:
    """At most one edit apart (insert, delete, replace, or swap two neighbours)."""
    if typed == known:
        return True
    lt, lk = len(typed), len(known)
    if abs(lt - lk) > 1:
        return False
    if lt == lk:
        diff = [i for i in range(lt) if typed[i] != known[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and typed[diff[0]] == known[diff[1]]
            and typed[diff[1]] == known[diff[0]]
        )
    short, long_ = (typed, known) if lt < lk else (known, typed)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


class Token(NamedTuple):
    norm: str
    stem: str
    start: int
    end: int
    clause: int


def tokenize(text: str, breaks: frozenset[str] = frozenset()) -> list[Token]:
    """Words of `text` (at most MAX_WORDS) with their clause numbers."""
    out: list[Token] = []
    clause = 0
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if raw in _BREAK_CHARS:
            clause += 1
            continue
        norm = _norm(raw)
        if norm in breaks:
            clause += 1
        out.append(Token(norm, stem(norm), match.start(), match.end(), clause))
        if norm in breaks:
            clause += 1
        if len(out) >= MAX_WORDS:
            break
    return out


# --------------------------------------------------------------------------- terms


class Element(NamedTuple):
    kind: str  # "stem", "exact" or "number"
    value: str  # the stem, or the exact word
    raw: str  # the word as written in the data (for typos)


class Term(NamedTuple):
    elements: tuple[Element, ...]
    numbers: tuple[int, int] | None = None


def compile_term(text: str, numbers: Sequence[int] = ()) -> Term:
    elements = []
    for part in text.split():
        if part == "#":
            elements.append(Element("number", "#", "#"))
            continue
        exact = part.startswith("=")
        for word in _TOKEN.findall(part.lstrip("=")):
            if word in _BREAK_CHARS:
                continue
            norm = _norm(word)
            if exact:
                elements.append(Element("exact", norm, norm))
            else:
                elements.append(Element("stem", stem(norm), norm))
    limits = (numbers[0], numbers[1]) if len(numbers) == 2 else None
    return Term(tuple(elements), limits)


class Span(NamedTuple):
    start: int  # index of the first word
    end: int  # index of the last word


@dataclass
class Matcher:
    """The compiled `words:` section: terms by concept, cues, typo vocabulary."""

    words: Words
    concepts: dict[str, list[Term]]
    phrases: dict[str, Term]
    cues_before: list[Term]
    cues_after: list[Term]
    breaks: frozenset[str]
    ignore: list[Term]
    term_words: dict[str, str]  # raw term word -> its stem (typo candidates)
    known: frozenset[str]  # words the base uses: never read as typos

    def spans(
        self,
        term: Term,
        tokens: Sequence[Token],
        keys: Sequence[set[str]],
        gap: int | None = None,
    ) -> list[Span]:
        """Every place `term` occurs (greedy: nearest next word)."""
        if not term.elements:
            return []
        gap = self.words.gap if gap is None else gap
        found = []
        for i in range(len(tokens)):
            if not self._fits(term, term.elements[0], tokens[i], keys[i]):
                continue
            position, ok = i, True
            for element in term.elements[1:]:
                for j in range(position + 1, min(len(tokens), position + 2 + gap)):
                    if self._fits(term, element, tokens[j], keys[j]):
                        position = j
                        break
                else:
                    ok = False
                    break
            if ok:
                found.append(Span(i, position))
        return found

    @staticmethod
    def _fits(term: Term, element: Element, token: Token, keys: set[str]) -> bool:
        if element.kind == "number":
            if not (token.norm.isascii() and token.norm.isdigit()) or term.numbers is None:
                return False
            return term.numbers[0] <= int(token.norm) <= term.numbers[1]
        if element.kind == "exact":
            return token.norm == element.value
        return element.value in keys


def _matcher(words: Words, vocabulary: Iterable[str]) -> Matcher:
    concepts = {
        concept.id: [compile_term(t, concept.numbers) for t in concept.terms]
        for concept in words.concepts
    }
    shapes: list[Shapes] = [*words.flags, *words.intents]
    phrases = {p: compile_term(p) for shape in shapes for p in shape.phrases}
    term_words: dict[str, str] = {}
    for term in itertools.chain(*concepts.values(), phrases.values()):
        for element in term.elements:
            if element.kind == "stem" and len(element.raw) >= TYPO_TERM:
                term_words[element.raw] = element.value
    known = {_norm(w) for w in vocabulary}
    negation = words.negation
    cue_words = {_norm(w) for text in (*negation.before, *negation.after) for w in text.split()}
    return Matcher(
        words=words,
        concepts=concepts,
        phrases=phrases,
        cues_before=[compile_term(t) for t in negation.before],
        cues_after=[compile_term(t) for t in negation.after],
        breaks=frozenset(_norm(b) for b in negation.breaks),
        ignore=[compile_term(t) for t in words.ignore],
        term_words=term_words,
        known=frozenset(known | cue_words | set(term_words)),
    )


_CACHE: dict[int, tuple[object, Matcher]] = {}


def matcher_for(content: KnowledgeBaseFile) -> Matcher | None:
    """The compiled words of a base (kept for the life of the process)."""
    if content.words is None:
        return None
    cached = _CACHE.get(id(content))
    if cached is not None and cached[0] is content:
        return cached[1]
    matcher = _matcher(content.words, _vocabulary(content))
    _CACHE.clear()
    _CACHE[id(content)] = (content, matcher)
    return matcher


def _vocabulary(content: KnowledgeBaseFile) -> set[str]:
    """Every word of the base's entries: a typed word found here is not a typo (worked
    out once per base, kept in its snapshot: knowledge/kb.entry_words)."""
    from back_spasm_cli.knowledge.kb import entry_words

    return set(entry_words(content, _TOKEN.pattern))


# --------------------------------------------------------------------------- matching


class _Text:
    """One text, tokenized, with the keys each word matches and the cues in it."""

    def __init__(self, matcher: Matcher, text: str) -> None:
        self.text = text
        self.m = matcher
        tokens = tokenize(text, matcher.breaks)
        self.keys: list[set[str]] = []
        for token in tokens:
            keys = {token.stem}
            if (
                len(token.norm) >= TYPO_TYPED
                and token.norm not in matcher.known
                and not token.norm.isdigit()
            ):
                keys.update(
                    value
                    for raw, value in matcher.term_words.items()
                    if raw[0] == token.norm[0] and close(token.norm, raw)
                )
            self.keys.append(keys)
        # Phrasings that mean something else (word for word): their words match nothing.
        for term in matcher.ignore:
            for span in matcher.spans(term, tokens, self.keys, gap=0):
                for i in range(span.start, span.end + 1):
                    self.keys[i] = set()
                    tokens[i] = tokens[i]._replace(norm="")
        self.tokens = tokens
        self.before = [s for t in matcher.cues_before for s in matcher.spans(t, tokens, self.keys)]
        self.after = [s for t in matcher.cues_after for s in matcher.spans(t, tokens, self.keys)]

    def spans(self, term: Term) -> list[Span]:
        return self.m.spans(term, self.tokens, self.keys)

    def negated(self, span: Span, own: Sequence[Span]) -> bool:
        """Whether a cue outside `own` (the match's own words) reaches `span`."""
        reach = self.m.words.negation.reach
        clause = self.tokens[span.start].clause

        def outside(cue: Span) -> bool:
            return not any(o.start <= cue.start and cue.end <= o.end for o in own)

        for cue in self.before:
            if (
                cue.end < span.start
                and span.start - cue.end <= reach
                and self.tokens[cue.end].clause == clause
                and outside(cue)
            ):
                return True
        end_clause = self.tokens[span.end].clause
        for cue in self.after:
            if (
                cue.start > span.end
                and cue.start - span.end <= reach
                and self.tokens[cue.start].clause == end_clause
                and outside(cue)
            ):
                return True
        return False

    def phrase(self, spans: Iterable[Span]) -> str:
        spans = list(spans)
        start = self.tokens[min(s.start for s in spans)].start
        end = self.tokens[max(s.end for s in spans)].end
        return " ".join(self.text[start:end].split())

    def shape(self, shape: Shapes, *, negation: bool = True) -> str | None:
        """The words that match `shape` (a phrase, or a `together` group), or None.
        With `negation` (red flags), negated words do not count; a question's shape is
        the same with or without a "not"."""
        for phrase in shape.phrases:
            spans = self.spans(self.m.phrases[phrase])
            for span in spans:
                if not (negation and self.negated(span, spans)):
                    return self.phrase([span])
        within = shape.within or self.m.words.within
        for group in shape.together:
            found = [[s for t in self.m.concepts[c] for s in self.spans(t)] for c in group]
            if not all(found):
                continue
            own = [s for spans in found for s in spans]
            usable = [
                [s for s in spans if not (negation and self.negated(s, own))] for spans in found
            ]
            if not all(usable):
                continue
            for combo in itertools.islice(itertools.product(*usable), _COMBINATIONS):
                first = min(s.start for s in combo)
                last = max(s.end for s in combo)
                if last - first < within:
                    return self.phrase(combo)
        return None


def recognise(content: KnowledgeBaseFile, text: str) -> list[FlagMatch]:
    """The red flags `text` describes, strictest first, each with the words that said so.

    Keyed on flag ids: a `words:` entry for a flag the base does not have is skipped (the
    loader reports it), and a flag with no `words:` entry is matched by its title and
    aliases as whole phrasings, so no flag goes unrecognised.
    """
    from back_spasm_cli.knowledge.schema import LEVEL_ORDER, Shapes

    matcher = matcher_for(content)
    flags = {flag.id: flag for flag in content.red_flags}
    by_flag: dict[str, list[Shapes]] = {}
    if matcher is not None:
        for entry in matcher.words.flags:
            by_flag.setdefault(entry.flag, []).append(entry)
    else:
        matcher = _matcher(_bare_words(), ())
    # A flag with no `words:` entry is matched by its names: compiled into a copy, so the
    # cached matcher is never changed by a call.
    extra = {
        name: compile_term(name)
        for flag in content.red_flags
        if flag.id not in by_flag
        for name in (flag.title, *flag.aliases)
        if name not in matcher.phrases
    }
    if extra:
        matcher = dataclasses.replace(matcher, phrases={**matcher.phrases, **extra})
    parsed = _Text(matcher, text)
    found: list[FlagMatch] = []
    for flag in content.red_flags:
        shapes = by_flag.get(flag.id)
        if shapes is None:
            shapes = [Shapes(phrases=[flag.title, *flag.aliases])]
        for shape in shapes:
            phrase = parsed.shape(shape)
            if phrase is not None:
                found.append(FlagMatch(flag.id, flag.level, flags[flag.id].title, phrase))
                break
    found.sort(key=lambda m: -LEVEL_ORDER.index(m.level))
    return found


def intent(content: KnowledgeBaseFile, text: str) -> tuple[Intent, str] | None:
    """The first intent (in file order) whose shape the question has, with its words."""
    matcher = matcher_for(content)
    if matcher is None:
        return None
    parsed = _Text(matcher, text)
    for candidate in matcher.words.intents:
        phrase = parsed.shape(candidate, negation=False)
        if phrase is not None:
            return candidate, phrase
    return None


def strictest(matches: Sequence[FlagMatch]) -> str | None:
    """The strictest care level among the matches (they are sorted strictest first)."""
    return matches[0].level if matches else None


def _bare_words() -> Words:
    from back_spasm_cli.knowledge.schema import Negation, Words

    return Words(negation=Negation(before=["no", "not", "never", "without"]))


def note_flags(content: KnowledgeBaseFile, text: str) -> list[RedFlag]:
    """The red flags a free-text note (a diary entry's) describes, most urgent first: the
    same recogniser that `spasm search` and `spasm ask` run (everyday words, negation,
    small typos). Here, not in personal/diary.py: personal data never imports advice."""
    flags = {flag.id: flag for flag in content.red_flags}
    return [flags[match.id] for match in recognise(content, text) if match.id in flags]
