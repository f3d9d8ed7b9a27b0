"""Schedule checks (CS1xx) against the joint calendar, in each partner's local time.

Every check looks at the campaign being checked (``check --campaign``, by
default the config's). A message's slot for a partner is one instant; the
checks look at it on that partner's wall clock, and name the other partners'
local times where that helps to see the problem.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from campaignsync import campaigns
from campaignsync.channels import timed_channels
from campaignsync.checks import CheckInput, check
from campaignsync.model import Config, Diagnostic, Message, Partner, Project, Severity
from campaignsync.render import zones

if TYPE_CHECKING:
    from campaignsync.pack.schedulecsv import Row

#: Schedulers refuse a post less than this far in the future (Sprout Social: 10 minutes).
SCHEDULER_LEAD = timedelta(minutes=10)
#: ... and two posts on one profile less than this far apart.
SCHEDULER_SPACING = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Slot:
    """One message's publication for one partner, as written and on the partner's clock."""

    message: Message
    partner: Partner
    instant: datetime  # as written in the message (its own offset)
    local: datetime  # on the partner's wall clock
    stated: bool  # the message wrote this time for this partner's zone
    line: int


def slots(project: Project, campaign_id: str) -> Iterator[Slot]:
    """Yield every (message, partner) slot of a campaign whose partner is configured."""
    config = project.config
    for message in project.messages_of(campaign_id):
        lines = dict(message.lines)
        keyed = any(f"publish.{pid}" in lines for pid, _ in message.publish)
        for partner_id, instant in message.publish:
            partner = config.partner(partner_id)
            if partner is None:
                continue
            key = f"publish.{partner_id}" if keyed else "publish"
            local = zones.local(instant, partner)
            stated = keyed or instant.utcoffset() in _offsets(partner, local.date())
            line = lines.get(key) or message.line_of("publish")
            yield Slot(message, partner, instant, local, stated, line)


def _offsets(partner: Partner, day: date) -> set[timedelta | None]:
    """Return the UTC offsets the partner's zone uses in the year of ``day``."""
    tz = zones.zone(partner.timezone)
    moments = [datetime(day.year, m, 15, 12, tzinfo=UTC) for m in (1, 7)]
    return {m.astimezone(tz).utcoffset() for m in moments}


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def _say(slot: Slot, text: str) -> str:
    """Prefix the partner when the message has several, so the place is clear."""
    return f"{slot.partner.id}: {text}" if len(slot.message.publish) > 1 else text


def _diagnostic(code: str, severity: Severity, slot: Slot, text: str) -> Diagnostic:
    return Diagnostic(code, severity, _say(slot, text), slot.message.path, slot.line)


def _campaign_slots(data: CheckInput) -> tuple[campaigns.Campaign | None, list[Slot]]:
    campaign = data.project.calendar.campaign(data.campaign)
    return campaign, list(slots(data.project, data.campaign)) if campaign else []


@check("CS101", "CS102", "CS103")
def inside_campaign(data: CheckInput) -> Iterator[Diagnostic]:
    """Report slots outside the campaign window, the theme's week, or on a blackout day."""
    campaign, found = _campaign_slots(data)
    if campaign is None:
        return
    for slot in found:
        day = slot.local.date()
        where = f"{_day(slot.local)} in {zones.city(slot.partner.timezone)}"
        theme = campaign.theme(slot.message.theme) if slot.message.theme else None
        blackout = campaign.blackout_for(day, slot.partner.id)
        if not campaign.start <= day <= campaign.end:
            yield _diagnostic(
                "CS101",
                Severity.ERROR,
                slot,
                f"published {where}, outside campaign {campaign.id!r} "
                f"({campaign.start} to {campaign.end})",
            )
        elif theme is not None and not theme.start <= day <= theme.end:
            yield _diagnostic(
                "CS102",
                Severity.WARNING,
                slot,
                f"published {where}, outside its theme week {theme.id!r} "
                f"({theme.start} to {theme.end})",
            )
        if blackout is not None:
            why = f": {blackout.reason}" if blackout.reason else ""
            whom = f" for {', '.join(blackout.partners)}" if blackout.partners else ""
            yield _diagnostic(
                "CS103",
                Severity.ERROR,
                slot,
                f"published {where}, a blackout day{whom}{why} "
                f"({data.project.calendar.path}:{blackout.line}); choose another day",
            )


def _hours(partner: Partner) -> str:
    start, end = partner.business_hours
    shown = "24:00" if end == time(23, 59, 59) else f"{end:%H:%M}"
    return f"{start:%H:%M}-{shown}"


