"""Where readertui keeps its files, and where it finds the sample library."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from readertui import locations
from readertui.errors import ConfigError

pytestmark = pytest.mark.usefixtures("private_user_dirs")


def test_files_live_in_the_platform_folders(private_user_dirs: Path) -> None:
    config = private_user_dirs / "user_config_dir"
    data = private_user_dirs / "user_data_dir"
    assert locations.config_dir() == config
    assert locations.data_dir() == data
    assert locations.cache_dir() == private_user_dirs / "user_cache_dir"
    assert locations.default_config_path({}) == config / "config.toml"
    assert locations.default_db_path() == data / "annotations.json"
    assert locations.default_export_dir() == data / "exports"


def test_asking_where_files_go_creates_nothing(private_user_dirs: Path) -> None:
    locations.config_dir()
    locations.data_dir()
    locations.cache_dir()
    locations.default_db_path()
    assert not private_user_dirs.exists()


def test_platformdirs_is_asked_for_readertui(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def spy(appname: str, appauthor: object = None, **kwargs: object) -> str:
        seen.append((appname, appauthor))
        return "/somewhere"

    monkeypatch.setattr(platformdirs, "user_data_dir", spy)
    assert locations.data_dir() == Path("/somewhere")
    assert seen == [("readertui", False)]


def test_readertui_config_names_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert locations.default_config_path({"READERTUI_CONFIG": "~/rt.toml"}) == tmp_path / "rt.toml"
    assert locations.default_config_path({"READERTUI_CONFIG": "/etc/rt.toml"}) == Path(
        "/etc/rt.toml"
    )


def test_empty_readertui_config_means_the_default(private_user_dirs: Path) -> None:
    expected = private_user_dirs / "user_config_dir" / "config.toml"
    assert locations.default_config_path({"READERTUI_CONFIG": ""}) == expected


def test_sample_library_of_a_checkout_holds_the_seed_documents() -> None:
    library = locations.sample_library_path()
    assert library.is_dir()
    assert len(list(library.glob("*.txt"))) == 4


def test_packaged_sample_library_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packaged = tmp_path / "sample_library"
    packaged.mkdir()
    monkeypatch.setattr(locations, "_PACKAGED_SAMPLE_LIBRARY", packaged)
    assert locations.sample_library_path() == packaged


def test_missing_sample_library_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locations, "_PACKAGED_SAMPLE_LIBRARY", tmp_path / "nope")
    monkeypatch.setattr(locations, "_CHECKOUT_SAMPLE_LIBRARY", tmp_path / "nope-either")
    with pytest.raises(ConfigError, match="the sample library is missing from this installation"):
        locations.sample_library_path()
