"""manifest.json after an edit: the last pack's manifest with the changed rows put in.

The manifest is a head (the campaign, the source, the readability scores) and one
row per file, sorted by path (61 MB at 500 messages). An edit changes the head and
the rows of the edited message's outputs (one in each locale and channel folder) and
of the few whole-pack files it changes. The build that makes a manifest keeps, as a
piece named by its sha256 (:mod:`campaignsync.pack.kept`), where its rows lie, how
many there are, each message's digest of its outputs with its number of rows
(:mod:`campaignsync.pack.outputkeys`) and a digest of the other files' paths. The next
build reads the last manifest back and checks its sha256 (unless it is the very file this
process wrote or checked: :class:`_Checked`; ``preview``'s process holds the bytes of
one it wrote in an update, so that they are not read either), and takes every row from it
but those of the messages whose outputs' digest changed and of the files whose
sha256 is not the last pack's: each of those is found by bisection (the rows are
sorted by path) and replaced, the rest copied as bytes.

Anything not as recorded (a message or a file added or removed, a message with
another number of rows, a row not found, the manifest changed by hand) makes the
manifest whole again, as a clean build makes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.model import Output
from campaignsync.pack import again, manifest, sealed
from campaignsync.pack.writer import joined

if TYPE_CHECKING:
    from campaignsync.pack.kept import Kept
    from campaignsync.pack.outputkeys import ByMessage
    from campaignsync.pack.writer import Member, PackFile, Parts

#: How a row's path starts: keys are sorted and quotes in values escaped, so only the key's.
_PATH = b'"path": "'


def manifest_of(
    kept: Kept | None,
    head: bytes,
    outputs: Sequence[Output],
    extras: Sequence[PackFile],
    members: Mapping[str, Member],
    lines: Mapping[str, str],
) -> tuple[Parts, str]:
    """Return manifest.json (its ``head``, then the rows) and where its rows lie, to keep.

    The rows are the last manifest's with the changed ones put in, when ``kept`` knows
    it (see the module); else all of them, sorted. The manifest comes as its parts: the
    last one's bytes between the rows put in are not copied (a template edit puts in every
    row, most as they were), and its whole bytes are one part. What is returned to keep is
    to be noted under the manifest's sha256 (:func:`note`); empty: nothing to keep.
    """
    keyed = kept.by_message if kept is not None else None
    if kept is None or keyed is None:
        return (
            manifest.build_manifest_from(head, manifest.rows_of(outputs, extras, members, lines)),
        ), ""
    others = _paths(extras)
    total = len(outputs) + len(extras)
    spliced = _spliced(kept, keyed, head, extras, members, lines, (others, total))
    if spliced is not None:
        document, counts = spliced
    else:
        counts = dict(Counter(o.message for o in outputs))
        rows = manifest.rows_of(outputs, extras, members, lines)
        document = (manifest.build_manifest_from(head, rows),)
    record = {
        "rows": total,
        "start": len(head),
        "end": sum(map(len, document)) - len(manifest.TAIL),
        "others": others,
        "messages": {m: [key, counts.get(m, 0)] for m, key in keyed.keys.items()},
    }
    return document, json.dumps(record, ensure_ascii=False)


def note(kept: Kept | None, sha256: str, record: str) -> None:
    """Keep where the rows of the manifest with that sha256 lie (see :func:`manifest_of`)."""
    if kept is not None and record:
        kept.put_piece(_name(sha256), record)


def _name(sha256: str) -> str:
    return f"rows of manifest.json {sha256}"


def _paths(extras: Sequence[PackFile]) -> str:
    """Return a digest of the paths of the files that are not outputs."""
    text = "\0".join(sorted(f.path for f in extras))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _spliced(
    kept: Kept,
    keyed: ByMessage,
    head: bytes,
    extras: Sequence[PackFile],
    members: Mapping[str, Member],
    lines: Mapping[str, str],
    files: tuple[str, int],
) -> tuple[Parts, dict[str, int]] | None:
    """Return the last manifest with the changed rows put in, and each message's rows.

    ``files``: the digest of the other files' paths, and how many files there are.
    None when the last manifest is not as recorded, or the files are not the same.
    """
    last, old = _last(kept)
    if last is None or (last.get("others"), last.get("rows")) != files:
        return None
    recorded: dict[str, Any] = last.get("messages", {})
    if recorded.keys() != keyed.keys.keys():
        return None  # a message added or removed
    counts = {m: count for m, (_, count) in recorded.items()}
    changed: list[Output] = []
    for message_id, key in keyed.keys.items():
        if not key or recorded[message_id][0] != key:
            mine = keyed.of(message_id)
            if len(mine) != counts[message_id]:
                return None
            changed += mine
    hashes, made = kept.hashes or {}, []
    for f in extras:  # the files whose sha256 is the last pack's have the same row
        member = members.get(f.path)
        if member is None:
            return None
        if member.sha256 != hashes.get(f.path):
            made.append(f)
    rows = sorted(manifest.rows_of(changed, made, members, lines))
    spans = _found(old, [path for path, _ in rows], last["start"], last["end"])
    if spans is None:
        return None
    parts: list[bytes | memoryview] = [head]
    view, at = memoryview(old), last["start"]
    for (start, end), (_, line) in zip(spans, rows, strict=True):
        row = line.encode()
        if view[start:end] == row:  # a template edit puts in every row, most as they were
            continue
        parts += (view[at:start], row)
        at = end
    parts += (view[at : last["end"]], manifest.TAIL)
    return tuple(parts), counts


def _last(kept: Kept) -> tuple[dict[str, Any] | None, bytes]:
    """Return where the last manifest's rows lie, as recorded, and its bytes (else None)."""
    sha256 = (kept.hashes or {}).get("manifest.json")
    text = kept.pieces.get(_name(sha256)) if sha256 else None
    if text is None or sha256 is None:
        return None, b""
    path = kept.pack / "manifest.json"
    try:
        last = json.loads(text)
        held, _Checked.held = _Checked.held, b""  # (a new one is held once written)
        if held and (path, sealed.identity(path), sha256) == _Checked.last:
            old = held  # the file this process wrote, as it wrote it
        else:
            with path.open("rb") as handle:  # the identity of the file whose bytes are read
                seen = (path, sealed.identity_of(os.fstat(handle.fileno())), sha256)
                old = handle.read()
            if seen != _Checked.last and hashlib.sha256(old).hexdigest() != sha256:
                return None, b""
            _Checked.last = seen
    except (OSError, ValueError):
        return None, b""
    if not isinstance(last, dict):
        return None, b""
    start, end = last.get("start"), last.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 < start <= end <= len(old)):
        return None, b""
    if old[end:] != manifest.TAIL:
        return None, b""
    return last, old


