"""Fixtures for the store tests: a private database folder, never the user's real data."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest


@pytest.fixture(autouse=True)
def private_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs at a temporary home so nothing here can reach the real user folders."""
    home = tmp_path / "home"
    for name in ("user_config_dir", "user_data_dir", "user_cache_dir"):
        folder = home / name

        def fake(*args: object, _folder: Path = folder, **kwargs: object) -> str:
            return str(_folder)

        monkeypatch.setattr(platformdirs, name, fake)
    for variable in ("READERTUI_CONFIG", "READERTUI_DB", "READERTUI_LIBRARY"):
        monkeypatch.delenv(variable, raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives; the folder does not exist yet."""
    return tmp_path / "data" / "annotations.json"
