"""Social networks, each counted as its platform counts (sources in docs/channels.md).

X, Mastodon, Bluesky and LinkedIn are on by default; Threads and Instagram are opt-in
(``[channels.threads] enabled = true``).
"""

from __future__ import annotations

import json
from datetime import UTC
from urllib.parse import urlsplit

from campaignsync.channels import ChannelSpec, OutputSpec, counters, richtext
from campaignsync.model import ChannelSettings, LocalizedMessage, Measure

_TEXT = (OutputSpec("txt"),)
#: Bluesky's lexicon: ``maxGraphemes`` 300 and ``maxLength`` 3,000 (UTF-8 bytes).
BLUESKY_MAX_BYTES = 3000


def _bluesky(text: str, limit: int, settings: ChannelSettings) -> Measure:
    shown = bluesky_text(text)[0]
    size = Measure(counters.utf8_bytes(shown), BLUESKY_MAX_BYTES, "utf-8")
    return Measure(counters.graphemes(shown), limit, "graphemes", also=(size,))


def short_url(url: str) -> str:
    """Return the link text Bluesky's app posts for ``url`` (``toShortUrl`` in social-app).

    The host, then the path, query and fragment; a rest longer than 15
    characters keeps its first 13 and ``...``. Addresses without an http(s)
    scheme are kept as written.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url
    rest = "" if parts.path in ("", "/") else parts.path
    rest += f"?{parts.query}" if parts.query else ""
    rest += f"#{parts.fragment}" if parts.fragment else ""
    host = parts.netloc.rpartition("@")[2].lower()
    return host + (rest[:13] + "..." if len(rest) > 15 else rest)


def bluesky_text(text: str) -> tuple[str, list[richtext.Link]]:
    """Return the text as Bluesky's app posts it, and each link in that text.

    The app finds links as :mod:`richtext` does, shortens the visible text of
    each (:func:`short_url`, ``shortenLinks`` in social-app) and keeps the full
    address in the link facet; the shortened text is what counts against the limits.
    """
    parts: list[str] = []
    found: list[richtext.Link] = []
    last = at = 0
    for link in richtext.links(text):
        shown = short_url(text[link.start : link.end])
        parts.append(text[last : link.start])
        at += link.start - last
        found.append(richtext.Link(at, at + len(shown), link.uri))
        parts.append(shown)
        at += len(shown)
        last = link.end
    parts.append(text[last:])
    return "".join(parts), found


def bluesky_record(text: str, localized: LocalizedMessage) -> dict[str, object]:
    """Return the ``app.bsky.feed.post`` record: the text, its language, links and tags as facets.

    Links and tags are found as the Bluesky client finds them (see ``richtext``); links
    are shortened in the text as the app does, the facet keeping the full address. Facet
    ranges are UTF-8 byte offsets (``byteStart`` inclusive, ``byteEnd`` exclusive).
    """
    shown, found = bluesky_text(text)
    record: dict[str, object] = {
        "$type": "app.bsky.feed.post",
        "text": shown,
        "langs": [localized.locale.tag],
    }
    when = localized.message.publish_for(localized.partner)
    if when is not None:
        record["createdAt"] = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    facets = richtext.facets(shown, found)
    if facets:
        record["facets"] = facets
    return record


def _bluesky_files(
    rendered: dict[str, str], localized: LocalizedMessage, settings: ChannelSettings
) -> dict[str, bytes]:
    record = bluesky_record(rendered["txt"].rstrip("\n"), localized)
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return {"json": text.encode("utf-8")}


SPECS = (
    ChannelSpec(
        "x",
        "X",
        _TEXT,
        280,
        "weighted",
        counters.x_weighted_length,
    ),
    ChannelSpec(
        "mastodon",
        "Mastodon",
        _TEXT,
        500,
        "graphemes",
        counters.mastodon_length,
        max_alt=1500,
    ),
    ChannelSpec(
        "bluesky",
        "Bluesky",
        _TEXT,
        300,
        "graphemes",
        measure=_bluesky,
        assemble=_bluesky_files,
        max_alt=2000,
    ),
    ChannelSpec(
        "linkedin",
        "LinkedIn",
        _TEXT,
        3000,
        "utf-16",
        counters.utf16_units,
    ),
    ChannelSpec(
        "threads",
        "Threads",
        _TEXT,
        500,
        "characters",
        counters.threads_length,
        max_hashtags=1,
        hashtags_refused=False,
        max_links=5,
        default_enabled=False,
    ),
    ChannelSpec(
        "instagram",
        "Instagram",
        _TEXT,
        2200,
        "utf-16",
        counters.utf16_units,
        max_hashtags=5,
        needs_image=True,
        default_enabled=False,
    ),
)
