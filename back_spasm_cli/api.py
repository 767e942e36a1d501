"""spasm as a library: the same core the CLI uses, returning plain data (dicts and lists
that `json.dumps` accepts), never printing. It proves the core stands without the CLI.

    from back_spasm_cli import Advisor

    advisor = Advisor(region="uk")
    advisor.lookup("remedy", "hot water bottle")["id"]      # 'heat'
    [e["id"] for e in advisor.entries("cause")]              # every cause
    advisor.numbers()["emergency"]                           # '999 (United Kingdom emergency)'

Errors are the CLI's: `back_spasm_cli.errors.NotFoundError` for a name that matches
nothing, `UsageError` for a bad argument, `KnowledgeBaseError` for an invalid base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from back_spasm_cli.errors import UsageError

if TYPE_CHECKING:
    from back_spasm_cli.kb import KnowledgeBase
    from back_spasm_cli.regions import Numbers


class Advisor:
    """Lookups, search, questions, triage and plans over one knowledge base and region."""

    def __init__(self, kb_path: str | None = None, region: str | None = None) -> None:
        self.kb_path = kb_path
        self.region = region
        self._knowledge: KnowledgeBase | None = None

    @property
    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            from back_spasm_cli import kb

            self._knowledge = kb.load(self.kb_path)
        return self._knowledge

    def _numbers(self) -> Numbers:
        from back_spasm_cli import regions

        content = self.knowledge.content
        return regions.numbers(content, regions.resolve(content, self.region))

    def numbers(self) -> dict[str, Any]:
        """Whom to call: the region's emergency and urgent numbers, named with the country."""
        return dict(self._numbers().as_json())

    def entries(self, kind: str) -> list[dict[str, Any]]:
        """Every entry of a kind (cause, remedy, prevention, lifestyle, faq, exercise)."""
        found = _kind(kind)
        return [
            {"kind": found.name, **item.to_data()}
            for item in getattr(self.knowledge.content, found.section)
        ]

    def lookup(self, kind: str, name: str) -> dict[str, Any]:
        """One entry by id, title, alias or a close spelling, as `spasm remedy NAME` finds
        it (an entry of another kind that the name fits exactly is found there too)."""
        from back_spasm_cli import lookup

        found, match = lookup.resolve_anywhere(self.knowledge.content, _kind(kind), name.split())
        return {"kind": found.name, "how": match.how, **match.item.to_data()}  # type: ignore[attr-defined]

    def red_flags(self) -> list[dict[str, Any]]:
        """Every warning sign with its care level, most urgent first."""
        from back_spasm_cli.schema import LEVEL_ORDER

        flags = sorted(
            self.knowledge.content.red_flags, key=lambda flag: -LEVEL_ORDER.index(flag.level)
        )
        return [flag.to_data() for flag in flags]


def _kind(name: str) -> Any:
    from back_spasm_cli.kinds import KINDS

    if name not in KINDS:
        raise UsageError(f"unknown kind {name!r}; known: {', '.join(KINDS)}")
    return KINDS[name]
