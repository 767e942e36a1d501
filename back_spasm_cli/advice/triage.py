"""The triage engine behind `spasm check` and `spasm plan`: questions, answers, a verdict.

Pure functions over the knowledge base: nothing here prints, prompts or builds documents
(views/triage.py does). The flow is a function of the answers so far (`next_question`):
the context questions first (where, how it started, age band, days, worst pain), then the
red-flag checklists of `triage.checklists` in order (emergency lists first), each sign
asked at most once and never when a rule has already settled it. Asking stops at the
first emergency. A sign answered "not sure" counts as yes for its own level. The care
level is the strictest level among the red flags present, so an answer can only ever
raise it (schema.raise_level), never lower it.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from back_spasm_cli.errors import UsageError
from back_spasm_cli.knowledge.regions import Numbers
from back_spasm_cli.knowledge.schema import (
    LEVEL_ORDER,
    Checklist,
    Conditions,
    KnowledgeBaseFile,
    Level,
    RedFlag,
    Triage,
    TriageRule,
    raise_level,
)
from back_spasm_cli.system.i18n import N_, _, ngettext

SELF_CARE: Level = "self-care"
MAX_SEVERITY = 10
#: Days since onset accepted at most (about 270 years: a typing slip, not a date).
MAX_DAYS = 100_000

Answer = Literal["yes", "no", "unsure"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "unsure")
#: The region answer for "somewhere else" (region ids are slugs, so never empty).
ELSEWHERE = ""


def rank(level: str) -> int:
    """Position of a care level from self-care (0) up to emergency (3)."""
    return LEVEL_ORDER.index(cast(Level, level))


# --------------------------------------------------------------------------- answers


@dataclass
class CheckAnswers:
    """What a person said. A red flag missing from `signs` is unanswered (never "no"),
    unless `no_others` says every sign not given is "no"."""

    signs: dict[str, Answer] = field(default_factory=dict)
    region: str | None = None  # a region id, ELSEWHERE, or None when not known
    started: str | None = None  # a `triage.started` option id
    age_band: str | None = None  # a `triage.age_band` option id
    days: int | None = None  # days since it started (0 = today)
    severity: int | None = None  # worst pain, 0-10
    cramps: bool | None = None  # the cramps gate: True for yes or not sure
    no_others: bool = False

    def copy(self) -> CheckAnswers:
        return dataclasses.replace(self, signs=dict(self.signs))

    def to_data(self) -> dict[str, Any]:
        return {
            "signs": dict(self.signs),
            "region": self.region,
            "started": self.started,
            "age_band": self.age_band,
            "days": self.days,
            "severity": self.severity,
            "cramps": self.cramps,
            "no_others": self.no_others,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CheckAnswers:
        """Answers saved by `to_data`; anything malformed is dropped, never guessed."""

        def text(name: str) -> str | None:
            value = data.get(name)
            return value if isinstance(value, str) else None

        def number(name: str) -> int | None:
            value = data.get(name)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        raw = data.get("signs")
        signs: dict[str, Answer] = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if isinstance(key, str) and value in ANSWERS:
                    signs[key] = cast(Answer, value)
        cramps = data.get("cramps")
        return cls(
            signs=signs,
            region=text("region"),
            started=text("started"),
            age_band=text("age_band"),
            days=number("days"),
            severity=number("severity"),
            cramps=cramps if isinstance(cramps, bool) else None,
            no_others=data.get("no_others") is True,
        )

    def aged(self, saved_at: datetime.datetime, now: datetime.datetime) -> CheckAnswers:
        """The answers as if given `now`: the days since onset move on with the calendar."""
        if self.days is None:
            return self.copy()
        from back_spasm_cli.system import clock

        return dataclasses.replace(self.copy(), days=clock.day_of_spasm(self.days, saved_at, now))


def forget_unknown(content: KnowledgeBaseFile, answers: CheckAnswers) -> CheckAnswers:
    """Saved answers checked against the base in use: ids it no longer has are dropped
    (their questions are asked again), never kept as if they meant something."""
    triage = require(content)
    flags = {flag.id for flag in content.red_flags}
    out = answers.copy()
    out.signs = {key: value for key, value in answers.signs.items() if key in flags}
    if out.started not in {option.id for option in triage.started.options}:
        out.started = None
    if out.age_band not in {option.id for option in triage.age_band.options}:
        out.age_band = None
    if out.region not in {ELSEWHERE, None, *(region.id for region in content.regions)}:
        out.region = None
    return out


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Choice:
    """Pick one option (region, how it started, age band)."""

    key: Literal["region", "started", "age_band"]
    text: str
    explain: str
    options: tuple[tuple[str, str], ...]  # (id, label)


@dataclass(frozen=True)
class Number:
    key: Literal["days", "severity"]
    text: str
    explain: str
    low: int
    high: int


@dataclass(frozen=True)
class Gate:
    """The cramps gate: yes / no / not sure, before the cramp-only checklists."""

    key: Literal["cramps"]
    text: str
    explain: str


@dataclass(frozen=True)
class SignList:
    """Red-flag signs asked together: yes / no / not sure, then which."""

    key: str  # the checklist id
    text: str  # "Do any of these apply to you?", or the sign's question when it is alone
    explain: str
    signs: tuple[RedFlag, ...]

    @property
    def level(self) -> Level:
        level: Level = SELF_CARE
        for flag in self.signs:
            level = raise_level(level, flag.level)
        return level


Question = Choice | Number | Gate | SignList


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


def _flags(content: KnowledgeBaseFile) -> dict[str, RedFlag]:
    return {flag.id: flag for flag in content.red_flags}


def holds(when: Conditions, answers: CheckAnswers) -> bool | None:
    """True or False; None when an answer the conditions need has not been given."""
    results: list[bool | None] = []
    if when.started:
        results.append(None if answers.started is None else answers.started in when.started)
    if when.age_bands:
        results.append(None if answers.age_band is None else answers.age_band in when.age_bands)
    if when.days_at_least is not None:
        results.append(None if answers.days is None else answers.days >= when.days_at_least)
    if when.severity_at_least is not None:
        results.append(
            None if answers.severity is None else answers.severity >= when.severity_at_least
        )
    if when.signs:
        given = [answers.signs.get(sign) for sign in when.signs]
        if any(value in ("yes", "unsure") for value in given):
            results.append(True)
        elif any(value is None for value in given) and not answers.no_others:
            results.append(None)
        else:
            results.append(False)
    if False in results:
        return False
    return None if None in results else True


def settled(triage: Triage, flag_id: str, answers: CheckAnswers) -> bool:
    """A rule already raises this red flag from the answers: its sign is not asked."""
    return any(rule.symptom == flag_id and holds(rule.when, answers) for rule in triage.rules)


def _pending(
    content: KnowledgeBaseFile, checklist: Checklist, answers: CheckAnswers, *, unknown: bool
) -> list[RedFlag]:
    """The checklist's signs still to ask. `unknown`: keep a sign whose `only` conditions
    cannot be decided yet (scripts list it as missing rather than drop it)."""
    triage = require(content)
    flags = _flags(content)
    out = []
    for sign in checklist.signs:
        if sign in answers.signs or sign not in flags or settled(triage, sign, answers):
            continue
        when = checklist.only.get(sign)
        ok = True if when is None else holds(when, answers)
        if ok or (ok is None and unknown):
            out.append(flags[sign])
    return out


def _sign_list(content: KnowledgeBaseFile, checklist: Checklist, signs: list[RedFlag]) -> SignList:
    triage = require(content)
    if len(signs) == 1:
        return SignList(checklist.id, signs[0].question, signs[0].explain, tuple(signs))
    return SignList(checklist.id, triage.checklist.question, triage.checklist.explain, tuple(signs))


def next_question(
    content: KnowledgeBaseFile, answers: CheckAnswers, *, ask_region: bool = False
) -> Question | None:
    """The next question to ask on a terminal, or None when there is nothing left (or an
    emergency has been found: asking stops at once)."""
    triage = require(content)
    if stopped(content, answers):
        return None
    if ask_region and answers.region is None and content.regions:
        options = tuple((region.id, region.name) for region in content.regions)
        return Choice(
            "region",
            triage.region.question,
            triage.region.explain,
            (*options, (ELSEWHERE, triage.region.elsewhere)),
        )
    for key, choice in (("started", triage.started), ("age_band", triage.age_band)):
        if getattr(answers, key) is None:
            return Choice(
                cast(Literal["started", "age_band"], key),
                choice.question,
                choice.explain,
                tuple((option.id, option.label) for option in choice.options),
            )
    if answers.days is None:
        return Number("days", triage.days.question, triage.days.explain, 0, MAX_DAYS)
    if answers.severity is None:
        return Number(
            "severity", triage.severity.question, triage.severity.explain, 0, MAX_SEVERITY
        )
    if answers.no_others:
        return None
    for checklist in triage.checklists:
        if checklist.cramps and answers.cramps is False:
            continue
        signs = _pending(content, checklist, answers, unknown=False)
        if not signs:
            continue
        if checklist.cramps and answers.cramps is None:
            return Gate("cramps", triage.cramps.question, triage.cramps.explain)
        return _sign_list(content, checklist, signs)
    return None


def answer_list(
    answers: CheckAnswers,
    question: SignList,
    yes: Iterable[str] = (),
    unsure: Iterable[str] = (),
) -> CheckAnswers:
    """The answers with a checklist answered: `yes` and `unsure` as given, the rest "no"."""
    out = answers.copy()
    chosen_yes, chosen_unsure = set(yes), set(unsure)
    for flag in question.signs:
        if flag.id in chosen_unsure:
            out.signs[flag.id] = "unsure"
        elif flag.id in chosen_yes:
            out.signs[flag.id] = "yes"
        else:
            out.signs[flag.id] = "no"
    return out


def answer(answers: CheckAnswers, question: Question, value: Any) -> CheckAnswers:
    """The answers with a choice, number or gate question answered."""
    out = answers.copy()
    if isinstance(question, SignList):
        raise TypeError("answer a checklist with answer_list")
    setattr(out, question.key, value)
    return out


def remaining(content: KnowledgeBaseFile, answers: CheckAnswers, *, ask_region: bool) -> int:
    """How many questions are left if every answer from here is no (for "[3/11]")."""
    probe = answers.copy()
    count = 0
    while (question := next_question(content, probe, ask_region=ask_region)) is not None:
        count += 1
        if isinstance(question, SignList):
            probe = answer_list(probe, question)
        elif isinstance(question, Choice):
            # the first option that does not end the questions (the "no" of a choice)
            choices = [answer(probe, question, option_id) for option_id, _ in question.options]
            probe = next((c for c in choices if not stopped(content, c)), choices[0])
        elif isinstance(question, Number):
            probe = answer(probe, question, question.low)
        else:
            probe = answer(probe, question, False)
    return count


# --------------------------------------------------------------------------- verdict


@dataclass(frozen=True)
class Reason:
    """A red flag present in the answers, and how the answers led to it."""

    id: str
    title: str
    level: Level
    rule: str | None = None  # None: the sign itself was answered yes or not sure
    because: tuple[str, ...] = ()  # the answers behind a rule, e.g. "started 20 days ago"
    unsure: tuple[str, ...] = ()  # signs (titles) the person was not sure about

    def to_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "level": self.level,
            "rule": self.rule,
            "because": list(self.because),
            "unsure": list(self.unsure),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Reason:
        level = data.get("level")
        return cls(
            id=str(data.get("id", "")),
            title=str(data.get("title", "")),
            level=cast(Level, level if level in LEVEL_ORDER else "emergency"),
            rule=data["rule"] if isinstance(data.get("rule"), str) else None,
            because=tuple(str(item) for item in data.get("because") or ()),
            unsure=tuple(str(item) for item in data.get("unsure") or ()),
        )


@dataclass(frozen=True)
class Verdict:
    """The care level, the reasons for it, the signs not sure about, and whom to call."""

    level: Level
    reasons: tuple[Reason, ...]
    unsure: tuple[str, ...]  # red-flag ids answered "not sure"
    call: str  # the emergency number (the urgent one at `urgent`), named with its country

    @property
    def red_flag(self) -> bool:
        return self.level != SELF_CARE

    def to_data(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "reasons": [reason.to_data() for reason in self.reasons],
            "unsure": list(self.unsure),
            "call": self.call,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Verdict:
        level = data.get("level")
        return cls(
            level=cast(Level, level if level in LEVEL_ORDER else "emergency"),
            reasons=tuple(Reason.from_data(r) for r in data.get("reasons") or () if r),
            unsure=tuple(str(item) for item in data.get("unsure") or ()),
            call=str(data.get("call", "")),
        )


def option_label(options: Sequence[tuple[str, str]], wanted: str | None) -> str | None:
    return next((label for option_id, label in options if option_id == wanted), None)


def started_label(content: KnowledgeBaseFile, started: str | None) -> str | None:
    options = [(o.id, o.label) for o in require(content).started.options]
    return option_label(options, started)


def age_band_label(content: KnowledgeBaseFile, age_band: str | None) -> str | None:
    options = [(o.id, o.label) for o in require(content).age_band.options]
    return option_label(options, age_band)


def _because(content: KnowledgeBaseFile, rule: TriageRule, answers: CheckAnswers) -> Reason:
    triage = require(content)
    flags = _flags(content)
    when = rule.when
    parts: list[str] = []
    if when.started:
        options = [(o.id, o.label) for o in triage.started.options]
        parts.append(
            _("how it started: {label}").format(label=option_label(options, answers.started))
        )
    if when.age_bands:
        options = [(o.id, o.label) for o in triage.age_band.options]
        parts.append(_("age: {label}").format(label=option_label(options, answers.age_band)))
    if when.days_at_least is not None:
        days = answers.days or 0
        parts.append(ngettext("started {n} day ago", "started {n} days ago", days).format(n=days))
    if when.severity_at_least is not None:
        parts.append(_("worst pain {pain}/{most}").format(pain=answers.severity, most=MAX_SEVERITY))
    unsure: list[str] = []
    for sign in when.signs:
        title = flags[sign].title if sign in flags else sign
        if answers.signs.get(sign) == "yes":
            parts.append(title)
        elif answers.signs.get(sign) == "unsure":
            unsure.append(title)
    flag = flags[rule.symptom]
    return Reason(flag.id, flag.title, flag.level, rule.id, tuple(parts), tuple(unsure))


def reasons(content: KnowledgeBaseFile, answers: CheckAnswers) -> tuple[Reason, ...]:
    """Every red flag present, most urgent first: answered yes or not sure, or raised by a
    rule (a "no" to a sign never undoes a rule that raises it)."""
    triage = require(content)
    out: list[Reason] = []
    for flag in ordered_flags(content):
        said = answers.signs.get(flag.id)
        if said in ("yes", "unsure"):
            unsure = (flag.title,) if said == "unsure" else ()
            out.append(Reason(flag.id, flag.title, flag.level, unsure=unsure))
            continue
        for rule in triage.rules:
            if rule.symptom == flag.id and holds(rule.when, answers):
                out.append(_because(content, rule, answers))
                break
    return tuple(out)


def level_of(found: Iterable[Reason]) -> Level:
    level: Level = SELF_CARE
    for reason in found:
        level = raise_level(level, reason.level)
    return level


def stopped(content: KnowledgeBaseFile, answers: CheckAnswers) -> bool:
    """True once an emergency red flag is present: asking stops there."""
    return level_of(reasons(content, answers)) == "emergency"


def call_label(level: Level, numbers: Numbers) -> str:
    """Whom to call: the urgent number at `urgent`, else the emergency number (a safety net
    for gp and self-care), always named with its country."""
    return numbers.urgent if level == "urgent" else numbers.emergency


def verdict(content: KnowledgeBaseFile, answers: CheckAnswers, numbers: Numbers) -> Verdict:
    """The care level (the strictest red flag present), the reasons, whom to call."""
    found = reasons(content, answers)
    level = level_of(found)
    unsure = tuple(sign for sign, said in answers.signs.items() if said == "unsure")
    return Verdict(level, found, unsure, call_label(level, numbers))


# --------------------------------------------------------------------------- scripts


@dataclass(frozen=True)
class MissingList:
    """A checklist with signs that have no answer, and its level (for scripts' errors)."""

    id: str
    level: Level
    signs: tuple[str, ...]

    def __str__(self) -> str:
        level = _(LEVEL_WORDS[self.level]) if self.level in LEVEL_WORDS else self.level
        return f"{level}: {', '.join(self.signs)}"


#: A care level in a word, for scripts' errors (the ids stay as they are).
LEVEL_WORDS = {"emergency": N_("emergency"), "urgent": N_("urgent"), "gp": N_("GP")}


def missing(content: KnowledgeBaseFile, answers: CheckAnswers) -> list[MissingList]:
    """Checklists with unanswered signs (never silently taken as "no"), in asking order.
    A sign whose `only` conditions cannot be decided yet is listed too."""
    if answers.no_others or stopped(content, answers):
        return []
    triage = require(content)
    out: list[MissingList] = []
    listed: set[str] = set()
    for checklist in triage.checklists:
        if checklist.cramps and answers.cramps is False:
            continue
        signs = [
            flag
            for flag in _pending(content, checklist, answers, unknown=True)
            if flag.id not in listed
        ]
        if signs:
            listed.update(flag.id for flag in signs)
            level = level_of(Reason(f.id, f.title, f.level) for f in signs)
            out.append(MissingList(checklist.id, level, tuple(flag.id for flag in signs)))
    return out


def not_asked(content: KnowledgeBaseFile, answers: CheckAnswers) -> list[str]:
    """Red-flag signs left without an answer (asking stopped at an emergency)."""
    triage = require(content)
    seen: list[str] = []
    for checklist in triage.checklists:
        for sign in checklist.signs:
            if sign not in answers.signs and sign not in seen:
                seen.append(sign)
    return seen


def fill_no_others(content: KnowledgeBaseFile, answers: CheckAnswers) -> CheckAnswers:
    """`--no-others`: every red flag not given is answered "no", the cramps gate too."""
    out = answers.copy()
    for flag in content.red_flags:
        out.signs.setdefault(flag.id, "no")
    if out.cramps is None:
        out.cramps = any(
            out.signs.get(sign) in ("yes", "unsure")
            for checklist in require(content).checklists
            if checklist.cramps
            for sign in checklist.signs
        )
    out.no_others = True
    return out


def option_ids(content: KnowledgeBaseFile, key: Literal["started", "age_band"]) -> list[str]:
    """The option ids of a choice question in this base (for messages and completion)."""
    if content.triage is None:
        return []
    return [option.id for option in getattr(content.triage, key).options]


def _check_ids(content: KnowledgeBaseFile, ids: Iterable[str], option: str) -> list[str]:
    known = [flag.id for flag in ordered_flags(content)]
    out: list[str] = []
    for raw in ids:
        wanted = raw.strip().lower()
        if wanted not in known:
            close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.6)
            details = [f"did you mean: {', '.join(close)}?"] if close else []
            details.append(f"known symptom ids: {', '.join(known)}")
            raise UsageError(f"unknown symptom id {raw!r} in {option}", details=details)
        if wanted not in out:
            out.append(wanted)
    return out


