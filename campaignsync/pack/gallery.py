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
    html: str
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
    html = _render()("card.html.j2", card=card, root="../")
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
        hashlib.sha256(html.encode("utf-8", "surrogateescape")).hexdigest(),
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
    made = _made(config, messages, outputs, drawn if drawn is not None else {})
    present = {c.locale for c in made}
    locales = [loc for loc in config.all_locales if loc.tag in present]
    by_message, of_both = _grouped(made)
    listed = [m for m in messages.values() if m.id in by_message]
    items = attention.items(project, campaign_id, outputs, lookups or {}, schedule, kept)
    common = _common(project, campaign_id, locales, made, listed)
    render = _page
    yield (
        "index.html",
        render(
            "overview.html.j2",
            root="",
            messages=listed,
            listing=_listing(listed, locales, _states(by_message, items), kept),
            items=items,
            outputs=len(outputs),
            **common,
        ),
    )
    shared = keys.digest(common) if kept is not None else ""
    for locale in locales:
        yield (
            f"preview/{locale.tag}.html",
            render(
                "locale.html.j2",
                root="../",
                locale=locale,
                messages=[_section(m, of_both[(locale.tag, m.id)]) for m in listed],
                items=[i for i in items if i.locale == locale.tag],
                **common,
            ),
        )
    for message in listed:
        mine = [i for i in items if i.message == message.id]
        yield (
            f"preview/messages/{message.id}.html",
            _message_page(message, by_message[message.id], locales, mine, (common, shared), kept),
        )
    yield from _emails(project, outputs, messages)
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
    """Return a message's page: the last pack's when its inputs are the same, else drawn.

    ``common`` is what every page shows, with its digest.
    """
    path = f"preview/messages/{message.id}.html"
    inputs = _inputs(message, mine, items, common[1]) if kept is not None else ""
    page = kept.get(path, inputs) if kept is not None else None
    if page is None:
        page = _page(
            "message.html.j2",
            root="../../",
            message=message,
            rows=_rows(mine, locales),
            html={c.path: _rehome(c.html, c.locale) for c in mine},
            items=items,
            **common[0],
        )
        if kept is not None:
            kept.put(path, inputs, page)
    return page


def _inputs(message: Message, mine: list[Drawn], items: list[attention.Item], common: str) -> str:
    """Return the digest of what a message page shows (message.html.j2 reads no more)."""
    head = (message.id, message.title, message.path, message.publish, items, common)
    sha = hashlib.sha256(keys.digest(head).encode())
    for c in mine:
        fields = (c.path, c.message, c.locale, c.channel, c.channel_title, c.digest)
        sha.update("\0".join(fields).encode("utf-8", "surrogateescape") + b"\1")
    return sha.hexdigest()


def _page(name: str, **values: Any) -> bytes:
    """Return a page, encoded at once: a big pack's pages are not held as text and bytes."""
    text: str = _render()(name, **values)
    return text.encode("utf-8")


def _made(
    config: Config, messages: Mapping[str, Message], outputs: list[Output], known: dict[str, Drawn]
) -> list[Drawn]:
    """Return the card of every output shown, drawing (and adding to ``known``) the missing."""
    shown = cards.shown(outputs, lambda o: o.message in messages)
    missing = {(o.message, o.locale) for o in shown if o.path not in known}
    if missing:
        units: dict[tuple[str, str], list[Output]] = defaultdict(list)
        for output in outputs:
            if (output.message, output.locale) in missing:
                units[(output.message, output.locale)].append(output)
        for (message_id, _), of_unit in units.items():
            known.update((d.path, d) for d in draw(config, messages[message_id], of_unit))
    return [known[o.path] for o in shown]


def _common(
    project: Project, campaign_id: str, locales: list[Any], made: list[Drawn], listed: list[Message]
) -> dict[str, Any]:
    """Return what every page of the gallery shows: names, locales, channels, partners."""
    config = project.config
    campaign = project.calendar.campaign(campaign_id)
    return {
        "campaign": campaign.name if campaign else campaign_id,
        "site": config.name,
        "locales": locales,
        "source": config.source_locale,
        "channels": sorted({c.channel for c in made}),
        "partners": [p for p in config.partners if any(p.id in m.partners for m in listed)],
        "kinds": attention.KINDS,
    }


def _grouped(
    made: list[Drawn],
) -> tuple[dict[str, list[Drawn]], dict[tuple[str, str], list[Drawn]]]:
    """Return the cards by message, and by locale and message, in the order given."""
    by_message: dict[str, list[Drawn]] = defaultdict(list)
    of_both: dict[tuple[str, str], list[Drawn]] = defaultdict(list)
    for item in made:
        by_message[item.message].append(item)
        of_both[(item.locale, item.message)].append(item)
    return by_message, of_both


def _section(message: Message, mine: list[Drawn]) -> tuple[Message, list[Drawn], str]:
    """Return a message's part of a locale page: its cards and their HTML joined in Python.

    A template loop over tens of thousands of cards costs more than one join.
    """
    return message, mine, ("\n".join(c.html for c in mine) + "\n") if mine else ""


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
    by_message: Mapping[str, list[Drawn]], items: list[attention.Item]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Return, per message and locale, the overview's cell: statuses and the tightest gauge."""
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in items:
        flagged[(entry.message, entry.locale)].add(entry.kind)
    states: dict[tuple[str, str], dict[str, Any]] = {}
    for message_id, found in by_message.items():
        per_locale: dict[str, list[Drawn]] = defaultdict(list)
        for shown_card in found:
            per_locale[shown_card.locale].append(shown_card)
        for tag, of_locale in per_locale.items():
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
    project: Project, outputs: list[Output], messages: Mapping[str, Message]
) -> Iterator[tuple[str, bytes]]:
    """Yield a copy of each HTML email whose image comes from the pack, not the live site."""
    images = sorted({m.image.src for m in messages.values() if m.image is not None})
    # The email template points images at the live site (base_url), which a preview must not.
    names = "|".join(map(re.escape, images)) or "(?!)"
    live = re.compile(r'src="https?://[^"]*?/(' + names + ')"')
    for output in outputs:
        if output.channel != "email" or not output.path.endswith(".html"):
            continue
        text = output.content.decode("utf-8", "replace")

        rel = f"preview/email/{output.locale}/{output.message}.html"
        yield rel, live.sub(r'src="../../../\1"', text).encode("utf-8")
