"""The render cache's files: a shard per message, and the bytes of its units in body files.

A message's shard (``<message>.units``, :mod:`campaignsync.pack.cache`) holds what a
build reads of each of its units: paths, members, manifest rows, counts, what its
gallery cards show. The bytes, three quarters of it by size (the outputs' and the
cards' HTML), are in the message's body files (``<message>.<checksum>.body``): one
per save that rendered some of its units, named in the shard with the checksum each
was written with. An output taken from the cache is a :class:`KeptOutput`, whose
``content`` reads its body file the first time it is asked for (the zip written
whole, a check), checked against that checksum; a card, a :class:`KeptDrawn`, reads
its HTML so. A build after an edit reads only the bytes it writes again.

A body file gone or changed when it is read (another build saved over it) raises
:class:`Unreadable`: the build is made again without that message's units.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from campaignsync.errors import BuildError
from campaignsync.l10n import catalog
from campaignsync.model import Measure, Output, Translated
from campaignsync.pack import sealed
from campaignsync.pack.gallery import Drawn

SUFFIX = ".body"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unit:
    """What rendering one message x locale gave, and everything it read from the catalogs."""

    outputs: tuple[Output, ...]
    #: Each output's pack member without its compressed bytes: (sha256, crc, size, method),
    #: None where the unit was rendered for ``check`` only.
    members: tuple[tuple[str, int, int, int] | None, ...]
    #: Each catalog look-up and its answer as :func:`sealed.plain_entry` gives it, pickled
    #: (:func:`sealed.packed`): read only when a catalog the unit read has changed.
    packed_log: bytes
    #: The digest of each catalog the unit read, so that unchanged catalogs skip the log.
    catalogs: tuple[tuple[str, str], ...]
    #: Each output's manifest row as written (None where the member is unknown).
    lines: tuple[str | None, ...] = ()
    #: The unit's gallery cards, once a build has drawn them (None until then).
    drawn: tuple[Drawn, ...] | None = None

    @property
    def plain_log(self) -> tuple[tuple[tuple[str, str, str], tuple[Any, ...] | None], ...]:
        """Return the catalog look-ups and their answers; raise ValueError if not such."""
        with contextlib.suppress(Exception):  # passed its shard's checksum, yet not a log
            log = sealed.unpacked(self.packed_log)
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
    def log(self) -> tuple[tuple[tuple[str, str, str], catalog.Entry | None], ...]:
        """Return the catalog look-ups with their answers as entries."""
        return tuple((key, sealed.entry_of(entry)) for key, entry in self.plain_log)


class Unreadable(Exception):
    """A body file a shard names is gone or is no longer the one it was written as."""

    def __init__(self, message_id: str, path: Path) -> None:
        super().__init__(f"the render cache's {path.name} changed while it was read")
        self.message_id = message_id
        self.path = path


def retried(run: Callable[[], T]) -> T:
    """Return what ``run`` gives; if a body file it read was gone, run it once more without it.

    The message whose body file it was loses its shard (its units are rendered again).
    Gone twice (another build saving over this cache all along): a BuildError.
    """
    try:
        return run()
    except Unreadable as gone:
        (gone.path.parent / f"{gone.message_id}.units").unlink(missing_ok=True)
    try:
        return run()
    except Unreadable as gone:
        raise BuildError(
            f"the render cache in {gone.path.parent} changed while it was read "
            "(another build saving there?); run the command again"
        ) from None


#: What a body file holds of one unit: each output's bytes, and each card's HTML and section.
Held = tuple[tuple[bytes, ...], tuple[tuple[bytes, bytes], ...]]


class Bodies:
    """One body file: the bytes of some units of one message, read once, when first asked for."""

    __slots__ = ("_units", "checksum", "key", "message_id", "path", "where")

    def __init__(
        self, path: Path, checksum: str, where: bytes | None, key: str, message_id: str
    ) -> None:
        self.path = path
        self.checksum = checksum
        self.where = where
        self.key = key
        self.message_id = message_id
        self._units: tuple[Held, ...] | None = None

    def intact(self) -> bool:
        """Say whether the file's head names the checksum the shard recorded (payload not read)."""
        return sealed.checksum_of(self.path, self.where, self.key) == self.checksum

    def unit(self, at: int) -> Held:
        """Return what the file holds of the unit at ``at``; raise Unreadable if not there."""
        if self._units is None:
            found = sealed.read_sealed(self.path, self.where, self.key, self.checksum)
            if not _well_formed(found):
                raise Unreadable(self.message_id, self.path)
            self._units = found
        try:
            return self._units[at]
        except IndexError:
            raise Unreadable(self.message_id, self.path) from None


