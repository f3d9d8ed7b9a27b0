"""Stage 4: outputs to files, manifest and zip, swapped into place only when complete.

This is the only module that writes a pack.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync import paths
from campaignsync.errors import BuildError
from campaignsync.model import Output, by_position
from campaignsync.pack import runs as deflated_runs
from campaignsync.pack import writelock
from campaignsync.pack.archive import dos_stamp
from campaignsync.pack.state import PackResult

if TYPE_CHECKING:
    from campaignsync.pack.runs import Previous, Table
    from campaignsync.pack.staging import Staging

#: The sha256 of no bytes: a pack's digest when it has no manifest.
NOTHING = hashlib.sha256(b"").hexdigest()
DIR_MODE = 0o755


@dataclass(frozen=True, slots=True)
class PackFile:
    """One file of a pack that is not a channel output (manifest, calendar, gallery...)."""

    path: str
    content: bytes

    @property
    def size(self) -> int:
        """Return the file's length (a file set aside reads no bytes for it: pack.spilled)."""
        return len(self.content)

    def create_at(self, path: str) -> None:
        """Create the file at ``path``, which must not exist (a file set aside links its own)."""
        paths.write_new(path, self.content)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the pack's input came from."""

    commit: str | None
    dirty: bool
    note: str = ""


def write_pack(
    out: Path,
    campaign: str,
    outputs: list[Output],
    extras: list[PackFile],
    epoch: int,
    members: Mapping[str, Member] | None = None,
    reuse: bool = True,
    zipped: bool = True,
    staged: Staging | None = None,
    previous: Mapping[str, str] | None = None,
    tables: Mapping[str, Table] | None = None,
    written: frozenset[str] = frozenset(),
    then: Callable[[PackResult], None] | None = None,
    steady: tuple[str, int] = ("", 0),
) -> PackResult:
    """Write the pack folder and zip next to each other, atomically replacing the old ones.

    ``members`` holds the outputs already hashed and compressed (by the render workers);
    anything missing from it is prepared here. Unchanged files are hard-linked from the
    previous pack instead of being written again (``reuse=False`` writes every file
    afresh). An interrupted build leaves the previous pack as it was. ``zipped=False``
    writes the folder alone; the zip leaves first (an update sets it aside: ``asidezip``),
    never beside a folder it does not match. With ``staged`` (from :func:`.staging.staged_pack`,
    whose lock is held), the outputs and the extras ``written`` (their contents empty)
    are already in its folder (or linked from the last pack's, as ``staged.last`` says),
    their compressed bytes in its spill files; without the zip, the last one is set aside
    (``asidezip.leave``). Without ``staged``, ``previous`` is
    the last pack's sha256 by path when known (else read from its manifest), ``tables``
    its zip's members deflated in runs, whose unchanged runs an update copies. ``then``
    is given the pack written, the lock still held (to record the build). ``steady``:
    see :func:`campaignsync.pack.updating.update`.
    """
    check_place(out, campaign)
    done = frozenset(o.path for o in outputs) | written if staged else frozenset()
    with nullcontext() if staged else locked(out, campaign):  # staged: held already
        result = _write_locked(out, campaign, [*outputs, *extras], epoch, members or {},
                               reuse and staged is None, zipped, staged, done, previous,
                               tables or {}, steady)  # fmt: skip
        if then is not None:
            with suppress(OSError):  # the pack is in place: unrecorded, it is built again
                then(result)
        return result


def check_place(out: Path, campaign: str) -> None:
    """Raise BuildError when the pack's folder or zip (replaced whole) is something else."""
    for path, kind in ((out / campaign, "folder"), (out / f"{campaign}.zip", "zip")):
        if path.is_symlink():
            what = "a symbolic link"
        elif not path.exists() or (path.is_dir() if kind == "folder" else path.is_file()):
            continue
        else:
            what = "a folder" if path.is_dir() else "a file" if path.is_file() else "not a file"
        raise BuildError(
            f"{path} is {what}, not the campaign pack's {kind}: a build writes it whole; "
            "move it away or choose another --out (nothing was written)"
        )


@contextmanager
def locked(out: Path, campaign: str) -> Iterator[None]:
    """Hold the output folder's write lock, after finishing what an interrupted build left."""
    from campaignsync.pack import staging as staging_files

    with writelock.locked(out):
        try:
            staging_files.recover(out, campaign)
            yield
        except OSError as exc:
            raise BuildError(
                f"cannot write the pack in {out}: {exc.strerror or exc}; "
                "the previous pack is unchanged"
            ) from None


