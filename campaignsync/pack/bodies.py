"""The render cache's body files: the bytes of a message's units, read only when asked for.

A shard (:mod:`campaignsync.pack.shards`) names its message's body files
(``<message>.<checksum>.body``), one per save that rendered some of its units, with
the checksum each was written with, and the span of each unit's part in one of them
(of each of its parts: :mod:`campaignsync.pack.unitrows`). An output taken from the
cache is a :class:`KeptOutput`, whose ``content`` reads its part of the body file
when asked for (the zip written whole, a check), checked against the span's
sha256, unless that unit is among those read last (:data:`HELD_BYTES`); a card, a
:class:`KeptDrawn`, reads its HTML so. A build after an edit reads only the bytes it
writes again.

A body file gone or changed when a unit not held is read (another build saved over
it) raises :class:`~campaignsync.pack.bodyfiles.Unreadable`:
:func:`~campaignsync.pack.bodyfiles.retried` makes the build once more without that
message's shard.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from itertools import count, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache

from campaignsync.model import Measure, Output, Translated
from campaignsync.pack import sealed
from campaignsync.pack.bodyfiles import Unreadable
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.lazy import AsPlain, slot_setters
from campaignsync.pack.sealed import Span

#: What a body file holds of one unit: each output's bytes, each card's HTML and section,
#: its outputs' fields table, packed. In three parts: the bytes with the fields, the cards
#: (a template edit draws the gallery from them alone: a third of the bytes), and its
#: catalog look-ups, packed too (:meth:`Bodies.log`: a catalog edit reads only those).
Held = tuple[tuple[bytes, ...], tuple[tuple[bytes, bytes], ...], bytes]
#: A unit's part of its body file: its outputs' bytes and its fields table, packed.
UnitPart = tuple[tuple[bytes, ...], bytes]
#: A unit's cards' part: each card's HTML and section.
Cards = tuple[tuple[bytes, bytes], ...]


class Bodies:
    """One body file: the bytes of some units of one message, each unit read when asked for.

    A unit's part of the file is read alone (its span, recorded in the shard, and its
    sha256), so a build that asks for every unit's bytes (a template edited, the zip
    written whole) holds only the units it read last (:data:`HELD_BYTES`). The units of
    another build's folder (``build --shard``) are held once read: that folder may
    change or go before this build saves them into its own.
    """

    __slots__ = ("_base", "_held", "_logs", "checksum", "key", "message_id", "path", "where")

    def __init__(
        self, path: Path, checksum: str, where: bytes | None, key: str, message_id: str
    ) -> None:
        self.path = path
        self.checksum = checksum
        self.where = where
        self.key = key
        self.message_id = message_id
        self._held: dict[tuple[Span, int], UnitPart | Cards] | None = {} if where is None else None
        #: The look-ups read: held for another build's folder alone, as ``_held`` is.
        self._logs: dict[Span, bytes] | None = {} if where is None else None
        #: Where the units' parts start, once the head was found to name the checksum.
        self._base: int | None = None

    def intact(self) -> bool:
        """Say whether the file's head names the checksum the shard recorded (payload not read)."""
        self._base = sealed.part_base(self.path, self.where, self.key, self.checksum)
        return self._base is not None

    def unit(self, span: Span) -> UnitPart:
        """Return a unit's outputs' bytes and fields at ``span``; raise Unreadable if not there."""
        return self._part(span, _UNIT)  # type: ignore[return-value]

    def cards(self, span: Span) -> Cards:
        """Return a unit's cards (HTML, section) at ``span``; raise Unreadable if not there."""
        return self._part(span, _CARDS)  # type: ignore[return-value]

    def _part(self, span: Span, kind: int) -> UnitPart | Cards:
        """Return a unit's part of ``kind`` (its bytes and fields, or its cards) at ``span``.

        Held by its kind too: a shard naming one span for both reads it as each, and one is
        not of its shape (Unreadable).
        """
        held = self._held
        name = (span, kind)
        found = held.get(name) if held is not None else _recent((self.checksum, *name))
        if found is None:
            found = sealed.read_part(self.path, self._start(), span)  # each part is checked
            if not _shaped(found, kind):
                raise self._unreadable()
            if held is not None:
                held[name] = found
            else:
                _keep_recent((self.checksum, *name), found)
        return found

    def log(self, span: Span) -> bytes:
        """Return a unit's catalog look-ups, packed, from their own part (or raise Unreadable)."""
        held = self._logs if self._logs is not None else {}
        found = held.get(span) or sealed.read_part_bytes(self.path, self._start(), span)
        if found is None:
            raise self._unreadable()
        held[span] = found
        return found

    def _start(self) -> int:
        """Return where the parts start; raise Unreadable if the file is not the one named."""
        if self._base is None and not self.intact():
            raise self._unreadable()
        return self._base or 0

    def part(self, span: Span, index: int) -> bytes:
        """Return the bytes of a unit's output (by its index) from the unit's part."""
        try:
            return self.unit(span)[0][index]
        except IndexError:  # a shard naming more than its body file holds
            raise self._unreadable() from None

    def card(self, span: Span, index: int) -> tuple[bytes, bytes]:
        """Return a unit's card (by its index): its HTML and section, from the cards' part."""
        try:
            return self.cards(span)[index]
        except IndexError:
            raise self._unreadable() from None

    def _unreadable(self) -> Unreadable:
        return Unreadable(self.message_id, self.path, self.where is not None)


