"""`spasm plan`: a phased self-care plan from the triage answers, and its handout.

A plan is only ever built when no red flag is present. Any red flag, at any level, gives
the care-level message with its number and reasons and no self-care steps. The words of
every step come from the `plan:` section of the knowledge base; this module picks the
phase for the days since onset, looks entries up by id and arranges them. Never prints.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from back_spasm_cli import triage as engine
from back_spasm_cli.document import Bullets, Document, Section
from back_spasm_cli.errors import UsageError
from back_spasm_cli.kb import KnowledgeBase, iter_items
from back_spasm_cli.kinds import KIND_BY_SECTION, open_command
from back_spasm_cli.regions import Numbers
from back_spasm_cli.schema import KnowledgeBaseFile, Plan, PlanPhase

#: Handout formats by file suffix.
HANDOUT_SUFFIXES: dict[str, str] = {".md": "markdown", ".html": "html"}


@dataclass(frozen=True)
class EntryRef:
    id: str
    title: str
    summary: str
    command: str

    def as_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "command": self.command,
        }

    @property
    def line(self) -> str:
        return f"{self.title}: {self.summary} See: {self.command}"


def require(content: KnowledgeBaseFile) -> Plan:
    engine.require(content)
    if content.plan is None:
        raise UsageError(
            "this knowledge base has no `plan:` section, so `spasm plan` has nothing to show",
            details=["add one (see docs/triage.md), or use the shipped knowledge base"],
        )
    return content.plan


def _entries(content: KnowledgeBaseFile) -> dict[str, EntryRef]:
    refs: dict[str, EntryRef] = {}
    for section, item in iter_items(content):
        kind = KIND_BY_SECTION.get(section)
        if kind is None or not hasattr(item, "summary"):
            continue
        refs[item.id] = EntryRef(item.id, item.title, item.summary, open_command(kind, item.id))
    return refs


def phases_for(plan: Plan, days: int | None) -> list[PlanPhase]:
    """The phase that `days` falls in and every later one (all of them when unknown)."""
    if days is None:
        return list(plan.phases)
    start = 0
    for index, phase in enumerate(plan.phases):
        if phase.from_day <= days:
            start = index
    return list(plan.phases[start:])


def build(
    kb: KnowledgeBase, numbers: Numbers, outcome: engine.Outcome, answers: engine.Answers
) -> Document:
    """The plan, or (over any red flag) only the care-level message and its reasons."""
    from back_spasm_cli.views import frame

    content = kb.content
    plan = require(content)
    triage = engine.require(content)
    payload: dict[str, Any] = engine.level_json(content, numbers, outcome, answers)
    payload.update(phases=[], cause=None, prevention=[], get_help=[])
    if outcome.red_flag:
        return frame.finish(
            content,
            engine.result_sections(content, numbers, outcome),
            payload,
        )

    refs = _entries(content)
    sections: list[Section] = []
    banner = frame.safety_section(content, numbers)
    if banner is not None:
        sections.append(banner)

    for phase in phases_for(plan, answers.days):
        steps = []
        items = []
        for step in phase.steps:
            ref = refs.get(step.entry) if step.entry else None
            steps.append(
                {"text": step.text, "entry": step.entry, "command": ref.command if ref else None}
            )
            items.append(f"{step.text} See: {ref.command}" if ref else step.text)
        payload["phases"].append(
            {"id": phase.id, "title": phase.title, "intro": phase.intro, "steps": steps}
        )
        sections.append(
            Section(
                title=phase.title,
                subtitle=f"plan: {phase.id}",
                tone="self-care",
                paragraphs=(phase.intro,) if phase.intro else (),
                lists=(Bullets("", tuple(items), ordered=True),),
            )
        )

    advice = next((c for c in plan.causes if c.started == answers.started), None)
    label = engine.started_label(triage, answers.started)
    if advice is not None and label is not None:
        read = [refs[entry_id] for entry_id in advice.entries if entry_id in refs]
        payload["cause"] = {
            "started": advice.started,
            "label": label,
            "text": advice.text,
            "entries": [ref.as_json() for ref in read],
        }
        sections.append(
            Section(
                title=label,
                subtitle=f"started: {advice.started}",
                tone="info",
                paragraphs=(advice.text,) if advice.text else (),
                lists=(Bullets("Read more", tuple(ref.line for ref in read)),) if read else (),
            )
        )

    habits = [refs[entry_id] for entry_id in plan.prevention if entry_id in refs]
    payload["prevention"] = [ref.as_json() for ref in habits]
    if habits:
        sections.append(
            Section(
                title="Habits to adopt",
                tone="info",
                lists=(Bullets("", tuple(ref.line for ref in habits)),),
            )
        )

    help_items = [(item.level, numbers.fill(item.text)) for item in plan.get_help]
    payload["get_help"] = [{"level": level, "text": text} for level, text in help_items]
    sections.append(
        Section(
            title="When to get help",
            tone="gp",
            lists=(Bullets("", tuple(text for _, text in help_items)),),
        )
    )

    return frame.finish(content, sections, payload, shows=["remedy"])


# --------------------------------------------------------------------------- handout


def handout_format(path: Path) -> str:
    """ "markdown" or "html" from the suffix; a usage error for any other."""
    fmt = HANDOUT_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        suffix = repr(path.suffix) if path.suffix else "no suffix"
        raise UsageError(f"{path}: a handout is Markdown (.md) or HTML (.html), not {suffix}")
    return fmt


def check_target(path: Path, *, force: bool) -> str:
    """Refuse early what `write_handout` would refuse, before any question is asked."""
    fmt = handout_format(path)
    if not path.parent.is_dir():
        raise UsageError(f"{path}: the folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; name a file")
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to replace it")
    return fmt


def handout(kb: KnowledgeBase, document: Document, answers: engine.Answers, today: str) -> Document:
    """The plan with a header: the date and every answer given (for a clinician)."""
    content = kb.content
    title = content.meta.title if content.meta else "spasm"
    header = Section(
        title="Back spasm: answers and plan",
        tone="note",
        facts=(("Date", today), ("From", title)),
    )
    answered = Section(
        title="Answers given",
        tone="note",
        lists=(Bullets("", tuple(engine.answer_lines(content, answers))),),
    )
    return Document(
        # The verdict (care level, or the plan) before the answers that led to it.
        sections=(header, *document.sections, answered),
        footer=document.footer,
        payload=document.payload,
    )


def render_handout(document: Document, fmt: str) -> str:
    if fmt == "markdown":
        from back_spasm_cli.render.markdown import render_markdown

        return render_markdown(document)
    from back_spasm_cli.render.html import render_html

    return render_html(document)


def write_handout(path: Path, text: str, *, force: bool) -> None:
    """Write all of `text` or nothing: a temp file in the same folder, then into place.

    Without `force` an existing file is never replaced, even one that appeared since
    `check_target` looked (the final step is a hard link, which refuses to overwrite).
    """
    try:
        _write_new(path, text, force=force)
    except OSError as err:
        raise UsageError(f"{path}: cannot write the handout ({err.strerror or err})") from None


def _write_new(path: Path, text: str, *, force: bool) -> None:
    handle, temp_name = tempfile.mkstemp(prefix=".spasm-", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if force:
            os.replace(temp, path)
            return
        try:
            os.link(temp, path)
        except FileExistsError:
            raise UsageError(f"{path} already exists; use --force to replace it") from None
        except OSError:
            # Some file systems have no hard links: check, then move into place.
            if path.exists():
                raise UsageError(f"{path} already exists; use --force to replace it") from None
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
