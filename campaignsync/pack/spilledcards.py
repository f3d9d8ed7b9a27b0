"""The cards a clean build's renderers drew: their HTML in spill files, read back when asked.

A renderer (a worker process, or the parent with ``--jobs 1``) appends each card's HTML
and section to its own spill file of cards in the staging folder and sends the parent a
:class:`SpilledDrawn`, which holds where they are: the parent holds no card's HTML
(hundreds of MB at 100,000 outputs) until a page reads it.

A unit's cards are spilled as its section of the locale page shows them: the section's
part before :data:`~campaignsync.pack.localepages.CARDS`, each card's HTML and a line
break, then the section's part after. A locale page then reads a section whole, in one
read (:meth:`SpilledDrawn.whole_section`), instead of its head and each card apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from campaignsync.pack.bodies import DRAWN_FIELDS
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.lazy import AsPlain, kept_value, slot_setters
from campaignsync.pack.localepages import CARDS
from campaignsync.pack.shown import UNIT

if TYPE_CHECKING:
    from campaignsync.pack.staging import Staging


class Spilled:
    """A spill file of cards the parent has open, and the last stretch of it read.

    The pages read the cards mostly in the order they were spilled (a clean build at
    104,000 outputs: 75 % of the 221,000 reads start where the last one ended, 87 % within
    64 KiB of it), so a stretch is read at once and the next cards are taken from it. A
    spill file is only appended to: what a stretch holds stays true.
    """

    __slots__ = ("at", "fd", "held")

    #: How much is read at once (one stretch held per spill file). A miss reads this much
    #: again: at 104,000 outputs, 256 KiB read 7.6 GB in 29,000 reads (1.8 s of the
    #: build's own process), 32 KiB 1.1 GB in 34,000 (0.7 s), 8 KiB 0.5 GB in 65,000 (0.9 s).
    STRETCH = 32 * 1024

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.at = 0
        self.held = b""

    def read(self, at: int, size: int) -> bytes:
        """Return ``size`` bytes at ``at`` (fewer at the file's end)."""
        start = at - self.at
        if start < 0 or start + size > len(self.held):
            self.held = os.pread(self.fd, max(size, self.STRETCH), at)
            self.at, start = at, 0
        return self.held[start : start + size]


class Cards:
    """A spill file of cards' HTML: where the cards a process drew went (see :func:`spilled`)."""

    __slots__ = ("opened", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        #: The files open for reading, by path: the parent's (:meth:`Staging.close` closes them).
        self.opened: dict[str, Spilled] | None = None

    def read(self, at: int, size: int, whole: bool = False) -> bytes:
        """Return ``size`` bytes at ``at``; ``whole``: read alone, not by stretch (a section)."""
        if self.opened is None:
            with open(self.path, "rb") as handle:
                handle.seek(at)
                return handle.read(size)
        spilled = self.opened.get(self.path)
        if spilled is None:
            spilled = self.opened[self.path] = Spilled(self.path)
        return os.pread(spilled.fd, size, at) if whole else spilled.read(at, size)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Cards, (self.path,)


class SpilledDrawn(AsPlain, Drawn):
    """A card whose HTML and section are in a spill file of the staging, read when asked for.

    A clean build's renderers send these: the parent holds no card's HTML (hundreds of
    MB at 100,000 outputs), only where it is; the locale and message pages read it back.
    """

    __slots__ = ("_cards", "_joined", "_where")
    _base = Drawn
    _cards: Cards
    #: Where the HTML starts and its length.
    _where: tuple[int, int]
    #: On a unit's first card, with its section: where the section starts, the length of
    #: its part before the cards, where it ends, the length of its part after, and how
    #: many cards it holds. None on the others.
    _joined: tuple[int, int, int, int, int] | None

    @property  # a field of Drawn, read here from the spill file
    def html(self) -> bytes:
        return self._cards.read(*self._where)

    @property  # a field of Drawn, read here from the spill file
    def section(self) -> bytes:
        if self._joined is None:
            return b""
        start, head, end, foot, _ = self._joined
        return self._cards.read(start, head) + CARDS.encode() + self._cards.read(end - foot, foot)

    def whole_section(self, cards: Sequence[Drawn]) -> bytes | None:
        """Return the section with ``cards`` in it, read at once if spilled so (else None).

        Only if they are this unit's cards, each where the spill put it: then the bytes
        between are the section's own and the line breaks the section places.
        """
        if self._joined is None:
            return None
        start, head, end, foot, count = self._joined
        at = start + head
        if len(cards) != count:
            return None
        for card in cards:
            if not isinstance(card, SpilledDrawn) or card._cards.path != self._cards.path:
                return None
            if card._where[0] != at:
                return None
            at += card._where[1] + 1
        if at != end - foot:
            return None
        return self._cards.read(start, end - start, whole=True)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        held = tuple(getattr(self, name) for name in DRAWN_FIELDS)
        return _spilled_drawn, (held, self._cards, self._where, self._joined)


_SETTERS = slot_setters(SpilledDrawn, Drawn, (*DRAWN_FIELDS, "_cards", "_where", "_joined"))


def _spilled_drawn(
    held: tuple[Any, ...],
    cards: Cards,
    where: tuple[int, int],
    joined: tuple[int, int, int, int, int] | None,
) -> Drawn:
    return kept_value(SpilledDrawn, _SETTERS, (*held, cards, where, joined))  # type: ignore[no-any-return]


def spilled(staging: Staging, drawn: list[Drawn]) -> list[Drawn]:
    """Append the cards, unit by unit, to this process's spill file of cards.

    Returns the cards holding where they went instead (only this process appends there).
    A unit's cards come together, the first with its section (``gallery.draw``).
    """
    cards = Cards(str(staging.spills / f"{os.getpid()}.cards"))
    cards.opened = staging.opened  # read there by this process only if it is the parent
    made: list[Drawn] = []
    with open(cards.path, "ab") as handle:
        at = handle.tell()
        for unit in _units(drawn):
            head, found, foot = unit[0].section.partition(CARDS.encode())
            if not found:
                head = foot = b""
            start, places = at, []
            handle.write(head)
            at += len(head)
            for card in unit:
                html = card.html
                handle.write(html)
                handle.write(b"\n")
                places.append((at, len(html)))
                at += len(html) + 1
            handle.write(foot)
            at += len(foot)
            joined = (start, len(head), at, len(foot), len(unit)) if found else None
            for card, where in zip(unit, places, strict=True):
                held = tuple(getattr(card, name) for name in DRAWN_FIELDS)
                made.append(_spilled_drawn(held, cards, where, joined))
                joined = None  # the first card's alone
    return made


def _units(drawn: list[Drawn]) -> Iterator[list[Drawn]]:
    """Yield the cards by unit: a card with a section starts one (as do a new locale or message)."""
    unit: list[Drawn] = []
    for card in drawn:
        if unit and (card.section or UNIT(card) != UNIT(unit[0])):
            yield unit
            unit = []
        unit.append(card)
    if unit:
        yield unit