def _write_locked(
    out: Path,
    campaign: str,
    files: list[Output | PackFile],
    epoch: int,
    members: Mapping[str, Member],
    reuse: bool,
    zipped: bool,
    staged: Staging | None = None,
    done: frozenset[str] = frozenset(),
    previous: Mapping[str, str] | None = None,
    tables: Mapping[str, Table] | None = None,
    steady: tuple[str, int] = ("", 0),
) -> PackResult:
    from campaignsync.pack import asidezip, updating
    from campaignsync.pack import staging as staging_files

    final = out / campaign
    staging = staged.folder if staged else out / f".{campaign}.tmp-{os.getpid()}"
    aside = out / f".{campaign}.old-{os.getpid()}"
    archive, archive_tmp = out / f"{campaign}.zip", out / f".{campaign}.zip.tmp-{os.getpid()}"
    last = updating.last_hashes(out, campaign, previous) if reuse else staged.last if staged else {}
    if reuse and last:
        updated = updating.update(out, campaign, files, members, dos_stamp(epoch), last,
                                  zipped, tables or {}, steady)  # fmt: skip
        if updated is not None:
            return updated
    pairs = _in_order(final, files, members, done)  # read before anything changes (but done)
    ready = prepare_all if zipped else digest_all  # without the zip, its hash alone
    fresh = ready(PackFile(rel, data) for rel, data in pairs if _missing(members.get(rel), zipped))
    prepared = [(rel, fresh.get(rel) or members[rel]) for rel, _ in pairs]
    swapped = False
    try:
        if staged is None:
            staging.mkdir(mode=DIR_MODE)
        written, reused = staging_files.fill(staging, final, pairs, prepared, last, done)
        staging_files.fix_dir_modes(staging)
        if zipped:
            _write_zip(archive_tmp, campaign, prepared, epoch, staged)
        else:
            asidezip.leave(out, campaign, last, prepared, dos_stamp(epoch), ZLIB_VERSION)
        if final.exists():
            final.rename(aside)
        staging.rename(final)
        swapped = True
        if zipped:
            os.replace(archive_tmp, archive)
    except BaseException:
        # Whatever stage failed, the previous pack goes back in place.
        shutil.rmtree(final if swapped else staging, ignore_errors=True)
        archive_tmp.unlink(missing_ok=True)
        if aside.exists() and not final.exists():
            aside.rename(final)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    if zipped:  # a zip set aside goes with the last pack, not this one
        asidezip.drop(out, campaign)
    made, ran = {r: m.sha256 for r, m in prepared}, deflated_runs.tables(prepared) if zipped else {}
    return PackResult(final, archive if zipped else None, len(files), written, reused,
                      made.get("manifest.json", NOTHING), made, ran)  # fmt: skip


def _in_order(
    final: Path, made: list[Output | PackFile], members: Mapping[str, Member], done: frozenset[str]
) -> list[tuple[str, bytes]]:
    """Return the files' paths and bytes by path, with the bytes of those taken by reference.

    A new pack needs them: they are read back from the last pack (and checked). Those
    ``done`` (written already) come with no bytes: theirs are not read back.
    """
    files = [(f.path, b"" if f.path in done else f.content) for f in made]
    files.sort(key=itemgetter(0))
    taken = {rel: m for rel, m in members.items() if m.referenced}
    if not taken:
        return files
    back = {rel: read_back(final, rel, m) for rel, m in taken.items()}
    return [(rel, back.get(rel, data)) for rel, data in files]


def _missing(member: Member | None, zipped: bool) -> bool:
    """Return True when a file must be hashed (and, for the zip, compressed) here."""
    return member is None or (zipped and member.data is None and member.spilled is None)


#: The zlib that compresses members and where big ones are cut into runs: another zlib, or
#: other cuts, may give other bytes, so the render cache is keyed on it and a zip made
#: otherwise is not copied from.
ZLIB_VERSION = f"{zlib.ZLIB_RUNTIME_VERSION} {deflated_runs.SCHEME}"
#: Deflate level of zip members; 6 is zlib's default balance of size and speed.
_LEVEL = 6
_UTF8_NAMES = 0x0800


@dataclass(frozen=True, slots=True)
class Member:
    """A file hashed and compressed for the pack: workers make these, the parent assembles."""

    __reduce__ = by_position  # 143,000 come back from the workers of a clean build

    sha256: str
    crc: int
    size: int
    method: int
    #: None for an output taken from the render cache: its bytes are copied from the
    #: previous zip, or compressed again when that cannot be done.
    data: bytes | None
    #: Where the compressed bytes are instead, when a clean build's renderer spilled them:
    #: (spill file, offset, length) (see :mod:`campaignsync.pack.staging`).
    spilled: tuple[str, int, int] | None = None
    #: Each run's sha256, deflated length, length and markers, for a big file deflated in runs.
    runs: deflated_runs.Runs | None = None
    #: True for a whole-pack file taken from the last pack by reference
    #: (:meth:`campaignsync.pack.kept.Kept.take`): its content is not held, its bytes are
    #: the last pack's file at its path, copied from the last zip or read back (checked).
    referenced: bool = False


