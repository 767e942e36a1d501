"""The flow of `spasm check` and `spasm plan`, in one place: gather the answers (options,
then recent saved ones, then the diary and the questions on a terminal), refuse any red-flag
sign left unanswered, reach the verdict (and the plan), save the answers.

The terminal is the caller's: questions go through a `Prompter` (None when nobody can be
asked). Nothing here prints; what could not be read is returned as `problems`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from back_spasm_cli.advice import triage
from back_spasm_cli.errors import NotFoundError, SpasmError, UsageError
from back_spasm_cli.system.i18n import _, ngettext

if TYPE_CHECKING:
    from pathlib import Path

    from back_spasm_cli.advice.plan import PlanData
    from back_spasm_cli.knowledge.regions import Numbers
    from back_spasm_cli.knowledge.schema import KnowledgeBaseFile, Region
    from back_spasm_cli.personal.diary import FlagHit
    from back_spasm_cli.personal.records import SavedCheck


@dataclass(frozen=True)
class Given:
    """The answers given as options: the one bundle `check`, `plan` and the library share."""

    has: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    no_others: bool = False
    started: str | None = None
    age_band: str | None = None
    days: int | None = None
    severity: int | None = None

    def answers(self, content: KnowledgeBaseFile) -> triage.CheckAnswers:
        return triage.answers_from_options(
            content,
            list(self.has),
            list(self.unsure),
            no_others=self.no_others,
            started=self.started,
            age_band=self.age_band,
            days=self.days,
            severity=self.severity,
        )

    def any(self) -> bool:
        return bool(self.has or self.unsure or self.no_others) or any(
            value is not None for value in (self.started, self.age_band, self.days, self.severity)
        )


class Prompter(Protocol):
    """What a terminal offers the flow (cli/triage_commands.py has the real one)."""

    def reuse(self, saved_at: dt.datetime, now: dt.datetime) -> bool:
        """Use the answers saved at `saved_at`?"""

    def diary_flag(self, hit: FlagHit) -> bool:
        """Is what the diary says (`hit`) right?"""

    def ask_all(
        self, content: KnowledgeBaseFile, answers: triage.CheckAnswers, *, ask_region: bool
    ) -> tuple[triage.CheckAnswers, int]:
        """Ask every question left open; the answers and how many were answered."""


@dataclass(frozen=True)
class Outcome:
    """Answers and verdict (and, for `plan`, the plan), with what the caller should say."""

    answers: triage.CheckAnswers
    new: bool  # given now (worth saving), not reused
    numbers: Numbers
    verdict: triage.Verdict
    reused_at: dt.datetime | None = None  # saved answers reused, without asking
    plan: PlanData | None = None
    problems: tuple[SpasmError, ...] = field(default=())


def run(
    content: KnowledgeBaseFile,
    given: Given,
    *,
    region: Region | None,
    now: dt.datetime,
    reuse: bool = False,
    prompter: Prompter | None = None,
    with_plan: bool = False,
) -> Outcome:
    """The answers, the verdict and (`with_plan`) the plan. `region` is the one asked for
    (else the saved answers' region); `reuse` lets recent saved answers stand in for none
    given; `prompter` asks on a terminal. Refuses (UsageError) any sign still unanswered."""
    problems: list[SpasmError] = []
    answers, new, reused_at = _collect(
        content, given, region=region, now=now, reuse=reuse, prompter=prompter, problems=problems
    )
    numbers = numbers_for(content, region, answers)
    verdict = triage.verdict(content, answers, numbers)
    data = None
    if with_plan:
        from back_spasm_cli.advice import plan as planner

        data = planner.build(content, verdict, answers, numbers)
    return Outcome(answers, new, numbers, verdict, reused_at, data, tuple(problems))


def numbers_for(
    content: KnowledgeBaseFile, region: Region | None, answers: triage.CheckAnswers
) -> Numbers:
    """The numbers to call: the region asked for, else the one the answers name."""
    from back_spasm_cli.knowledge import regions

    if region is None and answers.region:
        region = next((r for r in content.regions if r.id == answers.region), None)
    return regions.numbers(content, region)


def _collect(
    content: KnowledgeBaseFile,
    given: Given,
    *,
    region: Region | None,
    now: dt.datetime,
    reuse: bool,
    prompter: Prompter | None,
    problems: list[SpasmError],
) -> tuple[triage.CheckAnswers, bool, dt.datetime | None]:
    answers, new, reused_at = given.answers(content), True, None
    if reuse and not given.no_others and not triage.given_any(answers):
        from back_spasm_cli.personal.records import REUSE_FOR

        saved = last_saved(REUSE_FOR, problems, now=now)
        if saved is not None:
            prior = triage.forget_unknown(
                content, triage.CheckAnswers.from_data(saved.answers).aged(saved.at, now)
            )
            if prompter is None or prompter.reuse(saved.at, now):
                answers, new = prior, False
                reused_at = saved.at if prompter is None else None
    if region is not None:
        answers.region = region.id
    elif answers.region is None:
        remembered = last_saved(None, problems, now=now)
        if remembered is not None:
            answers.region = triage.forget_unknown(
                content, triage.CheckAnswers.from_data(remembered.answers)
            ).region
    if prompter is not None:
        answers, confirmed = _confirm_diary_flags(content, answers, prompter, now, problems)
        answers, asked = prompter.ask_all(content, answers, ask_region=answers.region is None)
        new = new or asked > 0 or confirmed
    gaps = triage.missing(content, answers)
    if gaps:
        count = sum(len(gap.signs) for gap in gaps)
        raise UsageError(
            ngettext(
                "{count} red-flag sign has no answer, and spasm never takes silence as 'no'",
                "{count} red-flag signs have no answer, and spasm never takes silence as 'no'",
                count,
            ).format(count=count),
            details=[str(gap) for gap in gaps]
            + [
                _(
                    "give --has ID (or --unsure ID) for each sign you have and --no-others for"
                    " the rest, or run spasm in a terminal to be asked"
                ),
            ],
        )
    return answers, new, reused_at


def _confirm_diary_flags(
    content: KnowledgeBaseFile,
    answers: triage.CheckAnswers,
    prompter: Prompter,
    now: dt.datetime,
    problems: list[SpasmError],
) -> tuple[triage.CheckAnswers, bool]:
    """What the diary already says (pain for two weeks, pain getting worse) is put to the
    person to confirm, instead of asking the sign's question again."""
    from back_spasm_cli.personal import diary, storage

    try:
        conn = storage.private_db(write=False)
        try:
            hits = diary.flags(conn, now.date(), content)
        finally:
            conn.close()
    except storage.PrivateDataError as err:
        problems.append(SpasmError(f"the diary was not read: {err.message}"))
        return answers, False  # the questions are asked as usual
    except (OSError, sqlite3.Error) as err:
        problems.append(SpasmError(f"the diary was not read: {err}"))
        return answers, False
    known = {flag.id for flag in content.red_flags}
    confirmed = False
    for hit in hits:
        if hit.red_flag not in known or hit.red_flag in answers.signs:
            continue
        agreed = prompter.diary_flag(hit)
        answers = answers.copy()
        answers.signs[hit.red_flag] = "yes" if agreed else "no"
        confirmed = True
    return answers, confirmed


def last_saved(
    max_age: dt.timedelta | None,
    problems: list[SpasmError],
    *,
    now: dt.datetime | None = None,
) -> SavedCheck | None:
    """The newest saved check (None when nothing is saved or the file cannot be read: then
    why is added to `problems`, once)."""
    from back_spasm_cli.personal import records, storage

    if not storage.private_db_path().exists():
        return None
    try:
        conn = storage.private_db(write=False)
    except storage.PrivateDataError as err:
        if all(p.message != err.message for p in problems):
            problems.append(err)
        return None
    try:
        return records.last_check(conn, max_age, now=now)
    except sqlite3.Error as err:  # damaged past what quick_check saw: go on without it
        problems.append(storage.explain(err, conn.path, ""))
        return None
    finally:
        conn.close()


@dataclass(frozen=True)
class Last:
    """The last saved check as shown again (`spasm check --last`)."""

    saved: SavedCheck
    answers: triage.CheckAnswers
    numbers: Numbers
    verdict: triage.Verdict
    problems: tuple[SpasmError, ...]


def last(content: KnowledgeBaseFile, region: Region | None, now: dt.datetime) -> Last:
    """The saved verdict, its answers aged to `now`, and today's numbers for its level."""
    problems: list[SpasmError] = []
    saved = last_saved(None, problems, now=now)
    if saved is None:
        raise NotFoundError("no saved check yet: run `spasm check`")
    answers = triage.forget_unknown(
        content, triage.CheckAnswers.from_data(saved.answers).aged(saved.at, now)
    )
    numbers = numbers_for(content, region, answers)
    kept = triage.Verdict.from_data(saved.verdict)
    verdict = triage.Verdict(
        kept.level, kept.reasons, kept.unsure, triage.call_label(kept.level, numbers)
    )
    return Last(saved, answers, numbers, verdict, tuple(problems))


def save(answers: triage.CheckAnswers, verdict: triage.Verdict) -> Path:
    """Save the answers and the verdict in the private database; the file written.
    SpasmError when they cannot be saved (the caller says so: the verdict stands)."""
    from back_spasm_cli.personal import records, storage

    try:
        conn = storage.private_db()
    except storage.PrivateDataError as err:
        raise SpasmError(f"your answers were not saved: {err.message}") from None
    try:
        storage.write(
            conn,
            lambda c: records.save_check(c, answers.to_data(), dict(verdict.to_data())),
            "your answers were not saved",
        )
    finally:
        conn.close()
    return storage.private_db_path()
