"""The failures found under stress (issue 8), each driven as a user or a hostile file would:
terminal escapes in data, closed and full streams, tiny widths, huge files, Ctrl-C at any
moment, damaged caches, and a code edit that must show at once."""

from __future__ import annotations

import json
import os
import pickle
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from back_spasm_cli.knowledge import kb
from tests.helpers import Invoke, assert_no_bug, installed_spasm

MINIMAL = """\
meta:
  title: Test base
  disclaimer: Test disclaimer line.
  doctor_pointer: Test pointer to spasm doctor.
  medication_notice: Follow the label or ask a pharmacist.
  sources: [seed]
fallback:
  emergency: your local emergency number
  urgent: your local urgent care
remedies:
  - id: heat
    title: TITLE
    summary: SUMMARY
    sources: [seed]
"""
#: What a hostile base may try: set the window title, clear the screen, ask the terminal
#: to answer (ESC[6n), an OSC 8 link, the 8-bit CSI and OSC, and a right-to-left override.
HOSTILE = {
    "window title": "\x1b]0;pwned\x07",
    "OSC 8 link": "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "clear screen": "\x1b[2J",
    "cursor report": "\x1b[6n",
    "8-bit CSI": "\x9b31m",
    "8-bit OSC": "\x9d0;x\x07",
    "right-to-left override": "\u202eexe.txt",
}
DRIVERS = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")


def hostile_base(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kb.yaml"
    title = "Heat " + text
    path.write_text(
        MINIMAL.replace("TITLE", json.dumps(title)).replace("SUMMARY", json.dumps(text)),
        encoding="utf-8",
    )
    return path


def run(
    args: list[str], env: dict[str, str], shell_tail: str = "", **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    """The installed spasm in a shell, so redirections such as `>&-` are real."""
    command = " ".join([installed_spasm(), *args]) + shell_tail
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        ["/bin/sh", "-c", command], env=env, capture_output=True, timeout=60, **kwargs
    )


# --------------------------------------------------------------------------- escapes


@pytest.mark.parametrize("what", list(HOSTILE))
@pytest.mark.parametrize("fmt", ["rich", "plain", "markdown", "json"])
def test_data_never_drives_the_terminal(
    invoke: Invoke, tmp_path: Path, what: str, fmt: str
) -> None:
    path = hostile_base(tmp_path, HOSTILE[what])
    # "haet" matches loosely, so the title also goes to stderr in the notice.
    result = invoke("--kb", str(path), "remedy", "haet", "--format", fmt)
    assert result.exit_code == 0, result
    for driver in DRIVERS:
        assert driver not in result.stdout, (what, fmt, "stdout")
        assert driver not in result.stderr, (what, fmt, "stderr")
    assert "showing the closest: Heat" in result.stderr


def test_json_keeps_the_data_with_unsafe_characters_escaped(invoke: Invoke, tmp_path: Path) -> None:
    text = "a\x9bb\u202ec\x1bd"
    result = invoke("--kb", str(hostile_base(tmp_path, text)), "remedy", "heat", "-f", "json")
    assert "\\u009b" in result.stdout and "\\u202e" in result.stdout
    assert "\\u001b" in result.stdout
    assert json.loads(result.stdout)["entries"][0]["summary"] == text  # nothing lost


def test_a_file_name_is_echoed_without_its_escapes(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("--kb", str(tmp_path / "\x1b[2Jmissing\u202e.yaml"), "causes")
    assert result.exit_code == 2
    assert "missing" in result.stderr and "no such file" in result.stderr
    for driver in DRIVERS:
        assert driver not in result.stderr


# --------------------------------------------------------------------------- streams


def test_a_closed_stdout_is_reported_on_stderr_with_74(spasm_env: dict[str, str]) -> None:
    result = run(["remedy", "heat"], spasm_env, " >&-")
    assert result.returncode == 74
    assert result.stderr.decode() == "spasm: cannot write output: stdout is closed\n"


def test_a_full_stdout_is_reported_with_74(spasm_env: dict[str, str]) -> None:
    result = run(["remedy", "heat"], spasm_env, " >/dev/full")
    assert result.returncode == 74
    assert result.stderr.decode() == "spasm: cannot write output: No space left on device\n"


def test_a_closed_stderr_is_reported_on_stdout_with_74(spasm_env: dict[str, str]) -> None:
    result = run(["remedy", "haet"], spasm_env, " 2>&-")  # the loose-match notice fails
    assert result.returncode == 74
    assert result.stdout.decode().endswith("spasm: cannot write output: stderr is closed\n")


def test_a_reader_that_goes_away_is_success(spasm_env: dict[str, str]) -> None:
    result = run(["doctor"], spasm_env, " | head -n 1; exit ${PIPESTATUS:-0}")
    assert result.returncode == 0
    assert result.stderr == b""
    piped = subprocess.run(
        [installed_spasm(), "faq", "--full"], env=spasm_env, stdout=subprocess.PIPE, timeout=60
    )
    assert piped.returncode == 0
    proc = subprocess.Popen(
        [installed_spasm(), "remedies", "--full"],
        env=spasm_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # the reader leaves before the end
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""


def test_a_closed_stdin_is_no_answers_not_a_bug(spasm_env: dict[str, str]) -> None:
    result = run(["check"], spasm_env, " <&-")
    assert result.returncode == 2
    assert b"internal error" not in result.stderr
    assert b"no answer" in result.stderr


# --------------------------------------------------------------------------- widths


@pytest.mark.parametrize("columns", ["0", "1", "5", "11", "19"])
def test_tiny_widths_render_at_20_columns_and_keep_the_safety_text(
    invoke: Invoke, columns: str
) -> None:
    result = invoke("remedy", "heat", "--format", "rich", "--region", "uk", width=int(columns))
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 20
    assert min(len(line) for line in lines if "─" in line) >= 20  # panels drawn at 20
    words = " ".join(result.stdout.replace("│", " ").split())
    assert "Emergency: numb groin or bottom" in words
    assert "Call 999 (United Kingdom emergency) now" in words
    assert "spasm gives general self-care information" in words


# --------------------------------------------------------------------------- huge files


def test_millions_of_nodes_are_refused_while_parsing_in_little_memory(
    tmp_path: Path, spasm_env: dict[str, str]
) -> None:
    path = tmp_path / "nodes.yaml"
    path.write_text("remedies:\n" + "- a\n" * 3_900_000, encoding="utf-8")  # 15.6 MB
    limit = 300 * 1024 * 1024

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    result = subprocess.run(
        [installed_spasm(), "kb", "validate", str(path)],
        env=spasm_env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=cap_memory,
    )
    assert result.returncode == 2, result.stderr
    assert "more than 2,000,000 YAML nodes; file refused" in result.stderr


def test_a_bad_byte_is_reported_with_its_line_and_column(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    path.write_bytes(MINIMAL.replace("SUMMARY", "caf\xe9").encode("latin-1"))
    result = invoke("kb", "validate", str(path))
    assert result.exit_code == 2
    assert f"{path}:13:17: not UTF-8 text (bad byte 0xe9)" in result.stderr


# --------------------------------------------------------------------------- Ctrl-C


def _interrupt_at(delay: float, env: dict[str, str]) -> tuple[int, bytes]:
    proc = subprocess.Popen(
        [installed_spasm(), "remedy", "heat"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def _check_interrupted(code: int, err: bytes) -> bool:
    """True when spasm handled the signal (exit 130, one line); False when it came before
    any code of the package ran (the interpreter or pip's launcher script, `import re`,
    were still starting: their traceback names no file of the package)."""
    if b"Traceback" in err or code == -signal.SIGINT:
        assert b"back_spasm_cli/" not in err and b"back_spasm_cli\\" not in err, err
        return False
    # 0: the signal came after the output was complete and the process was leaving.
    assert code in (0, 130), (code, err)
    assert err.strip() in (b"", b"spasm: interrupted", b"spasm: interrupted; nothing was saved")
    return code == 130


def test_ctrl_c_during_start_up_exits_130_without_a_traceback(spasm_env: dict[str, str]) -> None:
    handled = [_check_interrupted(*_interrupt_at(delay, spasm_env)) for delay in (0.15, 0.25)]
    assert any(handled)


@pytest.mark.slow
def test_ctrl_c_at_any_moment_after_the_package_starts_importing(
    spasm_env: dict[str, str],
) -> None:
    # Every 5 ms from 0 to 400 ms: the launcher, the package's first statement, the
    # framework's imports, the command, the output. No traceback from a file of the
    # package at any of them (the handler is the package's first statement).
    handled = [_check_interrupted(*_interrupt_at(step / 200, spasm_env)) for step in range(0, 81)]
    assert sum(handled) >= 10, handled


def test_ctrl_c_after_the_handout_is_written_says_so_and_exits_130(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from back_spasm_cli.cli import state

    real = state.wrote

    def wrote_then_interrupted(path: str) -> None:
        real(path)
        raise KeyboardInterrupt

    monkeypatch.setattr(state, "_WRITTEN", [])
    monkeypatch.setattr("back_spasm_cli.cli.triage_commands.wrote", wrote_then_interrupted)
    out = tmp_path / "plan.md"
    result = invoke(
        "plan", "--no-others", "--started", "lifting", "--days", "1", "--output", str(out)
    )
    assert out.is_file()
    assert result.exit_code == 130
    assert f"spasm: interrupted; already written: {out}" in result.stderr


def test_an_argument_over_1000_characters_is_refused(invoke: Invoke) -> None:
    result = invoke("remedy", "h" * 1001)
    assert result.exit_code == 2
    assert result.stderr == "spasm: an argument of 1,001 characters is too long (at most 1,000)\n"


# --------------------------------------------------------------------------- caches


def test_a_damaged_snapshot_file_is_rebuilt_once_with_one_notice(invoke: Invoke) -> None:
    assert invoke("remedy", "heat").exit_code == 0  # builds the snapshot
    path = kb.cache_path()
    path.write_bytes(os.urandom(4096))
    first = invoke("remedy", "heat", "--format", "plain")
    assert first.exit_code == 0, first
    assert "Heat therapy" in first.stdout
    assert first.stderr.startswith("spasm: the knowledge-base cache was damaged (")
    assert first.stderr.count("\n") == 1
    second = invoke("remedy", "heat", "--format", "plain")
    assert second.stderr == ""
    assert kb.load().from_cache


def test_a_tampered_snapshot_runs_nothing_and_is_rebuilt(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("causes").exit_code == 0
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Evil())
    digest = kb.blake2b(payload).hexdigest()  # a valid hash: only the types give it away
    with sqlite3.connect(kb.cache_path()) as conn:
        conn.execute("UPDATE snapshots SET digest = ?, payload = ?", (digest, payload))
    result = invoke("remedy", "heat", "--format", "plain")
    assert result.exit_code == 0
    assert not marker.exists()
    assert "a snapshot failed its checks" in result.stderr
    assert "Heat therapy" in result.stdout


def test_an_edit_of_the_code_shows_at_once(tmp_path: Path, spasm_env: dict[str, str]) -> None:
    import back_spasm_cli

    copy = tmp_path / "code"
    package = Path(back_spasm_cli.__file__).parent
    shutil.copytree(package, copy / "back_spasm_cli")
    if not (package / "data").is_dir():  # a checkout: the base sits beside the package
        shutil.copytree(package.parent / "data", copy / "data")
    env = {**spasm_env, "PYTHONPATH": str(copy), "COLUMNS": "100"}
    argv = [sys.executable, "-m", "back_spasm_cli", "remedy", "heat", "--format", "plain"]

    def heat() -> str:
        result = subprocess.run(
            argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "Steps:" in heat() and "Steps:" in heat()  # the second run is from the cache
    views = copy / "back_spasm_cli" / "views" / "lookups.py"
    views.write_text(
        views.read_text(encoding="utf-8").replace('Bullets(_("Steps")', 'Bullets("What to do"'),
        encoding="utf-8",
    )
    edited = heat()
    assert "What to do:" in edited and "Steps:" not in edited


# --------------------------------------------------------------------------- locale


@pytest.mark.parametrize(
    ("env", "number"),
    [
        ({"LC_ALL": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "911 (United States emergency)"),
        ({"LC_MESSAGES": "en_NZ.UTF-8", "LANG": "en_GB.UTF-8"}, "111 (New Zealand emergency)"),
        ({"LANG": "en_AU.UTF-8"}, "000 (Australia emergency, Triple Zero)"),
        ({"LANG": "de_DE.UTF-8", "SPASM_REGION": "uk"}, "999 (United Kingdom emergency)"),
    ],
)
def test_the_region_comes_from_the_first_locale_variable_set(
    invoke: Invoke, env: dict[str, str], number: str
) -> None:
    result = invoke("causes", "--format", "plain", env=env)
    assert f"Call {number} now" in result.stdout
    assert_no_bug(result)