class _Checked:
    """The last manifest this process wrote or found as recorded: its path, identity, sha256.

    A process that builds again (``preview`` after each save) does not hash again a
    manifest whose file is the one it wrote or checked (61 MB at full size, 0.035 s):
    the same inode, size and times, its ctime included, which no one sets back. Nor
    does one that builds again (``pack.again``) read the one it wrote in an update
    (0.04 s): its bytes are held (:func:`to_hold`).
    """

    last: tuple[Path, tuple[int, ...], str] | None = None
    #: The bytes of the manifest ``last`` names, when this process wrote it in an update
    #: (b"": none held), until the next build reads them.
    held = b""


def to_hold(kept: Kept | None, document: Parts) -> bytes:
    """Return an update's manifest for this process to hold once written (b"": none)."""
    if kept is None or kept.hashes is None or not again.building_again():
        return b""  # (one that builds once would hold it to its end for nothing)
    return joined(document)


def written(folder: Path, sha256: str, last: str | None, document: bytes = b"") -> None:
    """Note the manifest a build just wrote in the pack ``folder``, with its sha256.

    Called under the write lock, right after the write. Not when it is the last pack's
    (``last``: its sha256): the writer kept it or linked it as it was (or wrote it again,
    where it could not link it), and what is there may have been edited by hand since
    it was checked. ``document``: its bytes (an update's), held while its file is the
    one written, for the next update to put its rows in (b"": none held).
    """
    if sha256 == last:
        return
    path = folder / "manifest.json"
    seen = sealed.identity(path)
    _Checked.last = (path, seen, sha256) if seen is not None else None
    _Checked.held = document if seen is not None else b""


def _found(data: bytes, paths: list[str], start: int, end: int) -> list[tuple[int, int]] | None:
    """Return where the row of each path lies between ``start`` and ``end`` (None: one is not).

    ``paths`` are sorted, as the rows are: each is looked for after the one before, first
    in the next row (edits come in runs), else by bisection.
    """
    spans = []
    lo = start
    for path in paths:
        span = _bisect(data, path, lo, end, end)
        if span is None:
            return None
        spans.append(span)
        lo = span[1] + 2  # after the row's ",\n"
    return spans


def _bisect(data: bytes, path: str, lo: int, hi: int, end: int) -> tuple[int, int] | None:
    """Return the span of the row of ``path`` among the rows starting in [lo, hi) (None: none).

    ``lo`` is where a row starts; rows end with ",\\n", the last one at ``end``.
    """
    first = True
    while lo < hi:
        # The row after the last one found is tried first; then the middle row.
        at = lo if first else data.rfind(b"\n", lo, (lo + hi) // 2) + 1 or lo
        first = False
        stop = data.find(b"\n", at, end)
        stop = end if stop < 0 else stop - 1  # before the ","
        found = _path_of(data[at:stop])
        if found == path:
            return at, stop
        if found is None:
            return None
        if found < path:
            lo = stop + 2
        else:
            hi = at
    return None


def _path_of(row: bytes) -> str | None:
    """Return the path a manifest row names (None: not a row)."""
    at = row.find(_PATH)
    stop = row.find(b'"', at + len(_PATH)) if at >= 0 else -1
    if stop < 0:
        return None
    raw = row[at + len(_PATH) : stop]
    if b"\\" not in raw:
        return raw.decode("utf-8", "surrogateescape")
    try:  # an escaped character in the path: the row read as JSON
        found = json.loads(row).get("path")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None
