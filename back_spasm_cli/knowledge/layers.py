"""The layer stack: the base, then language layers, then overlays, most local last.

A knowledge base in use is an explicit, ordered list of layers (`stack()`):

1. the base: the shipped data/ folder, or the one `--kb` / `SPASM_KB` names instead;
2. language layers (kind "language"): a translation of the base's text (data/es/, say),
   keyed by the base's ids; they may replace text, never levels, rules, numbers or
   phrasings;
3. overlays (kind "overlay"), in this order: site-wide ones (platformdirs' site data dir,
   `overlays/`), the user's (installed by `spasm kb add` under the spasm home), those in
   `SPASM_OVERLAYS` (os.pathsep-separated folders), then `--overlay PATH` (repeatable).

An overlay is a folder: `overlay.yaml` (its manifest) and any of the base's section files.
`merge()` (the one merge function) applies each layer's operations, in order, to what the
layers beneath it built: a new id adds an entry; `extends: ID` appends to one; `replace:
ID` replaces an ordinary entry whole; `hide: ID` hides one; lists inside a section
(the routine's order, a plan phase's steps, the recogniser's phrasings) are appended to;
`translate` (a language layer's only operation) replaces the text fields of the same id.
Whatever would weaken safety (hiding, replacing or lowering a red flag, a care level, a
triage sign or rule; dropping phrasings; changing a shipped region's numbers; a timer
longer than the shipped cap) is refused with the file, line and id.

This module returns data; its types are kept in the knowledge-base snapshot (kb.py).
Nothing here imports YAML or pydantic at import time.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from back_spasm_cli.errors import SpasmError
from back_spasm_cli.knowledge.schema import Model
from back_spasm_cli.system import paths

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.reading import KBFile, KBIssue

LayerKind = Literal["base", "language", "overlay"]
#: Where a layer was found: the shipped base, --kb, a language folder, site, user,
#: SPASM_OVERLAYS, --overlay.
Scope = Literal["shipped", "kb", "language", "site", "user", "env", "option"]
MANIFEST = "overlay.yaml"
#: Keys of overlay.yaml (name and version are required).
MANIFEST_KEYS = ("name", "version", "owner", "contact", "requires", "language", "description")


@dataclass(repr=False, eq=False)
class Layer(Model):
    """One layer of the knowledge base in use, as loaded (kept in the snapshot)."""

    kind: LayerKind
    name: str
    path: str  # as shown to people: "shipped", a folder
    scope: Scope
    version: str | None = None
    language: str | None = None
    owner: str | None = None
    contact: str | None = None
    requires: str | None = None
    files: tuple[str, ...] = ()

    def label(self) -> str:
        """ "Riverside Physio 1.2": what "from:" lines say."""
        return f"{self.name} {self.version}" if self.version else self.name

    def as_json(self) -> dict[str, Any]:
        return {
            "layer": self.kind,
            "name": self.name,
            "version": self.version,
            "language": self.language,
            "path": self.path,
            "scope": self.scope,
        }


@dataclass(repr=False, eq=False)
class Provenance(Model):
    """Which layer defined an id (and in which file), and which layers extended it."""

    layer: int  # index into the stack
    file: str
    line: int | None = None
    extended_by: tuple[tuple[int, str, int | None], ...] = ()  # (layer, file, line)
    replaced: bool = False


class LayerSource(NamedTuple):
    """A layer to read: what `stack()` returns, before anything is parsed."""

    kind: LayerKind
    scope: Scope
    path: str
    files: tuple[KBFile, ...]  # section files, sorted; the manifest apart
    manifest: KBFile | None = None
    language: str | None = None


# --------------------------------------------------------------------------- where


def user_overlays_dir() -> Path:
    """Where `spasm kb add` installs overlays: the spasm home's `overlays/`."""
    return paths.data_dir() / "overlays"


def site_overlays_dir() -> Path:
    """Overlays installed for every user of the machine (a clinic's managed machines):
    platformdirs' site_data_dir. On Linux and the BSDs that is the first folder of
    XDG_DATA_DIRS (default /usr/local/share), worked out here as platformdirs does, so
    that every command need not import it (tens of ms)."""
    import sys

    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        first = os.environ.get("XDG_DATA_DIRS", "").strip().split(os.pathsep)[0]
        root = Path(first) if first.startswith("/") else Path("/usr/local/share")
        return root / paths.APP_NAME / "overlays"
    import platformdirs

    return Path(platformdirs.site_data_dir(paths.APP_NAME, appauthor=False)) / "overlays"


def overlay_source(path: str | Path, scope: Scope = "option") -> LayerSource:
    """Read an overlay folder's file list; refuse what is not one."""
    from back_spasm_cli.knowledge.reading import KBFile, _is_yaml

    shown = str(path)
    try:
        folder = Path(path).expanduser()
        if not folder.exists():
            raise SpasmError(f"{shown}: no such overlay folder")
        if not folder.is_dir():
            raise SpasmError(f"{shown}: an overlay is a folder with an {MANIFEST}")
        names = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except (OSError, RuntimeError) as err:
        raise SpasmError(
            f"{shown}: cannot read ({getattr(err, 'strerror', None) or err})"
        ) from None
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise SpasmError(f"{shown}: not an overlay (no {MANIFEST}; `spasm kb new` writes one)")
    files = tuple(
        KBFile(str(p), p) for p in names if p.name != MANIFEST and (p.is_file() or _is_yaml(p))
    )
    stray = [p for p in names if p.is_dir()]
    if stray:
        raise SpasmError(f"{stray[0]}: an overlay holds files only, not folders")
    return LayerSource("overlay", scope, shown, files, KBFile(str(manifest), manifest))


def language_source(path: str | Path, language: str) -> LayerSource:
    """A language layer: a folder of the base's section files holding translated text."""
    from back_spasm_cli.knowledge.reading import KBFile, _is_yaml

    folder = Path(path)
    files = tuple(
        KBFile(f"{folder.name}/{p.name}" if _shipped(folder) else str(p), p)
        for p in sorted(folder.iterdir())
        if _is_yaml(p) and p.is_file()
    )
    return LayerSource("language", "language", str(path), files, None, language)


def _shipped(folder: Path) -> bool:
    from back_spasm_cli.knowledge.reading import shipped_data

    try:
        return Path(str(shipped_data())) == folder.parent
    except (OSError, TypeError):
        return False


def installed(folder: Path, scope: Scope) -> list[LayerSource]:
    """The overlays installed in `folder` (each a subfolder), by name."""
    try:
        found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # missing or unreadable: no overlays there
        return []
    return [overlay_source(p, scope) for p in found]


