"""`spasm plan`: a phased self-care plan from the triage verdict, as data.

At urgent and emergency there is no plan at all: only the care level and its reasons
(views/triage.py shows them). At gp the plan is given under the `meanwhile` heading: book
the GP appointment and keep up gentle self-care. The words of every step come from the
`plan:` section of the knowledge base; this module picks the phase for the days since
onset, looks entries up by id and arranges them. It never prints, renders or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass

from back_spasm_cli.advice import triage
from back_spasm_cli.errors import UsageError
from back_spasm_cli.knowledge.kb import iter_items
from back_spasm_cli.knowledge.kinds import KIND_BY_SECTION, open_command
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import KnowledgeBaseFile, Level, Meanwhile, Plan, PlanPhase

#: Levels with no self-care steps beside them.
NO_SELF_CARE: tuple[Level, ...] = ("urgent", "emergency")


@dataclass(frozen=True)
class EntryRef:
    """An entry a plan points to, with the command that opens it."""

    id: str
    title: str
    summary: str
    command: str

    def to_data(self) -> dict[str, str]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "command": self.command,
        }


@dataclass(frozen=True)
class Step:
    text: str
    entry: str | None
    command: str | None


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    intro: str | None
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class CauseAdvice:
    started: str
    label: str
    text: str | None
    entries: tuple[EntryRef, ...]


@dataclass(frozen=True)
class HelpLine:
    level: str
    text: str  # with the region's numbers filled in


@dataclass(frozen=True)
class PlanData:
    """What `spasm plan` shows below the verdict. Empty at urgent and emergency."""

    level: Level
    meanwhile: Meanwhile | None  # at gp: the heading the plan is shown under
    phases: tuple[Phase, ...]
    cause: CauseAdvice | None
    prevention: tuple[EntryRef, ...]
    get_help: tuple[HelpLine, ...]

    @property
    def has_steps(self) -> bool:
        return bool(self.phases)


def require(content: KnowledgeBaseFile) -> Plan:
    triage.require(content)
    if content.plan is None:
        raise UsageError(
            "this knowledge base has no `plan:` section, so `spasm plan` has nothing to show",
            details=["add one (see docs/triage.md), or use the shipped knowledge base"],
        )
    return content.plan


def entries(content: KnowledgeBaseFile) -> dict[str, EntryRef]:
    refs: dict[str, EntryRef] = {}
    for section, item in iter_items(content):
        kind = KIND_BY_SECTION.get(section)
        if kind is None or not hasattr(item, "summary"):
            continue
        refs[item.id] = EntryRef(item.id, item.title, item.summary, open_command(kind, item.id))
    return refs


def phases_for(plan: Plan, days: int | None) -> list[PlanPhase]:
    """The phase that `days` falls in and every later one (all of them when unknown)."""
    if days is None:
        return list(plan.phases)
    start = 0
    for index, phase in enumerate(plan.phases):
        if phase.from_day <= days:
            start = index
    return list(plan.phases[start:])


def today(content: KnowledgeBaseFile, days: int | None, numbers: Numbers) -> tuple[str, ...]:
    """The lines for today (at most six) from the phase the day since onset falls in."""
    if content.plan is None:
        return ()
    phase = phases_for(content.plan, days if days is not None else 0)[0]
    return tuple(numbers.fill(line.text) for line in phase.today)


def build(
    content: KnowledgeBaseFile,
    verdict: triage.Verdict,
    answers: triage.CheckAnswers,
    numbers: Numbers,
) -> PlanData:
    """The plan for these answers: none over an urgent or emergency red flag."""
    plan = require(content)
    steps_allowed = verdict.level not in NO_SELF_CARE
    if not steps_allowed:
        return PlanData(verdict.level, None, (), None, (), ())
    refs = entries(content)
    phases = tuple(
        Phase(
            phase.id,
            phase.title,
            phase.intro,
            tuple(
                Step(
                    step.text,
                    step.entry,
                    refs[step.entry].command if step.entry and step.entry in refs else None,
                )
                for step in phase.steps
            ),
        )
        for phase in phases_for(plan, answers.days)
    )
    cause = None
    advice = next((c for c in plan.causes if c.started == answers.started), None)
    started = triage.started_label(content, answers.started)
    if advice is not None and started is not None:
        cause = CauseAdvice(
            advice.started,
            started,
            advice.text,
            tuple(refs[entry_id] for entry_id in advice.entries if entry_id in refs),
        )
    return PlanData(
        level=verdict.level,
        meanwhile=plan.meanwhile if verdict.level == "gp" else None,
        phases=phases,
        cause=cause,
        prevention=tuple(refs[entry_id] for entry_id in plan.prevention if entry_id in refs),
        get_help=tuple(HelpLine(item.level, numbers.fill(item.text)) for item in plan.get_help),
    )
