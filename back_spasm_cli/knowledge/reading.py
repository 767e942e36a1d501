"""Reading a knowledge base's YAML files safely: where a base is, the limits on a file,
composing the node tree (no tags, aliases or duplicate keys) before anything is built, and
errors that carry file, line, column and field path.

Below both kb.py (loading, validating, caching) and layers.py (the stack and its merge),
so that neither has to import the other for these."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli.errors import SpasmError

if TYPE_CHECKING:
    from importlib.abc import Traversable

    import yaml


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