def stack(
    kb_path: str | None = None,
    overlays: Sequence[str] = (),
    languages: Sequence[LayerSource] = (),
) -> list[LayerSource]:
    """Every layer in use, most local last: the base (shipped, or `--kb`), language layers,
    site overlays, the user's, `SPASM_OVERLAYS`, then `overlays` (`--overlay`)."""
    from back_spasm_cli.knowledge.reading import SHIPPED, locate

    base = locate(kb_path)
    layers = [
        LayerSource("base", "shipped" if base.origin == SHIPPED else "kb", base.origin, base.files)
    ]
    layers.extend(languages)
    layers.extend(installed(site_overlays_dir(), "site"))
    layers.extend(installed(user_overlays_dir(), "user"))
    for part in os.environ.get("SPASM_OVERLAYS", "").split(os.pathsep):
        if part.strip():
            layers.append(overlay_source(part.strip(), "env"))
    layers.extend(overlay_source(path, "option") for path in overlays)
    return layers


# --------------------------------------------------------------------------- rules

#: Sections an overlay may not touch at all: the base's framing of every view.
BASE_ONLY = ("meta", "fallback", "diary")
#: List sections whose shipped items are safety: never hidden, replaced or lowered.
PROTECTED = ("red_flags", "care_levels", "regions")
#: What `extends:` may append to, per section (lists) and what it may raise (scalars).
EXTEND_LISTS: dict[str, tuple[str, ...]] = {
    "overview": ("body", "sources"),
    "exercises": ("steps", "cautions", "related", "aliases", "sources"),
    "red_flags": ("aliases", "evidence", "sources"),
    "care_levels": ("sources",),
    "regions": ("aliases", "sources"),
}
ENTRY_EXTEND = ("steps", "cautions", "tips", "related", "aliases", "body", "evidence", "sources")
#: Section file names an overlay may hold, and the sections each may define.
SECTION_FILES: dict[str, tuple[str, ...]] = {
    "overview": ("overview",),
    "causes": ("causes",),
    "remedies": ("remedies",),
    "lifestyle": ("lifestyle",),
    "prevention": ("prevention",),
    "faq": ("faq",),
    "exercises": ("exercises",),
    "red_flags": ("red_flags",),
    "care_levels": ("care_levels",),
    "regions": ("regions",),
    "triage": ("triage", "plan"),
    "words": ("words",),
    "sessions": ("sessions",),
    "meta": ("meta", "fallback"),
    "diary": ("diary",),
}
OPS = ("extends", "replace", "hide")


def extend_fields(section: str) -> tuple[str, ...]:
    return EXTEND_LISTS.get(section, ENTRY_EXTEND)


# --------------------------------------------------------------------------- merging


@dataclass
class MergeState:
    """What the layers beneath have built, while the next one is applied."""

    sections: dict[str, Any]  # section -> list of items, or the single section's object
    provenance: dict[str, Provenance] = field(default_factory=dict)
    section_of: dict[str, str] = field(default_factory=dict)  # id -> its section
    shipped_ids: frozenset[str] = frozenset()
    hidden: set[str] = field(default_factory=set)

    def index_of(self, section: str, item_id: str) -> int:
        return next(i for i, item in enumerate(self.sections[section]) if item.id == item_id)


class Op(NamedTuple):
    """One operation of one layer, with where it is written."""

    kind: Literal["add", "extends", "replace", "hide", "translate"]
    section: str
    target: str
    value: Any  # the validated item, the extension's fields, or None
    file: str
    node: Any  # the YAML node of the item (for lines)


