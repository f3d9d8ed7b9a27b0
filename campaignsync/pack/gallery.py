"""The preview gallery of a pack: an overview, a page per locale and a page per message.

``index.html`` opens with what needs attention and lists every message with
the state of each locale. ``preview/<locale>.html`` shows each post as its
platform shows it (post cards, SMS bubbles, email frames, page thumbnails)
with a gauge per limit. ``preview/messages/<id>.html`` shows one message in
every locale side by side with the source. Everything the pages load is in the
pack (styles, script, images, email copies whose images point into the pack),
so the gallery works offline from the zip.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from campaignsync.l10n.catalog import Lookup
from campaignsync.model import Config, Diagnostic, Message, Output, Project
from campaignsync.pack import attention, cards, keys
from campaignsync.pack.kept import Kept

THEME = Path(__file__).resolve().parent / "theme"
#: Files of the theme copied into the pack as they are.
STATIC = ("gallery.css", "gallery.js")


@cache
def _render() -> Any:
    from campaignsync.render.engine import page_renderer

    return page_renderer(THEME)


@dataclass(frozen=True, slots=True)
class Drawn:
    """A card once drawn: where the pages place it, what they read of it, and its HTML.

    The render cache keeps these per message x locale, so an edit draws only its
    own cards and every page is a join of drawn ones.
    """

    path: str
    message: str
    locale: str
    channel: str
    direction: str
    title: str
    channel_title: str
    #: (percent, level) of each limit: what the overview shows of the tightest.
    gauges: tuple[tuple[int, str], ...]
    #: The card's HTML, encoded: a locale page joins these as they are.
    html: bytes
    #: The sha256 of ``html``: what a page compares a card by, hashed once where it is drawn.
    digest: str

    @property
    def anchor(self) -> str:
        """Return the id of the card on its locale page."""
        return f"{self.message}-{self.channel}"


def draw(config: Config, message: Message, outputs: Iterable[Output]) -> list[Drawn]:
    """Return the cards of one message's outputs (one locale's, as the render cache keeps them)."""
    chosen = sorted(outputs, key=lambda o: o.path)
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for output in chosen:
        grouped[(output.message, output.locale, output.channel)].append(output.path)
    return [
        _draw(config, message, o, tuple(grouped[(o.message, o.locale, o.channel)]))
        for o in cards.shown(chosen)
    ]


def _draw(config: Config, message: Message, output: Output, files: tuple[str, ...]) -> Drawn:
    card = cards.card(config, message, output, files)
    html = _render()("card.html.j2", card=card, root="../").encode("utf-8")
    return Drawn(
        output.path,
        output.message,
        output.locale,
        output.channel,
        card.direction,
        card.title,
        card.channel_title,
        tuple((g.percent, g.level) for g in card.gauges),
        html,
        hashlib.sha256(html).hexdigest(),
    )


def pages(
    project: Project,
    campaign_id: str,
    outputs: list[Output],
    lookups: Mapping[str, Lookup] | None = None,
    schedule: Iterable[Diagnostic] = (),
    drawn: dict[str, Drawn] | None = None,
    kept: Kept | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Yield each file of the gallery (pages, styles, script, email copies) and its pack path.

    One at a time: a clean build writes each away before the next is made. ``drawn``
    holds cards already drawn, by output path (from the render cache); the missing
    ones are drawn here and added to it. ``kept`` gives back the message pages of
    the last pack whose inputs are unchanged.
    """
    config = project.config
    messages = {m.id: m for m in project.messages_of(campaign_id)}
    of_both = _made(config, messages, outputs, drawn if drawn is not None else {})
    present = {tag for tag, _ in of_both}
    locales = [loc for loc in config.all_locales if loc.tag in present]
    by_message: dict[str, list[Drawn]] = defaultdict(list)
    for (_, message_id), of_unit in of_both.items():  # by locale: as a message page lists them
        by_message[message_id] += of_unit
    listed = [m for m in messages.values() if m.id in by_message]
    items = attention.items(project, campaign_id, outputs, lookups or {}, schedule, kept)
    common = _common(project, campaign_id, locales, of_both, listed)
    yield (
        "index.html",
        _page(
            "overview.html.j2",
            root="",
            messages=listed,
            listing=_listing(listed, locales, _states(of_both, items), kept),
            items=items,
            outputs=len(outputs),
            **common,
        ),
    )
    shared = keys.digest(common) if kept is not None else ""
    for locale in locales:
        sections = [(m, of_both.get((locale.tag, m.id), [])) for m in listed]
        noted = [i for i in items if i.locale == locale.tag]
        yield f"preview/{locale.tag}.html", _locale_page(locale, sections, noted, common)
    for message in listed:
        mine = [i for i in items if i.message == message.id]
        yield (
            f"preview/messages/{message.id}.html",
            _message_page(message, by_message[message.id], locales, mine, (common, shared), kept),
        )
    yield from _emails(outputs, messages, kept)
    for name in STATIC:
        yield f"preview/{name}", (THEME / name).read_bytes()


