"""One writer per folder, no orphaned workers, SIGTERM like Ctrl-C: the trials of :mod:`robustness`.

Each runs once here; the ``slow`` test repeats them; ``benchmarks/robustness_loop.py`` runs them 20
times and prints the counts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import robustness


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], dict]:
    work = tmp_path_factory.mktemp("robust")
    paths = robustness.write_inputs(work / "in")
    return work, paths, robustness.references(work, paths)


def test_two_writers_race_one_wins_the_other_exits_2(
    inputs: tuple[Path, dict[str, Path], dict[str, dict[str, pd.DataFrame]]], tmp_path: Path
) -> None:
    _, paths, refs = inputs
    robustness.race_trial(tmp_path, paths, refs)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_no_worker_survives_kill_9_of_the_coordinator(
    inputs: tuple[Path, dict[str, Path], dict], tmp_path: Path, backend: str
) -> None:
    _, paths, _ = inputs
    assert robustness.orphan_trial(tmp_path, paths, backend) < 5.0


def test_sigterm_exits_143_and_resume_is_identical(
    inputs: tuple[Path, dict[str, Path], dict[str, dict[str, pd.DataFrame]]], tmp_path: Path
) -> None:
    _, paths, refs = inputs
    robustness.sigterm_trial(tmp_path, paths, refs)


@pytest.mark.slow
def test_the_trials_pass_repeatedly(
    inputs: tuple[Path, dict[str, Path], dict[str, dict[str, pd.DataFrame]]], tmp_path: Path
) -> None:
    _, paths, refs = inputs
    for i in range(2):  # benchmarks/robustness_loop.py runs them 20 times
        robustness.race_trial(tmp_path / f"r{i}", paths, refs)
        robustness.orphan_trial(tmp_path / f"o{i}", paths)
        robustness.sigterm_trial(tmp_path / f"s{i}", paths, refs)
