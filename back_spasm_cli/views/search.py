"""Search results and answers to questions, as documents. Never prints.

Framed like every advice view (views/frame.py): when the words describe a red flag, its
care level comes first, with the region's number and why (the user's own words and the
flag they point to); then the emergency strip (unless the care block is already an
emergency), the results, and the footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from back_spasm_cli.advice.recognise import FlagMatch, Pointer, strictest
from back_spasm_cli.advice.search import Answer, Hit, Results, guard
from back_spasm_cli.knowledge.kb import KnowledgeBase, iter_items
from back_spasm_cli.knowledge.kinds import KIND_BY_SECTION, Kind, open_command
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import Exercise, KnowledgeBaseFile, RedFlag
from back_spasm_cli.system.i18n import N_, _
from back_spasm_cli.views import frame
from back_spasm_cli.views.document import Bullets, Document, Section
from back_spasm_cli.views.layers import from_json, from_line

#: Labels (interface words, not advice).
OPEN_IT = N_("Open it")
RELATED = N_("Related")
DAYS = N_("Days since it started")
DAYS_UNKNOWN = N_("not given (add --days N)")


def why_line(match: FlagMatch) -> str:
    """`"peed myself" → Loss of bladder or bowel control`."""
    return f'"{match.phrase}" \u2192 {match.title}'


def _care(
    kb: KnowledgeBase, numbers: Numbers, flags: Sequence[FlagMatch]
) -> tuple[list[Section], dict[str, Any]]:
    """The care block (level, what to do, why) and its JSON, for the strictest flags."""
    level = strictest(flags)
    if level is None:
        return [], {}
    top = [f for f in flags if f.level == level]
    section = frame.care_section(kb.content, numbers, level, [why_line(f) for f in top])
    action = frame.care_level(kb.content, level)
    payload = {
        "care": {
            "level": level,
            "red_flags": [f.id for f in top],
            "why": [{"id": f.id, "title": f.title, "words": f.phrase} for f in top],
            "action": numbers.fill(action.action) if action else None,
            "numbers": numbers.as_json(),
        }
    }
    return [section], payload


def _framed(
    kb: KnowledgeBase,
    numbers: Numbers,
    flags: Sequence[FlagMatch],
    sections: Sequence[Section],
    payload: dict[str, Any],
    *,
    shows: Sequence[str] = (),
    notices: Sequence[str] = (),
    check: Pointer | None = None,
) -> Document:
    """Care level (if any) first, then the emergency strip, `spasm check` when the words
    call for it, the sections, the footer."""
    lead, care = _care(kb, numbers, flags)
    if check is not None:
        section, pointer = frame.check_section(kb.content, check)
        if check.reason != "asked":  # a frightened question: its answer says it already
            sections = [section, *sections]
        care = {**care, "check": pointer}
    if strictest(flags) != "emergency":
        banner = frame.safety_section(kb.content, numbers)
        if banner is not None:
            lead.append(banner)  # an emergency care block already says all of it
    full = {**care, **payload, "safety": frame.safety_payload(kb.content, numbers)}
    return frame.finish(kb.content, [*lead, *sections], full, shows=shows, notices=notices)


# --------------------------------------------------------------------------- search


def hit_json(hit: Hit, kb: KnowledgeBase | None = None) -> dict[str, Any]:
    return {
        "kind": hit.kind,
        "id": hit.id,
        "title": hit.title,
        "score": round(hit.score, 3),
        "snippet": hit.snippet,
        "command": hit.command,
        **(from_json(kb, hit.id) if kb is not None else {}),
    }


def hit_section(hit: Hit, kb: KnowledgeBase | None = None) -> Section:
    origin = from_line(kb, hit.id) if kb is not None else None
    return Section(
        title=hit.title,
        subtitle=f"{hit.kind}: {hit.id}" + (f" · {origin}" if origin else ""),
        paragraphs=(hit.snippet,),
        facts=((_(OPEN_IT), hit.command),),
    )


def search_results(
    kb: KnowledgeBase,
    numbers: Numbers,
    results: Results,
    flags: Sequence[FlagMatch],
    *,
    notices: Sequence[str] = (),
    check: Pointer | None = None,
) -> Document:
    """`spasm search`: a red flag's care level first, then ranked hits with marked
    snippets (only red flags beside an urgent or emergency flag: advice/search.guard)."""
    hits = list(guard(results, strictest(flags)).hits)
    payload = {"query": results.query, "results": [hit_json(hit, kb) for hit in hits]}
    return _framed(
        kb,
        numbers,
        flags,
        [hit_section(hit, kb) for hit in hits],
        payload,
        shows=frame.shown_ids(kb.content, (hit.id for hit in hits)),
        notices=notices,
        check=check,
    )


def nothing_found(kb: KnowledgeBase, numbers: Numbers, query: str) -> Document:
    """What a search that found nothing still shows: the safety strip and the footer."""
    return _framed(kb, numbers, (), (), {"query": query, "results": []})


# --------------------------------------------------------------------------- ask


def ask_answer(
    kb: KnowledgeBase,
    numbers: Numbers,
    found: Answer,
    *,
    full: bool = False,
    notices: Sequence[str] = (),
) -> Document:
    """`spasm ask`: the care block and what the red flag means, then the one sentence that
    answers the question (a plain line, never a title), then the entry that answers it;
    related ones as summaries. With `full`, every answering entry in full (a comparison in
    the order for the day since onset)."""
    from back_spasm_cli.views import lookups

    content = kb.content
    items: dict[str, tuple[Kind, Any]] = {
        item.id: (KIND_BY_SECTION[section], item)
        for section, item in iter_items(content)
        if section in KIND_BY_SECTION
    }
    sections: list[Section] = []
    for flag in found.flags:
        item = items.get(flag.id, (None, None))[1]
        if flag.level == found.level and isinstance(item, RedFlag):
            sections.append(_flag_section(item, full=full))
    lead = answer_line(content, found)
    if lead is not None:
        sections.append(lead)
    shown = list(found.full) if full else list(found.full[:1])
    answer: list[dict[str, Any]] = []
    for item_id in found.full:
        kind, item = items[item_id]
        answer.append({"kind": kind.name, **item.to_data(), **from_json(kb, item_id)})
        if item_id not in shown:
            continue
        origin = from_line(kb, item_id)
        sections.append(
            lookups.exercise_section(item, full=full, origin=origin)
            if isinstance(item, Exercise)
            else lookups.entry_section(
                content, kind, item, full=full, brief=not full, origin=origin
            )
        )
    related: list[dict[str, Any]] = []
    for item_id in [*found.full[len(shown) :], *found.related]:
        kind, item = items[item_id]
        related.append(
            {
                "kind": kind.name,
                "id": item_id,
                "title": item.title,
                "summary": item.summary,
                "command": open_command(kind, item_id),
            }
        )
    if related:
        if full:
            lines = tuple(f"{r['title']}: {r['summary']} ({r['command']})" for r in related)
        else:  # the commands alone, on a line or two
            lines = (" · ".join(r["command"] for r in related),)
        sections.append(Section(title=_(RELATED), tone="note", lists=(Bullets("", lines),)))
    payload = {
        "question": found.question,
        "intent": found.intent,
        "days_since_onset": found.days_since_onset,
        "answer_line": lead.paragraphs[0] if lead is not None else None,
        "answer": answer,
        "related": [r for r in related if r["id"] not in found.full],
    }
    return _framed(
        kb,
        numbers,
        found.flags,
        sections,
        payload,
        shows=frame.shown_kinds(items[i][1] for i in shown),
        notices=notices,
        check=found.check,
    )


def answer_line(content: KnowledgeBaseFile, found: Answer) -> Section | None:
    """The one sentence that answers the question, as plain lines (not a panel title):
    the order for the day since onset where the intent has one, else the first entry's
    `answer`, else its summary."""
    paragraphs: tuple[str, ...] = ()
    if found.day is not None and found.full:
        days = _(DAYS_UNKNOWN) if found.days_since_onset is None else str(found.days_since_onset)
        paragraphs = (found.day.text, f"{_(DAYS)}: {days}")
    elif found.full:
        item = next(i for _, i in iter_items(content) if i.id == found.full[0])
        text = getattr(item, "answer", None) or item.summary
        paragraphs = (text,)
    if not paragraphs:
        return None
    return Section(title="", tone="info", paragraphs=paragraphs, strip=True)


def _flag_section(flag: RedFlag, *, full: bool = False) -> Section:
    """A red flag explained: what it is and why it matters (words from the base); its
    evidence and sources with `full`."""
    lists = (
        [
            Bullets("Evidence", tuple(flag.evidence)),
            Bullets("Sources", frame.display_sources(flag.sources)),
        ]
        if full
        else []
    )
    return Section(
        title=flag.title,
        subtitle=f"red flag: {flag.id}",
        tone=flag.level,
        paragraphs=(flag.explain,),
        lists=tuple(b for b in lists if b.items),
    )
