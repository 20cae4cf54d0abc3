"""Small calibration files for the tests: the history replay, copied data, tiny budgets."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HISTORY = REPO / "scenarios" / "history" / "korea-2013-2025.yaml"
DATA = REPO / "analysis" / "data"

TINY = """\
name: tiny-calibration
base: base.yaml
seed: 5
fit_until: 2016
parameters:
  structure.observation.unga_base: {{low: 0.1, high: 0.7}}
  structure.observation.unga_lean: {{low: 0.05, high: 2.0, transform: log}}
  structure.observation.exports_china_scale: {{low: 0.2, high: 0.8}}
  structure.seoul.trade_step: {{low: 0.003, high: 0.05, transform: log}}
targets:
  unga_position:
    file: data/unga_korea.csv
    column: unga_position
    observable: unga_position
    error_sd: 0.03
    discrepancy_sd: 0.04
  exports_china:
    file: data/exports_korea.csv
    column: exports_china
    observable: exports_china
    error_sd: 0.01
    discrepancy_sd: 0.02
episodes:
  thaad-decision:
    variable: us_alignment
    before: ["2015-01", "2015-12"]
    after: ["2016-08", "2016-12"]
    expect: increase
method:
  waves: {waves}
  points: {points}
  replications: 4
  predictive_draws: 100
  block_size: 128
"""


def tiny_calibration(folder: Path, *, waves: int = 2, points: int = 32) -> Path:
    """Write a tiny calibration (with its base scenario and a copy of the data) into ``folder``.

    Args:
        folder: an empty folder.
        waves: number of waves.
        points: design points per wave (a power of 2).

    Returns:
        the calibration file.
    """
    shutil.copy(HISTORY, folder / "base.yaml")
    shutil.copytree(DATA, folder / "data")
    path = folder / "calib.yaml"
    path.write_text(TINY.format(waves=waves, points=points))
    return path
