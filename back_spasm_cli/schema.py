"""The knowledge-base schema: every YAML file in data/ must fit these types.

The types are plain frozen dataclasses, so that a command served from the validated
snapshot (kb.py) needs no validation library at start-up. pydantic validates them, strictly
(unknown keys and wrong types are errors), only when YAML is read: the constraints below
are annotation markers that pydantic turns into its own schema through its documented
`__get_pydantic_core_schema__` hook, and `validator()` builds that schema on first use.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from back_spasm_cli import SCHEMA_VERSION as SCHEMA_VERSION  # defined beside __version__

if TYPE_CHECKING:
    from pydantic import TypeAdapter

#: Passed to pydantic for every type: unknown keys are errors.
_CONFIG = {"extra": "forbid"}


class Check:
    """A constraint on a str, int or bool field, read by pydantic only when validating."""

    def __init__(
        self,
        kind: Literal["str", "int", "bool"] = "str",
        *,
        pattern: str | None = None,
        min_length: int = 1,
        max_length: int = 4000,
        ge: int | None = None,
        le: int | None = None,
        after: Callable[[Any], Any] | None = None,
    ) -> None:
        self.kind = kind
        self.pattern, self.min_length, self.max_length = pattern, min_length, max_length
        self.ge, self.le, self.after = ge, le, after

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        schema: Any
        if self.kind == "str":
            schema = core_schema.str_schema(
                strict=True,
                strip_whitespace=True,
                pattern=self.pattern,
                min_length=self.min_length,
                max_length=self.max_length,
            )
        elif self.kind == "int":
            schema = core_schema.int_schema(strict=True, ge=self.ge, le=self.le)
        else:
            schema = core_schema.bool_schema(strict=True)
        if self.after is not None:
            schema = core_schema.no_info_after_validator_function(self.after, schema)
        return schema


class Doc:
    """A field's description, for `spasm kb schema` (editors show it)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        json_schema = handler(schema)
        json_schema["description"] = self.text
        return json_schema


def _check_source(value: str) -> str:
    if value == "seed" or re.match(r"^https?://[^\s]+$", value):
        return value
    raise ValueError("a source is 'seed' (the founding article) or an http(s) URL")


