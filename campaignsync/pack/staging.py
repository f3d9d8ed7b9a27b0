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

import contextlib
import errno
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import paths
from campaignsync.model import Output
from campaignsync.pack import shown, writer
from campaignsync.pack.bodies import OUTPUT_FIELDS
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.lazy import AsPlain, kept_value, slot_setters
from campaignsync.pack.spilledcards import Spilled, SpilledDrawn

if TYPE_CHECKING:
    from concurrent.futures import Future

    from campaignsync.l10n.catalog import Lookup
    from campaignsync.pack.cache import Cache


@dataclass(frozen=True, slots=True)
class Staging:
    """Where a new pack is written while it renders (the write lock is held meanwhile)."""

    #: The pack's folder until it is swapped in.
    folder: Path
    #: One spill file per process that renders: its members' compressed bytes, appended.
    spills: Path
    #: False for ``--no-zip``: files are hashed, not compressed.
    zipped: bool = True
    #: The pack it replaces, and the sha256 by path of its files (those of a file that
    #: is the same here are linked from there, not written: :func:`fill`).
    final: Path | None = None
    last: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    #: The spill files of cards the parent has open, by path (see :class:`SpilledDrawn`).
    opened: dict[str, Spilled] = field(default_factory=dict, compare=False)

    def adopt(self, drawn: Iterable[Drawn]) -> None:
        """Let the parent's reads of cards a worker spilled share one open file per spill file."""
        for card in drawn:
            if isinstance(card, SpilledDrawn) and card._cards.opened is None:
                card._cards.opened = self.opened

    def close(self) -> None:
        """Close the spill files of cards the parent opened."""
        for spilled in self.opened.values():
            with contextlib.suppress(OSError):  # the staging is removed after, all the same
                os.close(spilled.fd)
        self.opened.clear()


@contextmanager
def staged_pack(
    out: Path,
    campaign: str,
    reuse: bool,
    zipped: bool,
    wanted: bool = True,
    previous: Mapping[str, str] | None = None,
) -> Iterator[Staging | None]:
    """Hold the write lock and a staging folder, for a new pack written while it renders.

    Yields None (holding nothing) when not ``wanted``: a build that takes units from
    the render cache updates the pack in place, which is :func:`writer.write_pack`'s
    work alone. Over a previous pack (``reuse``), each file whose sha256 is the one it
    has there is linked from it, not written: ``previous`` is its sha256 by path as the
    last build kept it (read from its manifest when that pack is not the one recorded).
    """
    if not wanted:
        yield None
        return
    from campaignsync.pack import updating

    with writer.locked(out, campaign):
        folder = out / f".{campaign}.tmp-{os.getpid()}"
        spills = out / f".{campaign}.tmp-{os.getpid()}.spill"
        final = out / campaign
        last = updating.last_hashes(out, campaign, previous) if reuse and final.is_dir() else {}
        staging = Staging(folder, spills, zipped, final, last)
        try:
            folder.mkdir(mode=writer.DIR_MODE)
            spills.mkdir()
            yield staging
        finally:
            staging.close()
            # Once swapped in, the folder is the pack and no longer here.
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(spills, ignore_errors=True)


def spill(
    staging: Staging, compressed: Mapping[str, bytes], name: str = ""
) -> dict[str, tuple[str, int, int]]:
    """Append compressed bytes to this process's spill file; return where each went.

    Returns (spill file name, offset, length) by pack path. Only this process
    writes its spill file, so offsets are known without a lock. ``name`` is
    another spill file of this process's own (see :class:`Stager`).
    """
    name = name or f"{os.getpid()}.spill"
    where: dict[str, tuple[str, int, int]] = {}
    with (staging.spills / name).open("ab") as handle:
        at = handle.tell()
        for rel, data in compressed.items():
            handle.write(data)
            where[rel] = (name, at, len(data))
            at += len(data)
    return where


def stripped(staging: Staging, outputs: list[Output]) -> list[Output]:
    """Return outputs without their fields and links, nor their bytes but those still read.

    The scheduler CSVs read the posts' text (kept). An HTML email stays readable from
    the staging folder (a :class:`StagedOutput`), though its gallery copy is made where
    it was rendered, as are the outputs' rows, cards, findings and long texts' counts.
    """
    from campaignsync.channels import post_channels

    posts = set(post_channels())
    folder = f"{staging.folder}{os.sep}"
    bare: dict[str, Any] = {"fields": (), "links": ()}
    return [
        replace(o, **bare)
        if o.channel in posts and o.path.endswith(".txt")
        else _staged_output(tuple(bare.get(n, getattr(o, n)) for n in OUTPUT_FIELDS), folder)
        if shown.has_copy(o)
        else replace(o, content=b"", **bare)
        for o in outputs
    ]


