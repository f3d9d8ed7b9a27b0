"""What a render-cache entry is keyed on: values in a canonical form, the tool, the templates."""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Hashable
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import Any, cast

from campaignsync import __version__
from campaignsync.campaigns import Calendar
from campaignsync.model import ChannelSettings, Config, Locale, Partner, Project
from campaignsync.pack import writer


def canonical(value: object) -> object:
    """Return a value's content in a form whose repr is the same in every process.

    Sets are sorted (their order follows string hashing, which differs from
    one process to the next); dataclasses become their field values.
    """
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, tuple | list):
        return tuple(canonical(v) for v in value)
    if isinstance(value, Enum):
        return (type(value).__name__, value.value)
    names = _field_names(cast(Hashable, type(value)))  # a class is hashable; mypy says not
    if names is not None:
        return (type(value).__name__, tuple((n, canonical(getattr(value, n))) for n in names))
    if isinstance(value, frozenset | set):
        return ("set", tuple(sorted((canonical(v) for v in value), key=repr)))
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((repr(k), canonical(v)) for k, v in value.items()))))
    if isinstance(value, datetime | date | time | timedelta | tzinfo | Path):
        return repr(value)
    raise TypeError(f"no canonical form for {type(value).__name__}")


#: The values that are their own canonical form.
_PLAIN = (str, int, float, bool, bytes, type(None))


@functools.cache
def _field_names(kind: Hashable) -> tuple[str, ...] | None:
    """Return the field names of a dataclass (None for another type): asked once a type."""
    return tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None


def digest(value: object) -> str:
    """Return the sha256 of a value's canonical form."""
    return hashlib.sha256(repr(canonical(value)).encode("utf-8", "surrogateescape")).hexdigest()


