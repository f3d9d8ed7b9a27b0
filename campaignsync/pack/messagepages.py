"""The gallery's message pages: one message in every locale, side by side, row by channel.

A page shows the message's cards, the items that need attention about it, and what every
page of the gallery shows (names, locales, channels): it is named by one digest of all
that (:func:`inputs`), under which the next build takes it from the last pack by
reference (:meth:`campaignsync.pack.kept.Kept.take`) while it holds.

A clean build makes each page where its message was rendered (:func:`ahead`, in the
workers, with its cards' HTML still at hand), from a :class:`Plan` of what the pages
share, worked out before rendering. The parent, which knows what every page shows only
once all is rendered, takes such a page when its digest is the one it works out now
(:func:`page`), and makes it itself otherwise: a plan that guessed wrong costs time,
never a wrong page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from campaignsync.model import Diagnostic, Message, Output, Project
from campaignsync.pack import attention, keys, localepages, shown

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup
    from campaignsync.pack.gallery import Drawn
    from campaignsync.pack.kept import Kept
    from campaignsync.pack.writer import Member

#: A page made ahead: its path, the digest of what it shows, and its bytes.
Made = tuple[str, str, bytes]
#: The pages made ahead and staged: the digest of what each shows and its member, by path.
Staged = dict[str, tuple[str, "Member"]]


def path_of(message_id: str) -> str:
    """Return the pack path of a message's page."""
    return f"preview/messages/{message_id}.html"


@dataclass(frozen=True, slots=True)
class Plan:
    """What every message page of a clean build shares, as foreseen before rendering.

    Foreseen from the units to render: every message with one is listed, every locale
    with one shown, every channel a listed message is rendered in has cards. The parent
    checks each page made so against the digest it works out from what was rendered.
    """

    campaign: str
    #: What every page shows (``gallery.everywhere``: the locales shown among it), and its digest.
    common: dict[str, Any]
    shared: str
    numbers: dict[str, int]
    #: The schedule checks' findings, by the message they are about.
    schedule: dict[str, list[Diagnostic]]
    kept: Kept


def plan(
    project: Project,
    campaign: str,
    channels: Iterable[str],
    units: Sequence[tuple[str, str]],
    kept: Kept,
) -> Plan:
    """Return what the message pages of a clean build of ``units`` will share, foreseen."""
    from campaignsync.pack.gallery import everywhere, shown_locales

    rendered = {message_id for _, message_id in units}
    listed = [m for m in project.messages_of(campaign) if m.id in rendered]
    present = {tag for tag, _ in units}
    locales = shown_locales(project.config, present)
    wanted = set(channels)
    drawn = {ch for m in listed for ch in m.channels if ch in wanted}
    shares = everywhere(project, campaign, locales, sorted(drawn), listed)
    found = attention.schedule_problems(project, campaign, ())
    schedule = attention.schedule_by_message(project, campaign, found)
    numbers = localepages.numbered(listed)
    return Plan(campaign, shares, keys.digest(shares), numbers, schedule, kept)


def ahead(
    plan: Plan,
    project: Project,
    lookups: Mapping[str, Lookup],
    outputs: Iterable[Output],
    drawn: Iterable[Drawn],
) -> list[Made]:
    """Return the pages of the messages whose every unit was just rendered here, as planned.

    ``outputs`` and ``drawn`` are those of whole messages (a worker's chunk never splits one).
    """
    by_message: dict[str, list[Output]] = defaultdict(list)
    for output in outputs:
        by_message[output.message].append(output)
    cards: dict[str, dict[tuple[str, str], list[Drawn]]] = defaultdict(dict)
    for card in drawn:
        cards[card.message].setdefault((card.locale, card.message), []).append(card)
    messages = {m.id: m for m in project.messages_of(plan.campaign)}
    made = []
    for message_id, mine in by_message.items():
        message, number = messages.get(message_id), plan.numbers.get(message_id)
        ordered = shown.in_order(cards.get(message_id, {}))
        if message is None or number is None or not ordered:
            continue
        over = sorted((o for o in mine if o.over_limit), key=attrgetter("path"))
        built = {(o.locale, o.message) for o in mine}
        schedule = plan.schedule.get(message_id, ())
        items = attention.items(project, plan.campaign, over, lookups, schedule, None, built,
                                plan.numbers, only=message_id)  # fmt: skip
        placed = (shown.message_keys(ordered)[message_id], number)
        digest = inputs(message, items, plan.shared, placed, plan.kept)
        if digest:
            its_cards = [c for unit in ordered.values() for c in unit]
            page = draw(message, its_cards, plan.common["locales"], items, plan.common, number)
            made.append((path_of(message_id), digest, page))
    return made