def _well_formed(found: Any) -> bool:
    return isinstance(found, tuple) and all(
        isinstance(unit, tuple)
        and len(unit) == 2
        and all(isinstance(b, bytes) for b in unit[0])
        and all(len(c) == 2 and all(isinstance(b, bytes) for b in c) for c in unit[1])
        for unit in found
    )


class _Kept:
    """Where a value taken from the render cache finds its bytes: a body file, a unit, a place."""

    __slots__ = ()
    _bodies: Bodies
    _at: int
    _index: int

    def kept_in(self) -> tuple[Bodies, int]:
        """Return the body file holding this value's bytes, and its unit's place there."""
        return self._bodies, self._at


class KeptOutput(_Kept, Output):
    """An output taken from the render cache, its bytes read from its body file when asked for.

    Everything else is held as for any output. ``dataclasses.replace`` and pickling
    give a plain :class:`Output` (with the bytes).
    """

    __slots__ = ("_at", "_bodies", "_index")

    @property  # a field of Output, read here from the body file
    def content(self) -> bytes:
        return self._bodies.unit(self._at)[0][self._index]

    def __new__(cls, *args: Any, **kwargs: Any) -> Output:  # type: ignore[misc]
        return Output(*args, **kwargs)  # what replace() makes: a plain output

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Output, tuple(getattr(self, name) for name in Output.__slots__)


class KeptDrawn(_Kept, Drawn):
    """A gallery card taken from the render cache, its HTML read from its body file when asked."""

    __slots__ = ("_at", "_bodies", "_index")

    @property  # a field of Drawn, read here from the body file
    def html(self) -> bytes:
        return self._bodies.unit(self._at)[1][self._index][0]

    @property  # a field of Drawn, read here from the body file
    def section(self) -> bytes:
        return self._bodies.unit(self._at)[1][self._index][1]

    def __new__(cls, *args: Any, **kwargs: Any) -> Drawn:  # type: ignore[misc]
        return Drawn(*args, **kwargs)  # what replace() makes: a plain card

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Drawn, tuple(getattr(self, name) for name in Drawn.__slots__)


def _setters(kind: type, base: Any, lazy: tuple[str, ...]) -> tuple[Any, ...]:
    # Outputs and cards are frozen: their slots are filled through the slots' own descriptors.
    held = tuple(getattr(base, name).__set__ for name in base.__slots__ if name not in lazy)
    return held + tuple(getattr(kind, name).__set__ for name in ("_bodies", "_at", "_index"))


_OUTPUT = _setters(KeptOutput, Output, ("content",))
_DRAWN = _setters(KeptDrawn, Drawn, ("html", "section"))
#: The fields a shard holds of an output and of a card (their bytes are in the body file).
OUTPUT_FIELDS = tuple(name for name in Output.__slots__ if name != "content")
DRAWN_FIELDS = tuple(name for name in Drawn.__slots__ if name not in ("html", "section"))


def _made(kind: type[_Kept], setters: tuple[Any, ...], values: tuple[Any, ...]) -> Any:
    made = object.__new__(kind)
    for put, value in zip(setters, values, strict=True):
        put(made, value)
    return made


def kept_in(unit: Unit, folder: Path) -> tuple[Bodies, int] | None:
    """Return where all a unit's bytes are kept in ``folder`` (None: not all of them there)."""
    held = [*unit.outputs, *(unit.drawn or ())]
    places = {x.kept_in() if isinstance(x, _Kept) else None for x in held}
    if len(places) != 1:
        return None
    (place,) = places
    if place is None or place[0].path.parent != folder:
        return None
    return place


def write(folder: Path, message_id: str, key: str, units: list[Held]) -> Bodies:
    """Write a body file of ``units`` (each unit's bytes) and return it."""
    path, checksum = sealed.write_named(
        folder, lambda checksum: f"{message_id}.{checksum[:24]}{SUFFIX}", key, tuple(units)
    )
    return Bodies(path, checksum, sealed.folder_id(folder), key, message_id)


def _body_name(name: Any, message_id: str) -> bool:
    """Say whether ``name`` is one of the message's body files' names (no other path)."""
    return (
        isinstance(name, str)
        and name.startswith(f"{message_id}.")
        and name.endswith(SUFFIX)
        and "/" not in name
        and "\\" not in name
    )


def by_message(folder: Path) -> dict[str, list[str]]:
    """Return the body files in ``folder``, by message id."""
    found: dict[str, list[str]] = {}
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return found
    for name in names:
        if name.endswith(SUFFIX) and not name.startswith("."):
            found.setdefault(name[: -len(SUFFIX)].rpartition(".")[0], []).append(name)
    return found


