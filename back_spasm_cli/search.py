"""Full-text search over the knowledge base: an SQLite FTS5 index, cached per fingerprint.

Every entry (causes, remedies, prevention, lifestyle, FAQ, exercises, red flags) becomes
one row of an FTS5 table with the Porter stemmer, so "stretch", "stretches" and
"stretching" find the same entries. Columns are weighted for bm25: title, then aliases
(the words people type, so they act as synonyms), summary, body, and the notes
(cautions, evidence). Candidates that a query names outright (all the words of a title,
alias or id) are lifted above the rest.

People's words are never handed to FTS5 as query syntax: they are split into words here,
each word is quoted, and the words are OR-ed, so `"`, `*`, `NEAR` or `(` are just text.

Red flags are matched apart from the ranking: a red flag applies when the query holds
every word of one of its names (title, id or an alias), stemmed. Names that advice
entries share ("injury" is also a muscle strain) or a single word common across the
advice ("worse") do not count on their own, so everyday words raise no false alarm.

The index lives in `cache_dir()/search/<fingerprint>-<format>.sqlite3`, is written whole and
rebuilt when the knowledge base's files change; it also holds what a result page needs
(the safety banner, care levels and disclaimer per region), so a warm search never loads
or validates the YAML. When the cache cannot be written the index is built in memory.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli import SCHEMA_VERSION, __version__, kb, paths, storage
from back_spasm_cli.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.schema import KnowledgeBaseFile

#: Column weights for bm25: title, aliases, summary, body, notes.
WEIGHTS = (10.0, 8.0, 3.0, 1.0, 0.5)
TOKENIZE = "porter unicode61 remove_diacritics 2"
#: Open and close markers around matched words in snippets (plain text in every format).
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET_TOKENS = 16
#: A word found in more than this share of entries says little about any one of them.
GENERIC_SHARE = 0.25
#: A one-word red-flag name counts alone only if at most this many advice entries (or
#: this share of them) use the word too.
AMBIGUOUS_COUNT, AMBIGUOUS_SHARE = 2, 0.05
#: Score multiplier for an entry whose whole title, alias or id is in the query.
NAME_BOOST = 1.6
CANDIDATES = 40  # rows ranked by bm25 before the name boost re-ranks them
MAX_TERMS = 32  # distinct words searched; the rest of a very long query is ignored
INDEX_KEEP = 8  # index files kept: enough for a few --kb bases side by side
#: Bump when what the index stores changes (the file name carries it).
INDEX_FORMAT = 1
#: Trust files' sizes and times in place of re-hashing them, once they have been still
#: this many seconds (False: hash every file on every search).
TRUST_STAT = True
STAT_SETTLED = 2.0
#: A base larger than this (bytes of YAML) shows progress while its index is built.
LARGE_BASE = 2_000_000

#: Words that carry no meaning for a search (interface vocabulary, not advice). Negations
#: and particles ("not getting better", "over 50") stay: red-flag names need them.
_STOP_WORDS = """
    a about after again all am an and any are as at be been before being but by can cannot
    could did do does doing don for from had has have having he her here hers him his how i
    if im in into is it its itself ive just me more most my myself now of on once only or
    other our ours own really same she should so some such than that the their theirs them
    then there these they this those through to too until up us very was we were what when
    where which while who whom why will with would you your yours yourself
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------------- results


class Hit(NamedTuple):
    """One search result, best first in `Results.hits`."""

    kind: str
    id: str
    title: str
    summary: str
    score: float
    snippet: str
    command: str
    named: bool = False  # the query holds a whole title, alias or id of this entry


class FlagMatch(NamedTuple):
    id: str
    level: str
    title: str


class Results(NamedTuple):
    query: str
    words: tuple[str, ...]
    hits: tuple[Hit, ...]
    flags: tuple[FlagMatch, ...] = ()  # red flags the words describe, strictest first
    level: str | None = None  # the strictest care level among `flags`


# --------------------------------------------------------------------------- words