def _check_option(
    content: KnowledgeBaseFile, key: Literal["started", "age_band"], raw: str | None, flag: str
) -> str | None:
    if raw is None:
        return None
    known = option_ids(content, key)
    wanted = raw.strip().lower()
    if wanted not in known:
        close = difflib.get_close_matches(wanted, known, n=2, cutoff=0.6)
        details = [f"did you mean: {', '.join(close)}?"] if close else []
        details.append(f"known values: {', '.join(known)}")
        raise UsageError(f"unknown {flag} {raw!r}", details=details)
    return wanted


def answers_from_options(
    content: KnowledgeBaseFile,
    has: Sequence[str] = (),
    unsure: Sequence[str] = (),
    *,
    no_others: bool = False,
    started: str | None = None,
    age_band: str | None = None,
    days: int | None = None,
    severity: int | None = None,
) -> CheckAnswers:
    """Answers given on the command line, validated (usage errors name the problem)."""
    require(content)
    yes_ids = _check_ids(content, has, "--has")
    unsure_ids = _check_ids(content, unsure, "--unsure")
    both = sorted(set(yes_ids) & set(unsure_ids))
    if both:
        raise UsageError(f"{', '.join(both)}: given with both --has and --unsure; choose one")
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise UsageError(
            f"--days must be from 0 to {MAX_DAYS:,} (days since it started), not {days}"
        )
    if severity is not None and not 0 <= severity <= MAX_SEVERITY:
        raise UsageError(f"--severity must be from 0 to {MAX_SEVERITY}, not {severity}")
    signs: dict[str, Answer] = {flag_id: "yes" for flag_id in yes_ids}
    signs.update({flag_id: "unsure" for flag_id in unsure_ids})
    answers = CheckAnswers(
        signs=signs,
        started=_check_option(content, "started", started, "--started"),
        age_band=_check_option(content, "age_band", age_band, "--age-band"),
        days=days,
        severity=severity,
    )
    return fill_no_others(content, answers) if no_others else answers


def given_any(answers: CheckAnswers) -> bool:
    """True when the options answered anything (then saved answers are not reused)."""
    return bool(answers.signs) or any(
        getattr(answers, name) is not None for name in ("started", "age_band", "days", "severity")
    )