class Refused(Exception):
    """An operation that would weaken safety, or that cannot apply."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


def apply(state: MergeState, op: Op, layer: int) -> None:
    """Apply one operation to the state; raise Refused with why it cannot."""
    section, target = op.section, op.target
    where = state.section_of.get(target)
    line = _line(op.node)
    if op.kind == "add":
        if where is not None:
            if where in PROTECTED and target in state.shipped_ids:
                raise Refused(_protected_message(where, target, "redefine"), "id")
            raise Refused(
                f"id {target!r} is already defined ({_defined(state, target)}); use"
                f" `extends: {target}` or `replace: {target}`",
                "id",
            )
        state.sections[section].append(op.value)
        state.section_of[target] = section
        state.provenance[target] = Provenance(layer, op.file, line)
        return
    if where is None:
        hint = " (it is hidden by an earlier overlay)" if target in state.hidden else ""
        raise Refused(f"{op.kind}: no entry has the id {target!r}{hint}", op.kind)
    if where != section:
        raise Refused(f"{op.kind}: {target!r} is in `{where}:`, not `{section}:`", op.kind)
    if op.kind in ("hide", "replace") and where in PROTECTED:
        raise Refused(_protected_message(where, target, op.kind), op.kind)
    index = state.index_of(section, target)
    old = state.sections[section][index]
    if op.kind == "hide":
        users = list(_users(state, target))
        if users:
            raise Refused(f"hide: {target!r} is used by {users[0]}; it cannot be hidden", "hide")
        del state.sections[section][index]
        del state.section_of[target]
        state.hidden.add(target)
        for name, items in state.sections.items():
            if isinstance(items, list):
                state.sections[name] = [_drop_related(item, target) for item in items]
        return
    if op.kind == "replace":
        state.sections[section][index] = op.value
        state.provenance[target] = Provenance(layer, op.file, line, replaced=True)
        return
    if op.kind == "extends":
        changes = dict(op.value)
        level = changes.pop("level", None)
        updated: dict[str, Any] = {}
        for key, values in changes.items():
            current = list(getattr(old, key))
            updated[key] = current + [v for v in values if v not in current]
        if level is not None:
            from back_spasm_cli.knowledge.schema import LEVEL_ORDER

            if LEVEL_ORDER.index(level) < LEVEL_ORDER.index(old.level):
                raise Refused(
                    f"extends: red flag {target!r} is {old.level}; an overlay may raise its"
                    f" level, never lower it (to {level})",
                    "level",
                )
            updated["level"] = level
        state.sections[section][index] = _replace(old, updated)
        before = state.provenance.get(target)
        if before is not None:
            state.provenance[target] = dataclasses.replace(
                before, extended_by=(*before.extended_by, (layer, op.file, line))
            )
        return
    if op.kind == "translate":
        state.sections[section][index] = translate(old, op.value)
        return
    raise Refused(f"unknown operation {op.kind!r}")  # pragma: no cover


def translate(item: Any, fields: Any, path: str = "") -> Any:
    """The `translate` operation: the same item with its text replaced, recursively.

    Only text may change: a str for a str; a list of text for a list of as many items
    (aliases and phrasings may grow, never shrink); items of a list with ids are matched by
    id, others by position. Ids, levels, numbers, rules, links and sources are not text:
    giving them (with another value) is refused."""
    where = path or "the entry"
    if isinstance(item, Model):
        if not isinstance(fields, dict):
            raise Refused(f"translate: {where} must be a mapping like the base's")
        hints = _hints(type(item))
        updated: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "source_hash" and (not path or "sources" in hints):
                continue  # every entry (an item with sources) may carry its stamp
            if key not in hints:
                raise Refused(f"translate: {key!r} is not a field of {where}", key)
            current = getattr(item, key)
            if _untranslatable(type(item), key):
                if value != current:
                    raise Refused(
                        f"translate: {key!r} cannot change in a translation (only text can)", key
                    )
                continue
            updated[key] = translate(current, value, f"{path}.{key}" if path else key)
        return _replace(item, updated)
    if isinstance(item, str):
        if not isinstance(fields, str) or not fields.strip():
            raise Refused(f"translate: {where} must be text like the base's")
        return fields.strip()
    if isinstance(item, list):
        if not isinstance(fields, list):
            raise Refused(f"translate: {where} must be a list like the base's")
        if item and isinstance(item[0], Model):
            key_name = _key_field(item[0])
            if key_name is not None:
                by_key = {getattr(x, key_name): x for x in item}
                out = list(item)
                for raw in fields:
                    ident = raw.get(key_name) if isinstance(raw, dict) else None
                    if ident not in by_key:
                        raise Refused(f"translate: {where} has no item {ident!r}")
                    position = out.index(by_key[ident])
                    out[position] = translate(by_key[ident], raw, f"{where}[{ident}]")
                return out
            if len(fields) != len(item):
                raise Refused(
                    f"translate: {where} has {len(item)} items; a translation has as many"
                    f" (it has {len(fields)})"
                )
            return [
                translate(x, raw, f"{where}[{i}]")
                for i, (x, raw) in enumerate(zip(item, fields, strict=True))
            ]
        if path.rsplit(".", 1)[-1] in GROWING:
            texts = [
                translate("", raw, where) if not isinstance(raw, str) else raw.strip()
                for raw in fields
            ]
            return item + [t for t in texts if t and t not in item]
        if len(fields) != len(item):
            raise Refused(
                f"translate: {where} has {len(item)} items; a translation has as many"
                f" (it has {len(fields)}); phrasings are never dropped"
            )
        return [
            translate(x, raw, f"{where}[{i}]")
            for i, (x, raw) in enumerate(zip(item, fields, strict=True))
        ]
    if fields != item:
        raise Refused(f"translate: {where} is not text; a translation cannot change it")
    return item


def _untranslatable(cls: type, key: str) -> bool:
    """Whether a field is not text, read from the schema's types (knowledge/language.py:
    `Text` and `Line` fields and lists of them are text; so are the items they hold), so
    that `when` is text in an exercise and a rule in triage."""
    from back_spasm_cli.knowledge.language import fields_of

    if key in GROWING:
        return False
    kind = fields_of(cls).get(key, ("other", None))[0]
    return kind == "other"


def _key_field(item: Any) -> str | None:
    for name in ("id", "flag"):
        if isinstance(getattr(item, name, None), str):
            return name
    return None


#: Fields a translation can never change (for reference: `_untranslatable` reads the
#: schema's types, which keep all of these, and any new field that is not text, fixed).
UNTRANSLATABLE = frozenset(
    {
        "id",
        "level",
        "sources",
        "related",
        "number",
        "countries",
        "from_day",
        "symptom",
        "flag",
        "signs",
        "entries",
        "order",
        "together",
        "numbers",
        "remedy",
        "instead",
        "entry",
        "started",
        "age_bands",
        "red_flag",
        "only",
        "when",
    }
)
#: Lists a translation (or overlay) may add to but never shorten.
GROWING = frozenset(
    {"aliases", "phrases", "terms", "before", "after", "breaks", "ignore", "ends", "unless"}
)


def _replace(item: Any, changes: dict[str, Any]) -> Any:
    try:
        return dataclasses.replace(item, **changes)
    except ValueError as err:
        raise Refused(str(err)) from None


def _drop_related(item: Any, target: str) -> Any:
    related = getattr(item, "related", None)
    if related and target in related:
        return dataclasses.replace(item, related=[r for r in related if r != target])
    return item


def _users(state: MergeState, target: str) -> Iterator[str]:
    """Where the single sections (triage, plan, words, sessions) point at `target`."""
    from back_spasm_cli.knowledge.reading import _format_loc
    from back_spasm_cli.knowledge.schema import OPTIONAL_SECTIONS

    for name in OPTIONAL_SECTIONS:
        value = state.sections.get(name)
        if value is None:
            continue
        for loc, ref, _table in value.references():
            if ref == target:
                yield _format_loc(loc)


def _protected_message(section: str, target: str, verb: str) -> str:
    what = {"red_flags": "red flag", "care_levels": "care level", "regions": "region"}[section]
    if section == "regions":
        return (
            f"{verb}: {target!r} is a shipped region; its emergency and urgent numbers cannot"
            " be changed or removed by an overlay (a new region with its own numbers can be"
            " added)"
        )
    return (
        f"{verb}: {target!r} is a shipped {what}; an overlay may add to it (aliases,"
        " evidence, a higher level), never hide, replace or lower it"
    )


def _defined(state: MergeState, target: str) -> str:
    found = state.provenance.get(target)
    return found.file if found is not None else "below"


def _line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A schema type's field annotations, resolved (with their Annotated markers)."""
    if cls not in _HINTS:
        import typing

        from back_spasm_cli.knowledge import schema

        _HINTS[cls] = typing.get_type_hints(cls, vars(schema), include_extras=True)
    return _HINTS[cls]


# --------------------------------------------------------------------------- loading


class Loaded(NamedTuple):
    """What merging every layer gives: the base in use and where each part came from."""

    sections: dict[str, Any]
    layers: tuple[Layer, ...]
    provenance: dict[str, Provenance]
    touches: tuple[Touch, ...]
    source_hashes: dict[str, str]


@dataclass(repr=False, eq=False)
class Touch(Model):
    """One operation a layer above the base applied (what `spasm kb which` reports)."""

    layer: int
    file: str
    line: int | None
    op: str  # add, extends, replace, hide, translate, append
    section: str
    target: str


@dataclass(repr=False, eq=False)
class Snapshot(Model):
    """What the knowledge-base cache keeps: the merged base and where its parts came from."""

    content: Any
    layers: tuple[Layer, ...]
    provenance: dict[str, Provenance]
    touches: tuple[Touch, ...] = ()
    source_hashes: dict[str, str] = field(default_factory=dict)