@functools.cache
def tool_digest() -> str:
    """Return a digest of what renders: campaignsync's files, its libraries, Python, zlib."""
    sha = hashlib.sha256(f"{__version__}\0{sys.version}\0{writer.ZLIB_VERSION}".encode())
    package = Path(__file__).resolve().parent.parent  # campaignsync/, not pack/
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = Path(folder) / name
            sha.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
            sha.update(path.read_bytes())
    try:
        requires = metadata.requires("campaignsync") or []
    except metadata.PackageNotFoundError:
        requires = []
    for requirement in sorted(requires):
        name = requirement.split(";")[0].split("[")[0].split(">")[0].split("=")[0].strip()
        try:
            sha.update(f"\0{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            continue
    return sha.hexdigest()


@dataclass(frozen=True, slots=True)
class PackKeys:
    """What a pack's caches are keyed on (:func:`pack_keys`)."""

    #: The render cache's shards: tool, channels, the time-zone database, the config and
    #: the calendar as the campaign's units read them (:func:`rendered_part`,
    #: :func:`rendered_calendar`); not the templates, nor the locales (each unit's key
    #: names what it reads of them: :func:`locale_views`).
    units: str
    #: What each channel renders from besides: its templates
    #: (``render.templatefiles.channel_digests``) and its own settings (``[channels.<name>]``:
    #: limits, sender, tracking). A unit keeps those it was rendered with, and only its
    #: channels whose templates or settings changed render again.
    templates: dict[str, str]
    #: The files and pieces kept from the last pack (``pack.kept``): the units' key, the
    #: locales published in (:func:`languages`), which the gallery, the calendar and the
    #: scheduler files list, and what their units read of them (:func:`locale_views`: a
    #: piece made from a message's outputs is named by its inputs, not by the outputs).
    #: Each names what else it is made of, such as the outputs, or the calendar and the
    #: checks' settings (the calendar file, the schedule problems the gallery lists).
    kept: str
    #: The findings of the message checks: the config as they read it
    #: (:func:`checked_part`), the calendar as units read it (``checks.message_check``:
    #: those checks read a message's outputs and the config alone) and every template file.
    pack: str
    #: Everything the pack is made from but its messages: the whole config and calendar,
    #: every template file. What the checks across messages key what they keep on
    #: (``checks.CheckInput.inputs``, with the messages' digests).
    inputs: str


#: The config's settings that no unit reads as it renders, but the checks (and the
#: gallery's attention list, ``sync``): edited, they render nothing again.
NOT_RENDERED = (
    "ignore",
    "protected_terms",
    "schedule",
    "readability",
    "accessibility",
    "glossary",
    "git_remote",
    "git_branch",
)
#: Each partner's settings that no unit reads as it renders, but the checks (the hours and
#: days it publishes in, the locales it requires).
PARTNER_NOT_RENDERED = ("required_locales", "business_hours", "business_days")


#: The config's settings that the message checks do not read, whose findings are kept per
#: message (``pack.findings``), but the checks across messages (and the silenced codes,
#: dropped from every finding as it is given): edited, no message is checked again. Of
#: each partner, those of :data:`PARTNER_NOT_RENDERED`.
NOT_CHECKED_PER_MESSAGE = (
    "ignore",
    "schedule",
    "readability",
    "protected_terms",
    "glossary",
    "git_remote",
    "git_branch",
)


def checked_part(config: Config) -> Config:
    """Return the config as the message checks read it, the rest left at its defaults.

    The settings of :data:`NOT_CHECKED_PER_MESSAGE` and each partner's of
    :data:`PARTNER_NOT_RENDERED` are left out, and the locales no partner publishes in
    (as :func:`rendered_part` leaves them).
    """
    return replace(
        config,
        partners=_partners_rendered(config),
        locales=_published(config),
        **_left(NOT_CHECKED_PER_MESSAGE),
    )


def rendered_part(config: Config) -> Config:
    """Return the config as a unit reads it while it renders, the rest left at its defaults.

    The settings of :data:`NOT_RENDERED` and each partner's of :data:`PARTNER_NOT_RENDERED`
    are left out, and so are the locales no partner publishes in (``locale add`` lists one
    before any partner does; no unit is rendered in it, and a unit reads only the locales
    its message is published in). Each channel's own settings are in what that channel
    renders from (:attr:`PackKeys.templates`): only whether it is on is kept here (the web
    channel off changes the links of every channel).
    """
    partners = tuple(replace(p, locales=()) for p in _partners_rendered(config))
    return replace(_bare(config), partners=partners, locales=(), **_left(NOT_RENDERED))


#: What a channel's templates read of the locales: each page's language versions. (No
#: function a template calls with its context reads them: gettext, the date formats.)
LANGUAGE_VARIABLES = ("alternates", "x_default")


def languages(config: Config) -> tuple[Any, ...]:
    """Return what the language versions a page lists are made from.

    The locales published in (their tags and names, in the config's order) and each
    partner's.
    """
    return (
        tuple((loc.tag, loc.gettext) for loc in (config.source_locale, *_published(config))),
        tuple((p.id, p.locales) for p in config.partners),
    )


def locale_views(config: Config) -> dict[tuple[str, str], str]:
    """Return what a unit reads of the locales, by (its locale, the partner publishing it).

    Its own locale's settings, and those of the locales it falls back to (their text's
    direction); the partner (its time zone and the rest are in the units' key). A unit's
    key is its message's digest and this (``cache.Cache.key_of``): a locale a partner
    starts publishing in adds units, and renders again only the channels whose
    templates print the language versions (:data:`LANGUAGE_VARIABLES`).
    """
    views = {}
    for locale in config.all_locales:
        chain = tuple(config.locale(tag) for tag in locale.fallbacks)
        for partner in config.partners:
            views[(locale.tag, partner.id)] = digest((locale, chain, partner.id))
    return views


def _published(config: Config) -> tuple[Locale, ...]:
    """Return the configured locales some partner publishes in, in the config's order."""
    published = {tag for p in config.partners for tag in p.locales}
    return tuple(loc for loc in config.locales if loc.tag in published)


def _left(names: tuple[str, ...]) -> dict[str, Any]:
    """Return the defaults of the config's settings ``names``: what a key leaves them at."""
    return {f.name: _default(f) for f in fields(Config) if f.name in names}


def _partners_rendered(config: Config) -> tuple[Partner, ...]:
    """Return the partners with their settings of :data:`PARTNER_NOT_RENDERED` left out."""
    unread: dict[str, Any] = dict.fromkeys(PARTNER_NOT_RENDERED)
    return tuple(replace(p, **unread) for p in config.partners)


def _bare(config: Config) -> Config:
    """Return the config with each channel's own settings left out but whether it is on."""
    return replace(
        config, channels=tuple(ChannelSettings(c.name, c.enabled) for c in config.channels)
    )


def rendered_calendar(calendar: Calendar, campaign: str) -> tuple[Any, ...]:
    """Return the calendar as the units of a campaign read it while they render.

    The campaign's id, name and dates, and its theme weeks' ids and names
    (``render.context``): not their dates, the freeze date, the blackout days, the
    observances, the other campaigns, nor where each is written.
    """
    found = calendar.campaign(campaign)
    if found is None:
        return ()
    return (
        found.id,
        found.name,
        found.start,
        found.end,
        tuple((t.id, t.name) for t in found.themes),
    )


def _default(setting: Field[Any]) -> Any:
    """Return a field's default value (made by its factory when it has one)."""
    make = setting.default_factory
    return setting.default if make is MISSING else make()


def pack_keys(project: Project, campaign: str, channels: tuple[str, ...]) -> PackKeys:
    """Return the keys of the caches of a campaign's pack (see :class:`PackKeys`)."""
    from campaignsync import channels as registry
    from campaignsync.render import templatefiles

    config = project.config
    settings = {c.name: c for c in config.channels}
    known = (tool_digest(), channels, zones_version())
    calendar = rendered_calendar(project.calendar, campaign)
    units = digest((*known, rendered_part(config), calendar))
    folder = project.root / config.paths.templates
    specs = registry.registry()
    own = {c: [o.template(c) for o in specs[c].outputs] for c in channels if c in specs}
    made = templatefiles.channel_sources(folder, own, LANGUAGE_VARIABLES)
    every = templatefiles.folder_digest(folder)
    listed = languages(config)
    shown = {config.source_locale.tag, *(loc.tag for loc in _published(config))}
    views = sorted((at, view) for at, view in locale_views(config).items() if at[0] in shown)
    return PackKeys(
        units,
        {
            c: digest((files, settings.get(c), listed if reads else None))
            for c, (files, reads) in made.items()
        },
        digest((units, listed, views)),
        digest((*known, checked_part(config), calendar, every)),
        digest((*known, config, project.calendar, every)),
    )


@functools.cache
def zones_version() -> tuple[str, ...]:
    """Return the version line of each system time-zone database Python reads.

    Local times in outputs follow it, and the operating system updates it
    apart from Python and campaignsync (the ``tzdata`` package's version is in
    :func:`tool_digest` already).
    """
    import zoneinfo

    found = []
    for folder in zoneinfo.TZPATH:
        try:
            with (Path(folder) / "tzdata.zi").open("rb") as handle:
                found.append(f"{folder}:{handle.readline().decode('ascii', 'replace').strip()}")
        except OSError:
            found.append(f"{folder}:-")
    return tuple(found)
