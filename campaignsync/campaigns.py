"""The joint calendar as values: campaigns, their theme weeks and blackout days, observances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme week inside a campaign."""

    id: str
    name: str
    start: date
    end: date
    line: int = 0


@dataclass(frozen=True, slots=True)
class Blackout:
    """A day without publication, for every partner or only for some (a local holiday)."""

    day: date
    partners: tuple[str, ...] = ()  # empty: every partner
    reason: str = ""
    line: int = 0

    def applies_to(self, partner_id: str) -> bool:
        """Return True when this blackout day holds for the partner."""
        return not self.partners or partner_id in self.partners


@dataclass(frozen=True, slots=True)
class Campaign:
    """One annual campaign: its window, freeze date, themes and blackout days."""

    id: str
    name: str
    start: date
    end: date
    freeze: date | None = None
    themes: tuple[Theme, ...] = ()
    blackouts: tuple[Blackout, ...] = ()
    line: int = 0

    def theme(self, theme_id: str) -> Theme | None:
        """Return the theme with this id, or None."""
        return next((t for t in self.themes if t.id == theme_id), None)

    @property
    def blackout(self) -> tuple[date, ...]:
        """Return every blackout day, whichever partners it holds for."""
        return tuple(b.day for b in self.blackouts)

    def blackout_for(self, day: date, partner_id: str) -> Blackout | None:
        """Return the blackout that stops this partner publishing on ``day``, or None."""
        return next((b for b in self.blackouts if b.day == day and b.applies_to(partner_id)), None)


@dataclass(frozen=True, slots=True)
class Event:
    """A dated observance: one-off (start/end) or recurring (an RRULE from start)."""

    id: str
    name: str
    start: date
    end: date | None = None
    rrule: str | None = None
    confirmed: bool = True
    line: int = 0


@dataclass(frozen=True, slots=True)
class Calendar:
    """The joint annual calendar."""

    path: str
    events: tuple[Event, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    #: What the file names but could not read (their errors say why): campaigns by id,
    #: theme weeks as ``campaign/theme`` (``campaign/*``: all of its); None when the file
    #: itself could not be read (every campaign it names).
    lost: tuple[str, ...] | None = ()

    def read_whole(self, campaign_id: str, theme_id: str | None = None) -> bool:
        """Say whether the calendar read this campaign (or theme week) if it names it."""
        if self.lost is None or campaign_id in self.lost:
            return False
        lost = set(self.lost)
        return theme_id is None or not {f"{campaign_id}/{theme_id}", f"{campaign_id}/*"} & lost

    def campaign(self, campaign_id: str) -> Campaign | None:
        """Return the campaign with this id, or None."""
        return next((c for c in self.campaigns if c.id == campaign_id), None)
