"""Which part of a campaign to build: the user's --campaign/--locale/--channel choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaignsync.channels import check_enabled
from campaignsync.errors import BuildError, UsageError
from campaignsync.load.config import configured_locale
from campaignsync.model import Locale, Project


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of a campaign to build."""

    campaign: str
    locales: tuple[Locale, ...]
    channels: tuple[str, ...]
    #: Only some locales or channels: built beside the full pack, never over it.
    partial: bool = False

    @property
    def name(self) -> str:
        """Return the pack's folder name: the campaign id, or ``<id>.partial``."""
        return f"{self.campaign}.partial" if self.partial else self.campaign


def select(
    project: Project,
    campaign: str | None,
    locales: Iterable[str] = (),
    channels: Iterable[str] = (),
) -> Selection:
    """Resolve the user's --campaign/--locale/--channel choices.

    An unknown value typed by the user is a UsageError; a default campaign the
    calendar does not have is a BuildError.
    """
    config = project.config
    known = [c.id for c in project.calendar.campaigns]
    typed = campaign is not None
    if campaign is None:
        campaign = config.default_campaign or (known[-1] if known else None)
    if campaign is None or campaign not in known:
        choices = ", ".join(known) or "none in the calendar"
        problem = f"unknown campaign {campaign!r} (campaigns: {choices})"
        raise UsageError(problem) if typed else BuildError(problem)
    chosen_locales = config.all_locales
    if wanted := tuple(locales):
        tags = {configured_locale(config, tag).tag for tag in wanted}
        chosen_locales = tuple(loc for loc in config.all_locales if loc.tag in tags)
    enabled = tuple(c.name for c in config.channels if c.enabled)
    chosen_channels = enabled
    if wanted_channels := tuple(channels):
        check_enabled(wanted_channels, config.channels)
        chosen_channels = tuple(c for c in enabled if c in wanted_channels)
    partial = chosen_locales != config.all_locales or chosen_channels != enabled
    return Selection(campaign, chosen_locales, chosen_channels, partial)


def known_partners(project: Project, partners: Iterable[str]) -> None:
    """Raise a UsageError on a partner id the config does not have."""
    for pid in partners:
        if project.config.partner(pid) is None:
            known = ", ".join(p.id for p in project.config.partners)
            raise UsageError(f"unknown partner {pid!r} (partners: {known})")


def units_of(project: Project, selection: Selection) -> list[tuple[str, str]]:
    """Return the (locale, message id) units of a selection, message by message."""
    from campaignsync.l10n import localize

    chosen = {loc.tag for loc in selection.locales}
    return [
        (locale.tag, message.id)
        for message in project.messages_of(selection.campaign)
        if set(message.channels) & set(selection.channels)
        for locale in localize.locales_for(project.config, message)
        if locale.tag in chosen
    ]