class _Layerer:
    """Applies the layers above the base, collecting every issue with file and line."""

    def __init__(self, base: dict[str, Any], base_files: dict[str, str], issues: list[KBIssue]):
        from back_spasm_cli.knowledge.schema import LIST_SECTIONS

        self.issues = issues
        self.state = MergeState(
            {k: (list(v) if isinstance(v, list) else v) for k, v in base.items()}
        )
        for section in LIST_SECTIONS:
            for item in self.state.sections[section]:
                self.state.section_of[item.id] = section
                self.state.provenance[item.id] = Provenance(0, base_files.get(item.id, ""), None)
        self.state.shipped_ids = frozenset(self.state.section_of)
        sessions = base.get("sessions")
        self.caps = {t.id: t.max_minutes for t in sessions.timers} if sessions else {}
        self.touches: list[Touch] = []
        self.source_hashes: dict[str, str] = {}
        self.touched: dict[str, tuple[str, Any]] = {}

    # -- issues

    def issue(self, file: str, node: Any, path: str, message: str) -> None:
        from back_spasm_cli.knowledge.reading import KBIssue

        mark = getattr(node, "start_mark", None)
        self.issues.append(
            KBIssue(
                file,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                path,
                message,
            )
        )

    def validate(self, tp: Any, value: Any, node: Any, file: str, loc: tuple[Any, ...]) -> Any:
        """`value` validated as `tp`, or None with its issues recorded."""
        from pydantic import ValidationError

        from back_spasm_cli.knowledge import reading

        try:
            return _adapter(tp).validate_python(value)
        except ValidationError as err:
            for error in err.errors(include_url=False):
                sub = tuple(error["loc"])
                target = reading._node_at(node, sub, key=error["type"] in reading._UNKNOWN_KEY)
                self.issue(
                    file, target, reading._format_loc((*loc, *sub)), reading._describe(error)
                )
            return None
        except ValueError as err:
            self.issue(file, node, reading._format_loc(loc), str(err))
            return None

    def validate_item(
        self, section: str, value: Any, node: Any, file: str, loc: tuple[Any, ...]
    ) -> Any:
        """An item of a list section, validated by the base's own validator (one schema,
        built once, rather than one per type): as a file holding just that item."""
        from pydantic import ValidationError

        from back_spasm_cli.knowledge import reading
        from back_spasm_cli.knowledge.schema import validator

        try:
            return getattr(validator().validate_python({section: [value]}), section)[0]
        except ValidationError as err:
            for error in err.errors(include_url=False):
                sub = tuple(error["loc"])[2:]  # (section, 0, ...) -> the item's own path
                target = reading._node_at(node, sub, key=error["type"] in reading._UNKNOWN_KEY)
                self.issue(
                    file, target, reading._format_loc((*loc, *sub)), reading._describe(error)
                )
            return None

    # -- one layer

    def layer(
        self, index: int, kind: LayerKind, name: str, document: dict[str, Any], node: Any, file: str
    ) -> None:
        """Apply one file of one layer (its sections already checked against its name)."""
        from back_spasm_cli.knowledge.schema import LIST_SECTIONS

        pairs = {k.value: (k, v) for k, v in node.value}
        for section, value in document.items():
            _key_node, value_node = pairs[section]
            if section in LIST_SECTIONS:
                if not isinstance(value, list):
                    self.issue(file, value_node, section, "must be a list of entries")
                    continue
                for position, raw in enumerate(value):
                    self.item(index, kind, file, section, position, raw, value_node.value[position])
            elif kind == "language":
                self.translate_single(index, file, section, value, value_node)
            else:
                self.single(index, file, section, value, value_node)

    def item(
        self,
        layer: int,
        kind: LayerKind,
        file: str,
        section: str,
        position: int,
        raw: Any,
        node: Any,
    ) -> None:
        from back_spasm_cli.knowledge.reading import _format_loc
        from back_spasm_cli.knowledge.schema import KnowledgeBaseFile

        loc = (section, position)
        item_type = _hints(KnowledgeBaseFile)[section]
        item_type = _list_item(item_type)
        if not isinstance(raw, dict):
            self.validate_item(section, raw, node, file, loc)
            return
        ops = [op for op in OPS if op in raw]
        if kind == "language":
            target = raw.get("id")
            if not isinstance(target, str) or ops:
                self.issue(
                    file,
                    node,
                    _format_loc(loc),
                    "a translation gives the `id` of a base entry and its translated text only",
                )
                return
            if isinstance(raw.get("source_hash"), str):
                self.source_hashes[target] = raw["source_hash"]
            self.run(
                Op(
                    "translate",
                    section,
                    target,
                    {k: v for k, v in raw.items() if k != "id"},
                    file,
                    node,
                ),
                layer,
                loc,
            )
            return
        if len(ops) > 1:
            self.issue(
                file, node, _format_loc(loc), f"one operation per item, not {' and '.join(ops)}"
            )
            return
        if not ops:
            value = self.validate_item(section, raw, node, file, loc)
            if value is not None:
                self.run(Op("add", section, value.id, value, file, node), layer, loc)
            return
        op = ops[0]
        target = raw[op]
        if not isinstance(target, str) or not target:
            self.issue(file, _child(node, op), _format_loc((*loc, op)), f"`{op}:` takes an id")
            return
        rest = {k: v for k, v in raw.items() if k != op}
        if op == "hide":
            if rest:
                self.issue(
                    file,
                    _child(node, next(iter(rest)), key=True),
                    _format_loc((*loc, next(iter(rest)))),
                    "`hide:` takes no other keys",
                )
                return
            self.run(Op("hide", section, target, None, file, node), layer, loc)
        elif op == "replace":
            if rest.get("id", target) != target:
                self.issue(
                    file,
                    _child(node, "id"),
                    _format_loc((*loc, "id")),
                    f"a replacement keeps the id {target!r}",
                )
                return
            if section in PROTECTED and target in self.state.shipped_ids:
                self.refuse(file, node, loc, _protected_message(section, target, "replace"))
                return
            value = self.validate_item(section, {"id": target, **rest}, node, file, loc)
            if value is not None:
                self.run(Op("replace", section, target, value, file, node), layer, loc)
        else:
            allowed = extend_fields(section)
            hints = _hints(item_type)
            fields: dict[str, Any] = {}
            for key, value in rest.items():
                key_loc = (*loc, key)
                if section == "regions" and key in ("emergency", "urgent"):
                    self.refuse(
                        file,
                        _child(node, key, key=True),
                        key_loc,
                        _protected_message("regions", target, "extends"),
                    )
                    continue
                if section == "red_flags" and key == "level":
                    checked = self.validate(hints["level"], value, _child(node, key), file, key_loc)
                    if checked is not None:
                        fields["level"] = checked
                    continue
                if key not in allowed:
                    self.issue(
                        file,
                        _child(node, key, key=True),
                        _format_loc(key_loc),
                        f"`extends:` adds to {', '.join(allowed)} only",
                    )
                    continue
                checked = self.validate(hints[key], value, _child(node, key), file, key_loc)
                if checked is not None:
                    fields[key] = checked
            if fields:
                self.run(Op("extends", section, target, fields, file, node), layer, loc)

    def run(self, op: Op, layer: int, loc: tuple[Any, ...]) -> None:
        try:
            apply(self.state, op, layer)
        except Refused as refused:
            self.refuse(
                op.file, op.node, (*loc, refused.key) if refused.key else loc, refused.message
            )
            return
        self.touches.append(Touch(layer, op.file, _line(op.node), op.kind, op.section, op.target))

    def refuse(self, file: str, node: Any, loc: tuple[Any, ...], message: str) -> None:
        from back_spasm_cli.knowledge.reading import _format_loc

        self.issue(
            file,
            _child(node, loc[-1], key=True) if isinstance(loc[-1], str) and len(loc) > 2 else node,
            _format_loc(loc),
            message,
        )

    # -- single sections

    def single(self, layer: int, file: str, section: str, value: Any, node: Any) -> None:
        if section in BASE_ONLY:
            self.issue(
                file,
                node,
                section,
                f"`{section}:` belongs to the base; an overlay cannot change it",
            )
            return
        current = self.state.sections.get(section)
        if not isinstance(value, dict):
            self.issue(file, node, section, "must be a mapping")
            return
        if current is None:
            self.issue(file, node, section, f"the base has no `{section}:` to add to")
            return
        handler = getattr(self, f"_single_{section}")
        before = len(self.issues)
        changes = handler(layer, file, value, node, current)
        if len(self.issues) > before or not changes:
            return
        try:
            self.state.sections[section] = dataclasses.replace(current, **changes)
        except ValueError as err:
            self.issue(file, node, section, str(err).removeprefix("Value error, "))
            return
        self.touched[section] = (file, node)

    def _keys(
        self,
        file: str,
        value: dict[str, Any],
        node: Any,
        section: str,
        allowed: Iterable[str],
        why: str,
    ) -> bool:
        ok = True
        for key in value:
            if key not in allowed:
                self.refuse(file, node, (section, key), f"{section}.{key} {why}")
                ok = False
        return ok

    def _append(
        self, layer: int, file: str, section: str, key: str, items: Any, node: Any, owner: Any
    ) -> list[Any] | None:
        """New items for a list field of `owner`, validated; None when any is wrong."""
        hint = _hints(type(owner))[key]
        checked = self.validate(hint, items, node, file, (section, key))
        if checked is None:
            return None
        self.touches.append(Touch(layer, file, _line(node), "append", f"{section}.{key}", ""))
        return list(getattr(owner, key)) + list(checked)

    def _by_id(
        self,
        layer: int,
        file: str,
        loc: tuple[Any, ...],
        items: Any,
        node: Any,
        current: list[Any],
        key: str,
        merge: Any,
    ) -> list[Any] | None:
        """Items matched by `key`: an existing one is merged by `merge`, a new one appended."""
        if not isinstance(items, list):
            self.issue(file, node, ".".join(map(str, loc)), "must be a list")
            return None
        out = list(current)
        ok = True
        for position, raw in enumerate(items):
            item_node = node.value[position]
            ident = raw.get(key) if isinstance(raw, dict) else None
            found = next((i for i, x in enumerate(out) if getattr(x, key) == ident), None)
            result = merge(raw, item_node, (*loc, position), None if found is None else out[found])
            if result is None:
                ok = False
                continue
            if found is None:
                out.append(result)
                self.touches.append(
                    Touch(layer, file, _line(item_node), "add", ".".join(map(str, loc)), str(ident))
                )
            else:
                out[found] = result
                self.touches.append(
                    Touch(
                        layer,
                        file,
                        _line(item_node),
                        "extends",
                        ".".join(map(str, loc)),
                        str(ident),
                    )
                )
        return out if ok else None

    def _extend_item(
        self,
        file: str,
        raw: Any,
        node: Any,
        loc: tuple[Any, ...],
        old: Any,
        lists: tuple[str, ...],
        what: str,
    ) -> Any:
        """An existing item with lists appended (only `lists`)."""
        from back_spasm_cli.knowledge.reading import _format_loc

        hints = _hints(type(old))
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            if key in ("id", "flag") and value == getattr(old, key, None):
                continue
            if key not in lists:
                self.refuse(
                    file,
                    node,
                    (*loc, key),
                    f"{what} {getattr(old, 'id', '') or getattr(old, 'flag', '')!r} is"
                    f" shipped; an overlay may only add to its {', '.join(lists)}",
                )
                return None
            checked = self.validate(hints[key], value, _child(node, key), file, (*loc, key))
            if checked is None:
                return None
            current = list(getattr(old, key))
            changes[key] = current + [v for v in checked if v not in current]
        try:
            return dataclasses.replace(old, **changes)
        except ValueError as err:
            self.issue(file, node, _format_loc(loc), str(err))
            return None

    def _new_item(self, file: str, raw: Any, node: Any, loc: tuple[Any, ...], tp: Any) -> Any:
        return self.validate(tp, raw, node, file, loc)

    def _single_triage(
        self, layer: int, file: str, value: dict[str, Any], node: Any, current: Any
    ) -> dict[str, Any] | None:
        from back_spasm_cli.knowledge.schema import Checklist, ChoiceOption, TriageRule

        why = "belongs to the base; an overlay may add checklists, rules and options"
        if not self._keys(
            file, value, node, "triage", ("checklists", "rules", "started", "age_band"), why
        ):
            return None
        pairs = _pairs(node)
        changes: dict[str, Any] = {}
        for key, tp, what in (
            ("checklists", Checklist, "checklist"),
            ("rules", TriageRule, "rule"),
        ):
            if key not in value:
                continue

            def merge(
                raw: Any, n: Any, loc: tuple[Any, ...], old: Any, tp: Any = tp, what: str = what
            ) -> Any:
                if old is not None:
                    self.refuse(
                        file,
                        n,
                        loc,
                        f"{what} {old.id!r} is shipped; an overlay cannot change or remove"
                        " it (add a new one)",
                    )
                    return None
                return self._new_item(file, raw, n, loc, tp)

            out = self._by_id(
                layer,
                file,
                ("triage", key),
                value[key],
                pairs[key],
                list(getattr(current, key)),
                "id",
                merge,
            )
            if out is not None:
                changes[key] = out
        for key in ("started", "age_band"):
            if key not in value:
                continue
            question = getattr(current, key)
            raw = value[key]
            if not isinstance(raw, dict) or set(raw) != {"options"}:
                self.refuse(
                    file,
                    pairs[key],
                    ("triage", key),
                    f"triage.{key}: an overlay may add `options:` only",
                )
                continue

            def merge_option(raw: Any, n: Any, loc: tuple[Any, ...], old: Any) -> Any:
                if old is not None:
                    self.refuse(file, n, loc, f"option {old.id!r} is shipped; it cannot be changed")
                    return None
                return self._new_item(file, raw, n, loc, ChoiceOption)

            out = self._by_id(
                layer,
                file,
                ("triage", key, "options"),
                raw["options"],
                _pairs(pairs[key])["options"],
                list(question.options),
                "id",
                merge_option,
            )
            if out is not None:
                try:
                    changes[key] = dataclasses.replace(question, options=out)
                except ValueError as err:
                    self.issue(file, pairs[key], f"triage.{key}", str(err))
        return changes

    def _single_plan(
        self, layer: int, file: str, value: dict[str, Any], node: Any, current: Any
    ) -> dict[str, Any] | None:
        from back_spasm_cli.knowledge.schema import PlanPhase

        why = (
            "belongs to the base; an overlay may add phases, phase steps, get_help, causes"
            " and prevention"
        )
        if not self._keys(
            file, value, node, "plan", ("phases", "get_help", "causes", "prevention"), why
        ):
            return None
        pairs = _pairs(node)
        changes: dict[str, Any] = {}
        if "phases" in value:

            def merge(raw: Any, n: Any, loc: tuple[Any, ...], old: Any) -> Any:
                if old is None:
                    return self._new_item(file, raw, n, loc, PlanPhase)
                return self._extend_item(file, raw, n, loc, old, ("steps", "today"), "plan phase")

            out = self._by_id(
                layer,
                file,
                ("plan", "phases"),
                value["phases"],
                pairs["phases"],
                list(current.phases),
                "id",
                merge,
            )
            if out is not None:
                changes["phases"] = sorted(out, key=lambda phase: phase.from_day)
        for key in ("get_help", "causes", "prevention"):
            if key in value:
                out = self._append(layer, file, "plan", key, value[key], pairs[key], current)
                if out is not None:
                    changes[key] = out
        return changes

    def _single_words(
        self, layer: int, file: str, value: dict[str, Any], node: Any, current: Any
    ) -> dict[str, Any] | None:
        from back_spasm_cli.knowledge.schema import Concept, FlagWords, Intent

        why = (
            "belongs to the base: words that make the recogniser skip a phrasing or read it"
            " as negated could hide a red flag (an overlay may add flags, concepts and intents)"
        )
        if not self._keys(file, value, node, "words", ("flags", "concepts", "intents"), why):
            return None
        pairs = _pairs(node)
        changes: dict[str, Any] = {}
        for key, ident, tp, lists, what in (
            ("concepts", "id", Concept, ("terms",), "concept"),
            ("flags", "flag", FlagWords, ("phrases", "together"), "red flag's words"),
            ("intents", "id", Intent, ("phrases", "together", "entries"), "intent"),
        ):
            if key not in value:
                continue

            def merge(
                raw: Any,
                n: Any,
                loc: tuple[Any, ...],
                old: Any,
                tp: Any = tp,
                lists: Any = lists,
                what: str = what,
            ) -> Any:
                if old is None:
                    return self._new_item(file, raw, n, loc, tp)
                return self._extend_item(file, raw, n, loc, old, lists, what)

            out = self._by_id(
                layer,
                file,
                ("words", key),
                value[key],
                pairs[key],
                list(getattr(current, key)),
                ident,
                merge,
            )
            if out is not None:
                changes[key] = out
        return changes

    def _single_sessions(
        self, layer: int, file: str, value: dict[str, Any], node: Any, current: Any
    ) -> dict[str, Any] | None:
        from back_spasm_cli.knowledge.schema import Timer

        if not self._keys(
            file, value, node, "sessions", ("timers", "routine"), "belongs to the base"
        ):
            return None
        pairs = _pairs(node)
        changes: dict[str, Any] = {}
        cap = max(self.caps.values(), default=20)
        if "timers" in value:

            def merge(raw: Any, n: Any, loc: tuple[Any, ...], old: Any) -> Any:
                if old is None:
                    timer = self._new_item(file, raw, n, loc, Timer)
                    if timer is not None and timer.max_minutes > cap:
                        self.refuse(
                            file,
                            _child(n, "max_minutes"),
                            (*loc, "max_minutes"),
                            f"timer {timer.id!r}: at most {cap} minutes (the shipped safety"
                            f" cap), not {timer.max_minutes}",
                        )
                        return None
                    return timer
                limits = {k: raw[k] for k in ("default_minutes", "max_minutes") if k in raw}
                rest = {k: v for k, v in raw.items() if k not in limits}
                shipped = self.caps.get(old.id, cap)
                for key, minutes in limits.items():
                    if (
                        not isinstance(minutes, int)
                        or isinstance(minutes, bool)
                        or not 1 <= minutes <= shipped
                    ):
                        self.refuse(
                            file,
                            _child(n, key),
                            (*loc, key),
                            f"timer {old.id!r}: {key} must be 1 to {shipped} (the shipped"
                            f" safety cap), not {minutes!r}",
                        )
                        return None
                extended = self._extend_item(file, rest, n, loc, old, ("checks",), "timer")
                if extended is None:
                    return None
                try:
                    return dataclasses.replace(extended, **limits)
                except ValueError as err:
                    self.issue(file, n, f"sessions.timers[{loc[-1]}]", str(err))
                    return None

            out = self._by_id(
                layer,
                file,
                ("sessions", "timers"),
                value["timers"],
                pairs["timers"],
                list(current.timers),
                "id",
                merge,
            )
            if out is not None:
                changes["timers"] = out
        if "routine" in value:
            raw = value["routine"]
            if not isinstance(raw, dict) or set(raw) - {"order"}:
                self.refuse(
                    file,
                    pairs["routine"],
                    ("sessions", "routine"),
                    "sessions.routine: an overlay may add to `order:` only",
                )
            elif "order" in raw:
                order = self._append(
                    layer,
                    file,
                    "sessions.routine",
                    "order",
                    raw["order"],
                    _pairs(pairs["routine"])["order"],
                    current.routine,
                )
                if order is not None:
                    changes["routine"] = dataclasses.replace(
                        current.routine, order=list(dict.fromkeys(order))
                    )
        return changes

    def translate_single(self, layer: int, file: str, section: str, value: Any, node: Any) -> None:
        current = self.state.sections.get(section)
        if current is None:
            self.issue(file, node, section, f"the base has no `{section}:` to translate")
            return
        try:
            self.state.sections[section] = translate(current, value, section)
        except Refused as refused:
            self.issue(file, node, section, refused.message)
            return
        self.touches.append(Touch(layer, file, _line(node), "translate", section, ""))


