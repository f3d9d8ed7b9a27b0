"""An update's whole-pack files, set aside in a temporary file as they are made.

After an edit the gallery's locale pages, the manifest and the scheduler CSVs are
made again: about 300 MB at 500 messages x 26 locales. A clean build stages each in
the new pack as it is made (:class:`campaignsync.pack.staging.Stager`); an update
writes only the changed files, and only once it knows which. Until then each file's
bytes wait in one unnamed temporary file beside the cache (gone with the process,
never a leftover), hashed as they are set aside, and are read back when the writer
compresses or writes them: the update holds the bytes of no more than a few at once.
A big file (the manifest, the CSVs: a third of those bytes) waits alone in a nameless
file of its own, which the writer links into the new pack instead of copying it.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from campaignsync import paths
from campaignsync.errors import BuildError
from campaignsync.pack import writer
from campaignsync.pack.lazy import AsPlain, kept_value, slot_setters
from campaignsync.pack.staging import InThreads

_SHORT = "a file set aside for the pack was cut short"

#: A file this long or longer is set aside alone (:meth:`_Held.alone`): as many as
#: :data:`_ALONE`, and the manifest (the last file) whatever their number.
_ALONE_FROM = 1 << 20
_ALONE = 16
#: How a file with no name is opened (Linux); 0 where the system has no such thing.
_TMPFILE: int = getattr(os, "O_TMPFILE", 0)


class _Held:
    """The temporary file; closed once the pack is written (:meth:`close`).

    Else (a build that stopped first) when no file set aside there is left. Closed, it is
    gone, but for one made :meth:`alone` and linked into the new pack (:meth:`linked`),
    which is the pack's file from then on.
    """

    __slots__ = ("__weakref__", "_closing", "folder", "handle", "linkable")

    def __init__(self, folder: Path, nameless: IO[bytes] | None = None) -> None:
        # Closed by :meth:`close` once the pack is written, else by the finalizer once the
        # last file set aside here is gone (a build that stopped before).
        self.linkable = nameless is not None
        try:
            self.handle: IO[bytes] = (
                nameless if nameless is not None else tempfile.TemporaryFile(dir=folder)  # noqa: SIM115
            )
            self.folder = str(folder)
        except OSError:  # the cache folder gone: the system's temporary folder will do
            self.handle = tempfile.TemporaryFile()  # noqa: SIM115
            self.folder = tempfile.gettempdir()
        self._closing = weakref.finalize(self, self.handle.close)

    @classmethod
    def alone(cls, folder: Path) -> _Held | None:
        """Return a file for one file alone, with no name until linked (None: none can be).

        Linux's ``O_TMPFILE`` without ``O_EXCL`` (so that it can be linked), made with the
        pack's files' mode, which a link keeps; None on another system or file system.
        """
        if not _TMPFILE:
            return None
        try:
            fd = os.open(folder, _TMPFILE | os.O_RDWR, paths.FILE_MODE)
        except OSError:
            return None
        try:
            os.fchmod(fd, paths.FILE_MODE)  # (not the umask's)
            handle = os.fdopen(fd, "w+b")
        except OSError:
            os.close(fd)
            return None
        except BaseException:  # (a Ctrl-C: no descriptor left open)
            os.close(fd)
            raise
        return cls(folder, handle)

    def close(self) -> None:
        """Close the file now. A Ctrl-C in a finalizer is printed and lost: this one's is not."""
        self._closing.detach()
        self.handle.close()

    def linked(self, path: str) -> bool:
        """Give the file (made alone) the name ``path``, which must not exist; say if it could.

        Where it cannot (no ``/proc``, another file system, a name taken), the caller
        copies it (and says what stops that: a name taken, say).
        """
        if not self.linkable:
            return False
        try:  # linkat(2) through /proc, following the descriptor's link (link(2) would not)
            fds = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return False
        try:  # (a link that is there at ``path``, even broken, is not followed: it exists)
            os.link(str(self.handle.fileno()), path, src_dir_fd=fds, follow_symlinks=True)
        except OSError:
            return False
        finally:
            os.close(fds)
        return True

    def copy(self, fd: int, at: int, size: int) -> None:
        """Write ``size`` bytes from ``at`` to ``fd``: in the kernel, where it can copy them."""
        paths.copy_range(self.handle.fileno(), fd, at, size, _SHORT)

    def read(self, at: int, size: int) -> bytes:
        data = os.pread(self.handle.fileno(), size, at)
        if len(data) != size:
            raise OSError(f"{_SHORT} ({len(data)} of {size})")
        return data


