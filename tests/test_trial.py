"""The new-user trial's points (issue 18): what people typed to `log`, `ask` and `search`
that spasm refused or misread, each accepted or answered now."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from back_spasm_cli.personal import diary
from tests.helpers import Invoke


def logged(invoke: Invoke, *options: str) -> dict:  # type: ignore[type-arg]
    result = invoke("log", "--pain", "4", *options, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["logged"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("ice", ["rest-and-ice"]),  # an alias, as `spasm remedy ice` takes it
        ("hot water bottle", ["heat"]),
        ("Heat therapy", ["heat"]),  # a title
        ("rest-and-ice", ["rest-and-ice"]),
        ("rest-and-ice short-walks", ["rest-and-ice", "short-walks"]),  # ids, as before
        ("ice, knee rolls", ["rest-and-ice", "knee-rolls"]),
    ],
)
def test_helped_takes_names_and_aliases_wherever_ids_work(
    invoke: Invoke, typed: str, ids: list[str]
) -> None:
    assert logged(invoke, "--helped", typed)["helped"] == ids


def test_helped_refuses_what_is_no_remedy(invoke: Invoke) -> None:
    result = invoke("log", "--pain", "4", "--helped", "a banana")
    assert result.exit_code == 2
    assert "--helped 'a banana': not a remedy or exercise id or name" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("typed", "area", "side", "leg"),
    [
        ("lower back", "lower", None, False),
        ("my lower back, left side", "lower", "left", False),
        ("lower back and down my left leg", "lower", "left", True),
    ],
)
def test_where_takes_everyday_words(
    invoke: Invoke, typed: str, area: str, side: str | None, leg: bool
) -> None:
    entry = logged(invoke, "--where", typed)
    assert (entry["area"], entry["side"], entry["leg"]) == (area, side, leg)


NOW = dt.datetime(2026, 12, 2, 9, 15)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("yesterday", "2026-12-01 12:00"),
        ("Yesterday 18:30", "2026-12-01 18:30"),
        ("today", "2026-12-02 09:15"),
        ("today 07:05", "2026-12-02 07:05"),
        ("2026-11-29", "2026-11-29 12:00"),
        ("2026-11-29 07:30", "2026-11-29 07:30"),
        ("2026-11-29T07:30", "2026-11-29 07:30"),
    ],
)
def test_at_takes_yesterday_and_a_date_alone(typed: str, stored: str) -> None:
    assert diary.parse_when(typed, NOW) == stored


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("today 10:00", "2026-12-02 10:00 is in the future"),
        ("2026-12-03", "2026-12-03 12:00 is in the future"),
        ("tomorrow", "'yesterday'"),
        ("2026-02-30", "not a real time"),
        ("yesterday 25:00", "not a real time"),
    ],
)
def test_at_refuses_the_future_and_nonsense(typed: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        diary.parse_when(typed, NOW)


def test_at_in_the_future_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("log", "--pain", "4", "--at", "2999-01-01")
    assert result.exit_code == 2
    assert result.stderr.startswith("spasm: --at: 2999-01-01 12:00 is in the future")
    assert "Traceback" not in result.stderr
    assert logged(invoke, "--at", "2026-01-05")["at"].startswith("2026-01-05 12:00")


@pytest.mark.parametrize("command", ["ask", "search"])
def test_the_words_can_come_from_a_pipe(invoke: Invoke, command: str) -> None:
    typed = "I can't feel anything when I wipe\n"
    for args in ((command, "--format", "json"), (command, "-", "--format", "json")):
        result = invoke(*args, input=typed)
        data = json.loads(result.stdout)
        assert "saddle-numbness" in json.dumps(data), args
        assert data["care"]["level"] == "emergency"


def test_no_words_and_nothing_piped_says_how(invoke: Invoke) -> None:
    result = invoke("ask", input="")
    assert result.exit_code == 2
    assert "standard input was empty" in result.stderr


@pytest.mark.parametrize("command", ["ask", "search"])
def test_help_says_to_quote_an_apostrophe(invoke: Invoke, command: str) -> None:
    out = " ".join(invoke(command, "--help", width=200).stdout.split())
    assert "Quote words with an apostrophe" in out and "from a pipe" in out
