"""The render cache's shards: what a build reads of each unit of a message, in plain values.

A message's shard (``<message>.units``, :mod:`campaignsync.pack.cache`) holds each of
its units: paths, members, manifest rows, counts, what its gallery cards show. The
bytes (the outputs' and the cards' HTML, three quarters of the cache by size), and
each unit's outputs' fields and catalog look-ups (half of what was left), are in the
message's body files (:mod:`campaignsync.pack.bodies`), named in the shard with their
checksums, and read only when asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.l10n import catalog
from campaignsync.model import Output
from campaignsync.pack import sealed
from campaignsync.pack.bodies import Bodies
from campaignsync.pack.bodyfiles import Unreadable
from campaignsync.pack.gallery import Drawn

if TYPE_CHECKING:
    from campaignsync.pack.hits import Taken, Whole


@dataclass(frozen=True, slots=True)
class Unit:
    """What rendering one message x locale gave, and everything it read from the catalogs."""

    outputs: tuple[Output, ...]
    #: Each output's pack member without its compressed bytes: (sha256, crc, size, method),
    #: None where the unit was rendered for ``check`` only.
    members: tuple[tuple[str, int, int, int] | None, ...]
    #: Each catalog look-up and its answer as :func:`sealed.plain_entry` gives it, pickled
    #: (:func:`sealed.packed`): read only when a catalog the unit read has changed. Taken
    #: from the cache, where it is: its part of one of the message's body files (read when
    #: asked for).
    packed_log: bytes | tuple[Bodies, sealed.Span]
    #: The digest of each catalog the unit read, so that unchanged catalogs skip the log.
    catalogs: tuple[tuple[str, str], ...]
    #: Each output's manifest row as written (None where the member is unknown).
    lines: tuple[str | None, ...] = ()
    #: The unit's gallery cards, once a build has drawn them (None until then).
    drawn: tuple[Drawn, ...] | None = None
    #: The digest of each of its channels' templates it was rendered with (channel, digest).
    templates: tuple[tuple[str, str], ...] = ()

    @property
    def plain_log(self) -> tuple[tuple[tuple[str, str, str], tuple[Any, ...] | None], ...]:
        """Return the catalog look-ups and their answers; raise ValueError if not such.

        Their part of a body file gone or replaced raises Unreadable (``bodyfiles.retried``).
        """
        packed = self.log_bytes
        with contextlib.suppress(Exception):  # passed its part's checksum, yet not a log
            log = sealed.unpacked(packed)
            read = {key[0] for key, _ in log}  # every catalog the unit read has its look-ups
            if (
                isinstance(log, tuple)
                and read >= {tag for tag, _ in self.catalogs}
                and all(
                    isinstance(k, tuple) and len(k) == 3 and (e is None or len(e) == 5)
                    for k, e in log
                )
            ):
                return log
        raise ValueError("not a unit's catalog look-ups")

    @property
    def log_bytes(self) -> bytes:
        """Return the catalog look-ups packed (read from the body file if kept there)."""
        log = self.packed_log
        return log if isinstance(log, bytes) else log[0].log(log[1])

    @property
    def log(self) -> tuple[tuple[tuple[str, str, str], catalog.Entry | None], ...]:
        """Return the catalog look-ups with their answers as entries."""
        return tuple((key, sealed.entry_of(entry)) for key, entry in self.plain_log)


def read_now(units: Mapping[str, tuple[str, Unit]]) -> bool:
    """Read units taken from another build's folder whole now; say whether all are there.

    They are copied into this cache's own body files when it is saved anyway, and the
    other folder may be cut short (a bad download) or change meanwhile: read later, a
    fault there would be met where nothing can be done but fail.
    """
    try:
        for _, unit in units.values():
            unit.log_bytes  # noqa: B018 (read, and kept by its body file)
            for output in unit.outputs:
                output.content  # noqa: B018 (read, and kept by its body file)
                output.fields, output.measure  # noqa: B018 (made now)
            for card in unit.drawn or ():
                card.html, card.section  # noqa: B018
    except (Unreadable, IndexError):
        return False
    return True


class Known:
    """The shards this process read last from one cache folder, with their files' identities.

    A process that builds again (``preview`` after each save) takes the units of a
    shard whose file, and every body file it names, is the one it read (same inode,
    size and times) from here, instead of reading and unpickling it again: after an
    edit, only the shards the last build wrote are read. Kept for one folder and key.
    """

    last: Known | None = None

    def __init__(self, folder: Path, key: str, where: bytes) -> None:
        self.place = (folder, key, where)
        #: Each message's shard as read: its identity, its units, and what builds took of
        #: them (see :class:`Took`), filled by the builds.
        self.read: dict[str, tuple[Identity, dict[str, tuple[str, Unit]], Took]] = {}

    @classmethod
    def of(cls, folder: Path, key: str, where: bytes) -> Known:
        """Return what was read from ``folder`` under ``key`` (nothing, from another one)."""
        if cls.last is None or cls.last.place != (folder, key, where):
            cls.last = cls(folder, key, where)
        return cls.last

    def units(
        self, chosen: list[str]
    ) -> Iterator[tuple[str, dict[str, tuple[str, Unit]] | None, Took, tuple[str, ...]]]:
        """Yield each chosen message's units (None: a miss), read only if not known as is.

        With them, what builds took of them (kept while they are known, filled by the
        build), and the names of the body files their bytes are in.
        """
        from campaignsync.pack.unitrows import units_of

        folder, key, where = self.place
        self.read = {
            m: self.read[m] for m in chosen if m in self.read and self._same(m, self.read[m][0])
        }
        fresh = [m for m in chosen if m not in self.read]
        seen = {m: sealed.identity(folder / f"{m}.units") for m in fresh}  # before it is read
        # Read in order, each shard turned into units before the next is unpickled.
        plains = sealed.read_all((folder / f"{m}.units" for m in fresh), where, key)
        for message_id in chosen:
            if message_id in self.read:
                known, held, taken = self.read[message_id]
                yield message_id, held, taken, known[1]
                continue
            plain, checksum = next(plains)
            units = units_of(plain, folder, where, key, message_id)
            taken = Took(checksum)
            names = tuple(sorted(name for name, _ in plain[0])) if units is not None else ()
            if units is not None and seen[message_id] is not None:
                bodies = tuple(sealed.identity(folder / name) for name in names)
                self.read[message_id] = ((seen[message_id], names, bodies), units, taken)
            yield message_id, units, taken, names

    def _same(self, message_id: str, known: Identity) -> bool:
        folder = self.place[0]
        shard, named, bodies = known
        found = tuple(sealed.identity(folder / name) for name in named)
        return sealed.identity(folder / f"{message_id}.units") == shard and found == bodies


#: A shard's identity, the names of the body files it names and theirs.
Identity = tuple[tuple[int, ...] | None, tuple[str, ...], tuple[tuple[int, ...] | None, ...]]


class Took(dict[str, "Taken"]):
    """What builds took of a message's units by locale, kept while its shard is known as is.

    With them, all of them at once, as :func:`campaignsync.pack.hits.take_hits` took them
    whole the last time (None until then), and the checksum of the shard they were read
    from ('' when not read from one).
    """

    __slots__ = ("shard", "whole")

    def __init__(self, shard: str = "") -> None:
        super().__init__()
        self.shard = shard
        self.whole: Whole | None = None
