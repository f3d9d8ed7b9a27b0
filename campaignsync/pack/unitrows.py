"""A unit's row in its message's shard, and where its bytes are in the body files.

A shard (:mod:`campaignsync.pack.shards`) holds each unit (one message in one locale)
as a row of plain values; the unit's bytes (its outputs', its cards', its outputs'
fields table, its catalog look-ups) are in parts of the message's body files
(:mod:`campaignsync.pack.bodies`), read only when asked for.

A unit rendered whole has all of them in one part, and its row names that part
(:data:`ONE_ROW` values). A unit only some of whose channels rendered again (a template
edited: :mod:`campaignsync.pack.partial`) keeps the other channels' outputs and cards in
the part they were read from, and only the new ones go into the new body file: its row
names its parts, each with its own fields table, and the part and place of each output
and card (:data:`PARTS_ROW` values). So a template edit writes its channel's bytes, not
every channel's again. A unit is written whole again past :data:`MOST_PARTS`, and so is
any unit rendered whole: the bytes left unnamed in a body file are at most those of the
channels since edited, and a body file no part names is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from campaignsync.model import Measure, Output
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
)
from campaignsync.pack.bodyfiles import SUFFIX, body_name
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.shards import Unit

#: A shard: its body files (name, checksum), then each unit by locale (message key, row).
Shard = tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, tuple[Any, ...]]]]
#: A unit in one part: its outputs' rows, how many fields its table holds, members,
#: catalogs, manifest lines, cards' rows, templates, and (file, span, cards' span, log's span).
ONE_ROW = 8
#: A unit in parts: outputs' rows, members, catalogs, manifest lines, cards' rows,
#: templates, its parts (file, span, cards' span, fields in its table), its outputs'
#: parts and indices (two tuples), its cards' (None: no cards), its look-ups' (file, span).
PARTS_ROW = 10
#: The most parts a unit is kept in: one more would write it whole.
MOST_PARTS = 4
#: Where a value's part is the new body file's (see :func:`_laid_out`).
NEW = -1


def plain_shard(
    folder: Path, key: str, message_id: str, units: Mapping[str, tuple[str, Unit]]
) -> Shard:
    """Return a message's units as a shard's plain values, writing the bytes not yet kept.

    Bytes kept in a body file of ``folder`` are named where they are; the others go into
    one new body file.
    """
    files: dict[tuple[str, str], int] = {}
    fresh: list[Held] = []
    logs: list[bytes] = []
    laid = {tag: (k, _laid_out(u, folder, files, fresh, logs)) for tag, (k, u) in units.items()}
    named = list(files)
    spans: list[list[sealed.Span]] = [[], [], []]
    if fresh or logs:
        written, *spans = write_bodies(folder, message_id, key, fresh, logs)
        named.append((written.path.name, written.checksum))
    new = len(named) - 1  # (named only by units with bytes in it)
    return tuple(named), {tag: (k, _row(one, new, *spans)) for tag, (k, one) in laid.items()}


class _Laid(NamedTuple):
    """Where a unit's values are, but the spans in the new body file (see :func:`_row`)."""

    unit: Unit
    #: Its parts, numbered as its values first name them: those kept where they are as
    #: (file, span, cards' span, fields in its table), the new one as None.
    parts: list[tuple[int, sealed.Span, sealed.Span, int] | None]
    #: Its outputs' parts and their indices there, as two tuples; its cards' so.
    outputs_at: tuple[tuple[int, ...], tuple[int, ...]]
    cards_at: tuple[tuple[int, ...], tuple[int, ...]]
    rows: list[tuple[Any, ...]]
    card_rows: list[tuple[Any, ...]]
    #: The new part's place among the new body file's (None: no new part), its fields.
    fresh_at: int | None
    fields: int
    #: The look-ups' (file, span), or (:data:`NEW`, their place among the new logs).
    log_at: tuple[int, Any]


