"""The pack's zip, assembled by hand from members compressed elsewhere.

zipfile cannot take data compressed elsewhere, and compressing 100,000
members serially would be the slowest step of a build, so the render workers
compress and this module only lays the bytes out (PKWARE APPNOTE 4.3; ZIP64
end records past 65,535 members). An update copies the previous zip's
unchanged members as they are, in runs.
"""

from __future__ import annotations

import os
import struct
import time
from bisect import bisect_left
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Any

from campaignsync import paths
from campaignsync.pack import ZIP_EPOCH, ZIP_LAST

_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
#: A central record's signature, name, extra and comment lengths.
_HEAD = struct.Struct("<I24xHHH")
#: A central record's method, DOS time and date, crc, sizes, name length and local offset.
_SOME = struct.Struct("<10xHHHIIIH12xI")
#: A central record's extra and comment lengths, disk, internal and external attributes
#: (a regular file, rw-r--r--).
_FILE = (0, 0, 0, 0, (0o100000 | 0o644) << 16)
#: A record of the previous zip, as :meth:`ZipIndex.get` gives it: offset of the local
#: header, length of header + name + data, crc, compressed size, size, method, DOS time, DOS date.
Record = tuple[int, int, int, int, int, int, int, int]
_OFFSET = struct.Struct("<I")


class ZipIndex:
    """The central directory of a zip campaignsync wrote, and where each of its records starts.

    Its members are sorted by path, so a member is found by bisection, reading
    only the names on the way: an update looks up the paths that changed, and
    copies the records between them as they are (their offsets moved).
    """

    def __init__(self, central: bytes, starts: list[int], end: int, campaign: str) -> None:
        self.central = central
        #: Where each record starts in ``central``, in order.
        self.starts = starts
        #: Where the central directory starts: no member's bytes run past it.
        self.end = end
        self.folder = f"{campaign}/".encode()
        #: The DOS time and date of its first member (every member has the same).
        self.stamp = _STAMP.unpack_from(central, 12) if starts else None

    def __len__(self) -> int:
        return len(self.starts)

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and self.find(rel)[1]

    def __getitem__(self, rel: str) -> Record:
        found = self.get(rel)
        if found is None:
            raise KeyError(rel)
        return found

    def name(self, i: int) -> bytes:
        """Return the name of the ``i``-th member, as the zip holds it."""
        at, central = self.starts[i], self.central
        return central[at + 46 : at + 46 + (central[at + 28] | central[at + 29] << 8)]

    def find(self, rel: str) -> tuple[int, bool]:
        """Return where the member at ``rel`` is, or would go, and whether it is there."""
        name = self.folder + rel.encode("utf-8", "surrogateescape")
        i = bisect_left(range(len(self.starts)), name, key=self.name)
        return i, i < len(self.starts) and self.name(i) == name

    def local(self, i: int) -> int:
        """Return where the ``i``-th member's local header starts (past the last: the end)."""
        if i == len(self.starts):
            return self.end
        return int(_OFFSET.unpack_from(self.central, self.starts[i] + 42)[0])

    def get(self, rel: str) -> Record | None:
        """Return a member's record (None when there is none, or it runs past the members)."""
        i, there = self.find(rel)
        if not there:
            return None
        fields = _CENTRAL.unpack_from(self.central, self.starts[i])
        method, dtime, ddate, crc, csize, size, nlen, local = (*fields[4:11], fields[16])
        if local + 30 + nlen + csize > self.end:
            return None
        return local, 30 + nlen + csize, crc, csize, size, method, dtime, ddate

    def records(self, first: int, last: int, moved: int, stamp: bytes | None = None) -> bytes:
        """Return the central records of members ``first`` to ``last`` (not included), moved.

        ``moved`` is how far their local headers moved in the new zip; ``stamp``, the DOS
        time and date they are given instead of theirs (packed), if any.
        """
        starts = self.starts
        base = starts[first]
        stop = starts[last] if last < len(starts) else len(self.central)
        if not moved and stamp is None:
            return self.central[base:stop]
        block = bytearray(self.central[base:stop])
        unpack, pack = _OFFSET.unpack_from, _OFFSET.pack_into
        for at in starts[first:last]:
            where = at - base + 42
            pack(block, where, unpack(block, where)[0] + moved)
            if stamp is not None:
                block[at - base + 12 : at - base + 16] = stamp
        return bytes(block)


