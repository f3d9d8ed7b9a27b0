"""The cards a clean build's renderers drew: their HTML in spill files, read back when asked.

A renderer (a worker process, or the parent with ``--jobs 1``) appends each card's HTML
and section to its own spill file of cards in the staging folder and sends the parent a
:class:`SpilledDrawn`, which holds where they are: the parent holds no card's HTML
(hundreds of MB at 100,000 outputs) until a page reads it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from campaignsync.pack.bodies import DRAWN_FIELDS
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.lazy import AsPlain, kept_value, slot_setters

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

    def read(self, at: int, size: int) -> bytes:
        """Return ``size`` bytes at ``at``."""
        if self.opened is None:
            with open(self.path, "rb") as handle:
                handle.seek(at)
                return handle.read(size)
        spilled = self.opened.get(self.path)
        if spilled is None:
            spilled = self.opened[self.path] = Spilled(self.path)
        return spilled.read(at, size)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Cards, (self.path,)


class SpilledDrawn(AsPlain, Drawn):
    """A card whose HTML and section are in a spill file of the staging, read when asked for.

    A clean build's renderers send these: the parent holds no card's HTML (hundreds of
    MB at 100,000 outputs), only where it is; the locale and message pages read it back.
    """

    __slots__ = ("_cards", "_where")
    _base = Drawn
    _cards: Cards
    #: Where the HTML starts, its length, then the section's.
    _where: tuple[int, int, int]

    @property  # a field of Drawn, read here from the spill file
    def html(self) -> bytes:
        at, size, _ = self._where
        return self._cards.read(at, size)

    @property  # a field of Drawn, read here from the spill file
    def section(self) -> bytes:
        at, size, more = self._where
        return self._cards.read(at + size, more) if more else b""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        held = tuple(getattr(self, name) for name in DRAWN_FIELDS)
        return _spilled_drawn, (held, self._cards, self._where)


_SETTERS = slot_setters(SpilledDrawn, Drawn, (*DRAWN_FIELDS, "_cards", "_where"))


def _spilled_drawn(held: tuple[Any, ...], cards: Cards, where: tuple[int, int, int]) -> Drawn:
    return kept_value(SpilledDrawn, _SETTERS, (*held, cards, where))  # type: ignore[no-any-return]


def spilled(staging: Staging, drawn: list[Drawn]) -> list[Drawn]:
    """Append the cards' HTML and sections to this process's spill file of cards.

    Returns the cards holding where they went instead (only this process appends there).
    """
    cards = Cards(str(staging.spills / f"{os.getpid()}.cards"))
    cards.opened = staging.opened  # read there by this process only if it is the parent
    made: list[Drawn] = []
    with open(cards.path, "ab") as handle:
        at = handle.tell()
        for card in drawn:
            html, section = card.html, card.section
            handle.write(html)
            handle.write(section)
            held = tuple(getattr(card, name) for name in DRAWN_FIELDS)
            made.append(_spilled_drawn(held, cards, (at, len(html), len(section))))
            at += len(html) + len(section)
    return made
