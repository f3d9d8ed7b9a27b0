"""What the gallery shows of one output: a post card, SMS bubbles, an email frame or a page.

Pure functions from an :class:`Output` (and the project it came from) to plain
values that the gallery templates lay out; no HTML is written here.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from urllib.parse import urlsplit

from campaignsync import channels
from campaignsync.channels import counters, richtext, sms, social
from campaignsync.l10n import localize
from campaignsync.model import Config, Measure, Message, Output
from campaignsync.render import links

#: A post within this share of its limit is flagged as close to it.
NEAR = 0.9

#: Mentions as each platform links them (LinkedIn mentions are picked, not typed).
_MENTIONS = {
    "x": re.compile(r"(?<![\w@])@\w{1,15}"),
    "mastodon": re.compile(r"(?<![\w@/])@\w+(?:@[\w.-]+\w)?"),
    "bluesky": re.compile(r"(?<![\w@])@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+"),
    "threads": re.compile(r"(?<![\w@])@[\w.]+\w"),
    "instagram": re.compile(r"(?<![\w@])@[\w.]+\w"),
}
#: Platforms that link a bare domain (example.org) as well as an http(s) URL.
_BARE_LINKS = frozenset({"x"})
#: Instagram captions never link URLs; Threads turns only the first hashtag into a topic.
_NO_LINKS = frozenset({"instagram"})
_ONE_TAG = frozenset({"threads"})


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of post text: plain, or a link, hashtag or mention the platform highlights."""

    kind: str  # text | link | tag | mention
    text: str
    #: Where a link shortened by its platform shows (start, end) of its text, and the mark
    #: after it ("…"): the rest is hidden, never removed, so the text copied is the post's.
    cut: tuple[int, int, str] | None = None


@dataclass(frozen=True, slots=True)
class Gauge:
    """One limit of a post: the share used, its colour and the figure in words."""

    percent: int  # width of the bar, 0-100
    level: str  # ok | near | over
    words: str


@dataclass(frozen=True, slots=True)
class Card:
    """Everything the gallery shows for one output."""

    output: Output
    kind: str  # post | sms | email | page
    channel_title: str
    partner: str
    account: str
    locale_direction: str
    direction: str  # of the text itself: a fallback keeps its own language's direction
    text_lang: str
    text: str
    pieces: tuple[Piece, ...] = ()
    bubbles: tuple[tuple[str, str], ...] = ()  # (text, "part 1 of 2 · 153 GSM-7 septets")
    gauges: tuple[Gauge, ...] = ()
    image: str = ""
    alt: str = ""
    title: str = ""
    summary: str = ""
    domain: str = ""
    level: str = "ok"
    #: Every file of this message x locale x channel (email: HTML, text and .eml).
    files: tuple[str, ...] = ()
    #: A web page's, email's or press release's readability (docs/readability.md), or "".
    reading: str = ""

    @property
    def anchor(self) -> str:
        """Return the id of the card on its locale page."""
        return f"{self.output.message}-{self.output.channel}"


def gauges(measure: Measure | None) -> tuple[Gauge, ...]:
    """Return a gauge per limit the output must meet, in the platform's own unit."""
    if measure is None:
        return ()
    found = []
    for limit in measure.limits:
        share = (limit.length + limit.padding) / limit.limit if limit.limit else 0.0
        level = "over" if limit.over else "near" if share >= NEAR else "ok"
        figure = f"{limit.length:,} of {limit.limit:,} {limit.unit_name}"
        rest = f"{limit.over:,} over the limit" if limit.over else f"{limit.headroom:,} left"
        if limit.padding:
            rest += f", {limit.padding:,} lost at segment ends"
        if limit.segments:
            allowed = limit.limit // (153 if limit.encoding == "GSM-7" else 67) or 1
            figure = f"{limit.segments} SMS of {allowed} allowed, {figure}"
        found.append(Gauge(min(100, round(100 * share)), level, f"{figure}: {rest}"))
    return tuple(found)


