"""The kinds of entry people can look up, and the knowledge-base section each lives in."""

from __future__ import annotations

from typing import NamedTuple


class Kind(NamedTuple):
    name: str  # as typed: `--kind remedy`, and as shown in JSON
    section: str  # attribute of KnowledgeBaseFile
    plural: str
    command: str  # the command that opens one: `spasm remedy heat`
    by_name: bool = True  # False: the command shows them all (`spasm doctor`)


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("cause", "causes", "causes", "causes"),
        Kind("remedy", "remedies", "remedies", "remedy"),
        Kind("prevention", "prevention", "prevention strategies", "prevent"),
        Kind("lifestyle", "lifestyle", "lifestyle changes", "lifestyle"),
        Kind("faq", "faq", "questions", "faq"),
        Kind("exercise", "exercises", "exercises", "exercises"),
        Kind("red-flag", "red_flags", "red flags", "doctor", by_name=False),
    )
}
KIND_BY_SECTION: dict[str, Kind] = {kind.section: kind for kind in KINDS.values()}


def open_command(kind: Kind, item_id: str) -> str:
    """The command that opens an entry: `spasm remedy heat`; a red flag: `spasm doctor`,
    which lists them all by level. The one place this is spelled out."""
    return f"spasm {kind.command} {item_id}" if kind.by_name else f"spasm {kind.command}"