def query_words(text: str) -> list[str]:
    """The words to search for: lower-case, without stop words, at most MAX_TERMS.

    Raises UsageError for an empty query and NotFoundError when nothing in it can be
    searched (only punctuation, say).
    """
    if not text.strip():
        raise UsageError("nothing to search for: give a few words, e.g. `spasm search heat`")
    words = _WORD.findall(text.casefold())
    if not words:
        raise NotFoundError(f"nothing to search for in {shorten(text)!r}: try a few words")
    content = [w for w in words if w not in STOP_WORDS and len(w) > 1]
    return _unique(content or words)[:MAX_TERMS]


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in STOP_WORDS and len(w) > 1]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def shorten(text: str, limit: int = 60) -> str:
    """`text` on one line, cut to `limit` characters, for messages."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _match_expression(words: Sequence[str]) -> str:
    """An FTS5 query that can only mean "any of these words": each one quoted."""
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in words)


def stem(conn: sqlite3.Connection, texts: Sequence[str]) -> list[list[str]]:
    """The stemmed tokens of each text, by the index's own tokenizer (so they always agree)."""
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmer USING fts5(x, tokenize={TOKENIZE!r})"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.stemmer_terms"
        " USING fts5vocab(temp, stemmer, 'instance')"
    )
    conn.execute("DELETE FROM temp.stemmer")
    conn.executemany("INSERT INTO temp.stemmer(rowid, x) VALUES (?, ?)", enumerate(texts, start=1))
    out: list[list[str]] = [[] for _ in texts]
    for doc, term in conn.execute("SELECT doc, term FROM temp.stemmer_terms ORDER BY doc, offset"):
        out[doc - 1].append(term)
    return out


# --------------------------------------------------------------------------- the index


