"""What the gallery shows of a build, gathered in one pass each over its outputs and cards.

A build hands the gallery every output (150,000 at 500 messages) and every card
(104,000), most of them unchanged by an edit. Each is touched once here: the
outputs for the units built, the email copies and the posts over a limit
(:func:`scan`), the cards to group them by unit (:func:`cards_by_unit`). What the
pages show of a message's cards is then named by one key a message
(:func:`message_keys`), so that every piece made from them is kept per message
(:mod:`campaignsync.pack.kept`) and only an edited message's is made again.

A message all of whose units a build took from the render cache at once
(:class:`campaignsync.pack.hits.Whole`) keeps what these passes made of it there: a
process that builds again (``preview``) goes over the outputs and cards of the
messages it did not take so alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, groupby
from operator import attrgetter
from typing import TYPE_CHECKING

from campaignsync.model import Output

if TYPE_CHECKING:
    from campaignsync.pack.gallery import Drawn
    from campaignsync.pack.hits import Whole

#: The unit (locale, message) an output or card is of: how cards are grouped.
UNIT = attrgetter("locale", "message")
_CHANNEL = attrgetter("channel")
_DIGEST = attrgetter("digest")
_PATH = attrgetter("path")
_OVER = attrgetter("over_limit")


@dataclass(slots=True)
class Scan:
    """What the gallery reads of the outputs, found in one pass over them."""

    #: The (locale, message) pairs built.
    units: set[tuple[str, str]] = field(default_factory=set)
    #: The outputs' paths, except those of the messages taken whole (they find the others' cards).
    paths: set[str] = field(default_factory=set)
    #: The HTML emails, whose copies the gallery shows.
    emails: list[Output] = field(default_factory=list)
    #: The outputs over a limit.
    over: list[Output] = field(default_factory=list)
    #: The outputs of the messages not taken whole (None: every output).
    rest: list[Output] | None = None


@dataclass(slots=True)
class Found:
    """What the passes found of a message taken whole, kept with it (None: not found yet)."""

    scan: Scan | None = None
    #: Its cards by unit, of its outputs.
    cards: dict[tuple[str, str], list[Drawn]] | None = None
    #: The key of its cards (:data:`NO_KEY`: some unit has none, found from ``made`` then).
    key: str | None = None


NO_KEY = ""


def scan(outputs: Iterable[Output], wholes: Sequence[Whole] = ()) -> Scan:
    """Return what the gallery reads of the outputs (each output touched once).

    ``outputs`` are in path order. What the outputs of a message in ``wholes`` give is
    kept with it, and found once.
    """
    if not wholes:
        return _scanned(outputs)
    taken = {whole.message_id for whole in wholes}
    rest = [o for o in outputs if o.message not in taken]
    found = _scanned(rest)
    found.rest = rest
    for whole in wholes:
        part = whole.shown.scan
        if part is None:
            part = whole.shown.scan = _scanned_whole(whole)
        found.units |= part.units
        found.emails += part.emails
        found.over += part.over
    found.emails.sort(key=_PATH)  # in path order, as the outputs come
    found.over.sort(key=_PATH)
    return found


def _scanned(outputs: Iterable[Output]) -> Scan:
    found = Scan()
    unit, path_of = found.units.add, found.paths.add
    emails, over = found.emails.append, found.over.append
    for output in outputs:
        path = output.path
        path_of(path)
        unit((output.locale, output.message))
        if output.over_limit:
            over(output)
        if has_copy(output):
            emails(output)
    return found


def _scanned_whole(whole: Whole) -> Scan:
    """Return what the gallery reads of a message taken whole, unit by unit.

    Without the outputs' paths: its cards are its units' own (:func:`_cards_of`), and the
    paths serve only to find the cards of the other messages' outputs.
    """
    found = Scan()
    for tag, unit in zip(whole.tags, whole.units, strict=True):
        if unit.outputs:  # each of a unit's outputs is of its message in its locale
            found.units.add((tag, whole.message_id))
            found.over += compress(unit.outputs, map(_OVER, unit.outputs))
            found.emails += filter(has_copy, unit.outputs)
    return found


def has_copy(output: Output) -> bool:
    """Say whether the gallery shows a copy of this output: an HTML email."""
    return output.channel == "email" and output.path.endswith(".html")


def cards_by_unit(
    known: Mapping[str, Drawn],
    paths: set[str],
    messages: Mapping[str, object],
    wholes: Sequence[Whole] = (),
) -> dict[tuple[str, str], list[Drawn]]:
    """Return the cards known by (locale, message), of the outputs built and messages shown.

    The cards of a unit come together (the render cache keeps them so): they are
    grouped by runs, in C, and a card of an output no longer built is looked for only
    when there is one. With ``wholes``, ``paths`` are the other messages' outputs'
    (:func:`scan`), whose cards are looked up by path (in any order: a unit's runs are
    joined, and it has one card a channel); those of a message in ``wholes`` are its
    units' own, taken once and kept with it. Each unit's cards are in channel order.
    """
    cards: Iterable[Drawn] = known.values()
    if wholes:  # the others' cards, by their outputs' paths (not every card gone over)
        taken = {whole.message_id for whole in wholes}
        found = (known.get(path) for path in paths)
        cards = [c for c in found if c is not None and c.message not in taken]
    elif not paths.issuperset(known):
        cards = [c for c in cards if c.path in paths]
    made = _grouped(cards, messages)
    for whole in wholes:
        own = whole.shown.cards
        if own is None:
            own = whole.shown.cards = _cards_of(whole, messages)
        made.update((unit, list(of_unit)) for unit, of_unit in own.items())
    return made


def _cards_of(whole: Whole, messages: Mapping[str, object]) -> dict[tuple[str, str], list[Drawn]]:
    """Return the cards of a message taken whole by unit, each unit's in channel order.

    A unit's cards are those drawn of its outputs, all of which a message taken whole
    builds (``gallery.draw``, ``cache.keep_drawn``): none is left out, nor regrouped.
    """
    if whole.message_id not in messages:
        return {}
    return {
        (tag, whole.message_id): sorted(unit.drawn, key=_CHANNEL)
        for tag, unit in zip(whole.tags, whole.units, strict=True)
        if unit.drawn
    }


def _grouped(
    cards: Iterable[Drawn], messages: Mapping[str, object]
) -> dict[tuple[str, str], list[Drawn]]:
    made: dict[tuple[str, str], list[Drawn]] = {}
    for unit, run in groupby(cards, UNIT):
        if unit[1] in messages:
            found = made.get(unit)
            if found is None:
                made[unit] = list(run)
            else:
                found += run
    for of_unit in made.values():
        of_unit.sort(key=_CHANNEL)  # as cards.shown_by_unit orders them
    return made


def in_order(made: dict[tuple[str, str], list[Drawn]]) -> dict[tuple[str, str], list[Drawn]]:
    """Return the units by locale then message, each unit's cards by channel."""
    for cards in made.values():
        cards.sort(key=_CHANNEL)  # as cards.shown_by_unit orders them
    return by_unit(made)


