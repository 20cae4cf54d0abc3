"""``hedgesim calibrate`` end to end: outputs, determinism, resume after SIGKILL, held-out data
never read by the fit, bad calibration files (one line, file:line, exit 2), ``--posterior`` runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from calibration_files import tiny_calibration

from hedgesim.cli import main

FAST = ["--backend", "inprocess", "--quiet", "--no-figures"]


def posterior(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "posterior.parquet")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished tiny calibration with figures."""
    root = tmp_path_factory.mktemp("fitted")
    path = tiny_calibration(root)
    out = root / "out"
    assert (
        main(["calibrate", str(path), "--out", str(out), "--backend", "inprocess", "--quiet"]) == 0
    )
    return out


def test_calibrate_writes_a_complete_folder(fitted: Path) -> None:
    for name in (
        "manifest.json",
        "posterior.parquet",
        "predictive.parquet",
        "diagnostics.json",
        "validation.csv",
        "identifiability.csv",
        "waves/wave-000.parquet",
        "waves/wave-001.parquet",
        "figures/bands.png",
        "figures/marginals.png",
        "figures/pairs.png",
    ):
        assert (fitted / name).is_file(), name
    manifest = json.loads((fitted / "manifest.json").read_text())
    assert manifest["kind"] == "calibration" and manifest["finished"]
    assert manifest["fitting_data"]["unga_position"]["years"] == [2013, 2014, 2015, 2016]
    post = posterior(fitted)
    assert post["weight"].sum() == pytest.approx(1.0)
    assert len(post) == 64  # two waves of 32 points, pooled
    diag = json.loads((fitted / "diagnostics.json").read_text())
    assert [w["wave"] for w in diag["waves"]] == [0, 1]
    assert 1.0 <= diag["posterior_ess"] <= len(post)
    (episode,) = diag["episodes"]
    assert episode["episode"] == "thaad-decision" and 0.0 <= episode["share_expected"] <= 1.0
    assert "episode.thaad-decision" in post
    ident = pd.read_csv(fitted / "identifiability.csv")
    assert set(ident["status"]) <= {"identified", "weakly identified", "not identified"}
    assert (ident["q05"] <= ident["median"]).all() and (ident["median"] <= ident["q95"]).all()
    validation = pd.read_csv(fitted / "validation.csv")
    assert set(validation["year"][validation["target"] == "unga_position"]) == {2017, 2018, 2019}
    assert (validation["year"] > 2016).all()


def test_calibrate_prints_the_out_of_sample_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_calibration(tmp_path, waves=1, points=16)
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o"), *FAST]) == 0
    out = capsys.readouterr().out
    assert "out of sample" in out and "coverage_90" in out and "mae_last_value" in out
    assert "identifiability" in out


def test_same_seed_same_posterior_any_workers(tmp_path: Path, fitted: Path) -> None:
    path = tiny_calibration(tmp_path)
    out = tmp_path / "again"
    args = ["calibrate", str(path), "--out", str(out), "--workers", "2", "--quiet", "--no-figures"]
    assert main([*args, "--backend", "local"]) == 0
    pd.testing.assert_frame_equal(posterior(out), posterior(fitted))


def test_heldout_years_never_reach_the_fit(tmp_path: Path, fitted: Path) -> None:
    path = tiny_calibration(tmp_path)
    for name in ("unga_korea.csv", "exports_korea.csv"):
        data = pd.read_csv(tmp_path / "data" / name)
        value_columns = [c for c in data.columns if c != "year"]
        data.loc[data["year"] > 2016, value_columns] = 0.987  # corrupt every held-out value
        data.to_csv(tmp_path / "data" / name, index=False)
    out = tmp_path / "corrupt"
    assert main(["calibrate", str(path), "--out", str(out), *FAST]) == 0
    pd.testing.assert_frame_equal(posterior(out), posterior(fitted))
    validation = pd.read_csv(out / "validation.csv")
    assert (validation["observed"] == 0.987).all()  # the validation did read them


def test_resume_after_sigkill_gives_the_same_posterior(tmp_path: Path) -> None:
    path = tiny_calibration(tmp_path, waves=3, points=128)
    reference = tmp_path / "reference"
    assert main(["calibrate", str(path), "--out", str(reference), *FAST]) == 0
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "hedgesim", "calibrate", str(path), "--out", str(out), *FAST]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (out / "waves" / "wave-000.parquet").exists() and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finished"] is None, "the calibration finished before it could be killed"
    assert not (out / "posterior.parquet").exists()
    assert main(["calibrate", str(path), "--out", str(out), "--resume", *FAST]) == 0
    pd.testing.assert_frame_equal(posterior(out), posterior(reference))
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 2