_ADAPTERS: dict[Any, Any] = {}


def _adapter(tp: Any) -> Any:
    """pydantic's validator for one type, built once (building one costs about a ms)."""
    from pydantic import TypeAdapter

    try:
        return _ADAPTERS[tp]
    except KeyError:
        adapter = _ADAPTERS[tp] = TypeAdapter(tp)
        return adapter
    except TypeError:  # pragma: no cover - an unhashable annotation
        return TypeAdapter(tp)


def _list_item(tp: Any) -> Any:
    import typing

    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    args = typing.get_args(tp)
    return args[0] if typing.get_origin(tp) is list and args else tp


def _pairs(node: Any) -> dict[str, Any]:
    """A mapping node's values by key (the node itself for anything else)."""
    value = getattr(node, "value", None)
    if not isinstance(value, list):
        return {}
    return {k.value: v for k, v in value if hasattr(k, "value") and isinstance(k.value, str)}


def _child(node: Any, name: Any, *, key: bool = False) -> Any:
    """The value node under `name` in a mapping node (with `key`, the key's own node)."""
    pairs = getattr(node, "value", None)
    if not isinstance(pairs, list):
        return node
    for pair in pairs:
        if not isinstance(pair, tuple):
            return node
        k, v = pair
        if getattr(k, "value", None) == name:
            return k if key else v
    return node


