"""Shared fixtures: every test runs with its own config, data and cache folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

# Before Textual is imported anywhere: no animations, no cursor blink surprises.
os.environ["TEXTUAL_ANIMATIONS"] = "none"

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LIBRARY = REPO / "library"
CORPUS = REPO.parent / "shared" / "corpus" / "gutenberg"


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the XDG folders and readertui's variables at a fresh temporary home."""
    home = tmp_path_factory.mktemp("home")
    for variable, folder in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(variable, str(home / folder))
    for variable in ("READERTUI_LIBRARY", "READERTUI_DB", "READERTUI_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture(autouse=True)
def no_index_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps under test do not index their library after start-up (each would, in a worker
    thread); the tests of that behaviour turn it back on with `index_at_start`."""
    from readertui.ui import index_keeper

    monkeypatch.setattr(index_keeper, "BUILD_AT_START", False)


@pytest.fixture(autouse=True)
def conversions_allowed() -> None:
    """An app that ended in an earlier test stopped the conversions for good (as quitting
    does): each test starts with them allowed, as each run of readertui does."""
    from readertui.formats import conversion_process

    conversion_process.allow_new()


@pytest.fixture
def index_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps under test index their library after start-up, as the real app does."""
    from readertui.ui import index_keeper

    monkeypatch.setattr(index_keeper, "BUILD_AT_START", True)


@pytest.fixture
def private_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs at a temporary home so nothing here can reach the real user folders."""
    home = tmp_path / "home"
    for name in ("user_config_dir", "user_data_dir", "user_cache_dir"):
        folder = home / name

        def fake(*args: object, _folder: Path = folder, **kwargs: object) -> str:
            return str(_folder)

        monkeypatch.setattr(platformdirs, name, fake)
    # The READERTUI_* variables are already cleared by the autouse `isolated_dirs`.
    monkeypatch.setenv("HOME", str(tmp_path / "userhome"))
    return home


@pytest.fixture
def corpus() -> Path:
    """The long Gutenberg novels shipped beside the repo (skips when they are absent)."""
    if not (CORPUS / "pg2600.txt").exists():
        pytest.skip("the Gutenberg corpus is not beside this checkout")
    return CORPUS
