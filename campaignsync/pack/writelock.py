"""The output folder's write lock: one build writes into a folder at a time.

A build that finds its inputs changed, or another build writing (:func:`taken`),
takes the lock for the whole build (:func:`waited`): when another build holds it (a
second terminal, ``preview`` after a save), it waits, then takes the no-change test
again, and the pack that build left is often the one it wanted. The steps that write
(:func:`locked`: the staging folder, the writer, the zip made again) take it unless
their build holds it, and refuse when another process does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from campaignsync.errors import BuildError

#: The lock's file, in the output folder.
NAME = ".campaignsync.lock"


class _Held(threading.local):
    """The output folders whose lock this thread's build holds (:func:`waited`)."""

    def __init__(self) -> None:
        self.folders: set[Path] = set()


_HELD = _Held()


def busy(out: Path) -> BuildError:
    """Return the error of a write into ``out`` while another build writes there."""
    return BuildError(f"another campaignsync build is writing to {out}; wait for it to finish")


def taken(out: Path) -> bool:
    """Return True when another build holds ``out``'s write lock now (it is writing there).

    A probe for a build whose no-change test passed, which must not answer "Up to date"
    from the pack another build is about to replace. It imports no filelock (the no-change
    test stays light): a shared, non-blocking flock on the lock file, where there is one,
    let go at once. Where flock is not there, nothing is probed.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: not probed
        return False
    try:
        fd = os.open(out / NAME, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:  # no lock file: no build wrote here yet
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # (lets go of the shared lock, if taken)
    return False


#: How long a write waits for the lock before it is refused: long enough for a probe
#: (:func:`taken`) to let go of it, never for a build to end.
_PROBED_S = 0.5


@contextmanager
def waited(out: Path, told: Callable[[str], None] | None = None) -> Iterator[bool]:
    """Hold ``out``'s write lock for a build; yield whether another build held it first.

    Waits for that build to end (``told`` hears once that it waits). A build started
    inside this thread's build cannot wait for it, and is refused as :func:`locked`
    refuses one. In a folder no build wrote into, nothing is held (nor made): the first
    build's writing takes the lock, as every write does.
    """
    from filelock import FileLock, Timeout

    folder = out.resolve()
    if folder in _HELD.folders:
        raise busy(out)
    if not (out / NAME).is_file():  # no build wrote here yet: none to wait for, none made
        yield False  # (a failed first build leaves no folder; its writing takes the lock)
        return
    lock = FileLock(str(out / NAME))
    try:
        lock.acquire(timeout=_PROBED_S)
        held_first = False
    except Timeout:
        if told is not None:
            told(f"Waiting for another campaignsync build writing to {out}...")
        lock.acquire()
        held_first = True
    _HELD.folders.add(folder)
    try:
        yield held_first
    finally:
        _HELD.folders.discard(folder)
        lock.release()


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out``'s write lock to write there (held already by this thread's build: go on)."""
    from filelock import FileLock, Timeout

    if out.resolve() in _HELD.folders:
        yield
        return
    _make(out)
    lock = FileLock(str(out / NAME))
    try:
        lock.acquire(timeout=_PROBED_S)
    except Timeout:
        raise busy(out) from None
    try:
        yield
    finally:
        lock.release()


def _make(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {out}: {exc.strerror}") from None
