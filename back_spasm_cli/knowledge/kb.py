"""Find, load, validate and cache the knowledge base.

The shipped base is read through importlib.resources; `--kb PATH` or `SPASM_KB` names
another (one YAML file or a folder of them). YAML is composed with the safe (C where
present) loader; the node tree is checked for tags, aliases, duplicate keys and size
before anything is constructed, so hostile files are refused without running anything.
Every error carries file, line, column and field path, and all of them are reported.

A validated base is kept as a snapshot in SQLite under the user's cache directory, keyed
by a hash of the files and of spasm's own code, so that a lookup needs neither PyYAML nor
pydantic (together about 60 ms, more than the rest of a lookup). The snapshot is checked
against its own content hash and read back with an unpickler that accepts nothing but the
schema's types; a damaged one is rebuilt, with one notice.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli.knowledge.reading import (
    _MISSING_KEY as _MISSING_KEY,
)
from back_spasm_cli.knowledge.reading import (
    _SAFE_TAGS as _SAFE_TAGS,
)
from back_spasm_cli.knowledge.reading import (
    _UNKNOWN_KEY as _UNKNOWN_KEY,
)
from back_spasm_cli.knowledge.reading import (
    MAX_FILE_BYTES as MAX_FILE_BYTES,
)
from back_spasm_cli.knowledge.reading import (
    MAX_NODES as MAX_NODES,
)
from back_spasm_cli.knowledge.reading import (
    SHIPPED as SHIPPED,
)
from back_spasm_cli.knowledge.reading import (
    YAML_SUFFIXES as YAML_SUFFIXES,
)
from back_spasm_cli.knowledge.reading import (  # re-exported: kb.KBIssue and the like
    KBFile as KBFile,
)
from back_spasm_cli.knowledge.reading import (
    KBIssue as KBIssue,
)
from back_spasm_cli.knowledge.reading import (
    KBLocation as KBLocation,
)
from back_spasm_cli.knowledge.reading import (
    KnowledgeBaseError as KnowledgeBaseError,
)
from back_spasm_cli.knowledge.reading import (
    _at as _at,
)
from back_spasm_cli.knowledge.reading import (
    _check_nodes as _check_nodes,
)
from back_spasm_cli.knowledge.reading import (
    _describe as _describe,
)
from back_spasm_cli.knowledge.reading import (
    _events_within_limit as _events_within_limit,
)
from back_spasm_cli.knowledge.reading import (
    _format_loc as _format_loc,
)
from back_spasm_cli.knowledge.reading import (
    _is_yaml as _is_yaml,
)
from back_spasm_cli.knowledge.reading import (
    _node_at as _node_at,
)
from back_spasm_cli.knowledge.reading import (
    _parse_loc as _parse_loc,
)
from back_spasm_cli.knowledge.reading import (
    _TooLarge as _TooLarge,
)
from back_spasm_cli.knowledge.reading import (
    compose as compose,
)
from back_spasm_cli.knowledge.reading import (
    locate as locate,
)
from back_spasm_cli.knowledge.reading import (
    shipped_data as shipped_data,
)
from back_spasm_cli.system import database, paths
from back_spasm_cli.version import SCHEMA_VERSION, __version__

try:  # CPython's own BLAKE2: the same digest as hashlib's, without loading OpenSSL (~4 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b

if TYPE_CHECKING:
    import yaml

    from back_spasm_cli.knowledge.layers import Layer, LayerSource, Provenance, Snapshot, Touch
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile


class KnowledgeBase(NamedTuple):
    """The merged, validated base, with where it came from: every layer, and which layer
    defined or extended each id (see layers.py)."""

    content: KnowledgeBaseFile
    origin: str
    files: tuple[str, ...]
    fingerprint: str
    from_cache: bool = False
    notices: tuple[str, ...] = ()  # e.g. "the cache was damaged; rebuilt it"
    layers: tuple[Layer, ...] = ()
    provenance: Mapping[str, Provenance] = {}
    touches: tuple[Touch, ...] = ()
    source_hashes: Mapping[str, str] = {}  # id -> a language layer's `source_hash`

    def origin_of(self, item_id: str) -> Layer | None:
        """The overlay (or language layer) an entry comes from; None for the base's own."""
        found = self.provenance.get(item_id)
        if found is None or found.layer == 0 or found.layer >= len(self.layers):
            return None
        return self.layers[found.layer]

    def extended_by(self, item_id: str) -> tuple[Layer, ...]:
        """The layers that added to an entry (`extends:`), in order."""
        found = self.provenance.get(item_id)
        if found is None:
            return ()
        return tuple(dict.fromkeys(self.layers[layer] for layer, _, _ in found.extended_by))

    def overlays(self) -> tuple[Layer, ...]:
        return tuple(layer for layer in self.layers if layer.kind == "overlay")


