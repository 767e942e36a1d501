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
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli.system import database, paths
from back_spasm_cli.version import SCHEMA_VERSION, __version__

try:  # CPython's own BLAKE2: the same digest as hashlib's, without loading OpenSSL (~4 ms)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b
from back_spasm_cli.errors import SpasmError

if TYPE_CHECKING:
    from importlib.abc import Traversable

    import yaml

    from back_spasm_cli.knowledge.layers import Layer, LayerSource, Provenance, Snapshot, Touch
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

#: Largest YAML file accepted: ample for a 10,000-entry base, small enough to answer fast.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Most YAML nodes in one file; bounds the work any file can ask for.
MAX_NODES = 2_000_000
YAML_SUFFIXES = (".yaml", ".yml")
SHIPPED = "shipped"

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class KBIssue(NamedTuple):
    """One problem in one file, pointing at the line where it is."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line or 0, self.column or 0, self.path, self.message)

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class KnowledgeBaseError(SpasmError):
    """The knowledge base cannot be used; `issues` lists every problem found."""

    def __init__(self, issues: list[KBIssue], *, refused: tuple[str, ...] = ()) -> None:
        self.issues = sorted(issues, key=KBIssue.sort_key)
        self.refused = refused
        files = sorted({issue.file for issue in self.issues})
        count = len(self.issues)
        errors = f"{count} error{'s' if count != 1 else ''} in {', '.join(files)}"
        if refused:
            # An overlay is used whole or not at all: nothing of it applies.
            summary = f"overlay refused, nothing of it is used ({', '.join(refused)}): {errors}"
        else:
            summary = f"invalid knowledge base: {errors}"
        super().__init__(summary, details=[str(issue) for issue in self.issues])


class KBFile(NamedTuple):
    """A YAML file of the base: its name as shown to people, and how to read it."""

    name: str
    resource: Traversable

    def read_bytes(self) -> bytes:
        if isinstance(self.resource, Path):
            size = self.resource.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _TooLarge(size)
        data = self.resource.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            raise _TooLarge(len(data))
        return data


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class KBLocation(NamedTuple):
    """Which knowledge base to load: the shipped one or a path the user named."""

    origin: str  # "shipped" or the path as given
    files: tuple[KBFile, ...]


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


def shipped_data() -> Traversable:
    """The data/ folder inside the installed package, or beside it in a checkout.

    An installed wheel keeps it on disk beside this file; importlib.resources (which
    costs a few ms to import) is asked only when the package lives somewhere else, such
    as a zip file."""
    here = Path(__file__).resolve().parents[1]  # the package folder
    for folder in (here / "data", here.parent / "data"):
        if folder.is_dir():
            return folder
    from importlib import resources

    return resources.files("back_spasm_cli") / "data"


def locate(path: str | None = None) -> KBLocation:
    """Resolve `--kb PATH` / `SPASM_KB` (or the shipped base) to its YAML files."""
    if path is None:
        path = os.environ.get("SPASM_KB") or None
    if path is None:
        folder = shipped_data()
        if not folder.is_dir():
            raise SpasmError("the shipped knowledge base is missing: reinstall spasm")
        files = sorted(
            (KBFile(f"data/{item.name}", item) for item in folder.iterdir() if _is_yaml(item)),
            key=lambda f: f.name,
        )
        if not files:
            raise SpasmError("the shipped knowledge base is missing: reinstall spasm")
        return KBLocation(SHIPPED, tuple(files))
    try:
        target = Path(path).expanduser()
        if target.is_dir():
            found = sorted(p for p in target.iterdir() if _is_yaml(p) and p.is_file())
            if not found:
                raise SpasmError(f"{path}: no YAML files (*.yaml, *.yml) in this folder")
            return KBLocation(path, tuple(KBFile(str(p), p) for p in found))
        if target.is_file():
            return KBLocation(path, (KBFile(str(target), target),))
        if target.exists():
            raise SpasmError(f"{path}: not a YAML file or a folder of them")
    except (OSError, RuntimeError) as err:  # unreadable folder; `~nosuchuser`
        raise SpasmError(f"{path}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    raise SpasmError(f"{path}: no such file or folder")


def _is_yaml(item: Traversable) -> bool:
    return item.name.endswith(YAML_SUFFIXES) and not item.name.startswith(".")


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


def compose(
    name: str, data: bytes, issues: list[KBIssue], *, what: str = "sections such as `remedies:`"
) -> tuple[dict[str, Any], yaml.MappingNode] | None:
    """A file's YAML as plain data and its node tree (for lines), after the safety checks:
    UTF-8, size, no tags, aliases or duplicate keys, a mapping at the top."""
    import yaml

    def issue(mark: Any, message: str, path: str = "") -> None:
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        issues.append(KBIssue(name, line, column, path, message))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        issues.append(
            KBIssue(
                name,
                data.count(b"\n", 0, err.start) + 1,
                err.start - line_start + 1,
                "",
                f"not UTF-8 text (bad byte 0x{data[err.start]:02x})",
            )
        )
        return None
    if not text.strip():
        issue(None, f"file is empty; expected {what}")
        return None

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if len(text) > MAX_NODES and not _events_within_limit(loader_class(text), issue):
        return None
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as err:
            issue(err.problem_mark, f"YAML syntax error: {err.problem or err}")
            return None
        except yaml.YAMLError as err:
            issue(None, f"YAML error: {err}")
            return None
        if node is None:
            issue(None, f"file is empty; expected {what}")
            return None
        before = len(issues)
        _check_nodes(node, issue)
        if len(issues) > before:
            return None
        if not isinstance(node, yaml.MappingNode):
            issue(node.start_mark, f"the top level must be a mapping of {what}")
            return None
        try:
            document = loader.construct_document(node)
        except yaml.YAMLError as err:
            issue(getattr(err, "problem_mark", None), f"YAML error: {err}")
            return None
    finally:
        loader.dispose()
    return document, node


def _events_within_limit(loader: Any, issue: Any) -> bool:
    """Count a large file's parse events before building anything: a file of millions of
    tiny items is refused in about a second and a few MB, not after building all of them.
    (A file of fewer characters than MAX_NODES cannot hold more nodes than that.)"""
    import yaml

    count = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            count += 1
            if count > MAX_NODES:
                issue(event.start_mark, f"more than {MAX_NODES:,} YAML nodes; file refused")
                return False
    except yaml.MarkedYAMLError as err:
        issue(err.problem_mark, f"YAML syntax error: {err.problem or err}")
        return False
    except yaml.YAMLError as err:
        issue(None, f"YAML error: {err}")
        return False
    finally:
        loader.dispose()
    return True


def _check_nodes(root: yaml.Node, issue: Any) -> None:
    """Refuse what a knowledge base never needs: custom tags, aliases, duplicate keys."""
    import yaml

    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            issue(node.start_mark, f"more than {MAX_NODES:,} YAML nodes; file refused")
            return
        if id(node) in seen:
            # The composer shares one node object wherever an alias points to it.
            issue(node.start_mark, "anchors and aliases (&name / *name) are not allowed")
            return
        seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            issue(node.start_mark, f"tag {node.tag!r} is not allowed (nothing was run)")
            continue
        if isinstance(node, yaml.MappingNode):
            keys: set[object] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                if key in keys:
                    issue(key_node.start_mark, f"duplicate key {key!r}")
                keys.add(key)
                stack.extend((value_node, key_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def _node_at(root: yaml.Node, loc: Iterable[int | str], *, key: bool = False) -> yaml.Node:
    """The deepest YAML node along a pydantic error location, for its line and column
    (with `key`, the key node of the last step rather than its value)."""
    import yaml

    node = root
    parts = list(loc)
    for position, part in enumerate(parts):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == part), None)
            if pair is None:
                return node
            node = pair[0] if key and position == len(parts) - 1 else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


#: pydantic's error types for a key the schema does not have, and for one that is missing.
_UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")
_MISSING_KEY = ("missing", "missing_argument")


def _describe(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] in _UNKNOWN_KEY:
        return "unknown key (not in the schema; see `spasm kb schema`)"
    if error["type"] in _MISSING_KEY:
        return "required field is missing"
    return message.removeprefix("Value error, ")


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


def _parse_loc(path: str) -> tuple[int | str, ...]:
    parts: list[int | str] = []
    for chunk in path.replace("[", ".[").split("."):
        if chunk.startswith("["):
            parts.append(int(chunk[1:-1]))
        elif chunk:
            parts.append(chunk)
    return tuple(parts)


def _at(name: str, root: yaml.Node, loc: tuple[int | str, ...], message: str) -> KBIssue:
    mark = _node_at(root, loc).start_mark
    return KBIssue(name, mark.line + 1, mark.column + 1, _format_loc(loc), message)


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
