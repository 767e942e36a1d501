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

from back_spasm_cli.version import SCHEMA_VERSION as SCHEMA_VERSION

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
        before: Callable[[Any], Any] | None = None,
    ) -> None:
        self.kind = kind
        self.pattern, self.min_length, self.max_length = pattern, min_length, max_length
        self.ge, self.le, self.after, self.before = ge, le, after, before

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
        if self.before is not None:
            schema = core_schema.no_info_before_validator_function(self.before, schema)
        return schema


class Doc:
    """A field's description, for `spasm kb schema` (editors show it)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        json_schema = handler(schema)
        json_schema["description"] = self.text
        return json_schema


#: A source that is a named clinician or organisation: `- clinician: "Riverside Physio"`,
#: kept as the text "clinician: Riverside Physio".
CLINICIAN = "clinician: "


def _check_source(value: str) -> str:
    if value == "seed" or re.match(r"^https?://[^\s]+$", value):
        return value
    if value.startswith(CLINICIAN) and value[len(CLINICIAN) :].strip():
        return value
    raise ValueError(
        "a source is 'seed' (the founding article), an http(s) URL, or"
        ' `clinician: "a named clinician or organisation"`'
    )


def _clinician_source(value: Any) -> Any:
    """`{clinician: NAME}` -> "clinician: NAME"; anything else is left to the str check."""
    if (
        isinstance(value, dict)
        and list(value) == ["clinician"]
        and isinstance(value["clinician"], str)
    ):
        return CLINICIAN + " ".join(value["clinician"].split())
    return value


Slug = Annotated[str, Check(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Text = Annotated[str, Check(max_length=4000)]
Line = Annotated[str, Check(max_length=400)]
Flag = Annotated[bool, Check("bool")]
Source = Annotated[str, Check(max_length=2000, after=_check_source, before=_clinician_source)]


class _NonEmpty:
    """A list with at least one item (used as `Annotated[list[X], NON_EMPTY]`)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema["min_length"] = 1
        return schema


NON_EMPTY = _NonEmpty()
Sources = Annotated[
    list[Source],
    NON_EMPTY,
    Doc("'seed' (the founding article), URLs, or `clinician: NAME` (a clinician or clinic)."),
]

Level = Literal["emergency", "urgent", "gp", "self-care"]
FlagLevel = Literal["emergency", "urgent", "gp"]
#: Care levels from least to most urgent; an answer may only move a person up this list.
LEVEL_ORDER: tuple[Level, ...] = ("self-care", "gp", "urgent", "emergency")


def raise_level(current: Level, other: Level) -> Level:
    """The more urgent of two levels: an answer can only raise the care level."""
    return max(current, other, key=LEVEL_ORDER.index)


class Model:
    """Base of every schema type: read-only data, validated by pydantic from YAML.

    Read-only is kept here, once, rather than by `dataclass(frozen=True)`, which writes
    new __setattr__, __delattr__, __eq__, __hash__ and __repr__ functions for each of the
    types and doubled the cost of importing this module on every start: a field can be
    set once (by __init__ or the unpickler), never again; equality is identity."""

    __pydantic_config__ = _CONFIG

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    def to_data(self) -> dict[str, Any]:
        """The item as JSON-ready data."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(repr=False, eq=False)
class Entry(Model):
    """One piece of advice: a cause, remedy, prevention habit, lifestyle change or FAQ."""

    id: Slug
    title: Line
    summary: Annotated[Text, Doc("One line, shown in lists.")]
    sources: Sources
    answer: Annotated[
        Line | None,
        Doc("The one sentence that answers the question: `spasm ask` shows it first."),
    ] = None
    medicines: Annotated[
        Flag, Doc("It names medicines: the view ends with the medication notice.")
    ] = False
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


@dataclass(repr=False, eq=False)
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


@dataclass(repr=False, eq=False)
class RedFlag(Model):
    """A symptom that means self-care should stop, with the care level it needs."""

    id: Slug
    level: FlagLevel
    title: Annotated[Line, Doc("The symptom, in plain words.")]
    question: Annotated[Line, Doc("The yes/no question, when it is asked on its own.")]
    explain: Annotated[Text, Doc("Shown when the user answers '?'.")]
    sources: Sources
    aliases: list[Line] = field(default_factory=list)
    evidence: list[Text] = field(default_factory=list)
    sign: Annotated[
        Line | None, Doc("The short line in a `spasm check` checklist (default: the title).")
    ] = None


@dataclass(repr=False, eq=False)
class CareLevel(Model):
    """What to do at one care level. `{emergency}` and `{urgent}` are filled per region."""

    id: Level
    title: Line
    action: Text
    sources: Sources


@dataclass(repr=False, eq=False)
class Phone(Model):
    number: Annotated[str, Check(pattern=r"^[0-9 ]{2,16}$")]
    label: Annotated[Line, Doc("Always names the country with the number.")]
    notes: list[Text] = field(default_factory=list)


@dataclass(repr=False, eq=False)
class Region(Model):
    id: Slug
    name: Line
    emergency: Phone
    sources: Sources
    short_name: Annotated[
        Line | None, Doc("For the one line of every region's number: 'UK', 'US and Canada'.")
    ] = None
    aliases: Annotated[
        list[Slug], Doc("Other names `--region` accepts: gb, england, usa, germany…")
    ] = field(default_factory=list)
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


@dataclass(repr=False, eq=False)
class Fallback(Model):
    """Used when no region is known, after every region's number: never a bare number."""

    emergency: Line
    urgent: Line


