"""Full-text search over the knowledge base: an SQLite FTS5 index of data, ranked by bm25.

Every entry (causes, remedies, prevention, lifestyle, FAQ, exercises, red flags) becomes
one row of an FTS5 table with the Porter stemmer, so "stretch", "stretches" and
"stretching" find the same entries. Columns are weighted for bm25: title, then aliases
(the words people type, so they act as synonyms), summary, body, and the notes
(cautions, evidence). Candidates that a query names outright (all the words of a title,
alias or id) are lifted above the rest.

People's words are never handed to FTS5 as query syntax: they are split into words here,
each word is quoted, and the words are OR-ed, so `"`, `*`, `NEAR` or `(` are just text.

Red flags are not decided here: recognise.py reads them from the words (data/words.yaml),
and `answer()` asks it first. Nothing here renders: views/search.py builds the documents.

The index lives in `cache_dir()/search/<fingerprint>-<format>-<hash>.sqlite3`; the
fingerprint is the loaded base's (its files and spasm's code), so an edited base or an
edited spasm gets a new index, and the hash is the SHA-256 of the file as written. It holds
data only (entries, their text, words), never presentation. An index whose bytes no
longer match its hash (random bytes, an edited row, another schema), or whose schema is
not this one, is rebuilt once, with a notice. One process builds a given index, under a lock,
while others wait for it (or, after BUILD_WAIT seconds, build their own in memory); the
index is written to a temporary file and renamed into place, and temporary files left by
a process that died are removed on the next run. When the cache cannot be written the
index is built in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli.errors import NotFoundError, UsageError
from back_spasm_cli.knowledge import kb
from back_spasm_cli.system import atomic, database, paths

if TYPE_CHECKING:
    from back_spasm_cli.advice.recognise import FlagMatch, Pointer
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.knowledge.schema import DayChoice, KnowledgeBaseFile

#: Column weights for bm25: title, aliases, summary, body, notes.
WEIGHTS = (10.0, 8.0, 3.0, 1.0, 0.5)
TOKENIZE = "porter unicode61 remove_diacritics 2"
#: Open and close markers around matched words in snippets (plain text in every format).
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET_TOKENS = 16
#: A word found in more than this share of entries says little about any one of them.
GENERIC_SHARE = 0.25
#: Score multiplier for an entry whose whole title, alias or id is in the query.
NAME_BOOST = 1.6
CANDIDATES = 40  # rows ranked by bm25 before the name boost re-ranks them
MAX_TERMS = 32  # distinct words searched; the rest of a very long query is ignored
INDEX_KEEP = 8  # index files kept: enough for a few --kb bases side by side
#: Bump when what the index stores changes (the file name carries it).
INDEX_FORMAT = 2
#: A base with more entries than this shows progress while its index is built.
LARGE_BASE = 2_000
#: Seconds a process waits for another one building the same index.
BUILD_WAIT = 60.0
DAMAGED_NOTICE = "the search index was damaged ({why}); rebuilt it"
#: Said once when the index cannot be saved in the cache: the search runs in memory.
MEMORY_NOTICE = "the search index cannot be saved ({why}); searched without the cache"

#: Words that carry no meaning for a search (interface vocabulary, not advice).
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


class Results(NamedTuple):
    query: str
    words: tuple[str, ...]
    hits: tuple[Hit, ...]


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


def not_found(index: Index, text: str, kind: str | None) -> NotFoundError:
    """The error for a search that found nothing, with the nearest known words."""
    what = f"no {kind} entry" if kind else "nothing"
    hints = index.suggestions(text)
    details = [f"did you mean: {', '.join(hints)}?"] if hints else []
    if kind:
        details.append("try without --kind")
    return NotFoundError(f"{what} matches {shorten(text)!r}", details=details)


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


INDEX_MIGRATIONS: tuple[database.Migration, ...] = (_m001_index,)
#: The tables a complete index has (a file without them is not one of ours).
_TABLES = frozenset({"meta", "entries", "docs", "words"})


def index_dir() -> Path:
    return paths.cache_dir() / "search"


def index_stem(fingerprint: str) -> str:
    return f"{fingerprint[:16]}-{INDEX_FORMAT}"


def index_path(fingerprint: str, digest: str) -> Path:
    """Where the index for `fingerprint` lives, named with the hash of its bytes."""
    return index_dir() / f"{index_stem(fingerprint)}-{digest[:32]}.sqlite3"


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Index:
    """An open search index. `built` is True when it was (re)built for this call;
    `notices` says what the caller should tell the user (a damaged index rebuilt)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        fingerprint: str,
        path: Path | None,
        *,
        built: bool,
        notices: tuple[str, ...] = (),
    ) -> None:
        self.conn = conn
        self.fingerprint = fingerprint
        self.path = path  # None: in memory, the cache could not be written
        self.built = built
        self.notices = notices
        self._meta: dict[str, Any] = {}

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def meta(self, key: str) -> Any:
        if key not in self._meta:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            self._meta[key] = json.loads(row[0]) if row else None
        return self._meta[key]

    # ------------------------------------------------------------------ searching

    def search(
        self,
        text: str,
        *,
        limit: int = 5,
        kind: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> Results:
        """Hits for `text`, best first (only entries in `ids`, when given)."""
        words = query_words(text)
        stems_by_word = dict(zip(words, stem(self.conn, words), strict=True))
        stems = {s for group in stems_by_word.values() for s in group}
        generic = set(self.meta("generic") or ())
        searchable = [w for w in words if stems_by_word[w]]  # the tokenizer may drop some
        specific = [w for w in searchable if not set(stems_by_word[w]) <= generic]
        hits = self._rank(specific or searchable, stems, generic, limit, kind, ids) if stems else []
        return Results(text, tuple(words), tuple(hits))

    def _rank(
        self,
        words: Sequence[str],
        stems: set[str],
        generic: set[str],
        limit: int,
        kind: str | None,
        ids: Sequence[str] | None,
    ) -> list[Hit]:
        match = _match_expression(words)
        only = json.dumps(list(ids)) if ids is not None else None
        ranked = self.conn.execute(
            "SELECT docs.rowid, docs.rank, e.names FROM docs JOIN entries AS e"
            " ON e.rowid = docs.rowid WHERE docs MATCH ?1 AND (?2 IS NULL OR e.kind = ?2)"
            " AND (?4 IS NULL OR e.id IN (SELECT value FROM json_each(?4)))"
            " ORDER BY docs.rank LIMIT ?3",
            (match, kind, max(CANDIDATES, limit), only),
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


def open_index(knowledge: KnowledgeBase, *, progress: Progress | None = None) -> Index:
    """The index for the loaded base: from the cache when current and sound, else built.

    `progress` wraps the build of a large base. A damaged index is rebuilt, and
    `Index.notices` says so; a cache that cannot be written gives an index in memory.
    """
    content, fingerprint = knowledge.content, knowledge.fingerprint
    folder = index_dir()
    _remove_stale_temps(folder)
    notices: list[str] = []
    index = _open_checked(folder, fingerprint, notices)
    if index is not None:
        return index
    large = sum(1 for _ in kb.iter_items(content)) > LARGE_BASE
    showing = progress() if progress is not None and large else nullcontext()
    with showing, _build_lock(folder / f"{index_stem(fingerprint)}.lock") as locked:
        if locked:
            # Another process may have built it while this one waited for the lock.
            index = _open_checked(folder, fingerprint, notices)
            if index is None:
                index = _build(content, fingerprint, folder, notices)
        else:
            notices.append(MEMORY_NOTICE.format(why=f"{folder} is not writable or is busy"))
            index = _build_in_memory(content, fingerprint)
    index.notices = tuple(dict.fromkeys(notices))
    return index


def _open_checked(folder: Path, fingerprint: str, notices: list[str]) -> Index | None:
    """The index for `fingerprint` when it is sound; a damaged one is removed (and a notice
    added), so that the caller builds it again."""
    try:
        found = sorted(folder.glob(f"{index_stem(fingerprint)}-*.sqlite3"))
    except OSError:
        return None
    for path in found:
        why, conn = None, None
        try:
            if not _file_digest(path).startswith(path.stem.rsplit("-", 1)[-1]):
                why = "its bytes do not match its hash"
            else:
                conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
                why = _problem(conn, fingerprint)
                if why is None:
                    return Index(conn, fingerprint, path, built=False)
        except FileNotFoundError:
            continue  # replaced by another process meanwhile
        except (OSError, sqlite3.Error) as err:
            why = str(err)
        if conn is not None:
            conn.close()
        if why != "stale":
            notices.append(DAMAGED_NOTICE.format(why=why))
        _unlink(path)
    return None


def _problem(conn: sqlite3.Connection, fingerprint: str) -> str | None:
    """Why this file (whose bytes match its hash) is not an index for `fingerprint`."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version != len(INDEX_MIGRATIONS):
        return f"schema version {version}"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if not tables >= _TABLES:
        return "tables missing"
    row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    if row is None or row[0] != json.dumps(fingerprint):
        return "stale"  # a collision on the file name: not damage, just another base
    return None


@contextmanager
def _build_lock(path: Path) -> Iterator[bool]:
    """Hold the exclusive lock file `path`; False when it cannot be had (an unwritable
    cache, or another process building the index for longer than BUILD_WAIT)."""
    try:
        paths.make_private_dir(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        yield False
        return
    try:
        try:
            import fcntl
        except ImportError:  # no advisory locks here: build without one
            yield True
            return
        deadline = time.monotonic() + BUILD_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.05)
            except OSError:
                yield False
                return
        try:
            yield True
        finally:
            with suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _temp_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.tmp")


_TEMP = re.compile(r"^\..+\.(\d+)\.tmp$")


def _remove_stale_temps(folder: Path) -> None:
    """Remove temporary files whose process is gone (killed while building)."""
    try:
        names = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    except OSError:
        return
    for temp in names:
        found = _TEMP.match(temp.name)
        if found is None or not _alive(int(found.group(1))):
            _unlink(temp)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # it exists (another user's), or cannot be asked: leave its file be
    return True


def _build(content: KnowledgeBaseFile, fingerprint: str, folder: Path, notices: list[str]) -> Index:
    """Write the index to a temporary file, then move it into place under the hash of its
    bytes; else keep it in memory."""
    temp = _temp_path(folder / f"{index_stem(fingerprint)}.sqlite3")
    try:
        _unlink(temp)
        paths.make_private_file(temp)  # 0600 whatever the umask, and no link followed
        conn = sqlite3.connect(temp)
    except (OSError, sqlite3.Error) as err:
        notices.append(MEMORY_NOTICE.format(why=err))
        return _build_in_memory(content, fingerprint)
    try:
        # A new file that only becomes the index once complete: no journal, one sync.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        database.migrate(conn, INDEX_MIGRATIONS)
        _fill(conn, content, fingerprint)
        conn.close()
        final = index_path(fingerprint, _file_digest(temp))
        atomic.publish(temp, final)
    except (OSError, sqlite3.Error) as err:
        conn.close()
        _unlink(temp)
        notices.append(MEMORY_NOTICE.format(why=err))
        return _build_in_memory(content, fingerprint)
    except BaseException:
        conn.close()
        _unlink(temp)
        raise
    _prune(final)
    try:
        conn = sqlite3.connect(final.absolute().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as err:
        notices.append(MEMORY_NOTICE.format(why=err))
        return _build_in_memory(content, fingerprint)
    return Index(conn, fingerprint, final, built=True)


def _build_in_memory(content: KnowledgeBaseFile, fingerprint: str) -> Index:
    conn = sqlite3.connect(":memory:")
    database.migrate(conn, INDEX_MIGRATIONS)
    _fill(conn, content, fingerprint)
    return Index(conn, fingerprint, None, built=True)


def _unlink(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _prune(keep: Path) -> None:
    """Keep the newest INDEX_KEEP indexes, and the lock files of those."""
    try:
        files = [p for p in keep.parent.iterdir() if p.suffix == ".sqlite3" and p != keep]
        stamped = sorted(((p.stat().st_mtime, p) for p in files), reverse=True)
        locks = [p for p in keep.parent.iterdir() if p.suffix == ".lock"]
    except OSError:
        return
    for _, path in stamped[INDEX_KEEP - 1 :]:
        _unlink(path)
    kept = [keep.name, *(path.name for _, path in stamped[: INDEX_KEEP - 1])]
    for lock in locks:
        if not any(name.startswith(lock.stem + "-") for name in kept):
            _unlink(lock)


# --------------------------------------------------------------------------- building


def _fill(conn: sqlite3.Connection, content: KnowledgeBaseFile, fingerprint: str) -> None:
    from back_spasm_cli.knowledge.kinds import KIND_BY_SECTION, KINDS, open_command

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
    # Words for "did you mean": those of the names and summaries, as people would type them.
    vocabulary = {word for text in distinct for word in text.split() if len(word) > 2}
    vocabulary.update(w for _, item in items for w in content_words(_summary(item)) if len(w) > 2)

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
                    json.dumps([stems_of[text] for text in names if stems_of[text]]),
                )
                for rowid, ((kind, item), names) in enumerate(
                    zip(items, names_text, strict=True), start=1
                )
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
        meta = {
            "fingerprint": fingerprint,
            "generic": generic,
            "commands": {name: open_command(kind, "{id}") for name, kind in KINDS.items()},
        }
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            ((key, json.dumps(value, ensure_ascii=False)) for key, value in meta.items()),
        )


def _summary(item: Any) -> str:
    """One line per entry; a red flag's is its question."""
    summary = getattr(item, "summary", None)
    return str(summary if summary is not None else item.question)


def _columns(item: Any) -> tuple[str, str, str, str, str]:
    """title, aliases, summary, body, notes: the text of one entry, by weight."""
    from back_spasm_cli.knowledge.schema import Entry, Exercise

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


# --------------------------------------------------------------------------- ask


#: `spasm ask`: an FAQ answer is preferred when it scores at least this share of the best.
FAQ_FIT = 0.6
ASK_CANDIDATES = 8
ASK_FULL = 2  # entries shown in full when the question names several
ASK_RELATED = 3
#: Levels at which no self-care entry, link or tip is shown: only the care block and the
#: red flags. Self-care never sits beside a red flag that needs care today or now (an FAQ
#: answer waits too: its text and links are self-care).
WITHHOLD_SELF_CARE = ("emergency", "urgent", "check")
#: The level used for words that touch a sign (numbness, wetting, a fall) and match none:
#: the person is sent to `spasm check`, and no unrelated self-care is shown meanwhile.
CHECK = "check"
SAFE_KINDS = ("red-flag",)


class Answer(NamedTuple):
    """What `spasm ask` found: the red flags first, then the entries that answer."""

    question: str
    flags: tuple[FlagMatch, ...]  # strictest first (recognise.recognise)
    level: str | None
    intent: str | None  # the kind of question (data/words.yaml `intents`)
    intent_phrase: str | None
    full: tuple[str, ...]  # entry ids shown in full, in order
    related: tuple[str, ...]  # entry ids shown as summaries
    day: DayChoice | None  # the order chosen for the day since onset, if the intent has one
    days_since_onset: int | None
    check: Pointer | None = None  # send the person to `spasm check` (recognise.Pointer)


def withheld(level: str | None) -> bool:
    return level in WITHHOLD_SELF_CARE


def beside(level: str | None, kind: str) -> bool:
    """Whether an entry of `kind` may be shown beside an answer at care `level`.

    The one place the hard rule lives: no self-care entry, link or tip beside an urgent or
    emergency answer. `search` (`guard`), `ask` (`answer`) and so every format and the
    library go through it.
    """
    return not withheld(level) or kind in SAFE_KINDS


def guard(results: Results, level: str | None) -> Results:
    """Search results with only what may be shown at care `level` (see `beside`)."""
    hits = tuple(hit for hit in results.hits if beside(level, hit.kind))
    return results._replace(hits=hits)


def answer(
    index: Index,
    content: KnowledgeBaseFile,
    question: str,
    *,
    days_since_onset: int | None = None,
) -> Answer:
    """Answer a question: red flags first (always), then the entries its intent names,
    ranked by the words; with no intent, the best hits (an FAQ answer where one fits).

    `days_since_onset` (0 = the day it started) picks the order of a comparison such as
    ice or heat; None uses the first (the safest) order.
    """
    from back_spasm_cli.advice import recognise
    from back_spasm_cli.knowledge.kinds import KIND_BY_SECTION

    reading = recognise.read(content, question)
    flags = tuple(reading.flags)
    pointer = reading.pointer()
    level = recognise.strictest(flags)
    if level is None and pointer is not None and pointer.reason == "words":
        level_for_entries: str | None = CHECK
    else:
        level_for_entries = level
    results = index.search(question, limit=ASK_CANDIDATES)
    kinds = {
        item.id: KIND_BY_SECTION[section].name
        for section, item in kb.iter_items(content)
        if section in KIND_BY_SECTION
    }

    def allowed(item_id: str) -> bool:
        return item_id in kinds and beside(level_for_entries, kinds[item_id])

    found = recognise.intent(content, question)
    day: DayChoice | None = None
    if found is not None:
        chosen, phrase = found
        entries = list(chosen.entries)
        if chosen.by_day:
            day = chosen.by_day[0]
            for choice in chosen.by_day:
                if days_since_onset is not None and days_since_onset >= choice.from_day:
                    day = choice
            entries = list(dict.fromkeys([*day.entries, *entries]))
        if chosen.show_all:
            full = [e for e in entries if allowed(e)]
        else:
            ranked = index.search(question, limit=len(entries), ids=entries).hits
            order = [hit.id for hit in ranked] + entries
            full = [e for e in dict.fromkeys(order) if allowed(e)][:1]
        intent_id: str | None = chosen.id
        intent_phrase: str | None = phrase
        if chosen.check and pointer is None and level is None:
            pointer = recognise.Pointer("asked", phrase)
    else:
        full = [hit.id for hit in _choose(results, level_for_entries)]
        intent_id = intent_phrase = None
    if not full and level is None and pointer is None:
        raise not_found(index, question, None)

    shown = set(full)
    by_id = {item.id: item for _, item in kb.iter_items(content)}
    related_ids = [r for e in full for r in getattr(by_id[e], "related", ()) if r not in shown]
    hit_ids = [hit.id for hit in results.hits if hit.id not in shown]
    # The entries' own links first (those the words also found, then the rest), then hits.
    order = [r for r in hit_ids if r in related_ids] + related_ids + hit_ids
    related = [
        item_id
        for item_id in dict.fromkeys(order)
        if item_id not in shown and allowed(item_id) and kinds[item_id] != "red-flag"
    ][:ASK_RELATED]
    return Answer(
        question,
        flags,
        level,
        intent_id,
        intent_phrase,
        tuple(full),
        tuple(related),
        day,
        days_since_onset,
        pointer,
    )


def _choose(results: Results, level: str | None) -> list[Hit]:
    """The entries to show in full when no intent matched: from the ranked hits."""
    advice = [hit for hit in results.hits if hit.kind != "red-flag" and beside(level, hit.kind)]
    if not advice:
        return []
    named = [hit for hit in advice[:5] if hit.named]
    if len(named) >= 2:
        return named[:ASK_FULL]
    best = advice[0]
    faq = next((h for h in advice if h.kind == "faq"), None)
    # With a red flag in the words, a question that matched them comes first (such as
    # when to get help); otherwise only when it fits nearly as well as the best entry.
    if faq is not None and (level is not None or faq.named or faq.score >= FAQ_FIT * best.score):
        best = faq
    return [best]
