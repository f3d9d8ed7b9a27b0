"""Every setting campaignsync reads, declared once: name, type, default and one line of doc.

Three files are declared here: ``campaignsync.toml`` (``CONFIG``), the joint calendar
(``CALENDAR``) and a message's front matter (``FRONT_MATTER``). The loaders take from
these tables which keys exist, their types, defaults and bounds, and the did-you-mean
hint for a key that does not; docs/settings.md is generated from them by cog
(``load/reference.py``). A table path names a TOML table or YAML mapping with dots;
``<id>``, ``<channel>`` or ``<n>`` stands for any key, or any item of a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from campaignsync.model import DEFAULT_PAGE_URL
from campaignsync.wording import closest


@dataclass(frozen=True, slots=True)
class Kind:
    """A type a setting may have: how the reference names it and how errors say it."""

    name: str
    noun: str
    types: tuple[type, ...]
    #: Types that pass ``isinstance`` but are not meant (a boolean is no number).
    not_types: tuple[type, ...] = ()
    #: For a list: the type of each item.
    items: type | None = None

    def accepts(self, value: object) -> bool:
        """Return True when ``value`` has this kind."""
        if not isinstance(value, self.types) or isinstance(value, self.not_types):
            return False
        return self.items is None or all(isinstance(item, self.items) for item in value)  # type: ignore[attr-defined]


# The kinds of campaignsync.toml.
STRING = Kind("string", "a string", (str,))
INTEGER = Kind("integer", "a whole number", (int,), not_types=(bool,))
BOOLEAN = Kind("boolean", "true or false", (bool,))
STRINGS = Kind("list of strings", "a list of strings", (list,), items=str)
TABLE = Kind("table", "a table", (dict,))
# The kinds of the YAML files.
TEXT = Kind("text", "text", (str,))
DATE = Kind("date", "a date", (date,), not_types=(datetime,))
DATETIME = Kind("date and time", "a date and time", (datetime, dict))
FLAG = Kind("true/false", "true or false", (bool,))
NAMES = Kind("list of names", "a list of names", (list, str))
LIST = Kind("list", "a list", (list,))
MAPPING = Kind("mapping", "a mapping", (dict,))


class _Required:
    """The default of a setting that must be given."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
NO_TABLE: Any = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Setting:
    """One key: its name, type, the value used when it is absent, and what it is for."""

    name: str
    kind: Kind
    default: Any
    doc: str
    #: How the reference shows a default that depends on other settings (the loader
    #: computes it; ``default`` is then None).
    shown: str = ""
    #: The lowest and highest whole number allowed.
    bounds: tuple[int, int] | None = None

    @property
    def required(self) -> bool:
        """Return True when the setting must be given."""
        return self.default is REQUIRED