def _laid_out(
    unit: Unit,
    folder: Path,
    files: dict[tuple[str, str], int],
    fresh: list[Held],
    logs: list[bytes],
) -> _Laid:
    """Return where a unit's values are, adding the new bytes to ``fresh`` and ``logs``.

    The body files of ``folder`` it names are added to ``files``. Its parts are numbered
    as its values first name them: saved again as it was read, a unit gives the same row.
    """
    #: Each part by where it is (None: the new one), with its number and its place.
    parts: dict[tuple[str, sealed.Span, sealed.Span] | None, tuple[int, Place | None]] = {}
    outputs_at: list[tuple[int, int]] = []
    cards_at: list[tuple[int, int]] = []
    new_outputs: list[Output] = []
    new_cards: list[Drawn] = []
    cards = unit.drawn or ()
    for values, at, new in ((unit.outputs, outputs_at, new_outputs), (cards, cards_at, new_cards)):
        for value in values:
            if isinstance(value, Kept) and value._place[0].path.parent == folder:
                place = value._place
                name = (place[0].path.name, place[1], place[3])
                at.append((parts.setdefault(name, (len(parts), place))[0], value._index))
            else:
                at.append((parts.setdefault(None, (len(parts), None))[0], len(new)))
                new.append(value)  # type: ignore[arg-type]
    if len(parts) > MOST_PARTS or not parts:  # written whole (or a unit of no values)
        parts = {None: (0, None)}
        outputs_at = [(0, i) for i in range(len(unit.outputs))]
        cards_at = [(0, i) for i in range(len(cards))]
        new_outputs, new_cards = list(unit.outputs), list(cards)

    def number(bodies: Bodies) -> int:  # the body file's in the shard's list
        return files.setdefault((bodies.path.name, bodies.checksum), len(files))

    log = unit.packed_log
    if isinstance(log, bytes) or log[0].path not in {p[0].path for _, p in parts.values() if p}:
        log_at: tuple[int, Any] = (NEW, len(logs))  # (never a file named for its log alone)
        logs.append(unit.log_bytes)
    else:
        log_at = (number(log[0]), log[1])
    laid = [(number(p[0]), p[1], p[3], p[2]._count) if p else None for _, p in parts.values()]
    rows: list[Any] = [v._row if isinstance(v, Kept) else None for v in unit.outputs]
    card_rows: list[Any] = [v._row if isinstance(v, Kept) else None for v in cards]
    fresh_at, count = None, 0
    if None in parts:
        new_rows, held, count = _new_part(new_outputs, new_cards)
        fresh_at = len(fresh)
        fresh.append(held)
        anew = parts[None][0]
        rows = _placed(outputs_at, anew, rows, new_rows)
        card_rows = _placed(cards_at, anew, card_rows, [_plain_drawn(d) for d in new_cards])
    return _Laid(unit, laid, _apart(outputs_at), _apart(cards_at), rows, card_rows, fresh_at,
                 count, log_at)  # fmt: skip


