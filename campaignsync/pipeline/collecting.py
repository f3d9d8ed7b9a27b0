"""How often the garbage collector runs while a build's values pile up.

A build (or a check, or a catalog update) makes millions of objects that live to its
end and hold no cycles: collecting at CPython's pace goes over them again and again.
Its own process does not collect at all while it runs: measured at 500 messages, a
clean build's collections (333 of them) took 1.4 s and freed 55 objects, a
one-message build's 0.22 s for 1,048, a cold check's 2.7 s for 441; what it leaves
in cycles is collected once it is done. What renders units collects at a slower
pace: its forked processes (:func:`in_worker`), or the build's process when it
renders them itself (:func:`rendering_here`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: A worker's collections: a unit allocates thousands of objects, most of them kept
#: to the end of the build, so collecting at CPython's default pace (every 700
#: allocations, the oldest generation ever more often as outputs pile up) cost a
#: tenth of a build's CPU; this pace costs a hundredth.
_THRESHOLDS = (10_000, 10, 10)

#: Whether collecting is held off already (nested uses keep the outermost one).
_collecting_less: list[bool] = []


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Freeze what exists (forked workers then never touch it) and collect nothing until done.

    Also a decorator (``@fewer_collections()``); nested uses keep the outermost one.
    """
    if _collecting_less:
        yield
        return
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    _collecting_less.append(True)
    try:
        yield
    finally:
        _collecting_less.clear()
        gc.unfreeze()
        if enabled:
            gc.enable()


@contextmanager
def kept_to_the_end() -> Iterator[None]:
    """Collect nothing while values that hold no cycles are made, then freeze them.

    The render cache read whole is millions of tuples, strings and outputs that live
    to the end of the build: each full collection went over them all again (about a
    second of a one-message build at 104,000 outputs). Within :func:`fewer_collections`
    (which unfreezes at its end) they are frozen, so later collections skip them too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if _collecting_less:
            gc.freeze()


@contextmanager
def rendering_here() -> Iterator[None]:
    """Collect at a worker's pace while this process renders units itself (``--jobs 1``).

    Rendering leaves objects in cycles (about 490,000 at 500 messages x 26 locales,
    43 MB more at the peak of a ``--jobs 1`` build when none were collected). Within
    :func:`fewer_collections` (which unfreezes at its end), what exists is frozen first:
    the first collection went over everything made since the build began, uncollected
    (the outputs, members and rows taken from the render cache: 0.07 s a one-message
    build at 104,000 outputs), to free what rendering made.
    """
    enabled, before = gc.isenabled(), gc.get_threshold()
    if _collecting_less:
        gc.freeze()
    gc.set_threshold(*_THRESHOLDS)
    gc.enable()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not enabled:
            gc.disable()


def in_worker() -> None:
    """Freeze what a forked process inherited and collect at a worker's pace for its life.

    Every forked process starts so (``forking.forked_pool``, ``forking.detach``): it is
    forked from a build that collects nothing (:func:`fewer_collections`), and what it
    makes, it collects.
    """
    gc.freeze()
    gc.set_threshold(*_THRESHOLDS)
    gc.enable()
