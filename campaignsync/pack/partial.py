"""Units only some of whose channels render again: those whose templates or settings changed.

A unit (one message in one locale) keeps the digest of what each of its channels
renders from besides the render cache's key: its templates
(``render.templatefiles.channel_digests``) and its own settings in the config
(``[channels.<name>]``: ``keys.PackKeys.templates``). When some of them changed
since, its outputs of the other channels are taken from the render cache as they
are (:func:`without`), only those channels render again, and the unit is kept
whole: the outputs kept and those just made (:func:`merged`), and the catalog
look-ups of both. A unit made so is the one rendering it whole would make, but
for one thing: the look-ups are not kept by channel, so a string a channel's
template no longer marks (``_()``) stays among them until the unit renders whole
again. That costs at most a render more (when that string's entry is edited),
never a wrong unit.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from campaignsync.model import Output
from campaignsync.pack.shards import Unit

if TYPE_CHECKING:
    from campaignsync.pack.cache import Cache


class Part(NamedTuple):
    """What :attr:`Cache.partial` keeps of a unit whose stale channels render again."""

    #: The part kept (:func:`without`).
    kept: Unit
    #: The order of the unit's channels.
    order: tuple[str, ...]
    #: Whether its first card (by channel, as :func:`campaignsync.pack.cards.shown` orders
    #: them: a channel's cards are the same files whatever its templates) is kept.
    first: bool


def partly(cache: Cache) -> dict[tuple[str, str], tuple[frozenset[str], bool]]:
    """Return, by (locale, message id), the channels of each unit to render again.

    With whether a card kept of it is its first, the one with its locale page's section.
    """
    return {
        (tag, message_id): (
            frozenset(part.order) - {o.channel for o in part.kept.outputs},
            part.first,
        )
        for (message_id, tag), part in cache.partial.items()
    }


def split(unit: Unit, stale: set[str]) -> Part:
    """Return what :attr:`Cache.partial` keeps of a unit whose ``stale`` channels render again.

    Its look-ups are read again where the unit is kept whole (``cache.store``), not held
    meanwhile: 13,000 units' after a template edit were 250 MB at the build's peak. The
    cards' bytes are not read.
    """
    order = tuple(dict.fromkeys(o.channel for o in unit.outputs))
    first = min((card.channel for card in unit.drawn or ()), default=None)
    return Part(without(unit, stale), order, first is not None and first not in stale)


def splits(unit: Unit, stale: set[str], complete: bool) -> bool:
    """Say whether a unit can render only its ``stale`` channels again (:func:`split`).

    Not when all are stale, when its look-ups cannot be read back (they are kept with the
    new ones), or in a build when it has no cards yet (the gallery draws a unit's cards
    together, those of the channels kept too).
    """
    if stale.issuperset(c for c, _ in unit.templates) or (complete and unit.drawn is None):
        return False
    try:
        unit.plain_log  # noqa: B018 (read now: a log that is not one is a miss)
    except ValueError:
        return False
    return True


def without(unit: Unit, channels: Set[str]) -> Unit:
    """Return the part of a unit that is not of ``channels`` (those render again)."""
    chosen = [i for i, o in enumerate(unit.outputs) if o.channel not in channels]
    lines = unit.lines or (None,) * len(unit.outputs)
    cards = unit.drawn
    return replace(
        unit,
        outputs=tuple(unit.outputs[i] for i in chosen),
        members=tuple(unit.members[i] for i in chosen),
        lines=tuple(lines[i] for i in chosen),
        drawn=None if cards is None else tuple(d for d in cards if d.channel not in channels),
    )


def merged(
    kept: Unit, order: tuple[str, ...], made: list[tuple[Output, Any, str | None]]
) -> list[tuple[Output, Any, str | None]]:
    """Return a unit's outputs kept and those rendered again, each with its member and row.

    In the order a unit rendered whole has them: by channel (``order``, the unit's),
    each channel's by path.
    """
    lines = kept.lines or (None,) * len(kept.outputs)
    every = [*zip(kept.outputs, kept.members, lines, strict=True), *made]
    return sorted(every, key=lambda row: (order.index(row[0].channel), row[0].path))