def _listing(
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
            text = _render()("overview_message.html.j2", m=m, locales=locales, states=states)
            if kept is not None and inputs:
                kept.put_piece(inputs, text)
        parts.append(text)
    return "".join(parts)


def _message_page(
    message: Message,
    mine: list[Drawn],
    locales: list[Any],
    items: list[attention.Item],
    common: tuple[dict[str, Any], str],
    kept: Kept | None,
) -> bytes:
    """Return a message's page, drawn; empty when the last pack's is taken (same inputs).

    ``common`` is what every page shows, with its digest.
    """
    path = f"preview/messages/{message.id}.html"
    inputs = _inputs(message, mine, items, common[1]) if kept is not None else ""
    if kept is not None and kept.take(path, inputs):
        return b""  # taken by reference: its member is in kept.members
    page = _page(
        "message.html.j2",
        root="../../",
        message=message,
        rows=_rows(mine, locales),
        html={c.path: _rehome(c.html.decode("utf-8"), c.locale) for c in mine},
        items=items,
        **common[0],
    )
    if kept is not None:
        kept.put(path, inputs, page)
    return page


def _inputs(message: Message, mine: list[Drawn], items: list[attention.Item], common: str) -> str:
    """Return the digest of what a message page shows (message.html.j2 reads no more)."""
    head = (message.id, message.title, message.path, message.publish, items, common)
    shown = "".join(
        f"{c.path}\0{c.message}\0{c.locale}\0{c.channel}\0{c.channel_title}\0{c.digest}\1"
        for c in mine
    )
    return hashlib.sha256(
        keys.digest(head).encode() + shown.encode("utf-8", "surrogateescape")
    ).hexdigest()


def _page(name: str, **values: Any) -> bytes:
    """Return a page, encoded at once: a big pack's pages are not held as text and bytes."""
    text: str = _render()(name, **values)
    return text.encode("utf-8")


def _made(
    config: Config, messages: Mapping[str, Message], outputs: list[Output], known: dict[str, Drawn]
) -> dict[tuple[str, str], list[Drawn]]:
    """Return the cards shown by (locale, message), drawing the missing (added to ``known``)."""
    shown = cards.shown_by_unit(outputs, messages)
    made: dict[tuple[str, str], list[Drawn]] = {}
    missing = set()
    for unit, of_unit in shown.items():
        try:
            made[unit] = [known[o.path] for o in of_unit]
        except KeyError:
            made[unit] = []  # drawn below, in its place
            missing.add(unit)
    if missing:
        units: dict[tuple[str, str], list[Output]] = defaultdict(list)
        for output in outputs:
            if (output.locale, output.message) in missing:
                units[(output.locale, output.message)].append(output)
        for unit, of_unit in units.items():
            known.update((d.path, d) for d in draw(config, messages[unit[1]], of_unit))
            made[unit] = [known[o.path] for o in shown[unit]]
    return made


def _common(
    project: Project,
    campaign_id: str,
    locales: list[Any],
    made: Mapping[tuple[str, str], list[Drawn]],
    listed: list[Message],
) -> dict[str, Any]:
    """Return what every page of the gallery shows: names, locales, channels, partners."""
    config = project.config
    campaign = project.calendar.campaign(campaign_id)
    return {
        "campaign": campaign.name if campaign else campaign_id,
        "site": config.name,
        "locales": locales,
        "source": config.source_locale,
        "channels": sorted({c.channel for of_unit in made.values() for c in of_unit}),
        "partners": [p for p in config.partners if any(p.id in m.partners for m in listed)],
        "kinds": attention.KINDS,
    }


#: Where locale.html.j2 places a message's cards: escaped text never holds it.
_CARDS = "<!--cards-->"


def _locale_page(
    locale: Any,
    sections: list[tuple[Message, list[Drawn]]],
    items: list[attention.Item],
    common: dict[str, Any],
) -> bytes:
    """Return a locale's page: its frame drawn by Jinja, each message's cards joined as bytes.

    A template that went over tens of thousands of cards, and a page encoded whole,
    cost more than joining the cards' bytes into the frame.
    """
    shown = [(m, mine) for m, mine in sections if mine]
    frame = _render()(
        "locale.html.j2",
        root="../",
        locale=locale,
        messages=[(m, mine[0]) for m, mine in shown],
        items=items,
        cards=_CARDS,
        **common,
    ).split(_CARDS)
    if len(frame) != len(shown) + 1:
        raise RuntimeError(f"locale.html.j2 placed {len(frame) - 1} of {len(shown)} sections")
    joined = [frame[0].encode("utf-8")]
    for (_, mine), after in zip(shown, frame[1:], strict=True):
        for c in mine:
            joined += (c.html, b"\n")
        joined.append(after.encode("utf-8"))
    return b"".join(joined)


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


def _states(
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


def _emails(
    outputs: list[Output], messages: Mapping[str, Message], kept: Kept | None
) -> Iterator[tuple[str, bytes]]:
    """Yield a copy of each HTML email whose image comes from the pack, not the live site.

    A copy is empty when the last pack's is taken (made from the same email, with the
    same images: see :meth:`Kept.take`).
    """
    images = sorted({m.image.src for m in messages.values() if m.image is not None})
    # The email template points images at the live site (base_url), which a preview must not.
    # Outputs are UTF-8 as the renderer encodes them, so their bytes match as their text would.
    names = b"|".join(re.escape(src).encode("utf-8") for src in images) or b"(?!)"
    live = re.compile(rb'src="https?://[^"]*?/(' + names + rb')"')
    known = kept.outputs if kept is not None else {}
    pattern = hashlib.sha256(names).hexdigest()
    for output in outputs:
        if output.channel == "email" and output.path.endswith(".html"):
            rel = f"preview/email/{output.locale}/{output.message}.html"
            made = known.get(output.path)
            inputs = f"{made.sha256} {pattern}" if made is not None else ""
            if kept is not None and kept.take(rel, inputs):
                yield rel, b""  # taken by reference: its member is in kept.members
                continue
            copy = live.sub(rb'src="../../../\1"', output.content)
            if kept is not None:
                kept.put(rel, inputs, copy)
            yield rel, copy
