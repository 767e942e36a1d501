"""The lookup views: knowledge-base entries turned into documents. Never prints.

Every advice view opens with the emergency red flags and the region's number and ends
with the disclaimer and the pointer to `spasm doctor`. The words of advice come from the
knowledge base; this module only arranges them and labels the parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from back_spasm_cli.knowledge.kb import KnowledgeBase, iter_items
from back_spasm_cli.knowledge.kinds import Kind, open_command
from back_spasm_cli.knowledge.lookup import Match
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import (
    LEVEL_ORDER,
    LIST_SECTIONS,
    Entry,
    Exercise,
    KnowledgeBaseFile,
)
from back_spasm_cli.system.i18n import N_, _
from back_spasm_cli.version import __version__
from back_spasm_cli.views.document import Bullets, Document, Section, Tone
from back_spasm_cli.views.frame import (
    advice,
    display_sources,
    finish,
    kind_name,
    kind_plural,
    related,
    related_lines,
    shown_kinds,
)
from back_spasm_cli.views.layers import from_json, from_line

#: What `spasm` alone lists first: the five commands people need first (interface text).
FIRST_COMMANDS: tuple[tuple[str, str], ...] = (
    ("spasm check", N_("a few questions: is it safe to look after it yourself?")),
    ("spasm remedies", N_("what helps now, one line each")),
    ("spasm exercises", N_("gentle moves, with holds and repetitions")),
    (N_("spasm ask QUESTION"), N_("ask in your own words")),
    ("spasm doctor", N_("when to get help, and the numbers to call")),
)
#: The rest, shown with --full (and by `spasm help`).
MORE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("spasm causes", N_("what can set off a back spasm")),
    ("spasm prevent", N_("habits that make spasms less likely")),
    ("spasm lifestyle", N_("day-to-day changes")),
    ("spasm faq", N_("common questions")),
    (N_("spasm search WORDS"), N_("find advice from your own words")),
    ("spasm plan", N_("a personal, phased self-care plan")),
    ("spasm help", N_("every command")),
)
#: Labels (interface words, not advice).
MORE_HINT = N_("more: --full")


def entry_section(
    content: KnowledgeBaseFile,
    kind: Kind,
    entry: Entry,
    *,
    full: bool = False,
    brief: bool = False,
    origin: str | None = None,
) -> Section:
    """What to do first: summary, how long, steps, cautions, related entries; `brief`
    (an answer to a question, whose view says when and lists related entries itself):
    summary, steps and cautions. With `full`, also the long text, tips, evidence and
    sources."""
    lists = [Bullets(_("Steps"), tuple(entry.steps), ordered=True)]
    if full:
        lists.append(Bullets(_("Tips"), tuple(entry.tips)))
    lists.append(Bullets(_("Cautions"), tuple(entry.cautions)))
    if full:
        lists.append(Bullets(_("Evidence"), tuple(entry.evidence)))
    if full:
        lists.append(Bullets(_("Related"), related_lines(content, entry.related)))
        lists.append(Bullets(_("Sources"), display_sources(entry.sources)))
    elif entry.related and not brief:  # the commands alone, on a line or two
        commands = [command for _, command in related(content, entry.related)]
        lists.append(Bullets(_("Related"), (" · ".join(commands),)))
    facts = [(_("How long"), entry.duration)] if entry.duration and not brief else []
    return Section(
        title=entry.title,
        subtitle=f"{kind_name(kind)}: {entry.id}"
        + ("" if full else f" · {_(MORE_HINT)}")
        + (f" · {origin}" if origin else ""),
        tone="info",
        paragraphs=(entry.summary, *(entry.body if full else ())),
        lists=tuple(b for b in lists if b.items),
        facts=tuple(facts),
    )


def exercise_section(
    exercise: Exercise, *, full: bool = False, origin: str | None = None
) -> Section:
    facts = [(_("When"), exercise.when)] if exercise.when else []
    facts.append((_("Start"), exercise.position))
    if exercise.hold:
        facts.append((_("Hold"), exercise.hold))
    if exercise.repetitions:
        facts.append((_("Repeat"), exercise.repetitions))
    lists = [
        Bullets(_("Steps"), tuple(exercise.steps), ordered=True),
        Bullets(_("Cautions"), tuple(exercise.cautions)),
    ]
    if full:
        lists.append(Bullets(_("Sources"), display_sources(exercise.sources)))
    return Section(
        title=exercise.title,
        subtitle=_("exercise: {id}").format(id=exercise.id) + (f" · {origin}" if origin else ""),
        paragraphs=(exercise.summary,),
        lists=tuple(b for b in lists if b.items),
        facts=tuple(facts),
    )


def _entry_json(kb: KnowledgeBase, kind: Kind, item: Entry | Exercise) -> dict[str, Any]:
    return {"kind": kind.name, **item.to_data(), **from_json(kb, item.id)}


def _match_notices(kind: Kind, matches: Sequence[Match]) -> list[str]:
    notices = []
    for m in matches:
        if m.loose:
            notices.append(
                _("no {kind} is called {query}; showing the closest: {title}").format(
                    kind=kind_name(kind), query=repr(m.query), title=m.item.title
                )
            )
    return notices


def entries(
    kb: KnowledgeBase,
    numbers: Numbers,
    kind: Kind,
    matches: Sequence[Match] | None = None,
    *,
    full: bool = False,
    notices: Sequence[str] = (),
) -> Document:
    """Entries of one kind: those `matches` name, or all of them (with `full`, each in
    full). JSON always carries every field."""
    content = kb.content
    items: list[Any] = [m.item for m in matches] if matches else in_order(content, kind)
    sections = [
        exercise_section(item, full=full, origin=from_line(kb, item.id))
        if isinstance(item, Exercise)
        else entry_section(content, kind, item, full=full, origin=from_line(kb, item.id))
        for item in items
    ]
    payload = {
        "kind": kind.name,
        "entries": [_entry_json(kb, kind, item) for item in items],
        "matches": [{"query": m.query, "id": m.item.id, "how": m.how} for m in (matches or ())],
    }
    return advice(
        kb,
        numbers,
        sections,
        payload,
        shows=shown_kinds(items),
        notices=[*notices, *_match_notices(kind, matches or ())],
    )


def summaries(kb: KnowledgeBase, numbers: Numbers, kind: Kind) -> Document:
    """The compact list: each entry's title, its one-line summary and the command that
    opens it. JSON carries every field of every entry."""
    content = kb.content
    items: list[Any] = in_order(content, kind)
    section = Section(
        title=kind_plural(kind).capitalize(),
        lists=(
            Bullets(
                "",
                tuple(
                    f"{_summary_line(item)} ({open_command(kind, item.id)})"
                    + (f" · {origin}" if (origin := from_line(kb, item.id)) else "")
                    for item in items
                ),
            ),
        ),
        subtitle=_("open one: spasm {command} NAME · all in full: --full").format(
            command=kind.command
        ),
    )
    payload = {"kind": kind.name, "entries": [_entry_json(kb, kind, item) for item in items]}
    return advice(kb, numbers, [section], payload, shows=shown_kinds(items))


def in_order(content: KnowledgeBaseFile, kind: Kind) -> list[Any]:
    """A section's items in the order to list them: exercises by the first day they suit
    (day-0 ones first), the rest in file order."""
    items: list[Any] = list(getattr(content, kind.section))
    return sorted(items, key=lambda item: getattr(item, "from_day", 0))


def _summary_line(item: Any) -> str:
    if getattr(item, "answer", None):  # a question: its title says what it answers
        return str(item.title)
    line = f"{item.title}: {item.summary}"
    when = getattr(item, "when", None)  # exercises say from when they suit
    return _("{line} When: {when}.").format(line=line, when=when) if when else line


def overview(kb: KnowledgeBase, numbers: Numbers, *, full: bool = False) -> Document:
    """`spasm` alone: what a back spasm is in two lines, the five commands people need
    first, the safety strip; with `full`, the whole overview and every command."""
    content = kb.content
    items = content.overview if full else content.overview[:1]
    sections = [
        Section(title=item.title, paragraphs=(item.summary, *(item.body if full else ())))
        for item in items
    ]
    commands = tuple(
        (_(command), _(words))
        for command, words in FIRST_COMMANDS + (MORE_COMMANDS if full else ())
    )
    sections.append(Section(title=_("Start here"), facts=commands, tone="note"))
    payload = {
        "overview": [item.to_data() for item in content.overview],
        "commands": [
            {"command": _(c), "description": _(d)} for c, d in FIRST_COMMANDS + MORE_COMMANDS
        ],
    }
    return advice(kb, numbers, sections, payload)


def doctor(kb: KnowledgeBase, numbers: Numbers, *, full: bool = False) -> Document:
    """When to get help: every care level with its red flags, most urgent first; on one
    screen (the signs in short words, run together), with `full` one sign a line and the
    numbers' notes."""
    content = kb.content
    sections: list[Section] = []
    levels_json: list[dict[str, Any]] = []
    by_id = {level.id: level for level in content.care_levels}
    for level_id in reversed(LEVEL_ORDER[1:]):  # self-care is a verdict, not a tier here
        level = by_id.get(level_id)
        flags = [flag for flag in content.red_flags if flag.level == level_id]
        if level is None:
            continue
        tone: Tone = level_id
        if full:
            paragraphs: tuple[str, ...] = (numbers.fill(level.action),)
            lists = (Bullets("", tuple(flag.title for flag in flags)),) if flags else ()
        elif level_id == "gp":  # not urgent: its signs are depth, behind --full
            paragraphs, lists = (numbers.fill(level.action),), ()
        else:  # urgent: action and signs in one paragraph, so the page fits 30 rows
            signs = " · ".join(flag.title for flag in flags)
            parts = (numbers.fill(level.action), *((signs,) if signs else ()))
            paragraphs = parts if level_id == "emergency" else (" ".join(parts),)
            lists = ()
        subtitle = _(MORE_HINT) if not full and level_id == "gp" else ""
        sections.append(
            Section(
                title=level.title, tone=tone, paragraphs=paragraphs, lists=lists, subtitle=subtitle
            )
        )
        levels_json.append(
            {
                "id": level.id,
                "title": level.title,
                "action": numbers.fill(level.action),
                "red_flags": [{"id": f.id, "title": f.title} for f in flags],
            }
        )
    if full:  # the compact page names each number, with its country, in the actions above
        sections.append(_numbers_section(content, numbers, notes=full))
    payload = {
        "region": numbers.as_json(),
        "levels": levels_json,
        "regions": [_region_json(r) for r in content.regions],
    }
    return finish(content, sections, payload)


