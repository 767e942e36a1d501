"""Search results and answers to questions, as documents. Never prints.

A result page is framed like every advice view: the emergency banner first, the
disclaimer last. When the words describe a red flag, the care level it needs (with the
region's number) comes before everything else. The frame is computed from the knowledge
base by `views` once per region when the search index is built and stored there, so a
warm `spasm search` needs neither the YAML nor the schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from back_spasm_cli.document import (
    Bullets,
    Document,
    Section,
    section_from_data,
    section_to_data,
)
from back_spasm_cli.errors import NotFoundError

if TYPE_CHECKING:
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.kinds import Kind
    from back_spasm_cli.regions import Numbers
    from back_spasm_cli.schema import KnowledgeBaseFile
    from back_spasm_cli.search import Hit, Index, Results

#: Labels (interface words, not advice).
WHY = "Why"  # as in views.care_section
OPEN_IT = "Open it"
RELATED = "Related"
#: `spasm ask`: an FAQ answer is preferred when it scores at least this share of the best.
FAQ_FIT = 0.6
ASK_CANDIDATES = 8
ASK_FULL = 2  # entries shown in full when the question names several ("ice or heat")
ASK_RELATED = 3
#: Levels at which no self-care entry is shown, only the care block, the red flags and FAQ
#: answers: self-care never sits beside a red flag that needs care today or now. (`spasm
#: plan` goes further and gives no plan over any red flag, a GP-level one included.)
WITHHOLD_SELF_CARE = ("emergency", "urgent")
SAFE_KINDS = ("red-flag", "faq")


def _allowed(results: Results, hits: Sequence[Hit]) -> list[Hit]:
    if results.level in WITHHOLD_SELF_CARE:
        return [hit for hit in hits if hit.kind in SAFE_KINDS]
    return list(hits)


# --------------------------------------------------------------------------- the frame


class Frame(NamedTuple):
    """What surrounds results for one region: banner, care levels, footer."""

    numbers: dict[str, Any]
    banner: Section | None
    safety: dict[str, Any]
    care: dict[str, Section]  # level id -> care section, reasons not yet added
    actions: dict[str, str]  # level id -> what to do, numbers filled in
    footer: tuple[str, ...]
    medication_notice: str | None

    def to_json(self) -> dict[str, Any]:
        data = self._asdict()
        data["banner"] = section_to_data(self.banner) if self.banner else None
        data["care"] = {level: section_to_data(section) for level, section in self.care.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Frame:
        banner = data.get("banner")
        return cls(
            numbers=dict(data.get("numbers") or {}),
            banner=section_from_data(banner) if banner else None,
            safety=dict(data.get("safety") or {}),
            care={level: section_from_data(s) for level, s in (data.get("care") or {}).items()},
            actions=dict(data.get("actions") or {}),
            footer=tuple(data.get("footer") or ()),
            medication_notice=data.get("medication_notice"),
        )


def make_frame(content: KnowledgeBaseFile, numbers: Numbers) -> Frame:
    from back_spasm_cli.views import frame

    return Frame(
        numbers=numbers.as_json(),
        banner=frame.safety_section(content, numbers),
        safety=frame.safety_payload(content, numbers),
        care={c.id: frame.care_section(content, numbers, c.id) for c in content.care_levels},
        actions={c.id: numbers.fill(c.action) for c in content.care_levels},
        footer=frame.footer(content),
        medication_notice=content.meta.medication_notice if content.meta else None,
    )


def frames_json(content: KnowledgeBaseFile) -> dict[str, Any]:
    """The frame for every region, and for no known region (key ""), for the index."""
    from back_spasm_cli import regions

    return {
        region.id if region else "": make_frame(content, regions.numbers(content, region)).to_json()
        for region in (None, *content.regions)
    }


def frame_for(index: Index, region: str | None, kb_path: str | None) -> Frame:
    """The stored frame for `--region` or the locale's country, as `regions.resolve` picks."""
    from back_spasm_cli import regions

    known = index.regions()
    chosen: str | None = None
    if region:
        wanted = region.strip().lower()
        if not any(rid == wanted for rid, _ in known):
            from back_spasm_cli import kb

            regions.resolve(kb.load(kb_path).content, region)  # says what is known, exit 2
        chosen = wanted
    else:
        country = regions.country_from_locale()
        if country:
            chosen = next((rid for rid, countries in known if country in countries), None)
    return Frame.from_json(index.frame(chosen))


def _framed(
    frame: Frame,
    results: Results,
    sections: list[Section],
    payload: dict[str, Any],
    *,
    extra_footer: tuple[str, ...] = (),
    notices: tuple[str, ...] = (),
) -> Document:
    """Care level (if any) first, then the banner, the sections, the disclaimer."""
    lead: list[Section] = []
    care: dict[str, Any] = {}
    if results.level is not None:
        flags = [f for f in results.flags if f.level == results.level]
        base = frame.care.get(results.level) or Section(title=results.level, tone="note")
        reasons = Bullets(WHY, tuple(f.title for f in flags))
        lead.append(base._replace(lists=(*base.lists, reasons)))
        care = {
            "care": {
                "level": results.level,
                "red_flags": [f.id for f in flags],
                "action": frame.actions.get(results.level),
                "numbers": frame.numbers,
            }
        }
    if frame.banner is not None and results.level != "emergency":
        lead.append(frame.banner)  # an emergency care block already says all of it
    footer = (*extra_footer, *frame.footer)
    full = {
        **care,
        **payload,
        "safety": frame.safety,
        "disclaimer": footer[-2] if len(footer) >= 2 else None,
        "doctor": footer[-1] if footer else None,
    }
    return Document(sections=(*lead, *sections), footer=footer, payload=full, notices=notices)