def _size(part: Any) -> int:
    """Return how many bytes a part read holds (its outputs' and fields', or its cards')."""
    if len(part) == 2 and type(part[1]) is bytes:  # a unit's part (cards are pairs)
        return sum(map(len, part[0])) + len(part[1])
    return sum(len(b) for card in part for b in card)


#: How many bytes of units a process holds at most, the parts read last (:meth:`Bodies.unit`,
#: :meth:`Bodies.cards`): a page or a check asks for a unit's bytes several times in a row;
#: a zip written in path order goes through a locale's units once per channel (500 x 35 KB
#: at 500 messages), and the writer's threads may ask at once. A forked process holds less:
#: it goes through its units message by message, on top of the pages it shares with this one.
HELD_BYTES, HELD_FORKED = 24 * 1024 * 1024, 8 * 1024 * 1024
_RECENT: LRUCache[tuple[str, Span, int], UnitPart | Cards] = LRUCache(HELD_BYTES, getsizeof=_size)
_RECENT_LOCK = threading.Lock()


def _forked() -> None:
    """Start a forked process with none held and its own lock (a thread may hold the parent's)."""
    global _RECENT, _RECENT_LOCK
    _RECENT, _RECENT_LOCK = LRUCache(HELD_FORKED, getsizeof=_size), threading.Lock()


os.register_at_fork(after_in_child=_forked)


def _recent(name: tuple[str, Span, int]) -> UnitPart | Cards | None:
    with _RECENT_LOCK:
        return _RECENT.get(name)


def _keep_recent(name: tuple[str, Span, int], unit: UnitPart | Cards) -> None:
    with _RECENT_LOCK, contextlib.suppress(ValueError):  # a unit larger than all: not held
        _RECENT[name] = unit


def forget_recent() -> None:
    """Let go of the units read last: a build reads its own (a file gone since is Unreadable)."""
    with _RECENT_LOCK:
        _RECENT.clear()


#: The kinds of a unit's parts (but its look-ups'): its bytes and fields, its cards.
_UNIT, _CARDS = 0, 1


def _shaped(part: Any, kind: int) -> bool:
    """Say whether a part read is of its kind (:data:`UnitPart`, :data:`Cards`)."""
    if not isinstance(part, tuple):
        return False
    if kind == _UNIT:
        return (len(part) == 2 and isinstance(part[0], tuple)
                and all(isinstance(b, bytes) for b in (*part[0], part[1])))  # fmt: skip
    return all(
        isinstance(c, tuple) and len(c) == 2 and all(isinstance(b, bytes) for b in c) for c in part
    )