def page(
    message: Message,
    mine: list[Drawn],
    locales: list[Any],
    items: list[attention.Item],
    common: tuple[dict[str, Any], str],
    kept: Kept | None,
    placed: tuple[str, int] = ("", 1),
    made: Staged | None = None,
) -> bytes:
    """Return a message's page, drawn; empty when taken, from the last pack or ``made``.

    ``common`` is what every page shows, with its digest; ``placed`` what the page shows
    of the message's cards (their key: :func:`campaignsync.pack.shown.message_keys`) and
    the number of the locale pages that show them. ``made`` holds the pages made ahead
    (:func:`ahead`), their digests and members, by path: one whose digest is this page's
    is taken (its member is there), the others are made again here.
    """
    path = path_of(message.id)
    digest = inputs(message, items, common[1], placed, kept) if kept is not None else ""
    if kept is not None and kept.take(path, digest):
        return b""  # taken by reference: its member is in kept.members
    ready = (made or {}).get(path)
    if kept is not None and ready is not None and digest and ready[0] == digest:
        kept.note(path, digest, ready[1])
        return b""
    data = draw(message, mine, locales, items, common[0], placed[1])
    if kept is not None:
        kept.put(path, digest, data)
    return data


def inputs(
    message: Message,
    items: list[attention.Item],
    common: str,
    placed: tuple[str, int],
    kept: Kept,
) -> str:
    """Return the digest of what a message page shows (message.html.j2 reads no more).

    The message by its digest (empty when unknown: the page is then not kept), its
    cards by their key and the number of their locale pages, its items, and what every
    page shows.
    """
    if not placed[0]:
        return ""
    noted = "".join(i.noted for i in items)
    return kept.inputs(message.id, ("message page", f"{placed[0]} {placed[1]}", common, noted))


def draw(
    message: Message,
    mine: list[Drawn],
    locales: list[Any],
    items: list[attention.Item],
    common: dict[str, Any],
    number: int,
) -> bytes:
    """Return a message's page: its cards by channel, each locale's side by side."""
    from campaignsync.pack.gallery import page as rendered

    return rendered(
        "message.html.j2",
        root="../../",
        message=message,
        rows=_rows(mine, locales),
        html={c.path: _rehome(c.html.decode("utf-8"), c.locale) for c in mine},
        items=items,
        pages={loc.tag: localepages.page_name(loc.tag, number) for loc in locales},
        **common,
    )


def _rows(items: list[Drawn], locales: list[Any]) -> list[tuple[str, list[Drawn]]]:
    """Return one row per channel, the message's cards in config locale order (source first)."""
    order = [loc.tag for loc in locales]
    rows: dict[str, list[Drawn]] = defaultdict(list)
    for item in sorted(items, key=lambda c: order.index(c.locale)):
        rows[item.channel].append(item)
    return sorted(rows.items())


def _rehome(html: str, locale: str) -> str:
    """Return a card's HTML for a message page: one folder deeper, ids unique per locale."""
    return (
        html.replace('="../', '="../../')
        .replace(' id="', f' id="{locale}-')
        .replace('data-copy="', f'data-copy="{locale}-')
    )
