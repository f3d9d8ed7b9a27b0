"""The zip a build without it set aside, for the next build with the zip to update.

A ``build --no-zip`` writes the folder alone: the pack's zip no longer matches it, so
it leaves the output folder. It is not deleted but moved into the cache
(``<out>/.campaignsync-cache/zips/<pack>.zip``, by the update's journal), with a
record: the sha256 of the manifest of the pack it now goes with and that pack's time,
the paths that may differ from its members, the zlib that made it, its size and time,
and its members deflated in runs. The manifest lists every file's sha256, so a pack
with that manifest differs from the zip in those paths alone, however it was built.
Each build without the zip adds its changes to the record before its journal commits.

The next build with the zip takes every other member from the zip set aside, as an
update takes them from the last zip (:mod:`campaignsync.pack.updating`), instead of
compressing 150,000 files again; when no input changed since, the zip is made from it
and the folder alone, nothing built (:func:`made_again`). A record that does not hold
(another manifest, another zlib, the zip touched, the record damaged) is a miss: the
zip is written whole.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignsync.pack import sealed
from campaignsync.pack.cache import FOLDER
from campaignsync.pack.runs import Table, valid
from campaignsync.pack.state import PackResult
from campaignsync.pack.state import recorded as recorded_packs

ZIPS = "zips"


@dataclass(frozen=True, slots=True)
class Aside:
    """A zip set aside, valid for the pack it was taken for."""

    path: Path
    #: The paths that may differ from the zip's members (changed, added or deleted since).
    changed: frozenset[str]
    #: Its members deflated in runs (checked against its records before use).
    tables: Mapping[str, Table]
    #: The DOS time and date of the pack it goes with (a zip of it has them on every member).
    stamp: tuple[int, int]


def zip_path(out: Path, campaign: str) -> Path:
    """Return where the zip of ``campaign`` is kept while set aside."""
    return out / FOLDER / ZIPS / f"{campaign}.zip"


def _record_path(out: Path, campaign: str) -> Path:
    return out / FOLDER / ZIPS / f"{campaign}.aside"


def _key(campaign: str) -> str:
    return f"zip set aside\0{campaign}"


def taken(out: Path, campaign: str, manifest: str, zlib: str) -> Aside | None:
    """Return the zip set aside for the pack whose manifest's sha256 is ``manifest``, if it holds.

    ``zlib`` is the version that would make the new members: another one's bytes differ.
    """
    path = zip_path(out, campaign)
    try:
        where = sealed.folder_id(path.parent)
        plain = sealed.read_sealed(_record_path(out, campaign), where, _key(campaign))
        kept_manifest, kept_zlib, stamp, when, changed, tables = plain
        if (kept_manifest, kept_zlib) != (manifest, zlib) or _stamp(path) != list(stamp):
            return None
        if not _paths(changed):
            return None
        runs, dos = valid(tables), (int(when[0]), int(when[1]))
    except (OSError, TypeError, ValueError, IndexError):  # not there, or not a record of this tool
        return None
    return Aside(path, frozenset(changed), runs or {}, dos)


def start(
    out: Path,
    campaign: str,
    pack: tuple[str, tuple[int, int]],
    zlib: str,
    changed: Iterable[str],
    tables: Mapping[str, Table],
) -> bool:
    """Record the pack's zip as set aside for ``pack``; return whether done.

    ``pack`` is the new pack's manifest sha256 and DOS time and date.
    Called before the journal that moves the zip commits: once it has, the zip goes with
    the new pack but for ``changed``. A record left by a build that then failed names a
    manifest no pack has: a miss.
    """
    live = out / f"{campaign}.zip"
    try:
        stamp = _stamp(live)
    except OSError:
        return False
    manifest, when = pack
    record = (manifest, zlib, stamp, list(when), sorted(set(changed)), dict(tables))
    return _write(out, campaign, record)


def extend(
    out: Path, campaign: str, last: str, pack: tuple[str, tuple[int, int]], changed: Iterable[str]
) -> bool:
    """Add a build's changes to the record of the zip set aside for the pack with ``last``.

    ``pack`` is the new pack's manifest sha256 and DOS time and date. Return False (the
    zip set aside is dropped) when there is none that holds for the last pack.
    """
    record = _record_path(out, campaign)
    try:
        where = sealed.folder_id(record.parent)
        plain = sealed.read_sealed(record, where, _key(campaign))
        kept_manifest, zlib, stamp, _, before, tables = plain
        if kept_manifest != last or not _paths(before):
            raise ValueError("set aside for another pack")
    except (OSError, TypeError, ValueError):
        drop(out, campaign)
        return False
    manifest, when = pack
    merged = sorted({*before, *changed})
    return _write(out, campaign, (manifest, zlib, stamp, list(when), merged, tables))


def leave(
    out: Path,
    campaign: str,
    last: Mapping[str, str],
    made: Iterable[tuple[str, Any]],
    stamp: tuple[int, int],
    zlib: str,
) -> None:
    """Set the zip aside as a build without it replaces the pack whole; else remove it.

    ``last`` is the sha256 by path of the pack replaced, ``made`` the new pack's members
    by path, ``stamp`` its DOS time and date. The zip is set aside when it is the one the
    last build recorded with that pack; a zip set aside for it already is noted as
    lacking this build's changes too. Before the folder changes, never after.
    """
    now = {rel: member.sha256 for rel, member in made}
    changed = sorted(rel for rel in now.keys() | last.keys() if now.get(rel) != last.get(rel))
    pack = (now.get("manifest.json", ""), stamp)
    live = out / f"{campaign}.zip"
    recorded = recorded_packs(out).get(campaign) or {}
    try:
        ours = last and recorded["sha256"] == last.get("manifest.json") and recorded["zlib"] == zlib
        if ours and recorded["zip"] is None:  # (a zip here since is not the one set aside)
            live.unlink(missing_ok=True)
            extend(out, campaign, last["manifest.json"], pack, changed)
            return
        held = ours and recorded["zip"] == _stamp(live)
        if held and start(out, campaign, pack, zlib, changed, {}):
            set_aside(out, campaign)
            return
    except (OSError, KeyError, TypeError):
        pass
    live.unlink(missing_ok=True)
    drop(out, campaign)  # (one set aside for another pack)


def _paths(plain: Any) -> bool:
    """Return True when a record's paths are as this tool writes them: a list of text."""
    return isinstance(plain, list) and all(isinstance(rel, str) for rel in plain)


