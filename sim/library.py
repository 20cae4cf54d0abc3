"""The scenario library: the YAML files of ``scenarios/`` that ship with hedgesim.

The library is found next to the package in a source checkout (``<repo>/scenarios``) and inside the
installed package otherwise (``sim/_library``, copied there when the wheel is built), so
``hedgesim list`` and the explorer work from any directory.
"""

from __future__ import annotations

from pathlib import Path

from sim.loader import InputError, load_scenario
from sim.scenario import Scenario

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE.parent / "scenarios", _HERE / "_library")


def library_dir() -> Path:
    """The folder of the shipped scenario library (the source checkout's ``scenarios/`` first).

    Returns:
        the first candidate folder that holds YAML files (the first candidate if none does).
    """
    for folder in _CANDIDATES:
        if folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    return _CANDIDATES[0]


def scenario_files(folder: Path | None = None) -> list[Path]:
    """The scenario files of a library folder, sorted by name (sweep files live in ``sweeps/``).

    Args:
        folder: the folder (default: :func:`library_dir`).

    Returns:
        the ``*.yaml`` files directly in the folder.
    """
    return sorted((folder or library_dir()).glob("*.yaml"))


def load_library(folder: Path | None = None) -> dict[str, Scenario]:
    """Every valid scenario of a library folder, by scenario name (invalid files are skipped).

    Args:
        folder: the folder (default: :func:`library_dir`).

    Returns:
        name -> scenario, in file-name order.
    """
    scenarios: dict[str, Scenario] = {}
    for path in scenario_files(folder):
        try:
            scenario = load_scenario(path)
        except InputError:
            continue
        scenarios.setdefault(scenario.name, scenario)
    return scenarios