# --------------------------------------------------------------------------- locating


# --------------------------------------------------------------------------- loading


def load(
    path: str | None = None,
    *,
    overlays: Sequence[str] = (),
    languages: Sequence[LayerSource] = (),
    use_cache: bool = True,
    layered: bool = True,
) -> KnowledgeBase:
    """Load the base named by `path` (see `locate`) with every layer on top of it (see
    layers.stack: language layers, site and user overlays, SPASM_OVERLAYS, `overlays`),
    from the snapshot when it is current. `layered=False` reads the base alone."""
    from back_spasm_cli.knowledge import layers as layering

    if layered:
        sources = layering.stack(path, overlays, languages)
    else:
        location = locate(path)
        sources = [
            layering.LayerSource(
                "base",
                "shipped" if location.origin == SHIPPED else "kb",
                location.origin,
                location.files,
            )
        ]
    raw = read_layers(sources)
    key = fingerprint_of(raw, _stack_header(sources))
    notices: tuple[str, ...] = ()
    origin = sources[0].path
    if use_cache:
        cached, notices = snapshot_get(key)
        if cached is not None:
            return _knowledge(cached, origin, raw, key, True, notices)
    snapshot = validate_layers(sources, raw)
    if use_cache:
        snapshot_put(key, snapshot)
    return _knowledge(snapshot, origin, raw, key, False, notices)


def _knowledge(
    snapshot: Snapshot,
    origin: str,
    raw: dict[str, bytes],
    key: str,
    from_cache: bool,
    notices: tuple[str, ...],
) -> KnowledgeBase:
    return KnowledgeBase(
        snapshot.content,
        origin,
        tuple(raw),
        key,
        from_cache,
        notices,
        snapshot.layers,
        snapshot.provenance,
        snapshot.touches,
        snapshot.source_hashes,
    )


def _stack_header(sources: Sequence[LayerSource]) -> str:
    """What, beside the files' bytes, the stack is: each layer's kind, scope and path."""
    return "\0".join(f"{s.kind}:{s.scope}:{s.language or ''}:{s.path}" for s in sources)


def fingerprint(path: str | None = None, overlays: Sequence[str] = ()) -> str:
    """The hash of every layer's files and of spasm's code: what caches are keyed by."""
    from back_spasm_cli.knowledge import layers as layering

    sources = layering.stack(path, overlays)
    return fingerprint_of(read_layers(sources), _stack_header(sources))


def read_layers(sources: Sequence[LayerSource]) -> dict[str, bytes]:
    """Every file of every layer (manifests included), in stack order."""
    raw: dict[str, bytes] = {}
    for source in sources:
        files = (source.manifest, *source.files) if source.manifest else source.files
        raw.update(read_files(KBLocation(source.path, tuple(files))))
    return raw


