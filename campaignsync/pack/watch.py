"""Waiting for saves: the one module that uses watchfiles."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

#: How long a burst of saves (an editor writing a temporary file, then renaming it)
#: is gathered into one change, in milliseconds; small, so a page follows a save quickly.
DEBOUNCE_MS = 150


def changes(root: Path, inputs: Iterable[str], stop: threading.Event) -> Iterator[set[str]]:
    """Yield the input files (relative to ``root``) changed by each burst of saves, until ``stop``.

    ``inputs`` are the config file and the content, locales and templates folders.
    """
    from watchfiles import watch

    watched = [root / name for name in inputs if (root / name).exists()]
    for batch in watch(
        *watched,
        stop_event=stop,
        debounce=DEBOUNCE_MS,
        step=50,
        raise_interrupt=False,
        ignore_permission_denied=True,
    ):
        found = set()
        for _change, path in batch:
            try:
                found.add(Path(path).resolve().relative_to(root).as_posix())
            except ValueError:
                continue
        if found:
            yield found
