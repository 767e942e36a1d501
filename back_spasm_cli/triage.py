"""The triage engine behind `spasm check`: questions, answers and the care level.

Pure functions over the knowledge base: nothing here prints or prompts. Red-flag
questions come first, most urgent first; asking stops at the first emergency answer.
The context answers (how it started, days, severity, daily activities) can raise a red
flag through the rules in `triage:`. The care level is the strictest level among the red
flags present, so an answer can only ever raise it, never lower it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from back_spasm_cli.document import Document, Section
from back_spasm_cli.errors import UsageError
from back_spasm_cli.kb import KnowledgeBase
from back_spasm_cli.regions import Numbers
from back_spasm_cli.schema import (
    LEVEL_ORDER,
    KnowledgeBaseFile,
    Level,
    RedFlag,
    Triage,
    TriageRule,
)

SELF_CARE: Level = "self-care"
#: The options that answer each context question in scripts (for "missing" messages).
CONTEXT_OPTIONS: dict[str, str] = {
    "started": "--started ID",
    "days": "--days N",
    "severity": "--severity N",
    "daily_activities": "--daily-activities or --no-daily-activities",
}
MAX_SEVERITY = 10


_RANK: dict[str, int] = {level: index for index, level in enumerate(LEVEL_ORDER)}


def rank(level: str) -> int:
    """Position of a care level from self-care (0) up to emergency (3)."""
    return _RANK[level]


@dataclass
class Answers:
    """What a person said. Red flags not in `flags` are unanswered, unless `no_others`."""

    flags: dict[str, bool] = field(default_factory=dict)
    started: str | None = None
    days: int | None = None
    severity: int | None = None
    daily_activities: bool | None = None
    no_others: bool = False  # every red-flag question not in `flags` is answered "no"


@dataclass(frozen=True)
class Reason:
    """A red flag present in the answers, and how the answers led to it."""

    flag: RedFlag
    rule: TriageRule | None = None  # None: answered "yes" to the flag itself
    because: str = ""  # the answers behind a rule, e.g. "started 20 days ago"

    @property
    def text(self) -> str:
        return f"{self.flag.title} ({self.because})" if self.because else self.flag.title

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.flag.id,
            "title": self.flag.title,
            "level": self.flag.level,
            "rule": self.rule.id if self.rule else None,
        }


@dataclass(frozen=True)
class Outcome:
    level: Level
    reasons: tuple[Reason, ...]

    @property
    def red_flag(self) -> bool:
        return self.level != SELF_CARE


@dataclass(frozen=True)
class Missing:
    """A red flag with no answer, and what would answer it in a script."""

    flag: RedFlag
    options: tuple[str, ...]  # e.g. ("--has persistent",) or ("--days N",)

    def __str__(self) -> str:
        return f"{self.flag.id}: {self.flag.question} ({' / '.join(self.options)})"


# --------------------------------------------------------------------------- questions


def require(content: KnowledgeBaseFile) -> Triage:
    """The `triage:` section, or a usage error naming what is missing."""
    if content.triage is None:
        raise UsageError(
            "this knowledge base has no `triage:` section, so `spasm check` and `spasm plan`"
            " cannot ask their questions",
            details=["add one (see docs/triage.md), or use the shipped knowledge base"],
        )
    return content.triage


def ordered_flags(content: KnowledgeBaseFile) -> list[RedFlag]:
    """Every red flag, most urgent level first, in file order within a level."""
    return sorted(content.red_flags, key=lambda flag: -rank(flag.level))


def replaced(triage: Triage) -> dict[str, list[TriageRule]]:
    """Red flags that the context questions answer instead of their own question."""
    out: dict[str, list[TriageRule]] = {}
    for rule in triage.rules:
        if rule.replaces_question:
            out.setdefault(rule.symptom, []).append(rule)
    return out


def questions(content: KnowledgeBaseFile) -> list[RedFlag]:
    """The red-flag questions to ask, in the order to ask them."""
    skip = replaced(require(content))
    return [flag for flag in ordered_flags(content) if flag.id not in skip]


def check_ids(content: KnowledgeBaseFile, ids: Iterable[str]) -> list[str]:
    """The ids, normalised; a usage error lists the known ids for any unknown one."""
    known = [flag.id for flag in ordered_flags(content)]
    out: list[str] = []
    for raw in ids:
        wanted = raw.strip().lower()
        if wanted not in known:
            close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
            details = [f"did you mean: {', '.join(close)}?"] if close else []
            details.append(f"known symptom ids: {', '.join(known)}")
            raise UsageError(f"unknown symptom id {raw!r}", details=details)
        if wanted not in out:
            out.append(wanted)
    return out


def check_context(
    triage: Triage, started: str | None, days: int | None, severity: int | None
) -> str | None:
    """Validate the context answers given as options; return `started` normalised."""
    if days is not None and days < 0:
        raise UsageError(f"--days must be 0 or more (days since it started), not {days}")
    if severity is not None and not 0 <= severity <= MAX_SEVERITY:
        raise UsageError(f"--severity must be from 0 to {MAX_SEVERITY}, not {severity}")
    if started is None:
        return None
    known = [option.id for option in triage.started.options]
    wanted = started.strip().lower()
    if wanted not in known:
        raise UsageError(f"unknown --started {started!r}", details=[f"known: {', '.join(known)}"])
    return wanted


# --------------------------------------------------------------------------- answers


def _inputs(rule: TriageRule) -> list[str]:
    names = []
    if rule.days_at_least is not None:
        names.append("days")
    if rule.severity_at_least is not None:
        names.append("severity")
    if rule.daily_activities is not None:
        names.append("daily_activities")
    return names


def rule_holds(rule: TriageRule, answers: Answers) -> bool | None:
    """True or False; None when an answer the rule needs has not been given."""
    if any(getattr(answers, name) is None for name in _inputs(rule)):
        return None
    if rule.days_at_least is not None and (answers.days or 0) < rule.days_at_least:
        return False
    if rule.severity_at_least is not None and (answers.severity or 0) < rule.severity_at_least:
        return False
    return not (
        rule.daily_activities is not None and answers.daily_activities != rule.daily_activities
    )


def _because(rule: TriageRule, answers: Answers) -> str:
    parts = []
    if rule.days_at_least is not None:
        parts.append(f"started {answers.days} day{'s' if answers.days != 1 else ''} ago")
    if rule.severity_at_least is not None:
        parts.append(f"pain {answers.severity}/{MAX_SEVERITY}")
    if rule.daily_activities is not None:
        parts.append(
            "it stops your daily activities"
            if answers.daily_activities
            else "it does not stop your daily activities"
        )
    return "you said: " + ", ".join(parts)


def stopped(content: KnowledgeBaseFile, answers: Answers) -> bool:
    """True once an emergency red flag is present: asking stops there."""
    return evaluate(content, answers).level == "emergency"


def evaluate(content: KnowledgeBaseFile, answers: Answers) -> Outcome:
    """The care level (the strictest red flag present) and the reasons for it."""
    triage = require(content)
    reasons: list[Reason] = []
    for flag in ordered_flags(content):
        if answers.flags.get(flag.id) is True:
            reasons.append(Reason(flag))
            continue
        for rule in triage.rules:
            if rule.symptom == flag.id and rule_holds(rule, answers):
                reasons.append(Reason(flag, rule, _because(rule, answers)))
                break
    level: Level = SELF_CARE
    for reason in reasons:
        if rank(reason.flag.level) > rank(level):
            level = reason.flag.level
    return Outcome(level, tuple(reasons))


def missing(content: KnowledgeBaseFile, answers: Answers) -> list[Missing]:
    """Red flags with no answer yet (never silently taken as "no"), most urgent first."""
    if answers.no_others or stopped(content, answers):
        return []
    triage = require(content)
    instead = replaced(triage)
    out: list[Missing] = []
    for flag in ordered_flags(content):
        if flag.id in answers.flags:
            continue
        rules = instead.get(flag.id)
        if rules is None:
            out.append(Missing(flag, (f"--has {flag.id}",)))
            continue
        results = [rule_holds(rule, answers) for rule in rules]
        if True in results or None not in results:
            continue  # answered by the context questions
        needed = {
            name for rule in rules for name in _inputs(rule) if getattr(answers, name) is None
        }
        out.append(Missing(flag, tuple(CONTEXT_OPTIONS[name] for name in sorted(needed))))
    return out


def not_asked(content: KnowledgeBaseFile, answers: Answers) -> list[str]:
    """Red-flag questions left unasked (asking stopped at an emergency answer)."""
    if answers.no_others:
        return []
    return [flag.id for flag in questions(content) if flag.id not in answers.flags]


def started_label(triage: Triage, started: str | None) -> str | None:
    for option in triage.started.options:
        if option.id == started:
            return option.label
    return None


def answers_json(content: KnowledgeBaseFile, answers: Answers) -> dict[str, Any]:
    triage = require(content)
    return {
        "red_flags": dict(answers.flags),
        "no_others": answers.no_others,
        "not_asked": not_asked(content, answers),
        "started": answers.started,
        "started_label": started_label(triage, answers.started),
        "days": answers.days,
        "severity": answers.severity,
        "daily_activities": answers.daily_activities,
    }


def answer_lines(content: KnowledgeBaseFile, answers: Answers) -> list[str]:
    """Each question with its answer, in the order asked (for the handout)."""
    triage = require(content)
    # With --no-others, the unlisted flags were not asked one by one: say so once rather
    # than list each as if the person had answered it.
    lines = [
        f"{flag.question} — {'Yes' if answers.flags[flag.id] else 'No'}"
        for flag in ordered_flags(content)
        if flag.id in answers.flags and (answers.flags[flag.id] or not answers.no_others)
    ]
    defaulted = sum(1 for value in answers.flags.values() if not value)
    if answers.no_others and defaulted:
        lines.append(f"{defaulted} other warning-sign questions — No (given as --no-others)")
    label = started_label(triage, answers.started)
    if label is not None:
        lines.append(f"{triage.started.question} — {label}")
    if answers.days is not None:
        lines.append(f"{triage.days.question} — {answers.days}")
    if answers.severity is not None:
        lines.append(f"{triage.severity.question} — {answers.severity}/{MAX_SEVERITY}")
    if answers.daily_activities is not None:
        said = "Yes" if answers.daily_activities else "No"
        if answers.no_others and not answers.daily_activities:
            said += " (given as --no-others)"
        lines.append(f"{triage.daily_activities.question} — {said}")
    return lines


# --------------------------------------------------------------------------- result


def call_label(outcome: Outcome, numbers: Numbers) -> str:
    """Whom to call: the urgent number at `urgent`, else the emergency number (a safety net
    for gp and self-care), always named with its country."""
    return numbers.urgent if outcome.level == "urgent" else numbers.emergency


def level_json(
    content: KnowledgeBaseFile, numbers: Numbers, outcome: Outcome, answers: Answers
) -> dict[str, Any]:
    """The part of the JSON that `check` and `plan` share."""
    from back_spasm_cli.views import frame

    level = frame.care_level(content, outcome.level)
    return {
        "level": outcome.level,
        "title": level.title if level else outcome.level,
        "reasons": [reason.as_json() for reason in outcome.reasons],
        "call": call_label(outcome, numbers),
        "action": numbers.fill(level.action) if level else None,
        "numbers": numbers.as_json(),
        "answers": answers_json(content, answers),
    }


def result_sections(
    content: KnowledgeBaseFile, numbers: Numbers, outcome: Outcome, *, next_step: str = ""
) -> list[Section]:
    """The care level with its reasons; below emergency, the emergency signs after it."""

    from back_spasm_cli.views import frame

    section = frame.care_section(
        content, numbers, outcome.level, [reason.text for reason in outcome.reasons]
    )
    if next_step:
        section = section._replace(facts=(*section.facts, ("Next", next_step)))
    sections = [section]
    if outcome.level != "emergency":
        banner = frame.safety_section(content, numbers)
        if banner is not None:
            sections.append(banner)
    return sections


def check_document(
    kb: KnowledgeBase, numbers: Numbers, outcome: Outcome, answers: Answers
) -> Document:
    """`spasm check`: the care level, why, what to do, then the footer."""
    from back_spasm_cli.views import frame

    content = kb.content
    next_step = "spasm plan" if outcome.level == SELF_CARE else ""
    return frame.finish(
        content,
        result_sections(content, numbers, outcome, next_step=next_step),
        level_json(content, numbers, outcome, answers),
    )


def answers_from_options(
    content: KnowledgeBaseFile,
    has: Sequence[str],
    *,
    no_others: bool,
    started: str | None,
    days: int | None,
    severity: int | None,
    daily_activities: bool | None,
) -> Answers:
    """Answers given on the command line, validated (usage errors name the problem)."""
    triage = require(content)
    ids = check_ids(content, has)
    started_id = check_context(triage, started, days, severity)
    flags = {flag_id: True for flag_id in ids}
    if no_others:
        for flag in questions(content):
            flags.setdefault(flag.id, False)
        # A red flag asked as a context question (daily activities) is one of the
        # "others" too: record its "no" rather than leave it neither asked nor answered.
        if daily_activities is None and "daily_activities" in _replaced_inputs(triage):
            daily_activities = False
    return Answers(flags, started_id, days, severity, daily_activities, no_others)


def _replaced_inputs(triage: Triage) -> set[str]:
    """The answers (`daily_activities` …) whose rules stand in for a red-flag question."""
    return {name for rules in replaced(triage).values() for rule in rules for name in _inputs(rule)}