def validate_layers(sources: Sequence[LayerSource], raw: dict[str, bytes]) -> Snapshot:
    """Validate the base, then merge every layer above it (layers.merge); raise with every
    issue, refusals among them."""
    from back_spasm_cli.knowledge import layers as layering
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

    base_raw = {f.name: raw[f.name] for f in sources[0].files}
    issues: list[KBIssue] = []
    merged, owners = _validated_sections(base_raw, issues)
    loaded = layering.merge(sources, raw, merged, owners, issues)
    if issues:
        overlay_files = {
            name: source.path
            for source in sources[1:]
            for name in (
                source.manifest.name if source.manifest else "",
                *(f.name for f in source.files),
            )
        }
        refused = sorted({overlay_files[i.file] for i in issues if i.file in overlay_files})
        raise KnowledgeBaseError(issues, refused=tuple(refused))
    content = KnowledgeBaseFile(**loaded.sections)
    for source in sources:
        if source.kind == "language" and source.language:
            content = _mark_fallbacks(content, source, raw)
    entry_words(content)  # kept with the snapshot: the recogniser's known words
    return layering.Snapshot(
        content,
        loaded.layers,
        loaded.provenance,
        loaded.touches,
        loaded.source_hashes,
    )


def _mark_fallbacks(
    content: KnowledgeBaseFile, source: LayerSource, raw: dict[str, bytes]
) -> KnowledgeBaseFile:
    """Ordinary entries the language layer leaves English say so: "(en inglés)"."""
    from back_spasm_cli.knowledge import language

    issues: list[KBIssue] = []
    documents = [compose(f.name, raw[f.name], issues) for f in source.files]
    data = [composed[0] for composed in documents if composed is not None]
    return language.walk(content, data, source.language or "").content


def language_layer(path: str | None, language: str) -> list[LayerSource]:
    """The language layer for the base in use: data/LANG/ beside the shipped base, LANG/
    in a folder named by --kb; none for English or when there is no such folder."""
    from back_spasm_cli.knowledge import layers as layering

    if language == "en":
        return []
    location = locate(path)
    if location.origin == SHIPPED:
        folder = Path(str(shipped_data())) / language
    else:
        folder = Path(location.origin).expanduser() / language
    if not folder.is_dir():
        return []
    return [layering.language_source(folder, language)]


def read_files(location: KBLocation) -> dict[str, bytes]:
    raw: dict[str, bytes] = {}
    issues: list[KBIssue] = []
    for kb_file in location.files:
        try:
            raw[kb_file.name] = kb_file.read_bytes()
        except _TooLarge as err:
            issues.append(
                KBIssue(
                    kb_file.name,
                    None,
                    None,
                    "",
                    f"file is {err.size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes",
                )
            )
        except OSError as err:
            issues.append(KBIssue(kb_file.name, None, None, "", f"cannot read: {err.strerror}"))
    if issues:
        raise KnowledgeBaseError(issues)
    return raw