def _region_json(region: Any) -> dict[str, Any]:
    return {
        "id": region.id,
        "name": region.name,
        "emergency": region.emergency.to_data(),
        "urgent": region.urgent.to_data() if region.urgent else None,
    }


def _numbers_section(
    content: KnowledgeBaseFile, numbers: Numbers, *, notes: bool = True
) -> Section:
    region = numbers.region
    if region is not None:
        said = [*region.emergency.notes]
        facts = [(_("Emergency"), region.emergency.label)]
        if region.urgent:
            facts.append((_("Urgent advice"), region.urgent.label))
            said += region.urgent.notes
        notes_shown = said if notes else []
        return Section(
            title=_("Numbers: {region}").format(region=region.name),
            tone="note",
            facts=tuple(facts),
            lists=(Bullets("", tuple(notes_shown)),) if notes_shown else (),
            subtitle="" if notes else _(MORE_HINT),
        )
    others = tuple(r.emergency.label for r in content.regions)
    return Section(
        title=_("Numbers"),
        tone="note",
        facts=((_("Emergency"), numbers.emergency),),
        lists=(Bullets(_("By region (--region)"), others),) if others else (),
    )


def about(kb: KnowledgeBase) -> Document:
    """Version, where the knowledge base is, its counts and sources, the disclaimer."""
    content = kb.content
    counts = section_counts(content)
    sources = sorted(
        {src for _, item in iter_items(content) for src in getattr(item, "sources", ())}
        | set(content.meta.sources if content.meta else ())
    )
    where = _("shipped with spasm") if kb.origin == "shipped" else kb.origin
    sections = (
        Section(
            title=content.meta.title if content.meta else "spasm",
            facts=(
                (_("Version"), __version__),
                (_("Knowledge base"), where),
                *(
                    ((_("Layers"), " · ".join(layer.label() for layer in kb.layers[1:])),)
                    if len(kb.layers) > 1
                    else ()
                ),
                (_("Files"), ", ".join(kb.files)),
                (_("Entries"), _count_words(counts)),
            ),
        ),
        Section(title=_("Sources"), tone="note", lists=(Bullets("", tuple(sources)),)),
    )
    payload = {
        "version": __version__,
        "knowledge_base": {
            "origin": kb.origin,
            "files": list(kb.files),
            "layers": [layer.as_json() for layer in kb.layers],
        },
        "counts": counts,
        "sources": sources,
    }
    return finish(content, sections, payload)


def _count_words(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items())


def section_counts(content: KnowledgeBaseFile) -> dict[str, int]:
    return {name: len(getattr(content, name)) for name in LIST_SECTIONS}


def red_flag_levels(content: KnowledgeBaseFile) -> dict[str, int]:
    levels: dict[str, int] = {}
    for flag in content.red_flags:
        levels[flag.level] = levels.get(flag.level, 0) + 1
    return levels
