"""The no-change test: a fingerprint of a build's inputs, recorded next to the pack it made.

A build whose fingerprint matches the record, and whose pack is as that build
left it, reads and writes nothing (``campaignsync build`` says "Up to date"). Nor
does one whose inputs were only touched: their content is kept too (:func:`by_content`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import paths

if TYPE_CHECKING:
    from campaignsync.pack.runs import Table

#: campaignsync's own files, all of them: a changed module anywhere makes a build run again.
TOOL = Path(__file__).resolve().parent.parent


STATE_NAME = ".campaignsync-state.json"


@dataclass(frozen=True, slots=True)
class PackResult:
    """What a build wrote (``pack.writer``), or the pack a recorded build left (:func:`current`)."""

    folder: Path
    #: None when the pack was built without its zip (``build --no-zip``).
    archive: Path | None
    files: int
    written: int
    reused: int
    manifest_sha256: str
    #: Every file's sha256 by path, as written (empty when the pack was left as it was).
    digests: Mapping[str, str] = field(default_factory=dict)
    #: The zip's members deflated in runs, by path (see :mod:`campaignsync.pack.runs`).
    runs: Mapping[str, Table] = field(default_factory=dict)
    #: For an update: the last pack's sha256 by path it was made against, and the paths
    #: whose sha256 it changed, added or removed (``digests`` holds the others as they were).
    updated_from: tuple[Mapping[str, str], frozenset[str]] | None = None


#: A file changed less than this before its signature was taken may change again within the
#: same tick of the file system's clock (a few milliseconds on Linux, whole seconds on some
#: file systems) and keep its size, time and inode: its signature alone cannot be trusted.
UNSETTLED_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class Stamp:
    """A build's fingerprint, and the content of the inputs too fresh for it to vouch for."""

    digest: str
    #: (path, sha256) of each input file changed less than UNSETTLED_NS before the
    #: fingerprint was taken, hashed then (before the build read it).
    unsettled: tuple[tuple[str, str], ...] = ()
    #: Taken with the clock: the input files changed before this time (ns) are settled,
    #: their signature vouching for their bytes; ``unsettled`` holds all the others.
    since: int | None = None
    #: What the inputs' content is told by (:func:`by_content`): the digest of all but the
    #: input files, where they were found (the root, the names), and each one's signature.
    rest: str = ""
    found: tuple[Path, tuple[str, ...]] | None = None
    lines: tuple[str, ...] = ()

    @property
    def clocked(self) -> bool:
        """Say whether it was taken with the clock (``unsettled`` is all that is unsettled)."""
        return self.since is not None

    def holds(self) -> bool:
        """Return True while each unsettled file still has the content it had."""
        return all(content(path) == sha256 for path, sha256 in self.unsettled)


def fingerprint(
    root: Path, inputs: Iterable[str], settings: Mapping[str, object], clock: int | None = None
) -> Stamp:
    """Return a digest of everything a build depends on, from file metadata alone.

    It covers the input files and folders (``inputs``, relative to ``root``),
    campaignsync's own code and data, the libraries and Python it runs on
    (:func:`runtime`), and ``settings`` (options, commit, SOURCE_DATE_EPOCH).
    Stat signatures (size, mtime, inode) cost a few microseconds a file, so a
    no-change rebuild never reads or renders anything. The few input files changed
    just before (``UNSETTLED_NS``) are also hashed, so that a later build can tell
    whether they changed again without their signature showing it (as git does
    with "racily clean" files). ``clock`` is the time now, in nanoseconds since the
    epoch (the command line reads it); without it, no file is taken as unsettled.
    """
    unsettled: list[tuple[str, str]] = []
    rest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    rest.update(json.dumps(runtime()).encode())
    since = clock - UNSETTLED_NS if clock is not None else None
    names = tuple(inputs)
    lines = _lines(root, names)
    digest = hashlib.sha256(rest.digest())
    digest.update(signatures(root, names, unsettled, since, lines).encode())
    digest.update(signatures(TOOL, (".",)).encode())
    found = (root, names)
    return Stamp(digest.hexdigest(), tuple(unsettled), since, rest.hexdigest(), found, tuple(lines))