@dataclass(repr=False, eq=False)
class Meta(Model):
    title: Line
    disclaimer: Annotated[Line, Doc("The one-line disclaimer that ends every advice view.")]
    doctor_pointer: Annotated[Line, Doc("The pointer to `spasm doctor`.")]
    medication_notice: Annotated[Text, Doc("No doses beyond: follow the label or ask.")]
    sources: Sources
    emergency_signs: Annotated[
        Line | None,
        Doc(
            "The gravest signs in a few words, opening every safety strip"
            " (default: the emergency red flags' titles)."
        ),
    ] = None
    check_pointer: Annotated[
        Text | None,
        Doc(
            "Said when words sound like a warning sign but match none, or one read as "
            "someone else's or in the past: go through the signs with `spasm check`."
        ),
    ] = None
    strip_call: Annotated[
        Line | None,
        Doc(
            "The strip's second line: the number (`{emergency}`) and `spasm doctor`"
            " (default: the emergency care level's action)."
        ),
    ] = None
    trusted_hosts: Annotated[
        list[Annotated[str, Check(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", max_length=200)]],
        Doc(
            "Hosts a source URL may name (a host or any subdomain of it): trusted bodies"
            " and publishers of named papers. Checked by knowledge/sources.py."
        ),
    ] = field(default_factory=list)


@dataclass(repr=False, eq=False)
class Overview(Model):
    id: Slug
    title: Line
    summary: Text
    body: Annotated[list[Text], NON_EMPTY]
    sources: Sources


Count = Annotated[int, Check("int", ge=0, le=100_000)]
Severity = Annotated[int, Check("int", ge=0, le=10)]


@dataclass(repr=False, eq=False)
class ChoiceOption(Model):
    """One answer to a choice question, e.g. "how did it start?" (`--started ID`)."""

    id: Slug
    label: Line
    sources: Sources


@dataclass(repr=False, eq=False)
class ContextQuestion(Model):
    """A question `spasm check` asks in its own words, with a plain-words explanation."""

    question: Line
    explain: Annotated[Text, Doc("Shown when the user answers '?'.")]
    sources: Sources


@dataclass(repr=False, eq=False)
class ChoiceQuestion(ContextQuestion):
    options: Annotated[list[ChoiceOption], NON_EMPTY]

    def __post_init__(self) -> None:
        ids = [option.id for option in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("option ids must be unique")


@dataclass(repr=False, eq=False)
class RegionQuestion(ContextQuestion):
    """ "Where are you?": the options are the regions, then `elsewhere`."""

    elsewhere: Annotated[Line, Doc("The last option: none of the regions.")]


@dataclass(repr=False, eq=False)
class Conditions(Model):
    """What the answers must say; every condition given must hold."""

    started: Annotated[list[Slug], Doc("How it started is one of these option ids.")] = field(
        default_factory=list
    )
    age_bands: Annotated[list[Slug], Doc("The age band is one of these option ids.")] = field(
        default_factory=list
    )
    days_at_least: Annotated[Count | None, Doc("Days since onset >= N.")] = None
    severity_at_least: Annotated[Severity | None, Doc("Worst pain >= N (0-10).")] = None
    signs: Annotated[list[Slug], Doc("Any of these red flags was answered yes or not sure.")] = (
        field(default_factory=list)
    )

    def is_empty(self) -> bool:
        return not (
            self.started
            or self.age_bands
            or self.signs
            or self.days_at_least is not None
            or self.severity_at_least is not None
        )


@dataclass(repr=False, eq=False)
class TriageRule(Model):
    """Raises a red flag from the answers (context answers, other signs)."""

    id: Slug
    symptom: Annotated[Slug, Doc("The red-flag id raised; its level applies.")]
    when: Conditions
    sources: Sources

    def __post_init__(self) -> None:
        if self.when.is_empty():
            raise ValueError(
                "a rule needs a condition: started, age_bands, days_at_least,"
                " severity_at_least or signs"
            )


MAX_CHECKLIST = 5


@dataclass(repr=False, eq=False)
class Checklist(Model):
    """Red-flag signs asked together: "Do any of these apply to you?" (at most five)."""

    id: Slug
    signs: Annotated[list[Slug], NON_EMPTY, Doc("Red-flag ids, most urgent list first.")]
    sources: Sources
    cramps: Annotated[
        Flag, Doc("Asked only when the cramps gate question is answered yes or not sure.")
    ] = False
    only: Annotated[dict[Slug, Conditions], Doc("Signs asked only when these conditions hold.")] = (
        field(default_factory=dict)
    )

    def __post_init__(self) -> None:
        if len(self.signs) > MAX_CHECKLIST:
            raise ValueError(f"a checklist has at most {MAX_CHECKLIST} signs")
        if len(set(self.signs)) != len(self.signs):
            raise ValueError("a sign appears once in a checklist")
        stray = sorted(set(self.only) - set(self.signs))
        if stray:
            raise ValueError(f"`only` names signs not in this checklist: {', '.join(stray)}")


@dataclass(repr=False, eq=False)
class Triage(Model):
    """`spasm check`: context questions first, then red-flag checklists, then rules."""

    region: RegionQuestion
    started: ChoiceQuestion
    age_band: ChoiceQuestion
    days: ContextQuestion
    severity: ContextQuestion
    checklist: Annotated[ContextQuestion, Doc('"Do any of these apply to you?"')]
    cramps: Annotated[ContextQuestion, Doc("The gate before the cramp-only checklists.")]
    checklists: Annotated[list[Checklist], NON_EMPTY]
    rules: list[TriageRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        for what, ids in (
            ("checklist", [checklist.id for checklist in self.checklists]),
            ("rule", [rule.id for rule in self.rules]),
        ):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{what} ids must be unique")
        known = {
            "started": {option.id for option in self.started.options},
            "age_bands": {option.id for option in self.age_band.options},
        }
        conditions = [rule.when for rule in self.rules] + [
            when for checklist in self.checklists for when in checklist.only.values()
        ]
        for when in conditions:
            for name, options in known.items():
                unknown = sorted(set(getattr(when, name)) - options)
                if unknown:
                    raise ValueError(f"{name}: unknown option id {', '.join(map(repr, unknown))}")

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for index, rule in enumerate(self.rules):
            yield ("triage", "rules", index, "symptom"), rule.symptom, "red_flags"
            for s, sign in enumerate(rule.when.signs):
                yield ("triage", "rules", index, "when", "signs", s), sign, "red_flags"
        for c, checklist in enumerate(self.checklists):
            for s, sign in enumerate(checklist.signs):
                yield ("triage", "checklists", c, "signs", s), sign, "red_flags"
            for key, when in checklist.only.items():
                for s, sign in enumerate(when.signs):
                    yield ("triage", "checklists", c, "only", key, "signs", s), sign, "red_flags"


@dataclass(repr=False, eq=False)
class PlanStep(Model):
    text: Annotated[Text, Doc("The step in a few words of its own.")]
    sources: Sources
    entry: Annotated[Slug | None, Doc("The entry that explains it.")] = None


@dataclass(repr=False, eq=False)
class TodayLine(Model):
    """One short line of what to do today (`spasm check` shows them under self-care)."""

    text: Annotated[Line, Doc("May use `{emergency}` and `{urgent}`.")]
    sources: Sources


MAX_TODAY = 6


@dataclass(repr=False, eq=False)
class PlanPhase(Model):
    id: Slug
    title: Line
    from_day: Annotated[Count, Doc("The first day (0 = the day it started).")]
    steps: Annotated[list[PlanStep], NON_EMPTY]
    sources: Sources
    intro: Text | None = None
    today: Annotated[
        list[TodayLine], Doc(f"At most {MAX_TODAY} lines for today, shown by `spasm check`.")
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.today) > MAX_TODAY:
            raise ValueError(f"`today` has at most {MAX_TODAY} lines")


@dataclass(repr=False, eq=False)
class CauseAdvice(Model):
    """Advice for the likely trigger: a `triage.started` option and entries to read."""

    started: Slug
    sources: Sources
    text: Text | None = None
    entries: list[Slug] = field(default_factory=list)


@dataclass(repr=False, eq=False)
class GetHelp(Model):
    level: FlagLevel
    text: Annotated[Text, Doc("May use `{emergency}` and `{urgent}`.")]
    sources: Sources


@dataclass(repr=False, eq=False)
class Meanwhile(Model):
    """At the gp level: the heading the self-care plan is shown under, with a line."""

    title: Line
    text: Text
    sources: Sources


@dataclass(repr=False, eq=False)
class Plan(Model):
    """`spasm plan`: phases of self-care, cause advice, prevention, when to get help."""

    phases: Annotated[list[PlanPhase], NON_EMPTY]
    get_help: Annotated[list[GetHelp], NON_EMPTY]
    meanwhile: Annotated[Meanwhile, Doc("At the gp level, the plan comes under this.")]
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


# --------------------------------------------------------------------------- words


#: The Snowball languages (snowballstemmer 3); the words data may name any of them.
STEMMER_LANGUAGES = frozenset(
    (
        "arabic",
        "armenian",
        "basque",
        "catalan",
        "czech",
        "danish",
        "dutch",
        "dutch_porter",
        "english",
        "esperanto",
        "estonian",
        "finnish",
        "french",
        "german",
        "greek",
        "hindi",
        "hungarian",
        "indonesian",
        "irish",
        "italian",
        "lithuanian",
        "nepali",
        "norwegian",
        "persian",
        "polish",
        "porter",
        "portuguese",
        "romanian",
        "russian",
        "serbian",
        "sesotho",
        "spanish",
        "swedish",
        "tamil",
        "turkish",
        "yiddish",
    )
)
Term = Annotated[str, Check(max_length=200), Doc("Words, matched stemmed and in order.")]


@dataclass(repr=False, eq=False)
class Concept(Model):
    """A group of words that mean one thing (`numb`: numb, tingling, pins and needles...).

    A term is one or more words, matched in order with up to `Words.gap` other words
    between them, each stemmed and forgiving of one typo in words of 5+ letters. `=word`
    matches that word exactly (no stemming: `=legs` is not `leg`); `#` matches a number
    within `numbers`.
    """

    id: Slug
    terms: Annotated[list[Term], NON_EMPTY]
    numbers: Annotated[
        list[Annotated[int, Check("int", ge=0, le=100_000)]],
        Doc("[lowest, highest]: the numbers `#` stands for."),
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.numbers and (len(self.numbers) != 2 or self.numbers[0] > self.numbers[1]):
            raise ValueError("numbers is [lowest, highest]")
        if any("#" in term for term in self.terms) and not self.numbers:
            raise ValueError("a term with `#` needs `numbers: [lowest, highest]`")


@dataclass(repr=False, eq=False)
class Shapes(Model):
    """How words are recognised: whole phrasings, or concepts that appear together."""

    phrases: Annotated[list[Term], Doc("Any one of these is enough.")] = field(default_factory=list)
    together: Annotated[
        list[Annotated[list[Slug], NON_EMPTY]],
        Doc("Each a list of concept ids that must all appear (not negated), close together."),
    ] = field(default_factory=list)
    within: Annotated[
        Annotated[int, Check("int", ge=1, le=200)] | None,
        Doc("Words that may span one `together` match (default: Words.within)."),
    ] = None


@dataclass(repr=False, eq=False)
class FlagWords(Shapes):
    """The words people use for one red flag."""

    flag: Annotated[Slug, Doc("The red-flag id.")] = ""
    keep: Annotated[
        list[Slug],
        Doc("Context cues that do not set this sign aside (a history of cancer counts)."),
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.flag:
            raise ValueError("flag (a red-flag id) is required")
        if not (self.phrases or self.together):
            raise ValueError("give phrases or together")


@dataclass(repr=False, eq=False)
class DayChoice(Model):
    """Which entries come first from a day since onset on (day 0 = the day it started)."""

    from_day: Count
    entries: Annotated[list[Slug], NON_EMPTY]
    text: Annotated[Text, Doc("Why this order, shown above the entries.")]
    sources: Sources


@dataclass(repr=False, eq=False)
class Intent(Shapes):
    """A kind of question `spasm ask` answers, and the entries that answer it (best first).

    Intents are tried in file order: put the specific ones (ice or heat, driving) before
    the general ones (what helps, how long).
    """

    id: Slug = ""
    entries: Annotated[list[Slug], Doc("Entries that answer it; ranked by the words.")] = field(
        default_factory=list
    )
    show_all: Annotated[
        Flag, Doc("Show every entry in full (a comparison, such as ice or heat).")
    ] = False
    check: Annotated[
        Flag, Doc("Point the person to `spasm check` (a frightened question: is it serious?).")
    ] = False
    by_day: Annotated[
        list[DayChoice], Doc("Order by days since onset (the first applies when unknown).")
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.id or not self.entries:
            raise ValueError("an intent needs an id and entries")
        if not (self.phrases or self.together):
            raise ValueError("give phrases or together")
        days = [choice.from_day for choice in self.by_day]
        if days and (days[0] != 0 or days != sorted(set(days))):
            raise ValueError("by_day starts at from_day 0 and goes up strictly")


@dataclass(repr=False, eq=False)
class Negation(Model):
    """Words that say a sign is absent: "no fever", "I'm not numb", "bowels are fine"."""

    before: Annotated[list[Term], NON_EMPTY, Doc("Cues before the words they negate.")]
    after: Annotated[list[Term], Doc('Cues after them ("... is fine").')] = field(
        default_factory=list
    )
    breaks: Annotated[list[Term], Doc("Words that end a cue's reach, like a comma.")] = field(
        default_factory=list
    )
    reach: Annotated[int, Check("int", ge=1, le=20), Doc("Words a cue reaches.")] = 6


@dataclass(repr=False, eq=False)
class NumberWords(Model):
    """Numbers said in words ("fifteen", "seventy four"), read as digits for `#`."""

    units: Annotated[list[Term], Doc("zero, one, ... nineteen: the value is the position.")] = (
        field(default_factory=list)
    )
    tens: Annotated[list[Term], Doc("twenty, thirty, ... ninety: 20, 30, ... 90.")] = field(
        default_factory=list
    )
    joiners: Annotated[list[Term], Doc('Words between tens and units ("y" in Spanish).')] = field(
        default_factory=list
    )


@dataclass(repr=False, eq=False)
class Context(Model):
    """Whose and when: cues that set a sign aside as someone else's ("my son has a fever")
    or past and resolved ("had a fever years ago", "cancer scare, all clear"). Matched like
    negation cues; a sign set aside raises nothing by itself, and points to `spasm check`.
    """

    id: Slug
    before: Annotated[list[Term], Doc("Cues before the sign's words.")] = field(
        default_factory=list
    )
    after: Annotated[list[Term], Doc("Cues after them.")] = field(default_factory=list)
    reach: Annotated[int, Check("int", ge=1, le=40), Doc("Words a cue reaches.")] = 8
    scope: Annotated[
        Literal["clause", "sentence"],
        Doc("Where a cue's reach ends: a clause (commas, `breaks`) or a sentence (. ! ?)."),
    ] = "clause"
    ends: Annotated[
        list[Term], Doc('Words that end a cue\'s reach ("I", "me": the person again).')
    ] = field(default_factory=list)
    unless: Annotated[
        list[Term],
        Doc(
            "Words anywhere in the text that undo these cues: the person asks for someone "
            'now ("his back has gone"), or the sign is back ("it\'s come back").'
        ),
    ] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (self.before or self.after):
            raise ValueError("give before or after")


@dataclass(repr=False, eq=False)
class Words(Model):
    """`words:` the everyday words for red flags and the shapes of questions."""

    negation: Negation
    language: Annotated[
        str,
        Doc("The Snowball stemmer's language for these words (english, spanish, ...)."),
    ] = "english"
    number_words: NumberWords | None = None
    stop_words: Annotated[
        list[Term], Doc("Words that carry no meaning for a search (how, the, my ...).")
    ] = field(default_factory=list)
    context: Annotated[
        list[Context], Doc("Whose and when: someone else's signs, and past resolved ones.")
    ] = field(default_factory=list)
    check: Annotated[
        list[Slug],
        Doc(
            "Concepts (feeling, numbness, wetting, a fall) that send the person to "
            "`spasm check` when they match no sign."
        ),
    ] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    flags: list[FlagWords] = field(default_factory=list)
    intents: list[Intent] = field(default_factory=list)
    ignore: Annotated[list[Term], Doc('Phrasings that mean something else ("knees to chest").')] = (
        field(default_factory=list)
    )
    gap: Annotated[int, Check("int", ge=0, le=5), Doc("Other words allowed inside a term.")] = 2
    within: Annotated[int, Check("int", ge=1, le=200)] = 12

    def __post_init__(self) -> None:
        if self.language not in STEMMER_LANGUAGES:
            raise ValueError(f"language: no stemmer for {self.language!r}")
        known = {concept.id for concept in self.concepts}
        if len(known) != len(self.concepts):
            raise ValueError("concept ids must be unique")
        missing = [c for c in self.check if c not in known]
        if missing:
            raise ValueError(f"check: no concept {', '.join(map(repr, missing))}")
        contexts = {c.id for c in self.context}
        for flag in self.flags:
            unknown = [c for c in flag.keep if c not in contexts]
            if unknown:
                raise ValueError(f"flag {flag.flag!r}: keep: no context {unknown!r}")
        intents = [intent.id for intent in self.intents]
        if len(set(intents)) != len(intents):
            raise ValueError("intent ids must be unique")
        for what, shapes in (
            *((f"flag {f.flag!r}", f) for f in self.flags),
            *((f"intent {i.id!r}", i) for i in self.intents),
        ):
            for group in shapes.together:
                missing = [c for c in group if c not in known]
                if missing:
                    raise ValueError(f"{what}: no concept {', '.join(map(repr, missing))}")

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for index, flag in enumerate(self.flags):
            yield ("words", "flags", index, "flag"), flag.flag, "red_flags"
        for i, intent in enumerate(self.intents):
            for e, entry in enumerate(intent.entries):
                yield ("words", "intents", i, "entries", e), entry, "entries"
            for d, choice in enumerate(intent.by_day):
                for e, entry in enumerate(choice.entries):
                    yield ("words", "intents", i, "by_day", d, "entries", e), entry, "entries"


@dataclass(repr=False, eq=False)
class DiaryFlag(Model):
    """A flag raised from the pain diary: shown by `spasm trends`, offered to `spasm check`."""

    id: Slug
    level: FlagLevel
    title: Annotated[Line, Doc("The finding, in plain words.")]
    text: Annotated[Text, Doc("What to do about it.")]
    sources: Sources
    red_flag: Annotated[
        Slug | None, Doc("The red flag whose question in `spasm check` this finding answers.")
    ] = None


@dataclass(repr=False, eq=False)
class Diary(Model):
    """The pain diary (`spasm trends`): when its flags are raised, and the texts shown."""

    persistent: Annotated[DiaryFlag, Doc("Pain recorded over `persistent_days` or more.")]
    worsening: Annotated[DiaryFlag, Doc("Pain clearly rising over the last `worsening_days`.")]
    not_proof: Annotated[Text, Doc("Shown with 'what seemed to help'.")]
    sources: Sources
    persistent_days: Annotated[Count, Doc("Days from the episode's first to its last entry.")]
    worsening_days: Annotated[Count, Doc("The window, in days up to today, for `worsening`.")]
    worsening_rise: Annotated[Severity, Doc("Points of pain the fitted line must rise by.")]
    worsening_entries: Annotated[Count, Doc("Fewest entries in the window to judge a trend.")]
    episode_gap_days: Annotated[
        Count, Doc("A longer gap between entries, or an entry of pain 0, ends an episode.")
    ]

    def references(self) -> Iterator[tuple[tuple[int | str, ...], str, str]]:
        """(location, id, table) for every id this section points at."""
        for name in ("persistent", "worsening"):
            flag: DiaryFlag = getattr(self, name)
            if flag.red_flag is not None:
                yield ("diary", name, "red_flag"), flag.red_flag, "red_flags"


@dataclass(repr=False, eq=False)
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


@dataclass(repr=False, eq=False)
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


@dataclass(repr=False, eq=False)
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


@dataclass(repr=False, eq=False)
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
    diary: Diary | None = None
    words: Words | None = None
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
#: Sections that appear at most once and may be missing (check, plan, diary, words, sessions).
OPTIONAL_SECTIONS: tuple[str, ...] = ("triage", "plan", "diary", "words", "sessions")
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
