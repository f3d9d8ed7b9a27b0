"""calendar.ics (RFC 5545): the campaign, its theme weeks and observances, a slot per message.

Written with the icalendar library, with explicit UIDs, DTSTAMPs and yearly
VTIMEZONE rules so that the file is reproducible and reads right in calendar
software that ignores long lists of dates (see docs/calendar.md).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from campaignsync.campaigns import Campaign
from campaignsync.model import Config, Message, Partner, Project
from campaignsync.render import zones

if TYPE_CHECKING:
    from icalendar import Component, Event

#: How long a message's slot lasts in calendar apps.
SLOT = timedelta(minutes=30)


def _domain(project: Project) -> str:
    return project.config.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


#: What a message's slots are made from, given how to make them (kept ones, say): its bytes.
Slots = Callable[[Message, Callable[[], bytes]], bytes]

_END = b"END:VCALENDAR\r\n"
#: The DTSTAMP a message's slots are made with, wherever they are kept: :func:`ics` gives
#: them the calendar's, so the slots of a message a new commit left alone are kept too.
_UNSTAMPED = datetime(1970, 1, 1, tzinfo=UTC)


def ics(
    project: Project,
    campaign_id: str,
    epoch: int,
    partner_id: str | None = None,
    slots: Slots | None = None,
) -> bytes:
    """Return calendar.ics: campaign, themes, blackouts, observances, one event per slot.

    One VEVENT per message x partner at the partner's local time (with its
    TZID and VTIMEZONE). UIDs are stable and DTSTAMP is ``epoch`` (the
    build's SOURCE_DATE_EPOCH or commit time), so the same input gives the
    same file and a re-import updates events instead of duplicating them.
    ``partner_id`` keeps only that partner's slots and blackouts. ``slots`` gives each
    message's slots, their bytes as the calendar holds them but for their DTSTAMP (the
    same whatever ``epoch``), from the message and how to make them (a build takes those
    of unchanged messages from the last one's).
    """
    from icalendar import Calendar

    stamp = datetime.fromtimestamp(epoch, UTC)
    config = project.config
    campaign = project.calendar.campaign(campaign_id)
    chosen = tuple(p for p in config.partners if partner_id in (None, p.id))
    suffix = f" ({chosen[0].name})" if partner_id and chosen else ""
    cal = Calendar.new(
        prodid=f"-//campaignsync//{config.name}//EN",
        uid=f"campaign-{campaign_id}{'-' + partner_id if partner_id else ''}@{_domain(project)}",
        name=(campaign.name if campaign else campaign_id) + suffix,
    )
    days = _DayEvents(_domain(project), stamp)
    if campaign is not None:
        for event in _campaign_days(campaign, partner_id, days):
            cal.add_component(event)
    year = campaign.start.year if campaign else stamp.year
    for index, (first, last, text) in enumerate(offset_weeks(chosen or config.partners, year)):
        cal.add_component(days.event(f"offset-{year}-{index + 1}", text, first, last, "offset"))
    for event in _observances(project, days):
        cal.add_component(event)
    messages = project.messages_of(campaign_id)
    placed = [
        (p, zones.local(when, p)) for m in messages for p, when in _slots_of(m, config, partner_id)
    ]
    # The zones' rules, for the years of the slots and one either side.
    years = {local.year for _, local in placed}
    first_year, last_year = min(years, default=year) - 1, max(years, default=year) + 1
    used = sorted({partner.timezone for partner, _ in placed})
    cal.subcomponents[:0] = [vtimezone(name, first_year, last_year) for name in used]
    head = bytes(cal.to_ical())  # the slots come last, before its end: each event's lines
    made = slots or _made_here
    unstamped = _DayEvents(days.domain, _UNSTAMPED)
    slot = functools.partial(_message_slots, project, campaign_id, partner_id, unstamped)
    body = b"".join(made(m, functools.partial(slot, m)) for m in messages)
    body = body.replace(_stamp_line(_UNSTAMPED), _stamp_line(stamp))
    return b"".join([head.removesuffix(_END), body, _END])


def _stamp_line(stamp: datetime) -> bytes:
    """Return an event's DTSTAMP line at ``stamp``, with the line ends either side.

    A line that starts so is the property itself: text values escape their line breaks,
    and a folded line goes on after a space.
    """
    return f"\r\nDTSTAMP:{stamp:%Y%m%dT%H%M%SZ}\r\n".encode("ascii")


def _made_here(_message: Message, make: Callable[[], bytes]) -> bytes:
    return make()


class _DayEvents:
    """All-day events of one calendar: same domain in every UID, same DTSTAMP."""

    def __init__(self, domain: str, stamp: datetime) -> None:
        self.domain = domain
        self.stamp = stamp

    def event(self, uid: str, summary: str, first: date, last: date, kind: str) -> Event:
        """Return an all-day, transparent event from ``first`` to ``last`` inclusive."""
        from icalendar import TRANSP, Event

        return Event.new(
            uid=f"{uid}@{self.domain}",
            stamp=self.stamp,
            summary=summary,
            start=first,
            end=last + timedelta(days=1),  # DTEND;VALUE=DATE is exclusive
            categories=[kind],
            transparency=TRANSP.TRANSPARENT,
        )


def _campaign_days(campaign: Campaign, partner_id: str | None, days: _DayEvents) -> list[Event]:
    """Return the campaign's span, its theme weeks and its blackouts (the partner's, if one)."""
    found = [
        days.event(
            f"campaign-{campaign.id}", campaign.name, campaign.start, campaign.end, "campaign"
        )
    ]
    for theme in campaign.themes:
        found.append(
            days.event(
                f"theme-{campaign.id}-{theme.id}",
                f"Theme week: {theme.name}",
                theme.start,
                theme.end,
                "theme",
            )
        )
    for blackout in campaign.blackouts:
        if partner_id and not blackout.applies_to(partner_id):
            continue
        whom = f" for {', '.join(blackout.partners)}" if blackout.partners else ""
        why = f": {blackout.reason}" if blackout.reason else ""
        found.append(
            days.event(
                f"blackout-{campaign.id}-{blackout.day:%Y%m%d}",
                f"No publication{whom}{why}",
                blackout.day,
                blackout.day,
                "blackout",
            )
        )
    return found


def _observances(project: Project, days: _DayEvents) -> list[Event]:
    """Return the calendar's observances, tentative until confirmed, with their RRULEs."""
    from icalendar import STATUS, vRecur

    found = []
    for observance in project.calendar.events:
        event = days.event(
            f"event-{observance.id}",
            observance.name + ("" if observance.confirmed else " (to be confirmed)"),
            observance.start,
            observance.end or observance.start,
            "observance",
        )
        event.add("status", STATUS.CONFIRMED if observance.confirmed else STATUS.TENTATIVE)
        if observance.rrule:
            event.add("rrule", vRecur.from_ical(observance.rrule))
        found.append(event)
    return found


