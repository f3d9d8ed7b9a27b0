"""Social networks, each counted as its platform counts (sources in docs/channels.md).

X, Mastodon, Bluesky and LinkedIn are on by default; Threads and Instagram are opt-in
(``[channels.threads] enabled = true``).
"""

from __future__ import annotations

import json
from datetime import UTC

from campaignsync.channels import ChannelSpec, OutputSpec, counters, richtext
from campaignsync.model import ChannelSettings, LocalizedMessage, Measure

_TEXT = (OutputSpec("txt"),)
#: Bluesky's lexicon: ``maxGraphemes`` 300 and ``maxLength`` 3,000 (UTF-8 bytes).
BLUESKY_MAX_BYTES = 3000


def _bluesky(text: str, limit: int, settings: ChannelSettings) -> Measure:
    size = Measure(counters.utf8_bytes(text), BLUESKY_MAX_BYTES, "utf-8")
    return Measure(counters.graphemes(text), limit, "graphemes", also=(size,))


def bluesky_record(text: str, localized: LocalizedMessage) -> dict[str, object]:
    """Return the ``app.bsky.feed.post`` record: the text, its language, links and tags as facets.

    Links and tags are found as the Bluesky client finds them (see ``richtext``); facet
    ranges are UTF-8 byte offsets (``byteStart`` inclusive, ``byteEnd`` exclusive).
    """
    record: dict[str, object] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "langs": [localized.locale.tag],
    }
    when = localized.message.publish_for(localized.partner)
    if when is not None:
        record["createdAt"] = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    facets = richtext.facets(text)
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