@check("CS104")
def business_hours(data: CheckInput) -> Iterator[Diagnostic]:
    """Report slots outside the partner's business hours or days, on the partner's clock."""
    config = data.project.config
    for slot in _campaign_slots(data)[1]:
        start, end = slot.partner.business_hours
        moment = slot.local.time()
        on_day = slot.local.weekday() in slot.partner.business_days
        if on_day and start <= moment < end:
            continue
        reason = (
            f"a {slot.local:%A}, not a business day"
            if not on_day
            else f"outside business hours {_hours(slot.partner)}"
        )
        yield _diagnostic(
            "CS104",
            Severity.WARNING,
            slot,
            f"{_day(slot.local)} {slot.local:%H:%M} in {zones.city(slot.partner.timezone)} "
            f"is {reason} of {slot.partner.name} "
            f"({zones.times(slot.instant, _order(config, slot.partner))})",
        )


def _order(config: Config, first: Partner) -> tuple[Partner, ...]:
    """Return the partners with ``first`` first, the others in config order."""
    return (first, *(p for p in config.partners if p.id != first.id))


@check("CS105", "CS107", "CS108")
def local_times(data: CheckInput) -> Iterator[Diagnostic]:
    """Report written times that are not the partner's local time, or fall in a clock change."""
    config = data.project.config
    for slot in _campaign_slots(data)[1]:
        tz = slot.partner.timezone
        place = zones.city(tz)
        written = slot.instant.replace(tzinfo=None)
        if slot.stated and zones.wall_problem(written, tz) == "missing":
            before, after = _change_walls(tz, slot.local.date())
            yield _diagnostic(
                "CS107",
                Severity.ERROR,
                slot,
                f"{written:%H:%M} on {_day(written)} does not exist in {place}: clocks go "
                f"forward from {before:%H:%M} to {after:%H:%M}; as written "
                f"({_offset(slot.instant)}) it is {slot.local:%H:%M %Z}. "
                f"Choose a time outside {before:%H:%M}-{after:%H:%M}",
            )
            continue
        if slot.stated and slot.instant.utcoffset() != slot.local.utcoffset():
            meant = written.replace(tzinfo=zones.zone(tz))
            yield _diagnostic(
                "CS105",
                Severity.ERROR,
                slot,
                f"{slot.instant.isoformat()} is {slot.local:%H:%M} in {place}, not "
                f"{written:%H:%M}: on {_day(slot.local)} {tz} is at "
                f"{zones.utc_offset(slot.local.utcoffset())} ({slot.local:%Z}). For "
                f"{written:%H:%M} {place} time write {meant.isoformat()} "
                f"({zones.times(meant, _order(config, slot.partner))})",
            )
        if zones.wall_problem(slot.local.replace(tzinfo=None), tz) == "twice":
            before, after = _change_walls(tz, slot.local.date())
            yield _diagnostic(
                "CS108",
                Severity.WARNING,
                slot,
                f"{slot.local:%H:%M} on {_day(slot.local)} happens twice in {place} (clocks "
                f"go back from {before:%H:%M} to {after:%H:%M}): a scheduler given the local "
                f"time may publish an hour early or late. Move the slot out of "
                f"{after:%H:%M}-{before:%H:%M}",
            )


def _offset(instant: datetime) -> str:
    text = instant.isoformat()
    return "Z" if text.endswith("+00:00") else text[-6:]


def _change_walls(tz: str, day: date) -> tuple[datetime, datetime]:
    found = zones.changes(tz, day, day)
    if not found:  # not reached for a time that is missing or twice
        moment = datetime.combine(day, time())
        return moment, moment
    return found[0].wall()


@check("CS106")
def joint_times(data: CheckInput) -> Iterator[Diagnostic]:
    """Report joint slots that assume the usual offset between partners in the weeks it differs."""
    by_message: dict[str, list[Slot]] = defaultdict(list)
    for slot in _campaign_slots(data)[1]:
        by_message[slot.message.id].append(slot)
    for found in by_message.values():
        for index, first in enumerate(found):
            for other in found[index + 1 :]:
                if first.instant == other.instant:
                    continue
                a, b = first.partner.timezone, other.partner.timezone
                on_clocks = first.local.replace(tzinfo=None) - other.local.replace(tzinfo=None)
                actual = zones.gap(a, b, first.instant)
                usual = zones.usual_gaps(a, b, first.local.year)
                if on_clocks == actual or on_clocks not in usual:
                    continue
                same = first.instant.astimezone(zones.zone(b))
                place_a, place_b = zones.city(a), zones.city(b)
                yield Diagnostic(
                    "CS106",
                    Severity.WARNING,
                    f"{first.local:%H:%M} {place_a} ({first.partner.id}) and "
                    f"{other.local:%H:%M} {place_b} ({other.partner.id}) are "
                    f"{zones.hours(on_clocks)} apart as usual, but on {_day(first.local)} "
                    f"{place_a} is {zones.hours(actual)} ahead of {place_b}: the two "
                    f"publish {zones.hours(abs(first.instant - other.instant))} apart. For "
                    f"one joint moment write {first.local:%H:%M} {place_a} = "
                    f"{same:%H:%M} {place_b}",
                    first.message.path,
                    min(first.line, other.line),
                )