class StagedOutput(AsPlain, Output):
    """An output written into the staging folder, its bytes read back from there when asked for.

    ``dataclasses.replace`` and pickling give a plain :class:`Output` (with the bytes).
    """

    __slots__ = ("_folder",)
    _base = Output
    _folder: str

    @property  # a field of Output, read here from the staging folder
    def content(self) -> bytes:
        with open(self._folder + self.path, "rb") as handle:
            return handle.read()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _staged_output, (tuple(getattr(self, name) for name in OUTPUT_FIELDS), self._folder)


_KEPT_SETTERS = slot_setters(StagedOutput, Output, (*OUTPUT_FIELDS, "_folder"))


def _staged_output(held: tuple[Any, ...], folder: str) -> Output:
    return kept_value(StagedOutput, _KEPT_SETTERS, (*held, folder))  # type: ignore[no-any-return]


def fill(
    staging: Path,
    final: Path,
    files: list[tuple[str, bytes]],
    prepared: list[tuple[str, writer.Member]],
    previous: Mapping[str, str],
    done: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """Write a new pack's files into ``staging``, linking the unchanged ones from ``final``.

    The files in ``done`` are there already (written while rendering, or linked from
    ``final`` if ``previous`` names their sha256). Returns (written, linked or unchanged).
    """
    same = sum(1 for rel, m in prepared if rel in done and previous.get(rel) == m.sha256)
    written, reused = len(done) - same, same
    # Plain strings, not Path objects, in this loop: it runs once per file of the pack.
    new_root, old_root = f"{staging}{os.sep}", f"{final}{os.sep}"
    made: set[str] = set()
    clear = paths.clear_way(final)  # (a link put into the last pack: nothing linked through it)
    for (rel, data), (_, member) in zip(files, prepared, strict=True):
        if rel in done:
            continue
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            os.makedirs(new_root + folder, mode=writer.DIR_MODE, exist_ok=True)  # noqa: PTH103
            made.add(folder)
        target = new_root + rel
        linked = previous.get(rel) == member.sha256 and clear(folder)
        if linked and link_or_false(old_root + rel, target):
            reused += 1
            continue
        paths.write_new(target, data)
        written += 1
    return written, reused


def recover(out: Path, campaign: str) -> None:
    """Finish a committed in-place update, or undo what an interrupted build left.

    The pack such an update leaves was never recorded (the build stopped first): the
    record of the pack before it is dropped, so that no build takes it for that one.
    """
    from campaignsync.pack import journal, state

    if journal.recover(out, campaign):
        state.forget(out, campaign)
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
    """Hard-link ``source`` to ``target``; return False when that cannot be done here.

    As when ``source`` is not there, or a file stands where one of its folders should
    (put into the last pack by hand): the file is then written afresh.
    """
    try:
        if os.path.islink(source):  # noqa: PTH114 - a str path in a per-file loop
            return False
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.EXDEV, errno.EPERM, errno.EMLINK,
                             errno.ENOTSUP):  # fmt: skip
            raise
        return False
    return True


def fix_dir_modes(folder: Path) -> None:
    """Give every folder under ``folder`` the pack's mode (mkdir's is filtered by the umask)."""
    for dirpath, _dirs, _files in os.walk(folder):
        os.chmod(dirpath, writer.DIR_MODE)


def put(
    staging: Staging, files: list[tuple[str, bytes]], name: str = "", threads: int = 1
) -> dict[str, writer.Member]:
    """Write files into the staging folder and spill their compressed bytes; return their members.

    The members hold where their bytes went, not the bytes. A big file is deflated
    in runs, as :func:`campaignsync.pack.writer.prepare` does for its path (in up to
    ``threads`` threads).
    """
    if staging.zipped:
        prepared = [(rel, writer.prepare(data, rel, threads=threads)) for rel, data in files]
    else:
        prepared = [(rel, writer.digest(data)) for rel, data in files]
    fill(staging.folder, staging.final or staging.folder, files, prepared, staging.last)
    if not staging.zipped:
        return dict(prepared)
    where = spill(staging, {rel: m.data or b"" for rel, m in prepared}, name)
    return {rel: replace(m, data=None, spilled=where[rel]) for rel, m in prepared}