def fingerprint_of(raw: dict[str, bytes], header: str = "") -> str:
    """A hash of everything a cache built from these files depends on: the files (and the
    layers they belong to), the code that reads and shows them, and the validator."""
    digest = blake2b(f"{code_fingerprint()}\0{header}\0".encode())
    for name, data in raw.items():
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """A hash of spasm's own Python files (so an edited or reinstalled spasm never reads a
    cache an older one wrote) and of pydantic's version file (it decides what is valid)."""
    import importlib.util

    digest = blake2b(f"{__version__}\0{SCHEMA_VERSION}\0".encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    spec = importlib.util.find_spec("pydantic")
    if spec is not None and spec.origin:
        version_file = Path(spec.origin).parent / "version.py"
        with contextlib.suppress(OSError):
            digest.update(version_file.read_bytes())
    return digest.hexdigest()


def validate(raw: dict[str, bytes]) -> KnowledgeBaseFile:
    """Parse and validate every file, then check the merged base; raise with all issues."""
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

    issues: list[KBIssue] = []
    merged, _owners = _validated_sections(raw, issues)
    if issues:
        raise KnowledgeBaseError(issues)
    return KnowledgeBaseFile(**merged)


def _validated_sections(
    raw: dict[str, bytes], issues: list[KBIssue]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The base's files parsed, validated and merged into sections, and each id's file."""
    from back_spasm_cli.knowledge.schema import LIST_SECTIONS

    parsed: list[tuple[str, KnowledgeBaseFile, yaml.Node]] = []
    # The parts were validated one file at a time; the merged base is built from them.
    for name, data in raw.items():
        result = _parse_file(name, data, issues)
        if result is not None:
            parsed.append((name, *result))
    if issues:
        raise KnowledgeBaseError(issues)
    merged = _merge(parsed, issues)
    if issues:
        raise KnowledgeBaseError(issues)
    owners = {
        item.id: name
        for name, content, _node in parsed
        for section in LIST_SECTIONS
        for item in getattr(content, section)
    }
    return merged, owners


def _parse_file(
    name: str, data: bytes, issues: list[KBIssue]
) -> tuple[KnowledgeBaseFile, yaml.Node] | None:
    from pydantic import ValidationError

    from back_spasm_cli.knowledge.schema import validator

    composed = compose(name, data, issues)
    if composed is None:
        return None
    document, node = composed
    try:
        return validator().validate_python(document), node
    except ValidationError as err:
        for error in err.errors(include_url=False):
            loc = tuple(error["loc"])
            # An unknown key is pointed at by the key itself, not by its value.
            target = _node_at(node, loc, key=error["type"] in _UNKNOWN_KEY)
            mark = target.start_mark
            issues.append(
                KBIssue(name, mark.line + 1, mark.column + 1, _format_loc(loc), _describe(error))
            )
        return None


def _merge(
    parsed: list[tuple[str, KnowledgeBaseFile, yaml.Node]], issues: list[KBIssue]
) -> dict[str, Any]:
    """Merge files into one base and check what spans files: ids, links, singletons."""
    from back_spasm_cli.knowledge.schema import LIST_SECTIONS, OPTIONAL_SECTIONS, SINGLE_SECTIONS

    merged: dict[str, Any] = {name: [] for name in LIST_SECTIONS}
    owner: dict[str, tuple[str, yaml.Node]] = {}  # id -> (file, node of the item)
    singles: dict[str, str] = {}
    single_nodes: dict[str, yaml.Node] = {}
    links: list[tuple[str, yaml.Node, str, str]] = []  # (file, node, path, target id)

    for name, content, node in parsed:
        for section in SINGLE_SECTIONS + OPTIONAL_SECTIONS:
            value = getattr(content, section)
            if value is None:
                continue
            if section in singles:
                issues.append(_at(name, node, (section,), f"also defined in {singles[section]}"))
            singles[section] = name
            single_nodes[section] = node
            merged[section] = value
        for section in LIST_SECTIONS:
            for index, item in enumerate(getattr(content, section)):
                merged[section].append(item)
                loc: tuple[int | str, ...] = (section, index)
                if item.id in owner:
                    first = owner[item.id][0]
                    issues.append(
                        _at(
                            name,
                            node,
                            (*loc, "id"),
                            f"duplicate id {item.id!r} (first defined in {first})",
                        )
                    )
                else:
                    owner[item.id] = (name, node)
                for position, target in enumerate(getattr(item, "related", ())):
                    links.append((name, node, _format_loc((*loc, "related", position)), target))

    for name, node, path, target in links:
        if target not in owner:
            loc = _parse_loc(path)
            issues.append(_at(name, node, loc, f"related id {target!r} points to no entry"))
    for section in SINGLE_SECTIONS:
        if section not in singles:
            issues.append(
                KBIssue(
                    parsed[0][0] if len(parsed) == 1 else "(knowledge base)",
                    None,
                    None,
                    section,
                    f"no file defines `{section}:`",
                )
            )
    # A red flag without its care level would be shown with no action and no number.
    levels = {level.id for level in merged["care_levels"]}
    if merged["red_flags"]:
        for name, content, node in parsed:
            for index, flag in enumerate(content.red_flags):
                if flag.level not in levels:
                    issues.append(
                        _at(
                            name,
                            node,
                            ("red_flags", index, "level"),
                            f"care level {flag.level!r} is not in care_levels",
                        )
                    )
    _check_references(merged, singles, single_nodes, issues)
    return merged


def _check_references(
    merged: dict[str, Any],
    files: dict[str, str],
    nodes: dict[str, yaml.Node],
    issues: list[KBIssue],
) -> None:
    """The ids that `triage:`, `plan:` and `sessions:` point at must exist."""
    from back_spasm_cli.knowledge.schema import ENTRY_SECTIONS, OPTIONAL_SECTIONS

    triage = merged.get("triage")
    tables: dict[str, set[str]] = {
        "red_flags": {flag.id for flag in merged["red_flags"]},
        "entries": {item.id for section in ENTRY_SECTIONS for item in merged[section]},
        "prevention": {item.id for item in merged["prevention"]},
        "remedies": {item.id for item in merged["remedies"]},
        "exercises": {item.id for item in merged["exercises"]},
        "started": {option.id for option in triage.started.options} if triage else set(),
    }
    what = {
        "red_flags": "red flag",
        "entries": "entry",
        "prevention": "prevention entry",
        "remedies": "remedy",
        "exercises": "exercise",
        "started": "triage.started option",
    }
    if "plan" in files and triage is None:
        issues.append(
            _at(
                files["plan"],
                nodes["plan"],
                ("plan",),
                "a `plan:` needs a `triage:` section (its questions) in the base",
            )
        )
    for section in OPTIONAL_SECTIONS:
        value = merged.get(section)
        if value is None:
            continue
        for loc, target, table in value.references():
            if table == "started" and triage is None:
                continue  # already said: the plan needs a triage section
            if target not in tables[table]:
                issues.append(
                    _at(
                        files[section],
                        nodes[section],
                        loc,
                        f"{what[table]} id {target!r} points to nothing",
                    )
                )


# --------------------------------------------------------------------------- snapshot


def _m001_snapshots(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE snapshots (fingerprint TEXT PRIMARY KEY, created REAL NOT NULL,"
        " payload TEXT NOT NULL)"
    )


def _m002_pickled_snapshots(conn: sqlite3.Connection) -> None:
    # Snapshots became pickles of the schema's dataclasses, with their own content hash.
    conn.execute("DROP TABLE snapshots")
    conn.execute(
        "CREATE TABLE snapshots (fingerprint TEXT PRIMARY KEY, created REAL NOT NULL,"
        " digest TEXT NOT NULL, payload BLOB NOT NULL)"
    )


CACHE_MIGRATIONS: tuple[database.Migration, ...] = (_m001_snapshots, _m002_pickled_snapshots)
CACHE_KEEP = 8  # snapshots kept: enough for a few --kb bases side by side
DAMAGED_NOTICE = "the knowledge-base cache was damaged ({why}); rebuilt it"


def cache_path() -> Path:
    return paths.cache_dir() / "kb.sqlite3"


def snapshot_get(key: str) -> tuple[Snapshot | None, tuple[str, ...]]:
    """The snapshot stored under `key`, if any, and a notice if the cache was damaged
    (the damaged file or row is removed, so the caller's rebuild heals it)."""
    path = cache_path()
    try:
        if not path.is_file() or path.is_symlink():  # a cache is never followed elsewhere
            return None, ()
        conn = database.connect(path, CACHE_MIGRATIONS)
        try:
            row = conn.execute(
                "SELECT digest, payload FROM snapshots WHERE fingerprint = ?", (key,)
            ).fetchone()
            if row is None:
                return None, ()
            content = _unpickle(row[0], row[1])
            if content is None:
                with conn:
                    conn.execute("DELETE FROM snapshots WHERE fingerprint = ?", (key,))
                return None, (DAMAGED_NOTICE.format(why="a snapshot failed its checks"),)
            return content, ()
        finally:
            conn.close()
    except database.NewerDatabase:
        return None, ()  # a newer spasm's cache: leave it be, work without it
    except sqlite3.DatabaseError as err:
        # Only real damage removes the file: "database is locked", a full disk or a
        # read-only folder say nothing about its bytes, so the cache is just skipped.
        return None, _discard_cache(path, str(err)) if database.is_damage(err) else ()
    except OSError:
        return None, ()


def _discard_cache(path: Path, why: str) -> tuple[str, ...]:
    """Remove a cache file SQLite cannot read; it is rebuilt on the next write."""
    try:
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
    except OSError:
        return ()
    return (DAMAGED_NOTICE.format(why=why),)


def snapshot_put(key: str, content: Snapshot) -> None:
    import pickle
    import time

    payload = pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)
    digest = blake2b(payload).hexdigest()
    try:
        conn = database.connect(cache_path(), CACHE_MIGRATIONS)
        try:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?)",
                    (key, time.time(), digest, payload),
                )
                conn.execute(
                    "DELETE FROM snapshots WHERE fingerprint NOT IN (SELECT fingerprint"
                    " FROM snapshots ORDER BY created DESC LIMIT ?)",
                    (CACHE_KEEP,),
                )
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        pass  # an unwritable cache only costs speed