class SpilledFile(AsPlain, writer.PackFile):
    """A whole-pack file whose bytes wait in the update's temporary file, read when asked for.

    It equals the plain :class:`campaignsync.pack.writer.PackFile` with the same bytes;
    ``dataclasses.replace`` gives a plain one.
    """

    __slots__ = ("_at", "_held", "_size")
    _base = writer.PackFile
    _held: _Held
    _at: int
    _size: int

    @property  # a field of PackFile, read here from the temporary file
    def content(self) -> bytes:
        return self._held.read(self._at, self._size)

    @property
    def size(self) -> int:
        """Return the file's length (its bytes are not read)."""
        return self._size

    def write_into(self, fd: int) -> None:
        """Write the file's bytes to ``fd``, copied from the temporary file in the kernel."""
        self._held.copy(fd, self._at, self._size)

    def create_at(self, path: str) -> None:
        """Create the file at ``path``: the file it was set aside in linked there, else copied."""
        if not self._held.linked(path):
            paths.create(path, self.write_into)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return writer.PackFile, (self.path, self.content)


_SETTERS = slot_setters(SpilledFile, writer.PackFile, ("path", "_held", "_at", "_size"))


class Spiller(InThreads):
    """Sets whole-pack files aside as they are made, each written and hashed in a thread."""

    def __init__(self, folder: Path, hashed: Mapping[str, writer.Member]) -> None:
        super().__init__()
        #: The files hashed already when they were made (``Kept.hashed``): not hashed again.
        self.hashed = hashed
        self._folder = folder
        self._held = _Held(folder)
        self._end = 0
        #: The big files' own temporary files (see :data:`_ALONE_FROM`).
        self._alone: list[_Held] = []

    def add(self, rel: str, data: bytes) -> writer.PackFile:
        """Set one file aside, hashed in a thread; return it (its bytes read back when asked).

        Empty bytes stand for a file taken from the last pack by reference: returned as
        they are, with no member (theirs is the last pack's: pack.kept).
        """
        if not data:
            return writer.PackFile(rel, data)
        made, held, at = self._reserved(rel, len(data))
        self._hand(self._put, rel, data, held, at)
        return made

    def last(self, rel: str, data: bytes | writer.Parts) -> tuple[writer.PackFile, writer.Member]:
        """Set a file aside now (the last one: the manifest); return it and its member.

        It is written in a thread while this one hashes it. Given as its parts (the
        manifest spliced after an edit), it is written and hashed part by part, never
        joined here: the last manifest's bytes are held once, not twice.
        """
        from concurrent.futures import ThreadPoolExecutor

        parts = (data,) if isinstance(data, bytes) else data
        made, held, at = self._reserved(rel, sum(map(len, parts)), last=True)
        with ThreadPoolExecutor(1) as pool:
            written = pool.submit(self._write_parts, parts, held, at)
            member = writer.digest_parts(parts)
            written.result()  # (raises what stopped it)
        return made, member

    def _write_parts(self, parts: writer.Parts, held: _Held, at: int) -> None:
        for part in parts:
            self._write(part, held, at)
            at += len(part)

    def close(self) -> None:
        """Close the temporary files (once the files set aside there are written)."""
        for held in (self._held, *self._alone):
            held.close()

    def _reserved(
        self, rel: str, size: int, last: bool = False
    ) -> tuple[writer.PackFile, _Held, int]:
        """Return the file set aside, where it goes and at what offset there."""
        alone = None
        if size >= _ALONE_FROM and (len(self._alone) < _ALONE or last):
            alone = _Held.alone(self._folder)
        if alone is not None:
            held, at = alone, 0
            self._alone.append(held)
        else:
            held, at, self._end = self._held, self._end, self._end + size
        made: writer.PackFile = kept_value(SpilledFile, _SETTERS, (rel, held, at, size))
        return made, held, at

    def _put(self, rel: str, data: bytes, held: _Held, at: int) -> dict[str, writer.Member]:
        self._write(data, held, at)
        known = self.hashed.get(rel)
        if known is None or known.size != len(data):
            known = writer.digest(data)
        return {rel: known}

    def _write(self, data: bytes | memoryview, held: _Held, at: int) -> None:
        fd, view = held.handle.fileno(), memoryview(data)
        try:
            while view:  # each thread writes its own part of the file: no lock is needed
                written = os.pwrite(fd, view, at)
                view, at = view[written:], at + written
        except OSError as exc:
            raise BuildError(
                f"cannot set the new pack's files aside in {held.folder}: "
                f"{exc.strerror or exc}; the previous pack is unchanged"
            ) from None
