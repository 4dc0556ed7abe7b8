"""The command line: --version, --help, and one clear line for every mistake a user can make."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from readertui import __version__
from readertui.cli import main


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"readertui {__version__}"


def test_help_describes_the_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for word in ("PATH", "--db", "--theme", "--config", "sample library"):
        assert word in result.stdout


def test_unknown_option_is_a_usage_error_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--bogus"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--bogus" in err


def test_missing_path_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no such file or folder" in err


def test_unknown_theme_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--theme", "no-such-theme", "--db", str(tmp_path / "db.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no-such-theme" in err and "textual-dark" in err


def test_broken_config_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("reading_width = [", encoding="utf-8")
    assert main(["--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(config) in err


def test_no_traceback_for_a_library_that_is_a_file_of_the_wrong_kind(tmp_path: Path) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = run(str(picture), "--db", str(tmp_path / "db.json"), "--theme", "nope")
    assert "Traceback" not in result.stderr
    assert result.returncode == 2


def test_the_subcommands_do_not_start_the_tui(tmp_path: Path) -> None:
    """export, import and list use the core directly: Textual is never imported."""
    script = (
        "import sys\n"
        "from readertui.cli import main\n"
        "for args in (['list', 'docs'], ['export', '-o', '-'], ['list', 'annotations']):\n"
        f"    assert main([*args, '--db', {str(tmp_path / 'db.json')!r}]) == 0\n"
        "assert not [name for name in sys.modules if name.split('.')[0] in ('textual', 'rich')]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Highlights from" in result.stdout
