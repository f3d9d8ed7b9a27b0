"""Big pack files deflated in runs, so that an update deflates again only the runs that changed.

A zip member is one deflate stream, but the stream may be made of runs, each
deflated on its own with the end of the run before it as its dictionary and
flushed to a byte boundary; joined and closed by an empty last block, they are
one stream that any unzip reads. A pack file of :data:`SMALLEST` bytes or more
whose kind has a marker (the CSVs' rows, the gallery's message sections, the
manifest's lines) is cut before a marker where a hash of the bytes that follow
says so, at least a quarter of its kind's spacing after the last cut: the cuts
move with the content, not with offsets. After an edit, the runs around the edited part are
the same bytes after the same dictionaries, and their deflated bytes are copied
from the previous zip, found by the table of runs the last build kept
(``pack.runs``, see :mod:`campaignsync.pack.kept`). A clean build deflates the
same runs the same way: the zip is the same bytes either way.
"""

from __future__ import annotations

import hashlib
import math
import os
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from campaignsync.pack.archive import ZipIndex

#: Files smaller than this are deflated whole. A locale page of the gallery holds 50
#: messages' sections (``localepages.PAGE``), about 740 KB at 26 locales x 8 channels: each
#: edit rewrites one page a locale, which deflated whole took 11 ms and in runs 3.6 ms.
SMALLEST = 1 << 19
#: Where a file may be cut, by its kind, and about how far apart its cuts are: before a CSV
#: row, before a message's section of a gallery page, before a line of the manifest. An
#: edited message has rows all over the manifest (in every folder of it), so its runs are
#: short: a few hundred changed rows then deflate a few MB again, not most of the file.
KINDS = {".csv": (b"\r\n", 1 << 17), ".html": (b"\n<section ", 1 << 17), ".json": (b"\n", 1 << 14)}
#: The most of the run before that deflate can refer to (its window).
WINDOW = 1 << 15
#: Runs to deflate of fewer bytes than this in all are deflated in one thread, however
#: many a caller offers (handing them over would cost more than it saves).
SHARED = 1 << 21
#: How big files are cut, as the state of a pack records it (``writer.ZLIB_VERSION``): a zip
#: cut otherwise is not copied from.
SCHEME = f"runs 2 {SMALLEST} {WINDOW} {sorted(KINDS.items())}"
#: An empty last block (fixed Huffman codes): the end of a stream of flushed runs.
_END = b"\x03\x00"

#: Each run's sha256, deflated length, length and how many markers it holds, in order.
Runs = tuple[tuple[str, int, int, int], ...]
#: A member deflated in runs, as the last build wrote it: crc, deflated size, runs.
Table = tuple[int, int, Runs]
#: Where a file's runs start (then its length), how many markers each holds, and the
#: sha256 of those known unchanged, by (start, end).
Plan = tuple[list[int], list[int], dict[tuple[int, int], str]]


def cuts(rel: str, content: bytes) -> list[int]:
    """Return where a file's runs start, and its length (one run: ``[0, len]``).

    A file is cut before a marker when the crc of what follows it, up to the next
    marker, says so (about one marker in every spacing's worth of bytes), and never
    less than a quarter of the spacing after the last cut: the cuts move with the
    content, not with offsets.
    """
    return _cut(rel, content)[0]


