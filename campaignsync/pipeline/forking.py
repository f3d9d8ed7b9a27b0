"""Forked worker processes: a pool whose processes are each handed one context when they start.

Forked, so that what the parent loaded (the project, the catalogs, the hyphenation
dictionaries) is the workers' without being pickled; the context is handed once per
process, not with every task.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from campaignsync.errors import WorkerError

if TYPE_CHECKING:
    from concurrent.futures import Executor

_C = TypeVar("_C")
_T = TypeVar("_T")
_R = TypeVar("_R")
#: The context of a forked :func:`in_processes` worker, set once by the pool's initializer.
_task_context: list[Any] = []


def _adopt_task_context(context: object) -> None:
    _task_context[:] = [context]  # a pool forked from a pool's process: its context, not that one


def _call_in_worker(function: Callable[[Any, Any], Any], item: object) -> Any:
    return function(_task_context[0], item)


def in_processes(
    function: Callable[[_C, _T], _R], context: _C, items: Iterable[_T], jobs: int
) -> list[_R]:
    """Return ``function(context, item)`` for each item, in order, in ``jobs`` forked processes.

    ``context`` (one frozen value) is handed to each process once, when it
    starts, rather than pickled with every item.
    """
    chosen = list(items)
    if jobs <= 1 or len(chosen) < 2:
        return [function(context, item) for item in chosen]
    with forked_pool(jobs, _adopt_task_context, context) as pool:
        return list(pool.map(_call_in_worker, [function] * len(chosen), chosen))


@contextmanager
def aside(function: Callable[[_C], _R], context: _C, fork: bool) -> Iterator[Callable[[], _R]]:
    """Run ``function(context)`` in one forked process while the caller goes on.

    Gives what returns its result (raising what it raised) when the caller needs it.
    Without ``fork``, it runs in this process, when its result is asked for.
    """
    if not fork:
        yield lambda: function(context)
        return
    with forked_pool(1, _adopt_task_context, context) as pool:
        yield pool.submit(_call_in_worker, _called, function).result


class Detached:
    """A forked process running one function whose result it writes itself (:func:`detach`)."""

    def __init__(self, process: Any, done: Any) -> None:
        self.process = process
        #: Set by the process when the function returned (see :func:`_detached`).
        self.done = done
        self.ended: bool | None = None

    def wait(self) -> bool:
        """Wait for the process to end (once); return whether its function returned."""
        if self.ended is None:
            self.process.join()
            self.ended = self.process.exitcode == 0 and bool(self.done.value)
        return self.ended


def detach(function: Callable[[_C], object], context: _C) -> Detached | None:
    """Run ``function(context)`` in a forked process while this one goes on (None: cannot fork).

    For work that writes what it makes: nothing is sent back but whether it returned
    (raising, or being killed, is not). A process of its own, not a pool's: this process
    starts no thread for it, so a process it forks later copies no thread's lock.
    """
    import multiprocessing

    forked = multiprocessing.get_context("fork")
    try:
        done = forked.RawValue("b", 0)  # in shared memory, which may fail too
        process = forked.Process(target=_detached, args=(function, context, done))
        process.start()
    except OSError:  # no memory or processes left: the caller does it itself
        return None
    return Detached(process, done)


def _detached(function: Callable[[_C], object], context: _C, done: Any) -> None:
    from campaignsync.pipeline import collecting

    try:
        collecting.in_worker()
        function(context)
    except BaseException:  # told by ``done`` left unset, not by a trace on the user's terminal
        return
    done.value = 1


def _called(context: _C, function: Callable[[_C], _R]) -> _R:
    return function(context)


@contextmanager
def forked_pool(jobs: int, adopt: Callable[[Any], None], context: object) -> Iterator[Executor]:
    """Give a pool of ``jobs`` forked processes, each handed ``context`` once by ``adopt``.

    Each collects garbage at a worker's pace (:func:`collecting.in_worker`), though
    forked from a build that collects none.

    A worker that dies (killed from outside, most often by the system short of memory)
    breaks the pool: the work stops there, the pack is left as it was, and it is told
    as :class:`campaignsync.errors.WorkerError`. The workers die with this process
    (:func:`_dies_with`), or rather with the thread that first submits (they are forked
    from it): never submit first from a thread that ends before the pool.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_started,
            initargs=(adopt, context, os.getpid()),
        ) as pool:
            yield pool
    except BrokenProcessPool as exc:
        raise WorkerError() from exc


def _started(adopt: Callable[[Any], None], context: object, parent: int) -> None:
    """Start a forked process: it dies with ``parent`` and collects its own garbage, then adopts."""
    from campaignsync.pipeline import collecting

    _dies_with(parent)
    collecting.in_worker()
    adopt(context)


#: Linux's prctl option: the signal a process gets when the one that forked it ends.
_PR_SET_PDEATHSIG = 1


def _dies_with(parent: int) -> None:
    """Have this forked process killed when ``parent``, which forked it, ends (on Linux).

    A build killed from outside (SIGKILL, the system short of memory) left its workers
    running for good: blocked on a pipe the parent no longer read, holding the build's
    output open (whatever waited for it to close waited too).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl to be found: as before
        return
    if os.getppid() != parent:  # it ended before: no signal will come
        os.kill(os.getpid(), signal.SIGKILL)


def default_jobs() -> int:
    """Return the number of processes to use when the user does not say."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(8, cpus or 1))
