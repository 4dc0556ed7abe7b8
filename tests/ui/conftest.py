"""Fixtures for Pilot tests: a small library on disk and an app built with `make_app`."""

from __future__ import annotations

from pathlib import Path

import pytest

from readertui.config import Config
from readertui.ui.app import ReaderApp, make_app
from tests.ui.helpers import PROSE, AppFactory


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A library of three documents: long prose, Markdown, and a hostile text."""
    root = tmp_path / "library"
    root.mkdir()
    (root / "prose.txt").write_text(PROSE + "\n", encoding="utf-8")
    (root / "prose.txt.meta.toml").write_text(
        'title = "Long Prose"\nauthors = ["Ann Writer"]\ndate = "2024"\n', encoding="utf-8"
    )
    (root / "notes.md").write_text(
        "# Heading One\n\nSome *emphasis* and `code`.\n\n## Second heading\n\nMore text.\n",
        encoding="utf-8",
    )
    (root / "hostile.txt").write_text(
        "[red]not red[/red] and [b]not bold[/b]\n\x1b[2J\x1b]0;owned\x07 after escapes\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def make(tmp_path: Path, library: Path) -> AppFactory:
    """Build an app on the fixture library with a private database."""

    def build(
        *, open_name: str | None = "prose.txt", root: Path | None = None, **config: object
    ) -> ReaderApp:
        base = root or library
        return make_app(
            base,
            tmp_path / "annotations.json",
            Config(**config),  # type: ignore[arg-type]
            open_path=(base / open_name) if open_name else None,
        )

    return build
