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
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.l10n import catalog
from campaignsync.model import Output
from campaignsync.pack import sealed
from campaignsync.pack.bodies import (
    DRAWN_FIELDS,
    DRAWN_ROW,
    FIELDS_AT,
    OUTPUT_ROW,
    OVER_AT,
    Bodies,
    Fields,
    Held,
    Kept,
    KeptDrawn,
    KeptOutput,
    Place,
    kept_rows,
    plain_measure,
)
from campaignsync.pack.bodyfiles import SUFFIX, Unreadable, body_name
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
    #: from the cache, where it is: its part of the unit's body file (read when asked for).
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


def named(units: Mapping[str, tuple[str, Unit]]) -> set[str]:
    """Return the names of the body files a message's units' bytes are in.

    A unit read from a shard has all its bytes and its look-ups in one body file (see
    :func:`units_of`).
    """
    logs = [unit.packed_log for _, unit in units.values()]
    return {log[0].path.name for log in logs if not isinstance(log, bytes)}


def kept_in(unit: Unit, folder: Path) -> Place | None:
    """Return where all a unit's bytes (fields and look-ups too) are kept in ``folder``, if so."""
    held = [*unit.outputs, *(unit.drawn or ())]
    places = {x._place if isinstance(x, Kept) else None for x in held}
    if len(places) != 1:
        return None
    (place,) = places
    if place is None or place[0].path.parent != folder:
        return None
    log = unit.packed_log
    if isinstance(log, bytes) or log[0] is not place[0]:
        return None
    for values in (unit.outputs, unit.drawn or ()):  # each at its place in its part, in order
        if any(x._index != at for at, x in enumerate(values) if isinstance(x, Kept)):
            return None
    return place


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
    ) -> Iterator[tuple[str, dict[str, tuple[str, Unit]] | None, Took]]:
        """Yield each chosen message's units (None: a miss), read only if not known as is.

        With them, what builds took of them (kept while they are known, filled by the build).
        """
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
                yield message_id, *self.read[message_id][1:]
                continue
            plain, checksum = next(plains)
            units = units_of(plain, folder, where, key, message_id)
            taken = Took(checksum)
            if units is not None and seen[message_id] is not None:
                names = tuple(sorted(named(units)))
                bodies = tuple(sealed.identity(folder / name) for name in names)
                self.read[message_id] = ((seen[message_id], names, bodies), units, taken)
            yield message_id, units, taken

    def _same(self, message_id: str, known: Identity) -> bool:
        folder = self.place[0]
        shard, named, bodies = known
        found = tuple(sealed.identity(folder / name) for name in named)
        return sealed.identity(folder / f"{message_id}.units") == shard and found == bodies


#: A shard's identity, the names of the body files it names and theirs.
Identity = tuple[tuple[int, ...] | None, tuple[str, ...], tuple[tuple[int, ...] | None, ...]]


# --- a shard's plain values ------------------------------------------------------------

#: A shard: its body files (name, checksum), then each unit by locale (message key, unit).
Shard = tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, tuple[Any, ...]]]]


def plain_shard(
    folder: Path, key: str, message_id: str, units: Mapping[str, tuple[str, Unit]]
) -> Shard:
    """Return a message's units as a shard's plain values, writing the bytes not yet kept.

    A unit whose bytes are in a body file of ``folder`` names it; the others' bytes go
    into one new body file.
    """
    files: dict[tuple[str, str], int] = {}
    fresh: list[Held] = []
    logs: list[bytes] = []
    plain: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for tag, (message_key, unit) in units.items():
        place = kept_in(unit, folder)
        if place is None:
            where: tuple[int, Any, Any, Any] = (-1, len(fresh), None, None)
            row, held = _plain_unit(unit)
            fresh.append(held)
            logs.append(unit.log_bytes)
        else:  # its rows as read (its fields', cards' and look-ups' bytes are not read)
            name = (place[0].path.name, place[0].checksum)
            log_at = unit.packed_log[1]  # (kept_in: in that file)
            where = (files.setdefault(name, len(files)), place[1], place[3], log_at)
            row = _rows_as_read(unit, place[2])
        plain[tag] = (message_key, (*row, where))
    named = list(files)
    if fresh:
        written, spans, card_spans, log_spans = write_bodies(folder, message_id, key, fresh, logs)
        named.append((written.path.name, written.checksum))
        file = len(named) - 1
        for tag, (message_key, u) in plain.items():
            if u[-1][0] == -1:
                at = u[-1][1]
                where = (file, spans[at], card_spans[at], log_spans[at])
                plain[tag] = (message_key, (*u[:-1], where))
    return tuple(named), plain


def units_of(
    shard: Any, folder: Path, where: bytes | None, key: str, message_id: str
) -> dict[str, tuple[str, Unit]] | None:
    """Return a shard's units (None: not a shard, or a body file it names is not there)."""
    try:
        files, plain = shard
        if not all(body_name(name, message_id) for name, _ in files):
            return None
        kept = [Bodies(folder / name, checksum, where, key, message_id) for name, checksum in files]
        if not all(b.intact() for b in kept):
            return None
        return {tag: (k, _unit(u, kept)) for tag, (k, u) in plain.items()}
    except Exception:  # a file that passed its checksum but is not a shard: a miss all the same
        return None


