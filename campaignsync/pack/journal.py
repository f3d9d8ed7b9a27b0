"""The journal of an in-place update: its renames and deletions, committed then applied.

A rebuild after a small edit changes a few hundred of a pack's files. Instead
of a new folder with every file linked again, the changed files are written
into a staging folder beside the pack and a new zip is assembled from the
old one's member bytes plus the new members (:mod:`campaignsync.pack.updating`);
then a journal listing the renames and deletions is written (atomically,
synced) and applied. The
journal is the commit point: a build interrupted before it leaves the old
pack; after it, Ctrl-C waits for the renames (:func:`ctrl_c_held`), and a build
killed during them is finished by :func:`recover`, which every build runs first
under the write lock (the no-change test takes no pack with a journal left for
current: ``state.current``). Until then such a folder holds old and new files; once
a build has run, the pack is the old one or the new one, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from campaignsync import paths
from campaignsync.errors import BuildError
from campaignsync.model import Output
from campaignsync.pack.state import journal_path
from campaignsync.pack.writer import DIR_MODE, PackFile


def stage(staging: Path, changed: Iterable[tuple[str, Output | PackFile, object]]) -> None:
    """Write an update's changed files (path, file, member) into its staging folder."""
    staging.mkdir(mode=DIR_MODE)
    made: set[str] = set()
    for rel, file, _ in changed:
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            (staging / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        path = f"{staging}{os.sep}{rel}"
        if isinstance(file, PackFile):  # one set aside is linked, or copied in the kernel
            file.create_at(path)
        else:
            paths.write_new(path, file.content)


def blocked(final: Path, rels: Iterable[str]) -> bool:
    """Return True when a file cannot simply be renamed to, or removed from, one of ``rels``.

    In the pack ``final``: a link or a file on the way (rare: a new pack is then
    written), or a folder or a link where the file is.
    """
    clear, root = paths.clear_way(final), os.fspath(final)
    return any(
        not clear(rel.rpartition("/")[0]) or _taken_by_other(f"{root}/{rel}") for rel in rels
    )


def _taken_by_other(path: str) -> bool:
    """Say whether a link or a folder is where a file is to be renamed to or removed from."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    return stat.S_ISLNK(mode) or stat.S_ISDIR(mode)


def write_journal(out: Path, campaign: str, entry: Mapping[str, Any]) -> None:
    """Commit an update: from here on, :func:`recover` finishes it."""
    paths.write_atomic(journal_path(out, campaign), json.dumps(entry, sort_keys=True).encode())


@contextmanager
def ctrl_c_held() -> Iterator[list[int]]:
    """Hold off Ctrl-C from an update's commit to its last rename; give the signals that came.

    Stopped halfway, the folder would hold old and new files until the next build: a
    Ctrl-C while the journal is written and applied waits for the renames (a few hundred,
    tens of milliseconds), and the caller tells that the new pack is in place. Held in
    the main thread only (where Python takes signals; ``preview`` builds in another).
    """
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    came: list[int] = []
    before = signal.signal(signal.SIGINT, lambda number, _: came.append(number))
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, before if before is not None else signal.SIG_DFL)


def apply(out: Path, campaign: str, entry: Mapping[str, Any]) -> None:
    """Carry out a committed journal; safe to repeat after an interruption."""
    final = out / campaign
    staging = out / entry["staging"]
    if entry["zip"] is None:  # built without the zip: the old one goes first
        if entry.get("aside") is True:  # kept in the cache, for the next zip to update
            from campaignsync.pack import asidezip

            asidezip.set_aside(out, campaign)
        (out / f"{campaign}.zip").unlink(missing_ok=True)
    for rel in entry["deletes"]:
        (final / rel).unlink(missing_ok=True)
    _prune(final, entry["deletes"])
    made: set[str] = set()
    for rel in entry["renames"]:
        source = staging / rel
        if not source.exists():
            continue  # moved before the interruption
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            _makedirs(final, folder)
            made.add(folder)
        os.replace(source, final / rel)
    if entry["zip"] is not None and (out / entry["zip"]).exists():
        os.replace(out / entry["zip"], out / f"{campaign}.zip")
    shutil.rmtree(staging, ignore_errors=True)
    journal_path(out, campaign).unlink(missing_ok=True)


def _makedirs(final: Path, folder: str) -> None:
    path = final
    for part in folder.split("/"):
        path = path / part
        if not path.is_dir():
            path.mkdir()
            path.chmod(0o755)


def _prune(final: Path, deleted: list[str]) -> None:
    """Remove folders left empty by deletions, deepest first (a clean build has none)."""
    folders = {rel.rsplit("/", i)[0] for rel in deleted for i in range(1, rel.count("/") + 1)}
    for folder in sorted(folders, key=lambda f: -f.count("/")):
        try:
            (final / folder).rmdir()
        except OSError:
            continue  # not empty (or already gone)


def recover(out: Path, campaign: str) -> bool:
    """Finish an update whose journal was committed; return True if there was one."""
    path = journal_path(out, campaign)
    try:
        entry = json.loads(path.read_bytes())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        path.unlink(missing_ok=True)  # never committed: written atomically or not at all
        return False
    if not _valid(entry, campaign):
        raise BuildError(
            f"{path}: not a journal campaignsync wrote (it names paths outside the pack);"
            " nothing was changed: delete it and build with --force"
        )
    apply(out, campaign, entry)
    return True


def _valid(entry: object, campaign: str) -> bool:
    """Return True when a journal names only paths inside the pack and its own temporaries."""
    if not isinstance(entry, dict):
        return False
    names = (entry.get("staging"), entry.get("zip") or f".{campaign}.zip")
    lists = (entry.get("renames"), entry.get("deletes"))
    return (
        isinstance(entry.get("aside", False), bool)
        and all(
            isinstance(n, str) and n.startswith(f".{campaign}.") and "/" not in n for n in names
        )
        and all(isinstance(rels, list) for rels in lists)
        and all(isinstance(r, str) and paths.is_inside(r) for rels in lists for r in rels)  # type: ignore[union-attr]
    )
