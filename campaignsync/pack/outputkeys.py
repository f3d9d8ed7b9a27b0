"""Each message's outputs as one digest: what pieces made from a message's outputs are kept under.

The whole-pack files made from every output (the scheduler CSVs, the manifest and
its readability scores, the build's tally) are joined from pieces kept per message
(:mod:`campaignsync.pack.kept`), each under the digest of what the message's outputs
are (:meth:`ByMessage.key`): the message's own digest, each output's manifest row
(its path, sha256, size, translation state, fallbacks, links and measure) and the
counts of its long texts. A piece keyed by it reads no more of the outputs than that.

Finding that digest reads every row of the message, so it is kept too, as a piece named
by what the outputs were rendered from besides what the kept pieces' key holds (tool,
channels, the config and calendar as units read them): the message's digest, the locales
built, the digest of every catalog and each channel's templates' digest. While these are
unchanged it is taken without reading an output: after a one-message edit only that
message's rows are read. A message taken whole from the render cache's shard as it was
read has its digest kept under that shard and its locales too: a catalog edit that
changed none of its look-ups leaves the shard, so the digest is taken still (once a
build took it whole from that shard). The others' rows are read and hashed again after a
catalog edit, and a message whose outputs did not change keeps its digest, so its pieces
(made from the bytes of its posts) are taken and no unchanged output's bytes are read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from campaignsync.model import Output

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup
    from campaignsync.pack.kept import Kept


@dataclass(slots=True)
class ByMessage:
    """The outputs of a build by message, with each message's digest (see the module)."""

    outputs: Sequence[Output]
    #: Each output's manifest row as written, by path.
    lines: Mapping[str, str]
    #: Each message's digest, by id ('' where not known: nothing made from it is kept).
    keys: dict[str, str] = field(default_factory=dict)
    #: The outputs of the messages whose rows were read, in path order.
    grouped: dict[str, list[Output]] = field(default_factory=dict)
    #: The outputs of the messages taken whole (by message), and all the others (None: not
    #: known apart: ``outputs`` are gone over).
    apart: Mapping[str, Sequence[Output]] = field(default_factory=dict)
    rest: Sequence[Output] | None = None
    #: Every message's outputs, as they come (once one was asked for).
    _found: dict[str, list[Output]] | None = None

    def key(self, message_id: str) -> str:
        """Return the digest of a message's outputs ('' when not known: keep nothing)."""
        return self.keys.get(message_id, "")

    def of(self, message_id: str) -> list[Output]:
        """Return a message's outputs, in path order."""
        if message_id not in self.grouped:
            self._group({message_id})
        return self.grouped[message_id]

    def _group(self, ids: set[str]) -> None:
        """Find the outputs of the messages ``ids``, in path order.

        Every output is gone over once, the first time: each message's share is kept for
        the next :meth:`of` (a scheduler CSV asks for its partner's messages one by one).
        Those of the messages known apart are not: theirs are taken as they are.
        """
        if self._found is None:
            self._found = {}  # (those known apart are taken from there, below)
            for output in self.outputs if self.rest is None else self.rest:
                mine = self._found.get(output.message)
                if mine is None:
                    mine = self._found[output.message] = []
                mine.append(output)
        for message_id in ids:
            if message_id not in self.grouped:
                found = self._found.get(message_id) or self.apart.get(message_id, ())
                self.grouped[message_id] = sorted(found, key=_path)


def by_message(
    kept: Kept,
    messages: Iterable[str],
    outputs: Sequence[Output],
    lines: Mapping[str, str],
    lookups: Mapping[str, Lookup],
    locales: Iterable[str],
    apart: tuple[Mapping[str, Sequence[Output]], Sequence[Output] | None] = ({}, None),
    shards: Mapping[str, str] = {},
) -> ByMessage:
    """Return the outputs by message with each message's digest, kept or found now.

    ``locales`` are those built (a partial pack's may change while its key does not);
    ``apart`` the outputs of the messages taken whole by message, and the others (None:
    not known apart), as :class:`ByMessage` holds them. ``shards`` name, for messages
    taken whole from the render cache as read, the shard and locales their outputs are
    (``hits.Whole.shard``): their digest is kept under that too, which a catalog edit
    that changed none of their look-ups leaves as it was.
    """
    known = ByMessage(outputs, lines, apart=apart[0], rest=apart[1])
    made_from = _made_from(lookups, locales, kept.templates)
    named: dict[str, tuple[str, ...]] = {}
    for message_id in messages:
        known.keys[message_id] = ""  # until found: every message is named in keys
        if digest := kept.messages.get(message_id):
            shard = shards.get(message_id)
            also = (f"outputs of {digest} shard {shard}",) if shard else ()
            named[message_id] = (f"outputs of {digest} {made_from}", *also)
    missed = set()
    for message_id, names in named.items():
        found = next(filter(None, map(kept.piece, names)), None)  # each name kept while used
        if found is None:
            missed.add(message_id)
            continue
        known.keys[message_id] = found
        for name in names:
            kept.put_piece(name, found)
    if missed:
        known._group(missed)
    for message_id in missed:
        digest = _digest(kept.messages[message_id], known.grouped[message_id], lines)
        known.keys[message_id] = digest
        for name in named[message_id] if digest else ():
            kept.put_piece(name, digest)
    return known


def note_written(kept: Kept, manifest: str) -> None:
    """Note that the pack whose manifest has the sha256 ``manifest`` holds each message's outputs.

    As one piece named by that sha256: the digest of each message's outputs
    (:meth:`ByMessage.key`, which names each output's path and sha256). A later build
    whose outputs of a message have one of these digests, while the last pack is still
    that one, need not compare them with it (``pack.updating``). One piece, not one a
    message: every build writes a new one, and the kept pieces change by two.
    """
    keyed = kept.by_message
    if keyed is not None:
        kept.put_piece(f"written {manifest}", "\n".join(sorted(filter(None, keyed.keys.values()))))


def held_by(kept: Kept, manifest: str) -> set[str]:
    """Return the digests of the outputs of messages noted as held by a pack (by its manifest).

    Empty when none are (see :func:`note_written`).
    """
    found = kept.piece(f"written {manifest}") if manifest else None
    return set(found.split("\n")) if found else set()


def _made_from(
    lookups: Mapping[str, Lookup], locales: Iterable[str], templates: Mapping[str, str]
) -> str:
    """Return a digest of the locales, catalogs (path, bytes' sha256) and channels' templates."""
    catalogs = (f"{tag}\1{found.path}\1{found.digest}" for tag, found in sorted(lookups.items()))
    channels = (f"{channel}\2{made}" for channel, made in sorted(templates.items()))
    text = "\0".join([*sorted(locales), *catalogs, *channels])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _digest(message: str, mine: list[Output], lines: Mapping[str, str]) -> str:
    """Return the digest of a message's outputs ('' when a row is not known)."""
    sha = hashlib.sha256(message.encode())
    for output in mine:
        line = lines.get(output.path)
        if line is None:
            return ""
        # Its long text's counts: made while rendering, held with or without its fields.
        counts = f"\1{output.readability}\0"
        sha.update((line + counts).encode("utf-8", "surrogateescape"))
    return sha.hexdigest()


def _path(output: Output) -> str:
    return output.path