def signatures(
    root: Path,
    names: Iterable[str],
    unsettled: list[tuple[str, str]] | None = None,
    since: int | None = None,
    lines: list[str] | None = None,
) -> str:
    """Return the stat signatures of ``names`` (relative to ``root``) and of all files below them.

    One line a file or symbolic link (path, size, mtime, inode), in a fixed order;
    ``__pycache__`` folders are left out, and a name that does not exist gives nothing.
    To ``unsettled``, each file changed after ``since`` (ns) is added with its sha256.
    ``lines``: those lines, taken already (:func:`_lines`).
    """
    if lines is None:
        lines = _lines(root, names)
    if unsettled is not None and since is not None:
        for line in lines:
            path, _, mtime, _ = line.split("\0")
            if int(mtime) > since:  # or in the future: a clock set otherwise
                unsettled.append((path, content(path)))
    return "".join(lines)


def _lines(root: Path, names: Iterable[str]) -> list[str]:
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
    digest = hashlib.sha256(f"{stamp.rest}\0{_tool_content()}".encode())
    below = f"{stamp.found[0]}{os.sep}" if stamp.found is not None else ""
    kept: Contents = {}
    for line in stamp.lines:
        path, size, mtime, inode = line[:-1].split("\0")
        signature = [int(size), int(mtime), int(inode)]
        sha256 = fresh.get(path)
        if sha256 is None:
            was: Any = known.get(path)
            same = type(was) is list and len(was) == 4 and was[:3] == signature
            sha256 = was[3] if same and type(was[3]) is str else content(path)
            kept[path] = [*signature, sha256]
        rel = path.removeprefix(below)  # (another checkout's files at the same paths in it)
        digest.update(f"{rel}\0{sha256}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest(), kept


@functools.cache
def _tool_content() -> str:
    """Return a digest of campaignsync's own files' paths and bytes (not their signatures)."""
    digest = hashlib.sha256()
    for line in _lines(TOOL, (".",)):
        path = line.partition("\0")[0]
        digest.update(f"{os.path.relpath(path, TOOL)}\0{content(path)}\0".encode())
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


def runtime() -> list[str]:
    """Return what campaignsync runs on: Python's version and every installed library.

    A library is named by its metadata folder on ``sys.path`` (``babel-2.16.0.dist-info``):
    installing, upgrading or removing one changes the list, as ``importlib.metadata``
    would see it, without the cost of importing that (``pack.keys.tool_digest`` does,
    for the render cache).
    """
    found = [sys.version]
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as entries:
                found.extend(sorted(e.name for e in entries if e.name.endswith(_METADATA)))
        except OSError:  # a zip, or a folder that does not exist
            continue
    return found


_METADATA = (".dist-info", ".egg-info")


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


def journal_path(out: Path, campaign: str) -> Path:
    """Return where the journal of an in-place update of ``campaign`` is kept (``pack.journal``)."""
    return out / f".{campaign}.journal"


def current(out: Path, print_: Stamp) -> PackResult | None:
    """Return the pack in ``out`` if a build recorded ``print_`` and left that pack untouched.

    The files that were unsettled when that build took its fingerprint must still
    have the content they had then. A pack with an update committed but not applied in
    full (a build killed halfway, its journal left) is not current: the next build
    finishes the update first, whatever its inputs.
    """
    states = recorded(out)
    for name, state in states.items():
        try:
            if state["fingerprint"] != print_.digest:
                continue
            recorded_ = unsettled_of(state.get("unsettled", []))
            if not Stamp(print_.digest, recorded_).holds():
                return None
            if print_.clocked and recorded_ != print_.unsettled:  # settled since: read no more
                _settle(out, states, name, print_)
            return _left(out, name, state)
        except (OSError, KeyError, TypeError):
            return None
    return _same_content(out, states, print_)


def _left(out: Path, name: str, state: dict[str, Any]) -> PackResult | None:
    """Return the pack ``name`` a build recorded in ``state``, if it is as that build left it.

    Raise OSError, KeyError or TypeError when the record or the pack cannot be read.
    """
    if journal_path(out, name).exists():
        return None
    folder, archive = out / name, out / f"{name}.zip"
    info = (folder / "manifest.json").stat()
    if [info.st_size, info.st_mtime_ns] != state["manifest"]:
        return None
    if state["zip"] is None:  # built without its zip: none may have appeared since
        if archive.exists():
            return None
    else:
        info = archive.stat()
        if [info.st_size, info.st_mtime_ns] != state["zip"]:
            return None
    kept = archive if state["zip"] is not None else None
    return PackResult(folder, kept, state["files"], 0, state["files"], state["sha256"])


def _same_content(out: Path, states: dict[str, dict[str, Any]], print_: Stamp) -> PackResult | None:
    """Return the pack a build recorded from inputs of the same content, if left as it was.

    Its inputs were touched since, none changed (:func:`by_content`): the record takes
    their signatures now, so that the next test reads no file again.
    """
    for name, state in states.items():
        try:
            kept = state.get("contents")
            if not print_.lines or not isinstance(kept, dict):
                continue
            digest, files = by_content(print_, kept["files"])
            if digest != kept["digest"]:
                continue
            found = _left(out, name, state)
            if found is not None:
                state["fingerprint"] = print_.digest
                state["unsettled"] = [list(pair) for pair in print_.unsettled]
                state["contents"] = {"digest": digest, "files": files}
                with contextlib.suppress(OSError):  # not written: only hashed again next time
                    _save(out, states)
            return found
        except (OSError, KeyError, TypeError, AttributeError):
            return None
    return None


def remember(out: Path, print_: Stamp, result: PackResult) -> None:
    """Record the fingerprint of a finished build next to its pack (one record per pack)."""
    from campaignsync.pack import writer

    manifest = (result.folder / "manifest.json").stat()
    archive = result.archive.stat() if result.archive is not None else None
    states = recorded(out)
    name = result.folder.name
    states[name] = {
        "fingerprint": print_.digest,
        "unsettled": [list(pair) for pair in print_.unsettled],
        "files": result.files,
        "sha256": result.manifest_sha256,
        "manifest": [manifest.st_size, manifest.st_mtime_ns],
        "zip": [archive.st_size, archive.st_mtime_ns] if archive is not None else None,
        "zlib": writer.ZLIB_VERSION,
        "contents": kept_contents(print_, states.get(name, {}).get("contents")),
    }
    _save(out, states)


def kept_contents(print_: Stamp, last: Any) -> dict[str, Any] | None:
    """Return the inputs' content as a build (or check) that read them keeps it.

    ``last``: what the last one kept (:func:`by_content` takes the files whose signature
    it holds by their sha256). None (nothing kept: a touched input builds again) when an
    input changed while the build ran: it may have read what neither the stamp saw nor
    is there now.
    """
    if not print_.lines or print_.found is None:
        return None
    if _lines(*print_.found) != list(print_.lines) or not print_.holds():
        return None
    known = last.get("files") if isinstance(last, dict) else None
    digest, files = by_content(print_, known if isinstance(known, dict) else {})
    return {"digest": digest, "files": files}


def forget(out: Path, name: str) -> None:
    """Drop the record of the pack ``name``: what is there is not what it says any more."""
    states = recorded(out)
    if states.pop(name, None) is not None:
        _save(out, states)


def _settle(out: Path, states: dict[str, dict[str, Any]], name: str, print_: Stamp) -> None:
    """Record only the files unsettled now for a pack whose record still holds."""
    states[name]["unsettled"] = [list(pair) for pair in print_.unsettled]
    with contextlib.suppress(OSError):  # not written: only read again next time
        _save(out, states)


def _save(out: Path, states: dict[str, dict[str, Any]]) -> None:
    paths.write_atomic(out / STATE_NAME, (json.dumps(states, sort_keys=True) + "\n").encode())


def unsettled_of(plain: Any) -> tuple[tuple[str, str], ...]:
    """Return recorded unsettled files as (path, sha256); raise TypeError if they are not."""
    pairs = tuple(tuple(pair) for pair in plain)
    if not all(len(p) == 2 and all(isinstance(v, str) for v in p) for p in pairs):
        raise TypeError("not (path, sha256) pairs")
    return pairs


def recorded(out: Path) -> dict[str, dict[str, Any]]:
    """Return the recorded builds in ``out`` by pack name; none if the file is unreadable."""
    try:
        states = json.loads((out / STATE_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(states, dict) or not all(isinstance(v, dict) for v in states.values()):
        return {}
    return states