def _write(out: Path, campaign: str, record: tuple[Any, ...]) -> bool:
    try:
        sealed.write_sealed(_record_path(out, campaign), _key(campaign), record)
    except OSError:
        drop(out, campaign)
        return False
    return True


def set_aside(out: Path, campaign: str) -> None:
    """Move the pack's zip where it is kept aside (a step of a journal; safe to repeat)."""
    live = out / f"{campaign}.zip"
    if not live.exists():
        return
    path = zip_path(out, campaign)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(live, path)
    except OSError:  # the cache on another disk, say: the zip is deleted, its record a miss
        live.unlink(missing_ok=True)


def drop(out: Path, campaign: str) -> None:
    """Remove the zip set aside and its record, if any (a zip written since replaces it)."""
    for path in (_record_path(out, campaign), zip_path(out, campaign)):
        with contextlib.suppress(OSError):
            path.unlink()


def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def made_again(out: Path, campaign: str) -> PackResult | None:
    """Make the zip of a pack from the zip set aside; None (nothing written) if it cannot be.

    For a pack whose folder is as its last build left it, no input changed since
    (``pipeline.nochange.zip_again``): the files that may differ from the zip's members
    are read from the folder (each checked against the sha256 its build kept) and
    compressed, the other members copied. Called under the write lock.
    """
    from campaignsync.pack import archive, kept, writer
    from campaignsync.pack.updating import Changed, LastZip, merged, zip_updated

    final, live = out / campaign, out / f"{campaign}.zip"
    cache_folder = out / FOLDER / campaign
    hashes = kept.pack_hashes(cache_folder, final)
    if hashes is None or live.exists():
        return None
    manifest = hashes.get("manifest.json", "")
    found = taken(out, campaign, manifest, writer.ZLIB_VERSION)
    index = archive.read_zip_index(found.path, campaign) if found is not None else None
    if found is None or index is None or index.stamp != found.stamp:
        return None
    try:
        files = [writer.PackFile(rel, (final / rel).read_bytes())
                 for rel in sorted(found.changed & hashes.keys())]  # fmt: skip
    except OSError:
        return None
    members = writer.digest_all(files)  # the big ones in threads
    if any(members[f.path].sha256 != hashes[f.path] for f in files):
        return None  # changed by hand since: a build makes it again
    changed: list[Changed] = [(f.path, f, members[f.path]) for f in files]
    gone = sorted(rel for rel in found.changed - hashes.keys() if rel in index)
    source = LastZip(found.path, index, {}, found.tables, True)  # its changes given here
    changes, ran = merged(final, campaign, changed, gone, source)
    temporary = out / f".{campaign}.zip.tmp-{os.getpid()}"
    try:
        if not zip_updated(temporary, campaign, source, changes, found.stamp, len(hashes)):
            return None
        os.replace(temporary, live)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # not kept: the next update deflates those runs again
        kept.keep_runs(cache_folder, manifest, ran)
    drop(out, campaign)
    return PackResult(final, live, len(hashes), 0, len(hashes), manifest, hashes, ran)