@check("CS109", "CS110")
def spacing(data: CheckInput) -> Iterator[Diagnostic]:
    """Report two messages of one partner on one channel closer than the spacing allows."""
    minimum = timedelta(minutes=data.project.config.schedule.min_spacing_minutes)
    timed = timed_channels()
    lanes: dict[tuple[str, str], list[Slot]] = defaultdict(list)
    for slot in _campaign_slots(data)[1]:
        for channel in slot.message.channels:
            if channel in timed:
                lanes[(slot.partner.id, channel)].append(slot)
    for (partner_id, channel), lane in sorted(lanes.items()):
        lane.sort(key=lambda s: (s.instant, s.message.id))
        for earlier, later in itertools.pairwise(lane):
            apart = later.instant - earlier.instant
            if apart >= minimum and apart >= SCHEDULER_SPACING:
                continue
            minutes = int(apart.total_seconds() // 60)
            if apart < SCHEDULER_SPACING:
                code, severity = "CS110", Severity.ERROR
                why = "schedulers refuse posts on one profile less than 10 minutes apart"
            else:
                code, severity = "CS109", Severity.WARNING
                why = (
                    f"[schedule] min_spacing_minutes asks for {int(minimum.total_seconds() // 60)}"
                )
            yield Diagnostic(
                code,
                severity,
                f"{partner_id}: {minutes} minutes after {earlier.message.id!r} on this channel "
                f"({earlier.local:%a} {earlier.local.day} {earlier.local:%b %H:%M} "
                f"{zones.city(earlier.partner.timezone)}); {why}",
                later.message.path,
                later.line,
                channel=channel,
            )


def scheduler_refuses_spacing(name: str, earlier: Row, later: Row) -> Diagnostic:
    """Return the CS110 error of an export with two posts a scheduler would refuse as too close."""
    field = f"publish.{later.partner.id}"
    return Diagnostic(
        "CS110",
        Severity.ERROR,
        f"{name}: {later.message.id!r} is less than 10 minutes after "
        f"{earlier.message.id!r} on the same profile; a scheduler refuses it",
        later.message.path,
        later.message.line_of(field if field in dict(later.message.lines) else "publish"),
        later.locale,
        later.channel,
    )


@check("CS111", "CS112")
def theme_coverage(data: CheckInput) -> Iterator[Diagnostic]:
    """Report theme weeks without a message for a partner, or on a channel it posts on."""
    project = data.project
    campaign, found = _campaign_slots(data)
    if campaign is None or not campaign.themes:
        return
    weekly = project.config.schedule.weekly_channels
    used: dict[str, set[str]] = defaultdict(set)
    covered: dict[tuple[str, str], set[str]] = defaultdict(set)
    for slot in found:
        used[slot.partner.id].update(slot.message.channels)
        for theme in campaign.themes:
            if theme.start <= slot.local.date() <= theme.end:
                covered[(theme.id, slot.partner.id)].update(slot.message.channels)
    for theme in campaign.themes:
        for partner in project.config.partners:
            if not used[partner.id]:
                continue  # the partner takes no part in this campaign
            have = covered.get((theme.id, partner.id))
            where = f"theme week {theme.id!r} ({theme.start} to {theme.end})"
            if have is None:
                yield Diagnostic(
                    "CS111",
                    Severity.WARNING,
                    f"{where} has no message for {partner.id} ({partner.name})",
                    project.calendar.path,
                    theme.line,
                )
                continue
            missing = [c for c in weekly if c in used[partner.id] and c not in have]
            if missing:
                yield Diagnostic(
                    "CS112",
                    Severity.WARNING,
                    f"{where} has no message for {partner.id} on {', '.join(missing)} "
                    f"(channels {partner.id} posts on in this campaign)",
                    project.calendar.path,
                    theme.line,
                )
