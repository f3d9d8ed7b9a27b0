"""Input files by signature and by bytes: what the no-change tests read of them.

A file's signature (path, size, mtime, inode: :func:`signatures`) is what the fast test
(``pack.state``) compares; each settled file's sha256 is kept with its signature, so
that inputs touched but not changed (saved unchanged, checked out again, restored by a
CI cache) are told by their bytes (:func:`by_content`), hashing only the files whose
signature is new, as git's index does.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaignsync.pack.state import Stamp

#: campaignsync's own files, all of them: a changed module anywhere makes a build run again.
TOOL = Path(__file__).resolve().parent.parent


def signatures(root: Path, names: Iterable[str]) -> str:
    """Return the stat signatures of ``names`` (relative to ``root``) and of all files below them.

    One line a file or symbolic link (path, size, mtime, inode: :func:`lines_of`), in a
    fixed order; ``__pycache__`` folders are left out, and a name that does not exist
    gives nothing.
    """
    return "".join(lines_of(root, names))


def changed_after(lines: Iterable[str], since: int | None) -> tuple[tuple[str, str], ...]:
    """Return (path, sha256) of each file of ``lines`` changed after ``since`` (ns; None: none)."""
    if since is None:
        return ()
    found = []
    for line in lines:
        path, _, mtime, _ = line.split("\0")
        if int(mtime) > since:  # or in the future: a clock set otherwise
            found.append((path, content(path)))
    return tuple(found)


def lines_of(root: Path, names: Iterable[str]) -> list[str]:
    """Return the signature lines of ``names`` (see :func:`signatures`)."""
    return [line for name in names for line in _signatures(str(root / name))]


#: Each settled input file's signature and sha256, by path, as kept with a build's record:
#: [size, mtime (ns), inode, sha256].
Contents = dict[str, list[Any]]


def by_content(stamp: Stamp, known: Mapping[str, Any]) -> tuple[str, Contents]:
    """Return a digest of the inputs' content and all else ``stamp`` names, and what to keep.

    What a touched file is (saved unchanged, checked out again, restored by a CI cache)
    is told by its bytes, not its signature. Each input file whose signature is the one
    ``known`` keeps (a settled file's: see :class:`Stamp`) is taken by its kept sha256,
    as git's index takes a file; each unsettled one by the sha256 the stamp took; any
    other is read and hashed now. What is returned to keep holds the settled files.
    """
    fresh = dict(stamp.unsettled)
    digest = hashlib.sha256(f"{stamp.rest}\0{_tool_content(stamp.tool)}".encode())
    below = f"{stamp.found[0]}{os.sep}" if stamp.found is not None else ""
    kept: Contents = {}
    for line in stamp.lines:
        path, size, mtime, inode = line[:-1].split("\0")
        signature = [int(size), int(mtime), int(inode)]
        sha256 = fresh.get(path)
        if sha256 is None:
            was: Any = known.get(path)
            same = type(was) is list and len(was) == 4 and was[:3] == signature
            sha256 = was[3] if same and type(was[3]) is str else _hashed(path, *signature)
            kept[path] = [*signature, sha256]
        rel = path.removeprefix(below)  # (another checkout's files at the same paths in it)
        digest.update(f"{rel}\0{sha256}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), kept


#: The sha256 of each settled input file this process hashed, by path and signature: taken
#: again while the file has that signature, as from a record (the no-change test, then the
#: record of the build after it, say), not read again.
_HASHED: dict[tuple[str, int, int, int], str] = {}


def _hashed(path: str, size: int, mtime: int, inode: int) -> str:
    found = _HASHED.get((path, size, mtime, inode))
    if found is None:
        found = _HASHED[(path, size, mtime, inode)] = content(path)
    return found


@functools.lru_cache(maxsize=1)
def _tool_content(signed: str) -> str:
    """Return a digest of campaignsync's own files' paths and bytes (not their signatures).

    Kept while they have the signatures ``signed``: changed, they are read again.
    """
    digest = hashlib.sha256()
    for line in lines_of(TOOL, (".",)):
        path = line.partition("\0")[0]
        digest.update(
            f"{os.path.relpath(path, TOOL)}\0{content(path)}\0".encode(errors="surrogateescape")
        )
    return digest.hexdigest()


def content(path: str) -> str:
    """Return the sha256 of a regular file's bytes; what a link or special file is, else.

    Never follows a link nor waits on a device or pipe (a link to /dev/zero is an input
    the loader refuses, not one to read without end).
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        try:
            return f"link:{Path(path).readlink()}"
        except OSError:
            return ""
    with open(handle, "rb") as file:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return "special"
        return hashlib.file_digest(file, "sha256").hexdigest()


def _signatures(path: str) -> Iterator[str]:
    try:
        info = os.lstat(path)
    except OSError:
        return
    if not stat.S_ISDIR(info.st_mode):
        yield _line(path, info)
        return
    try:
        with os.scandir(path) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError:  # gone since, or unreadable: as os.walk, nothing below it
        return
    for entry in entries:
        if not entry.is_dir(follow_symlinks=False):
            yield _line(entry.path, entry.stat(follow_symlinks=False))
        elif entry.name != "__pycache__":
            yield from _signatures(entry.path)


def _line(path: str, info: os.stat_result) -> str:
    return f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}\n"


def kept_contents(print_: Stamp, last: Any) -> dict[str, Any] | None:
    """Return the inputs' content as a build (or check) that read them keeps it.

    ``last``: what the last one kept (:func:`by_content` takes the files whose signature
    it holds by their sha256). None (nothing kept: a touched input builds again) when an
    input changed while the build ran: it may have read what neither the stamp saw nor
    is there now.
    """
    if not print_.lines or print_.found is None:
        return None
    known = last.get("files") if isinstance(last, dict) else None
    digest, files = by_content(print_, known if isinstance(known, dict) else {})
    # Checked after hashing: a file saved again before or while it was read shows here.
    if lines_of(*print_.found) != list(print_.lines) or not print_.holds():
        return None
    if signatures(TOOL, (".",)) != print_.tool:  # campaignsync itself changed meanwhile
        return None
    return {"digest": digest, "files": files}
