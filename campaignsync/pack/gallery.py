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
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from functools import cache
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.l10n.catalog import Lookup
from campaignsync.model import Config, Diagnostic, Message, Output, Project, by_position
from campaignsync.pack import attention, cards, keys, localepages, messagepages, overview, shown
from campaignsync.pack.kept import Kept
from campaignsync.pack.writer import Member

if TYPE_CHECKING:
    from campaignsync.pack.hits import Whole

THEME = Path(__file__).resolve().parent / "theme"
#: Files of the theme copied into the pack as they are.
STATIC = ("gallery.css", "gallery.js")
_CHANNEL = attrgetter("channel")


@cache
def _render() -> Any:
    from campaignsync.render.engine import page_renderer

    return page_renderer(THEME, {"page_name": localepages.page_name})


@dataclass(frozen=True, slots=True)
class Drawn:
    """A card once drawn: where the pages place it, what they read of it, and its HTML.

    The render cache keeps these per message x locale, so an edit draws only its
    own cards and every page is a join of drawn ones.
    """

    __reduce__ = by_position  # a template edit's workers send back one a unit and channel

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
    #: On the first card of a message in a locale: its section of the locale page, drawn
    #: with it, the cards to go where ``localepages.CARDS`` stands (b"" on the others).
    section: bytes = b""

    @property
    def anchor(self) -> str:
        """Return the id of the card on its locale page."""
        return f"{self.message}-{self.channel}"

    def whole_section(self, cards: Sequence[Drawn]) -> bytes | None:
        """Return the section with ``cards`` in it, if it is held so (None: join it)."""
        return None


def draw(config: Config, message: Message, outputs: Iterable[Output]) -> list[Drawn]:
    """Return the cards of one message's outputs (one locale's, as the render cache keeps them)."""
    chosen = sorted(outputs, key=lambda o: o.path)
    grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for output in chosen:
        grouped[(output.message, output.locale, output.channel)].append(output.path)
    drawn = [
        _draw(config, message, o, tuple(grouped[(o.message, o.locale, o.channel)]))
        for o in cards.shown(chosen)
    ]
    for at, first in enumerate(drawn):  # by locale, each locale's cards in the page's order
        if at == 0 or drawn[at - 1].locale != first.locale:
            locale = config.locale(first.locale) or config.source_locale
            drawn[at] = replace(first, section=localepages.section(locale, message, first))
    return drawn


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
    copied: Mapping[str, Member] | None = None,
    made: messagepages.Staged | None = None,
    wholes: Sequence[Whole] = (),
) -> Iterator[tuple[str, bytes]]:
    """Yield each file of the gallery (pages, styles, script, email copies) and its pack path.

    One at a time: a clean build writes each away before the next is made. ``drawn``
    holds the cards drawn, by path (the cache's; those drawn here are added), ``kept`` the
    last pack's files taken while their inputs are unchanged, ``copied`` the email copies
    the workers made (yielded empty: their members are there), ``made`` their message
    pages (``messagepages.ahead``), ``wholes`` the messages taken whole from the cache.
    """
    config = project.config
    messages = {m.id: m for m in project.messages_of(campaign_id)}
    seen = shown.scan(outputs, wholes)
    units = {unit for unit in seen.units if unit[1] in messages}
    known = drawn if drawn is not None else {}
    of_both = _made(config, messages, outputs, wholes, seen, known, units)
    keyed = shown.message_keys(of_both, wholes) if kept is not None else {}
    present = {tag for tag, _ in of_both}
    locales = shown_locales(config, present)
    by_message: dict[str, list[Drawn]] = defaultdict(list)
    for (_, message_id), of_unit in of_both.items():  # by locale: as a message page lists them
        by_message[message_id] += of_unit
    listed = [m for m in messages.values() if m.id in by_message]
    numbers = localepages.numbered(listed)  # each message's locale pages
    items = attention.items(project, campaign_id, seen.over, lookups or {}, schedule, kept,
                            units, numbers)  # fmt: skip
    channels = sorted(set(map(_CHANNEL, chain.from_iterable(of_both.values()))))
    common = everywhere(project, campaign_id, locales, channels, listed)
    listing = overview.listing(listed, locales, of_both, items, kept, keyed, numbers)
    yield "index.html", _overview(listed, listing, items, kept, len(outputs), common)
    shared = keys.digest(common) if kept is not None else ""
    by_locale, of_message = overview.grouped(items)
    sections = localepages.sections(locales, listed, of_both, keyed, kept)
    for locale in locales:
        noted = by_locale.get(locale.tag, [])
        yield from localepages.locale_pages(
            locale, sections[locale.tag], noted, common, kept, shared, numbers
        )
    for message in listed:
        mine = of_message.get(message.id, [])
        yield (
            messagepages.path_of(message.id),
            messagepages.page(
                message, by_message[message.id], locales, mine, (common, shared), kept,
                (keyed.get(message.id, ""), numbers[message.id]), made,
            ),
        )  # fmt: skip
    yield from _emails(seen.emails, messages, kept, copied or {})
    for name in STATIC:
        yield f"preview/{name}", (THEME / name).read_bytes()


def _overview(
    listed: list[Message],
    listing: str,
    items: list[attention.Item],
    kept: Kept | None,
    outputs: int,
    common: dict[str, Any],
) -> bytes:
    """Return the overview (``index.html``): what needs attention, then every message."""
    attention_list = overview.attention_list(items, kept)
    return page(
        "overview.html.j2",
        root="",
        messages=listed,
        listing=listing,
        items=items,
        attention=attention_list,
        outputs=outputs,
        **common,
    )


