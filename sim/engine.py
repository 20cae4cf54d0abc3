"""The batch engine: run a :class:`~sim.plan.RunPlan` block by block on an executor into a results folder.

A block task is self-contained and picklable (:class:`~sim.blocks.BlockTask`);
:func:`~sim.blocks.run_block` turns it into Arrow tables. Because each run depends only on (scenario, its
parameters, its seed), the results are identical whichever executor ran the blocks and in what order
they finished; ``runs.parquet`` is sorted by run id at compaction.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sim.aggregate import AggregateSpec
from sim.blocks import BlockTask, run_block
from sim.contract.errors import ResultsError
from sim.contract.lock import LOCK_NAME, WriterLock
from sim.executors import default_workers, make_executor
from sim.integrity import damaged_final_files, repair
from sim.manifest import git_commit, new_manifest
from sim.plan import DEFAULT_BLOCK_SIZE, RunPlan, effective_block_size
from sim.storage import BlockOutput, ResultsFolder

BlockRunner = Callable[[Any], BlockOutput]
"""A module-level function that runs a task into a :class:`~sim.blocks.BlockOutput`."""


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
        notes: things the caller should tell the user (a block size capped by memory, a damaged
            final file rebuilt), one line each.
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
    notes: tuple[str, ...] = ()


def block_tasks(plan: RunPlan, indices: list[int], block_size: int) -> Iterator[BlockTask]:
    """The tasks of some blocks of a plan.

    Args:
        plan: the batch.
        indices: block numbers.
        block_size: runs per block.

    Yields:
        one :class:`~sim.blocks.BlockTask` per index, carrying the frozen scenario.
    """
    spec = AggregateSpec.of(plan)
    for index in indices:
        block = plan.block(index, block_size)
        yield BlockTask(
            index=index,
            scenario=plan.scenario,
            run_start=block.run_start,
            replications=plan.replications,
            seeds=block.seeds,
            lane_values=block.lane_values,
            trajectory_sample=plan.trajectory_sample,
            aggregate=spec,
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
    steps = plan.scenario.steps
    requested = None if plan.block_size is None else effective_block_size(plan.block_size, steps)
    expected = new_manifest(plan, block_size=requested)
    if resume and os.path.lexists(out / "manifest.json"):
        folder = ResultsFolder.reopen(out, expected)
    else:
        if resume and out.is_dir() and any(p.name != LOCK_NAME for p in out.iterdir()):
            raise ResultsError(out, "has no manifest.json: not a hedgesim results folder to resume")
        expected.block_size = effective_block_size(plan.block_size, steps)
        folder = ResultsFolder.create(out, expected)
    folder.begin_session(options.backend, options.effective_workers, git_commit())
    return folder


def run_batch(
    plan: RunPlan,
    out: Path | str,
    options: ExecOptions = ExecOptions(),
    *,
    resume: bool = False,
    runner: BlockRunner = run_block,
    wrap: Callable[[BlockTask], Any] | None = None,
) -> BatchReport:
    """Run a plan into a results folder.

    Finished blocks are written as they complete; a block that raises, or whose worker process
    dies, is recorded in the manifest (``failed_blocks``) and the rest go on. When every block has
    finished the parts are compacted and ``summary.csv`` is written. On KeyboardInterrupt the
    finished blocks are kept (resume with ``resume=True``). The folder is locked
    (:class:`~sim.contract.lock.WriterLock`) for the whole call, so a second writer is refused; a
    resume of a finished folder checks its final files' checksums first and rebuilds damaged ones.

    Args:
        plan: what to run.
        out: the results folder.
        options: how to run it.
        resume: continue an interrupted batch in ``out``, skipping its finished blocks.
        runner: runs one task in a worker (module-level, picklable by reference).
        wrap: turns each :class:`~sim.blocks.BlockTask` into the task ``runner`` takes (it must
            keep ``index`` and ``seeds``); tests use it to inject faults.

    Returns:
        the report.

    Raises:
        FolderInUse: another process is writing or reading the folder.
        ResultsError: the folder cannot be used (see :func:`open_folder`), or a finished block's
            part is corrupt or misplaced at compaction (the block is dropped for a resume to redo).
    """
    started = time.perf_counter()
    out = Path(out)
    lock = WriterLock.acquire(out)  # held until the batch ends; the OS drops it if we die
    try:
        return _run_locked(plan, out, options, resume, runner, wrap, started, lock)
    except BaseException:
        if not lock.keep:  # refused before writing anything: leave the disk as it was
            lock.discard()
        raise
    finally:
        lock.release()


def _run_locked(
    plan: RunPlan,
    out: Path,
    options: ExecOptions,
    resume: bool,
    runner: BlockRunner,
    wrap: Callable[[BlockTask], Any] | None,
    started: float,
    lock: WriterLock,
) -> BatchReport:
    """:func:`run_batch` with the folder's lock held."""
    folder = open_folder(plan, out, options, resume)
    notes: list[str] = []
    if folder.manifest_path.exists():
        lock.keep = True
    if folder.compacted:  # a resume of a finished batch: trust its files only once checked
        damaged = damaged_final_files(folder)
        if damaged:
            notes.append(repair(folder, damaged))
        else:
            folder.remove_parts()  # killed between compaction and removing the parts
    block_size = folder.manifest.block_size or DEFAULT_BLOCK_SIZE
    if plan.block_size and block_size < plan.block_size:
        notes.append(
            f"block size capped at {block_size:,} runs ({plan.scenario.steps:,} months each) to"
            f" keep a block within the memory budget (asked for {plan.block_size:,})"
        )
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
    session_wall = folder.manifest.wall_time_s
    try:
        if todo:
            with make_executor(options.backend, options.workers, options.scheduler) as executor:
                folder.start()  # only now: bad options (e.g. no scheduler) leave nothing behind
                lock.keep = True
                tasks: Iterator[Any] = block_tasks(plan, todo, block_size)
                if wrap is not None:
                    tasks = map(wrap, tasks)
                for task, output, error in executor.imap_unordered(runner, tasks):
                    seen.add(task.index)
                    if error is None:
                        folder.write_block(output)
                        runs_done += len(task.seeds)
                    else:
                        failed[task.index] = error
                        folder.record_failure(task.index, error)
                    bar.update(len(task.seeds))
        not_run = tuple(i for i in todo if i not in seen)
        if not failed and not not_run and not folder.compacted:
            folder.compact(seeds=lambda i: plan.block(i, block_size).seeds)  # + summary.csv
    finally:
        bar.close()
        elapsed = time.perf_counter() - started
        if folder.manifest_path.exists():
            folder.manifest.wall_time_s = round(session_wall + elapsed, 3)
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
        notes=tuple(notes),
    )
