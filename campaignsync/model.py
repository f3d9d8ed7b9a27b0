"""Immutable values that flow between the stages; no IO, no third-party imports."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from campaignsync.campaigns import Calendar
from campaignsync.paths import Paths


def by_position(self: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a frozen value as a call of its constructor, not a generic ``__setstate__``."""
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


class Severity(enum.StrEnum):
    """How bad a diagnostic is; ``--strict`` promotes warnings to errors."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable code, where it is, and what to do about it."""

    __reduce__ = by_position

    code: str
    severity: Severity
    text: str
    file: str | None = None
    line: int | None = None
    locale: str | None = None
    channel: str | None = None

    @property
    def is_error(self) -> bool:
        """Return True for errors."""
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class Locale:
    """A locale as users type it (BCP 47 ``pt-PT``) and as gettext stores it (``pt_PT``)."""

    tag: str
    gettext: str
    direction: str = "ltr"
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Partner:
    """A campaign partner: a time zone, business hours and the locales it publishes in."""

    id: str
    name: str
    timezone: str
    locales: tuple[str, ...]
    required_locales: tuple[str, ...]
    business_hours: tuple[time, time]
    dateline: str = ""
    #: Weekdays the partner publishes on (0 = Monday), for the business-hours check.
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class ChannelSettings:
    """What the config says about one channel; limits may only be tightened."""

    name: str
    enabled: bool = True
    limit: int | None = None
    max_segments: int = 1
    sender: str = ""
    max_hashtags: int = 0  # 0: only the platform's own cap, if any
    #: Campaign tracking on this channel's links (None: on, except for SMS).
    tracking: bool | None = None


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    """The ``[schedule]`` table: how close posts may be and what each theme week needs."""

    #: Two messages of one partner on one channel must be at least this far apart.
    min_spacing_minutes: int = 60
    #: Channels on which every partner that uses them should post in every theme week.
    weekly_channels: tuple[str, ...] = ("x", "mastodon", "bluesky", "linkedin")


#: Where the web page of a message is published, in each locale (``[links] page_url``).
DEFAULT_PAGE_URL = "{base_url}/{campaign}/{locale}/web/{id}.html"


@dataclass(frozen=True, slots=True)
class LinkSettings:
    """The ``[links]`` table: where web pages live and which campaign tracking to add."""

    page_url: str = DEFAULT_PAGE_URL
    #: "none", "utm" (utm_source, utm_medium...) or "matomo" (mtm_source, mtm_medium...).
    tracking: str = "none"


@dataclass(frozen=True, slots=True)
class ReadabilitySettings:
    """The ``[readability]`` table: the target for source texts, the allowance for translations."""

    #: Source texts should score at least this with their language's own formula (Flesch 60:
    #: "standard", about the reading level WCAG 3.1.5 asks for).
    min_ease: int = 60
    #: ... and at most this LIX (Björnsson: up to 40 is easy to read).
    max_lix: int = 40
    #: Texts with fewer words are not scored (the formulas need about 100 words).
    min_words: int = 100
    #: Percent by which a translation may be harder than its locale's usual ratio to the source.
    max_increase: int = 30


@dataclass(frozen=True, slots=True)
class AccessibilitySettings:
    """The ``[accessibility]`` table: what the post checks allow."""

    #: Most emoji a post may carry.
    max_emoji: int = 3


@dataclass(frozen=True, slots=True)
class Config:
    """The whole of ``campaignsync.toml``, validated."""

    root: Path
    name: str
    source_locale: Locale
    locales: tuple[Locale, ...]
    partners: tuple[Partner, ...]
    channels: tuple[ChannelSettings, ...]
    paths: Paths = field(default_factory=Paths)
    base_url: str = "https://example.org"
    default_campaign: str | None = None
    ignore: frozenset[str] = frozenset()
    protected_terms: tuple[str, ...] = ()
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    readability: ReadabilitySettings = field(default_factory=ReadabilitySettings)
    accessibility: AccessibilitySettings = field(default_factory=AccessibilitySettings)
    #: The approved terms (a TBX file relative to the root), if the campaign has them.
    glossary: str | None = None
    links: LinkSettings = field(default_factory=LinkSettings)
    #: The shared remote and branch that ``sync`` fast-forwards from (None: the current branch).
    git_remote: str = "origin"
    git_branch: str | None = None

    @property
    def all_locales(self) -> tuple[Locale, ...]:
        """Return the source locale followed by every target locale."""
        return (self.source_locale, *self.locales)

    def locale(self, tag: str) -> Locale | None:
        """Return the locale with this BCP 47 tag, or None."""
        return next((loc for loc in self.all_locales if loc.tag == tag), None)

    def partner(self, partner_id: str) -> Partner | None:
        """Return the partner with this id, or None."""
        return next((p for p in self.partners if p.id == partner_id), None)

    def channel(self, name: str) -> ChannelSettings | None:
        """Return the settings of an enabled channel, or None."""
        return next((c for c in self.channels if c.name == name and c.enabled), None)


