"""Updating a pack in place: only changed files written, the zip's unchanged members copied.

A rebuild after a small edit changes a few hundred of a pack's files. Instead
of a new folder with every file linked again, the changed files are written
into a staging folder beside the pack and a new zip is assembled from the
old one's member bytes plus the new members; then a journal listing the
renames and deletions is written (atomically, synced) and applied. The
journal is the commit point: a build interrupted before it leaves the old
pack, one interrupted after it is finished by :func:`recover`, which every
build runs first under the write lock. Either way the pack is the old one
or the new one, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
from bisect import bisect_left
from collections.abc import Mapping
from itertools import compress
from operator import itemgetter, not_
from pathlib import Path
from typing import Any

from campaignsync import paths
from campaignsync.errors import BuildError
from campaignsync.pack import archive, runs, writer


def journal_path(out: Path, campaign: str) -> Path:
    """Return where the journal of an in-place update of ``campaign`` is kept."""
    return out / f".{campaign}.journal"


def write_journal(out: Path, campaign: str, entry: Mapping[str, Any]) -> None:
    """Commit an update: from here on, :func:`recover` finishes it."""
    paths.write_atomic(journal_path(out, campaign), json.dumps(entry, sort_keys=True).encode())


def apply(out: Path, campaign: str, entry: Mapping[str, Any]) -> None:
    """Carry out a committed journal; safe to repeat after an interruption."""
    final = out / campaign
    staging = out / entry["staging"]
    if entry["zip"] is None:  # built without the zip: the old one goes first
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
        all(isinstance(n, str) and n.startswith(f".{campaign}.") and "/" not in n for n in names)
        and all(isinstance(rels, list) for rels in lists)
        and all(isinstance(r, str) and paths.is_inside(r) for rels in lists for r in rels)  # type: ignore[union-attr]
    )


def update_in_place(
    out: Path,
    campaign: str,
    files: list[tuple[str, bytes]],
    prepared: list[tuple[str, writer.Member]],
    stamp: tuple[int, int],
    previous: Mapping[str, str],
    index: archive.ZipIndex | None,
    zipped: bool = True,
    tables: Mapping[str, runs.Table] | None = None,
) -> tuple[int, int, dict[str, runs.Table]] | None:
    """Bring the pack up to date by writing only what changed; return (written, unchanged, runs).

    ``previous`` is the current pack's sha256 by path (from its manifest) and
    ``index`` its zip's members (None: no zip to copy from, every member is
    compressed; ``tables``: its members deflated in runs, whose unchanged runs
    are copied). ``zipped=False`` updates the folder alone and removes the zip
    in the same commit. ``runs`` are the new zip's members deflated in runs.
    Returns None, having changed nothing, when a changed path meets a folder
    where a file should go (or the reverse): the caller then writes a new pack.
    """
    final = out / campaign
    source = archive.ZipSource(out / f"{campaign}.zip", index, previous) if index else None
    plan = source.plan(prepared, stamp) if source and zipped else None
    changed, deletes = _changes(files, prepared, previous, plan)
    if any(_blocked(final, rel) for rel, _ in changed):
        return None
    staging = out / f".{campaign}.tmp-{os.getpid()}"
    archive_tmp = out / f".{campaign}.zip.tmp-{os.getpid()}"
    ran: dict[str, runs.Table] = {}
    if zipped:
        plan = plan or [None] * len(files)
        prepared, ran = _compressed(files, prepared, plan, source, campaign, tables or {})
    entry = {
        "staging": staging.name,
        "zip": archive_tmp.name if zipped else None,
        "renames": [rel for rel, _ in changed],
        "deletes": deletes,
    }
    try:
        _stage(staging, changed)
        if zipped:
            archive.write_zip(archive_tmp, campaign, prepared, stamp, source, plan=plan)
        write_journal(out, campaign, entry)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        archive_tmp.unlink(missing_ok=True)
        raise
    try:
        apply(out, campaign, entry)
    except OSError as exc:
        raise BuildError(
            f"the pack update in {out} stopped halfway: {exc.strerror or exc}; "
            "the next build finishes it"
        ) from None
    return len(changed), len(files) - len(changed), ran


def _changes(
    files: list[tuple[str, bytes]],
    prepared: list[tuple[str, writer.Member]],
    previous: Mapping[str, str],
    plan: list[archive.Reuse | None] | None,
) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Return the files changed or added since the previous pack, and the paths it had alone.

    A member ``plan`` copies from the previous zip has the previous pack's sha256: only
    the others can have changed.
    """
    rest = range(len(files)) if plan is None else compress(range(len(files)), map(not_, plan))
    changed = [files[i] for i in rest if previous.get(files[i][0]) != prepared[i][1].sha256]
    added = sum(1 for rel, _ in changed if rel not in previous)
    if len(previous) == len(files) - added:  # every path of the previous pack is still here
        return changed, []
    return changed, sorted(previous.keys() - {rel for rel, _ in files})


def _stage(staging: Path, changed: list[tuple[str, bytes]]) -> None:
    """Write the changed files into the staging folder, in their folders."""
    staging.mkdir(mode=writer.DIR_MODE)
    made: set[str] = set()
    for rel, data in changed:
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            (staging / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        writer.write_new(f"{staging}{os.sep}{rel}", data)


def _compressed(
    files: list[tuple[str, bytes]],
    prepared: list[tuple[str, writer.Member]],
    plan: list[archive.Reuse | None],
    source: archive.ZipSource | None,
    campaign: str,
    tables: Mapping[str, runs.Table],
) -> tuple[list[tuple[str, writer.Member]], dict[str, runs.Table]]:
    """Return the members, each compressed unless ``plan`` copies it from ``source``.

    Also the members deflated in runs: those deflated now (the runs ``tables`` say are
    unchanged copied from the previous zip) and those copied whole.
    """
    written = list(compress(range(len(plan)), map(not_, plan)))
    refill = [i for i in written if prepared[i][1].data is None]
    hashed = {files[i][0]: prepared[i][1] for i in refill}
    old = runs.Previous(source.path, campaign, source.index, tables) if source else None
    try:
        done = writer.prepare_all((writer.PackFile(*files[i]) for i in refill), old, hashed)
        kept = {
            rel: t
            for rel in tables
            if _copied(rel, prepared, plan) and old and (t := old.table(rel))
        }
    finally:
        if old is not None:
            old.close()
    members = list(prepared)
    for i in refill:
        members[i] = (members[i][0], done[members[i][0]])
    # Whatever is written (not copied) and deflated in runs: what this build deflated.
    return members, {**kept, **runs.tables(members[i] for i in written)}


def _copied(
    rel: str, members: list[tuple[str, writer.Member]], plan: list[archive.Reuse | None]
) -> bool:
    """Return True when ``plan`` copies the member at ``rel`` (``members`` are sorted by path)."""
    at = bisect_left(members, rel, key=itemgetter(0))
    return at < len(members) and members[at][0] == rel and plan[at] is not None


def _blocked(final: Path, rel: str) -> bool:
    """Return True when a file cannot simply be renamed to ``rel`` in the pack."""
    path = final
    parts = rel.split("/")
    for depth, part in enumerate(parts, start=1):
        path = path / part
        if path.is_symlink():
            return True
        if depth < len(parts) and path.exists() and not path.is_dir():
            return True  # a file where a folder must go: rare, so a new pack is written
        if depth == len(parts) and path.is_dir():
            return True
    return False