@dataclass(frozen=True, slots=True)
class Table:
    """The keys of one TOML table or YAML mapping."""

    path: str
    doc: str
    settings: tuple[Setting, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the names of the settings, in declaration order."""
        return tuple(s.name for s in self.settings)

    @property
    def required(self) -> tuple[str, ...]:
        """Return the names of the settings that must be given."""
        return tuple(s.name for s in self.settings if s.required)

    @property
    def open(self) -> bool:
        """Return True when the keys are chosen by the user (``<locale>``), not declared."""
        return any(name.startswith("<") for name in self.keys)

    def __getitem__(self, name: str) -> Setting:
        return next(s for s in self.settings if s.name == name)

    def hint(self, word: str) -> str:
        """Return the did-you-mean hint for an unknown key, or ``""``."""
        return did_you_mean(word, self.keys)


@dataclass(frozen=True, slots=True)
class Schema:
    """The tables of one file, the top level (path ``""``) first."""

    file: str
    doc: str
    tables: tuple[Table, ...]

    def __getitem__(self, path: str) -> Table:
        return next(t for t in self.tables if t.path == path)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""


S = Setting

CONFIG = Schema(
    "campaignsync.toml",
    "The configuration of a campaign repository (docs/config.md).",
    (
        Table(
            "",
            "Settings before the first table; each table below is one of them.",
            (
                S("name", STRING, "Awareness campaign", "The campaign's name in templates."),
                S("source_locale", STRING, REQUIRED, "The locale messages are written in (`en`)."),
                S("locales", STRINGS, (), "The locales to translate into (BCP 47 tags)."),
                S(
                    "default_campaign",
                    STRING,
                    None,
                    "The campaign `build` and `check` use without `--campaign`.",
                    shown="the calendar's last",
                ),
                S("base_url", STRING, "https://example.org", "The https:// site web pages go on."),
                S("fallbacks", TABLE, NO_TABLE, "Where a missing translation is taken from."),
                S("partners", TABLE, REQUIRED, "The partners: one `[partners.<id>]` each."),
                S("channels", TABLE, NO_TABLE, "What a channel may do: `[channels.<channel>]`."),
                S("paths", TABLE, NO_TABLE, "Where the parts of the repository are."),
                S("checks", TABLE, NO_TABLE, "Which check codes are silenced."),
                S("translation", TABLE, NO_TABLE, "Terms that translations keep or use."),
                S("schedule", TABLE, NO_TABLE, "How posts are spread over the campaign."),
                S("readability", TABLE, NO_TABLE, "Targets for long texts."),
                S("accessibility", TABLE, NO_TABLE, "What posts may carry."),
                S("git", TABLE, NO_TABLE, "What `sync` follows."),
                S("links", TABLE, NO_TABLE, "Where posts link, and campaign tracking."),
            ),
        ),
        Table(
            "fallbacks",
            "Where a missing translation may come from, in order (the source is the last).",
            (
                S(
                    "<locale>",
                    STRINGS,
                    (),
                    'Configured locales to borrow from (`es-US = ["es"]`).',
                ),
            ),
        ),
        Table(
            "partners.<id>",
            "A partner: its clock, its locales, when it publishes.",
            (
                S("name", STRING, None, "The partner's name.", shown="the id"),
                S("timezone", STRING, REQUIRED, "Its IANA time zone (`Europe/Brussels`)."),
                S("locales", STRINGS, (), "The locales it publishes in."),
                S(
                    "required_locales",
                    STRINGS,
                    None,
                    "Locales it cannot publish without.",
                    shown="all its locales",
                ),
                S("business_hours", STRING, "09:00-17:00", "When it posts, end excluded."),
                S("business_days", STRING, "mon-fri", "The days it posts (`sun-thu` wraps)."),
                S("dateline", STRING, "", "The place in its press releases' datelines."),
            ),
        ),
        Table(
            "channels.<channel>",
            "One built-in channel; its limits may only be tightened (docs/channels.md).",
            (
                S(
                    "enabled",
                    BOOLEAN,
                    None,
                    "Whether messages may use it.",
                    shown="true (threads, instagram: false)",
                ),
                S("limit", INTEGER, None, "A lower length limit.", shown="the platform's"),
                S("max_segments", INTEGER, 1, "SMS: most parts a text may take.", bounds=(1, 10)),
                S("max_hashtags", INTEGER, 0, "Most hashtags in a post (0: the platform's cap)."),
                S("from", STRING, "", "Email: the sender address."),
                S(
                    "tracking",
                    BOOLEAN,
                    None,
                    "Campaign tracking on its links.",
                    shown="on, except for SMS",
                ),
            ),
        ),
        Table(
            "paths",
            "Folders relative to the repository; none may leave it.",
            (
                S("content", STRING, "content", "Messages, calendar and images."),
                S("locales", STRING, "locales", "The catalogs."),
                S("templates", STRING, "templates", "The channel templates."),
                S("out", STRING, "dist", "Where packs are built (not inside the three above)."),
            ),
        ),
        Table(
            "checks",
            "Checks for this repository (docs/checks.md).",
            (S("ignore", STRINGS, (), "Codes to silence (`CS102`)."),),
        ),
        Table(
            "translation",
            "What translators must keep or use.",
            (
                S("protected_terms", STRINGS, (), "Terms that must survive translation."),
                S("glossary", STRING, None, "Approved terms: a .tbx file (docs/glossary.md)."),
            ),
        ),
        Table(
            "schedule",
            "The schedule checks (docs/calendar.md).",
            (
                S(
                    "min_spacing_minutes",
                    INTEGER,
                    60,
                    "Least minutes between two posts of a partner on a channel.",
                    bounds=(0, 7 * 24 * 60),
                ),
                S(
                    "weekly_channels",
                    STRINGS,
                    ("x", "mastodon", "bluesky", "linkedin"),
                    "Channels every theme week covers.",
                ),
            ),
        ),
        Table(
            "readability",
            "Long texts: web, email and press bodies (docs/readability.md).",
            (
                S("min_ease", INTEGER, 60, "Least score of source texts.", bounds=(0, 100)),
                S("max_lix", INTEGER, 40, "Highest LIX of source texts.", bounds=(10, 100)),
                S("min_words", INTEGER, 100, "Shorter texts are not scored.", bounds=(20, 10_000)),
                S(
                    "max_increase",
                    INTEGER,
                    30,
                    "Percent a translation may be harder than usual.",
                    bounds=(0, 1_000),
                ),
            ),
        ),
        Table(
            "accessibility",
            "Posts (docs/accessibility.md).",
            (S("max_emoji", INTEGER, 3, "Most emoji in a post.", bounds=(0, 100)),),
        ),
        Table(
            "git",
            "What `campaignsync sync` fast-forwards from.",
            (
                S("remote", STRING, "origin", "The shared remote."),
                S("branch", STRING, None, "Its branch.", shown="the current branch"),
            ),
        ),
        Table(
            "links",
            "Where posts link (docs/links.md).",
            (
                S("page_url", STRING, DEFAULT_PAGE_URL, "The address of a message's web page."),
                S("tracking", STRING, "none", "Campaign tracking: `none`, `utm` or `matomo`."),
            ),
        ),
    ),
)

CALENDAR = Schema(
    "content/calendar.yaml",
    "The joint calendar: observances, campaigns, theme weeks (docs/calendar.md).",
    (
        Table(
            "",
            "Two lists, each optional.",
            (
                S("events", LIST, (), "Observances: dated days, one-off or recurring."),
                S("campaigns", LIST, (), "The annual campaigns."),
            ),
        ),
        Table(
            "events.<n>",
            "An observance; whole days.",
            (
                S("id", TEXT, REQUIRED, "Lower-case letters, digits and `-`."),
                S("name", TEXT, None, "Its name.", shown="the id"),
                S("start", DATE, REQUIRED, "Its first day; a rule counts from it."),
                S("end", DATE, None, "Its last day, included.", shown="the start"),
                S("rrule", TEXT, None, "An RFC 5545 rule: yearly, monthly or weekly."),
                S("confirmed", FLAG, True, "false: projected dates, to be confirmed."),
            ),
        ),
        Table(
            "campaigns.<n>",
            "A campaign: its window, freeze date, theme weeks and blackout days.",
            (
                S("id", TEXT, REQUIRED, 'Lower-case letters, digits and `-` (`"2026"`).'),
                S("name", TEXT, None, "Its name.", shown="the id"),
                S("start", DATE, REQUIRED, "Its first day."),
                S("end", DATE, REQUIRED, "Its last day."),
                S("freeze", DATE, None, "Content frozen, translations due."),
                S("themes", LIST, (), "Theme weeks, inside the window, not overlapping."),
                S("blackout", LIST, (), "Days without posts: a date or a mapping."),
            ),
        ),
        Table(
            "campaigns.<n>.themes.<n>",
            "A theme week.",
            (
                S("id", TEXT, REQUIRED, "Lower-case letters, digits and `-`."),
                S("name", TEXT, None, "Its name.", shown="the id"),
                S("start", DATE, REQUIRED, "Its first day."),
                S("end", DATE, REQUIRED, "Its last day."),
            ),
        ),
        Table(
            "campaigns.<n>.blackout.<n>",
            "A blackout day for some partners (a plain date holds for all).",
            (
                S("day", DATE, REQUIRED, "The day."),
                S("partners", NAMES, (), "The partners it holds for.", shown="every partner"),
                S("reason", TEXT, "", "Why (a national holiday)."),
            ),
        ),
    ),
)

FRONT_MATTER = Schema(
    "content/messages/<campaign>/<id>.md",
    "A message's front matter (docs/content.md).",
    (
        Table(
            "",
            "The keys between the `---` lines.",
            (
                S("id", TEXT, REQUIRED, "The file name: lower-case letters, digits and `-`."),
                S("campaign", TEXT, REQUIRED, "A campaign id of the calendar, in quotes."),
                S("theme", TEXT, None, "A theme week of the campaign."),
                S("partners", NAMES, REQUIRED, "The partners that publish it."),
                S("channels", NAMES, REQUIRED, "The enabled channels it goes out on."),
                S("publish", DATETIME, REQUIRED, "When, with an offset; or one per partner."),
                S("title", TEXT, REQUIRED, "The headline: page title, email subject."),
                S("summary", TEXT, REQUIRED, "The post text on social networks."),
                S("link", TEXT, None, "The https:// page posts point to."),
                S("hashtags", NAMES, (), "Words without `#`, in CamelCase."),
                S("image", MAPPING, None, "An image and its alt text."),
                S("posts", MAPPING, (), "Text per channel in place of the summary."),
            ),
        ),
        Table(
            "image",
            "An image of the message.",
            (
                S("src", TEXT, REQUIRED, "A file below the content folder."),
                S("alt", TEXT, REQUIRED, "What it shows, for screen readers."),
            ),
        ),
    ),
)
