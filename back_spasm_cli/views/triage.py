"""`spasm check` and `spasm plan` as documents: the verdict, today's lines, the plan.

Turns the data of triage.py (Verdict, CheckAnswers) and plan.py (PlanData) into
document.Document through views/frame.py, so the safety strip, the disclaimer and the
doctor pointer are never left out. No self-care step is ever shown beside an urgent or
emergency level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from back_spasm_cli.advice import plan as planner
from back_spasm_cli.advice import triage
from back_spasm_cli.knowledge.kb import KnowledgeBase
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import KnowledgeBaseFile
from back_spasm_cli.system import clock
from back_spasm_cli.system.i18n import N_, _
from back_spasm_cli.views import frame
from back_spasm_cli.views.document import Bullets, Document, Section
from back_spasm_cli.views.lookups import MORE_HINT

#: Labels (interface words, not advice).
NEXT = N_("Next")
PLAN_COMMAND = "spasm plan"
CHECKED = N_("Checked")
TODAY = N_("Today")


def reason_text(reason: triage.Reason) -> str:
    """One line of "Why": the sign, and the answers behind it."""
    if reason.rule is None and reason.unsure:
        return _("You were not sure about: {title}").format(title=reason.title)
    notes = []
    if reason.because:
        notes.append(_("you said: {answers}").format(answers=", ".join(reason.because)))
    if reason.unsure:
        notes.append(_("you were not sure about: {signs}").format(signs=", ".join(reason.unsure)))
    return f"{reason.title} ({'; '.join(notes)})" if notes else reason.title


def answers_data(content: KnowledgeBaseFile, answers: triage.CheckAnswers) -> dict[str, Any]:
    return {
        **answers.to_data(),
        "started_label": triage.started_label(content, answers.started),
        "age_band_label": triage.age_band_label(content, answers.age_band),
        "not_asked": triage.not_asked(content, answers),
    }


def verdict_data(
    content: KnowledgeBaseFile,
    numbers: Numbers,
    verdict: triage.Verdict,
    answers: triage.CheckAnswers,
) -> dict[str, Any]:
    """The part of the JSON that `check` and `plan` share."""
    level = frame.care_level(content, verdict.level)
    return {
        "level": verdict.level,
        "title": level.title if level else verdict.level,
        "reasons": [
            {**reason.to_data(), "text": reason_text(reason)} for reason in verdict.reasons
        ],
        "unsure": list(verdict.unsure),
        "call": verdict.call,
        "action": numbers.fill(level.action) if level else None,
        "numbers": numbers.as_json(),
        "answers": answers_data(content, answers),
    }


def verdict_sections(
    content: KnowledgeBaseFile,
    numbers: Numbers,
    verdict: triage.Verdict,
    facts: Sequence[tuple[str, str]] = (),
) -> list[Section]:
    """The care level with its reasons, and the emergency strip: before the verdict where
    self-care advice follows (self-care, gp), after it at urgent, not at all at emergency
    (whose own section names the number)."""
    section = frame.care_section(
        content, numbers, verdict.level, [reason_text(r) for r in verdict.reasons]
    )
    if facts:
        section = section._replace(facts=(*section.facts, *facts))
    banner = frame.safety_section(content, numbers) if verdict.level != "emergency" else None
    if banner is None:
        return [section]
    return [banner, section] if verdict.level in ("self-care", "gp") else [section, banner]


def _today_title(content: KnowledgeBaseFile, verdict: triage.Verdict) -> str:
    if verdict.level == "gp" and content.plan is not None:
        return content.plan.meanwhile.title
    return _(TODAY)


def check(
    kb: KnowledgeBase,
    numbers: Numbers,
    verdict: triage.Verdict,
    answers: triage.CheckAnswers,
    *,
    checked: str = "",
) -> Document:
    """`spasm check`: the care level and why; at self-care and gp, up to six lines for
    today and the pointer to `spasm plan`; never self-care beside urgent or emergency."""
    content = kb.content
    facts: list[tuple[str, str]] = [(_(CHECKED), checked)] if checked else []
    steps_allowed = verdict.level not in planner.NO_SELF_CARE
    lines = planner.today(content, answers.days, numbers) if steps_allowed else ()
    next_step = PLAN_COMMAND if steps_allowed else ""
    if next_step and not lines:
        facts.append((_(NEXT), next_step))
    sections = verdict_sections(content, numbers, verdict, facts)
    if lines:
        day = (
            frame.day_since(answers.days, clock.today() - dt.timedelta(days=answers.days))
            if answers.days is not None
            else ""
        )
        sections.append(
            Section(
                title=_today_title(content, verdict),
                subtitle=day,
                tone="self-care",
                # The lines for today, then the pointer to the whole plan, last.
                lists=(Bullets("", lines), Bullets(_(NEXT), (next_step,))),
            )
        )
    payload = verdict_data(content, numbers, verdict, answers)
    payload.update(today=list(lines), next=next_step or None)
    if checked:
        payload["checked"] = checked
    return frame.finish(content, sections, payload)  # today's lines name no medicine


def plan(
    kb: KnowledgeBase,
    numbers: Numbers,
    verdict: triage.Verdict,
    answers: triage.CheckAnswers,
    data: planner.PlanData,
    *,
    full: bool = True,
) -> Document:
    """`spasm plan`: at urgent and emergency only the care level and its reasons; at gp
    the verdict, then the plan under the `meanwhile` heading; at self-care the plan.
    Not `full` (a terminal's first screen): the phase for today in full, the later ones,
    the cause and the habits as the commands that open them; JSON carries all of it."""
    content = kb.content
    payload: dict[str, Any] = verdict_data(content, numbers, verdict, answers)
    payload.update(meanwhile=None, phases=[], cause=None, prevention=[], get_help=[])
    if not data.has_steps:
        return frame.finish(content, verdict_sections(content, numbers, verdict), payload)

    sections: list[Section] = []
    if verdict.level == "self-care":
        banner = frame.safety_section(content, numbers)
        if banner is not None:
            sections.append(banner)
    else:
        sections.extend(verdict_sections(content, numbers, verdict))
    if data.meanwhile is not None:
        payload["meanwhile"] = {"title": data.meanwhile.title, "text": data.meanwhile.text}
        sections.append(
            Section(title=data.meanwhile.title, tone="gp", paragraphs=(data.meanwhile.text,))
        )
    shown = data.phases if full else data.phases[:1]
    for phase in data.phases:
        payload["phases"].append(
            {
                "id": phase.id,
                "title": phase.title,
                "intro": phase.intro,
                "steps": [
                    {"text": step.text, "entry": step.entry, "command": step.command}
                    for step in phase.steps
                ],
            }
        )
        if phase not in shown:
            continue
        items = tuple(
            f"{step.text} See: {step.command}" if step.command and full else step.text
            for step in phase.steps
        )
        sections.append(
            Section(
                title=phase.title,
                subtitle=f"plan: {phase.id}" + ("" if full else f" · {_(MORE_HINT)}"),
                tone="self-care",
                paragraphs=(phase.intro,) if phase.intro and full else (),
                lists=(Bullets("", items, ordered=True),),
            )
        )
    if data.cause is not None:
        cause = data.cause
        payload["cause"] = {
            "started": cause.started,
            "label": cause.label,
            "text": cause.text,
            "entries": [ref.to_data() for ref in cause.entries],
        }
        if full:
            read = tuple(f"{r.title}: {r.summary} See: {r.command}" for r in cause.entries)
            sections.append(
                Section(
                    title=cause.label,
                    subtitle=f"started: {cause.started}",
                    tone="info",
                    paragraphs=(cause.text,) if cause.text else (),
                    lists=(Bullets(_("Read more"), read),) if read else (),
                )
            )
    payload["prevention"] = [ref.to_data() for ref in data.prevention]
    if data.prevention and full:
        habits = tuple(f"{r.title}: {r.summary} See: {r.command}" for r in data.prevention)
        sections.append(
            Section(title=_("Habits to adopt"), tone="info", lists=(Bullets("", habits),))
        )
    # compact: later phases, cause and habits are depth behind --full (the page fits 30 rows)
    payload["get_help"] = [{"level": line.level, "text": line.text} for line in data.get_help]
    sections.append(
        Section(
            title=_("When to get help"),
            tone="gp",
            lists=(Bullets("", tuple(line.text for line in data.get_help)),),
        )
    )
    steps = [step.entry for phase in data.phases for step in phase.steps]
    return frame.finish(content, sections, payload, shows=frame.shown_ids(content, steps))


def answer_lines(content: KnowledgeBaseFile, answers: triage.CheckAnswers) -> list[str]:
    """Each question with its answer, in the order asked (for the handout)."""
    section = triage.require(content)
    lines: list[str] = []
    region = next((r for r in content.regions if r.id == answers.region), None)
    if region is not None:
        lines.append(f"{section.region.question} — {region.name}")
    for question, label in (
        (section.started.question, triage.started_label(content, answers.started)),
        (section.age_band.question, triage.age_band_label(content, answers.age_band)),
    ):
        if label is not None:
            lines.append(f"{question} — {label}")
    if answers.days is not None:
        lines.append(f"{section.days.question} — {answers.days}")
    if answers.severity is not None:
        lines.append(f"{section.severity.question} — {answers.severity}/{triage.MAX_SEVERITY}")
    said = {"yes": _("Yes"), "unsure": _("Not sure"), "no": _("No")}
    defaulted = 0
    for flag in triage.ordered_flags(content):
        value = answers.signs.get(flag.id)
        if value is None:
            continue
        if value == "no" and answers.no_others:
            defaulted += 1  # not asked one by one: said once below
            continue
        lines.append(f"{flag.sign or flag.title} — {said[value]}")
    if defaulted:
        lines.append(_("{n} other warning signs — No (given as --no-others)").format(n=defaulted))
    return lines


def handout(
    kb: KnowledgeBase, document: Document, answers: triage.CheckAnswers, today: str
) -> Document:
    """The plan with a header: the date and every answer given (for a clinician)."""
    content = kb.content
    title = content.meta.title if content.meta else "spasm"
    header = Section(
        title=_("Back spasm: answers and plan"),
        tone="note",
        facts=((_("Date"), today), (_("From"), title)),
    )
    answered = Section(
        title=_("Answers given"),
        tone="note",
        lists=(Bullets("", tuple(answer_lines(content, answers))),),
    )
    return Document(
        # The verdict (care level, or the plan) before the answers that led to it.
        sections=(header, *document.sections, answered),
        footer=document.footer,
        payload=document.payload,
    )
