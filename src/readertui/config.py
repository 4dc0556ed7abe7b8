"""The user's settings: read config.toml and the environment, and resolve library and database.

The `[keys]` table is read here as plain data with the line of each entry (`UserKey`); the UI
checks the binding ids and key names against its keymap (`readertui.ui.keymap`), so that a
mistake there is reported at start-up while the app still starts with its default keys.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, NamedTuple

from readertui.core.library import SAMPLE_LIBRARY_KEY, Library
from readertui.errors import ConfigError
from readertui.locations import (
    CONFIG_ENV,
    default_config_path,
    default_db_path,
    default_export_dir,
    sample_library_path,
)
from readertui.store.atomic_storage import check_regular_or_missing

LIBRARY_ENV: Final = "READERTUI_LIBRARY"
DB_ENV: Final = "READERTUI_DB"

REFLOW_CHOICES: Final = ("auto", "on", "off")
READING_WIDTH_RANGE: Final = (40, 400)

#: The name of the sample library's export folder (before its hash), wherever it is installed.
SAMPLE_EXPORT_NAME: Final = "sample-library"
#: How many hex digits of the library key's sha256 an export folder's name ends with.
EXPORT_HASH_DIGITS: Final = 8
# The longest library folder name kept in an export folder's name (in characters).
_EXPORT_NAME_CHARS: Final = 60
# What a folder name may not hold: controls (C0, DEL, C1, bidi), lone surrogates (bytes of a
# name that is not UTF-8), and the separators of the systems exports may be synced to.
# The patterns of this module are compiled (and cached by `re`) when first used: most starts
# need none of them, and this module is on the reader's start-up path.
_UNSAFE_NAME = r'[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff/\\:*?"<>|]+'


class UserKey(NamedTuple):
    """One entry of config.toml's `[keys]` table: a binding id and the keys the user gave it.

    Only the shape is checked here (a value must be a string); whether the id exists and the
    keys are key names is the UI's to say, since the core knows no bindings.
    """

    binding_id: str
    keys: str  # as written: "m", "ctrl+k,f5"; "" when the value is not a string
    file: Path
    line: int  # 1-based line of the entry in `file`; 0 when it could not be found
    problem: str = ""  # why the value cannot be used; completes "<binding id> ..."

    @property
    def where(self) -> str:
        """`<file>, line <n>`: where a message about this entry points the user."""
        return f"{self.file}, line {self.line}" if self.line else f"{self.file}, [keys]"


class Config(NamedTuple):
    """Settings after the config file and the environment have been applied.

    Paths are absolute (`~` expanded); None means "use the built-in default".
    """

    library: Path | None = None
    db_path: Path | None = None
    theme: str = "textual-dark"
    reading_width: int = 88
    max_document_mb: int = 256
    export_dir: Path | None = None
    reflow: str = "auto"
    follow_outside_links: bool = False
    #: The `[keys]` table in the order written; checked by `readertui.ui.keymap`.
    keys: tuple[UserKey, ...] = ()

    @property
    def export_folder(self) -> Path:
        """The folder that holds every library's exports: `export_dir`, else the data folder's
        `exports/` (see `export_folder_for`)."""
        return self.export_dir or default_export_dir()

    @property
    def max_document_bytes(self) -> int:
        """`max_document_mb` in bytes: larger files are skipped."""
        return self.max_document_mb * 1024 * 1024


def load_config(path: Path | None = None, env: Mapping[str, str] = os.environ) -> Config:
    """Read the config file and the environment overrides into a Config.

    `path` (e.g. `--config FILE`) defaults to `default_config_path(env)`. Only the default file
    may be missing (then every setting has its default): a file named on purpose, by `path` or
    READERTUI_CONFIG, must exist, since a typo in its name should be noticed.
    Raises ConfigError with one line naming the file and what is wrong.
    """
    if path is None:
        config_path = default_config_path(env)
        named_by = CONFIG_ENV if env.get(CONFIG_ENV) else None
    else:
        config_path = path.expanduser().absolute()
        named_by = "the config file"

    text, values = _read_toml(config_path, named_by)
    settings = _parse_settings(values, config_path, text)

    # The environment wins over the file: it is the quicker, more local way to say it.
    for variable, field in ((LIBRARY_ENV, "library"), (DB_ENV, "db_path")):
        value = env.get(variable, "")
        if value:
            settings[field] = Path(value).expanduser().absolute()
    return Config(**settings)


def resolve_db_path(cli_db: Path | None, config: Config) -> Path:
    """The database to open: `--db` first, then the config file or environment, then the default.

    Raises StoreError, before anything reads or writes it, when the path exists and is not a
    regular file (a device, a FIFO, a folder, or a symlink to one, PRODUCT 6).
    """
    if cli_db is not None:
        path = cli_db.expanduser().absolute()
    elif config.db_path is not None:
        path = config.db_path
    else:
        path = default_db_path()
    check_regular_or_missing(path)
    return path


def export_folder_for(config: Config, library: Library) -> Path:
    """Where `e` in the reader and `readertui export` without `-o` write `library`'s notes.

    A folder of its own in `config.export_folder`, named after the library's folder and the
    first hex digits of the sha256 of its key (`notes-3f2a9c1e`; the sample library's is
    `sample-library-…`), so two libraries with a document of the same name never overwrite
    each other's export, and a library keeps its folder from one run to the next.
    """
    import hashlib  # only for exports: not on start-up's path

    digest = hashlib.sha256(library.key.encode("utf-8", "surrogatepass")).hexdigest()
    if library.key == SAMPLE_LIBRARY_KEY:
        name = SAMPLE_EXPORT_NAME
    else:
        # The key is the folder's real path: a library opened as `.` is named all the same.
        folder_name = os.path.basename(library.key)
        name = re.sub(_UNSAFE_NAME, "_", folder_name).strip(" ._")[:_EXPORT_NAME_CHARS]
    return config.export_folder / f"{name or 'library'}-{digest[:EXPORT_HASH_DIGITS]}"


def resolve_library(cli_path: Path | None, config: Config) -> tuple[Path, Path | None]:
    """The library folder to open and the file to show first, if one was named.

    A file gives (its folder, the file); a folder gives (the folder, None); no argument gives the
    configured library or else the bundled sample library. The folder is fully resolved so that
    document paths relative to it are stable between runs.
    """
    if cli_path is not None:
        return _library_from_path(cli_path, "no such file or folder")
    if config.library is not None:
        return _library_from_path(config.library, "the configured library does not exist")
    return sample_library_path().resolve(), None


def _library_from_path(path: Path, missing_message: str) -> tuple[Path, Path | None]:
    target = path.expanduser().absolute()
    if target.is_dir():
        return target.resolve(), None
    if target.is_file():
        # Resolve only the folder: a symlinked file keeps its own name inside the library.
        folder = target.parent.resolve()
        return folder, folder / target.name
    if target.exists():
        raise ConfigError(f"not a file or folder: {target}")
    raise ConfigError(f"{missing_message}: {target}")


def config_template() -> str:
    """A commented example config.toml, every setting at its default, for the README and --help."""
    low, high = READING_WIDTH_RANGE
    defaults = Config()
    return f"""\
