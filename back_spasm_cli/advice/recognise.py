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
from collections.abc import Callable, Iterable, Sequence
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


def stem(word: str, language: str = "english") -> str:
    """The Snowball stem of one lower-cased word (the words data names the language)."""
    from back_spasm_cli.advice.stemming import stemmer

    return stemmer(language)(word)


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
    sentence: int


_SENTENCE_CHARS = set(".!?\n")


def tokenize(
    text: str,
    breaks: frozenset[str] = frozenset(),
    stem_word: Callable[[str], str] | None = None,
) -> list[Token]:
    """Words of `text` (at most MAX_WORDS) with their clause and sentence numbers."""
    if stem_word is None:
        from back_spasm_cli.advice.stemming import stemmer

        stem_word = stemmer()
    out: list[Token] = []
    clause = sentence = 0
    for match in _TOKEN.finditer(text):
        raw = match.group()
        if raw in _BREAK_CHARS:
            clause += 1
            if raw in _SENTENCE_CHARS:
                sentence += 1
            continue
        norm = _norm(raw)
        if norm in breaks:
            clause += 1
        out.append(Token(norm, stem_word(norm), match.start(), match.end(), clause, sentence))
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
    first: tuple[str, str] = ("", "")  # where to look for it: its first word's key


def compile_term(
    text: str, numbers: Sequence[int] = (), stem_word: Callable[[str], str] | None = None
) -> Term:
    if stem_word is None:
        from back_spasm_cli.advice.stemming import stemmer

        stem_word = stemmer()
    elements = []
    for part in text.split():
        if part in ("#", "^#"):
            elements.append(Element("number", part, part))
            continue
        exact = part.startswith("=")
        for word in _TOKEN.findall(part.lstrip("=")):
            if word in _BREAK_CHARS:
                continue
            norm = _norm(word)
            if exact:
                elements.append(Element("exact", norm, norm))
            else:
                elements.append(Element("stem", stem_word(norm), norm))
    limits = (numbers[0], numbers[1]) if len(numbers) == 2 else None
    first = ("", "")
    if elements:
        head = elements[0]
        first = (head.kind, head.value if head.kind != "number" else "")
    return Term(tuple(elements), limits, first)


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
    stem_word: Callable[[str], str]
    contexts: list[ContextCues]
    unit_words: dict[str, int]
    tens_words: dict[str, int]
    joiners: frozenset[str]

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
            if (
                term.elements[0].value == "^#"
                and i
                and tokens[i - 1].sentence == tokens[i].sentence
            ):
                continue  # "^#": a number that opens a sentence ("seventy four, slipped")
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


class ContextCues(NamedTuple):
    """One compiled `context` group: whose or when cues, and the words that undo them."""

    id: str
    before: list[Term]
    after: list[Term]
    reach: int
    sentence: bool  # the reach ends at a sentence, not a clause
    unless: list[Term]
    ends: frozenset[str]


