"""Fixtures of the sim tests."""

from __future__ import annotations

import pandas as pd
import pytest
from batches import read, tiny_plan
from faults import run_batch

from sim.engine import ExecOptions


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("ref") / "r"
    report = run_batch(tiny_plan(), out, ExecOptions("inprocess", quiet=True))
    assert report.complete and report.n_blocks == 4 and not (out / "parts").exists()
    return read(out)