_STAMP = struct.Struct("<HH")


def read_zip_index(path: Path, campaign: str) -> ZipIndex | None:
    """Return the members of ``campaign``'s zip (None when it is not one campaignsync wrote)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            if end < 22:
                return None
            handle.seek(end - 22)
            tail = handle.read(22)
            signature, _, _, _, _, size, offset, comment = struct.unpack("<IHHHHIIH", tail)
            if signature != 0x06054B50 or comment:
                return None
            handle.seek(offset)
            central = handle.read(size)
    except (OSError, struct.error):
        return None
    written, folder = _Written.last, f"{campaign}/".encode()
    if written is not None and (written.end, written.folder, written.central) == (
        offset, folder, central
    ):  # fmt: skip
        return ZipIndex(central, written.starts, offset, campaign)
    # Each record: its signature, its name's length, no extra or comment, its folder.
    record = struct.Struct(f"<I24xHI12x{len(folder)}s")
    starts: list[int] = []
    add, unpack, where, total = starts.append, record.unpack_from, 0, len(central)
    try:
        while where < total:
            signature, nlen, extra, head = unpack(central, where)
            if signature != 0x02014B50 or extra or head != folder or nlen <= len(folder):
                return None
            add(where)
            where += 46 + nlen
    except struct.error:
        return None
    return ZipIndex(central, starts, offset, campaign) if where == total else None


def write_zip(
    path: Path,
    campaign: str,
    members: list[tuple[str, Any]],
    stamp: tuple[int, int],
    spills: Path | None = None,
) -> None:
    """Write a zip of compressed members (sorted, fixed times and modes).

    ``members`` are ``(path, pack.Member)``; one whose bytes are None has them in
    ``spills`` (see :mod:`campaignsync.pack.staging`).
    """
    central = bytearray()
    offset = 0
    spilled = _Spills(spills)
    try:
        with path.open("wb", buffering=1 << 20) as handle:
            for rel, member in members:
                name = f"{campaign}/{rel}".encode()
                data = member.data if member.data is not None else spilled.read(rel, member)
                offset += _write_member(handle, central, name, member, data, stamp, offset)
            _end_records(handle, len(members), len(central), offset, central)
    finally:
        spilled.close()
    os.chmod(path, 0o644)


def update_zip(
    path: Path,
    campaign: str,
    old: ZipIndex,
    source: Path,
    changes: list[tuple[str, Any]],
    stamp: tuple[int, int],
) -> int:
    """Write the zip ``source`` (indexed by ``old``) with ``changes``; return how many members.

    ``changes`` are ``(path, pack.Member)`` sorted by path, the member's bytes compressed
    (None: a member removed). Every other member is the old zip's: the records between
    two changes are copied as they are, a run at a time (only their offsets move). A
    zip made at another time (another commit's, say) is copied so too, each member then
    given this one's time and date in its local header and its central record: the
    only bytes the time changes, so the zip is a clean build's still.
    """
    central = bytearray()
    offset = kept = 0
    starts: list[int] = []  # each record's start in ``central``: one a member
    restamp = _STAMP.pack(*stamp) if old.stamp is not None and old.stamp != stamp else None

    def copy(first: int, last: int) -> None:
        nonlocal offset
        if first >= last:
            return
        start, stop = old.local(first), old.local(last)
        if not 0 <= start <= stop <= old.end:
            raise OSError("the previous zip is not as its central directory says")
        _fits(offset + stop - start)
        _copy(previous, handle, start, stop - start)
        if restamp is not None:  # (the copy is flushed: its headers are written over in place)
            for i in range(first, last):
                os.pwrite(handle.fileno(), restamp, old.local(i) - start + offset + 10)
        starts.extend(map(add, old.starts[first:last], repeat(len(central) - old.starts[first])))
        central.extend(old.records(first, last, offset - start, restamp))
        offset += stop - start

    with source.open("rb") as previous, path.open("wb", buffering=1 << 20) as handle:
        for rel, member in changes:
            at, there = old.find(rel)
            copy(kept, at)
            kept = at + 1 if there else at
            if member is not None:
                name = f"{campaign}/{rel}".encode()
                starts.append(len(central))
                offset += _write_member(handle, central, name, member, member.data, stamp, offset)
        copy(kept, len(old))
        _end_records(handle, len(starts), len(central), offset, central)
    os.chmod(path, 0o644)
    _Written.last = ZipIndex(bytes(central), starts, offset, campaign)
    return len(starts)


class _Written:
    """The index of the zip this process updated last, as it wrote it.

    A process that builds again (``preview``: the zip made again after each save, from
    the one set aside) reads that zip's central directory back, and takes this index
    when the bytes are the same, rather than going over 150,000 records again.
    """

    last: ZipIndex | None = None


def _write_member(
    handle: Any,
    central: bytearray,
    name: bytes,
    member: Any,
    data: bytes,
    stamp: tuple[int, int],
    offset: int,
) -> int:
    """Write a member's local header, name and compressed bytes, add its central record.

    Returns how many bytes were written.
    """
    _fits(offset)
    dos_time, dos_date = stamp
    method, crc, csize, size = member.method, member.crc, len(data), member.size
    header = _LOCAL.pack(0x04034B50, 20, 0x0800, method, dos_time, dos_date, crc, csize, size,
                         len(name), 0)  # fmt: skip
    handle.write(header)
    handle.write(name)
    handle.write(data)
    central += _CENTRAL.pack(0x02014B50, 0x0314, 20, 0x0800, method, dos_time, dos_date,
                             crc, csize, size, len(name), *_FILE, offset)  # fmt: skip
    central += name
    return len(header) + len(name) + len(data)


class _Spills:
    """The spill files of a clean build's renderers, opened as members are read from them."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.open: dict[str, int] = {}

    def read(self, rel: str, member: Any) -> bytes:
        """Return a member's compressed bytes from the spill file its renderer wrote."""
        where = getattr(member, "spilled", None)
        if where is None or self.folder is None:
            raise ValueError(f"no compressed bytes for {rel}")
        name, offset, length = where
        fd = self.open.get(name)
        if fd is None:
            fd = self.open[name] = os.open(self.folder / name, os.O_RDONLY)
        data = os.pread(fd, length, offset)
        if len(data) != length:
            raise OSError(f"the spill file {name} is shorter than its index says")
        return data

    def close(self) -> None:
        """Close every spill file opened."""
        for fd in self.open.values():
            os.close(fd)
        self.open.clear()


def _copy(source: Any, target: Any, start: int, length: int) -> None:
    target.flush()
    paths.copy_range(source.fileno(), target.fileno(), start, length,
                     "the previous zip is shorter than its index says")  # fmt: skip
    target.seek(0, os.SEEK_END)


def _fits(offset: int) -> None:
    if offset > 0xFFFFFFFF:
        raise OverflowError("the pack is larger than 4 GiB, which its zip cannot hold")


def _end_records(handle: Any, count: int, size: int, offset: int, central: bytearray) -> None:
    _fits(offset)
    handle.write(central)
    if count > 0xFFFF:
        handle.write(
            struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, offset)
        )
        handle.write(struct.pack("<IIQI", 0x07064B50, 0, offset + size, 1))
    short = min(count, 0xFFFF)
    handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, short, short, size, offset, 0))


def dos_stamp(epoch: int) -> tuple[int, int]:
    """Return the DOS time and date of ``epoch`` (UTC), within what a zip can store."""
    year, month, day, hour, minute, second = time.gmtime(min(max(epoch, ZIP_EPOCH), ZIP_LAST))[:6]
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day
