"""A new pack written while it renders: files into the staging folder, zip bytes to spill files.

A clean build holds no output's bytes until the end. Whoever renders a unit
(a worker process, or the parent with ``--jobs 1``) writes its files into the
staging folder at once and appends their compressed bytes to its own spill
file; only small values (hashes, where the bytes are) go back to the parent,
and the zip is laid out by copying from the spill files, as an update copies
from the previous zip (see :mod:`campaignsync.pack.archive`). The staging
folder is swapped in only when complete (:func:`campaignsync.pack.writer.write_pack`),
so an interrupted build still leaves the previous pack.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.model import Output
from campaignsync.pack import writer

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup
    from campaignsync.pack.cache import Cache
    from campaignsync.pack.gallery import Drawn


@dataclass(frozen=True, slots=True)
class Staging:
    """Where a new pack is written while it renders (the write lock is held meanwhile)."""

    #: The pack's folder until it is swapped in.
    folder: Path
    #: One spill file per process that renders: its members' compressed bytes, appended.
    spills: Path
    #: False for ``--no-zip``: files are hashed, not compressed.
    zipped: bool = True


def spill(staging: Staging, compressed: Mapping[str, bytes]) -> dict[str, tuple[str, int, int]]:
    """Append compressed bytes to this process's spill file; return where each went.

    Returns (spill file name, offset, length) by pack path. Only this process
    writes its spill file, so offsets are known without a lock.
    """
    name = f"{os.getpid()}.spill"
    where: dict[str, tuple[str, int, int]] = {}
    with (staging.spills / name).open("ab") as handle:
        at = handle.tell()
        for rel, data in compressed.items():
            handle.write(data)
            where[rel] = (name, at, len(data))
            at += len(data)
    return where


def stripped(outputs: list[Output]) -> list[Output]:
    """Return outputs without their bytes, but for those the whole-pack files still read.

    The scheduler CSVs read the posts' text and the gallery copies each HTML
    email; every other output is only counted, listed and linked.
    """
    from dataclasses import replace

    from campaignsync.channels import post_channels

    posts = set(post_channels())
    return [
        o
        if (o.channel in posts and o.path.endswith(".txt"))
        or (o.channel == "email" and o.path.endswith(".html"))
        else replace(o, content=b"")
        for o in outputs
    ]


def fill(
    staging: Path,
    final: Path,
    files: list[tuple[str, bytes]],
    prepared: list[tuple[str, writer.Member]],
    previous: Mapping[str, str],
    done: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """Write a new pack's files into ``staging``, linking the unchanged ones from ``final``.

    The files in ``done`` are there already (written while rendering). Returns (written, linked).
    """
    written, reused = len(done), 0
    # Plain strings, not Path objects, in this loop: it runs once per file of the pack.
    new_root, old_root = f"{staging}{os.sep}", f"{final}{os.sep}"
    made: set[str] = set()
    for (rel, data), (_, member) in zip(files, prepared, strict=True):
        if rel in done:
            continue
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            os.makedirs(new_root + folder, mode=writer.DIR_MODE, exist_ok=True)  # noqa: PTH103
            made.add(folder)
        target = new_root + rel
        linked = previous.get(rel) == member.sha256
        if linked and link_or_false(old_root + rel, target):
            reused += 1
            continue
        writer.write_new(target, data)
        written += 1
    return written, reused


def recover(out: Path, campaign: str) -> None:
    """Finish a committed in-place update, or undo what an interrupted build left."""
    from campaignsync.pack import journal

    journal.recover(out, campaign)
    final = out / campaign
    for leftover in sorted(out.glob(f".{campaign}.old-*")):
        if not final.exists():
            leftover.rename(final)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.glob(f".{campaign}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.glob(f".{campaign}.zip.tmp-*"):
        leftover.unlink(missing_ok=True)


def link_or_false(source: str, target: str) -> bool:
    """Hard-link ``source`` to ``target``; return False when that cannot be done here."""
    try:
        if os.path.islink(source):  # noqa: PTH114 - a str path in a per-file loop
            return False
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        return False
    return True


def fix_dir_modes(folder: Path) -> None:
    """Give every folder under ``folder`` the pack's mode (mkdir's is filtered by the umask)."""
    for dirpath, _dirs, _files in os.walk(folder):
        os.chmod(dirpath, writer.DIR_MODE)


def put(staging: Staging, outputs: list[Output]) -> dict[str, writer.Member]:
    """Write outputs into the staging folder and spill their compressed bytes; return their members.

    The members hold where their bytes went, not the bytes.
    """
    from dataclasses import replace

    ready = writer.prepare if staging.zipped else writer.digest
    prepared = [(o.path, ready(o.content)) for o in outputs]
    fill(staging.folder, staging.folder, [(o.path, o.content) for o in outputs], prepared, {})
    if not staging.zipped:
        return dict(prepared)
    where = spill(staging, {rel: m.data or b"" for rel, m in prepared})
    return {rel: replace(m, data=None, spilled=where[rel]) for rel, m in prepared}


def keep(
    cache: Cache | None,
    lookups: Mapping[str, Lookup],
    units: list[tuple[str, str, list[Output], tuple[Any, ...]]],
    members: Mapping[str, writer.Member],
    rows: dict[str, str],
    drawn: list[Drawn],
) -> None:
    """Write the render cache's shards of whole messages' units (locale, message id, outputs, log).

    Whoever rendered them writes them, so a clean build's parent never holds their bytes.
    """
    if cache is None:
        return
    from campaignsync.pack import cache as unitcache

    shards = unitcache.Cache(cache.folder, cache.key, keys=cache.keys)
    for locale_tag, message_id, made, log in units:
        unitcache.store(shards, message_id, locale_tag, made, members, log, lookups, rows)
    unitcache.keep_drawn(shards, {d.path: d for d in drawn})
    unitcache.save_cache(shards)