# readertui configuration. Every setting is optional; remove the "# " to use one.
# Relative paths are relative to this file's folder; "~" means your home folder.

# The folder opened when readertui is started without a path (READERTUI_LIBRARY overrides it).
# Unset: the sample library that ships with readertui.
# library = "~/Documents/reading"

# The annotation database (READERTUI_DB and --db override it).
# db_path = "~/.local/share/readertui/annotations.json"

# A Textual theme name, as listed in the command palette (--theme overrides it).
# theme = "{defaults.theme}"

# The widest the text column may get, in terminal cells ({low} to {high}).
# reading_width = {defaults.reading_width}

# Files larger than this many megabytes are listed as skipped instead of opened.
# max_document_mb = {defaults.max_document_mb}

# Where `e`, the palette and `readertui export` write exported notes: each library in a
# folder of its own in it, named after the library's folder (reading-1a2b3c4d/).
# export_dir = "~/Documents/reading-notes"

# Join hard-wrapped lines of plain text into paragraphs: "auto" (detected per document),
# "on" or "off".
# reflow = "{defaults.reflow}"

# Follow links in the library folder that lead out of it (to a file or folder elsewhere).
# Off, they are listed as skipped: a library from someone else cannot show your other files.
# follow_outside_links = {str(defaults.follow_outside_links).lower()}