# --------------------------------------------------------------------------- the driver


def merge(
    sources: Sequence[LayerSource],
    raw: dict[str, bytes],
    base: dict[str, Any],
    base_files: dict[str, str],
    issues: list[KBIssue],
) -> Loaded:
    """The one merge function: the base's sections, then every layer's operations, in
    order. Issues (errors and refusals, with file and line) are appended to `issues`."""
    from back_spasm_cli.knowledge import reading

    merger = _Layerer(base, base_files, issues)
    described: list[Layer] = [
        Layer(
            "base",
            "shipped knowledge base" if sources[0].scope == "shipped" else sources[0].path,
            sources[0].path,
            sources[0].scope,
            files=tuple(f.name for f in sources[0].files),
        )
    ]
    roots: dict[str, tuple[str, Any]] = {}
    for index, source in enumerate(sources[1:], start=1):
        layer = _describe_layer(source, raw, issues, described)
        described.append(layer)
        for kb_file in source.files:
            stem, dot, suffix = Path(kb_file.resource.name).name.partition(".")
            if not dot or f".{suffix}" not in reading.YAML_SUFFIXES or stem not in SECTION_FILES:
                kb_issue = reading.KBIssue(
                    kb_file.name,
                    None,
                    None,
                    "",
                    "not a section file of the base (expected one of: "
                    + ", ".join(f"{n}.yaml" for n in SECTION_FILES)
                    + f", and {MANIFEST})",
                )
                issues.append(kb_issue)
                continue
            composed = reading.compose(kb_file.name, raw[kb_file.name], issues)
            if composed is None:
                continue
            document, node = composed
            allowed = SECTION_FILES[stem]
            bad = False
            for key_node, _value in node.value:
                if key_node.value not in allowed:
                    merger.issue(
                        kb_file.name,
                        key_node,
                        str(key_node.value),
                        f"`{key_node.value}:` does not belong in {stem}.yaml (it holds "
                        + ", ".join(f"`{a}:`" for a in allowed)
                        + ")",
                    )
                    bad = True
            if bad:
                continue
            merger.layer(index, source.kind, kb_file.name, document, node, kb_file.name)
            for section in document:
                roots[section] = (kb_file.name, node)
    state = merger.state
    if not issues and len(sources) > 1:
        _check_links(state, issues, merger, roots)
    from back_spasm_cli.knowledge.schema import LEVEL_ORDER

    # Red flags most urgent first, whatever order the files give them (stable within a level).
    state.sections["red_flags"] = sorted(
        state.sections["red_flags"], key=lambda flag: -LEVEL_ORDER.index(flag.level)
    )
    return Loaded(
        state.sections,
        tuple(described),
        state.provenance,
        tuple(merger.touches),
        merger.source_hashes,
    )


