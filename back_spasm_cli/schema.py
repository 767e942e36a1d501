"""The knowledge-base schema: every YAML file in data/ must fit these models.

Models are strict (unknown keys and wrong types are errors) and frozen. Their schema is
built lazily (`defer_build`) so that commands served from the validated cache do not pay
for it at start-up.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

SCHEMA_VERSION = 1

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
