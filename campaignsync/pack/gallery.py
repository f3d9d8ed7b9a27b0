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

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from campaignsync.l10n.catalog import Lookup
from campaignsync.model import Config, Diagnostic, Message, Output, Project
from campaignsync.pack import attention, cards

THEME = Path(__file__).resolve().parent / "theme"
#: Files of the theme copied into the pack as they are.
STATIC = ("gallery.css", "gallery.js")


@cache
def _render() -> Any:
    from campaignsync.render.engine import page_renderer

    return page_renderer(THEME)


def pages(
    project: Project,
    campaign_id: str,
    outputs: list[Output],
    lookups: Mapping[str, Lookup] | None = None,
    schedule: Iterable[Diagnostic] = (),
) -> dict[str, bytes]:
    """Return every file of the gallery by pack path: pages, styles, script, email copies."""
    config = project.config
    messages = {m.id: m for m in project.messages_of(campaign_id)}
    shown = cards.shown(outputs, lambda o: o.message in messages)
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for output in outputs:
        grouped[(output.message, output.locale, output.channel)].append(output.path)
    drawn = [
        _card(config, messages[o.message], o, tuple(grouped[(o.message, o.locale, o.channel)]))
        for o in shown
    ]
    made = [card for card, _ in drawn]
    present = {c.output.locale for c in made}
    locales = [loc for loc in config.all_locales if loc.tag in present]
    listed = [m for m in messages.values() if any(c.output.message == m.id for c in made)]
    items = attention.items(project, campaign_id, outputs, lookups or {}, schedule)
    campaign = project.calendar.campaign(campaign_id)
    render = _render()
    common: dict[str, Any] = {
        "campaign": campaign.name if campaign else campaign_id,
        "site": config.name,
        "locales": locales,
        "source": config.source_locale,
        "channels": sorted({c.output.channel for c in made}),
        "partners": [p for p in config.partners if any(p.id in m.partners for m in listed)],
        "kinds": attention.KINDS,
    }
    by_locale: dict[str, list[cards.Card]] = defaultdict(list)
    by_message: dict[str, list[cards.Card]] = defaultdict(list)
    of_both: dict[tuple[str, str], list[cards.Card]] = defaultdict(list)
    for item in made:
        by_locale[item.output.locale].append(item)
        by_message[item.output.message].append(item)
        of_both[(item.output.locale, item.output.message)].append(item)
    html = {card.output.path: text for card, text in drawn}
    found = {
        "index.html": render(
            "overview.html.j2",
            root="",
            messages=listed,
            items=items,
            states=_states(by_message, items),
            outputs=len(outputs),
            **common,
        )
    }
    for locale in locales:
        found[f"preview/{locale.tag}.html"] = render(
            "locale.html.j2",
            root="../",
            locale=locale,
            messages=[(m, by_locale[locale.tag], of_both[(locale.tag, m.id)]) for m in listed],
            html=html,
            items=[i for i in items if i.locale == locale.tag],
            **common,
        )
    for message in listed:
        found[f"preview/messages/{message.id}.html"] = render(
            "message.html.j2",
            root="../../",
            message=message,
            rows=_rows(by_message[message.id], locales),
            html={
                c.output.path: _rehome(html[c.output.path], c.output.locale)
                for c in by_message[message.id]
            },
            items=[i for i in items if i.message == message.id],
            **common,
        )
    files = {rel: text.encode("utf-8") for rel, text in found.items()}
    files.update(_emails(project, outputs, messages))
    for name in STATIC:
        files[f"preview/{name}"] = (THEME / name).read_bytes()
    return files


@lru_cache(maxsize=50_000)
def _card(
    config: Config, message: Message, output: Output, files: tuple[str, ...]
) -> tuple[cards.Card, str]:
    """Return a card and its HTML; the live preview's rebuilds reuse the unchanged ones."""
    card = cards.card(config, message, output, files)
    return card, _render()("card.html.j2", card=card, root="../")


def _rows(items: list[cards.Card], locales: list[Any]) -> list[tuple[str, list[cards.Card]]]:
    """Return one row per channel, the message's cards in config locale order (source first)."""
    order = [loc.tag for loc in locales]
    rows: dict[str, list[cards.Card]] = defaultdict(list)
    for item in sorted(items, key=lambda c: order.index(c.output.locale)):
        rows[item.output.channel].append(item)
    return sorted(rows.items())


def _rehome(html: str, locale: str) -> str:
    """Return a card's HTML for a message page: one folder deeper, ids unique per locale."""
    return (
        html.replace('="../', '="../../')
        .replace(' id="', f' id="{locale}-')
        .replace('data-copy="', f'data-copy="{locale}-')
    )


def _states(
    by_message: Mapping[str, list[cards.Card]], items: list[attention.Item]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Return, per message and locale, the overview's cell: statuses and the tightest gauge."""
    flagged: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in items:
        flagged[(entry.message, entry.locale)].add(entry.kind)
    states: dict[tuple[str, str], dict[str, Any]] = {}
    for message_id, found in by_message.items():
        per_locale: dict[str, list[cards.Card]] = defaultdict(list)
        for shown_card in found:
            per_locale[shown_card.output.locale].append(shown_card)
        for tag, of_locale in per_locale.items():
            gauges = [g for c in of_locale for g in c.gauges]
            tightest = max(gauges, key=lambda g: g.percent, default=None)
            kinds = flagged.get((message_id, tag), set())
            if any(g.level == "near" for g in gauges):
                kinds = kinds | {"near"}
            states[(message_id, tag)] = {
                "kinds": sorted(kinds),
                "gauge": tightest,
                "channels": sorted({c.output.channel for c in of_locale}),
            }
    return states


def _emails(
    project: Project, outputs: list[Output], messages: Mapping[str, Message]
) -> dict[str, bytes]:
    """Return a copy of each HTML email whose image comes from the pack, not the live site."""
    images = sorted({m.image.src for m in messages.values() if m.image is not None})
    found: dict[str, bytes] = {}
    # The email template points images at the live site (base_url), which a preview must not.
    names = "|".join(map(re.escape, images)) or "(?!)"
    live = re.compile(r'src="https?://[^"]*?/(' + names + ')"')
    for output in outputs:
        if output.channel != "email" or not output.path.endswith(".html"):
            continue
        text = output.content.decode("utf-8", "replace")

        rel = f"preview/email/{output.locale}/{output.message}.html"
        found[rel] = live.sub(r'src="../../../\1"', text).encode("utf-8")
    return found