def _unpickle(digest: object, payload: object) -> Snapshot | None:
    """A stored snapshot, or None when it is damaged or holds anything but schema types."""
    import io
    import pickle

    from back_spasm_cli.knowledge import layers, schema

    if not isinstance(payload, bytes) or blake2b(payload).hexdigest() != digest:
        return None
    allowed = {schema.__name__: schema, layers.__name__: layers}

    class SchemaOnly(pickle.Unpickler):
        # The pickle docs' "restricting globals": nothing outside the schema can be named,
        # so a tampered snapshot cannot run code, only fail.
        def find_class(self, module: str, name: str) -> Any:
            found = getattr(allowed[module], name, None) if module in allowed else None
            if isinstance(found, type) and issubclass(found, schema.Model):
                return found
            raise pickle.UnpicklingError(f"{module}.{name} is not a schema type")

    try:
        content = SchemaOnly(io.BytesIO(payload)).load()
    except Exception:  # any damage at all means: rebuild from the YAML
        return None
    if not isinstance(content, layers.Snapshot) or not isinstance(
        content.content, schema.KnowledgeBaseFile
    ):
        return None
    return content


#: The words of entries, as the recogniser tokenizes them (advice/recognise.py's _TOKEN):
#: worked out once per base and kept in the snapshot, not on every search.
WORD_PATTERN = r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+|[.,;:!?()\[\]\n/]"


def entry_words(content: KnowledgeBaseFile, pattern: str = WORD_PATTERN) -> tuple[str, ...]:
    """Every word in the base's entries (casefolded, sorted), from the snapshot when it
    was worked out there with the same pattern."""
    import re

    kept = getattr(content, "_entry_words", None)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == pattern:
        return kept[1]  # type: ignore[no-any-return]
    token = re.compile(pattern)
    words: set[str] = set()
    stack: list[object] = [item for _, item in iter_items(content)]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            words.update(token.findall(value.casefold()))
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif hasattr(value, "__dict__"):
            stack.extend(vars(value).values())
    found = tuple(sorted(words))
    if pattern == WORD_PATTERN and "_entry_words" not in vars(content):
        content._entry_words = (pattern, found)
    return found


def iter_items(content: KnowledgeBaseFile) -> Iterator[tuple[str, Any]]:
    """Every item with an id, with its section name."""
    from back_spasm_cli.knowledge.schema import LIST_SECTIONS

    for section in LIST_SECTIONS:
        for item in getattr(content, section):
            yield section, item
