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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
#: Where a member's bytes are copied from: (start, length, compressed size, method) of
#: its local record in the previous zip, and its name as the zip holds it.
Reuse = tuple[int, int, int, int, bytes]


class ZipIndex:
    """The central directory of a zip campaignsync wrote: each record read when it is asked for.

    Reading only where each record starts (a name and a number) keeps opening the
    previous zip of a big pack short: an update reads the records of its members once.
    """

    def __init__(self, central: bytes, at: dict[str, int], end: int) -> None:
        self.central = central
        #: Where each member's record starts in ``central``, by its path in the pack (its
        #: name without the campaign's folder).
        self.at = at
        #: Where the central directory starts: no member's bytes run past it.
        self.end = end

    def __len__(self) -> int:
        return len(self.at)

    def __contains__(self, rel: object) -> bool:
        return rel in self.at

    def __getitem__(self, rel: str) -> Record:
        found = self.get(rel)
        if found is None:
            raise KeyError(rel)
        return found

    def get(self, rel: str) -> Record | None:
        """Return a member's record (None when there is none, or it runs past the members)."""
        at = self.at.get(rel)
        if at is None:
            return None
        fields = _CENTRAL.unpack_from(self.central, at)
        method, dtime, ddate, crc, csize, size, nlen, local = (*fields[4:11], fields[16])
        if local + 30 + nlen + csize > self.end:
            return None
        return local, 30 + nlen + csize, crc, csize, size, method, dtime, ddate


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
    at: dict[str, int] = {}
    where, total, head = 0, len(central), _HEAD.unpack_from
    folder = f"{campaign}/".encode()
    skip = 46 + len(folder)
    try:
        while where < total:
            signature, nlen, elen, clen = head(central, where)
            if signature != 0x02014B50 or elen or clen or nlen <= len(folder):
                return None
            if not central.startswith(folder, where + 46):
                return None
            at[central[where + skip : where + 46 + nlen].decode("utf-8")] = where
            where += 46 + nlen
    except (struct.error, UnicodeDecodeError):
        return None
    return ZipIndex(central, at, offset) if where == total else None


class ZipSource:
    """The previous zip of a pack, to copy unchanged members' bytes from."""

    def __init__(self, path: Path, index: ZipIndex, hashes: Mapping[str, str]) -> None:
        self.path = path
        self.index = index
        #: The previous pack's sha256 by path, from its manifest.
        self.hashes = hashes

    def plan(self, members: list[tuple[str, Any]], stamp: tuple[int, int]) -> list[Reuse | None]:
        """Return, member by member, where its bytes can be copied from (None: they cannot).

        A member is copied when the previous pack had the same sha256 at its path and
        the previous zip's record has its crc, size and times, and its method (a method
        not decided yet, negative: the member was only hashed, takes the old one's).
        """
        hashes, at, central, end = self.hashes, self.index.at, self.index.central, self.index.end
        unpack = _SOME.unpack_from
        found: list[Reuse | None] = []
        add = found.append
        for rel, member in members:
            where = at.get(rel)
            if where is None or hashes.get(rel) != member.sha256:
                add(None)
                continue
            method, dtime, ddate, crc, csize, size, nlen, local = unpack(central, where)
            length = 30 + nlen + csize
            if (
                crc != member.crc
                or size != member.size
                or dtime != stamp[0]
                or ddate != stamp[1]
                or (method != member.method and member.method >= 0)
                or local + length > end
            ):
                add(None)
            else:
                add((local, length, csize, method, central[where + 46 : where + 46 + nlen]))
        return found


def write_zip(
    path: Path,
    campaign: str,
    members: list[tuple[str, Any]],
    stamp: tuple[int, int],
    source: ZipSource | None = None,
    spills: Path | None = None,
    plan: list[Reuse | None] | None = None,
) -> int:
    """Write a zip of compressed members (sorted, fixed times and modes); return how many copied.

    ``members`` are ``(path, pack.Member)``; one whose bytes are None is in ``source``, the
    previous zip, with the same sha256 (its record copied as is, in runs), or in ``spills``.
    ``plan`` is ``source.plan(...)`` of the same members, when the caller has it already.
    """
    dos_time, dos_date = stamp
    if plan is None:
        plan = [None] * len(members) if source is None else source.plan(members, stamp)
    central = bytearray()
    offset = copied = 0
    start = end = 0  # [start, end) in the old zip, not yet copied
    old = source.path.open("rb") if source is not None else None
    spilled = _Spills(spills)
    pack = _CENTRAL.pack
    try:
        with path.open("wb", buffering=1 << 20) as handle:
            for (rel, member), reuse in zip(members, plan, strict=True):
                if reuse is not None:
                    at, length, csize, method, name = reuse
                    if at != end:
                        if end > start and old is not None:
                            _copy(old, handle, start, end - start)
                        start = at
                    end = at + length
                    crc, size = member.crc, member.size
                    copied += 1
                else:
                    if end > start and old is not None:
                        _copy(old, handle, start, end - start)
                    start = end = 0
                    name = f"{campaign}/{rel}".encode()
                    data = member.data if member.data is not None else spilled.read(rel, member)
                    method, crc, csize, size = member.method, member.crc, len(data), member.size
                    fields = (0x0800, method, dos_time, dos_date, crc, csize, size, len(name))
                    length = _write_local(handle, fields, name, data)
                central += pack(0x02014B50, 0x0314, 20, 0x0800, method, dos_time, dos_date,
                                crc, csize, size, len(name), *_FILE, offset)  # fmt: skip
                central += name
                offset += length
                if offset > 0xFFFFFFFF:
                    raise OverflowError("the pack is larger than 4 GiB, which its zip cannot hold")
            if end > start and old is not None:
                _copy(old, handle, start, end - start)
            _end_records(handle, len(members), len(central), offset, central)
    finally:
        if old is not None:
            old.close()
        spilled.close()
    os.chmod(path, 0o644)
    return copied


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


def _write_local(handle: Any, fields: tuple[int, ...], name: bytes, data: bytes) -> int:
    """Write a member's local header, name and compressed bytes; return how many bytes."""
    header = _LOCAL.pack(0x04034B50, 20, *fields, 0)
    handle.write(header)
    handle.write(name)
    handle.write(data)
    return len(header) + len(name) + len(data)


def _copy(source: Any, target: Any, start: int, length: int) -> None:
    target.flush()
    done = 0
    while done < length:
        try:
            moved = os.copy_file_range(
                source.fileno(), target.fileno(), length - done, start + done
            )
        except OSError:
            moved = 0
        if moved <= 0:
            source.seek(start + done)
            chunk = source.read(min(length - done, 1 << 20))
            if not chunk:
                raise OSError("the previous zip is shorter than its index says")
            target.write(chunk)
            target.flush()
            moved = len(chunk)
        done += moved
    target.seek(0, os.SEEK_END)


def _end_records(handle: Any, count: int, size: int, offset: int, central: bytearray) -> None:
    handle.write(central)
    if count > 0xFFFF:
        handle.write(
            struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, offset)
        )
        handle.write(struct.pack("<IIQI", 0x07064B50, 0, offset + size, 1))
    short = min(count, 0xFFFF)
    handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, short, short, size, offset, 0))
