"""Where blocks run: in this process, on a local process pool, or on a Dask distributed cluster.

Every executor has the same interface, :meth:`Executor.imap_unordered`: it takes a picklable,
module-level function and an iterable of tasks, keeps a bounded number of tasks in flight (so memory
does not grow with the number of blocks), and yields ``(task, result, error)`` as tasks finish, in any
order. ``error`` is a traceback text when the task raised or its worker died; the batch goes on.

A local pool whose worker process dies (the OOM killer, ``os._exit``) is broken for good, and so are
the tasks it held. :class:`PoolExecutor` then starts a new pool and resubmits those tasks, once each
and one at a time: a task in flight during two breaks fails with :data:`WORKER_DIED`. A batch goes on
after any number of breaks as long as tasks keep finishing between them; after :data:`POOL_RESTARTS`
breaks in a row with no task finished, the next one stops it, leaving the tasks not yet submitted unrun.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import traceback
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from types import TracebackType
from typing import Any, Self

from sim.lifeline import worker_init

BACKENDS: tuple[str, ...] = ("inprocess", "local", "dask")
CONNECT_TIMEOUT_S = 10
"""Seconds to wait for a remote Dask scheduler."""
TaskResult = tuple[Any, Any, str | None]
"""``(task, result, error)`` of one task: ``result`` is None when ``error`` (a traceback text) is set."""
WORKER_DIED = "worker process died (out of memory?)"
"""Last line of the error of a task that was in flight when a pool worker died."""
POOL_RESTARTS = 2
"""Broken local pools replaced in a row, no task finishing in between, before the batch is given up.

Two, so that one task that kills every worker it runs on (and is retried once) cannot stop a batch."""


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
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            self.terminate()  # Ctrl-C or SIGTERM: blocks in flight would be thrown away anyway
        self.close()

    def close(self) -> None:  # noqa: B027 - optional hook, default: nothing to release
        """Release workers (and a cluster this executor started)."""

    def terminate(self) -> None:  # noqa: B027 - optional hook, default: nothing to stop
        """Stop work in flight at once (before :meth:`close`, when interrupted)."""

    @abstractmethod
    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[TaskResult]:
        """Run ``fn`` on each task; yield their results as they finish.

        Args:
            fn: module-level function (picklable by reference).
            tasks: the tasks; consumed lazily.

        Yields:
            ``(task, result, error)`` per task.
        """


class InProcessExecutor(Executor):
    """Runs tasks one after another in this process (debugging, tiny batches)."""

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[TaskResult]:
        """See :meth:`Executor.imap_unordered`."""
        for task in tasks:
            try:
                result = fn(task)
            except Exception as error:
                yield task, None, _format_exception(error)
            else:
                yield task, result, None


class PoolExecutor(Executor):
    """A local pool of worker processes (the default backend).

    Workers are started with ``spawn``: they are plain children of this process (so their resource
    usage is accounted to it and they inherit its current environment) and share no state with it.
    They die with this process (:func:`sim.lifeline.die_with_parent`) and ignore Ctrl-C, which the
    coordinating process handles; when it is interrupted (Ctrl-C, SIGTERM) the workers are
    terminated at once rather than left to finish blocks whose results would be thrown away.

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
            initializer=worker_init,
            initargs=(os.getpid(),),
        )

    def close(self) -> None:
        """Shut the pool down, cancelling tasks not yet started."""
        self.pool.shutdown(wait=True, cancel_futures=True)

    def terminate(self) -> None:
        """Terminate the worker processes now (their tasks fail; used when interrupted)."""
        terminate = getattr(self.pool, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:
            terminate()
            return
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.terminate()

    @staticmethod
    def _task_result(task: Any, future: Future[Any]) -> TaskResult:
        error = future.exception()
        if error is None:
            return task, future.result(), None
        if isinstance(error, BrokenProcessPool):
            return task, None, f"{type(error).__name__}: {error}\n{WORKER_DIED}"
        return task, None, _format_exception(error)

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[TaskResult]:
        """See :meth:`Executor.imap_unordered`.

        When a worker dies, the pool and every task in flight break. New pools take the broken
        tasks again, one at a time alongside new tasks (so that a task that kills its worker again
        breaks no other resubmitted task), with no more tasks in flight than workers meanwhile; a
        task broken a second time yields :data:`WORKER_DIED`.
        After :data:`POOL_RESTARTS` breaks with no task finished since, the next break ends the
        iteration early: the broken tasks not yet resubmitted yield :data:`WORKER_DIED` too, and
        those never submitted are left out.
        """
        pending: dict[Future[Any], tuple[Any, bool]] = {}  # -> (task, is a resubmission)
        backlog: deque[tuple[Any, Future[Any]]] = deque()  # broken once, to resubmit
        source: Iterator[Any] = iter(tasks)
        window = 2 * self.workers
        strikes = 0  # pool breaks since a task last finished
        while True:
            broken = False
            while True:
                retrying = any(again for _, again in pending.values())
                if len(pending) >= (self.workers if retrying else window):
                    break  # a resubmitted task waits in no queue: it finishes sooner
                if backlog and not retrying:
                    task, again = backlog[0][0], True
                else:
                    task, again = next(source, None), False
                if task is None:
                    break
                try:
                    future = self.pool.submit(fn, task)
                except BrokenProcessPool:  # a worker died since the last wait
                    if not again:
                        source = chain([task], source)
                    broken = True
                    break
                pending[future] = (task, again)
                if again:
                    backlog.popleft()
            if not pending and not broken:
                return
            if not broken:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                broken = any(isinstance(f.exception(), BrokenProcessPool) for f in done)
            if broken:  # the broken pool fails every task it still holds: collect them all
                done, _ = wait(pending)
            finished = [(*pending.pop(future), future) for future in done]
            if any(future.exception() is None for *_, future in finished):
                strikes = 0
            strikes += int(broken)
            stop = strikes > POOL_RESTARTS
            for task, again, future in finished:
                if isinstance(future.exception(), BrokenProcessPool) and not (again or stop):
                    backlog.append((task, future))
                else:
                    yield self._task_result(task, future)
            if stop:
                for task, future in backlog:
                    yield self._task_result(task, future)
                return
            if broken:
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

    def imap_unordered(
        self, fn: Callable[[Any], Any], tasks: Iterable[Any]
    ) -> Iterator[TaskResult]:
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
