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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaignsync.pack.archive import ZipIndex

#: Files smaller than this are deflated whole.
SMALLEST = 1 << 20
#: Where a file may be cut, by its kind, and about how far apart its cuts are: before a CSV
#: row, before a message's section of a gallery page, before a line of the manifest. An
#: edited message has rows all over the manifest (in every folder of it), so its runs are
#: short: a few hundred changed rows then deflate a few MB again, not most of the file.
KINDS = {".csv": (b"\r\n", 1 << 17), ".html": (b"\n<section ", 1 << 17), ".json": (b"\n", 1 << 14)}
#: The most of the run before that deflate can refer to (its window).
WINDOW = 1 << 15
#: How big files are cut, as the state of a pack records it (``writer.ZLIB_VERSION``): a zip
#: cut otherwise is not copied from.
SCHEME = f"runs 2 {SMALLEST} {WINDOW} {sorted(KINDS.items())}"
#: An empty last block (fixed Huffman codes): the end of a stream of flushed runs.
_END = b"\x03\x00"

#: Each run's sha256 and deflated length, in order.
Runs = tuple[tuple[str, int], ...]
#: A member deflated in runs, as the last build wrote it: crc, deflated size, runs.
Table = tuple[int, int, Runs]


def cuts(rel: str, content: bytes) -> list[int]:
    """Return where a file's runs start, and its length (one run: ``[0, len]``).

    A file is cut before a marker when the crc of what follows it, up to the next
    marker, says so (about one marker in every spacing's worth of bytes), and never
    less than a quarter of the spacing after the last cut: the cuts move with the
    content, not with offsets.
    """
    kind = KINDS.get(rel[rel.rfind(".") :] if "." in rel else "")
    size = len(content)
    if kind is None or size < SMALLEST:
        return [0, size]
    marker, spacing = kind
    count = content.count(marker)
    if not count:
        return [0, size]
    mask = (1 << max(0, round(math.log2(spacing * count / size)))) - 1
    find, step, crc, view = content.find, len(marker), zlib.crc32, memoryview(content)
    found, least = [0], spacing // 4
    at = find(marker)
    while at >= 0:
        after = find(marker, at + step)
        end = after if after >= 0 else size
        if at >= found[-1] + least and not crc(view[at + step : end]) & mask:
            found.append(at)
        at = after
    found.append(size)
    return found


def deflate(
    rel: str, content: bytes, level: int, old: Previous | None
) -> tuple[bytes, Runs | None]:
    """Return a file deflated as a zip member, and its runs (None: deflated whole, one run).

    A big file is deflated in runs, those ``old`` has unchanged copied from it.
    """
    at = cuts(rel, content)
    if len(at) < 3:
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return packer.compress(content) + packer.flush(), None
    view = memoryview(content)
    known = old.runs_of(rel) if old is not None else {}
    parts: list[bytes] = []
    runs: list[tuple[str, int]] = []
    before = ""
    for i in range(len(at) - 1):
        start, end = at[i], at[i + 1]
        sha = hashlib.sha256(view[start:end]).hexdigest()
        where = known.get((before, sha))
        data = old.read(*where) if old is not None and where is not None else None
        if data is None:
            # The dictionary is the end of the run before, never further: a run's bytes
            # depend on that run and its own, nothing else.
            dictionary = view[max(at[i - 1] if i else 0, start - WINDOW) : start]
            packer = (zlib.compressobj(level, zlib.DEFLATED, -15, zdict=dictionary)
                      if dictionary else zlib.compressobj(level, zlib.DEFLATED, -15))  # fmt: skip
            data = packer.compress(view[start:end]) + packer.flush(zlib.Z_SYNC_FLUSH)
        parts.append(data)
        runs.append((sha, len(data)))
        before = sha
    parts.append(_END)
    return b"".join(parts), tuple(runs)


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
        if sum(n for _, n in runs) + len(_END) != csize:
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
        for sha, length in table[2]:
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
        if not all(
            isinstance(r, tuple) and len(r) == 2 and isinstance(r[0], str) and isinstance(r[1], int)
            for r in runs
        ):
            return None
    return plain
