"""``calendar show``: one month of the joint calendar as plain text, in partners' local times."""

from __future__ import annotations

import calendar as stdcal
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from campaignsync.errors import ContentError
from campaignsync.load import calendarfile
from campaignsync.model import Message, Partner, Project
from campaignsync.render import zones

MARKS = (
    ("*", "a message"),
    ("+", "an observance"),
    ("!", "a blackout day"),
)


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _partners(project: Project, partner_id: str | None) -> tuple[Partner, ...]:
    partners = project.config.partners
    if partner_id is None:
        return partners
    chosen = project.config.partner(partner_id)
    if chosen is None:
        known = ", ".join(p.id for p in partners)
        raise ContentError(f"unknown partner {partner_id!r} (partners: {known})")
    return (chosen, *(p for p in partners if p.id != partner_id))


#: What happens on each day of the month, in order; and the marks of each day in the grid.
Agenda = dict[date, list[str]]
Marks = dict[date, set[str]]


def show(
    root: Path, campaign: str | None, partner: str | None, month: tuple[int, int] | datetime
) -> str:
    """Return what ``calendar show`` prints for a (year, month).

    Given the current time instead, the month is :func:`default_month`.
    """
    from campaignsync.load.project import SHOWN_NOTHING, require_project
    from campaignsync.pipeline import known_partners, select

    project, _ = require_project(root, SHOWN_NOTHING)
    selection = select(project, campaign)
    known_partners(project, (partner,) if partner else ())
    if isinstance(month, datetime):
        month = default_month(project, selection.campaign, month)
    return month_view(project, *month, partner)


def month_view(project: Project, year: int, month: int, partner_id: str | None = None) -> str:
    """Return the month as a grid of days and an agenda of what happens on each.

    The agenda lists the observances, campaign and theme-week starts and
    ends, blackout days, clock changes, and every message slot with its time
    in each partner's zone. With ``partner_id`` only that partner's slots
    are listed, and its clock comes first.
    """
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        raise ContentError(f"no such month: {year:04d}-{month:02d}")
    partners = _partners(project, partner_id)
    first = date(year, month, 1)
    last = date(year, month, stdcal.monthrange(year, month)[1])
    agenda: Agenda = defaultdict(list)
    marks: Marks = defaultdict(set)
    _observances(project, first, last, agenda, marks)
    themes_by_day = _campaigns(project, first, last, partner_id, agenda, marks)
    unusual, legend = _offset_days(partners, first, last)
    for partner in partners:
        for change in zones.changes(partner.timezone, first, last):
            agenda[change.instant.astimezone(zones.zone(partner.timezone)).date()].append(
                _clock_change(change, partner, partners)
            )
    _slots(project, first, last, partner_id, partners, agenda, marks)
    lines = [_title(year, month, partners, partner_id, project)]
    lines.append("")
    lines.extend(_grid(year, month, marks, unusual, themes_by_day))
    used = [f"{mark} {text}" for mark, text in MARKS if any(mark in m for m in marks.values())]
    if unusual:
        used.append(f"~ {legend}")
    if used:
        lines.append("")
        lines.append("  " + "   ".join(used))
    for day in sorted(agenda):
        lines.append("")
        lines.append(f"{day:%a} {day.day} {day:%b}")
        lines.extend(f"  {entry}" for entry in agenda[day])
    if not agenda:
        lines.append("")
        lines.append("Nothing in the calendar this month.")
    return "\n".join(lines) + "\n"


def _observances(project: Project, first: date, last: date, agenda: Agenda, marks: Marks) -> None:
    """Add the observances that fall in the month (or continue into it)."""
    for event in project.calendar.events:
        for start, end in calendarfile.spans(event, first, last):
            note = "" if event.confirmed else " (to be confirmed)"
            length = f", to {_day(end)}" if end != start else ""
            shown = max(start, first)
            verb = "" if start == shown else "continues: "
            agenda[shown].append(f"{verb}{event.name}{length}{note}")
            day = max(start, first)
            while day <= min(end, last):
                marks[day].add("+")
                day += timedelta(days=1)


def _campaigns(
    project: Project,
    first: date,
    last: date,
    partner_id: str | None,
    agenda: Agenda,
    marks: Marks,
) -> dict[date, list[str]]:
    """Add campaigns' freezes, starts, ends, theme weeks and blackouts; return each day's themes."""
    themes_by_day: dict[date, list[str]] = defaultdict(list)
    for campaign in project.calendar.campaigns:
        if campaign.freeze and first <= campaign.freeze <= last:
            agenda[campaign.freeze].append(
                f"content freeze of campaign {campaign.id}: changes after today are flagged"
            )
        if first <= campaign.start <= last:
            agenda[campaign.start].append(
                f"campaign {campaign.id} starts: {campaign.name} (to {_day(campaign.end)})"
            )
        if first <= campaign.end <= last:
            agenda[campaign.end].append(f"campaign {campaign.id} ends")
        for theme in campaign.themes:
            if first <= theme.start <= last:
                agenda[theme.start].append(
                    f"theme week {theme.id} (to {_day(theme.end)}): {theme.name}"
                )
            day = max(theme.start, first)
            while day <= min(theme.end, last):
                themes_by_day[day].append(theme.id)
                day += timedelta(days=1)
        for blackout in campaign.blackouts:
            if not first <= blackout.day <= last:
                continue
            if partner_id and not blackout.applies_to(partner_id):
                continue
            whom = f" for {', '.join(blackout.partners)}" if blackout.partners else ""
            why = f" ({blackout.reason})" if blackout.reason else ""
            agenda[blackout.day].append(f"blackout day{whom}: no publication{why}")
            marks[blackout.day].add("!")
    return themes_by_day