def _m001_index(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute(
        "CREATE TABLE entries (rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL,"
        " title TEXT NOT NULL, summary TEXT NOT NULL, names TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, aliases, summary, body, notes,"
        f" tokenize={TOKENIZE!r})"
    )
    conn.execute("CREATE VIRTUAL TABLE docs_terms USING fts5vocab(docs, 'row')")
    conn.execute("CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID")


INDEX_MIGRATIONS: tuple[storage.Migration, ...] = (_m001_index,)


def index_dir() -> Path:
    return paths.cache_dir() / "search"


def index_path(fingerprint: str) -> Path:
    return index_dir() / f"{fingerprint[:16]}-{INDEX_FORMAT}.sqlite3"


class Index:
    """An open search index. `built` is True when it was (re)built for this call."""

    def __init__(
        self, conn: sqlite3.Connection, fingerprint: str, path: Path | None, *, built: bool
    ) -> None:
        self.conn = conn
        self.fingerprint = fingerprint
        self.path = path  # None: in memory, the cache could not be written
        self.built = built
        self._meta: dict[str, Any] = {}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ stored data

    def meta(self, key: str) -> Any:
        if key not in self._meta:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = json.loads(row[0]) if row else None
        return self._meta[key]

    def regions(self) -> list[tuple[str, list[str]]]:
        """(id, countries) of every region, for choosing a stored frame."""
        return [(str(r), list(c)) for r, c in self.meta("regions") or []]

    def frame(self, region_id: str | None) -> dict[str, Any]:
        """What surrounds results for a region (None: no region known), as stored JSON."""
        frame = self.meta(f"frame:{region_id}") if region_id else None
        return dict(frame or self.meta("frame:") or {})

    # ------------------------------------------------------------------ searching

    def search(self, text: str, *, limit: int = 5, kind: str | None = None) -> Results:
        """Hits for `text`, best first, and the red flags it describes."""
        words = query_words(text)
        stems_by_word = dict(zip(words, stem(self.conn, words), strict=True))
        stems = {s for group in stems_by_word.values() for s in group}
        generic = set(self.meta("generic") or ())
        searchable = [w for w in words if stems_by_word[w]]  # the tokenizer may drop some
        specific = [w for w in searchable if not set(stems_by_word[w]) <= generic]
        hits = self._rank(specific or searchable, stems, generic, limit, kind) if stems else []
        flags = self._flags(stems, set(words))
        order: list[str] = self.meta("levels") or []
        level = max((f.level for f in flags), key=order.index, default=None)
        return Results(text, tuple(words), tuple(hits), flags, level)

    def _rank(
        self,
        words: Sequence[str],
        stems: set[str],
        generic: set[str],
        limit: int,
        kind: str | None,
    ) -> list[Hit]:
        match = _match_expression(words)
        ranked = self.conn.execute(
            "SELECT docs.rowid, docs.rank, e.names FROM docs JOIN entries AS e"
            " ON e.rowid = docs.rowid WHERE docs MATCH ?1 AND (?2 IS NULL OR e.kind = ?2)"
            " ORDER BY docs.rank LIMIT ?3",
            (match, kind, max(CANDIDATES, limit)),
        ).fetchall()
        scores: dict[int, tuple[float, bool]] = {}
        for rowid, rank, names in ranked:
            named = any(
                set(name) <= stems and not set(name) <= generic for name in json.loads(names)
            )
            scores[rowid] = (-rank * (NAME_BOOST if named else 1.0), named)
        best = sorted(scores, key=lambda rowid: -scores[rowid][0])[:limit]
        if not best:
            return []
        # Snippets only for the hits shown: summary, body or notes, whichever marks most.
        commands: dict[str, str] = self.meta("commands") or {}
        rows = {
            row[0]: row[1:]
            for row in self.conn.execute(
                "SELECT docs.rowid, e.kind, e.id, e.title, e.summary,"
                " snippet(docs, 2, ?2, ?3, '…', ?4), snippet(docs, 3, ?2, ?3, '…', ?4),"
                " snippet(docs, 4, ?2, ?3, '…', ?4)"
                " FROM docs JOIN entries AS e ON e.rowid = docs.rowid"
                f" WHERE docs MATCH ?1 AND docs.rowid IN ({', '.join(map(str, best))})",
                (match, MARK_OPEN, MARK_CLOSE, SNIPPET_TOKENS),
            )
        }
        hits = []
        for rowid in best:
            kind_name, item_id, title, summary, *snippets = rows[rowid]
            score, named = scores[rowid]
            command = commands.get(kind_name, "{id}").format(id=item_id)
            snippet = _best_snippet(snippets) or summary
            hits.append(Hit(kind_name, item_id, title, summary, score, snippet, command, named))
        return hits

    def _flags(self, stems: set[str], words: set[str]) -> tuple[FlagMatch, ...]:
        """Red flags one of whose names the words hold entirely, strictest first."""
        flags: list[dict[str, Any]] = self.meta("flags") or []
        matches = [
            (index, frozenset(name_stems), set(name_words) <= words)
            for index, flag in enumerate(flags)
            for name_stems, name_words in flag["names"]
            if set(name_stems) <= stems
        ]
        # Stemming can merge names that differ ("legs numb" in both legs, "numb leg" in
        # one): where the words match one of them as written, that one decides.
        exact = {key for _, key, written in matches if written}
        chosen = {index for index, key, written in matches if written or key not in exact}
        order: list[str] = self.meta("levels") or []
        found = [
            FlagMatch(flags[i]["id"], flags[i]["level"], flags[i]["title"]) for i in sorted(chosen)
        ]
        found.sort(key=lambda f: -order.index(f.level) if f.level in order else 0)
        return tuple(found)

    def suggestions(self, text: str, count: int = 5) -> list[str]:
        """Known words close to the query's words, for "did you mean"."""
        import difflib

        vocabulary = [row[0] for row in self.conn.execute("SELECT word FROM words")]
        out: list[str] = []
        for word in content_words(text)[:MAX_TERMS]:
            out += difflib.get_close_matches(word, vocabulary, n=3, cutoff=0.75)
        return _unique(out)[:count]


def _best_snippet(snippets: Sequence[str]) -> str:
    """The snippet with the most marked words (summary, body, notes: earlier wins ties)."""
    best, marks = "", 0
    for text in snippets:
        count = text.count(MARK_OPEN) if text else 0
        if count > marks:
            best, marks = text, count
    return " ".join(best.split())


# --------------------------------------------------------------------------- opening


Progress = Callable[[], AbstractContextManager[object]]


def open_index(
    kb_path: str | None = None,
    *,
    knowledge: KnowledgeBase | None = None,
    progress: Progress | None = None,
) -> Index:
    """The index for the base `kb_path` names: from the cache when current, else built.

    The base's fingerprint (a hash of its files) picks the index, so an edited base is
    noticed; a current index is opened read-only without loading the YAML at all. The
    files' sizes and times, once they have been still for a while, stand in for hashing
    them again (see `_stat_key`). Pass `knowledge` when the base is loaded already.
    `progress` wraps the build of a large base.
    """
    if knowledge is not None:
        cached = _open_cached(knowledge.fingerprint)
        return cached or _build(knowledge.content, knowledge.fingerprint)
    location = kb.locate(kb_path)
    stat_key = _stat_key(location) if TRUST_STAT else None
    if stat_key is not None:
        recorded = _recorded_fingerprint(stat_key[0])
        cached = _open_cached(recorded) if recorded else None
        if cached is not None:
            return cached
    raw = kb.read_files(location)
    index = _open_cached(kb.fingerprint_of(raw))
    if index is None:
        large = sum(len(data) for data in raw.values()) > LARGE_BASE
        with progress() if progress is not None and large else nullcontext():
            knowledge = kb.load(kb_path)
            index = _build(knowledge.content, knowledge.fingerprint)
    if stat_key is not None and stat_key[1] and index.path is not None:
        _record_fingerprint(stat_key[0], index.fingerprint)
    return index


def _stat_key(location: kb.KBLocation) -> tuple[str, bool] | None:
    """A key from every file's name, size, times and inode; and whether it may be recorded.

    Any write to a file changes its ctime, which no program can set back, so the same key
    means the same bytes, provided the key was recorded after the files had been still
    for STAT_SETTLED seconds (a write within one clock tick of reading them could
    otherwise go unseen). None when a file is not a plain path (a zipped install).
    """
    import hashlib

    now = time.time()
    settled = True
    digest = hashlib.sha256(f"{__version__}\0{SCHEMA_VERSION}\0{INDEX_FORMAT}\0".encode())
    for kb_file in location.files:
        if not isinstance(kb_file.resource, Path):
            return None
        try:
            st = kb_file.resource.stat()
        except OSError:
            return None
        digest.update(
            f"{kb_file.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}"
            f"\0{st.st_dev}\n".encode("utf-8", "surrogateescape")
        )
        settled = settled and now - max(st.st_mtime, st.st_ctime) > STAT_SETTLED
    return digest.hexdigest(), settled


def _stat_path(stat_key: str) -> Path:
    return index_dir() / f"{stat_key[:32]}.stat"


def _recorded_fingerprint(stat_key: str) -> str | None:
    try:
        text = _stat_path(stat_key).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None
    return text if re.fullmatch(r"[0-9a-f]{64}", text) else None


def _record_fingerprint(stat_key: str, fingerprint: str) -> None:
    path = _stat_path(stat_key)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(fingerprint, encoding="ascii")
        os.replace(temp, path)
    except OSError:
        _unlink(temp)


def _open_cached(fingerprint: str) -> Index | None:
    path = index_path(fingerprint)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if version == len(INDEX_MIGRATIONS) and row and json.loads(row[0]) == fingerprint:
            return Index(conn, fingerprint, path, built=False)
    except sqlite3.Error:
        pass
    conn.close()
    return None


def _build(content: KnowledgeBaseFile, fingerprint: str) -> Index:
    """Write the index to a temporary file, then move it into place; else keep it in memory."""
    final = index_path(fingerprint)
    temp = final.with_name(f".{final.stem}.{os.getpid()}.tmp")
    try:
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _unlink(temp)
        conn = sqlite3.connect(temp)
    except (OSError, sqlite3.Error):
        return _build_in_memory(content, fingerprint)
    try:
        # A new file that only becomes the index once complete: no journal, one sync.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        storage.migrate(conn, INDEX_MIGRATIONS)
        _fill(conn, content, fingerprint)
        conn.close()
        _fsync(temp)
        os.replace(temp, final)
    except (OSError, sqlite3.Error):
        conn.close()
        _unlink(temp)
        return _build_in_memory(content, fingerprint)
    except BaseException:
        conn.close()
        _unlink(temp)
        raise
    _prune(final)
    opened = _open_cached(fingerprint)
    if opened is None:
        return _build_in_memory(content, fingerprint)
    opened.built = True
    return opened


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _build_in_memory(content: KnowledgeBaseFile, fingerprint: str) -> Index:
    conn = sqlite3.connect(":memory:")
    storage.migrate(conn, INDEX_MIGRATIONS)
    _fill(conn, content, fingerprint)
    return Index(conn, fingerprint, None, built=True)


def _unlink(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _prune(keep: Path) -> None:
    """Keep the newest INDEX_KEEP indexes (and a few file-time records); drop temporary
    files left by crashes."""
    try:
        files = [p for p in keep.parent.iterdir() if p.suffix in (".sqlite3", ".stat", ".tmp")]
        stamped = sorted(((p.stat().st_mtime, p) for p in files), reverse=True)
    except OSError:
        return
    now = time.time()
    kept = {".sqlite3": 1, ".stat": 0}
    for mtime, path in stamped:
        if path == keep:
            continue
        if path.suffix == ".tmp":
            if now - mtime > 600:
                _unlink(path)
        elif kept[path.suffix] < INDEX_KEEP * (1 if path.suffix == ".sqlite3" else 4):
            kept[path.suffix] += 1
        else:
            _unlink(path)


# --------------------------------------------------------------------------- building


def _fill(conn: sqlite3.Connection, content: KnowledgeBaseFile, fingerprint: str) -> None:
    from back_spasm_cli import answers
    from back_spasm_cli.kinds import KIND_BY_SECTION, KINDS
    from back_spasm_cli.schema import LEVEL_ORDER

    items = [
        (KIND_BY_SECTION[section].name, item)
        for section, item in kb.iter_items(content)
        if section in KIND_BY_SECTION
    ]
    # Every entry's names (id, title, aliases) as content words and as stems.
    names_text: list[list[str]] = [
        [" ".join(content_words(name)) for name in (item.id, item.title, *item.aliases)]
        for _, item in items
    ]
    distinct = list(dict.fromkeys(text for texts in names_text for text in texts))
    stems_of = dict(zip(distinct, stem(conn, distinct), strict=True))
    item_names = [[(text, stems_of[text]) for text in texts] for texts in names_text]
    # Words for "did you mean": those of the names and summaries, as people would type them.
    vocabulary = {word for text in distinct for word in text.split() if len(word) > 2}
    vocabulary.update(w for _, item in items for w in content_words(_summary(item)) if len(w) > 2)

    rows = enumerate(zip(items, item_names, strict=True), start=1)
    with conn:
        conn.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)",
            (
                (
                    rowid,
                    kind,
                    item.id,
                    item.title,
                    _summary(item),
                    json.dumps([stems for _, stems in names if stems]),
                )
                for rowid, ((kind, item), names) in rows
            ),
        )
        conn.executemany(
            "INSERT INTO docs(rowid, title, aliases, summary, body, notes)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            ((rowid, *_columns(item)) for rowid, (_, item) in enumerate(items, start=1)),
        )
        conn.execute(
            "INSERT INTO docs(docs, rank) VALUES ('rank', ?)",
            ("bm25(" + ", ".join(str(w) for w in WEIGHTS) + ")",),
        )
        conn.executemany("INSERT INTO words VALUES (?)", ((w,) for w in sorted(vocabulary)))

        total = max(len(items), 1)
        generic = sorted(
            term
            for term, docs in conn.execute("SELECT term, doc FROM docs_terms")
            if docs / total > GENERIC_SHARE
        )
        flags = _flag_names(conn, items, item_names, set(generic))
        meta = {
            "fingerprint": fingerprint,
            "levels": list(LEVEL_ORDER),
            "generic": generic,
            "flags": flags,
            "commands": {name: command_for(name, "{id}") for name in KINDS},
            "regions": [[r.id, list(r.countries)] for r in content.regions],
        }
        meta.update((f"frame:{key}", frame) for key, frame in answers.frames_json(content).items())
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            ((key, json.dumps(value, ensure_ascii=False)) for key, value in meta.items()),
        )


