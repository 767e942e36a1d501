"""The frame every advice view shares: the safety strip before the advice, and the
medication notice, the disclaimer and the pointer to `spasm doctor` after it. One home
for each of them, so no view can drop one by accident.
"""

from __future__ import annotations

import datetime
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from back_spasm_cli.knowledge.kb import KnowledgeBase, iter_items
from back_spasm_cli.knowledge.kinds import KIND_BY_SECTION, Kind, open_command
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import LEVEL_ORDER, CareLevel, KnowledgeBaseFile
from back_spasm_cli.system.i18n import N_, _, ngettext
from back_spasm_cli.views.document import Bullets, Document, Section, Tone

if TYPE_CHECKING:
    from back_spasm_cli.advice.recognise import Pointer


def care_level(content: KnowledgeBaseFile, level_id: str) -> CareLevel | None:
    """The care level with this id (the loader checks every red flag's level exists)."""
    return next((level for level in content.care_levels if level.id == level_id), None)


#: In `shows`: the view names medicines, so it ends with the medication notice.
MEDICINES = "medicines"


def shown_kinds(items: Iterable[Any]) -> list[str]:
    """`shows` for a view of these entries: MEDICINES where one names medicines."""
    return [MEDICINES] if any(getattr(item, "medicines", False) for item in items) else []


def shown_ids(content: KnowledgeBaseFile, ids: Iterable[str | None]) -> list[str]:
    """`shows` for a view that points at these entry ids (a plan's steps, a diary's
    remedies)."""
    wanted = {i for i in ids if i}
    return shown_kinds(item for _, item in iter_items(content) if item.id in wanted)


def footer(content: KnowledgeBaseFile, shows: Iterable[str] = ()) -> tuple[str, ...]:
    """The last lines of every advice view: the medication notice where medicines are
    named (`shows` holds MEDICINES), the disclaimer, and the pointer to help."""
    assert content.meta is not None  # the loader requires it
    medication = (content.meta.medication_notice,) if MEDICINES in set(shows) else ()
    return (*medication, content.meta.disclaimer, content.meta.doctor_pointer)


def safety_section(content: KnowledgeBaseFile, numbers: Numbers) -> Section | None:
    """The safety strip that opens every advice view: the gravest signs in a few words,
    the number to call named with its country, and `spasm doctor` (at most 3 lines at
    100 columns; the full tiered list is `spasm doctor`)."""
    meta = content.meta
    level = care_level(content, "emergency")
    signs = (meta.emergency_signs if meta else None) or ", ".join(
        flag.title for flag in content.red_flags if flag.level == "emergency"
    )
    call = meta.strip_call if meta and meta.strip_call else (level.action if level else "")
    lines = tuple(line for line in (signs, numbers.fill_short(call)) if line)
    return Section(title="", tone="emergency", paragraphs=lines, strip=True) if lines else None


def safety_payload(content: KnowledgeBaseFile, numbers: Numbers) -> dict[str, Any]:
    level = care_level(content, "emergency")
    return {
        "level": "emergency",
        "action": numbers.fill(level.action) if level else None,
        "red_flags": [
            {"id": flag.id, "title": flag.title}
            for flag in content.red_flags
            if flag.level == "emergency"
        ],
        "numbers": numbers.as_json(),
    }


def finish(
    content: KnowledgeBaseFile,
    sections: Iterable[Section],
    payload: dict[str, Any],
    *,
    shows: Iterable[str] = (),
    notices: Sequence[str] = (),
) -> Document:
    """A complete view: its sections, then the footer (see `footer`), which the JSON
    carries too (`medication_notice`, `disclaimer`, `doctor`)."""
    lines = footer(content, shows)
    extra = {"medication_notice": lines[0]} if len(lines) == 3 else {}
    return Document(
        sections=tuple(sections),
        footer=lines,
        payload={**payload, **extra, "disclaimer": lines[-2], "doctor": lines[-1]},
        notices=tuple(notices),
    )


def advice(
    kb: KnowledgeBase,
    numbers: Numbers,
    sections: Iterable[Section],
    payload: dict[str, Any],
    *,
    shows: Iterable[str] = (),
    notices: Sequence[str] = (),
) -> Document:
    """An advice view: the safety strip first, then `sections`, then the footer."""
    content = kb.content
    banner = safety_section(content, numbers)
    return finish(
        content,
        ((banner,) if banner else ()) + tuple(sections),
        {**payload, "safety": safety_payload(content, numbers)},
        shows=shows,
        notices=notices,
    )