class Fields:
    """A unit's table of its outputs' fields, read from its body file when first asked for.

    An output's row holds its place in the table (its unit's outputs share a few), the
    shard how many it holds. A build after an edit reads the fields of few outputs taken
    from the cache: kept packed in the shards, with the look-ups, they were half of their
    bytes to read and hash (and making every unit's had cost a third of reading them).
    """

    __slots__ = ("_bodies", "_count", "_made", "_span")

    def __init__(self, size: int, bodies: Bodies, span: Span) -> None:
        self._count = size
        self._bodies = bodies
        self._span = span
        self._made: tuple[tuple[tuple[str, Translated], ...], ...] | None = None

    def __getitem__(self, at: int) -> tuple[tuple[str, Translated], ...]:
        made = self._made
        if made is None:
            packed = self._bodies.unit(self._span)[1]
            try:
                plain = sealed.unpacked(packed)
                made = tuple(tuple((n, Translated(*t)) for n, t in f) for f in plain)
                if len(made) != self._count:
                    raise ValueError("not as many fields as the shard says")
            except Exception:  # passed its part's checksum, yet not fields: a miss
                raise self._bodies._unreadable() from None  # (see :func:`retried`)
            self._made = made
        return made[at]


#: Where a row's unit is: its body file, its part's span there, its outputs' fields'
#: table, its cards' part's span.
Place = tuple[Bodies, Span, Fields, Span]


class Kept(AsPlain):
    """A value taken from the render cache: its fields read from the shard's row when asked for.

    A shard holds each output and card as a row of plain values (:mod:`pack.unitrows`);
    the value is made from it in one step, and each field is looked up in the row when
    read (a build after an edit reads few of the 250,000 it takes from the cache: making
    each field at once cost more than the unpickling), but the few every pass reads
    (message, locale, channel, path; a card's digest), held in its own slots. The bytes
    (an output's, a card's HTML and section) are read from the unit's body file only when
    asked for. It equals (and hashes as) the plain value with the same fields, as one
    made whole.
    """

    __slots__ = ()
    _row: tuple[Any, ...]
    _place: Place
    _index: int

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self._base, self._fields()  # a plain value, bytes held


def _field(at: int) -> Any:
    """Return a property reading a field from the row at ``at``."""
    return property(lambda self: self._row[at])


class KeptOutput(Kept, Output):
    """An output taken from the render cache, its bytes read from its body file when asked for.

    ``dataclasses.replace`` and pickling give a plain :class:`Output` (with the bytes).
    Its row: each of ``OUTPUT_FIELDS`` in that order, the measure plain (made the first
    time it is read) and the fields as their place in the unit's table, then whether it
    is over any of its limits (``Output.over_limit`` where it was rendered).
    """

    __slots__ = ("_index", "_measured", "_place", "_row")
    _base = Output
    _measured: Measure | None

    @property  # a field of Output, read here from the body file
    def content(self) -> bytes:
        return self._place[0].part(self._place[1], self._index)

    @property  # a field of Output: the unit's fields, shared by its outputs
    def fields(self) -> tuple[tuple[str, Translated], ...]:
        return self._place[2][self._row[FIELDS_AT]]

    @property  # a field of Output, made the first time it is read
    def measure(self) -> Measure | None:
        try:
            return self._measured
        except AttributeError:
            pass
        try:
            made = measure_of(self._row[MEASURE_AT])
        except Exception:  # passed its shard's checksum, yet not a measure: the shard is a
            raise self._place[0]._unreadable() from None  # miss (see :func:`retried`)
        _MEASURED(self, made)
        return made

    @property  # asked of every output of every build: kept in its row where it was rendered
    def over_limit(self) -> bool:
        return self._row[OVER_AT]  # type: ignore[no-any-return]


class KeptDrawn(Kept, Drawn):
    """A gallery card taken from the render cache, its HTML read from its body file when asked.

    Its row: the fields of ``DRAWN_FIELDS``, in that order.
    """

    __slots__ = ("_index", "_place", "_row")
    _base = Drawn

    @property  # a field of Drawn, read here from the body file
    def html(self) -> bytes:
        return self._place[0].card(self._place[3], self._index)[0]

    @property  # a field of Drawn, read here from the body file
    def section(self) -> bytes:
        return self._place[0].card(self._place[3], self._index)[1]