def pieces(text: str, channel: str) -> tuple[Piece, ...]:
    """Return ``text`` cut into plain runs and what ``channel`` links: URLs, hashtags, mentions."""
    spans: list[tuple[int, int, str]] = []
    if channel == "bluesky":  # the facets of the Bluesky record the pack ships
        spans += [(link.start, link.end, "link") for link in richtext.links(text)]
        tags = [(a, b, "tag") for a, b, _ in richtext.tags(text)]
    else:
        if channel not in _NO_LINKS:
            urls = counters.urls(text, bare=channel in _BARE_LINKS)
            spans += [(a, b, "link") for a, b in urls]
        tags = [(a, b, "tag") for a, b, _ in counters.hashtags(text)]
    spans += tags[:1] if channel in _ONE_TAG else tags
    if (mention := _MENTIONS.get(channel)) is not None:
        spans += [(m.start(), m.end(), "mention") for m in mention.finditer(text)]
    found: list[Piece] = []
    at = 0
    shorten = _SHOWN.get(channel)
    for start, end, kind in sorted(spans):
        if start < at:
            continue  # a hashtag or mention inside a URL is part of the link
        if start > at:
            found.append(Piece("text", text[at:start]))
        part = text[start:end]
        cut = _cut(part, shorten(part)) if kind == "link" and shorten else None
        found.append(Piece(kind, part, cut))
        at = end
    if at < len(text):
        found.append(Piece("text", text[at:]))
    return tuple(found)


def _cut(url: str, shown: str) -> tuple[int, int, str] | None:
    """Return the part of ``url`` shown as ``shown`` (None: all of it, or not a part of it)."""
    mark = next((m for m in ("…", "...") if shown.endswith(m)), "")
    core = shown[: len(shown) - len(mark)]
    start = url.find(core) if core else -1
    if start < 0 or (start == 0 and not mark and core == url):
        return None
    return start, start + len(core), mark


def _mastodon_shown(url: str) -> str:
    """Return what Mastodon's web client shows of a link: no scheme nor ``www.``, 30 characters.

    Its link formatting hides the ``https://`` (and ``www.``) and what follows the first
    30 characters, with an ellipsis after them.
    """
    rest = _MASTODON_PREFIX.sub("", url, count=1)
    return rest if len(rest) <= _MASTODON_SHOWN else rest[:_MASTODON_SHOWN] + "…"


_MASTODON_PREFIX = re.compile(r"\A(?:https?://(?:www\.)?|xmpp:)", re.IGNORECASE)
_MASTODON_SHOWN = 30
#: How a platform shows a link in a post, where it shortens it (X's display rule is not
#: published: its cards show the address as written). Bluesky's app posts the text
#: shortened (``social.short_url``): what the record the pack ships holds.
_SHOWN = {"mastodon": _mastodon_shown, "bluesky": social.short_url}


def bubbles(text: str) -> tuple[tuple[str, str], ...]:
    """Return the SMS segments of ``text`` as a phone receives them, each with its size."""
    parts = sms.sms_parts(text)
    encoding = sms.encoding_of(text)
    unit = "GSM-7 septets" if encoding == "GSM-7" else "UCS-2 units"
    found = []
    for number, part in enumerate(parts, start=1):
        size = sms.units(part, encoding)
        label = f"part {number} of {len(parts)} · {size} {unit}"
        found.append((part, label if len(parts) > 1 else f"{size} {unit}"))
    return tuple(found)


def reading(output: Output) -> str:
    """Return the readability of a long text's body as the gallery shows it ("" for a post)."""
    if len(output.readability) not in (6, 12):
        return ""
    from campaignsync.l10n import longtexts, readability

    counts = readability.Counts(*output.readability[:6])
    found = readability.score(counts, readability.language_of(output.locale))
    if found is None:
        return ""
    source = readability.Counts(*output.readability[6:]) if len(output.readability) == 12 else None
    ratio = longtexts.ratio(counts, source)
    return f"Readability: {found.describe()}" + (
        f" (x{ratio:.2f} the source's LIX)" if ratio else ""
    )


