"""The knowledge-base schema: every YAML file in data/ must fit these models.

Models are strict (unknown keys and wrong types are errors) and frozen. Their schema is
built lazily (`defer_build`) so that commands served from the validated cache do not pay
for it at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from back_spasm_cli import SCHEMA_VERSION as SCHEMA_VERSION  # defined beside __version__

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=64),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]


def _check_source(value: str) -> str:
    if value == "seed" or re.match(r"^https?://[^\s]+$", value):
        return value
    raise ValueError("a source is 'seed' (the founding article) or an http(s) URL")


Source = Annotated[str, AfterValidator(_check_source)]
Sources = Annotated[list[Source], Field(min_length=1)]

Level = Literal["emergency", "urgent", "gp", "self-care"]
#: Care levels from least to most urgent; an answer may only move a person up this list.
LEVEL_ORDER: tuple[Level, ...] = ("self-care", "gp", "urgent", "emergency")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    def to_data(self) -> dict[str, Any]:
        """The model as JSON-ready data, like `model_dump(mode="json")` for these
        JSON-native models, without building pydantic's serializer on start-up."""
        return {name: _plain(getattr(self, name)) for name in type(self).model_fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Strict):
        return value.to_data()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


class Entry(Strict):
    """One piece of advice: a cause, remedy, prevention habit, lifestyle change or FAQ."""

    id: Slug
    title: Line
    aliases: list[Line] = Field(
        default_factory=list, description="Words people type for this entry."
    )
    summary: Text = Field(description="One line, shown in lists.")
    body: list[Text] = Field(default_factory=list, description="Paragraphs.")
    steps: list[Text] = Field(default_factory=list, description="How to do it, in order.")
    duration: Text | None = Field(default=None, description="How long, how often.")
    tips: list[Text] = Field(default_factory=list)
    cautions: list[Text] = Field(default_factory=list, description="Safety first.")
    evidence: list[Text] = Field(
        default_factory=list, description="Where trusted sources qualify the article."
    )
    related: list[Slug] = Field(default_factory=list, description="Ids of other entries.")
    sources: Sources


class Exercise(Strict):
    """A guided exercise with its holds and repetitions as the sources give them."""

    id: Slug
    title: Line
    aliases: list[Line] = Field(default_factory=list)
    summary: Text
    position: Text = Field(description="The starting position.")
    steps: list[Text] = Field(min_length=1)
    hold_seconds: Annotated[int, Field(ge=0, le=600)] | None = Field(
        default=None, description="Seconds to hold, where the source gives one."
    )
    hold: Line | None = Field(default=None, description="How long to hold, in words.")
    repetitions: Line | None = Field(default=None, description="Repetitions, in words.")
    cautions: list[Text] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)
    sources: Sources


class RedFlag(Strict):
    """A symptom that means self-care should stop, with the care level it needs."""

    id: Slug
    level: Literal["emergency", "urgent", "gp"]
    title: Line = Field(description="The symptom, in plain words.")
    aliases: list[Line] = Field(default_factory=list)
    question: Line = Field(description="A yes/no question asked by `spasm check`.")
    explain: Text = Field(description="Shown when the user answers '?'.")
    evidence: list[Text] = Field(default_factory=list)
    sources: Sources


class CareLevel(Strict):
    """What to do at one care level. `{emergency}` and `{urgent}` are filled per region."""

    id: Level
    title: Line
    action: Text
    sources: Sources


class Phone(Strict):
    number: Annotated[str, StringConstraints(pattern=r"^[0-9 ]{2,16}$")]
    label: Line = Field(description="Always names the country with the number.")
    notes: list[Text] = Field(default_factory=list)


class Region(Strict):
    id: Slug
    name: Line
    countries: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = Field(
        default_factory=list, description="ISO 3166 codes read from the locale (en_GB -> GB)."
    )
    emergency: Phone
    urgent: Phone | None = Field(default=None, description="Urgent but not life-threatening.")
    sources: Sources

    @model_validator(mode="after")
    def _numbers_name_the_country(self) -> Region:
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
        return self


class Fallback(Strict):
    """Used when no region is known: never a bare number."""

    emergency: Line
    urgent: Line


class Meta(Strict):
    title: Line
    disclaimer: Line = Field(description="The one-line disclaimer that ends every advice view.")
    doctor_pointer: Line = Field(description="The pointer to `spasm doctor`.")
    medication_notice: Text = Field(description="No doses beyond: follow the label or ask.")
    sources: Sources


class Overview(Strict):
    id: Slug
    title: Line
    summary: Text
    body: list[Text] = Field(min_length=1)
    sources: Sources


Count = Annotated[int, Field(ge=0, le=100_000)]
Severity = Annotated[int, Field(ge=0, le=10)]