# Your own keys: a binding id (see the keys table of the README) = the key or keys, comma
# separated. Keep this table last: every line under [keys] belongs to it.
# [keys]
# highlight = "m"
# note = "a,N"
"""


def _read_toml(path: Path, named_by: str | None) -> tuple[str, dict[str, Any]]:
    """The file's text and its parsed values; ("", {}) when it is missing and `named_by` is None
    (the default location)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if named_by is not None:
            raise ConfigError(f"{named_by} {path} does not exist") from None
        return "", {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    import tomllib  # only when there is a config file to read

    try:
        text = raw.decode("utf-8-sig")
        return text, tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        # The message already reads "... (at line N, column M)"; keep it to one line.
        detail = " ".join(str(exc).split())
        raise ConfigError(f"{path}: not valid TOML: {detail}") from exc


def _parse_settings(values: Mapping[str, Any], config_path: Path, text: str) -> dict[str, Any]:
    folder = config_path.parent
    settings: dict[str, Any] = {}
    for key, value in values.items():
        if key == "keys":
            settings[key] = _parse_keys(value, config_path, text)
            continue
        parser = _PARSERS.get(key)
        if parser is None:
            # A typo should be noticed, not silently turned into a default.
            known = ", ".join(sorted([*_PARSERS, "keys"]))
            raise ConfigError(f"{config_path}: unknown setting {key!r} (known: {known})")
        try:
            settings[key] = parser(value, folder)
        except _BadValue as exc:
            raise ConfigError(f"{config_path}: {key} {exc}") from None
    return settings


class _BadValue(Exception):
    """A setting's value is unusable; the message completes "<key> ..."."""


def _describe(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool | int | float):
        return repr(value)
    # TOML's remaining kinds are dates and times.
    return f"a {type(value).__name__}"


def _parse_path(value: object, folder: Path) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise _BadValue(f"must be a path in quotes, not {_describe(value)}")
    path = Path(value).expanduser()
    return path if path.is_absolute() else folder / path


def _parse_theme(value: object, folder: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _BadValue(f"must be a theme name in quotes, not {_describe(value)}")
    return value.strip()


def _parse_reading_width(value: object, folder: Path) -> int:
    low, high = READING_WIDTH_RANGE
    # bool is an int subclass; `reading_width = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _BadValue(f"must be a whole number from {low} to {high}, not {_describe(value)}")
    return value


def _parse_max_document_mb(value: object, folder: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _BadValue(f"must be a whole number of megabytes, at least 1, not {_describe(value)}")
    return value


def _parse_reflow(value: object, folder: Path) -> str:
    if not isinstance(value, str) or value not in REFLOW_CHOICES:
        choices = ", ".join(f'"{choice}"' for choice in REFLOW_CHOICES)
        raise _BadValue(f"must be one of {choices}, not {_describe(value)}")
    return value


def _parse_bool(value: object, folder: Path) -> bool:
    if not isinstance(value, bool):
        raise _BadValue(f"must be true or false, not {_describe(value)}")
    return value


def _parse_keys(value: object, config_path: Path, text: str) -> tuple[UserKey, ...]:
    """The `[keys]` table as UserKeys. A value that is not a string becomes a UserKey with a
    `problem`, reported at start-up like any other mistake in the table, so that one slip in
    the keys never keeps the reader from starting; `keys` that is not a table at all is a
    mistake in the file's shape and stops it like any other setting."""
    if not isinstance(value, dict):
        raise ConfigError(
            f"{config_path}: keys must be a table ([keys], then one line per key: "
            f'highlight = "m"), not {_describe(value)}'
        )
    lines = _key_lines(text)
    entries: list[UserKey] = []
    for binding_id, keys in value.items():
        line = lines.get(binding_id, lines.get("", 0))
        if isinstance(keys, str):
            entries.append(UserKey(binding_id, keys, config_path, line))
            continue
        if binding_id in _PARSERS:
            # A setting written below [keys] belongs to the table: say where it should go.
            problem = "is a setting, not a binding id: settings go above [keys]"
        else:
            problem = f'must be keys in quotes, like "m" or "ctrl+k,f5", not {_describe(keys)}'
        entries.append(UserKey(binding_id, "", config_path, line, problem))
    return tuple(entries)


# A TOML key as written: "quoted", 'literal' or bare.
_TOML_KEY = r"""(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|'(?P<literal>[^']*)'|(?P<bare>[A-Za-z0-9_-]+))"""
_KEYS_HEADER = r"""^\s*\[\s*(?:keys|"keys"|'keys')\s*\]\s*(?:#.*)?$"""
_TABLE_ENTRY = rf"^\s*{_TOML_KEY}\s*="
_DOTTED_ENTRY = rf"^\s*keys\s*\.\s*{_TOML_KEY}\s*="
_INLINE_KEYS = r"^\s*keys\s*="


def _key_lines(text: str) -> dict[str, int]:
    """The line (1-based) of each entry of the keys table, found by reading the lines; "" maps
    to the line of the table itself, for entries not found (e.g. in an inline table).

    tomllib keeps no positions, so this follows the common ways of writing the table:
    `[keys]` then `id = ...` lines until the next `[header]`, or `keys.id = ...` and
    `keys = {...}` before any header. Only the first line of a name counts, as TOML allows one.
    """
    lines: dict[str, int] = {}
    in_keys = False
    at_top = True
    # Split on "\n" only, as TOML counts lines (str.splitlines also splits on \f, \u2028...).
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("["):
            at_top = False
            in_keys = bool(re.match(_KEYS_HEADER, line))
            if in_keys:
                lines.setdefault("", number)
            continue
        if in_keys:
            match = re.match(_TABLE_ENTRY, line)
        elif at_top:
            match = re.match(_DOTTED_ENTRY, line)
            if match is None and re.match(_INLINE_KEYS, line):
                lines.setdefault("", number)
        else:
            match = None
        if match is not None:
            lines.setdefault(_toml_key_name(match), number)
    return lines


def _toml_key_name(match: re.Match[str]) -> str:
    quoted = match.group("quoted")
    if quoted is not None and "\\" in quoted:
        # An escape in a quoted name: let TOML itself say what it means.
        import tomllib

        try:
            return next(iter(tomllib.loads(f'"{quoted}" = 0')))
        except tomllib.TOMLDecodeError:
            return quoted
    return quoted if quoted is not None else match.group("literal") or match.group("bare")


_PARSERS: Final[dict[str, Callable[[object, Path], object]]] = {
    "library": _parse_path,
    "db_path": _parse_path,
    "theme": _parse_theme,
    "reading_width": _parse_reading_width,
    "max_document_mb": _parse_max_document_mb,
    "export_dir": _parse_path,
    "reflow": _parse_reflow,
    "follow_outside_links": _parse_bool,
}

#: The names of the settings (what may stand above `[keys]`).
SETTING_NAMES: Final = frozenset(_PARSERS)