@dataclass(frozen=True, slots=True)
class Image:
    """An image of a message, with its (translatable) alt text."""

    src: str
    alt: str


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a Markdown body: the marker kept apart from the translatable text.

    ``group`` numbers runs of blocks that are joined by a single newline
    (the items of one list); other blocks are separated by a blank line.
    """

    kind: str  # heading | paragraph | item | quote | code
    prefix: str
    text: str
    line: int
    group: int


@dataclass(frozen=True, slots=True)
class Segment:
    """A translatable piece of a message: ``field`` names it in the msgctxt."""

    field: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Message:
    """One awareness message, as written in ``content/messages/<campaign>/<id>.md``."""

    id: str
    path: str
    campaign: str
    partners: tuple[str, ...]
    channels: tuple[str, ...]
    publish: tuple[tuple[str, datetime], ...]
    title: str
    summary: str
    theme: str | None = None
    link: str | None = None
    hashtags: tuple[str, ...] = ()
    image: Image | None = None
    posts: tuple[tuple[str, str], ...] = ()
    body: tuple[Block, ...] = ()
    lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        """Return the line of a front-matter key (or 1 when unknown)."""
        return dict(self.lines).get(key, 1)

    def publish_for(self, partner_id: str) -> datetime | None:
        """Return the publication instant for one partner."""
        return dict(self.publish).get(partner_id)

    def post(self, channel: str) -> str | None:
        """Return the per-channel override text, if any."""
        return dict(self.posts).get(channel)


@dataclass(frozen=True, slots=True)
class Project:
    """Everything loaded from a campaign repository; nothing rendered yet."""

    root: Path
    config: Config
    calendar: Calendar
    messages: tuple[Message, ...]
    #: Each message the load memo (``load.parsed``) took or parsed, with its ``pack.keys.digest``.
    digested: tuple[tuple[Message, str], ...] = field(default=(), compare=False, repr=False)
    #: Keeps what the load parsed (``load.parsed``) once a build or check made the output folder.
    keep_parsed: Callable[[], None] | None = field(default=None, compare=False, repr=False)

    def messages_of(self, campaign_id: str) -> tuple[Message, ...]:
        """Return the messages of one campaign in id order."""
        return tuple(m for m in self.messages if m.campaign == campaign_id)


@dataclass(frozen=True, slots=True)
class Translated:
    """Text of one segment in one locale, and where it came from."""

    __reduce__ = by_position

    text: str
    locale: str  # the locale whose catalog supplied it (the source locale if none did)
    origin: str | None = None  # "locales/de/LC_MESSAGES/messages.po:42"


class BodyTexts(Protocol):
    """A message's body in one locale: sanitised HTML, text wrapped for email, plain text."""

    @property
    def html(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def plain(self) -> str: ...


class Body(NamedTuple):
    """A body's texts made already (:class:`BodyTexts`)."""

    html: str
    text: str
    plain: str


@dataclass(frozen=True, slots=True)
class LocalizedMessage:
    """A message in one locale: translated fields plus the body as HTML and text."""

    message: Message
    locale: Locale
    partner: str
    fields: tuple[tuple[str, Translated], ...]
    body: BodyTexts  # made when first read (l10n.localize): a post shows none
    translated: bool
    fallbacks: tuple[str, ...]

    def text(self, field_name: str) -> str:
        """Return the localized text of a field ('' when the message has none)."""
        found = dict(self.fields).get(field_name)
        return found.text if found else ""


#: How each counting unit of a Measure reads in a sentence.
UNIT_NAMES = {
    "weighted": "weighted characters",
    "graphemes": "characters",
    "characters": "characters",
    "utf-16": "UTF-16 units",
    "utf-8": "UTF-8 bytes",
    "septets": "GSM-7 septets",
    "ucs-2": "UCS-2 units",
}


def overrun(length: int, padding: int, limit: int) -> int:
    """Return how far a text of ``length`` units and ``padding`` goes over ``limit`` (0: fits)."""
    return max(0, length + padding - limit)


@dataclass(frozen=True, slots=True)
class Measure:
    """How a platform counts an output, against its limit."""

    __reduce__ = by_position

    length: int
    limit: int
    unit: str
    encoding: str | None = None
    segments: int | None = None
    #: Further limits the same text must meet (Bluesky: 3,000 UTF-8 bytes as well).
    also: tuple[Measure, ...] = ()
    #: Units the text cannot use (SMS: the ends of parts left empty because the next
    #: character may not be split); they count against the limit like the text.
    padding: int = 0

    @property
    def over(self) -> int:
        """Return how far over the limit the output is (0 when it fits)."""
        return overrun(self.length, self.padding, self.limit)

    @property
    def limits(self) -> tuple[Measure, ...]:
        """Return this measure and every further limit the same text must meet."""
        return (self, *self.also)

    @property
    def headroom(self) -> int:
        """Return how many units are left before the limit (negative when over)."""
        return self.limit - self.length - self.padding

    @property
    def unit_name(self) -> str:
        """Return how the unit reads in a sentence ("UTF-8 bytes" for "utf-8")."""
        return UNIT_NAMES.get(self.unit, self.unit)

    @property
    def exceeded(self) -> Measure | None:
        """Return the first of the limits the text goes over, or None when it meets them all."""
        if not self.also:  # most outputs: asked of every one on every build
            return self if overrun(self.length, self.padding, self.limit) else None
        return next((m for m in self.limits if m.over), None)

    @property
    def share(self) -> float:
        """Return the largest share of a limit the text uses (above 1.0: over it)."""
        return max(((m.length + m.padding) / m.limit for m in self.limits if m.limit), default=0.0)


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the pack for a message x locale x channel."""

    __reduce__ = by_position

    message: str
    locale: str
    channel: str
    path: str
    content: bytes
    translated: bool
    fallbacks: tuple[str, ...] = ()
    measure: Measure | None = None
    #: The localized segments behind the output and where each came from (PO file:line), so
    #: a check can name the translation to shorten; shared by a message x locale's outputs.
    fields: tuple[tuple[str, Translated], ...] = ()
    #: For a web page, email or press release: the readability counts (l10n/readability.Counts)
    #: of its body in its language, then of the same source paragraphs, counted while rendering.
    readability: tuple[int, ...] = ()
    #: Every address the output links to, in order of first use (the manifest's "links").
    links: tuple[str, ...] = ()

    @property
    def over_limit(self) -> bool:
        """Say whether the output is longer than its channel allows (a limit it goes over)."""
        return self.measure is not None and self.measure.exceeded is not None
