"""Where a message links to, in each locale and channel: its web page, with campaign tracking.

A message with a web page is linked, in every locale, to its page in that
locale (``[links] page_url``); a message without one keeps its ``link``.
Links to the campaign site carry tracking parameters where the config turns
tracking on; canonical URLs, ``og:url`` and hreflang never do. Everything here
is a pure function of the config and the message; only ``linkcheck`` touches
the network (docs/links.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from string import Formatter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from campaignsync.l10n import tokens
from campaignsync.model import Config, Message, Translated

#: The placeholders ``[links] page_url`` may use.
PLACEHOLDERS = ("base_url", "campaign", "locale", "id")
#: The tracking schemes and the prefix of their parameters.
TRACKING = {"none": "", "utm": "utm_", "matomo": "mtm_"}
#: ``utm_medium`` of the channels that are not social networks.
_MEDIUMS = {"sms": "sms", "email": "email", "press": "press"}


def pattern_problem(pattern: str) -> str | None:
    """Return why ``pattern`` cannot be the page URL pattern, or None when it is fine."""
    try:
        fields = [
            (name, spec, conv)
            for _, name, spec, conv in Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError:
        fields = [("", "", "?")]
    if any(name not in PLACEHOLDERS or spec or conv for name, spec, conv in fields):
        names = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        return f"may only use the placeholders {names}"
    for needed in ("locale", "id"):
        if needed not in {name for name, _, _ in fields}:
            return f"must contain {{{needed}}}: every message and locale needs its own page"
    sample = pattern.format(base_url="https://example.org", campaign="2026", locale="pt-PT", id="a")
    parts = urlsplit(sample)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        return "must make an https:// address without a query, like '{base_url}/{locale}/{id}'"
    if any(ch.isspace() or ch in "<>\"'`" for ch in sample):
        return "contains spaces or quotes"
    return None


def page_url(config: Config, campaign: str, locale: str, message_id: str) -> str:
    """Return the public address of a message's web page in one locale (never tracked)."""
    return config.links.page_url.format(
        base_url=config.base_url, campaign=campaign, locale=locale, id=message_id
    )


def has_page(config: Config, message: Message) -> bool:
    """Return True when the pack has a web page for the message (the web channel is on)."""
    return "web" in message.channels and config.channel("web") is not None


def medium(channel: str) -> str:
    """Return the tracking medium of a channel: social, sms, email or press."""
    return _MEDIUMS.get(channel, "social")


def tracking_on(config: Config, channel: str) -> bool:
    """Return True when links on ``channel`` carry tracking (SMS only when asked for)."""
    settings = config.channel(channel)
    if config.links.tracking == "none" or channel == "web" or settings is None:
        return False
    return settings.tracking if settings.tracking is not None else channel != "sms"


def on_site(config: Config, url: str) -> bool:
    """Return True when ``url`` is on the campaign site (the host and port of base_url)."""
    return urlsplit(url).netloc.lower() == urlsplit(config.base_url).netloc.lower()


def tracked(config: Config, url: str, message: Message, locale: str, channel: str) -> str:
    """Return ``url`` with the campaign's tracking parameters for one channel and locale.

    Only links to the campaign site are tracked (another site's analytics is
    not the campaign's); parameters the address already has are kept as written.
    """
    if not tracking_on(config, channel) or not on_site(config, url):
        return url
    prefix = TRACKING[config.links.tracking]
    parts = urlsplit(url)
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    wanted = (
        ("source", channel),
        ("medium", medium(channel)),
        ("campaign", message.campaign),
        ("content", f"{locale}_{message.id}"),
    )
    added = urlencode([(prefix + k, v) for k, v in wanted if prefix + k not in present])
    query = "&".join(q for q in (parts.query, added) if q)
    return urlunsplit(parts._replace(query=query))


def untracked(url: str) -> str:
    """Return ``url`` without tracking parameters (UTM and Matomo): the page it leads to."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith(("utm_", "mtm_"))
    ]
    if len(kept) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def target(config: Config, message: Message, locale: str, channel: str) -> str:
    """Return where a message points on one channel in one locale ('' when nowhere).

    Every channel but the web page links to the message's page in the same
    locale when it has one, else to its ``link``; the web page itself links
    on to ``link``, untracked.
    """
    if channel == "web":
        return message.link or ""
    if has_page(config, message):
        url = page_url(config, message.campaign, locale, message.id)
    elif message.link:
        url = message.link
    else:
        return ""
    return tracked(config, url, message, locale, channel)


def in_text(text: str) -> list[str]:
    """Return the web addresses a Markdown text links to or shows, in order."""
    if "://" not in text and "\\" not in text:
        # Every address found starts with http:// or https://; only a backslash escape,
        # removed before searching, could join one that the text does not spell out.
        return []
    found = [t for kind, t in tokens.links(text) if kind == "link"]
    found.extend(tokens.addresses(text))
    return [url for url in found if url.startswith(("https://", "http://"))]


def of_output(candidates: Iterable[str], rendered: Iterable[str]) -> tuple[str, ...]:
    """Return the candidate addresses that appear in the rendered text, each once, in order.

    HTML escapes ``&`` in attributes, so an address counts in either spelling.
    """
    texts = list(rendered)
    found: list[str] = []
    for url in candidates:
        if url in found:
            continue
        escaped = url.replace("&", "&amp;")
        if any(url in text or escaped in text for text in texts):
            found.append(url)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Source:
    """Where the text holding a link is: a file and line."""

    file: str
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


def sources(
    config: Config,
    message: Message,
    fields: tuple[tuple[str, Translated], ...],
    channel: str,
    url: str,
    page_line: int | None,
) -> Iterator[Source]:
    """Yield where the text that puts ``url`` into one output is written.

    The page address comes from ``[links] page_url`` (or ``base_url``); the
    message's ``link`` from its front matter; any other address from the
    segment (its translation in a PO file, or the source) that holds it.
    ``page_line`` is the line of the setting that makes page addresses.
    """
    from campaignsync.load import content  # content reads the config, which imports this module

    bare = untracked(url)
    if channel != "web" and has_page(config, message):
        pages = (page_url(config, message.campaign, loc, message.id) for loc in _locales(config))
        if bare in pages:
            yield Source("campaignsync.toml", page_line)
            return
    if bare == untracked(message.link or ""):
        yield Source(message.path, message.line_of("link"))
    lines = {s.field: s.line for s in content.segments(message)}
    for field, text in fields:
        if url in text.text or bare in text.text:
            if text.origin:
                file, _, line = text.origin.rpartition(":")
                yield Source(file, int(line) if line.isdigit() else None)
            else:
                yield Source(message.path, lines.get(field))


def _locales(config: Config) -> Iterator[str]:
    return (loc.tag for loc in config.all_locales)
