"""Waiting for saves: the one module that uses watchfiles."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

#: How long a burst of saves (an editor writing a temporary file, then renaming it)
#: is gathered into one change, in milliseconds; small, so a page follows a save quickly.
DEBOUNCE_MS = 150
#: How long the watcher waits for a save before it says it waits (the first time: it runs).
IDLE_MS = 100
#: How long :func:`changes` waits at most for the watcher to run.
READY_S = 5.0


def changes(root: Path, inputs: Iterable[str], stop: threading.Event) -> Iterator[set[str]]:
    """Yield the input files (relative to ``root``) changed by each burst of saves, until ``stop``.

    ``inputs`` are the config file and the content, locales and templates folders. The
    watching has begun when this returns, not when the first change is asked for: a save
    made meanwhile (while ``preview`` makes its first build) is yielded then. Bursts saved
    while the last was being handled come as one.
    """
    waiting: queue.SimpleQueue[_Told] = queue.SimpleQueue()
    watched = [root / name for name in inputs if (root / name).exists()]
    ready = threading.Event()
    args = (root, watched, stop, waiting, ready)
    threading.Thread(target=_watch, args=args, daemon=True).start()
    ready.wait(READY_S)
    return _bursts(waiting)


#: What the watching thread tells: a burst's files, what stopped it, or None once stopped.
_Told = set[str] | BaseException | None


def _bursts(waiting: queue.SimpleQueue[_Told]) -> Iterator[set[str]]:
    """Yield what the watching thread tells, all it told meanwhile as one burst."""
    while True:
        told = [waiting.get()]
        while not waiting.empty():
            told.append(waiting.get())
        found = set().union(*(t for t in told if isinstance(t, set)))
        if found:
            yield found
        for end in (t for t in told if not isinstance(t, set)):
            if end is not None:
                raise end
            return


def _watch(
    root: Path,
    watched: list[Path],
    stop: threading.Event,
    waiting: queue.SimpleQueue[_Told],
    ready: threading.Event,
) -> None:
    """Put each burst's changed input files into ``waiting``, then None once ``stop`` is set.

    ``ready`` is set once the watcher runs: it yields (nothing) after its first
    :data:`IDLE_MS` without a save.
    """
    from watchfiles import watch

    try:
        for batch in watch(
            *watched,
            stop_event=stop,
            debounce=DEBOUNCE_MS,
            step=50,
            rust_timeout=IDLE_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            ignore_permission_denied=True,
        ):
            ready.set()
            found = set()
            for _change, path in batch:
                try:
                    found.add(Path(path).resolve().relative_to(root).as_posix())
                except ValueError:
                    continue
            if found:
                waiting.put(found)
    except BaseException as exc:  # told where the changes are asked for
        waiting.put(exc)
        return
    finally:
        ready.set()
    waiting.put(None)