def command_for(kind_name: str, item_id: str) -> str:
    """The command that opens an entry: `spasm remedy heat`; red flags: `spasm doctor`."""
    from back_spasm_cli.kinds import KINDS, open_command

    return open_command(KINDS[kind_name], item_id)


def _summary(item: Any) -> str:
    """One line per entry; a red flag's is its question."""
    summary = getattr(item, "summary", None)
    return str(summary if summary is not None else item.question)


def _columns(item: Any) -> tuple[str, str, str, str, str]:
    """title, aliases, summary, body, notes: the text of one entry, by weight."""
    from back_spasm_cli.schema import Entry, Exercise

    aliases = "\n".join(item.aliases)
    if isinstance(item, Entry):
        body = [*item.body, *item.steps, item.duration or "", *item.tips]
        return (
            item.title,
            aliases,
            item.summary,
            _join(body),
            _join([*item.cautions, *item.evidence]),
        )
    if isinstance(item, Exercise):
        body = [item.position, *item.steps, item.hold or "", item.repetitions or ""]
        return item.title, aliases, item.summary, _join(body), _join(item.cautions)
    return item.title, aliases, item.question, item.explain, _join(item.evidence)


def _join(parts: Iterable[str]) -> str:
    return "\n".join(part for part in parts if part)