def card(config: Config, message: Message, output: Output, files: tuple[str, ...] = ()) -> Card:
    """Return what the gallery shows of one output."""
    spec = channels.registry().get(output.channel)
    fields = dict(output.fields)
    locale = config.locale(output.locale) or config.source_locale
    partner_id = localize.partner_for(config, message, locale)
    partner = config.partner(partner_id)
    supplied = fields.get(channels.post_field(message, output.channel))
    source = config.locale(supplied.locale) if supplied else None
    text = output.content.decode("utf-8", "replace") if output.path.endswith(".txt") else ""
    text = text.removesuffix("\n")  # the file's final newline is not part of the post
    alt = fields.get("image.alt")
    title = fields.get("title")
    summary = fields.get("summary")
    measured = gauges(output.measure)
    base = Card(
        output=output,
        kind=_kind(output),
        channel_title=spec.title if spec else output.channel,
        partner=partner_id,
        account=partner.name if partner else partner_id,
        locale_direction=locale.direction,
        direction=(source or locale).direction,
        text_lang=(source or locale).tag,
        text=text,
        gauges=measured,
        image=message.image.src if message.image else "",
        alt=alt.text if alt else "",
        title=title.text if title else message.title,
        summary=summary.text if summary else message.summary,
        level=_worst(g.level for g in measured),
        files=files or (output.path,),
        reading=reading(output),
    )
    if base.kind == "sms":
        return _replace(base, bubbles=bubbles(text))
    if base.kind == "post":
        cut = pieces(text, output.channel)
        target = links.target(config, message, output.locale, output.channel)
        return _replace(base, pieces=cut, domain=_preview(cut, target, base.image))
    return base


def _preview(cut: tuple[Piece, ...], target: str, image: str) -> str:
    """Return the domain of the link-preview card a post shows ("": none).

    Its first link's, when that is where the message points (``render.links.target``: its
    page, whose title and summary the card shows); none when the post carries an image,
    which the platforms show instead of a preview.
    """
    link = next((p.text for p in cut if p.kind == "link"), "")
    if not link or image or not target:
        return ""
    address = link if "://" in link else f"https://{link}"
    if links.untracked(address) != links.untracked(target):
        return ""
    return urlsplit(address).hostname or ""


def _replace(card: Card, **changes: object) -> Card:
    from dataclasses import replace

    return replace(card, **changes)  # type: ignore[arg-type]


def _kind(output: Output) -> str:
    if output.channel == "sms":
        return "sms"
    if output.channel == "email":
        return "email"
    return "post" if output.path.endswith(".txt") else "page"


def _worst(levels: object) -> str:
    seen = set(levels)  # type: ignore[call-overload]
    return next((level for level in ("over", "near") if level in seen), "ok")


def shown(outputs: list[Output]) -> list[Output]:
    """Return the outputs the gallery shows a card for, by locale, message and channel."""
    return [o for of_unit in shown_by_unit(outputs).values() for o in of_unit]


def shown_by_unit(
    outputs: list[Output], messages: Container[str] | None = None
) -> dict[tuple[str, str], list[Output]]:
    """Return the outputs shown as cards, by (locale, message) in order, each by channel.

    One card per message x locale x channel: a channel with several files (email:
    HTML, text, .eml) is shown by its preferred file; Bluesky's JSON record is left
    to the files. With ``messages``, only their outputs are shown.
    """
    best: dict[tuple[str, str], dict[str, tuple[int, Output]]] = {}
    for output in outputs:  # every output of a pack, once per build: kept to a few steps
        path = output.path
        ranks = _EMAIL_RANKS if output.channel == "email" else _RANKS
        rank = ranks.get(path[path.rfind(".") + 1 :], -1)
        if rank < 0 or (messages is not None and output.message not in messages):
            continue
        unit = best.get((output.locale, output.message))
        if unit is None:
            unit = best[(output.locale, output.message)] = {}
        known = unit.get(output.channel)
        if known is None or rank > known[0]:
            unit[output.channel] = (rank, output)
    return {key: [o for _, (_, o) in sorted(best[key].items())] for key in sorted(best)}


#: How much the gallery prefers each kind of file as a channel's card (absent: never).
_RANKS = {"html": 2, "txt": 2}
_EMAIL_RANKS = {"html": 2, "txt": 1}