def related(content: KnowledgeBaseFile, ids: Iterable[str]) -> list[tuple[str, str]]:
    """(title, command that opens it) for each id (the loader checks links resolve)."""
    found: dict[str, tuple[Kind, str]] = {
        item.id: (KIND_BY_SECTION[section], getattr(item, "title", item.id))
        for section, item in iter_items(content)
        if section in KIND_BY_SECTION
    }
    return [
        (found[item_id][1], open_command(found[item_id][0], item_id))
        for item_id in ids
        if item_id in found
    ]


def related_lines(content: KnowledgeBaseFile, ids: Iterable[str]) -> tuple[str, ...]:
    """ "Title: spasm remedy heat" for each id."""
    return tuple(f"{title}: {command}" for title, command in related(content, ids))


#: How the `seed` source is shown: the general-audience article spasm started from.
SEED_LABEL = N_("a general-audience article on back spasms")


def display_sources(sources: Sequence[str]) -> tuple[str, ...]:
    return tuple(_(SEED_LABEL) if source == "seed" else source for source in sources)


def care_section(
    content: KnowledgeBaseFile, numbers: Numbers, level_id: str, reasons: Sequence[str] = ()
) -> Section:
    """A care level with what to do and why: used by search, ask, check and plan."""
    level = care_level(content, level_id)
    tone: Tone = level_id if level_id in LEVEL_ORDER else "note"
    return Section(
        title=level.title if level else level_id,
        tone=tone,
        paragraphs=(numbers.fill(level.action),) if level else (),
        lists=(Bullets(_("Why"), tuple(reasons)),) if reasons else (),
    )


def ago(then: datetime.datetime, now: datetime.datetime) -> str:
    """ "just now", "10 minutes ago", "3 hours ago", "2 days ago" (system/clock.elapsed)."""
    from back_spasm_cli.system import clock

    found = clock.elapsed(then, now)
    if found is None:
        return _("just now")
    count, unit = found
    if unit == "day":
        text = ngettext("{n} day ago", "{n} days ago", count)
    elif unit == "hour":
        text = ngettext("{n} hour ago", "{n} hours ago", count)
    else:
        text = ngettext("{n} minute ago", "{n} minutes ago", count)
    return text.format(n=count)


#: The kinds of entry, as the interface names them (knowledge/kinds.py keeps the ids).
KIND_WORDS: dict[str, tuple[str, str]] = {
    "cause": (N_("cause"), N_("causes")),
    "remedy": (N_("remedy"), N_("remedies")),
    "prevention": (N_("prevention"), N_("prevention strategies")),
    "lifestyle": (N_("lifestyle"), N_("lifestyle changes")),
    "faq": (N_("faq"), N_("questions")),
    "exercise": (N_("exercise"), N_("exercises")),
    "red-flag": (N_("red flag"), N_("red flags")),
}


def kind_name(kind: Kind) -> str:
    """ "remedy" / "remedio": what one entry of this kind is called."""
    words = KIND_WORDS.get(kind.name)
    return _(words[0]) if words else kind.name


def kind_plural(kind: Kind) -> str:
    words = KIND_WORDS.get(kind.name)
    return _(words[1]) if words else kind.plural


#: Month names for "since 29 Nov" (interface words, translated).
MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def day_since(days: int, first: dt.date) -> str:
    """Days said one way everywhere: "day 3, since 29 Nov" (day 0 is the first day)."""
    date = f"{first.day} {_(MONTHS[first.month - 1])}"
    return _("day {n}, since {date}").format(n=days, date=date)


CHECK_COMMAND = "spasm check"
YOUR_WORDS = "Your words"


def check_section(content: KnowledgeBaseFile, pointer: Pointer) -> tuple[Section, dict[str, Any]]:
    """`spasm check`, when words sound like a sign but match none (or one read as someone
    else's or past), and its JSON: `{"command", "reason", "words", "red_flags"}`."""
    meta = content.meta
    text = (meta.check_pointer if meta is not None else None) or f"`{CHECK_COMMAND}`"
    section = Section(
        title="",
        tone="note",
        paragraphs=(text,),
        facts=((YOUR_WORDS, pointer.words),) if pointer.reason != "asked" else (),
    )
    payload = {
        "command": CHECK_COMMAND,
        "reason": pointer.reason,
        "words": pointer.words,
        "red_flags": list(pointer.flags),
    }
    return section, payload
