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
    """Return the overview's list of what needs attention, kept while its items are the same.

    At 500 messages it lists thousands of schedule problems, most of them unchanged by an edit.
    """
    sha = hashlib.sha256(b"overview_attention")
    for i in items:
        sha.update(
            f"\1{i.kind}\0{i.message}\0{i.locale}\0{i.channel}\0{i.text}\0{i.href}".encode(
                "utf-8", "surrogateescape"
            )
        )
    inputs = sha.hexdigest()
    text = kept.piece(inputs) if kept is not None else None
    if text is None:
        text = _render("overview_attention.html.j2", items=items, kinds=attention.KINDS, root="")
        if kept is not None:
            kept.put_piece(inputs, text)
    return text


def listing(
    listed: list[Message],
    locales: list[Any],
    states: Mapping[tuple[str, str], dict[str, Any]],
    kept: Kept | None,
) -> str:
    """Return the overview's list of messages, each kept while what it shows is unchanged."""
    tags = [loc.tag for loc in locales]
    parts = []
    for m in listed:
        shown = [(tag, states.get((m.id, tag))) for tag in tags]
        # The message's digest covers what the item shows of it; the states are plain values.
        inputs = kept.inputs(m.id, ("listing", repr(shown))) if kept is not None else ""
        text = kept.piece(inputs) if kept is not None and inputs else None
        if text is None:
            text = _render("overview_message.html.j2", m=m, locales=locales, states=states)
            if kept is not None and inputs:
                kept.put_piece(inputs, text)
        parts.append(text)
    return "".join(parts)


def states(
    made: Mapping[tuple[str, str], list[Drawn]], items: list[attention.Item]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Return, per message and locale, the overview's cell: statuses and the tightest gauge."""
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in items:
        flagged[(entry.message, entry.locale)].add(entry.kind)
    states: dict[tuple[str, str], dict[str, Any]] = {}
    for (tag, message_id), of_locale in made.items():
        gauges = [g for c in of_locale for g in c.gauges]
        tightest = max(gauges, key=lambda g: g[0], default=None)
        kinds = flagged.get((message_id, tag), set())
        if any(level == "near" for _, level in gauges):
            kinds = kinds | {"near"}
        states[(message_id, tag)] = {
            "kinds": sorted(kinds),
            "gauge": cards.Gauge(*tightest, "") if tightest else None,
            "channels": sorted({c.channel for c in of_locale}),
        }
    return states