def page(name: str, **values: Any) -> bytes:
    """Return a page, encoded at once: a big pack's pages are not held as text and bytes."""
    text: str = _render()(name, **values)
    return text.encode("utf-8")


def _made(
    config: Config,
    messages: Mapping[str, Message],
    outputs: list[Output],
    wholes: Sequence[Whole],
    seen: shown.Scan,
    known: dict[str, Drawn],
    units: Set[tuple[str, str]],
) -> dict[tuple[str, str], list[Drawn]]:
    """Return the cards shown by (locale, message), drawing the missing (added to ``known``).

    ``wholes`` are the messages of the outputs taken whole from the render cache; ``units``
    the (locale, message) pairs of the outputs, of the messages shown.

    The cards known are taken by the unit they name, those of outputs no longer built left
    out: a unit's cards are drawn together (:func:`draw`), and choosing the shown outputs
    again cost more than all the rest of the gallery after an edit.
    """
    made = shown.cards_by_unit(known, seen.paths, messages, wholes)
    missing = units - made.keys()
    if missing:
        if seen.rest is not None:  # those of the messages taken whole lacking cards, and the rest
            lack = {message for _, message in missing}
            taken = (w.outputs for w in wholes if w.message_id in lack)
            outputs = [*seen.rest, *chain.from_iterable(taken)]
        lacking: dict[tuple[str, str], list[Output]] = defaultdict(list)
        for output in outputs:
            if (output.locale, output.message) in missing:
                lacking[(output.locale, output.message)].append(output)
        for unit, of_unit in lacking.items():
            drawn = draw(config, messages[unit[1]], of_unit)
            known.update((d.path, d) for d in drawn)
            if drawn:
                made[unit] = drawn
    return shown.by_unit(made)  # each unit's cards in channel order: grouped or drawn so


def shown_locales(config: Config, present: Set[str]) -> list[Any]:
    """Return the locales the gallery shows (those with cards, ``present``), in config order."""
    return [loc for loc in config.all_locales if loc.tag in present]


def everywhere(
    project: Project,
    campaign_id: str,
    locales: list[Any],
    channels: list[str],
    listed: list[Message],
) -> dict[str, Any]:
    """Return what every page of the gallery shows: names, locales, channels, partners.

    Of each partner, its id and name: what the pages show, and all that names them (a
    partner's business hours edited draws no page again).
    """
    config = project.config
    campaign = project.calendar.campaign(campaign_id)
    return {
        "campaign": campaign.name if campaign else campaign_id,
        "site": config.name,
        "locales": locales,
        "source": config.source_locale,
        "channels": channels,
        "partners": [
            {"id": p.id, "name": p.name}
            for p in config.partners
            if any(p.id in m.partners for m in listed)
        ],
        "kinds": attention.KINDS,
    }


@dataclass(frozen=True, slots=True)
class EmailCopies:
    """How the gallery copies an HTML email: its images from the pack, not the live site.

    The email template points images at the live site (base_url), which a preview
    must not. Made for a campaign's messages, in the parent or in a worker (a clean
    build's workers copy the emails they render: :func:`pages` takes those), once per
    process for the same images.
    """

    live: re.Pattern[bytes]
    #: The digest of the images' names: part of what each copy is made from.
    pattern: str

    @staticmethod
    def of(messages: Iterable[Message]) -> EmailCopies:
        """Return the copier of emails whose images are those of ``messages``."""
        return _email_copies(tuple(sorted({m.image.src for m in messages if m.image is not None})))

    @staticmethod
    def path(output: Output) -> str:
        """Return the pack path of an email's copy."""
        return f"preview/email/{output.locale}/{output.message}.html"

    def copy(self, content: bytes) -> bytes:
        """Return an email's copy (outputs are UTF-8: their bytes match as their text would)."""
        return self.live.sub(rb'src="../../../\1"', content)


@cache
def _email_copies(images: tuple[str, ...]) -> EmailCopies:
    names = b"|".join(re.escape(src).encode("utf-8") for src in images) or b"(?!)"
    live = re.compile(rb'src="https?://[^"]*?/(' + names + rb')"')
    return EmailCopies(live, hashlib.sha256(names).hexdigest())


def _emails(
    emails: list[Output],
    messages: Mapping[str, Message],
    kept: Kept | None,
    copied: Mapping[str, Member],
) -> Iterator[tuple[str, bytes]]:
    """Yield a copy of each HTML email whose image comes from the pack, not the live site.

    A copy is empty when the last pack's is taken (made from the same email, with the
    same images: see :meth:`Kept.take`), or when a worker made it already (its member is
    in ``copied``).
    """
    copies = EmailCopies.of(messages.values())
    known = kept.outputs if kept is not None else {}
    for output in emails:
        rel = copies.path(output)
        made = known.get(output.path)
        inputs = f"{made.sha256} {copies.pattern}" if made is not None else ""
        if kept is not None and kept.take(rel, inputs):
            yield rel, b""  # taken by reference: its member is in kept.members
            continue
        member = copied.get(rel)
        if member is not None:
            if kept is not None:
                kept.note(rel, inputs, member)
            yield rel, b""
            continue
        copy = copies.copy(output.content)
        if kept is not None:
            kept.put(rel, inputs, copy)
        yield rel, copy
