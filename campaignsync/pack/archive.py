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
#: A central record's extra and comment lengths, disk, internal and external attributes
#: (a regular file, rw-r--r--).
_FILE = (0, 0, 0, 0, (0o100000 | 0o644) << 16)
#: name -> (offset of the local header, length of header + name + data, crc, compressed
#: size, size, method, DOS time, DOS date).
ZipIndex = dict[str, tuple[int, int, int, int, int, int, int, int]]


def read_zip_index(path: Path) -> ZipIndex | None:
    """Return the members of a zip campaignsync wrote (None when it is not one it can read)."""
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
    index: ZipIndex = {}
    at = 0
    try:
        while at < len(central):
            fields = _CENTRAL.unpack_from(central, at)
            if fields[0] != 0x02014B50 or fields[11] or fields[12]:
                return None
            _sig, _made, _need, _flags, method, dtime, ddate, crc, csize, usize, nlen = fields[:11]
            local = fields[16]
            name = central[at + 46 : at + 46 + nlen].decode("utf-8")
            index[name] = (local, 30 + nlen + csize, crc, csize, usize, method, dtime, ddate)
            at += 46 + nlen
    except (struct.error, UnicodeDecodeError):
        return None
    if any(local + length > offset for local, length, *_ in index.values()):
        return None
    return index


class ZipSource:
    """The previous zip of a pack, to copy unchanged members' bytes from."""

    def __init__(self, path: Path, index: ZipIndex, hashes: Mapping[str, str]) -> None:
        self.path = path
        self.index = index
        #: The previous pack's sha256 by path, from its manifest.
        self.hashes = hashes

    def has(self, rel: str, campaign: str, member: Any, stamp: tuple[int, int]) -> bool:
        """Return True when the member's bytes can be copied from this zip."""
        name = f"{campaign}/{rel}".encode()
        return _reusable(self, rel, name, member, stamp) is not None


def write_zip(
    path: Path,
    campaign: str,
    members: list[tuple[str, Any]],
    stamp: tuple[int, int],
    source: ZipSource | None = None,
    spills: Path | None = None,
) -> int:
    """Write a zip of compressed members (sorted, fixed times and modes); return how many copied.

    ``members`` are ``(path, pack.Member)``; one whose bytes are None is in ``source``, the
    previous zip, with the same sha256 (its record copied as is, in runs), or in ``spills``.
    """
    dos_time, dos_date = stamp
    central = bytearray()
    offset = copied = 0
    run: list[int] = []  # [start, end) in the old zip, not yet copied
    old = source.path.open("rb") if source is not None else None
    spilled = _Spills(spills)
    try:
        with path.open("wb", buffering=1 << 20) as handle:

            def flush() -> None:
                if run and old is not None:
                    _copy(old, handle, run[0], run[1] - run[0])
                    run.clear()

            for rel, member in members:
                name = f"{campaign}/{rel}".encode()
                fields = (
                    0x0800, member.method, dos_time, dos_date,
                    member.crc, member.size, member.size, len(name),
                )  # fmt: skip
                reuse = _reusable(source, rel, name, member, stamp)
                if reuse is not None:
                    start, length, csize, method = reuse
                    fields = (fields[0], method, *fields[2:5], csize, *fields[6:])
                    if run and run[1] == start:
                        run[1] = start + length
                    else:
                        flush()
                        run[:] = [start, start + length]
                    copied += 1
                else:
                    flush()
                    data = member.data if member.data is not None else spilled.read(rel, member)
                    fields = (*fields[:5], len(data), *fields[6:])
                    length = _write_local(handle, fields, name, data)
                central += _CENTRAL.pack(0x02014B50, 0x0314, 20, *fields, *_FILE, offset) + name
                offset += length
                if offset > 0xFFFFFFFF:
                    raise OverflowError("the pack is larger than 4 GiB, which its zip cannot hold")
            flush()
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


def _reusable(
    source: ZipSource | None, rel: str, name: bytes, member: Any, stamp: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """Return (start, length, compressed size, method) of the old local record, if it can be copied.

    A member whose method is not decided yet (negative: only hashed) takes the old one's.
    """
    if source is None or source.hashes.get(rel) != member.sha256:
        return None
    old = source.index.get(name.decode())
    if old is None:
        return None
    start, length, crc, csize, size, method, dtime, ddate = old
    wanted = method if member.method < 0 else member.method
    if (crc, size, method, dtime, ddate) != (member.crc, member.size, wanted, *stamp):
        return None
    if length != 30 + len(name) + csize:
        return None
    return start, length, csize, method


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
