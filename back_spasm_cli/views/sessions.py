"""The views of guided sessions: the timer's safety checks, the routine list, and the
care message shown instead of a session. Texts come from the knowledge base."""

from __future__ import annotations

from typing import Any

from back_spasm_cli.advice.sessions import (
    CheckSummary,
    RoutineItem,
    RoutinePlan,
    TimerPlan,
    clock_text,
)
from back_spasm_cli.knowledge.kb import KnowledgeBase
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.system.i18n import _, ngettext
from back_spasm_cli.views.document import Bullets, Document, Section
from back_spasm_cli.views.frame import advice, care_section, finish
from back_spasm_cli.views.layers import from_json, from_line


def minutes_text(seconds: int) -> str:
    """ "15 minutes", "1 minute", "0:30" for less than a minute."""
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    return clock_text(seconds)


def timer_document(kb: KnowledgeBase, numbers: Numbers, plan: TimerPlan) -> Document:
    """What is shown before a timer starts: its length and the safety checks."""
    timer = plan.timer
    sections = []
    if plan.early and timer.early_warning:
        sections.append(Section(title=_("Not yet"), tone="gp", paragraphs=(timer.early_warning,)))
    sections.append(
        Section(
            title=f"{timer.title}: {minutes_text(plan.seconds)}",
            subtitle=_("timer: {id}").format(id=timer.id),
            facts=(
                (
                    _("At most"),
                    ngettext(
                        "{n} minute at a time", "{n} minutes at a time", timer.max_minutes
                    ).format(n=timer.max_minutes),
                ),
                (_("How often"), timer.again),
                (_("About it"), f"spasm remedy {timer.remedy}"),
            ),
            lists=(Bullets(_("Before you start"), tuple(timer.checks)),),
        )
    )
    if not plan.early and plan.days is None and timer.early_warning:
        sections.append(
            Section(title=_("After a strain"), tone="note", paragraphs=(timer.early_warning,))
        )
    payload = {
        **plan.as_json(),
        "checks": list(timer.checks),
        "skin_check": timer.skin_check,
        "end": timer.end,
        "again": timer.again,
        "early_warning": timer.early_warning if plan.early else None,
    }
    return advice(kb, numbers, sections, payload)


def item_line(item: RoutineItem) -> str:
    """ "Knee rolls: 5 times, hold 2 s each side" and the like."""
    exercise = item.exercise
    if item.block_seconds is not None:
        return f"{exercise.title}: {minutes_text(item.block_seconds)}"
    if item.hold_seconds is not None:
        hold = f"hold {item.hold_seconds} s"
    elif exercise.hold:
        hold = f"hold: {exercise.hold.lower()}"
    else:
        hold = "at your own pace"
    sides = " each side" if item.sides == 2 else ""
    return f"{exercise.title}: {item.reps} times, {hold}{sides}"


def routine_document(kb: KnowledgeBase, numbers: Numbers, plan: RoutinePlan) -> Document:
    """`spasm routine --list`: the exercises in order, with the total time."""
    settings = plan.settings
    total = f"about {clock_text(plan.total_seconds)}"
    if plan.self_paced_holds:
        total += " (holds at your own pace counted as about"
        total += f" {settings.self_paced_estimate} s each)"
    sections = [
        Section(
            title=f"Routine for day {plan.days}",
            subtitle=f"{len(plan.items)} exercises",
            paragraphs=(settings.stop_rule,),
            facts=(
                ("Total", total),
                (
                    "Rests",
                    f"{settings.rest_between_reps} s between repetitions,"
                    f" {settings.rest_between_exercises} s to get ready for each exercise",
                ),
                ("Start it", f"spasm routine --days {plan.days}"),
            ),
            lists=(
                Bullets(
                    "",
                    tuple(
                        item_line(item)
                        + (f" · {origin}" if (origin := from_line(kb, item.exercise.id)) else "")
                        for item in plan.items
                    ),
                    ordered=True,
                ),
            ),
        )
    ]
    later = tuple(f"{ex.title}: {ex.when or f'from day {ex.from_day}'}" for ex in plan.not_yet)
    if later:
        sections.append(Section(title="Later", tone="note", lists=(Bullets("", later),)))
    if plan.untimed:
        sections.append(
            Section(
                title="Not timed here",
                tone="note",
                paragraphs=(settings.no_timing,) if settings.no_timing else (),
                lists=(Bullets("", tuple(ex.title for ex in plan.untimed)),),
            )
        )
    payload: dict[str, Any] = {
        "days": plan.days,
        "total_seconds": plan.total_seconds,
        "rest_between_reps": settings.rest_between_reps,
        "rest_between_exercises": settings.rest_between_exercises,
        "exercises": [{**item.as_json(), **from_json(kb, item.exercise.id)} for item in plan.items],
        "later": [{"id": ex.id, "from_day": ex.from_day, "when": ex.when} for ex in plan.not_yet],
        "untimed": [ex.id for ex in plan.untimed],
        "stop_rule": settings.stop_rule,
    }
    return advice(kb, numbers, sections, payload)


def refusal_document(kb: KnowledgeBase, numbers: Numbers, saved: CheckSummary) -> Document:
    """Instead of a session, when the saved answers need urgent or emergency care."""
    when = saved.at.astimezone().strftime("%Y-%m-%d %H:%M")
    section = care_section(
        kb.content,
        numbers,
        saved.level,
        (f"your answers to `spasm check` on {when}",),
    )
    payload = {
        "refused": True,
        "level": saved.level,
        "checked_at": saved.at.isoformat(),
        "numbers": numbers.as_json(),
    }
    return finish(kb.content, [section], payload)


def exercise_intro(item: RoutineItem, index: int, count: int, origin: str | None = None) -> Section:
    """An exercise as the routine reaches it: how to start, the steps, the cautions."""
    exercise = item.exercise
    if item.block_seconds is not None:
        plan = minutes_text(item.block_seconds)
    else:
        plan = item_line(item).split(": ", 1)[1]
    facts = [("Start", exercise.position), ("Now", plan)]
    lists = [Bullets("Steps", tuple(exercise.steps), ordered=True)]
    if exercise.cautions:
        lists.append(Bullets("Cautions", tuple(exercise.cautions)))
    return Section(
        title=exercise.title,
        subtitle=f"{index} of {count}" + (f" · {origin}" if origin else ""),
        facts=tuple(facts),
        lists=tuple(lists),
    )
