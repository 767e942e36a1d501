"""Which emergency and urgent numbers to show: `--region`, else the locale, else words.

A number is always shown with its country (the labels in data/ say so): "111" is the
emergency number in New Zealand but non-emergency NHS advice in the UK.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from back_spasm_cli.errors import UsageError

if TYPE_CHECKING:  # annotations only: picking a region needs no pydantic
    from back_spasm_cli.schema import KnowledgeBaseFile, Region

_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order of precedence


class Numbers(NamedTuple):
    """The labels to fill `{emergency}` and `{urgent}` with, and the region behind them."""

    region: Region | None
    emergency: str
    urgent: str

    def fill(self, template: str) -> str:
        return template.replace("{emergency}", self.emergency).replace("{urgent}", self.urgent)

    def as_json(self) -> dict[str, object]:
        return {
            "region": self.region.id if self.region else None,
            "country": self.region.name if self.region else None,
            "emergency": self.emergency,
            "urgent": self.urgent,
        }


def country_from_locale(environ: Mapping[str, str] | None = None) -> str | None:
    """`en_GB.UTF-8` -> "GB"; None for C, POSIX or no locale."""
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARS:
        value = env.get(name, "")
        if value:
            match = re.match(r"^[a-zA-Z]{2,3}_([A-Za-z]{2})\b", value)
            return match.group(1).upper() if match else None
    return None


def resolve(content: KnowledgeBaseFile, code: str | None) -> Region | None:
    """The region named by `code`, or detected from the locale; None when unknown."""
    if code:
        wanted = code.strip().lower()
        for region in content.regions:
            if region.id == wanted:
                return region
        known = ", ".join(region.id for region in content.regions) or "none defined"
        raise UsageError(f"unknown region {code!r}; known regions: {known}")
    country = country_from_locale()
    if country:
        for region in content.regions:
            if country in region.countries:
                return region
    return None


def numbers(content: KnowledgeBaseFile, region: Region | None) -> Numbers:
    fallback = content.fallback
    emergency = fallback.emergency if fallback else ""
    urgent = fallback.urgent if fallback else ""
    if region is not None:
        emergency = region.emergency.label
        if region.urgent is not None:
            urgent = region.urgent.label
    return Numbers(region, emergency, urgent)
