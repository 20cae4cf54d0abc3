"""The batch engine: run a :class:`~sim.plan.RunPlan` block by block on an executor into a results folder.

A block task is self-contained and picklable (:class:`BlockTask`); :func:`run_block` turns it into
Arrow tables with :func:`sim.model.simulate`. Because each run depends only on (scenario, its
parameters, its seed), the results are identical whichever executor ran the blocks and in what order
they finished; ``runs.parquet`` is sorted by run id at compaction.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from tqdm import tqdm

from analysis.classify import OUTCOMES
from analysis.results import ResultsError
from sim.bands import block_bands
from sim.executors import default_workers, make_executor
from sim.manifest import new_manifest
from sim.model import FINAL_VARS, TRAJECTORY_VARS, simulate
from sim.plan import DEFAULT_BLOCK_SIZE, RunPlan
from sim.scenario import Scenario
from sim.storage import BlockOutput, ResultsFolder

TEST_FAIL_ENV = "HEDGESIM_TEST_FAIL_BLOCKS"
"""TEST-ONLY hook: comma-separated block indices whose task raises (exercises failure handling).
Read by the coordinating process when it builds the tasks, so it reaches every kind of worker."""
TEST_DELAY_ENV = "HEDGESIM_TEST_BLOCK_DELAY"
"""TEST-ONLY hook: seconds each block task sleeps (lets a test kill a batch part-way)."""
TEST_EXIT_ENV = "HEDGESIM_TEST_EXIT_BLOCKS"
"""TEST-ONLY hook: comma-separated block indices whose task kills its worker process with
``os._exit(1)`` (as the OOM killer would). Read by the coordinating process when it builds the tasks;
a task run in the coordinating process itself (``inprocess`` backend) raises instead."""

_OUTCOME_NAMES = pa.array(OUTCOMES, type=pa.string())


@dataclass(frozen=True)
class BlockTask:
    """Everything a worker needs to run one block (picklable, no references to the plan).

    Args:
        index: block number.
        scenario: the base scenario as a plain dict.
        run_start: first run id; the block's runs are consecutive.
        replications: runs per point.
        seeds: seed of each run, shape (n,).
        lane_values: swept parameter values per run, by dotted path, each shape (n,).
        trajectory_sample: replicates per point whose trajectories are kept.
        test_delay: TEST-ONLY: seconds to sleep first (from :data:`TEST_DELAY_ENV`).
        test_fail: TEST-ONLY: raise instead of running (from :data:`TEST_FAIL_ENV`).
        test_exit: TEST-ONLY: kill the worker process instead of running (from
            :data:`TEST_EXIT_ENV`).
    """

    index: int
    scenario: dict[str, Any]
    run_start: int
    replications: int
    seeds: npt.NDArray[np.uint64]
    lane_values: dict[str, npt.NDArray[np.float64]]
    trajectory_sample: int
    test_delay: float = 0.0
    test_fail: bool = False
    test_exit: bool = False


def _test_blocks(env: str) -> set[int]:
    """TEST-ONLY: the block indices listed in an environment variable (empty when it is unset)."""
    return {int(i) for i in (os.environ.get(env) or "").split(",") if i.strip()}


def _test_faults() -> tuple[float, set[int], set[int]]:
    """TEST-ONLY fault injection settings from the environment.

    Returns:
        (delay, failing blocks, blocks that kill their worker).
    """
    delay = float(os.environ.get(TEST_DELAY_ENV) or 0.0)
    return delay, _test_blocks(TEST_FAIL_ENV), _test_blocks(TEST_EXIT_ENV)


def _outcome_codes(outcome: npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    codes = np.full(len(outcome), -1, dtype=np.int8)
    for code, name in enumerate(OUTCOMES):
        codes[outcome == name] = code
    if (codes < 0).any():
        raise ValueError(f"model returned unknown outcome(s): {set(outcome[codes < 0])}")
    return codes


def run_block(task: BlockTask) -> BlockOutput:
    """Run one block and tabulate it.

    Args:
        task: the block.

    Returns:
        the block's runs, sampled trajectories, bands of complete points and partial histograms.
    """
    if task.test_delay:
        time.sleep(task.test_delay)
    if task.test_fail:
        raise RuntimeError(f"injected failure in block {task.index} ({TEST_FAIL_ENV})")
    if task.test_exit:
        if multiprocessing.parent_process() is None:  # never kill the coordinating process
            raise RuntimeError(f"{TEST_EXIT_ENV} needs worker processes (block {task.index})")
        os._exit(1)
    scenario = Scenario.model_validate(task.scenario)
    n = len(task.seeds)
    run_ids = np.arange(task.run_start, task.run_start + n, dtype=np.int64)
    point_ids = run_ids // task.replications
    replicates = run_ids % task.replications
    result = simulate(scenario, task.seeds, task.lane_values)
    outcomes = _OUTCOME_NAMES.take(pa.array(_outcome_codes(np.asarray(result.finals["outcome"]))))
    runs: dict[str, Any] = {
        "run_id": run_ids,
        "point_id": point_ids,
        "replicate": replicates,
        "seed": pa.array(task.seeds, type=pa.uint64()),
        **{path: np.asarray(v, dtype=np.float64) for path, v in task.lane_values.items()},
        "outcome": outcomes,
        **{v: np.asarray(result.finals[v], dtype=np.float64) for v in FINAL_VARS},
        "launches": np.asarray(result.finals["launches"], dtype=np.int64),
    }
    sampled = np.flatnonzero(replicates < task.trajectory_sample)
    steps = scenario.steps
    trajectories = pa.table(
        {
            "run_id": np.repeat(run_ids[sampled], steps),
            "point_id": np.repeat(point_ids[sampled], steps),
            "replicate": np.repeat(replicates[sampled], steps),
            "step": np.tile(np.arange(1, steps + 1, dtype=np.int64), len(sampled)),
            "outcome": outcomes.take(pa.array(np.repeat(sampled, steps))),
            **{
                v: np.asarray(result.trajectories[v][sampled], dtype=np.float64).ravel()
                for v in TRAJECTORY_VARS
            },
        }
    )
    bands, hist = block_bands(point_ids, task.run_start, task.replications, result.trajectories)
    return BlockOutput(task.index, pa.table(runs), trajectories, bands, hist)


@dataclass(frozen=True)
class ExecOptions:
    """How (not what) to run.

    Args:
        backend: ``inprocess``, ``local`` (process pool, default) or ``dask``.
        workers: worker processes (default: number of CPUs; 1 in-process).
        scheduler: address of a running Dask scheduler (``dask`` only).
        quiet: no progress bar.
    """

    backend: str = "local"
    workers: int | None = None
    scheduler: str | None = None
    quiet: bool = False

    @property
    def effective_workers(self) -> int | None:
        """Workers recorded in the manifest (None: as many as the remote cluster has)."""
        if self.backend == "inprocess":
            return 1
        if self.scheduler:
            return None
        return self.workers or default_workers()


@dataclass(frozen=True)
class BatchReport:
    """What :func:`run_batch` did.

    Args:
        folder: the results folder.
        n_runs: runs in the plan.
        n_blocks: blocks in the plan.
        blocks_run: blocks finished by this call (not counting those resumed from disk).
        failed: block index to traceback text, for blocks that raised or whose worker died.
        wall_time_s: wall time of this call.
        complete: True when every block finished and the folder was compacted.
        runs_done: runs finished by this call (the runs of ``blocks_run``): divide by
            ``wall_time_s`` for the rate of this session, also after a resume.
        not_run: blocks this call did not run at all (the worker pool kept breaking with no block finishing); they stay
            unfinished for a resume.
    """

    folder: Path
    n_runs: int
    n_blocks: int
    blocks_run: int
    failed: dict[int, str] = field(default_factory=dict)
    wall_time_s: float = 0.0
    complete: bool = False
    runs_done: int = 0
    not_run: tuple[int, ...] = ()


def _tasks(plan: RunPlan, indices: list[int], block_size: int) -> Iterator[BlockTask]:
    scenario = plan.scenario.model_dump(mode="json")
    delay, failing, exiting = _test_faults()
    for index in indices:
        block = plan.block(index, block_size)
        yield BlockTask(
            index=index,
            scenario=scenario,
            run_start=block.run_start,
            replications=plan.replications,
            seeds=block.seeds,
            lane_values=block.lane_values,
            trajectory_sample=plan.trajectory_sample,
            test_delay=delay,
            test_fail=index in failing,
            test_exit=index in exiting,
        )


def open_folder(plan: RunPlan, out: Path, options: ExecOptions, resume: bool) -> ResultsFolder:
    """Create the results folder, or reopen it to resume.

    Args:
        plan: the batch.
        out: the folder.
        options: execution options (recorded in the manifest).
        resume: continue a folder of the same batch; an absent or empty folder starts afresh.

    Returns:
        the folder, with a new session (:func:`sim.manifest.new_session`) appended to its manifest;
        a new folder is written by its :meth:`~sim.storage.ResultsFolder.start`.

    Raises:
        ResultsError: the folder is not empty (without ``resume``) or belongs to another batch.
    """
    expected = new_manifest(
        plan,
        block_size=plan.block_size,
        backend=options.backend,
        workers=options.effective_workers,
    )
    if resume and (out / "manifest.json").exists():
        folder = ResultsFolder.reopen(out, expected)
    else:
        if resume and out.is_dir() and any(out.iterdir()):
            raise ResultsError(out, "has no manifest.json: not a hedgesim results folder to resume")
        block_size = plan.block_size or DEFAULT_BLOCK_SIZE
        manifest = {**expected, "block_size": block_size, "n_blocks": plan.n_blocks(block_size)}
        folder = ResultsFolder.create(out, manifest)
    folder.begin_session(options.backend, options.effective_workers, expected["git_commit"])
    return folder


def run_batch(
    plan: RunPlan, out: Path | str, options: ExecOptions = ExecOptions(), *, resume: bool = False
) -> BatchReport:
    """Run a plan into a results folder.

    Finished blocks are written as they complete; a block that raises, or whose worker process
    dies, is recorded in the manifest (``failed_blocks``) and the rest go on. When every block has
    finished the parts are compacted and ``summary.csv`` is written. On KeyboardInterrupt the
    finished blocks are kept (resume with ``resume=True``).

    Args:
        plan: what to run.
        out: the results folder.
        options: how to run it.
        resume: continue an interrupted batch in ``out``, skipping its finished blocks.

    Returns:
        the report.

    Raises:
        ResultsError: the folder cannot be used (see :func:`open_folder`), or a finished block's
            part is corrupt at compaction (the block is dropped for a resume to redo).
    """
    started = time.perf_counter()
    folder = open_folder(plan, Path(out), options, resume)
    block_size = int(folder.manifest["block_size"])
    n_blocks = plan.n_blocks(block_size)
    done = folder.finished_blocks()
    todo = [i for i in range(n_blocks) if i not in done]
    done_runs = sum(min(block_size, plan.n_runs - i * block_size) for i in done)
    failed: dict[int, str] = {}
    seen: set[int] = set()
    runs_done = 0
    bar = tqdm(
        total=plan.n_runs,
        initial=done_runs,
        unit="run",
        unit_scale=True,
        file=sys.stderr,
        disable=options.quiet or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )
    session_wall = float(folder.manifest.get("wall_time_s") or 0.0)
    try:
        if todo:
            with make_executor(options.backend, options.workers, options.scheduler) as executor:
                folder.start()  # only now: bad options (e.g. no scheduler) leave nothing behind
                for task, output, error in executor.imap_unordered(
                    run_block, _tasks(plan, todo, block_size)
                ):
                    seen.add(task.index)
                    if error is None:
                        folder.write_block(output)
                        runs_done += len(task.seeds)
                    else:
                        failed[task.index] = error
                        folder.record_failure(task.index, error)
                    bar.update(len(task.seeds))
        not_run = tuple(i for i in todo if i not in seen)
        if not failed and not not_run:
            if not folder.compacted:
                folder.compact()  # also writes summary.csv
            elif not folder.summary_path.exists():
                folder.write_summary()
    finally:
        bar.close()
        elapsed = time.perf_counter() - started
        if folder.manifest_path.exists():
            folder.manifest["wall_time_s"] = round(session_wall + elapsed, 3)
            folder.end_session()
            folder.save_manifest()
    return BatchReport(
        folder=folder.path,
        n_runs=plan.n_runs,
        n_blocks=n_blocks,
        blocks_run=len(seen) - len(failed),
        failed=failed,
        wall_time_s=elapsed,
        complete=folder.compacted,
        runs_done=runs_done,
        not_run=not_run,
    )