def _placed(
    at: list[tuple[int, int]], anew: int, rows: list[Any], new: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Return the rows of a unit's values: those kept as read, the new (part ``anew``) made."""
    return [new[i] if part == anew else row for (part, i), row in zip(at, rows, strict=True)]


def _apart(at: list[tuple[int, int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Return the values' parts and their indices there, as two tuples."""
    return tuple(p for p, _ in at), tuple(i for _, i in at)


def _row(
    laid: _Laid,
    new: int,
    spans: list[sealed.Span],
    cards: list[sealed.Span],
    logs: list[sealed.Span],
) -> tuple[Any, ...]:
    """Return a unit's row, ``new`` being the new body file's number and ``spans`` its parts'."""
    unit, at = laid.unit, laid.fresh_at
    parts = [p or (new, spans[at], cards[at], laid.fields) for p in laid.parts]  # type: ignore[index]
    log = (new, logs[laid.log_at[1]]) if laid.log_at[0] == NEW else laid.log_at
    drawn = None if unit.drawn is None else tuple(laid.card_rows)
    if _in_one(parts, laid.outputs_at, laid.cards_at, log):
        file, span, cards_span, count = parts[0]
        return (tuple(laid.rows), count, unit.members, unit.catalogs, unit.lines, drawn,
                unit.templates, (file, span, cards_span, log[1]))  # fmt: skip
    cards_at = None if drawn is None else laid.cards_at
    return (tuple(laid.rows), unit.members, unit.catalogs, unit.lines, drawn, unit.templates,
            tuple(parts), laid.outputs_at, cards_at, log)  # fmt: skip


def _in_one(
    parts: list[tuple[Any, ...]],
    outputs_at: tuple[tuple[int, ...], ...],
    cards_at: tuple[tuple[int, ...], ...],
    log: tuple[int, Any],
) -> bool:
    """Say whether a unit's values are its one part's, in order, its look-ups in that file."""
    return (
        len(parts) == 1
        and parts[0][0] == log[0]
        and all(at == tuple(range(len(at))) for at in (outputs_at[1], cards_at[1]))
    )


def _new_part(
    outputs: Sequence[Output], cards: Sequence[Drawn]
) -> tuple[list[tuple[Any, ...]], Held, int]:
    """Return new outputs' rows, their part with their cards', and its fields' count."""
    tables: dict[int, int] = {}
    fields_table: list[tuple[Any, ...]] = []
    rows = []
    for o in outputs:
        if id(o.fields) not in tables:
            tables[id(o.fields)] = len(fields_table)
            fields_table.append(tuple((n, (t.text, t.locale, t.origin)) for n, t in o.fields))
        rows.append(
            (o.message, o.locale, o.channel, o.path, o.translated, o.fallbacks,
             plain_measure(o.measure), tables[id(o.fields)], o.readability, o.links, o.over_limit)
        )  # fmt: skip
    contents = tuple(o.content for o in outputs)
    held = (contents, tuple((d.html, d.section) for d in cards), sealed.packed(tuple(fields_table)))
    return rows, held, len(fields_table)


def plain_measure(m: Measure | None) -> tuple[Any, ...] | None:
    """Return a measure as a shard's plain values (see :func:`bodies.measure_of`)."""
    if m is None:
        return None
    also = tuple(plain_measure(a) for a in m.also)
    return (m.length, m.limit, m.unit, m.encoding, m.segments, also, m.padding)


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
        return {tag: (k, unit_of(u, kept)) for tag, (k, u) in plain.items()}
    except Exception:  # a file that passed its checksum but is not a shard: a miss all the same
        return None


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


def unit_of(plain: tuple[Any, ...], kept: list[Bodies]) -> Unit:
    """Return a unit of a shard's plain values; raise if they are not such (a miss).

    Each output and card is made from its row as it is (:class:`bodies.Kept`): its
    fields are read from the row when asked for, so the rows' shapes are checked here
    (an output's measure and its part's fields table when first read: a bad one raises
    :class:`bodyfiles.Unreadable` then, and the shard is a miss).
    """
    if len(plain) == ONE_ROW:
        outputs, count, members, catalogs, lines, drawn, templates, where = plain
        file, at, cards_at, log_at = where
        parts, outputs_at, cards_at = ((file, at, cards_at, count),), None, None
        log = (file, log_at)
    else:
        outputs, members, catalogs, lines, drawn, templates, parts, outputs_at, cards_at, log = (
            plain
        )
        if not (type(parts) is tuple and outputs_at is not None and type(log) is tuple
                and len(log) == 2 and (cards_at is None) == (drawn is None)):  # fmt: skip
            raise ValueError("not a unit's place in its body files")  # (else its one part's)
    places = [_place(part, kept) for part in parts]  # raise ValueError (a miss) if not parts
    if not places or not (type(log[0]) is int and 0 <= log[0] < len(kept) and _span(log[1])):
        raise ValueError("not a unit's place in its body files")
    if set(map(len, outputs)) - {OUTPUT_ROW} or set(map(type, map(_OVER, outputs))) - {bool}:
        raise ValueError("not a unit's outputs")
    at = _at(outputs_at, len(outputs), places)
    counts = [place[2]._count for place in places]
    fields = set(map(_FIELDS, outputs))  # in C: 143,000 rows a build (an IndexError: a miss)
    fewest = min(counts)
    in_all = all(type(p) is int and 0 <= p < fewest for p in fields)  # not True, nor 1.0
    if not in_all and (
        at is None  # (in parts: each in its own part's table)
        or not all(
            type(f) is int and 0 <= f < where[2]._count
            for f, where in zip(map(_FIELDS, outputs), at[0], strict=True)
        )
    ):
        raise ValueError("not a unit's outputs")
    if set(map(len, filter(None, members))) - {4}:  # sha256, crc, size, method
        raise ValueError("not a unit's members")
    made = kept_rows(KeptOutput, outputs, places[0], at)
    if len(lines) != len(made) or len(members) != len(made):
        raise ValueError("a unit's rows do not match its outputs")
    cards = None
    if drawn is not None:
        if set(map(len, drawn)) - {DRAWN_ROW}:
            raise ValueError("not a unit's cards")
        cards = kept_rows(KeptDrawn, drawn, places[0], _at(cards_at, len(drawn), places))
    if not all(type(a) is type(b) is str for a, b in templates):  # (channel, digest)
        raise ValueError("not a unit's templates")
    # Its look-ups are checked when they are read (Unit.plain_log).
    return Unit(made, members, (kept[log[0]], log[1]), catalogs, lines, cards, templates)


def _place(part: Any, kept: list[Bodies]) -> Place:
    """Return the place of a unit's part (file, span, cards' span, fields); raise if not one."""
    file, at, cards_at, count = part
    if not (type(count) is int and count >= 0):
        raise ValueError("not a unit's fields")
    if not (type(file) is int and 0 <= file < len(kept) and _span(at) and _span(cards_at)):
        raise ValueError("not a unit's place in its body files")  # (-1 would be the last)
    return (kept[file], at, Fields(count, kept[file], at), cards_at)


def _at(at: Any, values: int, places: list[Place]) -> tuple[list[Place], Any] | None:
    """Return each of a unit's values' place and index, in parts (None: in its one part)."""
    if at is None:
        return None
    parts, indices = at
    if not (
        len(parts) == len(indices) == values
        and _counts(parts, len(places) - 1)
        and _counts(indices, None)
    ):
        raise ValueError("not a unit's place in its body files")
    return [places[p] for p in parts], indices


def _counts(numbers: Any, most: int | None) -> bool:
    """Say whether ``numbers`` is a tuple of ints from 0 (to ``most``), in C."""
    return (
        type(numbers) is tuple
        and not set(map(type, numbers)) - {int}
        and (not numbers or (min(numbers) >= 0 and (most is None or max(numbers) <= most)))
    )


def write_bodies(
    folder: Path, message_id: str, key: str, units: list[Held], logs: list[bytes]
) -> tuple[Bodies, list[sealed.Span], list[sealed.Span], list[sealed.Span]]:
    """Write a message's body file of ``units`` (each unit's bytes) and ``logs`` (packed).

    Return it, and each unit's span, its cards' and each log's.
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