#: The fields a lazy output or card holds (its bytes, or its HTML and section, are read
#: where they were written: a body file here, the staging folder or a spill file there).
OUTPUT_FIELDS = tuple(name for name in Output.__slots__ if name != "content")
DRAWN_FIELDS = tuple(name for name in Drawn.__slots__ if name not in ("html", "section"))
#: How long an output's row is in a shard (see :class:`KeptOutput`), and a card's.
OUTPUT_ROW, DRAWN_ROW = len(OUTPUT_FIELDS) + 1, len(DRAWN_FIELDS)
#: Where an output's row holds its measure (plain), its fields' place in the table, and
#: whether it is over a limit (its last).
MEASURE_AT, FIELDS_AT = OUTPUT_FIELDS.index("measure"), OUTPUT_FIELDS.index("fields")
OVER_AT = len(OUTPUT_FIELDS)


def _read_from_rows(kind: type, names: tuple[str, ...], made_apart: tuple[str, ...]) -> None:
    """Give ``kind`` a property per field of ``names`` (its place in the row), but those apart."""
    for at, name in enumerate(names):
        if name not in made_apart:
            setattr(kind, name, _field(at))


#: The fields of an output, and of a card, that every pass over a build's outputs or cards
#: reads (a dozen passes over 104,000 of each at 500 messages x 26 locales): held in its
#: own slots, not read from its row.
_WHERE = ("message", "locale", "channel", "path")
_CARD_WHERE = (*_WHERE, "digest")
_read_from_rows(KeptOutput, OUTPUT_FIELDS, ("measure", "fields", *_WHERE))
_read_from_rows(KeptDrawn, DRAWN_FIELDS, _CARD_WHERE)
_MEASURED = vars(KeptOutput)["_measured"].__set__
_HELD = {kind: slot_setters(kind, kind._base, ("_row", "_place", "_index"))
         for kind in (KeptOutput, KeptDrawn)}  # fmt: skip
_PUT_WHERE = slot_setters(KeptOutput, Output, _WHERE)
_WHERE_AT = itemgetter(*(OUTPUT_FIELDS.index(name) for name in _WHERE))
_PUT_CARD = slot_setters(KeptDrawn, Drawn, _CARD_WHERE)
_CARD_AT = itemgetter(*(DRAWN_FIELDS.index(name) for name in _CARD_WHERE))
K = TypeVar("K", KeptOutput, KeptDrawn)


def kept_rows(
    kind: type[K],
    rows: Sequence[tuple[Any, ...]],
    place: Place,
    at: tuple[Sequence[Place], Sequence[int]] | None = None,
) -> tuple[K, ...]:
    """Return the outputs or cards of a shard's ``rows``, in order, their unit at ``place``.

    ``at``: each one's place and index, for a unit in parts (:mod:`pack.unitrows`). Each of
    a build's 250,000 is filled through its slots here (``lazy.kept_value``: twice as long).
    """
    new, (put_row, put_place, put_index) = object.__new__, _HELD[kind]
    made = []
    places, indices = at or (repeat(place), count())
    for row, where, index in zip(rows, places, indices, strict=False):  # (lengths checked)
        value = new(kind)
        put_row(value, row)
        put_place(value, where)
        put_index(value, index)
        made.append(value)
    if kind is KeptOutput:  # (a loop each: a generic one over the setters cost more)
        message, locale, channel, path = _PUT_WHERE
        for value, (m, loc, c, p) in zip(made, map(_WHERE_AT, rows), strict=True):
            message(value, m)
            locale(value, loc)
            channel(value, c)
            path(value, p)
    else:
        message, locale, channel, path, digest = _PUT_CARD
        for value, (m, loc, c, p, d) in zip(made, map(_CARD_AT, rows), strict=True):
            message(value, m)
            locale(value, loc)
            channel(value, c)
            path(value, p)
            digest(value, d)
    return tuple(made)


def measure_of(t: tuple[Any, ...] | None) -> Measure | None:
    """Return the measure of a shard's plain values."""
    if t is None:
        return None
    also = tuple(measure_of(a) for a in t[5])
    return Measure(t[0], t[1], t[2], t[3], t[4], also, t[6])  # type: ignore[arg-type]
