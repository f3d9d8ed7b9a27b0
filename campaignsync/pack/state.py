"""The no-change test: a fingerprint of a build's inputs, recorded next to the pack it made.

A build whose fingerprint matches the record, and whose pack is as that build
left it, reads and writes nothing (``campaignsync build`` says "Up to date"). Nor
does one whose inputs were only touched: their content is kept too (``pack.contents``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import paths
from campaignsync.pack import contents

if TYPE_CHECKING:
    from campaignsync.pack.runs import Table

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
    #: What the inputs' content is told by (``pack.contents``): the digest of all but the
    #: input files, where they were found (the root, the names), and each one's signature.
    rest: str = ""
    found: tuple[Path, tuple[str, ...]] | None = None
    lines: tuple[str, ...] = ()
    #: campaignsync's own files' signatures (what its content is kept under).
    tool: str = ""

    @property
    def clocked(self) -> bool:
        """Say whether it was taken with the clock (``unsettled`` is all that is unsettled)."""
        return self.since is not None

    def holds(self) -> bool:
        """Return True while each unsettled file still has the content it had."""
        return all(contents.content(path) == sha256 for path, sha256 in self.unsettled)


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
    rest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    rest.update(json.dumps(runtime()).encode())
    since = clock - UNSETTLED_NS if clock is not None else None
    names = tuple(inputs)
    lines = contents.lines_of(root, names)
    tool = contents.signatures(contents.TOOL, (".",))
    digest = hashlib.sha256(rest.digest())
    digest.update("".join((*lines, tool)).encode(errors="surrogateescape"))
    unsettled = contents.changed_after(lines, since)
    return Stamp(
        digest.hexdigest(), unsettled, since, rest.hexdigest(), (root, names), tuple(lines), tool
    )


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

    Its inputs were touched since, none changed (``pack.contents``): the record takes
    their signatures now, so that the next test reads no file again.
    """
    for name, state in states.items():
        try:
            kept = state.get("contents")
            if not print_.lines or not isinstance(kept, dict):
                continue
            digest, files = contents.by_content(print_, kept["files"])
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
        "contents": contents.kept_contents(print_, states.get(name, {}).get("contents")),
    }
    _save(out, states)


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