def _cut(rel: str, content: bytes, last: Runs = ()) -> Plan:
    """Return :func:`cuts`, how many markers each run holds, and the sha256 of runs known.

    ``last`` are the runs of the file this one replaces: where a cut is where one of
    them starts and the same bytes follow, the cuts up to its end are its own (see
    :class:`_Hops`), so only the bytes that changed are scanned. Their mask is assumed
    (the markers are counted while cutting): when the count gives another, the file is
    cut again without them.
    """
    kind = _kind(rel, len(content))
    if kind is None:
        return [0, len(content)], [0], {}
    marker, spacing = kind
    size = len(content)
    if last:
        mask = _mask(spacing, sum(r[3] for r in last), sum(r[2] for r in last))
        hops = _Hops(content, marker, last)
        found, counts = _scan(content, marker, mask, spacing // 4, hops)
        if mask == _mask(spacing, sum(counts), size):
            return found, counts, hops.known
    count = content.count(marker)
    if not count:
        return [0, size], [0], {}
    return (*_scan(content, marker, _mask(spacing, count, size), spacing // 4), {})


def _kind(rel: str, size: int) -> tuple[bytes, int] | None:
    """Return a file's marker and spacing, if it is big enough and of a kind to be cut."""
    if size < SMALLEST:
        return None
    return KINDS.get(rel[rel.rfind(".") :] if "." in rel else "")


def _mask(spacing: int, count: int, size: int) -> int:
    """Return the mask a marker's crc must clear to cut: about one cut every ``spacing``."""
    return (1 << max(0, round(math.log2(spacing * count / size)))) - 1 if count else 0


def _scan(
    content: bytes, marker: bytes, mask: int, least: int, hops: _Hops | None = None
) -> tuple[list[int], list[int]]:
    """Return where :func:`cuts` cuts ``content`` with ``mask``, and each run's markers.

    Where ``hops`` knows the run a cut starts, its markers are not looked at: the next
    one to decide is at its end.
    """
    size, step, view, crc = len(content), len(marker), memoryview(content), zlib.crc32
    find, last, held, found, counts = content.find, 0, 0, [0], [0]
    at = find(marker)
    if hops is not None and (end := hops.run(0)) > 0:
        held, at = hops.markers, end if end < size else -1
    while at >= 0:
        after = find(marker, at + step)
        if at >= last + least and not crc(view[at + step : after if after >= 0 else size]) & mask:
            counts[-1], held, last = held, 0, at
            found.append(at)
            counts.append(0)
            if hops is not None and (end := hops.run(at)) > at:
                held, at = hops.markers, end if end < size else -1
                continue
        held += 1
        at = after
    found.append(size)
    counts[-1] = held
    return found, counts


class _Hops:
    """The runs of the file a new one replaces, found again in it where a cut starts one.

    A run of the last file found at a cut (the same sha256 from there, and a marker or
    the end right after it) is cut as it was: the markers in it are decided on the same
    bytes after the same last cut. Its place is looked for where the last run found
    puts it, else at the nearest runs' starts; a few misses a run, then no more.
    """

    def __init__(self, content: bytes, marker: bytes, last: Runs) -> None:
        self.content, self.marker, self.last = content, marker, last
        self.view = memoryview(content)
        self.starts = [0, *accumulate(r[2] for r in last)]
        self.index = {start: i for i, start in enumerate(self.starts[:-1])}
        self.shift = 0
        self.misses = 8 + len(last) // 4
        self.known: dict[tuple[int, int], str] = {}
        #: The markers of the last run found.
        self.markers = 0

    def run(self, at: int) -> int:
        """Return where the run of the last file starting at ``at`` ends (-1: none found)."""
        if self.misses <= 0:
            return -1
        found = self.index.get(at - self.shift)
        if found is not None and (end := self._match(at, found)) > 0:
            return end
        near = bisect_left(self.starts, at - self.shift, 0, len(self.last))
        for i in (near - 1, near):
            if 0 <= i < len(self.last) and i != found and (end := self._match(at, i)) > 0:
                return end
        return -1

    def _match(self, at: int, i: int) -> int:
        sha, _, length, markers = self.last[i]
        end = at + length
        if (i == 0) != (at == 0) or end > len(self.content):
            return -1
        if end < len(self.content) and not self.content.startswith(self.marker, end):
            return -1
        if hashlib.sha256(self.view[at:end]).hexdigest() != sha:
            self.misses -= 1
            return -1
        self.shift, self.markers = at - self.starts[i], markers
        self.known[(at, end)] = sha
        return end


def deflate(
    rel: str, content: bytes, level: int, old: Previous | None, threads: int = 1
) -> tuple[bytes, Runs | None]:
    """Return a file deflated as a zip member, and its runs (None: deflated whole, one run).

    A big file is deflated in runs, those ``old`` has unchanged copied from it; where
    ``old`` has the file's last runs, only the bytes that changed are cut again. The runs
    to deflate are shared among up to ``threads`` threads (see :func:`_deflated_runs`).
    """
    table = old.table(rel) if old is not None else None
    at, counts, known = _cut(rel, content, table[2] if table is not None else ())
    if len(at) < 3:
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return packer.compress(content) + packer.flush(), None
    view = memoryview(content)
    where = old.runs_of(rel) if old is not None else {}
    parts: list[bytes] = []  # a run still to deflate holds b"" until it is
    runs: list[tuple[str, int, int, int]] = []
    todo: list[_ToDeflate] = []
    before = ""
    for i in range(len(at) - 1):
        start, end = at[i], at[i + 1]
        sha = known.get((start, end)) or hashlib.sha256(view[start:end]).hexdigest()
        found = where.get((before, sha))
        data = old.read(*found) if old is not None and found is not None else None
        if data is None:
            # The dictionary is the end of the run before, never further: a run's bytes
            # depend on that run and its own, nothing else.
            dictionary = view[max(at[i - 1] if i else 0, start - WINDOW) : start]
            todo.append(_ToDeflate(len(parts), dictionary, view[start:end]))
        parts.append(data or b"")
        runs.append((sha, len(parts[-1]), end - start, counts[i]))
        before = sha
    for job, data in zip(todo, _deflated_runs(todo, level, threads), strict=True):
        parts[job.at] = data
        sha, _, length, markers = runs[job.at]
        runs[job.at] = (sha, len(data), length, markers)
    parts.append(_END)
    return b"".join(parts), tuple(runs)


class _ToDeflate(NamedTuple):
    """A run to deflate: its place among the file's runs, its dictionary, its bytes."""

    at: int
    dictionary: memoryview
    run: memoryview


def _deflated_runs(todo: list[_ToDeflate], level: int, threads: int) -> list[bytes]:
    """Return each run deflated after its dictionary, in order.

    A run's bytes depend on its own and its dictionary's alone, so with ``threads`` above
    one and :data:`SHARED` bytes or more to deflate, the runs are cut into that many
    stretches of about as many bytes, each deflated in a thread of its own (zlib lets go
    of the GIL): the same bytes as one thread makes. A caller offers threads only where
    nothing else is being deflated meanwhile (a clean build's manifest, made last).
    """

    def stretch(jobs: list[_ToDeflate]) -> list[bytes]:
        made = []
        for _, dictionary, run in jobs:
            packer = (zlib.compressobj(level, zlib.DEFLATED, -15, zdict=dictionary)
                      if dictionary else zlib.compressobj(level, zlib.DEFLATED, -15))  # fmt: skip
            made.append(packer.compress(run) + packer.flush(zlib.Z_SYNC_FLUSH))
        return made

    total = sum(len(job.run) for job in todo)
    threads = min(threads, len(todo))
    if threads < 2 or total < SHARED:
        return stretch(todo)
    from concurrent.futures import ThreadPoolExecutor

    stretches: list[list[_ToDeflate]] = [[] for _ in range(threads)]
    done = 0
    for job in todo:  # the stretch whose share of the bytes the run starts in
        stretches[done * threads // total].append(job)
        done += len(job.run)
    with ThreadPoolExecutor(threads) as pool:
        return [data for made in pool.map(stretch, stretches) for data in made]


class Previous:
    """The previous zip's members deflated in runs, to copy runs from (a miss when unsure)."""

    def __init__(
        self, path: Path, campaign: str, index: ZipIndex, tables: Mapping[str, Table]
    ) -> None:
        self.path = path
        self.campaign = campaign
        self.index = index
        self.tables = tables
        try:
            self._fd: int | None = os.open(path, os.O_RDONLY)
        except OSError:
            self._fd = None

    def table(self, rel: str) -> Table | None:
        """Return a member's runs if its record in the previous zip is the one they describe."""
        table = self.tables.get(rel)
        name = f"{self.campaign}/{rel}"
        record = self.index.get(rel)
        if table is None or record is None:
            return None
        _, length, crc, csize, _, method, _, _ = record
        crc_kept, csize_kept, runs = table
        header = 30 + len(name.encode())
        if (crc, csize, method, length) != (crc_kept, csize_kept, 8, header + csize):
            return None
        if sum(r[1] for r in runs) + len(_END) != csize:
            return None
        return table

    def runs_of(self, rel: str) -> dict[tuple[str, str], tuple[int, int]]:
        """Return where each run of a member lies in the previous zip, by (run before, run)."""
        table = self.table(rel)
        if table is None:
            return {}
        name = f"{self.campaign}/{rel}"
        offset = self.index[rel][0] + 30 + len(name.encode())
        found, before = {}, ""
        for sha, length, *_ in table[2]:
            found[(before, sha)] = (offset, length)
            offset, before = offset + length, sha
        return found

    def read(self, offset: int, length: int) -> bytes | None:
        """Return deflated bytes of the previous zip (None when it cannot be read)."""
        if self._fd is None:
            return None
        try:
            data = os.pread(self._fd, length, offset)
        except OSError:
            return None
        return data if len(data) == length else None

    def close(self) -> None:
        """Close the previous zip."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def tables(members: Iterable[tuple[str, Any]]) -> dict[str, Table]:
    """Return the members (``writer.Member``) deflated in runs, as an update finds them."""
    return {rel: (m.crc, size, m.runs) for rel, m in members if m.runs and (size := _deflated(m))}


def _deflated(member: Any) -> int:
    """Return a member's deflated size, its bytes held or spilled (``pack.staging``); 0: neither."""
    if member.data is not None:
        return len(member.data)
    return member.spilled[2] if member.spilled is not None else 0


_RUN = (str, int, int, int)


def valid(plain: Any) -> dict[str, Table] | None:
    """Return kept tables of runs if they have the shape :func:`deflate`'s make (else None)."""
    if not isinstance(plain, dict):
        return None
    for rel, table in plain.items():
        if not (isinstance(rel, str) and isinstance(table, tuple) and len(table) == 3):
            return None
        crc, csize, runs = table
        if not (isinstance(crc, int) and isinstance(csize, int) and isinstance(runs, tuple)):
            return None
        if not all(isinstance(r, tuple) and tuple(map(type, r)) == _RUN for r in runs):
            return None
    return plain