class StartOption(Strict):
    """One answer to "how did it start?" (`spasm check --started ID`)."""

    id: Slug
    label: Line
    sources: Sources


class ContextQuestion(Strict):
    """A question about the spasm itself, asked after the red-flag questions."""

    question: Line
    explain: Text = Field(description="Shown when the user answers '?'.")
    sources: Sources


class StartedQuestion(ContextQuestion):
    options: list[StartOption] = Field(min_length=1)


class TriageRule(Strict):
    """Raises a red flag from the context answers: every condition given must hold."""

    id: Slug
    symptom: Slug = Field(description="The red-flag id raised; its level applies.")
    days_at_least: Count | None = Field(default=None, description="Days since onset >= N.")
    severity_at_least: Severity | None = Field(default=None, description="Severity >= N.")
    daily_activities: bool | None = Field(
        default=None, description="Holds when the daily-activities answer equals this."
    )
    replaces_question: bool = Field(
        default=False,
        description="The context questions answer this red flag, so its own question is not asked.",
    )
    sources: Sources

    @model_validator(mode="after")
    def _has_condition(self) -> TriageRule:
        if (
            self.days_at_least is None
            and self.severity_at_least is None
            and self.daily_activities is None
        ):
            raise ValueError(
                "a rule needs a condition: days_at_least, severity_at_least or daily_activities"
            )
        return self


class Triage(Strict):
    """`spasm check`: the context questions and the rules derived from their answers."""

    started: StartedQuestion
    days: ContextQuestion
    severity: ContextQuestion
    daily_activities: ContextQuestion
    rules: list[TriageRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Triage:
        for what, ids in (
            ("option", [option.id for option in self.started.options]),
            ("rule", [rule.id for rule in self.rules]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{what} ids must be unique")
        return self

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for index, rule in enumerate(self.rules):
            yield ("triage", "rules", index, "symptom"), rule.symptom, "red_flags"


class PlanStep(Strict):
    text: Text = Field(description="The step in a few words of its own.")
    entry: Slug | None = Field(default=None, description="The entry that explains it.")
    sources: Sources


class PlanPhase(Strict):
    id: Slug
    title: Line
    from_day: Count = Field(description="The first day (0 = the day it started).")
    intro: Text | None = None
    steps: list[PlanStep] = Field(min_length=1)
    sources: Sources


class CauseAdvice(Strict):
    """Advice for the likely trigger: a `triage.started` option and entries to read."""

    started: Slug
    text: Text | None = None
    entries: list[Slug] = Field(default_factory=list)
    sources: Sources


class GetHelp(Strict):
    level: Literal["emergency", "urgent", "gp"]
    text: Text = Field(description="May use `{emergency}` and `{urgent}`.")
    sources: Sources


class Plan(Strict):
    """`spasm plan`: phases of self-care, cause advice, prevention, when to get help."""

    phases: list[PlanPhase] = Field(min_length=1)
    causes: list[CauseAdvice] = Field(default_factory=list)
    prevention: list[Slug] = Field(default_factory=list, description="Prevention entry ids.")
    get_help: list[GetHelp] = Field(min_length=1)

    @model_validator(mode="after")
    def _phases_in_order(self) -> Plan:
        days = [phase.from_day for phase in self.phases]
        if days[0] != 0 or days != sorted(set(days)):
            raise ValueError("phases start at from_day 0 and go up strictly")
        ids = [phase.id for phase in self.phases]
        if len(set(ids)) != len(ids):
            raise ValueError("phase ids must be unique")
        return self

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


class KnowledgeBaseFile(Strict):
    """One YAML file: any subset of the sections. Files are merged into one base."""

    meta: Meta | None = None
    overview: list[Overview] = Field(default_factory=list)
    causes: list[Entry] = Field(default_factory=list)
    remedies: list[Entry] = Field(default_factory=list)
    lifestyle: list[Entry] = Field(default_factory=list)
    prevention: list[Entry] = Field(default_factory=list)
    faq: list[Entry] = Field(default_factory=list)
    exercises: list[Exercise] = Field(default_factory=list)
    red_flags: list[RedFlag] = Field(default_factory=list)
    care_levels: list[CareLevel] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)
    fallback: Fallback | None = None
    triage: Triage | None = None
    plan: Plan | None = None


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
#: Sections that appear at most once and may be missing (`spasm check` and `spasm plan`).
OPTIONAL_SECTIONS: tuple[str, ...] = ("triage", "plan")
#: Sections whose items are advice entries that a plan step may point at.
ENTRY_SECTIONS: tuple[str, ...] = tuple(
    name
    for name in LIST_SECTIONS
    if name not in ("overview", "red_flags", "care_levels", "regions")
)
