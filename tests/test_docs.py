"""The README tells a newcomer what the app does: its first commands and every key."""

from __future__ import annotations

from readertui.ui.keymap import KEYS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_install_and_test_commands() -> None:
    blocks = README.split("```")
    assert "pip install . && .venv/bin/readertui" in blocks[1]
    assert "pip install -e '.[test]' && .venv/bin/pytest" in blocks[3]


def test_every_key_is_in_the_readme() -> None:
    for spec in KEYS:
        for label in spec.label.split(" "):
            assert f"`{label}`" in README, f"{label} ({spec.description}) is not in the README"


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
