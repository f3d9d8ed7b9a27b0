"""The channel registry: what each channel outputs and how its platform counts text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache

from campaignsync.errors import UsageError
from campaignsync.model import (
    Body,
    ChannelSettings,
    LocalizedMessage,
    Measure,
    Message,
    Output,
    Project,
)
from campaignsync.wording import closest

#: Count a post in the platform's unit (X weighted characters, graphemes...).
CountFn = Callable[[str], int]
#: Measure a post against the effective limit when one count is not enough (Bluesky, SMS).
MeasureFn = Callable[[str, int, ChannelSettings], Measure]
#: Build extra files (by extension) from the rendered outputs, e.g. an .eml.
AssembleFn = Callable[[dict[str, str], LocalizedMessage, ChannelSettings], dict[str, bytes]]


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """One file a channel renders: ``<channel>.<ext>.j2`` becomes ``<id>.<ext>``."""

    ext: str
    html: bool = False

    def template(self, channel: str) -> str:
        """Return the template file name for this output of ``channel``."""
        return f"{channel}.{self.ext}.j2"


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A built-in channel: its outputs, its platform limit and how to count."""

    name: str
    title: str
    outputs: tuple[OutputSpec, ...]
    limit: int = 0
    unit: str = ""
    count: CountFn | None = None
    #: Replaces ``count`` for platforms with more than one limit or unit.
    measure: MeasureFn | None = None
    #: What the config's settings allow when it is not ``limit`` (SMS: the segments).
    capacity: Callable[[ChannelSettings], int] | None = None
    #: The output whose text is measured (the first output by default).
    measured_ext: str = "txt"
    assemble: AssembleFn | None = None
    #: Most hashtags a post may carry (0: the platform sets none).
    max_hashtags: int = 0
    #: True when more hashtags are refused; False when the extra ones only lose their
    #: meaning (Threads makes the first one the post's topic, the others stay plain text).
    hashtags_refused: bool = True
    #: Most links a post may carry (0: the platform sets none).
    max_links: int = 0
    #: Most characters of image alt text the platform accepts (0: unknown or none).
    max_alt: int = 0
    #: The platform cannot publish a post without an image (Instagram).
    needs_image: bool = False
    #: Whether the channel is on unless the config turns it off.
    default_enabled: bool = True

    def effective_limit(self, settings: ChannelSettings) -> int:
        """Return the platform limit, tightened by the config where it says so."""
        limit = self.capacity(settings) if self.capacity else self.limit
        return min(limit, settings.limit) if settings.limit else limit

    def measure_text(self, text: str, settings: ChannelSettings) -> Measure | None:
        """Return how the platform counts ``text`` against its limit (None: no limit)."""
        limit = self.effective_limit(settings)
        if self.measure is not None:
            return self.measure(text, limit, settings)
        if self.count is not None:
            return Measure(self.count(text), limit, self.unit)
        return None

    def effective_max_hashtags(self, settings: ChannelSettings) -> int:
        """Return the hashtag cap (0: none), tightened by the config where it says so."""
        caps = [cap for cap in (self.max_hashtags, settings.max_hashtags) if cap]
        return min(caps) if caps else 0


def post_field(message: Message, channel: str) -> str:
    """Return the segment that is a channel's post text: its override, else the summary."""
    return f"posts.{channel}" if message.post(channel) is not None else "summary"


@cache
def registry() -> dict[str, ChannelSpec]:
    """Return every built-in channel by name, in the order packs list them."""
    from campaignsync.channels import email, press, sms, social, web

    specs = (*social.SPECS, *sms.SPECS, *email.SPECS, *web.SPECS, *press.SPECS)
    return {spec.name: spec for spec in specs}


@cache
def post_channels() -> tuple[str, ...]:
    """Return the channels whose output is one post a scheduler can publish (a text, no HTML)."""
    return tuple(
        name
        for name, spec in registry().items()
        if any(o.ext == "txt" for o in spec.outputs) and not any(o.html for o in spec.outputs)
    )