class InThreads:
    """Whole-pack files handed to threads as they are made (zlib and hashlib let go of the GIL).

    The next file is made while the threads write and hash the last ones; at most
    :attr:`AHEAD` files' bytes wait for them. :meth:`finish` gives every file's member.
    """

    #: Files handed to the threads and not yet done: the most held at once.
    AHEAD = 4

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.members: dict[str, writer.Member] = {}
        #: As many as there are processors: they deflate, and zlib lets go of the GIL.
        self.threads = os.cpu_count() or 1
        self._pool = ThreadPoolExecutor(max_workers=self.threads)
        self._pending: list[Future[dict[str, writer.Member]]] = []

    def _hand(self, work: Callable[..., dict[str, writer.Member]], *args: Any) -> None:
        """Hand ``work(*args)`` to a thread, once fewer than :attr:`AHEAD` files wait."""
        self._pending.append(self._pool.submit(work, *args))
        if len(self._pending) >= self.AHEAD:
            self.members.update(self._pending.pop(0).result())

    def finish(self) -> dict[str, writer.Member]:
        """Wait for every file handed over; return the members of all, by path."""
        try:
            for pending in self._pending:
                self.members.update(pending.result())
        finally:
            self._pending.clear()
            self._pool.shutdown(cancel_futures=True)
        return self.members


class Stager(InThreads):
    """The parent's files of a new pack (gallery, CSVs, manifest) staged as they are made.

    Each file is written into the staging folder and deflated in a thread while the
    next is made, then its bytes are dropped: a clean build never holds all of a big
    pack's pages (hundreds of MB) at once.
    """

    def __init__(self, staging: Staging) -> None:
        super().__init__()
        self.staging = staging
        #: The files a worker staged that are not yet given (:meth:`expect`), their members.
        self.ahead: dict[str, writer.Member] = {}

    def expect(self, staged: Mapping[str, writer.Member]) -> None:
        """Note the files the workers staged already, with their members.

        :meth:`add` takes each given empty (made by a worker), or stages the bytes given
        in its place (made again); :meth:`finish` removes those never given (their spilled
        bytes are left unused).
        """
        self.ahead = dict(staged)

    def add(self, rel: str, data: bytes) -> writer.PackFile:
        """Stage one file; return it without its bytes (not kept once it is written)."""
        member = self.ahead.pop(rel, None)
        if member is not None and not data:  # as a worker staged it
            self.members[rel] = member
            return writer.PackFile(rel, b"")
        if member is not None:
            (self.staging.folder / rel).unlink(missing_ok=True)
        self._hand(self._put, rel, data)
        return writer.PackFile(rel, b"")

    def _put(self, rel: str, data: bytes) -> dict[str, writer.Member]:
        # A spill file per thread: only its thread appends to it, so no lock is needed.
        return put(self.staging, [(rel, data)], f"{os.getpid()}-{threading.get_ident()}.spill")

    def finish(self) -> dict[str, writer.Member]:
        """Wait for every file handed over; remove those a worker staged that were not given."""
        for rel in sorted(self.ahead):
            (self.staging.folder / rel).unlink(missing_ok=True)
        self.ahead.clear()
        return super().finish()

    def last(self, rel: str, parts: writer.Parts) -> tuple[writer.PackFile, writer.Member]:
        """Stage a file now (the last one: the manifest); return it without bytes, its member.

        Every other file is done by then (:meth:`finish`): its runs get the threads.
        """
        data = writer.joined(parts)
        self.members.update(put(self.staging, [(rel, data)], threads=self.threads))
        return writer.PackFile(rel, b""), self.members[rel]


def keep(
    cache: Cache | None,
    lookups: Mapping[str, Lookup],
    units: list[tuple[str, str, list[Output], tuple[Any, ...]]],
    members: Mapping[str, writer.Member],
    rows: dict[str, str],
    drawn: list[Drawn] | None,
    found: dict[str, Any],
) -> None:
    """Write the render cache's shards of whole messages' units (locale, message id, outputs, log).

    Whoever rendered them writes them, and what the message checks ``found`` in them
    (``rechecking.Keeper``), so a clean build's parent never holds their bytes or findings.
    A check's renderers write theirs too (``workers._checked_here``): no cards drawn
    (``drawn`` None, so a build draws and keeps them), their findings kept by the parent.
    """
    if cache is None:
        return
    from campaignsync.pack import cache as unitcache

    shards = replace(cache, units={}, dirty=set(), drawn={}, found=dict(found), partial={},
                     unnamed=set())  # fmt: skip
    for locale_tag, message_id, made, log in units:
        unitcache.store(shards, message_id, locale_tag, made, members, log, lookups, rows)
    if drawn is not None:  # (a unit's cards, even none, are then kept as drawn)
        unitcache.keep_drawn(shards, {d.path: d for d in drawn})
    unitcache.save_cache(shards)
    unitcache.let_go(shards)  # the units a renderer saves are its own: none taken from them
