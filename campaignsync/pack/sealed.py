"""Sealed cache files: plain values, pickled, with a checksum, a key and the folder they belong to.

Both caches under ``<out>/.campaignsync-cache/`` (the render cache, ``pack.cache``,
and the catalogs and findings, ``pack.lookups``) write their files here. A file
is trusted only under the key it was written with, in the folder it was written
in (device and inode), with its sha256 intact; it is read with an unpickler that
admits no class at all, so a cache can hold no code. Anything else is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from campaignsync.model import Diagnostic, Severity

if TYPE_CHECKING:
    from campaignsync.l10n import catalog

_MAGIC = b"campaignsync-render-cache 2\n"


class _Unpickler(pickle.Unpickler):
    """Admits no class at all: a cache file holds only tuples, strings, bytes and numbers."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def folder_id(folder: Path) -> bytes:
    """Return the device and inode of a folder: a cache copied elsewhere does not match."""
    info = folder.stat()
    return f"{info.st_dev}:{info.st_ino}\n".encode()


def read_sealed(path: Path, where: bytes | None, key: str, checksum: str | None = None) -> Any:
    """Return what a cache file holds if it was written under ``key``, intact.

    ``where`` is the folder id it must have been written in; None accepts a
    cache from elsewhere (see :func:`campaignsync.pack.cache.absorb`), still only under ``key``.
    ``checksum`` (from :func:`write_sealed`) asks for that very file.
    """
    return _unpickled(_payload(path, where, key, checksum))


def identity(path: Path) -> tuple[int, ...] | None:
    """Return what tells a file from one written again at the same path (None: not there)."""
    try:
        return identity_of(path.stat())
    except OSError:
        return None


def identity_of(info: os.stat_result) -> tuple[int, ...]:
    """Return :func:`identity` from a file's status (``os.fstat`` of a file open)."""
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


class Remembered:
    """What this process read of one folder's cache files, kept while each file is as read.

    A process that builds again (``preview`` after each save) does not read and
    unpickle again a file whose identity (:func:`identity`) is the one it read, in the
    same folder under the same key. Files of one folder at a time are kept.
    """

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.read: dict[Path, tuple[tuple[int, ...], bytes | None, str, Any]] = {}

    def read_sealed(self, path: Path, where: bytes | None, key: str) -> Any:
        """Return what :func:`read_sealed` gives, from what was read before if the file is so."""
        if self.folder != path.parent:
            self.folder, self.read = path.parent, {}
        seen = identity(path)  # before it is read: a file written meanwhile is read again
        known = self.read.get(path)
        if seen is not None and known is not None and known[:3] == (seen, where, key):
            return known[3]
        value = read_sealed(path, where, key)
        if seen is not None and value is not None:
            self.read[path] = (seen, where, key, value)
        return value


def read_all(paths: Iterable[Path], where: bytes, key: str) -> Iterator[tuple[Any, str]]:
    """Yield what each cache file holds (None: a miss) and its checksum, in order.

    What :func:`read_sealed` would give, with the file's checksum ('' for a miss): what
    tells its contents from any other's. One after the other: a thread reading and
    checking the next files while this one unpickles made 500 shards slower to read, not
    faster (the two contend for the interpreter and the memory bus: 0.89-0.95 s against
    0.79-0.88 s at 500 messages).
    """
    for path in paths:
        found = _checked(path, where, key)
        value = _unpickled(found[0]) if found is not None else None
        yield value, found[1] if found is not None and value is not None else ""


def _payload(path: Path, where: bytes | None, key: str, wanted: str | None = None) -> bytes | None:
    """Return a cache file's pickled payload if its head and checksum say it is intact."""
    found = _checked(path, where, key, wanted)
    return found[0] if found is not None else None


def _checked(
    path: Path, where: bytes | None, key: str, wanted: str | None = None
) -> tuple[bytes, str] | None:
    """Return a cache file's pickled payload and checksum if its head and checksum hold."""
    try:
        with path.open("rb") as handle:
            checksum = _head(handle, where, key, wanted)
            if checksum is None:
                return None
            # Read apart from the head: no copy of a render-cache shard's 1.5 MB to split it.
            payload = handle.read()
    except OSError:
        return None
    if hashlib.sha256(payload).hexdigest() != checksum:
        return None
    return payload, checksum


#: The longest line a cache file's head has (the magic, the folder's id, the key, the
#: checksum): a file whose first bytes hold no line break is not read whole to find one.
_HEAD_LINE = 512


def _head(handle: BinaryIO, where: bytes | None, key: str, wanted: str | None) -> str | None:
    """Return the checksum a cache file's head names, if it was written under ``key`` here.

    Here: in the folder ``where`` (None: any). ``wanted``: that checksum alone. Each head
    line is read up to :data:`_HEAD_LINE` bytes.
    """
    magic, folder, written, named = (handle.readline(_HEAD_LINE) for _ in range(4))
    if magic != _MAGIC or written != key.encode() + b"\n" or where not in (None, folder):
        return None
    checksum = named.decode("ascii", "replace").removesuffix("\n")
    return checksum if wanted in (None, checksum) else None


