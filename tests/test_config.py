"""config.toml and the environment: defaults, overrides, and one clear line for each mistake."""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

import pytest

from readertui import locations
from readertui.config import (
    Config,
    UserKey,
    config_template,
    export_folder_for,
    load_config,
    resolve_db_path,
    resolve_library,
)
from readertui.core.library import SAMPLE_LIBRARY_KEY, Library, library_key, scan_library
from readertui.errors import ConfigError, StoreError

pytestmark = pytest.mark.usefixtures("private_user_dirs")


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    folder = tmp_path / "conf"
    folder.mkdir()
    return folder / "config.toml"


def load_text(config_file: Path, text: str, env: dict[str, str] | None = None) -> Config:
    config_file.write_text(text, encoding="utf-8")
    return load_config(config_file, env or {})


def error_for(config_file: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_text(config_file, text)
    message = str(caught.value)
    assert "\n" not in message
    assert str(config_file) in message
    return message


# --- reading the file --------------------------------------------------------------------------


def test_no_config_file_means_defaults() -> None:
    assert load_config(env={}) == Config()
    assert Config().theme == "textual-dark"
    assert Config().reading_width == 88
    assert Config().reflow == "auto"


def test_the_default_file_is_read(private_user_dirs: Path) -> None:
    default = private_user_dirs / "user_config_dir" / "config.toml"
    default.parent.mkdir(parents=True)
    default.write_text('theme = "nord"\n', encoding="utf-8")
    assert load_config(env={}).theme == "nord"


def test_every_setting_is_read(config_file: Path) -> None:
    config = load_text(
        config_file,
        """
        library = "/srv/texts"
        db_path = "/srv/notes.json"
        theme = "gruvbox"
        reading_width = 72
        max_document_mb = 16
        export_dir = "/srv/exports"
        reflow = "off"
        """,
    )
    assert config == Config(
        library=Path("/srv/texts"),
        db_path=Path("/srv/notes.json"),
        theme="gruvbox",
        reading_width=72,
        max_document_mb=16,
        export_dir=Path("/srv/exports"),
        reflow="off",
    )


def test_relative_paths_are_relative_to_the_config_folder(config_file: Path) -> None:
    config = load_text(config_file, 'library = "texts"\nexport_dir = "../out"\n')
    assert config.library == config_file.parent / "texts"
    assert config.export_dir == config_file.parent / ".." / "out"


def test_tilde_means_home(config_file: Path, tmp_path: Path) -> None:
    config = load_text(config_file, 'db_path = "~/notes/annotations.json"\n')
    assert config.db_path == tmp_path / "userhome" / "notes" / "annotations.json"


def test_readertui_config_chooses_the_file(config_file: Path) -> None:
    config_file.write_text("reading_width = 100\n", encoding="utf-8")
    assert load_config(env={"READERTUI_CONFIG": str(config_file)}).reading_width == 100


def test_readertui_config_naming_a_missing_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "typo.toml"
    with pytest.raises(ConfigError, match=f"READERTUI_CONFIG {re.escape(str(missing))} does not"):
        load_config(env={"READERTUI_CONFIG": str(missing)})


def test_a_config_file_named_on_the_command_line_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "typo.toml"
    with pytest.raises(ConfigError, match=f"config file {re.escape(str(missing))} does not exist"):
        load_config(missing, {})


# --- environment overrides ---------------------------------------------------------------------


def test_environment_beats_the_file(config_file: Path, tmp_path: Path) -> None:
    config = load_text(
        config_file,
        'library = "/from/file"\ndb_path = "/from/file.json"\n',
        env={"READERTUI_LIBRARY": "/from/env", "READERTUI_DB": "~/env.json"},
    )
    assert config.library == Path("/from/env")
    assert config.db_path == tmp_path / "userhome" / "env.json"


def test_relative_environment_paths_are_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(env={"READERTUI_LIBRARY": "texts"})
    assert config.library == tmp_path / "texts"


def test_empty_environment_values_are_ignored(config_file: Path) -> None:
    config = load_text(config_file, 'library = "/from/file"\n', env={"READERTUI_LIBRARY": ""})
    assert config.library == Path("/from/file")


# --- mistakes ----------------------------------------------------------------------------------


def test_bad_toml_names_the_file_and_the_line(config_file: Path) -> None:
    message = error_for(config_file, 'theme = "nord"\nreading_width = = 3\n')
    assert "not valid TOML" in message
    assert "line 2" in message


def test_unknown_setting_is_named(config_file: Path) -> None:
    message = error_for(config_file, "reading_widht = 80\n")
    assert "unknown setting 'reading_widht'" in message
    assert "reading_width" in message  # the known names help spot the typo


@pytest.mark.parametrize("value", ["20", "401", '"wide"', "true", "88.5"])
def test_reading_width_out_of_range_is_refused(config_file: Path, value: str) -> None:
    message = error_for(config_file, f"reading_width = {value}\n")
    assert "reading_width must be a whole number from 40 to 400" in message


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('reflow = "sometimes"', 'reflow must be one of "auto", "on", "off"'),
        ("max_document_mb = 0", "max_document_mb must be a whole number of megabytes"),
        ("library = 3", "library must be a path in quotes, not 3"),
        ('db_path = ""', "db_path must be a path in quotes"),
        ("theme = []", "theme must be a theme name in quotes, not a list"),
        ("theme = 1979-05-27", "theme must be a theme name in quotes, not a date"),
        ("[library]\npath = 'x'", "library must be a path in quotes, not a table"),
    ],
)
def test_bad_values_are_named(config_file: Path, text: str, complaint: str) -> None:
    assert complaint in error_for(config_file, text + "\n")


