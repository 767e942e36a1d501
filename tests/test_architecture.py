"""The package's rooms and who imports whom (docs/architecture.md).

Every import counts: at module level, inside functions and under TYPE_CHECKING. The
picture in docs/architecture.md is generated from the same graph; after a change of
imports, rewrite it with `python -m tests.test_architecture --write`.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "back_spasm_cli"
DOC = PACKAGE.parent / "docs" / "architecture.md"
ROOT = "back_spasm_cli"

#: Each room's floor: a room may import only rooms on a lower floor (and itself).
#: advice stands beside personal on knowledge but may read what personal keeps (a session
#: refuses after an urgent saved check; check reads the diary); personal never reads advice.
FLOORS: dict[str, int] = {
    "version": 0,
    "errors": 0,
    "system": 1,
    "knowledge": 2,
    "personal": 3,
    "advice": 4,
    "views": 5,
    "render": 6,
    "api": 7,
    "cli": 7,
    "entry": 8,
    "__main__": 9,
    "(package)": 9,  # back_spasm_cli/__init__.py: the version and the lazy `Advisor` facade
}
#: The rooms that hold the core: they return data and never print or parse options.
CORE = ("version", "errors", "system", "knowledge", "personal", "advice")
#: What the core never imports: the terminal and the layers above it.
NOT_IN_CORE = ("typer", "click", "rich", "plotext")
#: Upward imports still to be moved, each with the reason it is tolerated for now.
TOLERATED: dict[tuple[str, str], str] = {
    ("back_spasm_cli.views.diary", "back_spasm_cli.render.markdown"): (
        "the report writer moves from views/diary.py into render/ (issue 21)"
    ),
    ("back_spasm_cli.views.diary", "back_spasm_cli.render.text"): (
        "the report writer moves from views/diary.py into render/ (issue 21)"
    ),
    ("back_spasm_cli.views.diary", "back_spasm_cli.render.charts"): (
        "the report writer moves from views/diary.py into render/ (issue 21)"
    ),
}


def _module_name(source: Path) -> str:
    return ".".join(source.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"
    )


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


@functools.cache
def imports() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """module -> the package's modules it imports; module -> the outside packages it does."""
    inside: dict[str, set[str]] = {}
    outside: dict[str, set[str]] = {}
    for source in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(source)
        targets = inside.setdefault(name, set())
        others = outside.setdefault(name, set())
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = [
                    f"{node.module}.{alias.name}"
                    if _is_module(f"{node.module}.{alias.name}")
                    else node.module
                    for alias in node.names
                ]
            else:
                assert not isinstance(node, ast.ImportFrom), f"{name}: a relative import"
                continue
            for target in found:
                if target == ROOT or target.startswith(ROOT + "."):
                    targets.add(target)
                else:
                    others.add(target.split(".")[0])
    return inside, outside


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(package)"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module that reaches itself, with one path that shows how."""
    found = []
    for start in sorted(graph):
        paths = {target: [start, target] for target in graph[start]}
        stack = list(paths)
        while stack:
            node = stack.pop()
            if node == start:
                found.append(paths[node])
                break
            for target in graph.get(node, ()):
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    stack.append(target)
    return found


def room_graph() -> dict[str, set[str]]:
    inside, _ = imports()
    rooms: dict[str, set[str]] = {}
    for module, targets in inside.items():
        rooms.setdefault(room(module), set()).update(
            room(target) for target in targets if room(target) != room(module)
        )
    return rooms


def picture() -> str:
    """Who imports whom, room by room, top floor first (the block in docs/architecture.md)."""
    rooms = room_graph()
    order = sorted(rooms, key=lambda name: (-FLOORS[name], name))
    width = max(len(name) for name in order)
    lines = []
    for name in order:
        below = sorted(rooms[name], key=lambda other: (-FLOORS[other], other))
        lines.append(f"{name:<{width}} -> {', '.join(below) or '(nothing)'}")
    return "\n".join(lines)


BEGIN = "<!-- imports: generated by `python -m tests.test_architecture --write` -->"
END = "<!-- end of imports -->"


def _documented() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip().strip("`").strip()


# ------------------------------------------------------------------------------- tests


def test_no_module_reaches_itself() -> None:
    inside, _ = imports()
    found = cycles(inside)
    shown = "\n".join(" -> ".join(path) for path in found)
    assert found == [], (
        f"import cycles (function-level imports count too):\n{shown}\nbreak each: move"
        " what both need into a lower module, or pass it in (docs/architecture.md)"
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_every_module_is_in_a_room_with_a_floor() -> None:
    inside, _ = imports()
    assert sorted({room(module) for module in inside} - set(FLOORS)) == []


def test_no_room_imports_a_room_above_or_beside_it() -> None:
    inside, _ = imports()
    upward = sorted(
        (module, target)
        for module, targets in inside.items()
        for target in targets
        if room(target) != room(module)
        and FLOORS[room(target)] >= FLOORS[room(module)]
        and (module, target) not in TOLERATED
    )
    assert upward == [], (
        "a room imports one on its own floor or above (FLOORS; docs/architecture.md): "
        + ", ".join(f"{a} -> {b}" for a, b in upward)
    )


def test_the_core_never_imports_the_terminal() -> None:
    _, outside = imports()
    found = sorted(
        (module, package)
        for module, packages in outside.items()
        if room(module) in CORE
        for package in packages
        if package in NOT_IN_CORE
    )
    assert found == []


def test_the_floor_rule_catches_an_upward_import() -> None:
    assert FLOORS["knowledge"] < FLOORS["advice"] < FLOORS["views"] < FLOORS["cli"]
    assert FLOORS["system"] < FLOORS["knowledge"]
    assert room("back_spasm_cli.knowledge.kb") == "knowledge"
    assert room("back_spasm_cli") == "(package)"


def test_docs_show_the_graph_as_it_is() -> None:
    assert _documented() == picture(), "run: python -m tests.test_architecture --write"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        text = DOC.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(f"{text[:start]}\n```\n{picture()}\n```\n{text[end:]}", encoding="utf-8")
    print(picture())
