"""`spasm report` on paper: the HTML printed to PDF by headless Chromium on A4 and on
Letter, read back with pdftotext. Skipped only where Chromium is missing and CI is not
set; under CI=true (where .ci/run installs it) a missing Chromium fails."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import Invoke

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
PDFTOTEXT = shutil.which("pdftotext")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

if CHROMIUM is None or PDFTOTEXT is None:
    if IN_CI:
        raise RuntimeError("CI: chromium and pdftotext (poppler-utils) are needed")
    pytest.skip("needs chromium and pdftotext (CI installs them)", allow_module_level=True)

TODAY = dt.date.today()


def date_words(day: dt.date) -> str:
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    months = ["January", "February", "March", "April", "May", "June", "July", "August"]
    months += ["September", "October", "November", "December"]
    return f"{names[day.weekday()]} {day.day} {months[day.month - 1]} {day.year}"


def print_pdf(html: Path, paper: str, tmp_path: Path) -> Path:
    """`html` printed by headless Chromium on `paper` (A4 or letter)."""
    page = tmp_path / f"{paper}.html"
    text = html.read_text(encoding="utf-8")
    page.write_text(text.replace("<style>", f"<style>@page {{ size: {paper}; }}", 1), "utf-8")
    pdf = tmp_path / f"{paper}.pdf"
    profile = tmp_path / f"profile-{paper}"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        check=True,
        timeout=180,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    assert pdf.stat().st_size > 1000
    return pdf


def pages(pdf: Path) -> list[str]:
    """The text of each page, whitespace folded to single spaces."""
    text = subprocess.run(
        [str(PDFTOTEXT), str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [re.sub(r"\s+", " ", page) for page in text.split("\f") if page.strip()]


def page_size(pdf: Path) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert found, info
    return round(float(found.group(1))), round(float(found.group(2)))


def diary(invoke: Invoke, days: int) -> list[str]:
    """An entry a day for `days` days, each with a note that names it; one stopped ice
    session. Returns the notes."""
    notes = []
    for offset in range(days):
        day = TODAY - dt.timedelta(days=days - offset)  # up to yesterday: never ahead
        note = f"entry-{offset:02d}-note"
        result = invoke(
            "log",
            "--pain",
            str(3 + offset % 5),
            "--where",
            "lower left",
            "--trigger",
            "lifting",
            "--helped",
            "heat",
            "--note",
            note,
            "--at",
            f"{day.isoformat()} 08:30",
        )
        assert result.exit_code == 0, result
        notes.append(note)
    from back_spasm_cli.advice import sessions
    from back_spasm_cli.personal import storage

    conn = storage.private_db()
    sessions.record(
        conn,
        sessions.SessionRecord(
            "timer",
            "ice",
            dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(9)).astimezone(),
            900,
            240,
            "stopped",
            {"days": 1},
        ),
    )
    conn.close()
    return notes


@pytest.mark.parametrize(("paper", "size"), [("A4", (595, 842)), ("letter", (612, 792))])
def test_a_week_prints_with_the_chart_first_and_every_entry(
    invoke: Invoke, tmp_path: Path, paper: str, size: tuple[int, int]
) -> None:
    notes = diary(invoke, 7)
    html = tmp_path / "report.html"
    result = invoke("report", "--output", str(html), "--notes")
    assert result.exit_code == 0, result
    assert '<html lang="en">' in html.read_text(encoding="utf-8")
    pdf = print_pdf(html, paper, tmp_path)
    assert page_size(pdf) == size
    text = pages(pdf)
    assert len(text) == 2  # the summary and chart, then the tables and the footer
    first = text[0]
    start = TODAY - dt.timedelta(days=29)
    assert f"{date_words(start)} to {date_words(TODAY)} (30 days)" in first
    assert "Diary entries 7" in first and "Guided sessions 1" in first
    assert "Pain (0-10), mean per day" in first  # the chart, on the first page
    first_day = TODAY - dt.timedelta(days=7)
    assert f"{first_day.day} {date_words(first_day).split()[2][:3]}" in first  # an axis date
    everything = " ".join(text)
    for note in notes:
        assert everything.count(note) == 1, note
    assert "stopped early" in everything and "ice timer" in everything
    assert "not a diagnosis" in text[-1] and "does not diagnose" in text[-1]
    assert "spasm doctor" not in everything


def test_two_months_print_every_entry_whole_on_a4(invoke: Invoke, tmp_path: Path) -> None:
    notes = diary(invoke, 60)
    html = tmp_path / "report.html"
    assert invoke("report", "-o", str(html), "--notes", "--since", "61d").exit_code == 0
    text = pages(print_pdf(html, "A4", tmp_path))
    assert 3 <= len(text) <= 5
    assert "Pain (0-10), mean per day" in text[0]
    for note in notes:
        # each row on one page: its note and its date together, never split
        day = TODAY - dt.timedelta(days=60 - int(note.split("-")[1]))
        when = f"{date_words(day)[:3]} {day.day} {date_words(day).split()[2][:3]} {day.year}"
        holders = [page for page in text if note in page]
        assert len(holders) == 1, note
        assert when in holders[0], (note, when)


def test_notes_stay_out_of_the_report_unless_asked(invoke: Invoke, tmp_path: Path) -> None:
    notes = diary(invoke, 3)
    html = tmp_path / "report.html"
    result = invoke("report", "-o", str(html))
    assert result.exit_code == 0 and "notes left out" in result.stderr
    page = html.read_text(encoding="utf-8")
    assert not any(note in page for note in notes)
    assert "not included (the person can add them with" in page
    md = tmp_path / "report.md"
    assert invoke("report", "-o", str(md), "--notes").exit_code == 0
    assert all(note in md.read_text(encoding="utf-8") for note in notes)
    assert json.loads(invoke("trends", "-f", "json").stdout)["session_list"][0]["outcome"] == (
        "stopped"
    )
