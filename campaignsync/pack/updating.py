"""Updating a pack in place: only the changed files written, the zip's other members copied.

A rebuild after a small edit changes a few hundred of a pack's 150,000 files. What
changed is found path by path (its sha256 against the last pack's); only those files
are staged, and the new zip is the old one with those members put in: the records
between two changes are copied as they are, a run at a time (:func:`archive.update_zip`),
so the work follows the edit, not the pack. Then the journal commits (``pack.journal``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from campaignsync.errors import BuildError, InterruptedAfterWrite
from campaignsync.model import Output
from campaignsync.pack import archive, asidezip, journal, manifest, runs, state, writer
from campaignsync.pack.state import PackResult

#: A file of the pack: its path, the file (its bytes read when written) and its member.
Changed = tuple[str, "Output | writer.PackFile", writer.Member]
#: An update's files changed (sorted), the paths it deletes, and every path of either.
Update = tuple[list[Changed], list[str], frozenset[str]]


def update(
    out: Path,
    campaign: str,
    files: list[Output | writer.PackFile],
    members: Mapping[str, writer.Member],
    stamp: tuple[int, int],
    previous: Mapping[str, str],
    zipped: bool,
    tables: Mapping[str, runs.Table],
    steady: tuple[str, int] = ("", 0),
) -> PackResult | None:
    """Update the pack in place when it is as the last build left it (None: write a new one).

    ``files`` are every file of the new pack (in any order; the bytes of the changed ones
    alone are read, and all of them for a zip written whole), ``members`` their members
    where known, ``previous`` the last pack's sha256 by path and ``tables`` its zip's
    members deflated in runs. The members are copied from the last zip, made by this zlib
    (at this time, or at another: given this one's, ``archive.update_zip``), or the one a
    build without the zip set aside (``pack.asidezip``, as this one sets it aside).
    ``steady`` counts the first files, with the sha256 of the manifest of a pack noted as
    holding them as they are: while that is the last pack (``previous`` names its
    manifest), they are not compared with it file by file (``outputkeys.held_by``).
    """
    recorded = _as_left(out, campaign)
    if recorded is None:
        return None
    source = None
    if zipped and _zip_holds(recorded):
        zip_path = out / f"{campaign}.zip"
        index = archive.read_zip_index(zip_path, campaign)
        if index is None or len(index) != len(previous):
            return None  # not a zip campaignsync wrote, or not that of the pack ``previous`` is
        source = LastZip(zip_path, index, previous, tables, False)
    elif zipped and recorded["zip"] is None:
        source = _aside(out, campaign, previous)
    changed, deletes, missing = _changes(files, members, previous, _steady(steady, previous))
    done, final = ({**members, **missing} if missing else members), out / campaign
    touched = frozenset(chain((rel for rel, _, _ in changed), deletes))  # every path changed
    if journal.blocked(final, touched):
        return None
    edits: Update = (changed, deletes, touched)
    if not touched and _zip_holds(recorded) and (source is not None or not zipped):
        return _result(out, campaign, len(files), previous, edits, tables, True)  # as it was
    if source is not None:
        zip_members, ran = merged(final, campaign, *_against(source, files, done, changed,
                                                              deletes), source)  # fmt: skip
    elif zipped:
        every = sorted(((f.path, f, done[f.path]) for f in files), key=itemgetter(0))
        zip_members, ran = _compressed(final, every)
    else:
        zip_members, ran = None, {}
    aside = not zipped and _set_aside(out, campaign, recorded, previous, (done, stamp), touched,
                                      tables)  # fmt: skip
    if not _commit(out, campaign, changed, deletes, zip_members, source, stamp, len(files), aside):
        return None
    if zipped:  # the zip set aside is done with (when not updated, written again in whole)
        asidezip.drop(out, campaign)
    return _result(out, campaign, len(files), previous, edits, ran, zipped)


def _zip_holds(recorded: Mapping[str, Any]) -> bool:
    """Return True when the pack has its zip, made by this zlib (it matches the folder)."""
    return recorded["zip"] is not None and recorded.get("zlib") == writer.ZLIB_VERSION


def _result(
    out: Path,
    campaign: str,
    count: int,
    previous: Mapping[str, str],
    edits: Update,
    ran: Mapping[str, runs.Table],
    zipped: bool,
) -> PackResult:
    """Return what an update wrote: its ``edits`` (see :data:`Update`) on the last pack.

    With nothing changed, a zip beside the pack stays, with or without ``--no-zip``: it
    still matches the folder.
    """
    changed, deletes, touched = edits
    made = dict(previous)
    made.update((rel, member.sha256) for rel, _, member in changed)
    for rel in deletes:
        del made[rel]
    digest, where = made.get("manifest.json", writer.NOTHING), out / f"{campaign}.zip"
    return PackResult(out / campaign, where if zipped else None, count, len(changed),
                      count - len(changed), digest, made, dict(ran),
                      (previous, touched))  # fmt: skip


@dataclass(frozen=True, slots=True)
class LastZip:
    """The zip an update copies members from: the pack's, or one set aside."""

    path: Path
    index: archive.ZipIndex
    #: The sha256 of each member by path ("": one that may not be the last pack's file).
    holds: Mapping[str, str]
    #: Its members deflated in runs.
    tables: Mapping[str, runs.Table]
    aside: bool


def _against(
    source: LastZip,
    files: list[Output | writer.PackFile],
    done: Mapping[str, writer.Member],
    changed: list[Changed],
    deletes: list[str],
) -> tuple[list[Changed], list[str]]:
    """Return the files changed since the zip ``source`` (sorted), and the paths it has alone.

    ``changed`` and ``deletes`` (since the last pack) for the last pack's zip; worked out
    for a zip set aside, which may lack a file taken by reference from the last pack.
    """
    if not source.aside:
        return changed, deletes
    return _changes(files, done, source.holds, strict=False)[:2]  # every file: none steady


def _aside(out: Path, campaign: str, previous: Mapping[str, str]) -> LastZip | None:
    """Return the zip set aside by builds without the zip since, if it holds for this pack."""
    found = asidezip.taken(out, campaign, previous.get("manifest.json", ""), writer.ZLIB_VERSION)
    index = archive.read_zip_index(found.path, campaign) if found is not None else None
    if found is None or index is None:
        return None
    holds = {rel: sha for rel, sha in previous.items() if rel not in found.changed}
    holds.update((rel, "") for rel in found.changed if rel in index)
    if len(index) != len(holds):
        return None
    return LastZip(found.path, index, holds, found.tables, True)


def _set_aside(
    out: Path,
    campaign: str,
    recorded: Mapping[str, Any],
    previous: Mapping[str, str],
    made: tuple[Mapping[str, writer.Member], tuple[int, int]],
    now: Collection[str],
    tables: Mapping[str, runs.Table],
) -> bool:
    """Record, before the commit, what the zip set aside lacks; return whether to set it aside.

    ``made`` holds the new pack's members and DOS time. A zip beside the pack is set aside
    (the journal moves it); one set aside already is noted as lacking this build's
    changes too.
    """
    members, stamp = made
    pack = (members["manifest.json"].sha256 if "manifest.json" in members else "", stamp)
    if recorded["zip"] is None:
        asidezip.extend(out, campaign, previous.get("manifest.json", ""), pack, now)
        return False
    if recorded.get("zlib") != writer.ZLIB_VERSION:
        return False
    return asidezip.start(out, campaign, pack, writer.ZLIB_VERSION, now, tables)


def _steady(steady: tuple[str, int], previous: Mapping[str, str]) -> int:
    """Return how many of the first files are known to be as the last pack has them."""
    held_by, count = steady
    return count if held_by and held_by == previous.get("manifest.json") else 0


def _changes(
    files: list[Output | writer.PackFile],
    members: Mapping[str, writer.Member],
    previous: Mapping[str, str],
    steady: int = 0,
    strict: bool = True,
) -> tuple[list[Changed], list[str], dict[str, writer.Member]]:
    """Return the files changed or added since the last pack (sorted), and the paths it had alone.

    With them, the members of the files ``members`` lacks, hashed now. One look-up a file
    but the ``steady`` first (as the last pack has them): its sha256 against the last
    pack's at its path. ``strict``: a file taken by reference from the last pack must be
    unchanged (else Stale).
    """
    was, member_of, lacking, changed = previous.get, members.get, [], []
    for f in islice(files, steady, None):  # each path read once: a property of outputs
        member = member_of(path := f.path)
        if member is None:
            lacking.append(f)
        elif was(path) != member.sha256:
            changed.append((path, f, member))
    missing = writer.digest_all(writer.PackFile(f.path, f.content) for f in lacking)
    changed += ((rel, f, m) for f in lacking if was(rel := f.path) != (m := missing[rel]).sha256)
    changed.sort(key=itemgetter(0))
    if strict and any(m.referenced for _, _, m in changed):  # taken by reference, yet changed
        raise writer.Stale(next(rel for rel, _, m in changed if m.referenced))
    added = sum(1 for rel, _, _ in changed if rel not in previous)
    same = len(previous) == len(files) - added  # every path of the last pack is still here
    return changed, [] if same else sorted(previous.keys() - {f.path for f in files}), missing


def last_hashes(out: Path, campaign: str, previous: Mapping[str, str] | None) -> Mapping[str, str]:
    """Return the sha256 by path of the pack in the output folder now (the write lock held).

    ``previous`` (read before the lock was taken, from what the last build kept) unless
    the pack's record names another manifest, or none (dropped when an interrupted
    update was finished since): a build that wrote meanwhile made them another pack's,
    and an update or a link made from them would mix the two packs. Then, or without
    them, they are read from the pack's manifest.
    """
    if previous is not None:
        recorded = state.recorded(out).get(campaign)
        made = recorded.get("sha256") if isinstance(recorded, dict) else None
        if made is not None and made == previous.get("manifest.json"):
            return previous
    return manifest.hashes(out / campaign)


def _as_left(out: Path, campaign: str) -> dict[str, Any] | None:
    """Return what the last build recorded of the pack, if the pack is as it left it.

    None when it is not (its manifest or zip touched since): a new pack is written.
    """
    recorded = state.recorded(out).get(campaign)
    zip_path = out / f"{campaign}.zip"
    try:
        if recorded is None or _stamp(out / campaign / "manifest.json") != recorded["manifest"]:
            return None
        had_zip = recorded["zip"] is not None
        if (_stamp(zip_path) if had_zip or zip_path.exists() else None) != recorded["zip"]:
            return None
    except (OSError, KeyError, TypeError):
        return None
    return dict(recorded)


def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def merged(
    final: Path,
    campaign: str,
    changed: list[Changed],
    deletes: list[str],
    source: LastZip,
) -> tuple[list[tuple[str, Any]], dict[str, runs.Table]]:
    """Return the changes to the zip ``source`` (compressed; None: removed) and the new runs.

    ``changed`` and ``deletes`` are the changes since that zip. A big file's runs unchanged
    since it (whose runs ``source.tables`` holds) are copied from it; the members
    deflated in runs that did not change are copied whole, their tables kept.
    """
    tables = source.tables
    old = runs.Previous(source.path, campaign, source.index, tables)
    try:
        members, ran = _compressed(final, changed, old)
        gone = {rel for rel, _, _ in changed}.union(deletes)
        kept = {rel: t for rel in tables if rel not in gone and (t := old.table(rel))}
    finally:
        old.close()
    changes: list[tuple[str, Any]] = [*members, *((rel, None) for rel in deletes)]
    changes.sort(key=itemgetter(0))
    return changes, {**kept, **ran}


def _compressed(
    final: Path, files: list[Changed], old: runs.Previous | None = None
) -> tuple[list[tuple[str, writer.Member]], dict[str, runs.Table]]:
    """Return the members of ``files`` compressed, and those deflated in runs."""
    refill = [(rel, f, m) for rel, f, m in files if m.data is None]
    hashed = {rel: m for rel, _, m in refill}
    done = writer.prepare_all((_content(final, *f) for f in refill), old, hashed)
    members = [(rel, done.get(rel, m)) for rel, _, m in files]
    return members, runs.tables(members)


def _content(
    final: Path, rel: str, file: Output | writer.PackFile, member: writer.Member
) -> writer.PackFile:
    """Return a file to compress; one taken by reference is read back from the pack."""
    if member.referenced:
        return writer.PackFile(rel, writer.read_back(final, rel, member))
    return file if isinstance(file, writer.PackFile) else writer.PackFile(rel, file.content)


def _commit(
    out: Path,
    campaign: str,
    changed: list[Changed],
    deletes: list[str],
    zip_members: list[tuple[str, Any]] | None,
    source: LastZip | None,
    stamp: tuple[int, int],
    count: int,
    aside: bool = False,
) -> bool:
    """Stage the changed files and the new zip, then commit and apply the journal.

    ``zip_members`` are the changes to the last zip (``source``), or every member (no
    source), or None when the pack has no zip any more (``aside``: the journal sets it
    aside rather than deleting it). Returns False, having changed nothing, when the last
    zip turns out not to hold the last pack's files.
    """
    staging = out / f".{campaign}.tmp-{os.getpid()}"
    archive_tmp = out / f".{campaign}.zip.tmp-{os.getpid()}"
    entry = {
        "staging": staging.name,
        "zip": archive_tmp.name if zip_members is not None else None,
        "renames": [rel for rel, _, _ in changed],
        "deletes": deletes,
        "aside": aside,
    }
    try:
        journal.stage(staging, changed)
        if zip_members is not None and source is not None:
            if not zip_updated(archive_tmp, campaign, source, zip_members, stamp, count):
                shutil.rmtree(staging, ignore_errors=True)
                return False
        elif zip_members is not None:
            archive.write_zip(archive_tmp, campaign, zip_members, stamp)
    except OverflowError as exc:
        raise BuildError(str(exc)) from None
    except BaseException:
        _unstaged(staging, archive_tmp)
        raise
    with journal.ctrl_c_held() as came:  # from the commit on, the pack is the new one
        try:
            journal.write_journal(out, campaign, entry)
        except BaseException:
            _unstaged(staging, archive_tmp)
            raise
        try:
            journal.apply(out, campaign, entry)
        except OSError as exc:
            raise BuildError(
                f"the pack update in {out} stopped halfway: {exc.strerror or exc}; "
                "the next build finishes it"
            ) from None
    if came:  # the new pack is in place, the old one still recorded: no build may take it so
        state.forget(out, campaign)
        raise InterruptedAfterWrite(out / campaign)
    return True


def _unstaged(staging: Path, archive_tmp: Path) -> None:
    """Remove what an update staged before its commit."""
    shutil.rmtree(staging, ignore_errors=True)
    archive_tmp.unlink(missing_ok=True)


def zip_updated(
    path: Path,
    campaign: str,
    source: LastZip,
    changes: list[tuple[str, Any]],
    stamp: tuple[int, int],
    count: int,
) -> bool:
    """Write at ``path`` the zip ``source`` with ``changes``; return whether it holds ``count``.

    When it does not, its members were not the files they were taken for: nothing is
    left at ``path``.
    """
    if archive.update_zip(path, campaign, source.index, source.path, changes, stamp) == count:
        return True
    path.unlink(missing_ok=True)
    return False
