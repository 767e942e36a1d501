"""system/atomic.py: the one atomic-write helper (handouts and exports, settings, the
search index)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from back_spasm_cli.system import atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "out"
    made.mkdir()
    return made


def test_writes_whole_with_mode_0600_and_leaves_no_temp(folder: Path) -> None:
    target = folder / "plan.md"
    atomic.write_text(target, "# plan\n")
    assert target.read_text(encoding="utf-8") == "# plan\n"
    assert _mode(target) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["plan.md"]


def test_replace_false_never_overwrites(folder: Path) -> None:
    target = folder / "plan.md"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        atomic.write_text(target, "new", replace=False)
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in folder.iterdir()) == ["plan.md"]
    atomic.write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "new"


def test_a_failed_write_leaves_the_old_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    target = folder / "config.ini"
    target.write_text("old", encoding="utf-8")

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="No space"):
        atomic.write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in folder.iterdir()) == ["config.ini"]


def test_publish_moves_a_finished_file_into_place(folder: Path) -> None:
    temp = folder / ".index.123.tmp"
    temp.write_bytes(b"data")
    temp.chmod(0o644)
    final = folder / "index.sqlite3"
    atomic.publish(temp, final)
    assert final.read_bytes() == b"data" and _mode(final) == 0o600 and not temp.exists()


def test_the_settings_file_is_written_through_it(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from back_spasm_cli.personal import config

    seen: list[Path] = []
    real = atomic.write_text
    monkeypatch.setattr(
        atomic, "write_text", lambda path, text, **kw: seen.append(path) or real(path, text, **kw)
    )
    written = config.save({"region": "uk"})
    assert seen == [written] and _mode(written) == 0o600
    assert config.load() == {"region": "uk"}