def _check_links(
    state: MergeState, issues: list[KBIssue], merger: _Layerer, roots: dict[str, tuple[str, Any]]
) -> None:
    """What the layers added must point at something: related ids, and the ids the single
    sections they touched name."""
    from back_spasm_cli.knowledge import reading
    from back_spasm_cli.knowledge.schema import ENTRY_SECTIONS, LIST_SECTIONS

    known = set(state.section_of)
    for section in LIST_SECTIONS:
        for item in state.sections[section]:
            found = state.provenance.get(item.id)
            if found is None or (found.layer == 0 and not found.extended_by):
                continue
            for target in getattr(item, "related", ()):
                if target not in known:
                    where = (
                        found.extended_by[-1]
                        if found.extended_by
                        else (found.layer, found.file, found.line)
                    )
                    issues.append(
                        reading.KBIssue(
                            where[1],
                            where[2],
                            None,
                            f"{section}.{item.id}.related",
                            f"related id {target!r} points to no entry",
                        )
                    )
    triage = state.sections.get("triage")
    tables: dict[str, set[str]] = {
        "red_flags": {flag.id for flag in state.sections["red_flags"]},
        "entries": {item.id for name in ENTRY_SECTIONS for item in state.sections[name]},
        "prevention": {item.id for item in state.sections["prevention"]},
        "remedies": {item.id for item in state.sections["remedies"]},
        "exercises": {item.id for item in state.sections["exercises"]},
        "started": {option.id for option in triage.started.options} if triage else set(),
    }
    for section, (file, _node) in merger.touched.items():
        value = state.sections.get(section)
        if value is None:
            continue
        root = roots.get(section, (file, None))[1]
        for loc, target, table in value.references():
            if target not in tables[table]:
                mark = reading._node_at(root, loc).start_mark if root is not None else None
                issues.append(
                    reading.KBIssue(
                        file,
                        mark.line + 1 if mark else None,
                        mark.column + 1 if mark else None,
                        reading._format_loc(loc),
                        f"{table.replace('_', ' ').rstrip('s')} id {target!r} points to nothing",
                    )
                )


