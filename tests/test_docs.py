"""The README tells a newcomer what the app does: its first commands and every key."""

from __future__ import annotations

import re
from pathlib import Path

from readertui.config import load_config
from readertui.ui.keymap import KEYS, REBINDABLE, resolve_user_keys
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def keys_table() -> list[tuple[list[str], list[str]]]:
    """The README's keys table: for each row, the keys and the binding ids written in it."""
    table = README.split("| key | binding id | action |\n|---|---|---|\n", 1)[1]
    rows: list[tuple[list[str], list[str]]] = []
    for line in table.splitlines():
        if not line.startswith("|"):
            break
        cells = line.split(" | ")
        rows.append((re.findall(r"`([^`]+)`", cells[0]), re.findall(r"`([^`]+)`", cells[1])))
    return rows


def test_readme_starts_with_the_install_and_test_commands() -> None:
    blocks = README.split("```")
    assert "pip install . && .venv/bin/readertui" in blocks[1]
    assert "pip install -e '.[test]' && .venv/bin/pytest" in blocks[3]


def test_every_key_is_in_the_readme() -> None:
    for spec in KEYS:
        for label in spec.label.split(" "):
            assert f"`{label}`" in README, f"{label} ({spec.description}) is not in the README"


def test_the_keys_table_gives_each_key_with_its_binding_id() -> None:
    rows = keys_table()
    for binding_id, spec in REBINDABLE.items():
        (keys,) = [keys for keys, ids in rows if binding_id in ids] or [None]
        assert keys is not None, f"{binding_id} ({spec.description}) is not in the keys table"
        for label in spec.label.split(" "):
            assert label in keys, f"{label} is not in the row of {binding_id}"
    written = [binding_id for _, ids in rows for binding_id in ids]
    assert sorted(written) == sorted(REBINDABLE), "an id in the table is not a binding id"
    for spec in KEYS:
        if spec.keys and not spec.binding_id:  # Textual's own: listed, with no id
            assert any(spec.label in keys and not ids for keys, ids in rows), spec.label


def test_the_readme_keymap_example_is_valid(tmp_path: Path) -> None:
    section = README.split("## Your own keys", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    config_file = tmp_path / "config.toml"
    config_file.write_text(example, encoding="utf-8")
    keymap, problems = resolve_user_keys(load_config(config_file, {}).keys)
    assert problems == []
    assert keymap["highlight"] == "h"


def test_every_palette_command_without_a_key_is_in_the_readme() -> None:
    for spec in KEYS:
        if not spec.keys:
            assert spec.description in README, f"{spec.description!r} is not in the README"


def test_the_readme_export_example_is_what_the_export_writes() -> None:
    golden = (REPO / "tests" / "export" / "golden" / "rivers.md").read_text(encoding="utf-8")
    example = README.split("```markdown\n", 1)[1].split("```", 1)[0]
    golden_lines = golden.splitlines()
    # The example is the start of a real export (tests/export/golden), its note shortened.
    for line in example.splitlines():
        if not line.startswith("- **Note:**"):
            assert line in golden_lines, f"README example line not in the export: {line!r}"


def test_ci_runs_the_readme_test_command() -> None:
    command = README.split("```")[3].removeprefix("sh").strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()
    assert "ruff check" in ci and "mypy" in ci