def by_unit(made: dict[tuple[str, str], list[Drawn]]) -> dict[tuple[str, str], list[Drawn]]:
    """Return the units by locale then message (their cards are in order already)."""
    return dict(sorted(made.items()))


def message_keys(
    made: Mapping[tuple[str, str], list[Drawn]], wholes: Sequence[Whole] = ()
) -> dict[str, str]:
    """Return, by message, the digest of what the pages show of its cards in every locale.

    A card's sha256 covers its HTML, which shows its path, locale, channel, its title
    on the platform, its text and gauges; the first card's title and direction (its
    section's heading) are added. The message itself is not: pieces keyed by this are
    keyed by its digest too (:meth:`campaignsync.pack.kept.Kept.inputs`). That of a
    message in ``wholes`` whose every unit has cards (as :func:`cards_by_unit` kept
    them) is found once, kept with it.
    """
    known = {}
    for whole in wholes:
        key, own, scanned = whole.shown.key, whole.shown.cards, whole.shown.scan
        if key is None and own is not None:
            units = scanned.units if scanned else {UNIT(output) for output in whole.outputs}
            mine = by_unit(own)  # each unit's cards in channel order: grouped so
            whole.shown.key = key = (
                _keys(mine).get(whole.message_id, NO_KEY) if own.keys() == units else NO_KEY
            )
        if key:
            known[whole.message_id] = key
    if not known:
        return _keys(made)
    rest = {unit: cards for unit, cards in made.items() if unit[1] not in known}
    return {**_keys(rest), **known}


def _keys(made: Mapping[tuple[str, str], list[Drawn]]) -> dict[str, str]:
    parts: dict[str, list[str]] = {}
    for (tag, message), cards in made.items():
        first = cards[0]
        unit = f"{tag}\0{first.title}\0{first.direction}\0{''.join(map(_DIGEST, cards))}\1"
        found = parts.get(message)
        if found is None:
            parts[message] = [unit]
        else:
            found.append(unit)
    return {
        message: hashlib.sha256("".join(units).encode("utf-8", "surrogateescape")).hexdigest()
        for message, units in parts.items()
    }