def test_config_that_is_not_utf8_is_refused(config_file: Path) -> None:
    config_file.write_bytes(b'theme = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(config_file, {})


def test_unreadable_config_is_a_clear_error(config_file: Path) -> None:
    config_file.mkdir()  # a folder where the file should be
    with pytest.raises(ConfigError, match=f"cannot read {re.escape(str(config_file))}"):
        load_config(config_file, {})


# --- [keys]: the user's keymap, read as data with its lines --------------------------------------


def test_no_keys_table_means_no_user_keys(config_file: Path) -> None:
    assert load_text(config_file, 'theme = "nord"\n').keys == ()


def test_the_keys_table_is_read_with_the_line_of_each_entry(config_file: Path) -> None:
    config = load_text(
        config_file,
        '# my settings\ntheme = "nord"\n\n[keys]\n'
        '# annotating\nhighlight = "m"   # mark\n\n  note="a,N"\n"tags" = \'ctrl+t\'\n',
    )
    assert config.theme == "nord"
    assert config.keys == (
        UserKey("highlight", "m", config_file, 6),
        UserKey("note", "a,N", config_file, 8),
        UserKey("tags", "ctrl+t", config_file, 9),
    )
    assert config.keys[0].where == f"{config_file}, line 6"


def test_lines_count_as_toml_counts_them(config_file: Path) -> None:
    """CRLF line ends, a line separator in a comment, a BOM: still the line TOML counts."""
    config_file.write_bytes('\ufeff# \u2028 and \x85\r\n[keys]\r\n\r\nnote = "a"\r\n'.encode())
    assert load_config(config_file, {}).keys == (UserKey("note", "a", config_file, 4),)


def test_keys_written_as_dotted_names_or_an_inline_table_have_lines(config_file: Path) -> None:
    config = load_text(config_file, 'keys.note = "a"\nkeys."find" = "f"\n')
    assert [(k.binding_id, k.line) for k in config.keys] == [("note", 1), ("find", 2)]
    config = load_text(config_file, 'theme = "nord"\nkeys = { note = "a", find = "f" }\n')
    assert [(k.binding_id, k.line) for k in config.keys] == [("note", 2), ("find", 2)]


def test_a_table_after_keys_ends_it(config_file: Path) -> None:
    """A [header] after [keys] ends it: only the lines inside count for its names."""
    config = load_text(config_file, '[keys]\nnote = "a"\n\n[keys.more]\nnote = "b"\n')
    assert config.keys[0] == UserKey("note", "a", config_file, 2)
    assert config.keys[1].binding_id == "more"
    assert config.keys[1].problem.endswith("not a table")
    assert config.keys[1].line == 1  # not found: the line of [keys]


def test_a_key_value_that_is_not_a_string_is_a_problem_not_an_error(config_file: Path) -> None:
    config = load_text(config_file, '[keys]\nnote = 5\nfind = ["f"]\nhighlight = "m"\n')
    assert config.keys == (
        UserKey(
            "note", "", config_file, 2, 'must be keys in quotes, like "m" or "ctrl+k,f5", not 5'
        ),
        UserKey(
            "find",
            "",
            config_file,
            3,
            'must be keys in quotes, like "m" or "ctrl+k,f5", not a list',
        ),
        UserKey("highlight", "m", config_file, 4),
    )


def test_a_setting_written_under_keys_is_pointed_out(config_file: Path) -> None:
    config = load_text(config_file, '[keys]\nnote = "a"\nreading_width = 80\n')
    assert config.keys[1] == UserKey(
        "reading_width",
        "",
        config_file,
        3,
        "is a setting, not a binding id: settings go above [keys]",
    )
    assert config.reading_width == Config().reading_width


def test_keys_that_is_not_a_table_stops_like_any_bad_setting(config_file: Path) -> None:
    message = error_for(config_file, 'keys = "h"\n')
    assert "keys must be a table ([keys]" in message


# --- the template ------------------------------------------------------------------------------


def test_template_as_shipped_means_defaults(config_file: Path) -> None:
    assert load_text(config_file, config_template()) == Config()


def test_every_setting_in_the_template_is_valid_when_uncommented(config_file: Path) -> None:
    lines = config_template().splitlines()
    keys_at = lines.index("# [keys]")
    settings = [line[2:] for line in lines[:keys_at] if re.match(r"# [a-z_]+ = ", line)]
    assert {line.split(" = ")[0] for line in settings} == {
        "library",
        "db_path",
        "theme",
        "reading_width",
        "max_document_mb",
        "export_dir",
        "reflow",
        "follow_outside_links",
    }
    config = load_text(config_file, "\n".join(settings) + "\n")
    assert config.theme == Config().theme
    assert config.reading_width == Config().reading_width


def test_the_templates_keys_table_is_read_when_uncommented(config_file: Path) -> None:
    lines = config_template().splitlines()
    keys_at = lines.index("# [keys]")
    table = [line[2:] for line in lines[keys_at:]]
    config = load_text(config_file, "\n".join(table) + "\n")
    assert [(k.binding_id, k.keys, k.line) for k in config.keys] == [
        ("highlight", "m", 2),
        ("note", "a,N", 3),
    ]


# --- which database and which library ----------------------------------------------------------


def test_database_choice_order(tmp_path: Path) -> None:
    configured = Config(db_path=tmp_path / "configured.json")
    assert resolve_db_path(tmp_path / "cli.json", configured) == tmp_path / "cli.json"
    assert resolve_db_path(None, configured) == tmp_path / "configured.json"
    assert resolve_db_path(None, Config()) == locations.default_db_path()


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs")
def test_a_database_that_is_not_a_regular_file_is_refused_wherever_it_was_chosen(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    for path in (fifo, folder):
        for cli_db, config in ((path, Config()), (None, Config(db_path=path))):
            with pytest.raises(StoreError, match="not a regular file") as caught:
                resolve_db_path(cli_db, config)
            assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    # A regular file, or none yet, is fine.
    assert resolve_db_path(tmp_path / "new.json", Config()) == tmp_path / "new.json"


def test_a_file_opens_its_folder_with_the_file_shown(tmp_path: Path) -> None:
    document = tmp_path / "texts" / "report.txt"
    document.parent.mkdir()
    document.write_text("text", encoding="utf-8")
    assert resolve_library(document, Config()) == (document.parent.resolve(), document.resolve())


def test_a_folder_opens_with_nothing_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "texts").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_library(Path("texts"), Config()) == ((tmp_path / "texts").resolve(), None)


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(ConfigError, match=f"no such file or folder: {re.escape(str(missing))}"):
        resolve_library(missing, Config())


def test_no_path_opens_the_configured_library(tmp_path: Path) -> None:
    assert resolve_library(None, Config(library=tmp_path)) == (tmp_path.resolve(), None)


def test_a_configured_library_that_is_gone_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="the configured library does not exist"):
        resolve_library(None, Config(library=tmp_path / "gone"))