Slug = Annotated[str, Check(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, Check(max_length=4000)]
Line = Annotated[str, Check(max_length=400)]
Flag = Annotated[bool, Check("bool")]
Source = Annotated[str, Check(max_length=2000, after=_check_source)]


class _NonEmpty:
    """A list with at least one item (used as `Annotated[list[X], NON_EMPTY]`)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["min_length"] = 1
        return schema


NON_EMPTY = _NonEmpty()
Sources = Annotated[list[Source], NON_EMPTY, Doc("'seed' (the founding article) or URLs.")]

Level = Literal["emergency", "urgent", "gp", "self-care"]
FlagLevel = Literal["emergency", "urgent", "gp"]
#: Care levels from least to most urgent; an answer may only move a person up this list.
LEVEL_ORDER: tuple[Level, ...] = ("self-care", "gp", "urgent", "emergency")


def raise_level(current: Level, other: Level) -> Level:
    """The more urgent of two levels: an answer can only raise the care level."""
    return max(current, other, key=LEVEL_ORDER.index)


class Model:
    """Base of every schema type: frozen data, validated by pydantic from YAML."""

    __pydantic_config__ = _CONFIG

    def to_data(self) -> dict[str, Any]:
        """The item as JSON-ready data."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Entry(Model):
    """One piece of advice: a cause, remedy, prevention habit, lifestyle change or FAQ."""

    id: Slug
    title: Line
    summary: Annotated[Text, Doc("One line, shown in lists.")]
    sources: Sources
    aliases: Annotated[list[Line], Doc("Words people type for this entry.")] = field(
        default_factory=list
    )
    body: Annotated[list[Text], Doc("Paragraphs.")] = field(default_factory=list)
    steps: Annotated[list[Text], Doc("How to do it, in order.")] = field(default_factory=list)
    duration: Annotated[Text | None, Doc("How long, how often.")] = None
    tips: list[Text] = field(default_factory=list)
    cautions: Annotated[list[Text], Doc("Safety first.")] = field(default_factory=list)
    evidence: Annotated[list[Text], Doc("Where trusted sources qualify the article.")] = field(
        default_factory=list
    )
    related: Annotated[list[Slug], Doc("Ids of other entries.")] = field(default_factory=list)


@dataclass(frozen=True)
class Exercise(Model):
    """A guided exercise with its holds and repetitions as the sources give them."""

    id: Slug
    title: Line
    summary: Text
    position: Annotated[Text, Doc("The starting position.")]
    steps: Annotated[list[Text], NON_EMPTY]
    sources: Sources
    aliases: list[Line] = field(default_factory=list)
    hold_seconds: Annotated[
        Annotated[int, Check("int", ge=0, le=600)] | None,
        Doc("Seconds to hold, where the source gives one."),
    ] = None
    hold: Annotated[Line | None, Doc("How long to hold, in words.")] = None
    repetitions: Annotated[Line | None, Doc("Repetitions, in words.")] = None
    cautions: list[Text] = field(default_factory=list)
    related: list[Slug] = field(default_factory=list)
    from_day: Annotated[
        Count, Doc("The first day it suits (0 = from the first days; 3 = once the worst eases).")
    ] = 0
    when: Annotated[Line | None, Doc("When it suits, in words (shown in the list).")] = None
    reps: Annotated[
        Annotated[int, Check("int", ge=1, le=100)] | None,
        Doc("Repetitions `spasm routine` counts: the first number the source gives."),
    ] = None
    holds_per_rep: Annotated[
        Annotated[int, Check("int", ge=1, le=2)],
        Doc("2 when one repetition holds once on each side (knee rolls)."),
    ] = 1
    minutes: Annotated[
        Annotated[int, Check("int", ge=1, le=60)] | None,
        Doc("`spasm routine` times it as one block of minutes (a walk) instead of counting."),
    ] = None

    def __post_init__(self) -> None:
        if self.reps is not None and self.minutes is not None:
            raise ValueError("an exercise is counted (reps) or timed (minutes), not both")


@dataclass(frozen=True)
class RedFlag(Model):
    """A symptom that means self-care should stop, with the care level it needs."""

    id: Slug
    level: FlagLevel
    title: Annotated[Line, Doc("The symptom, in plain words.")]
    question: Annotated[Line, Doc("A yes/no question asked by `spasm check`.")]
    explain: Annotated[Text, Doc("Shown when the user answers '?'.")]
    sources: Sources
    aliases: list[Line] = field(default_factory=list)
    evidence: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class CareLevel(Model):
    """What to do at one care level. `{emergency}` and `{urgent}` are filled per region."""

    id: Level
    title: Line
    action: Text
    sources: Sources


@dataclass(frozen=True)
class Phone(Model):
    number: Annotated[str, Check(pattern=r"^[0-9 ]{2,16}$")]
    label: Annotated[Line, Doc("Always names the country with the number.")]
    notes: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class Region(Model):
    id: Slug
    name: Line
    emergency: Phone
    sources: Sources
    countries: Annotated[
        list[Annotated[str, Check(pattern=r"^[A-Z]{2}$")]],
        Doc("ISO 3166 codes read from the locale (en_GB -> GB)."),
    ] = field(default_factory=list)
    urgent: Annotated[Phone | None, Doc("Urgent but not life-threatening.")] = None

    def __post_init__(self) -> None:
        # "111" is an emergency in New Zealand and NHS advice in England: a number is
        # never shown without the place it belongs to.
        for phone in (self.emergency, self.urgent):
            if phone is None:
                continue
            if phone.number not in phone.label:
                raise ValueError(f"label {phone.label!r} must contain its number {phone.number}")
            if self.name not in phone.label:
                raise ValueError(
                    f"label {phone.label!r} must name the country ({self.name}) with the number"
                )


@dataclass(frozen=True)
class Fallback(Model):
    """Used when no region is known: never a bare number."""

    emergency: Line
    urgent: Line


@dataclass(frozen=True)
class Meta(Model):
    title: Line
    disclaimer: Annotated[Line, Doc("The one-line disclaimer that ends every advice view.")]
    doctor_pointer: Annotated[Line, Doc("The pointer to `spasm doctor`.")]
    medication_notice: Annotated[Text, Doc("No doses beyond: follow the label or ask.")]
    sources: Sources


@dataclass(frozen=True)
class Overview(Model):
    id: Slug
    title: Line
    summary: Text
    body: Annotated[list[Text], NON_EMPTY]
    sources: Sources


Count = Annotated[int, Check("int", ge=0, le=100_000)]
Severity = Annotated[int, Check("int", ge=0, le=10)]


@dataclass(frozen=True)
class StartOption(Model):
    """One answer to "how did it start?" (`spasm check --started ID`)."""

    id: Slug
    label: Line
    sources: Sources


@dataclass(frozen=True)
class ContextQuestion(Model):
    """A question about the spasm itself, asked after the red-flag questions."""

    question: Line
    explain: Annotated[Text, Doc("Shown when the user answers '?'.")]
    sources: Sources


@dataclass(frozen=True)
class StartedQuestion(ContextQuestion):
    options: Annotated[list[StartOption], NON_EMPTY]


@dataclass(frozen=True)
class TriageRule(Model):
    """Raises a red flag from the context answers: every condition given must hold."""

    id: Slug
    symptom: Annotated[Slug, Doc("The red-flag id raised; its level applies.")]
    sources: Sources
    days_at_least: Annotated[Count | None, Doc("Days since onset >= N.")] = None
    severity_at_least: Annotated[Severity | None, Doc("Severity >= N.")] = None
    daily_activities: Annotated[
        Flag | None, Doc("Holds when the daily-activities answer equals this.")
    ] = None
    replaces_question: Annotated[
        Flag,
        Doc("The context questions answer this red flag, so its own question is not asked."),
    ] = False

    def __post_init__(self) -> None:
        if (
            self.days_at_least is None
            and self.severity_at_least is None
            and self.daily_activities is None
        ):
            raise ValueError(
                "a rule needs a condition: days_at_least, severity_at_least or daily_activities"
            )


@dataclass(frozen=True)
class Triage(Model):
    """`spasm check`: the context questions and the rules derived from their answers."""

    started: StartedQuestion
    days: ContextQuestion
    severity: ContextQuestion
    daily_activities: ContextQuestion
    rules: list[TriageRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        for what, ids in (
            ("option", [option.id for option in self.started.options]),
            ("rule", [rule.id for rule in self.rules]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{what} ids must be unique")

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for index, rule in enumerate(self.rules):
            yield ("triage", "rules", index, "symptom"), rule.symptom, "red_flags"


@dataclass(frozen=True)
class PlanStep(Model):
    text: Annotated[Text, Doc("The step in a few words of its own.")]
    sources: Sources
    entry: Annotated[Slug | None, Doc("The entry that explains it.")] = None


@dataclass(frozen=True)
class PlanPhase(Model):
    id: Slug
    title: Line
    from_day: Annotated[Count, Doc("The first day (0 = the day it started).")]
    steps: Annotated[list[PlanStep], NON_EMPTY]
    sources: Sources
    intro: Text | None = None


@dataclass(frozen=True)
class CauseAdvice(Model):
    """Advice for the likely trigger: a `triage.started` option and entries to read."""

    started: Slug
    sources: Sources
    text: Text | None = None
    entries: list[Slug] = field(default_factory=list)


@dataclass(frozen=True)
class GetHelp(Model):
    level: FlagLevel
    text: Annotated[Text, Doc("May use `{emergency}` and `{urgent}`.")]
    sources: Sources


@dataclass(frozen=True)
class Plan(Model):
    """`spasm plan`: phases of self-care, cause advice, prevention, when to get help."""

    phases: Annotated[list[PlanPhase], NON_EMPTY]
    get_help: Annotated[list[GetHelp], NON_EMPTY]
    causes: list[CauseAdvice] = field(default_factory=list)
    prevention: Annotated[list[Slug], Doc("Prevention entry ids.")] = field(default_factory=list)

    def __post_init__(self) -> None:
        days = [phase.from_day for phase in self.phases]
        if days and (days[0] != 0 or days != sorted(set(days))):
            raise ValueError("phases start at from_day 0 and go up strictly")
        ids = [phase.id for phase in self.phases]
        if len(set(ids)) != len(ids):
            raise ValueError("phase ids must be unique")

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for p, phase in enumerate(self.phases):
            for s, step in enumerate(phase.steps):
                if step.entry is not None:
                    yield ("plan", "phases", p, "steps", s, "entry"), step.entry, "entries"
        for c, cause in enumerate(self.causes):
            yield ("plan", "causes", c, "started"), cause.started, "started"
            for e, entry in enumerate(cause.entries):
                yield ("plan", "causes", c, "entries", e), entry, "entries"
        for index, entry in enumerate(self.prevention):
            yield ("plan", "prevention", index), entry, "prevention"


@dataclass(frozen=True)
class Timer(Model):
    """`spasm timer ID`: one remedy's session length, safety checks and texts."""

    id: Slug
    title: Line
    remedy: Annotated[Slug, Doc("The remedy entry it times.")]
    default_minutes: Annotated[int, Check("int", ge=1, le=60)]
    max_minutes: Annotated[int, Check("int", ge=1, le=60), Doc("Longer is refused.")]
    refuse: Annotated[Text, Doc("Why longer is refused; may use `{max}`.")]
    checks: Annotated[list[Text], NON_EMPTY, Doc("Shown, and confirmed, before it starts.")]
    skin_check: Annotated[Text, Doc("Shown part way.")]
    skin_check_percent: Annotated[
        Annotated[int, Check("int", ge=1, le=99)], Doc("How far in the skin check comes.")
    ]
    end: Annotated[Text, Doc("Shown, with a bell, when time is up.")]
    again: Annotated[Line, Doc("How often, in words (e.g. every 2 to 3 hours).")]
    sources: Sources
    again_after_minutes: Annotated[
        list[Annotated[int, Check("int", ge=1, le=1440)]],
        Doc("[earliest, latest] minutes to the next session, where the source gives them."),
    ] = field(default_factory=list)
    early_days: Annotated[
        Count | None, Doc("Days after a strain it does not suit (heat: 2, i.e. 48 hours).")
    ] = None
    early_warning: Annotated[Text | None, Doc("Shown when it is used within early_days.")] = None
    instead: Annotated[Slug | None, Doc("The timer offered instead within early_days.")] = None

    def __post_init__(self) -> None:
        if self.default_minutes > self.max_minutes:
            raise ValueError("default_minutes must not exceed max_minutes")
        if len(self.again_after_minutes) not in (0, 2) or self.again_after_minutes != sorted(
            self.again_after_minutes
        ):
            raise ValueError("again_after_minutes is [earliest, latest]")
        if (self.early_days is None) != (self.early_warning is None):
            raise ValueError("early_days and early_warning go together")


@dataclass(frozen=True)
class Routine(Model):
    """`spasm routine`: which exercises, in which order, with what rests and advice."""

    order: Annotated[
        list[Slug], NON_EMPTY, Doc("Exercise ids in routine order; each joins from its from_day.")
    ]
    rest_between_reps: Annotated[int, Check("int", ge=0, le=120), Doc("Seconds.")]
    rest_between_exercises: Annotated[
        int, Check("int", ge=0, le=600), Doc("Seconds to read and get into position.")
    ]
    self_paced_estimate: Annotated[
        int,
        Check("int", ge=1, le=120),
        Doc("Seconds counted for the estimate of a hold the source gives in words only."),
    ]
    worse: Annotated[Text, Doc("Shown when the user says an exercise makes it worse.")]
    stop_rule: Annotated[Text, Doc("Shown before the routine starts.")]
    sources: Sources
    no_timing: Annotated[
        Text | None, Doc("Said of exercises left out: the source leaves their timing to a physio.")
    ] = None


@dataclass(frozen=True)
class Sessions(Model):
    """Guided sessions: the ice and heat timers and the exercise routine."""

    timers: Annotated[list[Timer], NON_EMPTY]
    routine: Routine

    def __post_init__(self) -> None:
        ids = [timer.id for timer in self.timers]
        if len(set(ids)) != len(ids):
            raise ValueError("timer ids must be unique")
        for timer in self.timers:
            if timer.instead is not None and timer.instead not in ids:
                raise ValueError(f"timer {timer.id}: instead {timer.instead!r} is no timer")

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for index, timer in enumerate(self.timers):
            yield ("sessions", "timers", index, "remedy"), timer.remedy, "remedies"
        for index, exercise in enumerate(self.routine.order):
            yield ("sessions", "routine", "order", index), exercise, "exercises"


@dataclass(frozen=True)
class KnowledgeBaseFile(Model):
    """One YAML file: any subset of the sections. Files are merged into one base."""

    meta: Meta | None = None
    overview: list[Overview] = field(default_factory=list)
    causes: list[Entry] = field(default_factory=list)
    remedies: list[Entry] = field(default_factory=list)
    lifestyle: list[Entry] = field(default_factory=list)
    prevention: list[Entry] = field(default_factory=list)
    faq: list[Entry] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    red_flags: list[RedFlag] = field(default_factory=list)
    care_levels: list[CareLevel] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    fallback: Fallback | None = None
    triage: Triage | None = None
    plan: Plan | None = None
    sessions: Sessions | None = None


#: Sections whose items carry an `id`, in the order `kb validate` reports them.
LIST_SECTIONS: tuple[str, ...] = (
    "overview",
    "causes",
    "remedies",
    "lifestyle",
    "prevention",
    "faq",
    "exercises",
    "red_flags",
    "care_levels",
    "regions",
)
#: Sections that appear once in the merged base.
SINGLE_SECTIONS: tuple[str, ...] = ("meta", "fallback")
#: Sections that appear at most once and may be missing (`spasm check`, `plan`, `timer`).
OPTIONAL_SECTIONS: tuple[str, ...] = ("triage", "plan", "sessions")
#: Sections whose items are advice entries that a plan step may point at.
ENTRY_SECTIONS: tuple[str, ...] = tuple(
    name
    for name in LIST_SECTIONS
    if name not in ("overview", "red_flags", "care_levels", "regions")
)


@cache
def validator() -> TypeAdapter[KnowledgeBaseFile]:
    """pydantic's validator for one file, built on first use (it costs tens of ms)."""
    from pydantic import TypeAdapter

    return TypeAdapter(KnowledgeBaseFile)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a knowledge-base file (`spasm kb schema`)."""
    return validator().json_schema()