Name = tuple[str, list[str]]  # (content words, their stems)


def _flag_names(
    conn: sqlite3.Connection,
    items: Sequence[tuple[str, Any]],
    item_names: Sequence[Sequence[Name]],
    generic: set[str],
) -> list[dict[str, Any]]:
    """Each red flag with the names (as stem lists) that are enough to raise it."""
    advice = [
        names for (kind, _), names in zip(items, item_names, strict=True) if kind != "red-flag"
    ]
    advice_names = [set(stems) for names in advice for _, stems in names if stems]
    limit = max(AMBIGUOUS_COUNT, AMBIGUOUS_SHARE * len(advice))
    flags = []
    for (kind, item), names in zip(items, item_names, strict=True):
        if kind != "red-flag":
            continue
        usable: list[tuple[tuple[str, ...], tuple[str, ...]]] = []  # (stems, words)
        for text, stems in names:
            distinct = set(stems)
            if not distinct or distinct <= generic:
                continue
            if any(distinct <= other for other in advice_names):
                continue  # an advice entry goes by this name too ("injury")
            if len(distinct) == 1 and _advice_count(conn, text) > limit:
                continue  # a word the advice uses all over ("worse", "weeks")
            usable.append((tuple(sorted(distinct)), tuple(sorted(set(text.split())))))
        flags.append(
            {
                "id": item.id,
                "level": item.level,
                "title": item.title,
                "names": list(dict.fromkeys(usable)),
            }
        )
    return flags


def _advice_count(conn: sqlite3.Connection, words: str) -> int:
    """How many advice entries (not red flags) use these words (stemmed, any column)."""
    row = conn.execute(
        "SELECT count(*) FROM docs JOIN entries AS e ON e.rowid = docs.rowid"
        " WHERE docs MATCH ? AND e.kind != 'red-flag'",
        (_match_expression(words.split()),),
    ).fetchone()
    return int(row[0])
