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
from collections.abc import Mapping
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
    changed = [
        (rel, data)
        for (rel, data), (_, member) in zip(files, prepared, strict=True)
        if previous.get(rel) != member.sha256
    ]
    deletes = sorted(previous.keys() - {rel for rel, _ in files})
    if any(_blocked(final, rel) for rel, _ in changed):
        return None
    staging = out / f".{campaign}.tmp-{os.getpid()}"
    archive_tmp = out / f".{campaign}.zip.tmp-{os.getpid()}"
    source = None if index is None else archive.ZipSource(out / f"{campaign}.zip", index, previous)
    ran: dict[str, runs.Table] = {}
    plan: list[archive.Reuse | None] = []
    if zipped:
        prepared, plan, ran = _compressed(files, prepared, source, campaign, stamp, tables or {})
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
    source: archive.ZipSource | None,
    campaign: str,
    stamp: tuple[int, int],
    tables: Mapping[str, runs.Table],
) -> tuple[list[tuple[str, writer.Member]], list[archive.Reuse | None], dict[str, runs.Table]]:
    """Return the members, each compressed unless its bytes can be copied from ``source``.

    Also where each member's bytes are copied from (None: written), and the members
    deflated in runs: those deflated now (the runs ``tables`` say are unchanged copied
    from the previous zip) and those copied whole.
    """
    plan: list[archive.Reuse | None] = [None] * len(prepared)
    if source is not None:
        plan = source.plan(campaign, prepared, stamp)
    refill = [
        writer.PackFile(rel, data)
        for (rel, data), (_, member), reuse in zip(files, prepared, plan, strict=True)
        if reuse is None and member.data is None
    ]
    old = runs.Previous(source.path, campaign, source.index, tables) if source else None
    try:
        done = writer.prepare_all(refill, old)
        copied = [rel for (rel, _), r in zip(prepared, plan, strict=True) if r and rel in tables]
        kept = {rel: t for rel in copied if old and (t := old.table(rel)) is not None}
    finally:
        if old is not None:
            old.close()
    members = [(rel, done.get(rel, member)) for rel, member in prepared] if done else prepared
    return members, plan, {**kept, **runs.tables(members)}


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