def test_nothing_configured_opens_the_sample_library() -> None:
    root, shown = resolve_library(None, Config())
    assert root == locations.sample_library_path().resolve()
    assert shown is None
    assert any(root.glob("*.txt"))
    # The library the reader opens with no argument is the one keyed as the sample library.
    assert scan_library(root).key == SAMPLE_LIBRARY_KEY


# --- each library's export folder -----------------------------------------------------------


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def test_each_library_exports_to_a_folder_of_its_own(tmp_path: Path) -> None:
    one, two = tmp_path / "home" / "notes", tmp_path / "work" / "notes"
    one.mkdir(parents=True)
    two.mkdir(parents=True)
    config = Config(export_dir=tmp_path / "exports")
    first = export_folder_for(config, scan_library(one))
    second = export_folder_for(config, scan_library(two))
    assert first != second
    assert first == tmp_path / "exports" / f"notes-{_digest(str(one.resolve()))}"
    assert second.parent == tmp_path / "exports" and second.name.startswith("notes-")
    # The same library, however it is opened, keeps its folder.
    assert export_folder_for(config, scan_library(one / ".." / "notes")) == first


def test_the_sample_library_s_export_folder_does_not_depend_on_where_it_is_installed(
    private_user_dirs: Path,
) -> None:
    library = scan_library(locations.sample_library_path())
    folder = export_folder_for(Config(), library)
    exports = private_user_dirs / "user_data_dir" / "exports"
    assert folder == exports / f"sample-library-{_digest(SAMPLE_LIBRARY_KEY)}"


def test_a_library_folder_name_that_could_harm_becomes_a_plain_folder_name(
    tmp_path: Path,
) -> None:
    if sys.platform == "win32":
        pytest.skip("these names are not allowed on Windows")
    root = tmp_path / os.fsdecode(b".see\x1b]2;x\x07 caf\xe9\xe2\x80\xae:*")
    root.mkdir()
    folder = export_folder_for(Config(export_dir=tmp_path / "out"), scan_library(root))
    assert folder.parent == tmp_path / "out"
    # Controls, undecodable bytes, bidi overrides and separators become "_"; no leading dot
    # (a hidden folder) and no "_" left at the ends.
    assert re.fullmatch(r"see_\]2;x_ caf-[0-9a-f]{8}", folder.name)
    root_folder = Library(Path("/"), (), (), library_key(Path("/")))
    nameless = export_folder_for(Config(export_dir=tmp_path / "out"), root_folder)
    assert re.fullmatch(r"library-[0-9a-f]{8}", nameless.name)
