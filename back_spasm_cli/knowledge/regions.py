"""Which emergency and urgent numbers to show: `--region`, else SPASM_REGION, else the
remembered region (`spasm config set region`), else the locale; else every region's.

A number is always shown with its country (the labels in data/ say so): "111" is the
emergency number in New Zealand but non-emergency NHS advice in the UK. With no region
known, every region's emergency number is given on one line, never a bare "your local
emergency number".
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from back_spasm_cli.errors import UsageError

if TYPE_CHECKING:  # annotations only: picking a region needs no validation library
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile, Region

_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order of precedence


class Numbers(NamedTuple):
    """The labels to fill `{emergency}` and `{urgent}` with, and the region behind them.

    `emergency_short` is the number alone (for the safety strip); `emergency` may add
    what to do elsewhere."""

    region: Region | None
    emergency: str
    urgent: str
    emergency_short: str = ""

    def fill(self, template: str) -> str:
        return template.replace("{emergency}", self.emergency).replace("{urgent}", self.urgent)

    def fill_short(self, template: str) -> str:
        return template.replace("{emergency}", self.emergency_short or self.emergency)

    def as_json(self) -> dict[str, object]:
        return {
            "region": self.region.id if self.region else None,
            "country": self.region.name if self.region else None,
            "emergency": self.emergency,
            "urgent": self.urgent,
        }


def country_from_locale(environ: Mapping[str, str] | None = None) -> str | None:
    """`en_GB.UTF-8` -> "GB"; None for C, POSIX or no locale. The first variable that is
    set wins (LC_ALL, then LC_MESSAGES, then LANG), as in gettext."""
    env = os.environ if environ is None else environ
    for name in _LOCALE_VARS:
        value = env.get(name, "")
        if value:
            match = re.match(r"^[a-zA-Z]{2,3}_([A-Za-z]{2})\b", value)
            return match.group(1).upper() if match else None
    return None


def _slug(text: str) -> str:
    """`España` -> "espana", `New Zealand` -> "new-zealand"."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.strip().casefold()).strip("-")


def find(content: KnowledgeBaseFile, name: str) -> Region | None:
    """The region a name stands for: its id, one of its aliases (`gb`, `england`,
    `germany`), its full name, or one of its ISO country codes."""
    wanted = _slug(name)
    for region in content.regions:
        names = {region.id, _slug(region.name), *region.aliases}
        names |= {code.casefold() for code in region.countries}
        if wanted in names:
            return region
    return None


def resolve(
    content: KnowledgeBaseFile, code: str | None, remembered: str | None = None
) -> Region | None:
    """The region named by `code` (--region or SPASM_REGION), else the remembered one,
    else the locale's country; None when unknown."""
    for given, origin in ((code, "region"), (remembered, "remembered region")):
        if given and given.strip():
            region = find(content, given)
            if region is None:
                known = ", ".join(region.id for region in content.regions) or "none defined"
                raise UsageError(
                    f"unknown {origin} {given!r}; known regions: {known}"
                    " (country names such as england, usa or germany work too)"
                )
            return region
    country = country_from_locale()
    if country:
        for region in content.regions:
            if country in region.countries:
                return region
    return None


def every_emergency_number(content: KnowledgeBaseFile) -> str:
    """ "UK 999 · US, Canada and Mexico 911 · EU 112 · …": regions that share a number are
    named together."""
    by_number: dict[str, list[str]] = {}
    for region in content.regions:
        if _within_another(content, region):
            continue  # Spain within the EU, both 112: the EU says it
        by_number.setdefault(region.emergency.number, []).append(region.short_name or region.name)
    return " · ".join(f"{join_names(names)} {number}" for number, names in by_number.items())


def _within_another(content: KnowledgeBaseFile, region: Region) -> bool:
    """Whether another region with the same emergency number holds all its countries."""
    countries = set(region.countries)
    return bool(countries) and any(
        other is not region
        and other.emergency.number == region.emergency.number
        and countries < set(other.countries)
        for other in content.regions
    )


def join_names(names: list[str]) -> str:
    """ "US", "US and Canada", "US, Canada and Mexico" (in the interface's language)."""
    from back_spasm_cli.system.i18n import _

    if len(names) < 2:
        return "".join(names)
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def numbers(content: KnowledgeBaseFile, region: Region | None) -> Numbers:
    fallback = content.fallback
    if region is not None:
        urgent = region.urgent.label if region.urgent else (fallback.urgent if fallback else "")
        return Numbers(region, region.emergency.label, urgent, region.emergency.label)
    every = every_emergency_number(content)
    elsewhere = fallback.emergency if fallback else ""
    emergency = f"{every} ({elsewhere})" if every and elsewhere else every or elsewhere
    return Numbers(None, emergency, fallback.urgent if fallback else "", every or elsewhere)
