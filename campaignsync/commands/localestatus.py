"""`locale status`: per locale, what the messages and templates need and what is translated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaignsync.commands.locales import template_needs
from campaignsync.errors import ConfigError, UsageError
from campaignsync.l10n import catalog, localize, longtexts
from campaignsync.load.config import configured_locale
from campaignsync.model import Config, Diagnostic, Locale, Message, Project


@dataclass(frozen=True, slots=True)
class LocaleStatus:
    """One locale's row in ``locale status``."""

    coverage: localize.Coverage
    path: str
    exists: bool
    partners: tuple[str, ...]
    required_by: tuple[str, ...]
    #: The locale's readability over its long texts (see ``longtexts.summary``), if any.
    readability: dict[str, object] | None = None


@dataclass(frozen=True, slots=True)
class Status:
    """What ``locale status`` shows: a row per locale, and the catalogs' problems."""

    rows: tuple[LocaleStatus, ...]
    problems: tuple[Diagnostic, ...]
    campaign: str | None
    #: The source's readability over the same long texts, if any.
    source_readability: dict[str, object] | None = None


def status(project: Project, campaign: str | None = None, locales: Iterable[str] = ()) -> Status:
    """Count, per locale, what its messages and the templates need and what is translated.

    ``campaign``: the campaign counted (None: the one a build builds, as the config says);
    ``locales``: the locales asked for, checked (UsageError: not one the config has, or
    the source locale, which has nothing to translate).
    """
    config = project.config
    for tag in locales:
        if configured_locale(config, tag) == config.source_locale:
            raise UsageError(f"{tag} is the source locale: it has nothing to translate")
    if campaign is None and project.calendar.campaigns:
        from campaignsync.pipeline.selection import select

        campaign = select(project, None).campaign
    if campaign is not None and project.calendar.campaign(campaign) is None:
        known = ", ".join(c.id for c in project.calendar.campaigns) or "none in the calendar"
        raise ConfigError(f"unknown campaign {campaign!r} (campaigns: {known})")
    messages = project.messages if campaign is None else project.messages_of(campaign)
    lookups, problems = catalog.load_lookups(project.root, project.config)
    templates = template_needs(project)
    memo: dict[str, list[localize.Need]] = {}
    scores = long_text_scores(project, messages, lookups)
    rows = []
    for locale in config.locales:
        needed = _needed(config, messages, locale, templates, memo)
        rows.append(
            LocaleStatus(
                localize.coverage(locale, config, needed, lookups),
                catalog.po_rel(config, locale),
                lookups[locale.tag].exists,
                tuple(p.id for p in config.partners if locale.tag in p.locales),
                tuple(p.id for p in config.partners if locale.tag in p.required_locales),
                scores.get(locale.tag),
            )
        )
    return Status(tuple(rows), tuple(problems), campaign, scores.get(config.source_locale.tag))


def _needed(
    config: Config,
    messages: tuple[Message, ...],
    locale: Locale,
    templates: list[localize.Need],
    memo: dict[str, list[localize.Need]],
) -> list[localize.Need]:
    """Return what a locale needs; one no partner publishes yet needs every message.

    A locale just added (``locale add``) is published by no partner until one
    lists it, but its catalog holds every entry to translate: they count.
    """
    if any(locale.tag in p.locales for p in config.partners):
        return localize.needs(config, messages, locale, templates, memo)
    found: list[localize.Need] = []
    for message in messages:
        if message.id not in memo:
            memo[message.id] = localize.message_needs(message)
        found.extend(memo[message.id])
    return [*found, *templates] if found else found


def long_text_scores(
    project: Project, messages: tuple[Message, ...], lookups: dict[str, catalog.Lookup]
) -> dict[str, dict[str, object]]:
    """Return each locale's readability over the bodies of its web pages, emails and releases."""
    config = project.config
    source_language = localize.language(config.source_locale.tag)
    texts = []
    for message in messages:
        if not message.body or not set(message.channels) & set(longtexts.LONG_CHANNELS):
            continue
        for locale in localize.locales_for(config, message):
            fields = localize.localize(message, locale, config, lookups).fields
            texts.append(longtexts.text_of(message, locale.tag, fields, source_language))
    return longtexts.summary(texts)
