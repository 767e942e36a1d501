"""The diary as an HL7 FHIR R4 Bundle (type `collection`), and back.

Each diary entry is an Observation coded LOINC 72514-3 ("Pain severity - 0-10 verbal
numeric rating [Score] - Reported", category `survey`, `valueInteger` 0-10,
`effectiveDateTime` with the entry's UTC offset); where it hurts is the `bodySite`, the
trigger and what helped are `component`s, and the free-text note is a `note` only when
asked for. Each guided session is a Procedure (`code.text` says what was done,
`performedPeriod` when, `status` completed or stopped, `outcome` how it went, the planned
length an extension). The first resource is a List that says what the bundle holds: the
period, the counts and whether notes are included. Every resource's id is the record's
UUID, so an import merges by it (docs/diary.md, "FHIR").

Plain JSON in and out: the runtime does not need fhir.resources (the tests validate every
bundle with it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from back_spasm_cli.personal.diary import (
    AREAS,
    OUTCOMES,
    SIDES,
    Entry,
    ImportRefused,
    Row,
    RowError,
    Session,
    Vocabulary,
    check_row,
    check_session,
    now_utc,
    repeats,
)

LOINC = "http://loinc.org"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
#: spasm's own code systems (URNs: nothing to resolve on the network).
SYSTEM = "urn:spasm"
AREA_SYSTEM = f"{SYSTEM}:body-area"
SIDE_SYSTEM = f"{SYSTEM}:body-side"
LEG_SYSTEM = f"{SYSTEM}:spreads-into-leg"
COMPONENT_SYSTEM = f"{SYSTEM}:diary-component"
TRIGGER_SYSTEM = f"{SYSTEM}:trigger"
HELPED_SYSTEM = f"{SYSTEM}:remedy-or-exercise"
SESSION_SYSTEM = f"{SYSTEM}:session"
OUTCOME_SYSTEM = f"{SYSTEM}:session-outcome"
TAG_SYSTEM = f"{SYSTEM}:export"
EXT_PLANNED = f"{SYSTEM}:planned-seconds"
EXT_DETAILS = f"{SYSTEM}:session-details"
EXT_LOCAL_ID = f"{SYSTEM}:local-id"
EXT_LOGGED = f"{SYSTEM}:logged"
NOTES_LEFT_OUT = "notes-left-out"
NOTES_INCLUDED = "notes-included"

_OUTCOME_TEXT = {
    "completed": "Finished as planned",
    "stopped": "Stopped before the planned end",
    "worse": "Stopped: it made the pain worse",
}
_SESSION_TEXT = {
    "ice": "Ice pack, timed with spasm timer",
    "heat": "Heat, timed with spasm timer",
    "routine": "Gentle exercise routine, timed with spasm routine",
}


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def _where(entry: Entry) -> str:
    parts = [f"{entry.area} back"] if entry.area else []
    if entry.side:
        parts.append("both sides" if entry.side == "both" else f"{entry.side} side")
    if entry.leg:
        parts.append("spreading into a leg")
    return ", ".join(parts)


def _local_ext(item: Entry | Session) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if item.id is not None:
        found.append({"url": EXT_LOCAL_ID, "valueInteger": item.id})
    if item.logged:
        found.append({"url": EXT_LOGGED, "valueDateTime": item.logged})
    return found


def observation(entry: Entry, vocab: Vocabulary | None, *, notes: bool) -> dict[str, Any]:
    """One diary entry as a FHIR R4 Observation."""
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": entry.uuid,
        "meta": {"lastUpdated": entry.changed or entry.logged},
        "extension": _local_ext(entry),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{entry.uuid}"}],
        "status": "final",
        "category": [
            {"coding": [_coding(CATEGORY, "survey", "Survey")], "text": "Survey"},
        ],
        "code": {
            "coding": [_coding(LOINC, PAIN_CODE, PAIN_DISPLAY)],
            "text": "Pain severity, 0-10 (self-reported in spasm's diary)",
        },
        "subject": {"display": "The person keeping this diary"},
        "effectiveDateTime": entry.moment,
        "valueInteger": entry.pain,
    }
    if not resource["extension"]:
        del resource["extension"]
    if entry.logged:
        resource["issued"] = entry.logged
    site: list[dict[str, str]] = []
    if entry.area:
        site.append(_coding(AREA_SYSTEM, entry.area, f"{entry.area} back"))
    if entry.side:
        site.append(_coding(SIDE_SYSTEM, entry.side, f"{entry.side} side"))
    if entry.leg:
        site.append(_coding(LEG_SYSTEM, "leg", "spreading into a leg"))
    if site:
        resource["bodySite"] = {"coding": site, "text": _where(entry)}
    components: list[dict[str, Any]] = []
    if entry.trigger:
        label = vocab.triggers.get(entry.trigger, entry.trigger) if vocab else entry.trigger
        components.append(
            {
                "code": {
                    "coding": [_coding(COMPONENT_SYSTEM, "trigger", "What set it off")],
                    "text": "What set it off",
                },
                "valueCodeableConcept": {
                    "coding": [_coding(TRIGGER_SYSTEM, entry.trigger, label)],
                    "text": label,
                },
            }
        )
    for item in entry.helped:
        label = (vocab.helped.get(item) if vocab else None) or entry.titles().get(item) or item
        components.append(
            {
                "code": {
                    "coding": [_coding(COMPONENT_SYSTEM, "helped", "What was tried")],
                    "text": "What was tried",
                },
                "valueCodeableConcept": {
                    "coding": [_coding(HELPED_SYSTEM, item, label)],
                    "text": label,
                },
            }
        )
    if components:
        resource["component"] = components
    if notes and entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def procedure(session: Session) -> dict[str, Any]:
    """One guided session as a FHIR R4 Procedure."""
    label = session.label
    text = _SESSION_TEXT.get(label, f"{label} (spasm session)")
    start = session.start.isoformat(timespec="seconds")
    end = session.end.isoformat(timespec="seconds")
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": session.uuid,
        "meta": {"lastUpdated": session.changed or session.logged},
        "extension": [
            *_local_ext(session),
            {"url": EXT_PLANNED, "valueInteger": session.planned_seconds},
            {"url": EXT_DETAILS, "valueString": session.details},
        ],
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{session.uuid}"}],
        "status": "completed" if session.outcome == "completed" else "stopped",
        "code": {
            "coding": [_coding(SESSION_SYSTEM, f"{session.kind}:{session.what}", text)],
            "text": text,
        },
        "subject": {"display": "The person keeping this diary"},
        "performedPeriod": {"start": start, "end": end},
        "outcome": {
            "coding": [_coding(OUTCOME_SYSTEM, session.outcome, _OUTCOME_TEXT[session.outcome])],
            "text": _OUTCOME_TEXT[session.outcome],
        },
    }
    if session.outcome == "worse":
        resource["complication"] = [{"text": "Pain got worse during the session"}]
    return resource


def summary(entries: Sequence[Entry], sessions: Sequence[Session], *, notes: bool) -> str:
    """What the bundle holds, in one sentence (the List's note)."""
    times = sorted([e.at for e in entries] + [s.at for s in sessions])
    period = f"from {times[0][:10]} to {times[-1][:10]}" if times else "no records"
    left = (
        "free-text notes are included"
        if notes
        else "free-text notes are left out (export with --notes to include them)"
    )
    return (
        f"spasm pain diary, {period}: {len(entries)} pain entr"
        f"{'y' if len(entries) == 1 else 'ies'} (Observation) and {len(sessions)} guided"
        f" session{'' if len(sessions) == 1 else 's'} (Procedure); {left}."
    )


def export_bundle(
    entries: Sequence[Entry],
    sessions: Sequence[Session],
    *,
    notes: bool = False,
    vocab: Vocabulary | None = None,
    now: str | None = None,
) -> str:
    """Entries and sessions (oldest first) as a FHIR R4 Bundle of type collection."""
    import uuid

    stamp = now or now_utc()
    resources = [observation(e, vocab, notes=notes) for e in entries]
    resources += [procedure(s) for s in sessions]
    described = summary(entries, sessions, notes=notes)
    contents: dict[str, Any] = {
        "resourceType": "List",
        "id": str(uuid.uuid4()),
        "status": "current",
        "mode": "snapshot",
        "title": "What this export contains",
        "date": stamp,
        "note": [{"text": described}],
        "entry": [{"item": {"reference": f"urn:uuid:{r['id']}"}} for r in resources],
    }
    if not resources:
        del contents["entry"]
        contents["emptyReason"] = {"text": "The diary is empty"}
    bundle = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {
            "lastUpdated": stamp,
            "tag": [
                _coding(TAG_SYSTEM, NOTES_INCLUDED if notes else NOTES_LEFT_OUT),
            ],
        },
        "type": "collection",
        "timestamp": stamp,
        "entry": [
            {"fullUrl": f"urn:uuid:{contents['id']}", "resource": contents},
            *({"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources),
        ],
    }
    return json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"


# --------------------------------------------------------------------------- import


def has_notes(text: str) -> bool:
    """False when the bundle says its notes were left out (compared as unknown then)."""
    try:
        tags = json.loads(text).get("meta", {}).get("tag", [])
    except (ValueError, AttributeError):
        return True
    return not any(
        isinstance(tag, dict)
        and tag.get("system") == TAG_SYSTEM
        and tag.get("code") == NOTES_LEFT_OUT
        for tag in tags
    )


class _Bad(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


def _codes(concept: object, system: str) -> list[str]:
    if not isinstance(concept, dict):
        return []
    codings = concept.get("coding")
    if not isinstance(codings, list):
        return []
    return [
        str(c.get("code"))
        for c in codings
        if isinstance(c, dict) and c.get("system") == system and isinstance(c.get("code"), str)
    ]


def _ext(resource: dict[str, Any], url: str, key: str) -> Any:
    for item in resource.get("extension") or []:
        if isinstance(item, dict) and item.get("url") == url:
            return item.get(key)
    return None


def _local_at(stamp: object, path: str) -> tuple[str, str]:
    """An effectiveDateTime as ('YYYY-MM-DD HH:MM', '+HH:MM')."""
    if not isinstance(stamp, str):
        raise _Bad(path, "is missing")
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(path, f"{stamp!r} is not a FHIR dateTime with a time") from None
    if moment.tzinfo is None or len(stamp) < 16:
        raise _Bad(path, f"{stamp!r} has no time and zone (e.g. 2026-11-20T08:30:00+01:00)")
    from back_spasm_cli.personal.storage import format_offset

    return moment.strftime("%Y-%m-%d %H:%M"), format_offset(moment.utcoffset())


_FIELDS = {
    "pain": "Observation.valueInteger",
    "at": "Observation.effectiveDateTime",
    "utc_offset": "Observation.effectiveDateTime",
    "area": "Observation.bodySite",
    "side": "Observation.bodySite",
    "leg": "Observation.bodySite",
    "trigger": "Observation.component",
    "helped": "Observation.component",
    "note": "Observation.note",
    "uuid": "Observation.id",
    "id": "Observation.extension",
    "logged": "Observation.issued",
    "changed": "Observation.meta.lastUpdated",
}
_SESSION_FIELDS = {
    "kind": "Procedure.code",
    "what": "Procedure.code",
    "started_at": "Procedure.performedPeriod.start",
    "utc_offset": "Procedure.performedPeriod.start",
    "actual_seconds": "Procedure.performedPeriod",
    "planned_seconds": "Procedure.extension",
    "outcome": "Procedure.outcome",
    "details": "Procedure.extension",
    "uuid": "Procedure.id",
    "id": "Procedure.extension",
    "logged": "Procedure.extension",
    "changed": "Procedure.meta.lastUpdated",
}


def _entry_row(resource: dict[str, Any]) -> dict[str, object]:
    if PAIN_CODE not in _codes(resource.get("code"), LOINC):
        raise _Bad("Observation.code", f"is not LOINC {PAIN_CODE} (pain severity 0-10)")
    at, offset = _local_at(resource.get("effectiveDateTime"), "Observation.effectiveDateTime")
    if "valueInteger" not in resource:
        raise _Bad("Observation.valueInteger", "is missing")
    site = resource.get("bodySite")
    areas, sides = _codes(site, AREA_SYSTEM), _codes(site, SIDE_SYSTEM)
    for name, found, allowed in (("area", areas, AREAS), ("side", sides, SIDES)):
        if len(found) > 1 or (found and found[0] not in allowed):
            raise _Bad(
                "Observation.bodySite", f"{name} {', '.join(found)!r} is not one of {allowed}"
            )
    triggers: list[str] = []
    helped: list[str] = []
    for index, component in enumerate(resource.get("component") or []):
        kinds = _codes(
            component.get("code") if isinstance(component, dict) else None, COMPONENT_SYSTEM
        )
        value = component.get("valueCodeableConcept") if isinstance(component, dict) else None
        if "trigger" in kinds:
            triggers += _codes(value, TRIGGER_SYSTEM)
        elif "helped" in kinds:
            helped += _codes(value, HELPED_SYSTEM)
        else:
            raise _Bad(f"Observation.component[{index}]", "is not a trigger or what was tried")
    if len(triggers) > 1:
        raise _Bad("Observation.component", "names more than one trigger")
    notes = [n.get("text") for n in resource.get("note") or [] if isinstance(n, dict)]
    return {
        "uuid": resource.get("id"),
        "id": _ext(resource, EXT_LOCAL_ID, "valueInteger"),
        "at": at,
        "utc_offset": offset,
        "pain": resource.get("valueInteger"),
        "area": areas[0] if areas else None,
        "side": sides[0] if sides else None,
        "leg": bool(_codes(site, LEG_SYSTEM)),
        "trigger": triggers[0] if triggers else None,
        "helped": helped,
        "note": "\n".join(str(n) for n in notes if n) if notes else "",
        "logged": resource.get("issued") or _ext(resource, EXT_LOGGED, "valueDateTime"),
        "changed": (resource.get("meta") or {}).get("lastUpdated"),
    }


def _session_row(resource: dict[str, Any]) -> dict[str, object]:
    codes = _codes(resource.get("code"), SESSION_SYSTEM)
    if len(codes) != 1 or ":" not in codes[0]:
        raise _Bad("Procedure.code", f"has no {SESSION_SYSTEM} code (kind:what)")
    kind, what = codes[0].split(":", 1)
    period = resource.get("performedPeriod")
    if not isinstance(period, dict):
        raise _Bad("Procedure.performedPeriod", "is missing")
    start, end = period.get("start"), period.get("end")
    path = "Procedure.performedPeriod.start"
    if not isinstance(start, str) or not isinstance(end, str):
        raise _Bad("Procedure.performedPeriod", "needs a start and an end")
    try:
        begun = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        ended = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(path, f"{start!r} to {end!r} is not a period of FHIR dateTimes") from None
    if begun.tzinfo is None or ended.tzinfo is None:
        raise _Bad(path, "has no time zone")
    _, offset = _local_at(start, path)
    outcomes = _codes(resource.get("outcome"), OUTCOME_SYSTEM)
    if len(outcomes) != 1 or outcomes[0] not in OUTCOMES:
        raise _Bad("Procedure.outcome", f"has no {OUTCOME_SYSTEM} code ({', '.join(OUTCOMES)})")
    return {
        "uuid": resource.get("id"),
        "id": _ext(resource, EXT_LOCAL_ID, "valueInteger"),
        "kind": kind,
        "what": what,
        "started_at": begun.astimezone(dt.timezone.utc).isoformat(),
        "utc_offset": offset,
        "planned_seconds": _ext(resource, EXT_PLANNED, "valueInteger"),
        "actual_seconds": round((ended - begun).total_seconds()),
        "outcome": outcomes[0],
        "details": _ext(resource, EXT_DETAILS, "valueString") or "{}",
        "logged": _ext(resource, EXT_LOGGED, "valueDateTime"),
        "changed": (resource.get("meta") or {}).get("lastUpdated"),
    }


def _line_of(text: str) -> dict[int, int]:
    """Bundle entry index -> the line its resource starts on, for pretty-printed bundles
    like ours (best effort: '"fullUrl"' or '"resource"' at the start of an entry)."""
    lines: dict[int, int] = {}
    index = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith('"fullUrl"'):
            index += 1
            lines[index] = number
    return lines


def read_bundle(text: str, vocab: Vocabulary) -> list[Row]:
    """The entries and sessions of a FHIR Bundle (ours, or any with the same codes);
    ImportRefused names each bad resource by its entry number, line and FHIR path."""
    from back_spasm_cli.personal import safe_formats

    try:  # within limits: no duplicate key, no number beyond 64 bits, no deep nesting
        bundle = safe_formats.json_loads(text, depth=16)
    except safe_formats.JSONLimitError as err:
        raise ImportRefused([f"line {err.line}: {err.message}"]) from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise ImportRefused(["line 1: a FHIR import is a Bundle (resourceType Bundle)"])
    items = bundle.get("entry") or []
    if not isinstance(items, list):
        raise ImportRefused(["line 1, Bundle.entry: is not a list"])
    lines = _line_of(text) if len(_line_of(text)) == len(items) else {}
    errors: list[str] = []
    found: list[Row] = []
    for index, item in enumerate(items):
        line = lines.get(index, 1)
        place = f"entry {index + 1}" + (f" (line {line})" if lines else "")
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            errors.append(f"{place}, Bundle.entry.resource: is missing")
            continue
        kind = resource.get("resourceType")
        fields = _FIELDS if kind == "Observation" else _SESSION_FIELDS
        try:
            if kind == "List":
                continue  # our summary of what the bundle holds
            if kind == "Observation":
                record: Entry | Session = check_row(_entry_row(resource), vocab, columns=False)
            elif kind == "Procedure":
                record = check_session(_session_row(resource), columns=False)
            else:
                raise _Bad("resourceType", f"{kind!r}: spasm imports Observation and Procedure")
        except _Bad as err:
            errors.append(f"{place}, {err.path}: {err}")
            continue
        except RowError as err:
            errors.append(f"{place}, {fields.get(err.field, err.field)}: {err}")
            continue
        found.append(Row(line, record, place))
    errors += repeats(found)
    if errors:
        raise ImportRefused(errors)
    return found
