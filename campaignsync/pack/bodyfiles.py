"""The render cache's body files on disk: their names, their messages, those no shard names.

A message's body files (:mod:`campaignsync.pack.bodies`) are ``<message>.<checksum>.body``
beside its shard; a save that replaces them, or is cut short, leaves files that no shard
names, deleted here. One gone or changed while a build reads it is :class:`Unreadable`,
and the build is made once more without its message's shard (:func:`retried`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from campaignsync.errors import BuildError

SUFFIX = ".body"
T = TypeVar("T")


class Unreadable(Exception):
    """A body file a shard names is gone or is no longer the one it was written as."""

    def __init__(self, message_id: str, path: Path, own: bool) -> None:
        super().__init__(f"the render cache's {path.name} changed while it was read")
        self.message_id = message_id
        self.path = path
        #: In this build's own cache (not another build's folder: ``build --shard``).
        self.own = own

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Unreadable, (self.message_id, self.path, self.own)


def retried(run: Callable[[], T]) -> T:
    """Return what ``run`` gives; if a body file it read was gone, run it once more without it.

    The message whose body file it was loses its shard (its units are rendered again).
    Gone twice (another build saving over this cache all along): a BuildError.
    """
    try:
        return run()
    except Unreadable as gone:
        if gone.own:  # never a file in another build's folder (build --shard)
            (gone.path.parent / f"{gone.message_id}.units").unlink(missing_ok=True)
    try:
        return run()
    except Unreadable as gone:
        raise BuildError(
            f"the render cache in {gone.path.parent} changed while it was read "
            "(another build saving there?); run the command again"
        ) from None


def body_name(name: Any, message_id: str) -> bool:
    """Say whether ``name`` is one of the message's body files' names (no other path)."""
    return (
        isinstance(name, str)
        and name.startswith(f"{message_id}.")
        and name.endswith(SUFFIX)
        and "/" not in name
        and "\\" not in name
    )


def by_message(folder: Path) -> dict[str, list[str]]:
    """Return the body files in ``folder``, by message id."""
    try:
        return by_message_of([p.name for p in folder.iterdir()])
    except OSError:
        return {}


def by_message_of(names: Iterable[str]) -> dict[str, list[str]]:
    """Return the body files among a folder's ``names``, by message id."""
    found: dict[str, list[str]] = {}
    for name in names:
        if name.endswith(SUFFIX) and not name.startswith("."):
            found.setdefault(message_of(name), []).append(name)
    return found


def message_of(name: str) -> str:
    """Return the message a file of the cache folder belongs to (``<message>.…``).

    A message's id has no dot (``load.content.ID_RE``): its shard, body files and
    findings all start with it.
    """
    return name.partition(".")[0]


def remove(folder: Path, names: Iterable[str]) -> None:
    """Delete body files no shard names any longer."""
    for name in names:
        (folder / name).unlink(missing_ok=True)


def collect(folder: Path, listed: Iterable[str], named: Mapping[str, set[str]]) -> None:
    """Delete the body files a save cut short left: named by no shard, and older than it.

    ``listed`` are the folder's files as read, ``named`` the bodies each shard just read
    names, by message. A message with no shard at all keeps none; one whose shard was a
    miss is left to its next save.
    """
    shards = {name.removesuffix(".units") for name in listed if name.endswith(".units")}
    for message_id, names in by_message_of(listed).items():
        if message_id in shards and message_id not in named:
            continue
        left = [n for n in names if n not in named.get(message_id, ())]
        if message_id in shards:
            with contextlib.suppress(OSError):
                shard = (folder / f"{message_id}.units").stat().st_mtime_ns
                left = [n for n in left if (folder / n).stat().st_mtime_ns < shard]
        remove(folder, left)
