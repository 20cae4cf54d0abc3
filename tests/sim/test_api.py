"""The Python API: same numbers as the command line, in memory or folder-backed, README example."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hedgesim
from hedgesim.cli import main
from sim.loader import InputError

REPO = Path(__file__).resolve().parents[2]
SCENARIO = """\
name: tiny
steps: 12
replications: 40
seed: 4
levels: {us_pressure: 0.6, china_coercion: 0.6, nk_provocation: 0.4}
classification: {final_window: 6}
"""
SWEEP = """\
name: tiny-sweep
base: tiny.yaml
replications: 10
seed: 3
parameters:
  levels.us_pressure: {values: [0.1, 0.9]}
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SCENARIO)
    (tmp_path / "sweep.yaml").write_text(SWEEP)
    return path


def test_run_gives_the_command_lines_numbers(tiny: Path, tmp_path: Path) -> None:
    status = main(
        [
            "run",
            str(tiny),
            "--replications",
            "30",
            "--seed",
            "9",
            "--out",
            str(tmp_path / "cli"),
            "--backend",
            "inprocess",
            "--quiet",
        ]
    )
    assert status == 0
    cli = pd.read_parquet(tmp_path / "cli" / "runs.parquet")
    res = hedgesim.run(tiny, replications=30, seed=9)
    assert res.in_memory and res.path is None
    pd.testing.assert_frame_equal(res.runs.reset_index(drop=True), cli, check_dtype=False)
    summary = pd.read_csv(tmp_path / "cli" / "summary.csv")
    np.testing.assert_allclose(res.summary()["share_hedging"], summary["share_hedging"])


def test_folder_backed_with_out_and_load(tiny: Path, tmp_path: Path) -> None:
    res = hedgesim.run(tiny, out=tmp_path / "folder")
    assert not res.in_memory and res.path == tmp_path / "folder"
    again = hedgesim.load(tmp_path / "folder")
    pd.testing.assert_frame_equal(res.runs, again.runs)
    assert res.summary()["n_runs"].iloc[0] == 40


def test_several_scenarios_share_run_seeds(tiny: Path) -> None:
    both = hedgesim.run([tiny, "baseline"], replications=25, seed=2)
    assert [r.name for r in both] == ["tiny", "baseline"]
    np.testing.assert_array_equal(both["tiny"].runs["seed"], both["baseline"].runs["seed"])
    table = both.summary()
    assert list(table["scenario"]) == ["tiny", "baseline"] and (table["n_runs"] == 25).all()
    assert both.plot().axes


def test_sweep_and_figures_and_report(tiny: Path, tmp_path: Path) -> None:
    res = hedgesim.sweep(tmp_path / "sweep.yaml")
    assert res.parameters == ["levels.us_pressure"] and len(res.summary()) == 2
    figures = res.figures()
    assert "shares" in figures and "fans" in figures
    with pytest.raises(KeyError, match="available: shares"):
        res.plot("sensitivity")
    html = res.report(tmp_path / "r.html").read_text()
    assert "tiny-sweep" in html


def test_reclassify_and_robustness(tiny: Path) -> None:
    res = hedgesim.run(tiny)
    same = res.reclassify()
    pd.testing.assert_frame_equal(same.runs, res.runs)
    wide = res.reclassify(tilt_margin=0.9, security_floor=0.0)
    assert set(wide.runs["outcome"]) == {"hedging"}
    assert wide.data.thresholds.tilt_margin == 0.9
    table = res.robustness()
    assert table["threshold"].iloc[0] == "base" and len(table) == 7
    assert table.iloc[0]["share_hedging"] == pytest.approx(res.summary()["share_hedging"].iloc[0])
    with pytest.raises(ValueError, match="tilt_margin must be in"):
        res.reclassify(tilt_margin=1.5)


def test_unknown_scenario_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no library scenario"):
        hedgesim.run("no-such-scenario")


def test_readme_python_example_runs(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1
    cwd = os.getcwd()
    os.chdir(tmp_path)  # the example writes its report here; scenarios come from the library
    try:
        exec(compile(blocks[0], "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert (tmp_path / "baseline-report.html").stat().st_size > 10_000