# --------------------------------------------------------------------------- search


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "kind": hit.kind,
        "id": hit.id,
        "title": hit.title,
        "score": round(hit.score, 3),
        "snippet": hit.snippet,
        "command": hit.command,
    }


def hit_section(hit: Hit) -> Section:
    return Section(
        title=hit.title,
        subtitle=f"{hit.kind}: {hit.id}",
        paragraphs=(hit.snippet,),
        facts=((OPEN_IT, hit.command),),
    )


def not_found(index: Index, text: str, kind: str | None) -> NotFoundError:
    from back_spasm_cli.search import shorten

    what = f"no {kind} entry" if kind else "nothing"
    hints = index.suggestions(text)
    details = [f"did you mean: {', '.join(hints)}?"] if hints else []
    if kind:
        details.append("try without --kind")
    return NotFoundError(f"{what} matches {shorten(text)!r}", details=details)


def search_results(
    index: Index,
    text: str,
    *,
    limit: int = 5,
    kind: str | None = None,
    region: str | None = None,
    kb_path: str | None = None,
) -> Document:
    """`spasm search`: ranked hits with marked snippets; a red flag's care level first."""
    results = index.search(text, limit=limit, kind=kind)
    if not results.hits and results.level is None:
        raise not_found(index, text, kind)
    frame = frame_for(index, region, kb_path)
    hits = _allowed(results, results.hits)
    notices = () if results.hits else (str(not_found(index, text, kind)),)
    payload = {"query": text, "results": [hit_json(hit) for hit in hits]}
    return _framed(frame, results, [hit_section(hit) for hit in hits], payload, notices=notices)


# --------------------------------------------------------------------------- ask


def _choose(results: Results) -> tuple[list[Hit], list[Hit]]:
    """(entries to show in full, the other advice hits), from the ranked hits."""
    advice = [hit for hit in _allowed(results, results.hits) if hit.kind != "red-flag"]
    if not advice:
        return [], []
    named = [hit for hit in advice[:5] if hit.named]
    if len(named) >= 2:
        full = named[:ASK_FULL]  # "ice or heat": the question names both
    else:
        best = advice[0]
        faq = next((h for h in advice if h.kind == "faq"), None)
        # With a red flag in the words, a question that matched them comes first (such as
        # when to get help); otherwise only when it fits nearly as well as the best entry.
        if faq is not None and (
            results.level is not None or faq.named or faq.score >= FAQ_FIT * best.score
        ):
            best = faq
        full = [best]
    return full, [hit for hit in advice if hit not in full]


def ask_answer(index: Index, knowledge: KnowledgeBase, numbers: Numbers, question: str) -> Document:
    """`spasm ask`: the best entry in full (an FAQ answer where one fits), then related ones."""
    from back_spasm_cli.kb import iter_items
    from back_spasm_cli.kinds import KIND_BY_SECTION
    from back_spasm_cli.schema import Exercise, RedFlag
    from back_spasm_cli.search import command_for
    from back_spasm_cli.views import lookups

    content = knowledge.content
    results = index.search(question, limit=ASK_CANDIDATES)
    full, others = _choose(results)
    if not full and results.level is None:
        raise not_found(index, question, None)

    items: dict[str, tuple[Kind, Any]] = {
        item.id: (KIND_BY_SECTION[section], item)
        for section, item in iter_items(content)
        if section in KIND_BY_SECTION
    }
    sections: list[Section] = []
    for flag in results.flags:
        if flag.level == results.level and isinstance(items[flag.id][1], RedFlag):
            sections.append(_flag_section(items[flag.id][1]))
    answer: list[dict[str, Any]] = []
    for hit in full:
        kind, item = items[hit.id]
        sections.append(
            lookups.exercise_section(item)
            if isinstance(item, Exercise)
            else lookups.entry_section(content, kind, item)
        )
        answer.append({"kind": kind.name, **item.to_data()})

    shown = {hit.id for hit in full}
    ranked = {hit.id: hit for hit in others}
    related_ids = [r for h in full for r in items[h.id][1].related if r not in shown]
    # The entries' own links first (those the words also found, then the rest), then hits.
    order = [r for r in ranked if r in related_ids] + related_ids + list(ranked)
    related: list[dict[str, Any]] = []
    for item_id in dict.fromkeys(order):
        if len(related) == ASK_RELATED:
            break
        if item_id in shown or item_id not in items or items[item_id][0].name == "red-flag":
            continue
        if results.level in WITHHOLD_SELF_CARE and items[item_id][0].name not in SAFE_KINDS:
            continue
        kind, item = items[item_id]
        related.append(
            {
                "kind": kind.name,
                "id": item_id,
                "title": item.title,
                "summary": item.summary,
                "command": command_for(kind.name, item_id),
            }
        )
    if related:
        lines = tuple(f"{r['title']}: {r['summary']} ({r['command']})" for r in related)
        sections.append(Section(title=RELATED, tone="note", lists=(Bullets("", lines),)))

    frame = make_frame(content, numbers)
    remedy = any(items[hit.id][0].name == "remedy" for hit in full)
    extra = (frame.medication_notice,) if remedy and frame.medication_notice else ()
    payload = {"question": question, "answer": answer, "related": related}
    return _framed(frame, results, sections, payload, extra_footer=extra)


def _flag_section(flag: Any) -> Section:
    """A red flag explained: what it is and why it matters (words from the base)."""
    from back_spasm_cli.views.frame import display_sources

    lists = [
        Bullets("Evidence", tuple(flag.evidence)),
        Bullets("Sources", display_sources(flag.sources)),
    ]
    return Section(
        title=flag.title,
        subtitle=f"red flag: {flag.id}",
        tone=flag.level,
        paragraphs=(flag.explain,),
        lists=tuple(b for b in lists if b.items),
    )