def _describe_layer(
    source: LayerSource, raw: dict[str, bytes], issues: list[KBIssue], below: list[Layer]
) -> Layer:
    """The layer's manifest read and checked (a language layer has none)."""
    from back_spasm_cli.knowledge import reading
    from back_spasm_cli.version import __version__

    files = tuple(f.name for f in source.files)
    if source.manifest is None:
        return Layer(
            source.kind,
            source.language or Path(source.path).name,
            source.path,
            source.scope,
            language=source.language,
            files=files,
        )
    name = source.manifest.name
    fallback = Layer(source.kind, Path(source.path).name, source.path, source.scope, files=files)
    composed = reading.compose(name, raw[name], issues, what="`name:` and `version:`")
    if composed is None:
        return fallback
    document, node = composed
    info: dict[str, str] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        mark = key_node.start_mark
        if key not in MANIFEST_KEYS:
            issues.append(
                reading.KBIssue(
                    name,
                    mark.line + 1,
                    mark.column + 1,
                    str(key),
                    "unknown key (overlay.yaml has " + ", ".join(MANIFEST_KEYS) + ")",
                )
            )
            continue
        value = document[key]
        if not isinstance(value, str) or not value.strip() or len(value) > 400:
            vmark = value_node.start_mark
            hint = ' (quote it: version: "1.2")' if isinstance(value, int | float) else ""
            issues.append(
                reading.KBIssue(
                    name,
                    vmark.line + 1,
                    vmark.column + 1,
                    str(key),
                    f"must be text of 1 to 400 characters{hint}",
                )
            )
            continue
        info[key] = value.strip()
    for key in ("name", "version"):
        if key not in info and key not in document:
            issues.append(reading.KBIssue(name, 1, 1, key, "required field is missing"))
    label = info.get("name", fallback.name)
    if any(layer.name.casefold() == label.casefold() for layer in below):
        issues.append(
            reading.KBIssue(
                name,
                _line(_child(node, "name")),
                None,
                "name",
                f"another layer is already called {label!r}",
            )
        )
    requires = info.get("requires")
    if requires is not None:
        needed = _version_tuple(requires.lstrip(">= "))
        if needed is None:
            issues.append(
                reading.KBIssue(
                    name,
                    _line(_child(node, "requires")),
                    None,
                    "requires",
                    'a spasm version such as ">=0.1"',
                )
            )
        elif needed > (_version_tuple(__version__) or (0,)):
            issues.append(
                reading.KBIssue(
                    name,
                    _line(_child(node, "requires")),
                    None,
                    "requires",
                    f"needs spasm {requires}; this is spasm {__version__}",
                )
            )
    return Layer(
        source.kind,
        label,
        source.path,
        source.scope,
        version=info.get("version"),
        language=info.get("language"),
        owner=info.get("owner"),
        contact=info.get("contact"),
        requires=requires,
        files=files,
    )


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.strip().split(".")
    if not all(part.isdigit() for part in parts):
        return None
    return tuple(int(part) for part in parts)


# --------------------------------------------------------------------------- installing


def manifest_name(folder: Path) -> str | None:
    """An installed overlay's `name:`, read on its own (even when the stack is invalid)."""
    import yaml

    try:
        data = yaml.safe_load((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name.strip() if isinstance(name, str) else None


def folder_name(name: str) -> str:
    """The folder an overlay is installed in: its name as a slug ("riverside-physio")."""
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug[:64] or "overlay"


def find_installed(name: str) -> tuple[Path, Scope] | None:
    """An installed overlay by its name or its folder's name (the user's, then site's)."""
    wanted = name.strip().casefold()
    for folder, scope in ((user_overlays_dir(), "user"), (site_overlays_dir(), "site")):
        try:
            found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            continue
        for path in found:
            label = manifest_name(path)
            if path.name.casefold() == wanted or (label and label.casefold() == wanted):
                return path, scope  # type: ignore[return-value]
    return None


def install(source: Path, name: str) -> Path:
    """Copy a checked overlay folder into the user's overlays, whole or not at all."""
    import shutil
    import tempfile

    root = user_overlays_dir()
    target = root / folder_name(name)
    if target.exists():
        raise SpasmError(
            f"an overlay is already installed in {target}; `spasm kb remove {folder_name(name)}`"
            " first"
        )
    root.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".adding-", dir=root))
    try:
        for item in sorted(source.iterdir()):
            if item.is_file() and not item.name.startswith("."):
                shutil.copyfile(item, temp / item.name)
        temp.rename(target)
    except OSError as err:
        shutil.rmtree(temp, ignore_errors=True)
        raise SpasmError(f"{target}: cannot install ({err.strerror or err})") from None
    return target


def uninstall(folder: Path) -> None:
    import shutil

    try:
        shutil.rmtree(folder)
    except OSError as err:
        raise SpasmError(f"{folder}: cannot remove ({err.strerror or err})") from None


STARTER: dict[str, str] = {
    MANIFEST: """\
# An overlay: your own knowledge on top of spasm's shipped base (docs/overlays.md).
# Check it with `spasm kb check FOLDER`, install it with `spasm kb add FOLDER`.
name: My Clinic            # shown beside what this overlay adds: "from: My Clinic 1.0"
version: "1.0"             # quote it
owner: A. Physiotherapist  # who maintains it
contact: clinic@example.org
requires: ">=0.1"          # the spasm version it needs
language: en
""",
    "exercises.yaml": """\
# New exercises (a new id), or `- extends: ID` to add steps or cautions to a shipped one.
# Every field is as in spasm's data/exercises.yaml; `spasm kb schema` has them all.
exercises:
  - id: my-stretch
    title: My stretch
    summary: One line, shown in lists.
    position: Lie on your back with your knees bent.
    steps:
      - The first step.
      - The second step.
    hold: Five seconds
    hold_seconds: 5
    reps: 5
    cautions:
      - Stop if it makes your symptoms worse or causes new pain.
    from_day: 3
    sources:
      - clinician: My Clinic
""",
    "sessions.yaml": """\
# Add your exercises to `spasm routine` (after the shipped ones).
sessions:
  routine:
    order:
      - my-stretch
""",
    "remedies.yaml": """\
# Add to a shipped entry (its text stays). Red flags, care levels and the shipped regions'
# numbers can never be hidden, replaced or lowered: spasm refuses such an overlay.
remedies:
  - extends: heat
    cautions:
      - Do not fall asleep on a heat pack.
    sources:
      - clinician: My Clinic
""",
}


def write_starter(path: Path) -> list[Path]:
    """The commented starter overlay (`spasm kb new PATH`), in a folder that is new."""
    try:
        path.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        raise SpasmError(f"{path}: already exists; name a new folder") from None
    except OSError as err:
        raise SpasmError(f"{path}: cannot create ({err.strerror or err})") from None
    written = []
    for name, text in STARTER.items():
        (path / name).write_text(text, encoding="utf-8")
        written.append(path / name)
    return written
