"""Where blocks run: in this process, on a local process pool, or on a Dask distributed cluster.

Every executor has the same interface, :meth:`Executor.imap_unordered`: it takes a picklable,
module-level function and an iterable of tasks, keeps a bounded number of tasks in flight (so memory
does not grow with the number of blocks), and yields ``(task, result, error)`` as tasks finish, in any
order. ``error`` is a traceback text when the task raised or its worker died; the batch goes on.

A local pool whose worker process dies (the OOM killer, ``os._exit``) is broken for good: the tasks it
held fail with :data:`WORKER_DIED`, and :class:`PoolExecutor` starts a new pool for the rest, once
(:data:`POOL_RESTARTS`); if that breaks too, it stops and leaves the remaining tasks unrun.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from types import TracebackType
from typing import Any, Literal, Self

Backend = Literal["inprocess", "local", "dask"]
BACKENDS: tuple[str, ...] = ("inprocess", "local", "dask")
CONNECT_TIMEOUT_S = 10
"""Seconds to wait for a remote Dask scheduler."""
Outcome = tuple[Any, Any, str | None]
"""``(task, result, error)``: ``result`` is None when ``error`` (a traceback text) is set."""
WORKER_DIED = "worker process died (out of memory?)"
"""Last line of the error of a task that was in flight when a pool worker died."""
POOL_RESTARTS = 1
"""How many times a broken local pool is replaced before the remaining tasks are given up."""


def default_workers() -> int:
    """Worker count used when none is given: the number of CPUs."""
    return os.cpu_count() or 1


def _format_exception(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


class Executor(ABC):
    """Runs tasks somewhere; a context manager that releases its workers on exit.

    Attributes:
        workers: number of workers (1 in-process).
    """

    workers: int = 1

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:  # noqa: B027 - optional hook, default: nothing to release
        """Release workers (and a cluster this executor started)."""

    @abstractmethod
    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        """Run ``fn`` on each task; yield outcomes as they finish.

        Args:
            fn: module-level function (picklable by reference).
            tasks: the tasks; consumed lazily.

        Yields:
            ``(task, result, error)`` per task.
        """


class InProcessExecutor(Executor):
    """Runs tasks one after another in this process (debugging, tiny batches)."""

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        """See :meth:`Executor.imap_unordered`."""
        for task in tasks:
            try:
                result = fn(task)
            except Exception as error:
                yield task, None, _format_exception(error)
            else:
                yield task, result, None


def _ignore_sigint() -> None:
    """Pool worker initialiser: Ctrl-C is handled by the coordinating process alone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PoolExecutor(Executor):
    """A local pool of worker processes (the default backend).

    Workers are started with ``spawn``: they are plain children of this process (so their resource
    usage is accounted to it and they inherit its current environment) and share no state with it.

    Args:
        workers: number of processes (default: number of CPUs).

    Attributes:
        restarts: pools started to replace a broken one so far.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self.restarts = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_sigint,
        )

    def close(self) -> None:
        """Shut the pool down, cancelling tasks not yet started."""
        self.pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _outcome(task: Any, future: Future[Any]) -> Outcome:
        error = future.exception()
        if error is None:
            return task, future.result(), None
        if isinstance(error, BrokenProcessPool):
            return task, None, f"{type(error).__name__}: {error}\n{WORKER_DIED}"
        return task, None, _format_exception(error)

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        """See :meth:`Executor.imap_unordered`.

        When a worker dies, every task in flight yields :data:`WORKER_DIED` and a new pool takes the
        remaining tasks; after :data:`POOL_RESTARTS` such restarts, the next break ends the
        iteration early, without the tasks not yet submitted.
        """
        pending: dict[Future[Any], Any] = {}
        source: Iterator[Any] = iter(tasks)
        window = 2 * self.workers
        while True:
            broken = False
            while len(pending) < window:
                task = next(source, None)
                if task is None:
                    break
                try:
                    pending[self.pool.submit(fn, task)] = task
                except BrokenProcessPool:  # a worker died since the last wait
                    source, broken = chain([task], source), True
                    break
            if not pending and not broken:
                return
            if not broken:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                broken = any(isinstance(f.exception(), BrokenProcessPool) for f in done)
            if broken:  # the broken pool fails every task it still holds: collect them all
                done, _ = wait(pending)
            for future in done:
                yield self._outcome(pending.pop(future), future)
            if broken:
                if self.restarts >= POOL_RESTARTS:
                    return
                self.restarts += 1
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = self._new_pool()


class DaskExecutor(Executor):
    """Tasks on a Dask distributed cluster: a running one (``scheduler``) or a temporary local one.

    Args:
        workers: worker processes of the temporary ``LocalCluster`` (default: number of CPUs);
            ignored with ``scheduler``.
        scheduler: address of a running scheduler (``tcp://host:8786``); None starts a
            ``LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)``, closed on exit.

    Raises:
        ConnectionError: the scheduler cannot be reached.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        self.cluster: Any = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError, ValueError) as error:
                message = " ".join(str(error).split()) or type(error).__name__
                raise ConnectionError(
                    f"cannot use Dask scheduler {scheduler!r}: {message}"
                ) from None
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        else:
            self.workers = workers or default_workers()
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)

    def close(self) -> None:
        """Disconnect, and close the cluster this executor started."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        """See :meth:`Executor.imap_unordered`."""
        from distributed import as_completed

        source = iter(tasks)
        owner: dict[str, Any] = {}

        def submit() -> Any:
            task = next(source, None)
            if task is None:
                return None
            future = self.client.submit(fn, task, pure=False)
            owner[future.key] = task
            return future

        initial = [f for f in (submit() for _ in range(2 * self.workers)) if f is not None]
        queue = as_completed(initial)
        for future in queue:
            task = owner.pop(future.key)
            try:
                result = future.result()
            except Exception as error:
                yield task, None, _format_exception(error)
            else:
                yield task, result, None
            finally:
                future.release()
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)


def make_executor(
    backend: str = "local", workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """Build the executor for a backend.

    Args:
        backend: ``inprocess``, ``local`` (process pool) or ``dask``.
        workers: worker count (default: number of CPUs).
        scheduler: Dask scheduler address (``dask`` only).

    Returns:
        the executor (use it as a context manager).

    Raises:
        ValueError: unknown backend, or a scheduler without the dask backend.
    """
    if scheduler and backend != "dask":
        raise ValueError("--scheduler needs --backend dask")
    if backend == "inprocess":
        return InProcessExecutor()
    if backend == "local":
        return PoolExecutor(workers)
    if backend == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