def _slots_of(
    message: Message, config: Config, partner_id: str | None
) -> list[tuple[Partner, datetime]]:
    """Return each partner a message is published for (``partner_id`` alone), and when."""
    found = []
    for pid, when in message.publish:
        partner = config.partner(pid)
        if partner is not None and partner_id in (None, pid):
            found.append((partner, when))
    return found


def _message_slots(
    project: Project, campaign_id: str, partner_id: str | None, days: _DayEvents, message: Message
) -> bytes:
    """Return a message's slots as the calendar holds them: an event a partner, local time."""
    from icalendar import TRANSP, Event

    config = project.config
    found = []
    for partner, when in _slots_of(message, config, partner_id):
        local = zones.local(when, partner)
        rest = tuple(p for p in config.partners if p.id != partner.id)
        description = "\n".join(
            (
                message.summary,
                "",
                f"When: {zones.times(when, (partner, *rest))}",
                f"Channels: {', '.join(message.channels)}",
                f"Locales: {', '.join(partner.locales)}",
            )
        )
        event = Event.new(
            uid=f"message-{campaign_id}-{message.id}-{partner.id}@{days.domain}",
            stamp=days.stamp,
            summary=f"{message.title} ({partner.name})",
            description=description,
            start=local,
            end=local + SLOT,
            url=message.link,
            categories=[partner.id, *message.channels],
            transparency=TRANSP.TRANSPARENT,
        )
        found.append(bytes(event.to_ical()))
    return b"".join(found)


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def vtimezone(name: str, first_year: int, last_year: int) -> Component:
    """Return a VTIMEZONE for an IANA zone, with yearly RRULEs where the rules allow.

    icalendar's own ``add_missing_timezones`` lists every change since 1970
    as RDATEs, which Outlook and dateutil-based readers (vobject) ignore:
    they would show summer-time slots an hour off. This writes what Google
    Calendar writes, one STANDARD and one DAYLIGHT observance, each with a
    yearly rule (``BYMONTH=3;BYDAY=-1SU``) checked against the zone's changes
    from ``first_year`` to ``last_year``; a zone whose changes follow no such
    rule gets RDATEs for that span.
    """
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

    tz = zones.zone(name)
    found = zones.changes(name, date(first_year, 1, 1), date(last_year, 12, 31))
    component = Timezone()
    component.add("tzid", name)
    if not found:
        moment = datetime(first_year, 1, 1, 12, tzinfo=tz)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", moment.utcoffset())
        standard.add("tzoffsetto", moment.utcoffset())
        standard.add("tzname", moment.tzname())
        component.add_component(standard)
        return component
    groups: dict[bool, list[zones.Change]] = defaultdict(list)
    for change in found:
        groups[bool(change.instant.astimezone(tz).dst())].append(change)
    for daylight, changes in sorted(groups.items()):
        observance = TimezoneDaylight() if daylight else TimezoneStandard()
        walls = [c.wall()[0] for c in changes]
        observance.add("dtstart", walls[0])
        observance.add("tzoffsetfrom", changes[0].before)
        observance.add("tzoffsetto", changes[0].after)
        observance.add("tzname", changes[0].instant.astimezone(tz).tzname())
        rule = _yearly_rule(walls)
        same = all((c.before, c.after) == (changes[0].before, changes[0].after) for c in changes)
        if rule is not None and same and len({w.year for w in walls}) == len(walls):
            observance.add("rrule", vRecur(freq="YEARLY", bymonth=walls[0].month, byday=rule))
        else:
            for wall in walls[1:]:
                observance.add("rdate", wall)
        component.add_component(observance)
    return component


