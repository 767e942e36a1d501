"""spasm as a library: the same core the CLI uses, returning plain data (dicts and lists
that `json.dumps` accepts), never printing. It proves the core stands without the CLI.

    from back_spasm_cli import Advisor

    advisor = Advisor(region="uk")
    advisor.lookup("remedy", "hot water bottle")["id"]      # 'heat'
    [e["id"] for e in advisor.entries("cause")]              # every cause
    advisor.numbers()["emergency"]                           # '999 (United Kingdom emergency)'
    advisor.search("pain after lifting")["results"][0]["id"]
    advisor.ask("ice or heat?", days=1)["answer"][0]["id"]   # 'rest-and-ice'
    advisor.check(has=["fever"])["level"]                    # 'urgent'
    advisor.plan(started="lifting", days=1)["phases"]

search, ask, check and plan return exactly what `--format json` prints for the same
question (documented in docs/search.md and docs/triage.md). The library saves nothing:
saving check answers is the CLI's (`spasm check`).

Errors are the CLI's: `back_spasm_cli.errors.NotFoundError` for a name that matches
nothing, `UsageError` for a bad argument, `KnowledgeBaseError` for an invalid base.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from back_spasm_cli.errors import UsageError

if TYPE_CHECKING:
    from back_spasm_cli.knowledge.kb import KnowledgeBase
    from back_spasm_cli.knowledge.regions import Numbers


class Advisor:
    """Lookups, search, questions, triage and plans over one knowledge base and region."""

    def __init__(
        self,
        kb_path: str | None = None,
        region: str | None = None,
        overlays: tuple[str, ...] = (),
    ) -> None:
        self.kb_path = kb_path
        self.overlays = tuple(overlays)
        self.region = region
        self._knowledge: KnowledgeBase | None = None

    @property
    def knowledge(self) -> KnowledgeBase:
        if self._knowledge is None:
            from back_spasm_cli.knowledge import kb

            self._knowledge = kb.load(self.kb_path, overlays=self.overlays)
        return self._knowledge

    def _numbers(self) -> Numbers:
        from back_spasm_cli.knowledge import regions

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
        from back_spasm_cli.knowledge import lookup

        found, match = lookup.resolve_anywhere(self.knowledge.content, _kind(kind), name.split())
        return {"kind": found.name, "how": match.how, **match.item.to_data()}  # type: ignore[attr-defined]

    def red_flags(self) -> list[dict[str, Any]]:
        """Every warning sign with its care level, most urgent first."""
        from back_spasm_cli.knowledge.schema import LEVEL_ORDER

        flags = sorted(
            self.knowledge.content.red_flags, key=lambda flag: -LEVEL_ORDER.index(flag.level)
        )
        return [flag.to_data() for flag in flags]

    def search(self, words: str, *, limit: int = 5, kind: str | None = None) -> dict[str, Any]:
        """Ranked entries for `words`, a red flag in them first (as `spasm search`)."""
        from back_spasm_cli.advice import queries
        from back_spasm_cli.views import search as view

        found = queries.search(self.knowledge, words, limit=limit, kind=kind)
        document = view.search_results(
            self.knowledge, self._numbers(), found.results, found.flags, check=found.check
        )
        return dict(document.payload)

    def ask(self, question: str, *, days: int | None = None) -> dict[str, Any]:
        """The entries that answer `question`, red flags first (as `spasm ask`); `days`
        since the spasm started orders ice or heat."""
        from back_spasm_cli.advice import queries
        from back_spasm_cli.views import search as view

        asked = queries.ask(self.knowledge, question, days=days, saved_days=False)
        return dict(view.ask_answer(self.knowledge, self._numbers(), asked.answer).payload)

    def _verdict(
        self,
        has: list[str],
        unsure: list[str],
        started: str | None,
        age_band: str | None,
        days: int | None,
        severity: int | None,
    ) -> tuple[Any, Any, Numbers]:
        from back_spasm_cli.advice import triage

        content = self.knowledge.content
        answers = triage.answers_from_options(
            content,
            has,
            unsure,
            no_others=True,  # a library call answers every sign: the ones not given are "no"
            started=started,
            age_band=age_band,
            days=days,
            severity=severity,
        )
        numbers = self._numbers()
        return triage.verdict(content, answers, numbers), answers, numbers

    def check(
        self,
        has: list[str] | None = None,
        unsure: list[str] | None = None,
        *,
        started: str | None = None,
        age_band: str | None = None,
        days: int | None = None,
        severity: int | None = None,
    ) -> dict[str, Any]:
        """The care level for these answers (red-flag ids in `has` and `unsure`, every
        other sign "no"), with its reasons and the number to call (as `spasm check`)."""
        from back_spasm_cli.views import triage as view

        verdict, answers, numbers = self._verdict(
            has or [], unsure or [], started, age_band, days, severity
        )
        return dict(view.check(self.knowledge, numbers, verdict, answers).payload)

    def plan(
        self,
        has: list[str] | None = None,
        unsure: list[str] | None = None,
        *,
        started: str | None = None,
        age_band: str | None = None,
        days: int | None = None,
        severity: int | None = None,
    ) -> dict[str, Any]:
        """The self-care plan for these answers; none over an urgent or emergency sign."""
        from back_spasm_cli.advice import plan as planner
        from back_spasm_cli.views import triage as view

        verdict, answers, numbers = self._verdict(
            has or [], unsure or [], started, age_band, days, severity
        )
        data = planner.build(self.knowledge.content, verdict, answers, numbers)
        return dict(view.plan(self.knowledge, numbers, verdict, answers, data).payload)


def _kind(name: str) -> Any:
    from back_spasm_cli.knowledge.kinds import KINDS

    if name not in KINDS:
        raise UsageError(f"unknown kind {name!r}; known: {', '.join(KINDS)}")
    return KINDS[name]