def _plain_unit(unit: Unit) -> tuple[tuple[Any, ...], Held]:
    """Return a unit's row in its shard (but where it is) and what its body file holds of it."""
    tables: dict[int, int] = {}
    fields_table: list[tuple[Any, ...]] = []
    outputs = []
    for o in unit.outputs:
        if id(o.fields) not in tables:
            tables[id(o.fields)] = len(fields_table)
            fields_table.append(tuple((n, (t.text, t.locale, t.origin)) for n, t in o.fields))
        outputs.append(
            (o.message, o.locale, o.channel, o.path, o.translated, o.fallbacks,
             plain_measure(o.measure), tables[id(o.fields)], o.readability, o.links, o.over_limit)
        )  # fmt: skip
    drawn = None if unit.drawn is None else tuple(_plain_drawn(d) for d in unit.drawn)
    row = (tuple(outputs), len(fields_table), unit.members, unit.catalogs, unit.lines, drawn,
           unit.templates)  # fmt: skip
    cards = tuple((d.html, d.section) for d in unit.drawn or ())
    contents = tuple(o.content for o in unit.outputs)
    return row, (contents, cards, sealed.packed(tuple(fields_table)))


def _rows_as_read(unit: Unit, fields: Fields) -> tuple[Any, ...]:
    """Return the row of a unit all of whose values were read from one shard (but where)."""
    outputs = tuple(o._row for o in unit.outputs if isinstance(o, Kept))
    drawn = None if unit.drawn is None else tuple(d._row for d in unit.drawn if isinstance(d, Kept))
    return (outputs, fields._count, unit.members, unit.catalogs, unit.lines, drawn,
            unit.templates)  # fmt: skip


def _span(at: Any) -> bool:
    """Say whether ``at`` is a unit's span in its body file (``sealed.Span``)."""
    return (
        type(at) is tuple
        and len(at) == 3
        and all(type(n) is int and n >= 0 for n in at[:2])
        and type(at[2]) is bytes
        and len(at[2]) == 32
    )


def _plain_drawn(d: Drawn) -> tuple[Any, ...]:
    return tuple(getattr(d, name) for name in DRAWN_FIELDS)


_FIELDS, _OVER = itemgetter(FIELDS_AT), itemgetter(OVER_AT)


def _unit(plain: tuple[Any, ...], kept: list[Bodies]) -> Unit:
    """Return a unit of a shard's plain values; raise if they are not such (a miss).

    Each output and card is made from its row as it is (:class:`bodies.Kept`): its
    fields are read from the row when asked for, so the rows' shapes are checked here
    (an output's measure and its unit's fields table when first read: a bad one raises
    :class:`bodyfiles.Unreadable` then, and the shard is a miss).
    """
    outputs, count, members, catalogs, lines, drawn, templates, where = plain
    file, at, cards_at, log_at = where
    if not (type(count) is int and count >= 0):
        raise ValueError("not a unit's fields")
    if not (type(file) is int and 0 <= file < len(kept) and all(map(_span, where[1:]))):
        raise ValueError("not a unit's place in its body files")  # (-1 would be the last)
    place = (kept[file], at, Fields(count, kept[file], at), cards_at)
    places = set(map(_FIELDS, outputs))  # in C: 143,000 rows a build (an IndexError: a miss)
    if set(map(len, outputs)) - {OUTPUT_ROW} or set(map(type, map(_OVER, outputs))) - {bool}:
        raise ValueError("not a unit's outputs")
    if not all(type(p) is int and 0 <= p < count for p in places):  # not True, nor 1.0, for 1
        raise ValueError("not a unit's outputs")
    if set(map(len, filter(None, members))) - {4}:  # sha256, crc, size, method
        raise ValueError("not a unit's members")
    made = kept_rows(KeptOutput, outputs, place)
    if len(lines) != len(made) or len(members) != len(made):
        raise ValueError("a unit's rows do not match its outputs")
    cards = None
    if drawn is not None:
        if set(map(len, drawn)) - {DRAWN_ROW}:
            raise ValueError("not a unit's cards")
        cards = kept_rows(KeptDrawn, drawn, place)
    if not all(type(a) is type(b) is str for a, b in templates):  # (channel, digest)
        raise ValueError("not a unit's templates")
    # Its look-ups are checked when they are read (Unit.plain_log).
    return Unit(made, members, (kept[file], log_at), catalogs, lines, cards, templates)


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


def write_bodies(
    folder: Path, message_id: str, key: str, units: list[Held], logs: list[bytes]
) -> tuple[Bodies, list[sealed.Span], list[sealed.Span], list[sealed.Span]]:
    """Write a message's body file of ``units`` (each unit's bytes) and their ``logs`` (packed).

    Return it, and each unit's span, its cards' and its log's.
    """
    path, checksum, spans = sealed.write_parts(
        folder,
        lambda checksum: f"{message_id}.{checksum[:24]}{SUFFIX}",
        key,
        [
            *(sealed.packed((contents, fields)) for contents, _, fields in units),
            *(sealed.packed(cards) for _, cards, _ in units),
            *logs,
        ],
    )
    bodies = Bodies(path, checksum, sealed.folder_id(folder), key, message_id)
    count = len(units)
    return bodies, spans[:count], spans[count : 2 * count], spans[2 * count :]
