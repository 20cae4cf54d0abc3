"""summary.csv as the contract writes it: the same text pandas would write, read in bounded memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.contract.outcomes import OUTCOMES
from sim.contract.summary import share_columns, summarise_runs_file, summary_csv


@settings(max_examples=50, deadline=None)
@given(
    counts=st.lists(
        st.lists(st.integers(0, 10_000), min_size=4, max_size=4).filter(lambda r: sum(r) > 0),
        min_size=1,
        max_size=20,
    ),
    value=st.floats(-1e6, 1e6, allow_nan=False),
)
def test_csv_text_is_what_pandas_writes(counts: list[list[int]], value: float) -> None:
    table = {"point_id": np.arange(len(counts), dtype=np.int64)}
    table["levels.x"] = np.full(len(counts), value)
    table.update(share_columns(np.array(counts)))
    expected = pd.DataFrame(table).to_csv(index=False, float_format="%.6g", lineterminator="\n")
    assert summary_csv(table) == expected


def test_streamed_counts_match_a_direct_count(tmp_path) -> None:
    rng = np.random.default_rng(3)
    n = 5000
    points = rng.integers(0, 7, n)
    codes = rng.integers(0, 4, n)
    runs = pa.table(
        {
            "point_id": points.astype(np.int64),
            "outcome": pa.array(np.asarray(OUTCOMES)[codes].tolist()),
            "levels.x": points / 10.0,
        }
    )
    path = tmp_path / "runs.parquet"
    pq.write_table(runs, path)
    table = summarise_runs_file(path, ["levels.x"], batch_size=333)
    direct = np.zeros((7, 4), dtype=np.int64)
    np.add.at(direct, (points, codes), 1)
    np.testing.assert_array_equal(table["point_id"], np.arange(7))
    np.testing.assert_array_equal(table["levels.x"], np.arange(7) / 10.0)
    np.testing.assert_array_equal(table["n_runs"], direct.sum(axis=1))
    for j, c in enumerate(OUTCOMES):
        np.testing.assert_allclose(table[f"share_{c}"], direct[:, j] / direct.sum(axis=1))
