"""Shared fixtures of the analysis tests (fixture folder paths are in make_fixtures.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def copy_folder(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a committed fixture folder into tmp_path so a test may write into it."""

    def copy(folder: Path) -> Path:
        target = tmp_path / folder.name
        shutil.copytree(folder, target)
        return target

    return copy
