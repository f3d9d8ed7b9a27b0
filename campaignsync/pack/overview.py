"""The gallery's overview (``index.html``): what needs attention and every message's states.

Each part is kept while what it shows is unchanged (:mod:`campaignsync.pack.kept`): at
500 messages the overview lists thousands of schedule problems and 13,000 locale states,
few of which an edit changes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from campaignsync.model import Message
from campaignsync.pack import attention, cards

if TYPE_CHECKING:
    from campaignsync.pack.gallery import Drawn
    from campaignsync.pack.kept import Kept


def _render(name: str, **values: Any) -> str:
    from campaignsync.pack.gallery import _render as renderer

    text: str = renderer()(name, **values)
    return text


def grouped(
    items: list[attention.Item],
) -> tuple[dict[str, list[attention.Item]], dict[str, list[attention.Item]]]:
    """Return the items by locale and by message, each in the list's order (one pass)."""
    by_locale: dict[str, list[attention.Item]] = defaultdict(list)
    by_message: dict[str, list[attention.Item]] = defaultdict(list)
    for item in items:
        by_locale[item.locale].append(item)
        by_message[item.message].append(item)
    return by_locale, by_message


def attention_list(items: list[attention.Item], kept: Kept | None) -> str:
    """Return the overview's list of what needs attention, each kind kept while its items are.

    At 500 messages it lists thousands of schedule problems, unchanged by most edits: an
    edit that leaves a message untranslated draws that kind's group alone.
    """
    by_kind: dict[str, list[attention.Item]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    parts = []
    for kind, heading in attention.KINDS.items():
        these = by_kind.get(kind, [])
        noted = "".join(i.noted for i in these)
        named = f"overview_attention\0{kind}\0{heading}\0{noted}"
        inputs = hashlib.sha256(named.encode("utf-8", "surrogateescape")).hexdigest()
        text = kept.piece(inputs) if kept is not None else None
        if text is None:
            text = _render("overview_attention.html.j2", items=these, kinds={kind: heading},
                           root="")  # fmt: skip
            if kept is not None:
                kept.put_piece(inputs, text)
        parts.append(text)
    return "".join(parts)


def listing(
    listed: list[Message],
    locales: list[Any],
    made: Mapping[tuple[str, str], list[Drawn]],
    items: list[attention.Item],
    kept: Kept | None,
    keyed: Mapping[str, str] | None = None,
    numbers: Mapping[str, int] | None = None,
) -> str:
    """Return the overview's list of messages, each kept while what it shows is unchanged.

    A message's states in every locale (``overview_message.html.j2``) are worked out only
    when it is drawn: its key names what they are made from, its cards (by ``keyed``, the
    key of each message's cards: :func:`campaignsync.pack.shown.message_keys`), flags and
    the number of its locale pages (``numbers``, by message: 1 if not given).
    """
    from campaignsync.pack.localepages import page_of

    tags = [loc.tag for loc in locales]
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in items:
        flagged[(entry.message, entry.locale)].add(entry.kind)
    if kept is not None and keyed is None:
        from campaignsync.pack.shown import message_keys

        keyed = message_keys(made)
    flags: dict[str, list[str]] = defaultdict(list)  # by message, by locale
    for (message_id, tag), kinds in sorted(flagged.items()):
        flags[message_id].append(f"{tag}\0{' '.join(sorted(kinds))}")
    parts = []
    for m in listed:
        inputs, number = "", page_of(numbers, m.id)
        if kept is not None and keyed is not None and m.id in keyed:  # with the message's digest
            noted = "\1".join(flags.get(m.id, ()))
            inputs = kept.inputs(m.id, ("listing", keyed[m.id], noted, str(number)))
        text = kept.piece(inputs) if kept is not None and inputs else None
        if text is None:
            units = [(tag, shown) for tag in tags if (shown := made.get((tag, m.id)))]
            states = {(m.id, tag): state(shown, flagged.get((m.id, tag), set()))
                      for tag, shown in units}  # fmt: skip
            text = _render("overview_message.html.j2", m=m, locales=locales, states=states,
                           number=number)  # fmt: skip
            if kept is not None and inputs:
                kept.put_piece(inputs, text)
        parts.append(text)
    return "".join(parts)


def state(shown: list[Drawn], flagged: set[str]) -> dict[str, Any]:
    """Return a unit's cell of the overview: statuses, the tightest gauge and its channels."""
    gauges = [g for c in shown for g in c.gauges]
    tightest = max(gauges, key=lambda g: g[0], default=None)
    kinds = flagged | {"near"} if any(level == "near" for _, level in gauges) else flagged
    return {
        "kinds": sorted(kinds),
        "gauge": cards.Gauge(*tightest, "") if tightest else None,
        "channels": sorted({c.channel for c in shown}),
    }