def test_out_without_resume_is_refused(
    tmp_path: Path, fitted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_calibration(tmp_path)
    assert main(["calibrate", str(path), "--out", str(fitted), *FAST]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("is not empty; continue it with --resume") and "\n" not in err


BAD = [
    (
        "  waves: 2\n",
        "  wavez: 2\n",
        "calib.yaml:{line}: method.wavez: unknown key (did you mean 'waves'?)",
    ),
    (
        "structure.seoul.trade_step:",
        "structure.seoul.trade_stp:",
        "calib.yaml:{line}: parameters.structure.seoul.trade_stp: unknown parameter",
    ),
    (
        "{low: 0.1, high: 0.7}",
        "{low: 0.7, high: 0.1}",
        "calib.yaml:{line}: parameters.structure.observation.unga_base: 'low' (0.7) must be below",
    ),
    (
        "{low: 0.05, high: 2.0, transform: log}",
        "{low: 0.0, high: 2.0, transform: log}",
        "calib.yaml:{line}: parameters.structure.observation.unga_lean.low: a log prior needs",
    ),
    (
        "{low: 0.2, high: 0.8}",
        "{low: 0.2, high: 1.8}",
        "calib.yaml:{line}: parameters.structure.observation.exports_china_scale.high: 1.8 is not allowed",
    ),
    (
        "observable: unga_position",
        "observable: unga_positon",
        "calib.yaml:{line}: targets.unga_position.observable: not a trajectory variable (did you mean",
    ),
    (
        "file: data/unga_korea.csv",
        "file: data/missing.csv",
        "calib.yaml:{line}: targets.unga_position.file: data file not found",
    ),
    (
        "column: exports_china",
        "column: exports_japan",
        "calib.yaml:{line}: targets.exports_china.column: exports_korea.csv has no column 'exports_japan'",
    ),
    (
        "error_sd: 0.03",
        "error_sd: -0.03",
        "calib.yaml:{line}: targets.unga_position.error_sd: Input should be greater than 0",
    ),
    (
        "  points: 32\n",
        "  points: 30\n",
        "calib.yaml:{line}: method.points: must be a power of 2 for the sobol design, got 30",
    ),
    (
        "base: base.yaml",
        "base: nowhere.yaml",
        "calib.yaml:{line}: base: base scenario file not found",
    ),
    (
        'after: ["2016-08", "2016-12"]',
        'after: ["2017-08", "2017-12"]',
        "calib.yaml:{line}: episodes.thaad-decision.after: ends after fit_until (2016): it would fit to held-out",
    ),
    (
        'after: ["2016-08", "2016-12"]',
        'after: ["2016-08", "2016-02"]',
        "calib.yaml:{line}: episodes.thaad-decision.after: the first month is after the last",
    ),
    (
        "variable: us_alignment",
        "variable: us_alinement",
        "calib.yaml:{line}: episodes.thaad-decision.variable: not a trajectory variable",
    ),
    (
        'after: ["2016-08", "2016-12"]',
        'after: ["2016-13", "2016-12"]',
        "calib.yaml:{line}: episodes.thaad-decision.after.0: String should match pattern",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD)
def test_bad_calibration_files_give_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    path = tiny_calibration(tmp_path)
    text = path.read_text()
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    assert main(["calibrate", str(path), "--out", str(tmp_path / "o"), *FAST]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(str(path) + f":{line}:"), err
    assert expected.format(line=line).split(":", 1)[1] in err, err
    assert not (tmp_path / "o").exists()


def test_bad_data_row_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tiny_calibration(tmp_path)
    data = tmp_path / "data" / "unga_korea.csv"
    data.write_text(data.read_text().replace("2014,0.4657", "2014,abc"))
    assert main(["calibrate", str(path), *FAST]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        "targets.unga_position" in err
        and "unga_korea.csv:" in err
        and "'abc' is not a number" in err
    )


def test_a_scenario_without_start_is_not_a_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_calibration(tmp_path)
    base = tmp_path / "base.yaml"
    base.write_text(base.read_text().replace('start: "2013-01"\n', ""))
    assert main(["calibrate", str(path), *FAST]) == 2
    assert "base: the base scenario has no 'start' month" in capsys.readouterr().err


def test_run_with_posterior(
    tmp_path: Path, fitted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        args = ["run", str(scenario), "--replications", "40", "--posterior", str(fitted)]
        assert main([*args, "--out", str(out), "--backend", "inprocess", "--quiet"]) == 0
        outs.append(out)
    printed = capsys.readouterr().out
    assert "posterior of calibration tiny-calibration" in printed
    assert printed.count("defaults only") == 2  # shares with and without parameter uncertainty
    runs = [pd.read_parquet(o / "runs.parquet") for o in outs]
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert runs[0]["structure.observation.unga_base"].nunique() > 1
    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["posterior"]["name"] == "tiny-calibration"
    assert manifest["posterior"]["source"] == str(fitted)
    from analysis.report import write_report

    html = write_report(outs[0]).read_text()
    assert "Posterior" in html and "calibration tiny-calibration" in html
    # the report shows the shares with and without parameter uncertainty side by side
    assert (outs[0] / "summary_at_defaults.csv").exists()
    assert "With and without parameter uncertainty" in html
    assert "default coefficients (same seeds)" in html


def test_posterior_must_be_a_finished_calibration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
    args = ["run", str(scenario), "--replications", "4", "--posterior", str(tmp_path), "--quiet"]
    assert main([*args, "--out", str(tmp_path / "o")]) == 2
    assert "manifest.json: missing: not a calibration folder" in capsys.readouterr().err


def test_validate_knows_calibration_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_calibration(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert "calibration tiny-calibration: 4 parameters, 2 targets" in capsys.readouterr().out
    path.write_text(path.read_text().replace("column: unga_position", "colum: unga_position"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{path}:") and "targets.unga_position.colum: unknown key" in err


def test_sweep_with_posterior(
    tmp_path: Path, fitted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = tmp_path / "sweep.yaml"
    base = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
    sweep.write_text(
        f"name: s\nbase: {base}\nreplications: 6\nseed: 2\n"
        "parameters:\n  levels.us_pressure: {values: [0.2, 0.8]}\n"
    )
    out = tmp_path / "out"
    args = ["sweep", str(sweep), "--posterior", str(fitted), "--out", str(out)]
    assert main([*args, "--backend", "inprocess", "--quiet"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    by_point = runs.pivot(
        index="replicate", columns="point_id", values="structure.seoul.trade_step"
    )
    assert (
        by_point[0] == by_point[1]
    ).all()  # replicate k draws the same coefficients at every point
    assert (
        json.loads((out / "manifest.json").read_text())["posterior"]["name"] == "tiny-calibration"
    )
    # shares with and without parameter uncertainty, pooled over the points, in print and report
    printed = capsys.readouterr().out
    assert "pooled over 2 points" in printed and "defaults only" in printed
    defaults = pd.read_csv(out / "summary_at_defaults.csv")
    assert len(defaults) == 2 and defaults["n_runs"].sum() == 12
    from analysis.report import write_report

    assert "With and without parameter uncertainty" in write_report(out).read_text()


def test_band_figure_data_marks_fitting_and_heldout_years(fitted: Path) -> None:
    from analysis.calibration import load_calibration_results
    from analysis.calibration_plots import band_data, marginal_data

    res = load_calibration_results(fitted)
    bands = band_data(res)
    assert set(bands) == {"unga_position", "exports_china"}
    observed = bands["unga_position"]["observed"]
    assert set(observed.loc[observed["role"] == "fitting", "year"]) == {2013, 2014, 2015, 2016}
    assert set(observed.loc[observed["role"] == "held out", "year"]) == {2017, 2018, 2019}
    band = bands["unga_position"]["band"]
    assert (band["q05"] <= band["q25"]).all() and (band["q75"] <= band["q95"]).all()
    for edges, density in marginal_data(res).values():
        assert len(edges) == len(density) + 1 and density.sum() > 0


def test_unreachable_scheduler_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tiny_calibration(tmp_path)
    out = tmp_path / "o"
    args = ["calibrate", str(path), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]
    assert main([*args, "--quiet"]) == 2
    assert "cannot use Dask scheduler 'tcp://127.0.0.1:9'" in capsys.readouterr().err
    assert not out.exists()


def test_a_second_writer_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """calibrate takes the folder's writer lock like run and sweep: while another process holds it,
    a calibration into the same folder exits 2 with one line and writes nothing."""
    from sim.contract.lock import WriterLock

    path = tiny_calibration(tmp_path)
    out = tmp_path / "busy"
    with WriterLock.acquire(out):
        assert main(["calibrate", str(path), "--out", str(out), *FAST]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is in use by process" in err[0], err
    assert sorted(p.name for p in out.iterdir()) == [".hedgesim.lock"]