class Stale(Exception):
    """A file taken by reference is not in the last pack as it was made: make it again."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} is not as the last build wrote it")
        self.path = path


def read_back(final: Path, rel: str, member: Member) -> bytes:
    """Return the bytes of a file taken by reference, from the pack folder ``final``.

    Raises :class:`Stale` when they are not the bytes it was taken with (changed or
    removed by hand): the build then makes the file again.
    """
    try:
        data = (final / rel).read_bytes()
    except OSError:
        raise Stale(rel) from None
    if len(data) != member.size or hashlib.sha256(data).hexdigest() != member.sha256:
        raise Stale(rel)
    return data


def prepare(
    content: bytes,
    rel: str = "",
    old: Previous | None = None,
    hashed: Member | None = None,
    threads: int = 1,
) -> Member:
    """Return ``content`` hashed and deflated as zip stores it (stored when that is smaller).

    A big file at ``rel`` is deflated in runs (in up to ``threads`` threads), the unchanged
    ones copied from ``old``. ``hashed`` is :func:`digest` of the content, if made already.
    """
    digest = hashed.sha256 if hashed else hashlib.sha256(content).hexdigest()
    data, made = deflated_runs.deflate(rel, content, _LEVEL, old, threads)
    crc = hashed.crc if hashed else zlib.crc32(content)
    if len(data) >= len(content):
        return Member(digest, crc, len(content), zipfile.ZIP_STORED, content)
    return Member(digest, crc, len(content), zipfile.ZIP_DEFLATED, data, runs=made)


#: The method of a member only hashed so far: compressed when written, unless its bytes
#: are copied from the previous zip (whatever method they were stored with there).
UNDECIDED = -1


def digest(content: bytes) -> Member:
    """Return ``content`` hashed but not compressed: the writer compresses it only if it must.

    Most of a pack's whole-pack files (gallery pages, email copies, images) are the
    same after an edit; their bytes are then copied from the previous zip. A big file's
    CRC is taken in a thread while it is hashed (both let go of the GIL): the manifest
    is 61 MB at 500 messages x 26 locales.
    """
    if len(content) < _SPLIT:
        return Member(hashlib.sha256(content).hexdigest(), zlib.crc32(content), len(content),
                      UNDECIDED, None)  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(zlib.crc32, content)
        sha256 = hashlib.sha256(content).hexdigest()
        return Member(sha256, later.result(), len(content), UNDECIDED, None)


_SPLIT = 4 * 1024 * 1024  # the size from which the CRC is taken in a thread

#: A file's bytes as the parts they join into, not joined: the manifest after an edit is
#: the last one's bytes with the changed rows put in (see ``pack.manifestrows``).
Parts = tuple[bytes | memoryview, ...]


def joined(parts: Parts) -> bytes:
    """Return the bytes of ``parts`` (a file in one part: that part, not copied)."""
    return parts[0] if len(parts) == 1 and isinstance(parts[0], bytes) else b"".join(parts)


def digest_parts(parts: Parts) -> Member:
    """Return :func:`digest` of the bytes ``parts`` join into, without joining them."""
    if len(parts) == 1 and isinstance(parts[0], bytes):
        return digest(parts[0])
    sha256, crc, size = hashlib.sha256(), 0, 0
    for part in parts:
        sha256.update(part)
        crc = zlib.crc32(part, crc)
        size += len(part)
    return Member(sha256.hexdigest(), crc, size, UNDECIDED, None)


def digest_all(files: Iterable[PackFile]) -> dict[str, Member]:
    """Return :func:`digest` of each file, by path, the big ones in threads."""
    return _each(lambda f: digest(f.content), files)


def prepare_all(
    files: Iterable[PackFile],
    old: Previous | None = None,
    hashed: Mapping[str, Member] | None = None,
) -> dict[str, Member]:
    """Return :func:`prepare` of each file, by path, the big ones in threads.

    zlib and hashlib release the GIL, so the few large files of a pack (the
    manifest, the gallery pages, images) are hashed and compressed in parallel.
    ``hashed`` holds files hashed already (by :func:`digest`), by path.
    """
    return _each(lambda f: prepare(f.content, f.path, old, (hashed or {}).get(f.path)), files)


#: Files at least this big are hashed (and compressed) in threads; a smaller one costs
#: less than handing it to a thread (thousands of email copies in a big pack's gallery).
_THREADED = 1 << 16
_SIZE = attrgetter("size")


def _each(work: Callable[[PackFile], Member], files: Iterable[PackFile]) -> dict[str, Member]:
    chosen = list(files)
    if len(big := [f for f in chosen if f.size >= _THREADED]) < 2:
        return {f.path: work(f) for f in chosen}
    first = sorted(big, key=_SIZE, reverse=True)  # the manifest, made last, not started last
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        later = pool.map(work, first)
        found = {f.path: work(f) for f in chosen if f.size < _THREADED}
        done = dict(zip((f.path for f in first), later, strict=True))
        found.update((f.path, done[f.path]) for f in big)  # in the order given, as before
        return found


def _write_zip(
    path: Path,
    campaign: str,
    members: list[tuple[str, Member]],
    epoch: int,
    staged: Staging | None = None,
) -> None:
    """Write a new zip of already compressed members (see :mod:`campaignsync.pack.archive`)."""
    from campaignsync.pack import archive

    spills = staged.spills if staged is not None else None
    try:
        archive.write_zip(path, campaign, members, dos_stamp(epoch), spills=spills)
    except OverflowError as exc:
        raise BuildError(str(exc)) from None
