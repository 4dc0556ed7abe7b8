"""Fixtures for the store tests: a private database folder, never the user's real data."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_user_dirs(private_user_dirs: Path) -> Path:
    """Every store test runs with platformdirs pointed at a temporary home."""
    return private_user_dirs


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives; the folder does not exist yet."""
    return tmp_path / "data" / "annotations.json"
