"""Social networks: X, Mastodon, Bluesky and LinkedIn, each counted as its platform counts."""

from __future__ import annotations

from campaignsync.channels import ChannelSpec, OutputSpec, counters
from campaignsync.model import ChannelSettings, Measure

_TEXT = (OutputSpec("txt"),)


def _x(text: str, settings: ChannelSettings) -> Measure:
    return Measure(counters.x_weighted_length(text), SPECS[0].effective_limit(settings), "weighted")


def _mastodon(text: str, settings: ChannelSettings) -> Measure:
    return Measure(counters.mastodon_length(text), SPECS[1].effective_limit(settings), "graphemes")


def _bluesky(text: str, settings: ChannelSettings) -> Measure:
    return Measure(counters.graphemes(text), SPECS[2].effective_limit(settings), "graphemes")


def _linkedin(text: str, settings: ChannelSettings) -> Measure:
    return Measure(counters.utf16_units(text), SPECS[3].effective_limit(settings), "utf-16")


SPECS = (
    ChannelSpec("x", "X", _TEXT, 280, "weighted", _x),
    ChannelSpec("mastodon", "Mastodon", _TEXT, 500, "graphemes", _mastodon),
    ChannelSpec("bluesky", "Bluesky", _TEXT, 300, "graphemes", _bluesky),
    ChannelSpec("linkedin", "LinkedIn", _TEXT, 3000, "utf-16", _linkedin),
)