@cache
def timed_channels() -> tuple[str, ...]:
    """Return the channels that reach people at one moment: posts, SMS and email."""
    return tuple(
        name for name, spec in registry().items() if any(o.ext == "txt" for o in spec.outputs)
    )


#: Other names people give a channel: a platform's former name or a common short form.
ALIASES = {
    "twitter": "x",
    "tweet": "x",
    "bsky": "bluesky",
    "ig": "instagram",
    "insta": "instagram",
    "e-mail": "email",
    "newsletter": "email",
    "website": "web",
    "press-release": "press",
}


def nearest(name: str, among: Iterable[str] | None = None) -> str | None:
    """Return the channel a mistyped ``name`` most likely means (default: any built-in one)."""
    names = list(registry() if among is None else among)
    key = name.strip().lower()
    if key in names:
        return key
    alias = ALIASES.get(key)
    if alias in names:
        return alias
    close = closest(key, names)
    if close:
        return close
    # A misspelt other name (``twiter``) means that name's channel.
    others = [other for other, channel in ALIASES.items() if channel in names]
    close = closest(key, others, cutoff=0.8)
    return ALIASES[close] if close else None


def did_you_mean(name: str, among: Iterable[str] | None = None) -> str:
    """Return ``" (did you mean 'x'?)"`` for the nearest channel, or ``""``."""
    found = nearest(name, among)
    return f" (did you mean {found!r}?)" if found and found != name else ""


def check_name(name: str) -> str:
    """Return ``name`` when it is a built-in channel; else raise UsageError naming the nearest."""
    if name in registry():
        return name
    hint = did_you_mean(name)
    listed = "" if hint else f" (channels: {', '.join(registry())})"
    raise UsageError(f"unknown channel {name!r}{hint}{listed}")


def check_enabled(names: Iterable[str], settings: Iterable[ChannelSettings]) -> None:
    """Raise UsageError on a channel that is unknown or not enabled in the config."""
    enabled = {s.name for s in settings if s.enabled}
    for name in names:
        check_name(name)
        if name not in enabled:
            raise UsageError(
                f"channel {name!r} is disabled: enable it in campaignsync.toml "
                f"([channels.{name}] enabled = true)"
            )


def assembled(
    project: Project, message: Message, outputs: tuple[Output, ...]
) -> tuple[Output, ...]:
    """Return one unit's outputs with the assembled files rendering left out added back.

    Each is made as ``render.engine.Renderer.render`` makes it, from the rendered
    files (their bytes are the rendered text) and the localized fields they carry;
    it differs from its siblings only in its path, its bytes and having no measure.
    """
    from campaignsync.l10n.localize import partner_for

    config = project.config
    specs = registry()
    by_channel: dict[str, list[Output]] = {}
    for output in outputs:
        by_channel.setdefault(output.channel, []).append(output)
    made: list[Output] = []
    for channel, mine in by_channel.items():
        spec, settings = specs[channel], config.channel(channel)
        files = {o.path.rpartition(".")[2]: o for o in mine}
        if spec.assemble is None or settings is None or set(files) != {x.ext for x in spec.outputs}:
            made.extend(mine)  # nothing to assemble, or assembled already
            continue
        first = mine[0]
        locale = next(loc for loc in config.all_locales if loc.tag == first.locale)
        partner = partner_for(config, message, locale)
        localized = LocalizedMessage(
            message, locale, partner, first.fields, Body("", "", ""), first.translated,
            first.fallbacks,
        )  # fmt: skip
        rendered = {x.ext: files[x.ext].content.decode("utf-8") for x in spec.outputs}
        extra = [
            replace(first, path=f"{first.locale}/{channel}/{message.id}.{ext}", content=data,
                    measure=None)
            for ext, data in spec.assemble(rendered, localized, settings).items()
        ]  # fmt: skip
        made.extend(sorted([*mine, *extra], key=lambda o: o.path))
    return tuple(made)
