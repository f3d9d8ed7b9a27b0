"""Whole-pack files taken from the last pack while what they were made from is unchanged.

A gallery message page, an email copy or the calendar is the same file as long as its
inputs are: after an edit, only the files of the edited messages are made again. The
index ``<out>/.campaignsync-cache/<pack>/kept.index`` (sealed under the render cache's
key, ``keys.PackKeys.units``: tool, channels, and the config and calendar as units read
them; not the templates, each channel's own settings, the checks' settings nor the rest
of the calendar: each file's inputs name what else it is made of, so a template edit or
a blackout day takes the files that do not depend on it) holds, per pack path, the
digest of the file's inputs and the sha256, crc and size of the bytes made from them. A
file whose inputs are unchanged is taken *by reference*, while the last pack's hashes
(``pack.hashes``, below) still give it the sha256 recorded: its bytes are not read, the
writer copies its member from the last zip, as it does an unchanged output's (see
:attr:`campaignsync.pack.writer.Member.referenced`). Where it cannot, it reads the file
back from the pack folder, and a file changed or removed by hand there makes the build
draw it again (:class:`campaignsync.pack.writer.Stale`). A damaged or missing index is a
miss, never a wrong file.

``kept.pieces`` (sealed the same way) holds parts of whole-pack files as text,
each under a digest of what it is made from, most of them made from one message
(:meth:`Kept.inputs`): the overview's item of a message, a message's lines of a
scheduler CSV, its translation state in a locale. A build keeps only the pieces
it used or made: it writes those that changed since ``kept.pieces.base`` (54 MB at
500 messages), the pieces kept in full, until they are an eighth of them, as below.

Beside it, ``pack.hashes`` holds every file's sha256 as the last build wrote the
pack, sealed under its manifest's sha256: while the manifest is the one that
build recorded (``pack.state``: its size and time), the writer takes the hashes
from there instead of parsing the manifest (18 MB of JSON at 150 messages). It
holds what changed since ``pack.hashes.base``, the hashes kept in full, until
that is an eighth of them: an edit writes a few hundred, not 150,000, and an
update finds them from the paths it changed alone (``PackResult.updated_from``).
``pack.runs``, sealed the same way, holds the zip's members deflated in runs
(:mod:`campaignsync.pack.runs`), so that an update deflates only the changed runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.pack import sealed, state, writer
from campaignsync.pack.based import Based, Delta, delta_after, read_based, save_based
from campaignsync.pack.runs import Table, valid
from campaignsync.pack.writer import UNDECIDED, Member

if TYPE_CHECKING:
    from campaignsync.pack.outputkeys import ByMessage

INDEX = "kept.index"
#: What the index holds of a file: its inputs' digest, then its sha256, crc and size.
Entry = tuple[str, str, int, int]
PIECES = "kept.pieces"
HASHES = "pack.hashes"
#: The hashes a pack's were last kept in full against (``pack.hashes`` holds what changed).
BASE = f"{HASHES}.base"
RUNS = "pack.runs"


@dataclass(slots=True)
class Kept:
    """The files of the last pack by path (:data:`Entry`), and this build's."""

    pack: Path
    index: Path
    key: str
    known: dict[str, Entry] = field(default_factory=dict)
    made: dict[str, Entry] = field(default_factory=dict)
    #: The files taken by reference: their members, their bytes not read.
    members: dict[str, Member] = field(default_factory=dict)
    #: The last pack's sha256 by path, as its build wrote it (None: read its manifest).
    hashes: Mapping[str, str] | None = None
    #: The hashes kept in full that ``hashes`` were kept against (see :data:`Based`), and
    #: what ``hashes`` changed of them (see :data:`Delta`).
    hashes_base: Based | None = None
    hashes_delta: Delta | None = None
    #: The last zip's members deflated in runs (empty: none known).
    runs: Mapping[str, Table] = field(default_factory=dict)
    #: Pieces of whole-pack files (a message of the overview's list) by their inputs' digest:
    #: those of the last build, and those this build used or made.
    pieces: dict[str, str] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)
    #: The pieces kept in full that ``pieces`` were kept against (see :data:`Based`).
    pieces_base: Based | None = None
    #: Each message's digest by id (the render cache's), for pieces made from one message.
    messages: Mapping[str, str] = field(default_factory=dict)
    #: The outputs' members by path: what files and pieces made from outputs are keyed by.
    outputs: Mapping[str, Member] = field(default_factory=dict)
    #: The files made now and hashed to be noted (:meth:`put`): the writer need not again.
    hashed: dict[str, Member] = field(default_factory=dict)
    #: The outputs by message with each message's digest, for pieces made from them.
    by_message: ByMessage | None = None
    #: Each channel's templates' digest (``keys.PackKeys.templates``), which the key does
    #: not hold: what a piece made from outputs is named by with their digest (outputkeys).
    templates: Mapping[str, str] = field(default_factory=dict)

    def take(self, path: str, inputs: str) -> bool:
        """Take the last pack's file at ``path`` by reference if it was made from ``inputs``.

        True when it was, and the last pack still has it as it was made: its member
        (without bytes) is then in :attr:`members`.
        """
        found = self.known.get(path)
        if found is None or found[0] != inputs or not inputs:
            return False
        if self.hashes is None or self.hashes.get(path) != found[1]:
            return False
        self.made[path] = found
        self.members[path] = Member(*found[1:], UNDECIDED, None, referenced=True)
        return True

    def put(self, path: str, inputs: str, data: bytes) -> None:
        """Note a file made now, so that the next build can take it from the pack."""
        if inputs:
            self.note(path, inputs, writer.digest(data))

    def note(self, path: str, inputs: str, member: Member) -> None:
        """Note a file made now and hashed (its ``member``), as :meth:`put` does."""
        if inputs:
            self.hashed[path] = member
            self.made[path] = (inputs, member.sha256, member.crc, member.size)

    def forget(self) -> None:
        """Take no file by reference any more (the last pack's were not as recorded)."""
        self.known.clear()
        self.made.clear()
        self.members.clear()
        self.hashed.clear()

    def piece(self, inputs: str) -> str | None:
        """Return the piece the last build made from the same inputs (None: none)."""
        found = self.pieces.get(inputs)
        if found is not None:
            self.used[inputs] = found
        return found

    def inputs(
        self, message_id: str, names: Iterable[str], blobs: Iterable[tuple[str, bytes]] = ()
    ) -> str:
        """Return the digest of a piece made from one message, ``names`` and some files' bytes.

        Empty when the message's digest is not known: such a piece is not kept.
        """
        known = self.messages.get(message_id)
        if known is None:
            return ""
        sha = hashlib.sha256("\0".join((known, *names)).encode("utf-8", "surrogateescape"))
        for path, data in blobs:
            sha.update(f"\1{path}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            sha.update(data)
        return sha.hexdigest()

    def put_piece(self, inputs: str, text: str) -> None:
        """Note a piece made now, so that the next build can take it."""
        self.used[inputs] = text


def open_kept(
    cache_folder: Path,
    pack: Path,
    key: str,
    load: bool = True,
    messages: Mapping[str, str] | None = None,
    templates: Mapping[str, str] | None = None,
) -> Kept:
    """Return the index of the files kept in ``pack``, written under ``key`` (else empty).

    ``messages`` are the messages' digests by id, that pieces made from one message are
    kept under (without them, no such piece is kept); ``templates`` each channel's
    templates' digest (see :attr:`Kept.templates`).
    """
    index = cache_folder / INDEX
    kept = Kept(pack, index, key, messages=messages or {}, templates=templates or {})
    if load:
        try:
            where = sealed.folder_id(cache_folder)
        except OSError:
            return kept
        kept.known = _index(sealed.read_sealed(index, where, key))
        pieces = read_based(cache_folder / PIECES, where, key)
        if pieces is not None:
            kept.pieces, kept.pieces_base, _ = pieces
        found = _hashes(cache_folder, where, pack)
        if found is not None:
            kept.hashes, kept.hashes_base, kept.hashes_delta = found
            plain = sealed.read_sealed(cache_folder / RUNS, where, kept.hashes["manifest.json"])
            kept.runs = valid(plain) or {}
    return kept


def pack_hashes(cache_folder: Path, pack: Path) -> dict[str, str] | None:
    """Return the sha256 by path of the files of ``pack`` as its last build left it, if kept."""
    try:
        found = _hashes(cache_folder, sealed.folder_id(cache_folder), pack)
    except OSError:
        return None
    return found[0] if found is not None else None


def folder_hashes(folder: Path) -> dict[str, str]:
    """Return the sha256 by path of the files of the pack in ``folder``.

    As its last build kept them when the pack is as it left it (:func:`pack_hashes`),
    else read from its manifest (61 MB of JSON at 500 messages x 26 locales, 1.2-1.5 s).
    """
    from campaignsync.pack import manifest
    from campaignsync.pack.cache import FOLDER

    found = pack_hashes(folder.parent / FOLDER / folder.name, folder)
    return dict(found) if found is not None else manifest.hashes(folder)


def keep_runs(cache_folder: Path, manifest: str, runs: Mapping[str, Table]) -> None:
    """Keep the zip's members deflated in runs, for the pack whose manifest is ``manifest``."""
    sealed.write_sealed(cache_folder / RUNS, manifest, dict(runs))


def _hashes(
    cache_folder: Path, where: bytes, pack: Path
) -> tuple[dict[str, str], Based, Delta] | None:
    """Return the last pack's hashes if its manifest is the one its build recorded.

    Also the base they were kept against, under the sha256 of its manifest, and what they
    changed of it.
    """
    try:
        recorded = state.recorded(pack.parent)[pack.name]
        info = (pack / "manifest.json").stat()
        if [info.st_size, info.st_mtime_ns] != recorded["manifest"]:
            return None
        key = str(recorded["sha256"])
    except (OSError, KeyError, TypeError):
        return None
    found = read_based(cache_folder / HASHES, where, key)
    if found is None:
        return None
    plain, (base_key, _, base), _ = found
    if base.get("manifest.json") != base_key or plain.get("manifest.json") != key:
        return None
    return found


def _index(plain: Any) -> dict[str, Entry]:
    if not isinstance(plain, dict):
        return {}
    shape = (str, str, int, int)
    return {
        path: value
        for path, value in plain.items()
        if isinstance(path, str) and isinstance(value, tuple) and tuple(map(type, value)) == shape
    }


def save_kept(kept: Kept | None, result: state.PackResult | None = None) -> None:
    """Write the index of this build's files (once they are in the pack), if it changed.

    With ``result`` (the pack just written), its files' hashes are kept too.
    """
    if kept is None:
        return
    if kept.made != kept.known:
        sealed.write_sealed(kept.index, kept.key, kept.made)
        kept.known = dict(kept.made)
    if kept.used != kept.pieces:
        path = kept.index.parent / PIECES
        kept.pieces_base, _ = save_based(path, kept.key, kept.used, kept.pieces_base)
        kept.pieces = dict(kept.used)
    if result is not None and result.digests:
        _keep_hashes(kept, result)
        if result.runs != kept.runs:
            keep_runs(kept.index.parent, result.manifest_sha256, result.runs)


def _keep_hashes(kept: Kept, result: state.PackResult) -> None:
    """Keep the hashes of the pack written, if they changed, as what changed of their base.

    After an update of the hashes read, only the paths it changed are looked at.
    """
    update, delta = result.updated_from, None
    if update is not None and update[0] is kept.hashes:
        if not update[1]:
            return  # as they were
        delta = delta_after(kept.hashes_base, kept.hashes_delta, result.digests, update[1])
    elif result.digests == kept.hashes:
        return
    kept.hashes_base, kept.hashes_delta = save_based(
        kept.index.parent / HASHES, result.manifest_sha256, result.digests, kept.hashes_base, delta
    )
    kept.hashes = result.digests