def _unpickled(payload: bytes | None) -> Any:
    if payload is None:
        return None
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # a file that passed its checksum but is not a cache: a miss all the same
        return None


def packed(value: Any) -> bytes:
    """Return plain values pickled, to be kept inside a sealed file and read only when needed."""
    return pickle.dumps(value, protocol=5)


def unpacked(data: bytes) -> Any:
    """Return the plain values of :func:`packed` (no class admitted); raise if they are not."""
    return _Unpickler(io.BytesIO(data)).load()


def write_sealed(path: Path, key: str, value: Any) -> str:
    """Write a cache file (plain values only) that :func:`read_sealed` will trust here.

    Return its checksum (the sha256 of its payload).
    """
    return write_named(path.parent, lambda _: path.name, key, value)[1]


def write_named(
    folder: Path, name_of: Callable[[str], str], key: str, value: Any
) -> tuple[Path, str]:
    """Write a cache file into ``folder`` named by its checksum; return its path and checksum."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(value, protocol=5)
    checksum = hashlib.sha256(payload).hexdigest()
    head = _MAGIC + folder_id(folder) + key.encode() + b"\n"
    path = folder / name_of(checksum)
    _write(path, head + checksum.encode() + b"\n", payload)  # not joined: may be 50 MB
    return path, checksum


def write_parts(
    folder: Path, name_of: Callable[[str], str], key: str, parts: Sequence[bytes]
) -> tuple[Path, str, list[Span]]:
    """Write ``parts`` as one cache file named by its checksum, each readable on its own.

    Return its path, its checksum and each part's span (:func:`read_part` reads one).
    """
    folder.mkdir(parents=True, exist_ok=True)
    whole, spans, at = hashlib.sha256(), [], 0
    for part in parts:
        whole.update(part)
        spans.append((at, len(part), hashlib.sha256(part).digest()))
        at += len(part)
    checksum = whole.hexdigest()
    head = _MAGIC + folder_id(folder) + key.encode() + b"\n" + checksum.encode() + b"\n"
    path = folder / name_of(checksum)
    _write(path, head, *parts)
    return path, checksum, spans


#: Where a part of a file of :func:`write_parts` lies: offset past the head, length, sha256.
Span = tuple[int, int, bytes]


def part_base(path: Path, where: bytes | None, key: str, checksum: str) -> int | None:
    """Return where the parts of a file of :func:`write_parts` start (None: not that file).

    The file must be the one named (``checksum``, under ``key``, here); only its head is read.
    """
    try:
        with path.open("rb") as handle:
            return handle.tell() if _head(handle, where, key, checksum) is not None else None
    except OSError:
        return None


def read_part(path: Path, base: int, span: Span) -> Any:
    """Return the plain values of one part of a file of :func:`write_parts` (None: a miss).

    ``base`` is where its parts start (:func:`part_base`). Only that part is read, and
    its bytes must be the ones written (its sha256).
    """
    return _unpickled(read_part_bytes(path, base, span))


def read_part_bytes(path: Path, base: int, span: Span) -> bytes | None:
    """Return the bytes of one part of a file of :func:`write_parts`, as written (None: not)."""
    offset, length, digest = span
    try:
        handle = os.open(path, os.O_RDONLY)
        try:
            if base + offset + length > os.fstat(handle).st_size:
                return None  # not in this file (nor a read of whatever length a span says)
            part = os.pread(handle, length, base + offset)
        finally:
            os.close(handle)
    except OSError:
        return None
    if len(part) != length or hashlib.sha256(part).digest() != digest:
        return None
    return part


def plain_entry(e: catalog.Entry | None) -> tuple[Any, ...] | None:
    """Return a catalog entry as plain values (None stays None)."""
    return None if e is None else (e.text, e.line, e.forms, e.plural, tuple(sorted(e.flags)))


def entry_of(t: tuple[Any, ...] | None) -> catalog.Entry | None:
    """Return the catalog entry of :func:`plain_entry`'s values."""
    return None if t is None else _entry()(t[0], t[1], t[2], t[3], frozenset(t[4]))


@functools.cache
def _entry() -> type[catalog.Entry]:
    """Return the class of catalog entries (Babel is imported when a cache holds one)."""
    from campaignsync.l10n.catalog import Entry

    return Entry


def plain_diagnostic(d: Diagnostic) -> tuple[Any, ...]:
    """Return a diagnostic as plain values."""
    return (d.code, d.severity.value, d.text, d.file, d.line, d.locale, d.channel)


def diagnostic_of(t: tuple[Any, ...]) -> Diagnostic:
    """Return the diagnostic of :func:`plain_diagnostic`'s values."""
    code, severity, text, file, line, locale, channel = t
    return Diagnostic(code, Severity(severity), text, file, line, locale, channel)


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically whose parts are checked by sha256s kept in a sealed file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, data)


def _write(path: Path, *parts: bytes) -> None:
    # A temporary name and a rename: a reader sees the old shard or the new one. No fsync:
    # a shard lost in a crash is only a miss.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            for part in parts:
                handle.write(part)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
