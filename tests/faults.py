"""TEST-ONLY fault injection: block tasks that sleep, raise or kill their worker.

Production code carries no fault hooks. This module wraps each :class:`~sim.blocks.BlockTask` in a
:class:`FaultyTask` and runs it with :func:`run_faulty_block`, through the engine's ``runner`` and
``wrap`` arguments. Which blocks misbehave is read, in the coordinating process, from environment
variables, so a test sets them with ``monkeypatch.setenv`` and the faults reach every kind of worker.

Run as a script (``python tests/faults.py run ...``), it is the ``hedgesim`` command line with fault
injection, for tests that start the command in a subprocess and kill it part-way.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import sim.engine
from sim.blocks import BlockTask, run_block
from sim.storage import BlockOutput

FAIL_ENV = "HEDGESIM_TEST_FAIL_BLOCKS"
"""Comma-separated block indices whose task raises."""
DELAY_ENV = "HEDGESIM_TEST_BLOCK_DELAY"
"""Seconds each block task sleeps first (lets a test kill a batch part-way)."""
EXIT_ENV = "HEDGESIM_TEST_EXIT_BLOCKS"
"""Comma-separated block indices whose task kills its worker with ``os._exit(1)`` (as the OOM killer
would); a task run in the coordinating process itself (``inprocess`` backend) raises instead."""

_real_run_batch = sim.engine.run_batch


@dataclass(frozen=True)
class FaultyTask:
    """A block task with the faults to inject (picklable).

    Args:
        task: the real task.
        delay: seconds to sleep first.
        fail: raise instead of running.
        exit: kill the worker process instead of running.
    """

    task: BlockTask
    delay: float = 0.0
    fail: bool = False
    exit: bool = False

    @property
    def index(self) -> int:
        return self.task.index

    @property
    def seeds(self) -> np.ndarray:
        return self.task.seeds


def _blocks(env: str) -> set[int]:
    return {int(i) for i in (os.environ.get(env) or "").split(",") if i.strip()}


def wrap_from_env() -> Any:
    """The ``wrap`` argument of :func:`sim.engine.run_batch` for the faults set in the environment."""
    delay = float(os.environ.get(DELAY_ENV) or 0.0)
    failing, exiting = _blocks(FAIL_ENV), _blocks(EXIT_ENV)

    def wrap(task: BlockTask) -> FaultyTask:
        return FaultyTask(task, delay, task.index in failing, task.index in exiting)

    return wrap


def run_faulty_block(task: FaultyTask) -> BlockOutput:
    """Inject the task's faults, then run the real block."""
    if task.delay:
        time.sleep(task.delay)
    if task.fail:
        raise RuntimeError(f"injected failure in block {task.index} ({FAIL_ENV})")
    if task.exit:
        if multiprocessing.parent_process() is None:  # never kill the coordinating process
            raise RuntimeError(f"{EXIT_ENV} needs worker processes (block {task.index})")
        os._exit(1)
    return run_block(task.task)


def run_batch(*args: Any, **kwargs: Any) -> Any:
    """:func:`sim.engine.run_batch` with the faults set in the environment injected."""
    return _real_run_batch(*args, runner=run_faulty_block, wrap=wrap_from_env(), **kwargs)


def main(argv: list[str]) -> int:
    """The ``hedgesim`` command line with fault injection."""
    from hedgesim.cli import main as hedgesim

    sim.engine.run_batch = run_batch
    return hedgesim(argv)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main(sys.argv[1:]))
