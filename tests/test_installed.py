"""The installed `spasm` in real subprocesses: pipes, environment, terminals, signals."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers import installed_spasm

ESCAPE = re.compile(r"\x1b")


def run(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [installed_spasm(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def test_piped_output_is_plain(spasm_env: dict[str, str]) -> None:
    result = run(["remedy", "heat"], spasm_env)
    assert result.returncode == 0, result.stderr
    assert not ESCAPE.search(result.stdout)
    assert "╭" not in result.stdout
    assert "Heat therapy" in result.stdout


def test_no_color_and_dumb_terminal_give_plain(spasm_env: dict[str, str]) -> None:
    for extra in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        result = run(["causes"], {**spasm_env, **extra})
        assert result.returncode == 0
        assert not ESCAPE.search(result.stdout)
        assert "╭" not in result.stdout


@pytest.mark.parametrize("lang", ["C", "POSIX", "C.UTF-8"])
def test_c_locale_works(spasm_env: dict[str, str], lang: str) -> None:
    env = {**spasm_env, "LANG": lang, "LC_ALL": lang}
    for fmt in ("plain", "rich", "markdown", "json"):
        result = run(["remedy", "ice", "--format", fmt], env)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    result = run(["doctor", "--format", "plain"], env)
    assert "local emergency number" in result.stdout  # no region from a C locale


def test_ascii_only_stdout_does_not_crash(spasm_env: dict[str, str]) -> None:
    env = {**spasm_env, "PYTHONIOENCODING": "ascii"}
    result = run(["remedy", "heat", "--format", "plain"], env)
    assert result.returncode == 0, result.stderr
    assert "Heat therapy" in result.stdout


def test_piped_into_head_has_no_broken_pipe(spasm_env: dict[str, str]) -> None:
    spasm = installed_spasm()
    for args in ("doctor --format plain", "about --format plain", "causes --format rich"):
        result = subprocess.run(
            f"'{spasm}' {args} | head -n 1",
            shell=True,
            env=spasm_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0
        assert "BrokenPipe" not in result.stderr and "Traceback" not in result.stderr
        assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize("width", [20, 30, 80, 300])
def test_narrow_and_wide_terminals(spasm_env: dict[str, str], width: int) -> None:
    env = {**spasm_env, "COLUMNS": str(width)}
    for args in (["remedy", "heat"], ["doctor", "--region", "uk"], []):
        result = run([*args, "--format", "rich"], env)
        assert result.returncode == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= width


def test_python_dash_m_is_the_same_command(spasm_env: dict[str, str]) -> None:
    via_module = subprocess.run(
        [sys.executable, "-m", "back_spasm_cli", "remedy", "heat", "--format", "json"],
        env=spasm_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    via_script = run(["remedy", "heat", "--format", "json"], spasm_env)
    assert via_module.returncode == 0
    assert json.loads(via_module.stdout) == json.loads(via_script.stdout)


def test_runs_from_another_directory(spasm_env: dict[str, str], tmp_path: Path) -> None:
    result = run(["about", "--format", "json"], spasm_env, cwd=str(tmp_path))
    assert result.returncode == 0
    assert json.loads(result.stdout)["counts"]["causes"] >= 4


def test_cache_lives_under_spasm_home(spasm_env: dict[str, str]) -> None:
    run(["remedy", "heat"], spasm_env)
    home = Path(spasm_env["SPASM_HOME"])
    assert (home / "cache" / "kb.sqlite3").is_file()
    assert not (Path(spasm_env["HOME"]) / ".cache" / "spasm").exists()


def test_exit_codes(spasm_env: dict[str, str]) -> None:
    assert run(["remedy", "heat"], spasm_env).returncode == 0
    assert run(["remedy", "xyzzy"], spasm_env).returncode == 1
    assert run(["remedy", "heat", "--format", "xml"], spasm_env).returncode == 2
    assert run(["--kb", "/nonexistent/kb.yaml", "causes"], spasm_env).returncode == 2


def test_terminal_shows_panels(spasm_env: dict[str, str]) -> None:
    env = {**spasm_env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "50"}
    child = pexpect.spawn(
        installed_spasm(),
        ["remedy", "heat"],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 80),
    )
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus == 0
    assert "╭" in output and "Heat therapy" in output
    assert ESCAPE.search(output)  # colours on a terminal


def test_ctrl_c_exits_130_without_traceback(spasm_env: dict[str, str], tmp_path: Path) -> None:
    # A knowledge base large enough that loading is still under way when the signal lands.
    big = tmp_path / "big.yaml"
    meta = (Path(__file__).resolve().parent.parent / "data" / "meta.yaml").read_text()
    rows = [meta, "causes:"]
    rows += [
        f"  - id: c{i}\n    title: Cause {i}\n    summary: Summary {i}.\n"
        f"    body: ['{'word ' * 100}']\n    sources: [seed]"
        for i in range(20000)
    ]
    big.write_text("\n".join(rows) + "\n")
    proc = subprocess.Popen(
        [installed_spasm(), "--kb", str(big), "kb", "validate"],
        env=spasm_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("validation finished before the signal on this machine")
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err


def test_help_lists_exit_codes(spasm_env: dict[str, str]) -> None:
    result = run(["--help"], spasm_env)
    assert "Exit codes" in result.stdout


def test_shell_completion_sees_every_command(spasm_env: dict[str, str]) -> None:
    env = {
        **spasm_env,
        "_SPASM_COMPLETE": "complete_bash",
        "COMP_WORDS": "spasm rem",
        "COMP_CWORD": "1",
    }
    result = run([], env)
    assert result.stdout.split() == ["remedies", "remedy"]
    env.update({"COMP_WORDS": "spasm kb v", "COMP_CWORD": "2"})
    assert run([], env).stdout.split() == ["validate"]
