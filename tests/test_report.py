"""The report a clinician reads (views/report.py drawn by render/report.py): the last
check in sentences, dates in words, one summary, a readable axis, a footer for the
clinician, what helped only where pain went down, "made it worse" as such."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from back_spasm_cli.personal import storage
from back_spasm_cli.render.charts import svg_chart
from back_spasm_cli.views.document import Chart
from tests.helpers import Invoke


def save_check() -> None:
    conn = storage.private_db()
    with conn:
        conn.execute(
            "INSERT INTO checks (at, answers, level, verdict) VALUES (?, ?, ?, ?)",
            (
                "2026-11-20T08:00:00+00:00",
                json.dumps(
                    {
                        "signs": {"saddle-numbness": "no", "night-pain": "yes", "fever": "no"},
                        "started": "lifting",
                        "days": 3,
                        "cramps": False,
                    }
                ),
                "gp",
                json.dumps(
                    {
                        "level": "gp",
                        "reasons": [{"id": "night-pain", "title": "Pain at night", "rule": None}],
                    }
                ),
            ),
        )
    conn.close()


def worse_routine() -> None:
    from back_spasm_cli.advice import sessions

    conn = storage.private_db()
    sessions.record(
        conn,
        sessions.SessionRecord(
            "routine",
            "knee-rolls",
            dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2),
            300,
            70,
            "worse",
        ),
    )
    conn.close()


def test_the_report_reads_as_sentences(invoke: Invoke, tmp_path: Path) -> None:
    today = dt.date.today()
    for offset, pain, helped in ((-3, 6, "heat"), (-2, 4, "heat"), (-1, 6, "knee-rolls")):
        day = (today + dt.timedelta(days=offset)).isoformat()
        result = invoke("log", "--pain", str(pain), "--helped", helped, "--at", f"{day} 08:30")
        assert result.exit_code == 0, result
    save_check()
    worse_routine()
    out = tmp_path / "report.md"
    assert invoke("report", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "{'id'" not in text and "signs." not in text and "False" not in text
    assert "Care level the check gave: See a GP" in text
    assert "- Pain at night." in text
    assert "- How it started: Lifting or carrying something." in text
    assert "- It started 3 days before the check." in text
    assert "- Warning signs reported: " in text and "- Muscle cramps: no." in text
    assert "The other 2 warning signs asked about: no." in text
    assert "_Friday 20 November 2026, " in text  # the check's date in words
    assert text.count("## Summary") == 1 and "Average pain" in text
    assert text.count("Average pain") == 1
    helped = text.split("## What seemed to help")[1].split("##")[0]
    assert "Heat therapy: pain 2.0 points lower" in helped and "Knee rolls" not in helped
    other = text.split("## Tried, without less pain afterwards")[1].split("##")[0]
    assert "Knee rolls: pain 2.0 points higher" in other
    assert "| **made it worse** |" in text
    assert "spasm doctor" not in text
    assert "does not diagnose" in text and "self-care information program" in text
    trends = invoke("trends", "--format", "plain").stdout
    assert "1 session made the pain worse and stopped." in trends
    assert "made it worse" in trends
    between = trends.split("What seemed to help")[1].split("Tried, without")[0]
    assert "knee-rolls" not in between


def test_the_chart_axis_has_more_than_the_two_end_dates() -> None:
    days = tuple(
        ((dt.date(2026, 11, 1) + dt.timedelta(days=n)).isoformat(), 5.0) for n in range(30)
    )
    svg = svg_chart(Chart("Pain (0-10), mean per day", days))
    labels = re.findall(r'text-anchor="middle">(\d+ [A-Z][a-z]{2})</text>', svg)
    assert labels[0] == "1 Nov" and labels[-1] == "30 Nov"
    assert len(labels) >= 5
    one = svg_chart(Chart("t", (("2026-11-01", 3.0),)))
    assert re.findall(r'text-anchor="middle">(\d+ [A-Z][a-z]{2})</text>', one) == ["1 Nov"]
    assert "No entries in this period" in svg_chart(Chart("t", ()))


def test_the_report_language_comes_from_the_interface(invoke: Invoke, tmp_path: Path) -> None:
    from back_spasm_cli.views import report

    assert report.language() == "en"
    out = tmp_path / "r.html"
    assert invoke("report", "-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "@media print" in page and "break-inside: avoid" in page
    assert "What this report contains" in page.split("Summary")[0]