def _matcher(words: Words, vocabulary: Iterable[str]) -> Matcher:
    from back_spasm_cli.advice.stemming import stemmer

    stem_word = stemmer(words.language)

    def term(text: str, numbers: Sequence[int] = ()) -> Term:
        return compile_term(text, numbers, stem_word)

    concepts = {
        concept.id: [term(t, concept.numbers) for t in concept.terms] for concept in words.concepts
    }
    shapes: list[Shapes] = [*words.flags, *words.intents]
    phrases = {p: term(p) for shape in shapes for p in shape.phrases}
    contexts = [
        ContextCues(
            c.id,
            [term(t) for t in c.before],
            [term(t) for t in c.after],
            c.reach,
            c.scope == "sentence",
            [term(t) for t in c.unless],
            frozenset(_norm(w) for w in c.ends),
        )
        for c in words.context
    ]
    term_words: dict[str, str] = {}
    for compiled in itertools.chain(*concepts.values(), phrases.values()):
        for element in compiled.elements:
            if element.kind == "stem" and len(element.raw) >= TYPO_TERM:
                term_words[element.raw] = element.value
    known = {_norm(w) for w in vocabulary}
    negation = words.negation
    cue_texts = [
        *negation.before,
        *negation.after,
        *(t for c in words.context for t in (*c.before, *c.after, *c.unless, *c.ends)),
    ]
    cue_words = {_norm(w) for text in cue_texts for w in text.split()}
    numbers: dict[str, int] = {}
    tens: dict[str, int] = {}
    joiners: frozenset[str] = frozenset()
    if words.number_words is not None:
        numbers = {_norm(w): n for n, w in enumerate(words.number_words.units)}
        tens = {_norm(w): 20 + 10 * n for n, w in enumerate(words.number_words.tens)}
        joiners = frozenset(_norm(w) for w in words.number_words.joiners)
    return Matcher(
        words=words,
        concepts=concepts,
        phrases=phrases,
        cues_before=[term(t) for t in negation.before],
        cues_after=[term(t) for t in negation.after],
        breaks=frozenset(_norm(b) for b in negation.breaks),
        ignore=[term(t) for t in words.ignore],
        term_words=term_words,
        known=frozenset(known | cue_words | set(term_words) | set(numbers) | set(tens)),
        stem_word=stem_word,
        contexts=contexts,
        unit_words=numbers,
        tens_words=tens,
        joiners=joiners,
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


_NONE: list[Span] = []  # no occurrence (shared: never modified)


class _Cue(NamedTuple):
    span: Span
    after: bool  # the cue comes after the words it reaches
    reach: int
    sentence: bool
    ends: frozenset[str] = frozenset()


class _Text:
    """One text, tokenized, with the keys each word matches and the cues in it."""

    def __init__(self, matcher: Matcher, text: str) -> None:
        self.text = text
        self.m = matcher
        tokens = _read_numbers(matcher, tokenize(text, matcher.breaks, matcher.stem_word))
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
        # Where each key, exact word and number is: a term is looked for only where its
        # first word is, and each term once per text.
        self._at: dict[tuple[str, str], list[int]] = {}
        for i, (token, keys) in enumerate(zip(tokens, self.keys, strict=True)):
            for key in keys:
                self._at.setdefault(("stem", key), []).append(i)
            self._at.setdefault(("exact", token.norm), []).append(i)
            if token.norm.isascii() and token.norm.isdigit():
                self._at.setdefault(("number", ""), []).append(i)
        self._memo: dict[tuple[Term, int], list[Span]] = {}
        self._concepts: dict[str, list[Span]] = {}
        reach = matcher.words.negation.reach
        self.negations = [
            *(_Cue(s, False, reach, False) for t in matcher.cues_before for s in self.spans(t)),
            *(_Cue(s, True, reach, False) for t in matcher.cues_after for s in self.spans(t)),
        ]
        # Whose and when: each context group's cues, unless its `unless` words appear.
        self.contexts: dict[str, list[_Cue]] = {}
        for group in matcher.contexts:
            if any(self.exact(t) for t in group.unless):
                continue
            cues = [
                *(
                    _Cue(s, False, group.reach, group.sentence, group.ends)
                    for t in group.before
                    for s in self.exact(t)
                ),
                *(
                    _Cue(s, True, group.reach, group.sentence, group.ends)
                    for t in group.after
                    for s in self.exact(t)
                ),
            ]
            if cues:
                self.contexts[group.id] = cues

    def spans(self, term: Term, gap: int | None = None) -> list[Span]:
        """Every place `term` occurs (greedy: nearest next word), found once per text."""
        starts = self._at.get(term.first)
        if starts is None:
            return _NONE
        gap = self.m.words.gap if gap is None else gap
        memo = self._memo.get((term, gap))
        if memo is not None:
            return memo
        found: list[Span] = []
        if term.elements:
            first = term.elements[0]
            tokens, keys, fits = self.tokens, self.keys, self.m._fits
            for i in starts:
                if not fits(term, first, tokens[i], keys[i]):
                    continue
                if first.value == "^#" and i and tokens[i - 1].sentence == tokens[i].sentence:
                    continue  # "^#": a number that opens a sentence ("seventy four, ...")
                position, ok = i, True
                for element in term.elements[1:]:
                    for j in range(position + 1, min(len(tokens), position + 2 + gap)):
                        if fits(term, element, tokens[j], keys[j]):
                            position = j
                            break
                    else:
                        ok = False
                        break
                if ok:
                    found.append(Span(i, position))
        self._memo[(term, gap)] = found
        return found

    def concept(self, concept: str) -> list[Span]:
        """Every place any term of `concept` occurs (once per text)."""
        found = self._concepts.get(concept)
        if found is None:
            found = [s for t in self.m.concepts[concept] for s in self.spans(t)]
            self._concepts[concept] = found
        return found

    def exact(self, term: Term) -> list[Span]:
        """Where `term` occurs word for word (whose-and-when cues: no words between)."""
        return self.spans(term, gap=0)

    def reached(self, span: Span, own: Sequence[Span], cues: Iterable[_Cue]) -> bool:
        """Whether a cue outside `own` (the match's own words) reaches `span`."""
        tokens = self.tokens

        def outside(cue: Span) -> bool:
            return not any(o.start <= cue.start and cue.end <= o.end for o in own)

        for cue in cues:
            c = cue.span
            if not cue.after:
                if not (c.end < span.start and span.start - c.end <= cue.reach):
                    continue
                first, last = c.end, span.start
            else:
                if not (c.start > span.end and c.start - span.end <= cue.reach):
                    continue
                first, last = span.end, c.start
            a, b = tokens[first], tokens[last]
            same = a.sentence == b.sentence if cue.sentence else a.clause == b.clause
            if cue.ends and any(t.norm in cue.ends for t in tokens[first + 1 : last]):
                continue
            if same and outside(c):
                return True
        return False

    def negated(self, span: Span, own: Sequence[Span]) -> bool:
        return self.reached(span, own, self.negations)

    def phrase(self, spans: Iterable[Span]) -> str:
        spans = list(spans)
        start = self.tokens[min(s.start for s in spans)].start
        end = self.tokens[max(s.end for s in spans)].end
        return " ".join(self.text[start:end].split())

    def shape(
        self, shape: Shapes, *, negation: bool = True, context: Sequence[str] = ()
    ) -> str | None:
        """The words that match `shape` (a phrase, or a `together` group), or None.
        With `negation` (red flags), negated words do not count, nor words reached by the
        `context` groups named; a question's shape is the same with or without a "not"."""
        others: list[_Cue] = [c for g in context for c in self.contexts.get(g, ())]

        def blocked(span: Span, own: Sequence[Span]) -> bool:
            # A negation cue that is part of the sign's own words does not negate it ("no
            # feeling"); a whose-or-when cue always counts ("my dad's 75 and slipped").
            return negation and (
                self.reached(span, own, self.negations) or self.reached(span, (), others)
            )

        for phrase in shape.phrases:
            spans = self.spans(self.m.phrases[phrase])
            for span in spans:
                if not blocked(span, spans):
                    return self.phrase([span])
        within = shape.within or self.m.words.within
        for group in shape.together:
            found = [self.concept(c) for c in group]
            if not all(found):
                continue
            own = [s for spans in found for s in spans]
            usable = [[s for s in spans if not blocked(s, own)] for spans in found]
            if not all(usable):
                continue
            for combo in itertools.islice(itertools.product(*usable), _COMBINATIONS):
                first = min(s.start for s in combo)
                last = max(s.end for s in combo)
                if last - first < within:
                    return self.phrase(combo)
        return None

    def touches(self, concepts: Iterable[str]) -> str | None:
        """The first words of these concepts in the text, not negated (for `check`)."""
        for concept in concepts:
            for term in self.m.concepts.get(concept, ()):
                for span in self.spans(term):
                    if not self.negated(span, [span]):
                        return self.phrase([span])
        return None


def _read_numbers(matcher: Matcher, tokens: list[Token]) -> list[Token]:
    """Numbers said in words become digits: "seventy four" -> "74", "fifteen" -> "15"."""
    units, tens = matcher.unit_words, matcher.tens_words
    if not (units or tens):
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.norm in tens:
            value, last = tens[token.norm], i
            j = i + 1
            if j < len(tokens) and tokens[j].norm in matcher.joiners:
                j += 1
            if j < len(tokens) and 0 < units.get(tokens[j].norm, 0) < 10:
                value += units[tokens[j].norm]
                last = j
            out.append(token._replace(norm=str(value), stem=str(value), end=tokens[last].end))
            i = last + 1
            continue
        if token.norm in units:
            value = units[token.norm]
            out.append(token._replace(norm=str(value), stem=str(value)))
        else:
            out.append(token)
        i += 1
    return out


class Pointer(NamedTuple):
    """Send the person to `spasm check`: why (`reason`: the context that set a sign aside,
    such as "someone-else" or "long-ago"; "words" for words that touch a sign and match
    none; "asked" for a frightened question), their words, and the signs concerned."""

    reason: str
    words: str
    flags: tuple[str, ...] = ()


class Reading(NamedTuple):
    """What the words say about red flags: the signs (strictest first), the signs set
    aside as someone else's or past (with the context that set each aside), and the words
    that touch a sign (feeling, wetting, a fall) when no sign matched: `spasm check`."""

    flags: list[FlagMatch]
    aside: list[tuple[FlagMatch, str]]
    touch: str | None

    def pointer(self) -> Pointer | None:
        """`spasm check` when no sign matched but one was set aside (someone else's, or
        past), or the words touch one (feeling, wetting, a fall): never silence."""
        if self.flags:
            return None
        if self.aside:
            match, reason = self.aside[0]
            return Pointer(reason, match.phrase, tuple(m.id for m, _ in self.aside))
        if self.touch is not None:
            return Pointer("words", self.touch)
        return None


def read(content: KnowledgeBaseFile, text: str) -> Reading:
    """The red flags `text` describes, strictest first, each with the words that said so;
    the signs set aside (someone else's, or past and resolved); and words that touch one.

    Keyed on flag ids: a `words:` entry for a flag the base does not have is skipped (the
    loader reports it), and a flag with no `words:` entry is matched by its title and
    aliases as whole phrasings, so no flag goes unrecognised.
    """
    from back_spasm_cli.knowledge.schema import LEVEL_ORDER, FlagWords, Shapes

    matcher = matcher_for(content)
    by_flag: dict[str, list[Shapes]] = {}
    if matcher is not None:
        for entry in matcher.words.flags:
            by_flag.setdefault(entry.flag, []).append(entry)
    else:
        matcher = _matcher(_bare_words(), ())
    # A flag with no `words:` entry is matched by its names: compiled into a copy, so the
    # cached matcher is never changed by a call.
    extra = {
        name: compile_term(name, (), matcher.stem_word)
        for flag in content.red_flags
        if flag.id not in by_flag
        for name in (flag.title, *flag.aliases)
        if name not in matcher.phrases
    }
    if extra:
        matcher = dataclasses.replace(matcher, phrases={**matcher.phrases, **extra})
    parsed = _Text(matcher, text)
    groups = list(parsed.contexts)
    found: list[FlagMatch] = []
    aside: list[tuple[FlagMatch, str]] = []
    for flag in content.red_flags:
        shapes = by_flag.get(flag.id)
        if shapes is None:
            shapes = [Shapes(phrases=[flag.title, *flag.aliases])]
        set_aside: tuple[FlagMatch, str] | None = None
        for shape in shapes:
            keep = shape.keep if isinstance(shape, FlagWords) else []
            context = [g for g in groups if g not in keep]
            phrase = parsed.shape(shape, context=context)
            if phrase is not None:
                found.append(FlagMatch(flag.id, flag.level, flag.title, phrase))
                set_aside = None
                break
            if context and set_aside is None:
                for group in context:
                    others = [g for g in context if g != group]
                    phrase = parsed.shape(shape, context=others)
                    if phrase is not None:
                        set_aside = (FlagMatch(flag.id, flag.level, flag.title, phrase), group)
                        break
        if set_aside is not None:
            aside.append(set_aside)
    found.sort(key=lambda m: -LEVEL_ORDER.index(m.level))
    touch = None if found else parsed.touches(matcher.words.check)
    return Reading(found, aside, touch)


def recognise(content: KnowledgeBaseFile, text: str) -> list[FlagMatch]:
    """The red flags `text` describes, strictest first (see `read`)."""
    return read(content, text).flags


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


def note_pointer(content: KnowledgeBaseFile, text: str) -> Pointer | None:
    """`spasm check` for a note with no sign in it but words that touch one, or a sign
    read as someone else's or past (see `Reading.pointer`)."""
    return read(content, text).pointer()


def note_flags(content: KnowledgeBaseFile, text: str) -> list[RedFlag]:
    """The red flags a free-text note (a diary entry's) describes, most urgent first: the
    same recogniser that `spasm search` and `spasm ask` run (everyday words, negation,
    small typos). Here, not in personal/diary.py: personal data never imports advice."""
    flags = {flag.id: flag for flag in content.red_flags}
    return [flags[match.id] for match in recognise(content, text) if match.id in flags]
