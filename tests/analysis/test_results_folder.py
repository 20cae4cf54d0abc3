"""Loading a results folder and refusing bad input with one clear line."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from make_fixtures import GRID, RUN, SOBOL

from analysis.results import load_results
from sim.contract.columns import FORMAT_VERSION
from sim.contract.errors import ResultsError
from sim.contract.outcomes import OUTCOMES

ANALYSIS = Path(__file__).resolve().parents[2] / "analysis"


def test_loads_run_fixture() -> None:
    results = load_results(RUN)
    assert results.kind == "run"
    assert results.parameters == []
    assert results.n_runs == 40 and results.n_points == 1
    assert list(results.runs["run_id"]) == list(range(40))
    assert set(results.runs["outcome"]) <= set(OUTCOMES)
    assert results.is_complete
    assert results.thresholds.tilt_margin == 0.25
    assert results.caption == 'run "baseline" · 40 runs'


def test_trajectories_and_bands_are_lazy_and_optional() -> None:
    grid = load_results(GRID)
    assert "trajectories" not in grid.__dict__
    assert grid.trajectories is not None and "outcome" in grid.trajectories
    assert grid.bands is not None and {"q10", "q50", "q90"} <= set(grid.bands.columns)
    sobol = load_results(SOBOL)
    assert sobol.trajectories is None and sobol.bands is None
    some = grid.read_trajectories(["us_alignment"])
    assert some is not None and "security_index" not in some.columns


def test_sweep_fixture_has_parameter_columns() -> None:
    results = load_results(GRID)
    assert results.parameters == ["levels.us_pressure", "levels.china_coercion"]
    assert results.n_points == 15
    assert results.caption == 'sweep "pressure-grid" · 15 points · 240 runs'


def test_runs_parquet_may_be_a_directory_of_parts(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(GRID)
    runs = pd.read_parquet(folder / "runs.parquet")
    (folder / "runs.parquet").unlink()
    (folder / "runs.parquet").mkdir()
    runs.iloc[:100].to_parquet(folder / "runs.parquet" / "part-0.parquet", index=False)
    runs.iloc[100:].to_parquet(folder / "runs.parquet" / "part-1.parquet", index=False)
    results = load_results(folder)
    assert results.n_runs == len(runs)
    assert list(results.runs["run_id"]) == sorted(runs["run_id"])


def _error(folder: Path) -> ResultsError:
    with pytest.raises(ResultsError) as info:
        load_results(folder)
    message = str(info.value)
    assert "\n" not in message
    return info.value


def test_missing_folder(tmp_path: Path) -> None:
    error = _error(tmp_path / "nowhere")
    assert str(error).startswith(str(tmp_path / "nowhere"))
    assert "not found" in str(error)


def test_missing_manifest(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    (folder / "manifest.json").unlink()
    error = _error(folder)
    assert str(error).startswith(f"{folder / 'manifest.json'}: ")
    assert "not found" in str(error)


def test_malformed_manifest(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    (folder / "manifest.json").write_text('{"format_version": 1,\n "kind": }', encoding="utf-8")
    error = _error(folder)
    assert "manifest.json" in str(error)
    assert "malformed JSON" in str(error) and "line 2" in str(error)


@pytest.mark.parametrize("version", [1, 3, 0, "2", None])
def test_wrong_format_version(copy_folder: Callable[[Path], Path], version: object) -> None:
    folder = copy_folder(RUN)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    error = _error(folder)
    assert str(error).startswith(f"{folder / 'manifest.json'}: format_version")
    if version is not None:
        assert str(FORMAT_VERSION) in str(error)


def test_manifest_not_an_object(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    (folder / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    assert "JSON object" in str(_error(folder))


def test_missing_runs(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    (folder / "runs.parquet").unlink()
    error = _error(folder)
    assert str(error).startswith(f"{folder / 'runs.parquet'}: not found")
    (folder / "parts").mkdir()
    assert "unfinished" in str(_error(folder))


def test_unreadable_runs(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    (folder / "runs.parquet").write_bytes(b"this is not parquet")
    error = _error(folder)
    assert str(error).startswith(f"{folder / 'runs.parquet'}: cannot read Parquet")


@pytest.mark.parametrize("column", ["outcome", "point_id", "levels.us_pressure"])
def test_missing_required_column(copy_folder: Callable[[Path], Path], column: str) -> None:
    folder = copy_folder(GRID)
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns=[column])
    runs.to_parquet(folder / "runs.parquet", index=False)
    error = _error(folder)
    assert str(error) == f"{folder / 'runs.parquet'}: missing required column(s): {column}"


def test_unknown_outcome_class(copy_folder: Callable[[Path], Path]) -> None:
    folder = copy_folder(RUN)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs.loc[0, "outcome"] = "neutrality"
    runs.to_parquet(folder / "runs.parquet", index=False)
    assert "unknown class(es) 'neutrality'" in str(_error(folder))


def test_not_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "file.txt"
    path.write_text("x")
    assert "not a folder" in str(_error(path))


def test_fixture_folders_are_small() -> None:
    for folder in (RUN, GRID, SOBOL):
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        assert size < 100_000, folder


def test_fixture_generator_imports_only_the_contract_from_sim() -> None:
    source = (Path(__file__).parent / "make_fixtures.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    from_sim = [n for n in imported if n == "sim" or n.startswith("sim.")]
    assert from_sim and all(n.startswith("sim.contract.") for n in from_sim)


def test_committed_fixtures_match_the_generator(tmp_path: Path) -> None:
    import make_fixtures

    for build in (make_fixtures.build_run, make_fixtures.build_grid, make_fixtures.build_sobol):
        fresh = build(tmp_path)
        committed = Path(make_fixtures.FIXTURES) / fresh.name
        assert sorted(p.name for p in fresh.iterdir()) == sorted(
            p.name for p in committed.iterdir()
        )
        for name in ("runs.parquet", "trajectories.parquet", "bands.parquet"):
            if (committed / name).exists():
                pd.testing.assert_frame_equal(
                    pd.read_parquet(fresh / name), pd.read_parquet(committed / name)
                )
        assert (fresh / "summary.csv").read_text() == (committed / "summary.csv").read_text()
