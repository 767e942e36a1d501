"""Find, load, validate and cache the knowledge base.

The shipped base is read through importlib.resources; `--kb PATH` or `SPASM_KB` names
another (one YAML file or a folder of them). YAML is composed with the safe (C where
present) loader; the node tree is checked for tags, aliases, duplicate keys and size
before anything is constructed, so hostile files are refused without running anything.
Every error carries file, line, column and field path, and all of them are reported.

A validated base is cached in SQLite under the user's cache directory, keyed by a hash of
the files, so that commands do not re-parse and re-validate YAML on every start.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli import SCHEMA_VERSION, __version__, paths, storage
from back_spasm_cli.errors import SpasmError

if TYPE_CHECKING:
    import yaml

    from back_spasm_cli.schema import KnowledgeBaseFile

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

    def __init__(self, issues: list[KBIssue]) -> None:
        self.issues = sorted(issues, key=KBIssue.sort_key)
        files = sorted({issue.file for issue in self.issues})
        count = len(self.issues)
        summary = (
            f"invalid knowledge base: {count} error{'s' if count != 1 else ''} in "
            f"{', '.join(files)}"
        )
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

    @property
    def is_shipped(self) -> bool:
        return self.origin == SHIPPED


class KnowledgeBase(NamedTuple):
    """The merged, validated base, with where it came from."""

    content: KnowledgeBaseFile
    origin: str
    files: tuple[str, ...]
    fingerprint: str
    from_cache: bool = False


# --------------------------------------------------------------------------- locating


def shipped_data() -> Traversable:
    """The data/ folder inside the installed package, or beside it in a checkout."""
    packaged = resources.files("back_spasm_cli") / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def locate(path: str | None = None) -> KBLocation:
    """Resolve `--kb PATH` / `SPASM_KB` (or the shipped base) to its YAML files."""
    if path is None:
        path = os.environ.get("SPASM_KB") or None
    if path is None:
        folder = shipped_data()
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


def load(path: str | None = None, *, use_cache: bool = True) -> KnowledgeBase:
    """Load the base named by `path` (see `locate`), from the cache when it is current."""
    location = locate(path)
    raw = read_files(location)
    fingerprint = fingerprint_of(raw)
    if use_cache:
        cached = _cache_get(fingerprint)
        if cached is not None:
            return KnowledgeBase(cached, location.origin, tuple(raw), fingerprint, True)
    content = validate(raw)
    if use_cache:
        _cache_put(fingerprint, content)
    return KnowledgeBase(content, location.origin, tuple(raw), fingerprint)


def fingerprint(path: str | None = None) -> str:
    """The hash of the base's files (and of spasm's version): what caches are keyed by."""
    return fingerprint_of(read_files(locate(path)))


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


def fingerprint_of(raw: dict[str, bytes]) -> str:
    digest = hashlib.sha256(f"{__version__}\0{SCHEMA_VERSION}\0".encode())
    for name, data in raw.items():
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def validate(raw: dict[str, bytes]) -> KnowledgeBaseFile:
    """Parse and validate every file, then check the merged base; raise with all issues."""
    from back_spasm_cli.schema import KnowledgeBaseFile

    issues: list[KBIssue] = []
    parsed: list[tuple[str, KnowledgeBaseFile, yaml.Node]] = []
    for name, data in raw.items():
        result = _parse_file(name, data, issues)
        if result is not None:
            parsed.append((name, *result))
    if issues:
        raise KnowledgeBaseError(issues)
    merged = _merge(parsed, issues)
    if issues:
        raise KnowledgeBaseError(issues)
    return KnowledgeBaseFile.model_validate(merged)


def _parse_file(
    name: str, data: bytes, issues: list[KBIssue]
) -> tuple[KnowledgeBaseFile, yaml.Node] | None:
    import yaml
    from pydantic import ValidationError

    from back_spasm_cli.schema import KnowledgeBaseFile

    def issue(mark: Any, message: str, path: str = "") -> None:
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        issues.append(KBIssue(name, line, column, path, message))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        issue(None, f"not UTF-8 text (bad byte at offset {err.start})")
        return None
    if not text.strip():
        issue(None, "file is empty; expected sections such as `remedies:`")
        return None

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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
            issue(None, "file is empty; expected sections such as `remedies:`")
            return None
        before = len(issues)
        _check_nodes(node, issue)
        if len(issues) > before:
            return None
        if not isinstance(node, yaml.MappingNode):
            issue(node.start_mark, "the top level must be a mapping of sections (`remedies:` …)")
            return None
        try:
            document = loader.construct_document(node)
        except yaml.YAMLError as err:
            issue(getattr(err, "problem_mark", None), f"YAML error: {err}")
            return None
    finally:
        loader.dispose()

    try:
        return KnowledgeBaseFile.model_validate(document), node
    except ValidationError as err:
        for error in err.errors(include_url=False):
            loc = tuple(error["loc"])
            # An unknown key is pointed at by the key itself, not by its value.
            target = _node_at(node, loc, key=error["type"] == "extra_forbidden")
            issue(target.start_mark, _describe(error), _format_loc(loc))
        return None


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


def _describe(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown key (not in the schema; see `spasm kb schema`)"
    if error["type"] == "missing":
        return "required field is missing"
    return message


def _merge(
    parsed: list[tuple[str, KnowledgeBaseFile, yaml.Node]], issues: list[KBIssue]
) -> dict[str, Any]:
    """Merge files into one base and check what spans files: ids, links, singletons."""
    from back_spasm_cli.schema import LIST_SECTIONS, OPTIONAL_SECTIONS, SINGLE_SECTIONS

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
    """The ids that `triage:` and `plan:` point at must exist (red flags, entries, options)."""
    from back_spasm_cli.schema import ENTRY_SECTIONS, OPTIONAL_SECTIONS

    triage = merged.get("triage")
    tables: dict[str, set[str]] = {
        "red_flags": {flag.id for flag in merged["red_flags"]},
        "entries": {item.id for section in ENTRY_SECTIONS for item in merged[section]},
        "prevention": {item.id for item in merged["prevention"]},
        "started": {option.id for option in triage.started.options} if triage else set(),
    }
    what = {
        "red_flags": "red flag",
        "entries": "entry",
        "prevention": "prevention entry",
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


# --------------------------------------------------------------------------- cache


def _m001_snapshots(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE snapshots (fingerprint TEXT PRIMARY KEY, created REAL NOT NULL,"
        " payload TEXT NOT NULL)"
    )


CACHE_MIGRATIONS: tuple[storage.Migration, ...] = (_m001_snapshots,)
CACHE_KEEP = 8  # snapshots kept: enough for a few --kb bases side by side


def cache_path() -> Path:
    return paths.cache_dir() / "kb.sqlite3"


def _cache_get(fingerprint: str) -> KnowledgeBaseFile | None:
    path = cache_path()
    if not path.is_file():
        return None
    try:
        conn = storage.connect(path, CACHE_MIGRATIONS)
        try:
            row = conn.execute(
                "SELECT payload FROM snapshots WHERE fingerprint = ?", (fingerprint,)
            ).fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return None
    if row is None:
        return None
    return _construct_content(row[0])


def _cache_put(fingerprint: str, content: KnowledgeBaseFile) -> None:
    import time

    payload = content.model_dump_json()
    try:
        conn = storage.connect(cache_path(), CACHE_MIGRATIONS)
        try:
            with conn:
                conn.execute(
                    "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?)",
                    (fingerprint, time.time(), payload),
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


def _construct_content(payload: str) -> KnowledgeBaseFile | None:
    """Rebuild a snapshot without re-validating it: it was valid when stored, and pydantic's
    validation would first build its whole core schema, which costs more than the rest of
    a lookup. The snapshot is keyed by the files' hash and spasm's own version."""
    import json

    from back_spasm_cli.schema import KnowledgeBaseFile

    try:
        data = json.loads(payload)
        content = _construct(KnowledgeBaseFile, data)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return content if isinstance(content, KnowledgeBaseFile) else None


def _construct(model: type[Any], data: Any) -> Any:
    """`model.model_construct`, recursing into nested models, lists and optionals."""
    values = {
        name: _construct_value(field.annotation, data[name])
        for name, field in model.model_fields.items()
        if name in data
    }
    return model.model_construct(**values)


def _construct_value(annotation: Any, value: Any) -> Any:
    import types
    import typing

    if value is None:
        return None
    origin = typing.get_origin(annotation)
    if origin is list:
        (item_type,) = typing.get_args(annotation)
        return [_construct_value(item_type, item) for item in value]
    if origin is dict:
        _, value_type = typing.get_args(annotation)
        return {key: _construct_value(value_type, item) for key, item in value.items()}
    if origin in (typing.Union, types.UnionType):
        models = [arg for arg in typing.get_args(annotation) if _is_model(arg)]
        return _construct(models[0], value) if models and isinstance(value, dict) else value
    if _is_model(annotation) and isinstance(value, dict):
        return _construct(annotation, value)
    return value


def _is_model(annotation: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def iter_items(content: KnowledgeBaseFile) -> Iterator[tuple[str, Any]]:
    """Every item with an id, with its section name."""
    from back_spasm_cli.schema import LIST_SECTIONS

    for section in LIST_SECTIONS:
        for item in getattr(content, section):
            yield section, item