def _yearly_rule(walls: list[datetime]) -> str | None:
    """Return ``2SU`` or ``-1SU`` when every wall time is that weekday of one month, else None."""
    first = walls[0]
    if any(
        (w.month, w.weekday(), w.time()) != (first.month, first.weekday(), first.time())
        for w in walls
    ):
        return None
    day = _WEEKDAYS[first.weekday()]
    nths = {(w.day - 1) // 7 + 1 for w in walls}
    if len(nths) == 1:
        return f"{nths.pop()}{day}"
    if all((w + timedelta(days=7)).month != w.month for w in walls):
        return f"-1{day}"
    return None


def offset_weeks(partners: Iterable[Partner], year: int) -> list[tuple[date, date, str]]:
    """Return the days of a year when two partners' clocks are not their usual distance apart.

    For Brussels and New York: the weeks in March and October/November when
    Brussels is 5 h ahead instead of 6 h. Days are the first partner's.
    """
    chosen = list(partners)
    found: list[tuple[date, date, str]] = []
    for index, first in enumerate(chosen):
        for other in chosen[index + 1 :]:
            a, b = first.timezone, other.timezone
            usual = zones.usual_gaps(a, b, year)
            for start, end, gap in zones.unusual_runs(a, b, date(year, 1, 1), date(year, 12, 31)):
                found.append((start, end, zones.apart(a, b, gap, next(iter(usual)))))
    return found