def _slots(
    project: Project,
    first: date,
    last: date,
    partner_id: str | None,
    partners: tuple[Partner, ...],
    agenda: Agenda,
    marks: Marks,
) -> None:
    """Add every message slot of the month, with its time on each partner's clock."""
    slots: list[tuple[datetime, Partner, Message]] = []
    for message in project.messages:
        for pid, instant in message.publish:
            owner = project.config.partner(pid)
            if owner is None or (partner_id and pid != partner_id):
                continue
            if first <= zones.local(instant, owner).date() <= last:
                slots.append((instant, owner, message))
    slots.sort(key=lambda s: (s[0], s[1].id, s[2].id))
    for instant, owner, message in slots:
        day = zones.local(instant, owner).date()
        agenda[day].append(f"{_times(instant, owner, partners)}  {owner.id}  {message.id}")
        agenda[day].append(f"    {message.title} [{', '.join(message.channels)}]")
        marks[day].add("*")


def _times(instant: datetime, owner: Partner, partners: tuple[Partner, ...]) -> str:
    """Return ``09:00 EDT New York = 15:00 CEST Brussels``, the slot's partner first."""
    day = zones.local(instant, owner).date()
    parts = []
    for partner in (owner, *(p for p in partners if p.id != owner.id)):
        moment = zones.local(instant, partner)
        other_day = f" ({moment:%a})" if moment.date() != day else ""
        parts.append(f"{moment:%H:%M %Z} {zones.city(partner.timezone)}{other_day}")
    return " = ".join(parts)


def _title(
    year: int, month: int, partners: tuple[Partner, ...], partner_id: str | None, project: Project
) -> str:
    name = date(year, month, 1).strftime("%B")
    if partner_id:
        chosen = partners[0]
        return f"{name} {year}: {chosen.name} ({chosen.id}), times in {chosen.timezone} first"
    zones_text = ", ".join(f"{p.id} {p.timezone}" for p in partners)
    return f"{name} {year}: {project.config.name} ({zones_text})"


def _grid(
    year: int,
    month: int,
    marks: dict[date, set[str]],
    unusual: set[date],
    themes: dict[date, list[str]],
) -> list[str]:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    lines = ["   " + "".join(f"{name:>4}  " for name in names).rstrip()]
    for week in stdcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        cells = []
        for day in week:
            if day.month != month:
                cells.append(" " * 6)
                continue
            flags = "".join(m for m, _ in MARKS if m in marks.get(day, ()))
            flags += "~" if day in unusual else ""
            cells.append(f"{day.day:>4}{flags:<2}"[:6].ljust(6))
        week_themes: list[str] = []
        for day in week:
            for theme in themes.get(day, []):
                if theme not in week_themes:
                    week_themes.append(theme)
        lines.append(("   " + "".join(cells) + "   " + ", ".join(week_themes)).rstrip())
    return lines


def _offset_days(partners: tuple[Partner, ...], first: date, last: date) -> tuple[set[date], str]:
    """Return the days on which the first partner's offset to another is not the usual one."""
    unusual: set[date] = set()
    legend = ""
    if len(partners) < 2:
        return unusual, legend
    for other in partners[1:]:
        a, b = partners[0].timezone, other.timezone
        usual = zones.usual_gaps(a, b, first.year)
        for start, end, gap in zones.unusual_runs(a, b, first, last):
            unusual.update(start + timedelta(days=n) for n in range((end - start).days + 1))
            legend = legend or zones.apart(a, b, gap, next(iter(usual)))
    return unusual, legend


def _clock_change(change: zones.Change, partner: Partner, partners: tuple[Partner, ...]) -> str:
    tz = zones.zone(partner.timezone)
    before = (change.instant - timedelta(seconds=1)).astimezone(tz)
    after = change.instant.astimezone(tz)
    way = "forward" if change.forward else "back"
    old_wall, new_wall = change.wall()
    text = (
        f"clocks go {way} in {zones.city(partner.timezone)}: {old_wall:%H:%M} {before:%Z} "
        f"becomes {new_wall:%H:%M} {after:%Z}"
    )
    others = [p for p in partners if p.timezone != partner.timezone]
    if others:
        moment = change.instant + timedelta(minutes=1)
        gaps = []
        for other in others:
            gap = zones.gap(partner.timezone, other.timezone, moment)
            where = "ahead of" if gap >= timedelta(0) else "behind"
            gaps.append(
                f"{zones.city(partner.timezone)} is now {zones.hours(abs(gap))} {where} "
                f"{zones.city(other.timezone)}"
            )
        text += "; " + ", ".join(gaps)
    return text


def parse_month(text: str) -> tuple[int, int]:
    """Return (year, month) for ``2026-10``; raise ValueError otherwise."""
    year, sep, month = text.partition("-")
    shaped = sep and year.isdigit() and month.isdigit() and len(year) == 4 and len(month) == 2
    if not shaped or not 1 <= int(month) <= 12:
        raise ValueError(f"{text!r} is not a month like 2026-10")
    return int(year), int(month)


def default_month(project: Project, campaign_id: str, now: datetime) -> tuple[int, int]:
    """Return the campaign's first month, or the current month while the campaign runs."""
    campaign = project.calendar.campaign(campaign_id)
    today = now.astimezone(UTC).date()
    if campaign is None:
        return today.year, today.month
    if campaign.start <= today <= campaign.end:
        return today.year, today.month
    return campaign.start.year, campaign.start.month