def remove(folder: Path, names: Iterable[str]) -> None:
    """Delete body files no shard names any longer."""
    for name in names:
        (folder / name).unlink(missing_ok=True)


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
    plain: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for tag, (message_key, unit) in units.items():
        place = kept_in(unit, folder)
        if place is None:
            where = (-1, len(fresh))
            cards = tuple((d.html, d.section) for d in unit.drawn or ())
            fresh.append((tuple(o.content for o in unit.outputs), cards))
        else:
            name = (place[0].path.name, place[0].checksum)
            where = (files.setdefault(name, len(files)), place[1])
        plain[tag] = (message_key, _plain_unit(unit, where))
    named = list(files)
    if fresh:
        made = write(folder, message_id, key, fresh)
        named.append((made.path.name, made.checksum))
        for tag, (message_key, u) in plain.items():
            if u[-1][0] == -1:
                plain[tag] = (message_key, (*u[:-1], (len(named) - 1, u[-1][1])))
    return tuple(named), plain


def units_of(
    shard: Any, folder: Path, where: bytes | None, key: str, message_id: str
) -> dict[str, tuple[str, Unit]] | None:
    """Return a shard's units (None: not a shard, or a body file it names is not there)."""
    try:
        files, plain = shard
        if not all(_body_name(name, message_id) for name, _ in files):
            return None
        kept = [Bodies(folder / name, checksum, where, key, message_id) for name, checksum in files]
        if not all(b.intact() for b in kept):
            return None
        return {tag: (k, _unit(u, kept)) for tag, (k, u) in plain.items()}
    except Exception:  # a file that passed its checksum but is not a shard: a miss all the same
        return None


def _plain_measure(m: Measure | None) -> tuple[Any, ...] | None:
    if m is None:
        return None
    also = tuple(_plain_measure(a) for a in m.also)
    return (m.length, m.limit, m.unit, m.encoding, m.segments, also, m.padding)


def _measure(t: tuple[Any, ...] | None) -> Measure | None:
    if t is None:
        return None
    also = tuple(_measure(a) for a in t[5])
    return Measure(t[0], t[1], t[2], t[3], t[4], also, t[6])  # type: ignore[arg-type]


def _plain_unit(unit: Unit, where: tuple[int, int]) -> tuple[Any, ...]:
    tables: dict[int, int] = {}
    fields_table: list[tuple[Any, ...]] = []
    outputs = []
    for o in unit.outputs:
        if id(o.fields) not in tables:
            tables[id(o.fields)] = len(fields_table)
            fields_table.append(tuple((n, (t.text, t.locale, t.origin)) for n, t in o.fields))
        outputs.append(
            (o.message, o.locale, o.channel, o.path, o.translated, o.fallbacks,
             _plain_measure(o.measure), tables[id(o.fields)], o.readability, o.links)
        )  # fmt: skip
    drawn = None if unit.drawn is None else tuple(_plain_drawn(d) for d in unit.drawn)
    return (tuple(outputs), tuple(fields_table), unit.members, unit.packed_log, unit.catalogs,
            unit.lines, drawn, where)  # fmt: skip


def _plain_drawn(d: Drawn) -> tuple[Any, ...]:
    return tuple(getattr(d, name) for name in DRAWN_FIELDS)


def _unit(plain: tuple[Any, ...], kept: list[Bodies]) -> Unit:
    outputs, fields_table, members, log, catalogs, lines, drawn, (file, at) = plain
    table = [tuple((n, Translated(*t)) for n, t in f) for f in fields_table]
    bodies = kept[file]  # an IndexError, like any other fault here, makes the shard a miss
    made = tuple(
        _made(KeptOutput, _OUTPUT,
              (m, loc, ch, path, tr, fb, _measure(me), table[fi], c, ln, bodies, at, index))
        for index, (m, loc, ch, path, tr, fb, me, fi, c, ln) in enumerate(outputs)
    )  # fmt: skip
    if len(lines) != len(made) or len(members) != len(made):
        raise ValueError("a unit's rows do not match its outputs")
    cards = (
        None
        if drawn is None
        else tuple(
            _made(KeptDrawn, _DRAWN, (*d, bodies, at, index)) for index, d in enumerate(drawn)
        )
    )  # a card of another length: a ValueError
    if not isinstance(log, bytes):  # checked when it is read (Unit.plain_log)
        raise ValueError("not a unit's catalog look-ups")
    return Unit(made, members, log, catalogs, lines, cards)
