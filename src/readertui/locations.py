"""Where readertui's files live: config, data, cache, exports and the bundled sample library."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from readertui.errors import ConfigError

APP_NAME = "readertui"

#: Environment variable naming the config file to read instead of the default one.
CONFIG_ENV = "READERTUI_CONFIG"

# The wheel carries the sample library inside the package (hatch force-include); a source
# checkout has it at the repository root, two levels above the package folder.
_PACKAGED_SAMPLE_LIBRARY = Path(__file__).resolve().parent / "sample_library"
_CHECKOUT_SAMPLE_LIBRARY = Path(__file__).resolve().parents[2] / "library"


def config_dir() -> Path:
    """The per-user configuration folder (not created here)."""
    # appauthor=False: on Windows the default would nest the folder twice (readertui/readertui).
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The per-user data folder, home of the annotation database and exports (not created)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The per-user cache folder for derived data that can always be rebuilt (not created)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def default_config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The config file to read: `READERTUI_CONFIG` if set and non-empty, else config.toml."""
    override = env.get(CONFIG_ENV, "")
    if override:
        return Path(override).expanduser().absolute()
    return config_dir() / "config.toml"


def default_db_path() -> Path:
    """The annotation database used when neither the command line nor the config names one."""
    return data_dir() / "annotations.json"


def default_export_dir() -> Path:
    """Where exports go when neither the command line nor the config names a folder."""
    return data_dir() / "exports"


def sample_library_path() -> Path:
    """The sample library shipped with readertui: inside the wheel, or the checkout's library/.

    Raises ConfigError when neither exists, which means a broken installation.
    """
    for candidate in (_PACKAGED_SAMPLE_LIBRARY, _CHECKOUT_SAMPLE_LIBRARY):
        if candidate.is_dir():
            return candidate
    raise ConfigError("the sample library is missing from this installation")


def is_sample_library(folder: Path) -> bool:
    """Whether `folder` is the sample library this installation ships (however it is spelt:
    through links, relative). A copy of it elsewhere is not: that is the user's own library."""
    try:
        sample = sample_library_path()
    except ConfigError:
        return False
    return os.path.realpath(folder) == os.path.realpath(sample)
