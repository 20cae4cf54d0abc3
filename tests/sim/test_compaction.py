"""Compaction on threads writes the same final files as reading and writing one block at a time."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from batches import tiny_plan
from faults import run_batch

from sim import compaction
from sim.bands import BandMerger
from sim.blocks import run_block
from sim.contract import files
from sim.contract.files import ParquetStreamWriter
from sim.engine import ExecOptions, block_tasks
from sim.integrity import FINAL_FILES

BLOCK = 8


def sequential_compaction(out: Path, replications: int, steps: int, n_runs: int) -> None:
    """The final files as compaction wrote them before it ran on threads: block by block."""
    plan = tiny_plan(block_size=BLOCK)
    n_blocks = plan.n_blocks(BLOCK)
    writers = {kind: ParquetStreamWriter(out / f"{kind}.parquet") for kind in ("runs", "trajectories", "bands")}  # fmt: skip
    merger = BandMerger(replications, steps, writers["bands"].write)
    for task in block_tasks(plan, list(range(n_blocks)), BLOCK):
        output = run_block(task)
        writers["runs"].write(output.runs)
        writers["trajectories"].write(output.trajectories)
        merger.add_block(output.hist, output.bands, min((task.index + 1) * BLOCK, n_runs))
    merger.close()
    for writer in writers.values():
        writer.close()


def test_threaded_compaction_equals_sequential_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "ROWS_PER_GROUP", 40)  # several row groups per final file
    plan = tiny_plan(block_size=BLOCK)  # 60 runs: 8 blocks, points cut by block boundaries
    out = tmp_path / "threaded"
    report = run_batch(plan, out, ExecOptions("local", workers=2, quiet=True))
    assert report.complete and report.n_blocks == 8
    expected = tmp_path / "sequential"
    expected.mkdir()
    sequential_compaction(expected, plan.replications, plan.scenario.steps, plan.n_runs)
    for name in FINAL_FILES:
        got, want = pq.ParquetFile(out / name), pq.ParquetFile(expected / name)
        assert got.num_row_groups == want.num_row_groups > (1 if name != "bands.parquet" else 0)
        assert got.read().equals(want.read(), check_metadata=True), name
        assert (out / name).read_bytes() == (expected / name).read_bytes(), name


def test_read_ahead_keeps_order_and_bounds_the_reads_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compaction, "READ_AHEAD", 3)
    started: list[int] = []
    lock = threading.Lock()

    def read(index: int) -> int:
        with lock:
            started.append(index)
        time.sleep(0.001 * (index % 3))  # later blocks may finish first
        return index * 10

    results = []
    for future in compaction.read_ahead(read, range(20)):
        results.append(future.result())
        assert len(started) <= len(results) + 3
    assert results == [i * 10 for i in range(20)]


def test_read_ahead_left_early_stops_reading() -> None:
    started: list[int] = []
    blocks = compaction.read_ahead(lambda i: started.append(i), range(1000))
    next(blocks).result()
    blocks.close()
    assert len(started) <= 1 + compaction.READ_AHEAD


def test_writer_thread_writes_in_order_and_hands_errors_back() -> None:
    written: list[int] = []
    thread = compaction.WriterThread(lambda t: written.append(t.num_rows), "t")
    for n in range(10):
        thread.write(pa.table({"x": list(range(n))}))
    thread.join()
    assert written == list(range(10))

    def fail(table: pa.Table) -> None:
        raise OSError("disk full")

    failing = compaction.WriterThread(fail, "f")
    failing.write(pa.table({"x": [1]}))
    with pytest.raises(OSError, match="disk full"):
        failing.join()
    cancelled = compaction.WriterThread(lambda t: written.append(-1), "c")
    cancelled.cancel()
    cancelled.cancel()
    assert -1 not in written
