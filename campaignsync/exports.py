"""The schedule for other tools: iCalendar (RFC 5545) and scheduler CSVs, as bytes.

The formats are described in docs/calendar.md. Everything here is a pure
function of the project, the rendered outputs and the ``now`` it is given.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from campaignsync import zones
from campaignsync.model import Diagnostic, Message, Output, Partner, Project, Severity

if TYPE_CHECKING:
    from icalendar import Component

#: How long a message's slot lasts in calendar apps.
SLOT = timedelta(minutes=30)
#: Schedulers refuse a post less than this far in the future (Sprout Social: 10 minutes).
SCHEDULER_LEAD = timedelta(minutes=10)
#: ... and two posts on one profile less than this far apart.
SCHEDULER_SPACING = timedelta(minutes=10)
#: Sprout Social takes at most this many messages per bulk import.
SPROUT_MAX_ROWS = 350
FORMATS = ("ics", "csv", "sprout")
DATE_ORDERS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}


@cache
def post_channels() -> tuple[str, ...]:
    """Return the channels whose output is one post a scheduler can publish (a text, no HTML)."""
    from campaignsync import channels

    return tuple(
        name
        for name, spec in channels.registry().items()
        if any(o.ext == "txt" for o in spec.outputs) and not any(o.html for o in spec.outputs)
    )


@cache
def timed_channels() -> tuple[str, ...]:
    """Return the channels that reach people at one moment: posts, SMS and email."""
    from campaignsync import channels

    return tuple(
        name
        for name, spec in channels.registry().items()
        if any(o.ext == "txt" for o in spec.outputs)
    )


def _domain(project: Project) -> str:
    return project.config.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]


def ics(project: Project, campaign_id: str, epoch: int, partner_id: str | None = None) -> bytes:
    """Return calendar.ics: campaign, themes, blackouts, observances, one event per slot.

    One VEVENT per message x partner at the partner's local time (with its
    TZID and VTIMEZONE). UIDs are stable and DTSTAMP is ``epoch`` (the
    build's SOURCE_DATE_EPOCH or commit time), so the same input gives the
    same file and a re-import updates events instead of duplicating them.
    ``partner_id`` keeps only that partner's slots and blackouts.
    """
    from icalendar import STATUS, TRANSP, Calendar, Event, vRecur

    stamp = datetime.fromtimestamp(epoch, UTC)
    domain = _domain(project)
    config = project.config
    campaign = project.calendar.campaign(campaign_id)
    chosen = tuple(p for p in config.partners if partner_id in (None, p.id))
    suffix = f" ({chosen[0].name})" if partner_id and chosen else ""
    cal = Calendar.new(
        prodid=f"-//campaignsync//{config.name}//EN",
        uid=f"campaign-{campaign_id}{'-' + partner_id if partner_id else ''}@{domain}",
        name=(campaign.name if campaign else campaign_id) + suffix,
    )

    def day_event(uid: str, summary: str, first: date, last: date, kind: str) -> Event:
        return Event.new(
            uid=f"{uid}@{domain}",
            stamp=stamp,
            summary=summary,
            start=first,
            end=last + timedelta(days=1),  # DTEND;VALUE=DATE is exclusive
            categories=[kind],
            transparency=TRANSP.TRANSPARENT,
        )

    if campaign is not None:
        cal.add_component(
            day_event(
                f"campaign-{campaign.id}", campaign.name, campaign.start, campaign.end, "campaign"
            )
        )
        for theme in campaign.themes:
            cal.add_component(
                day_event(
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
            cal.add_component(
                day_event(
                    f"blackout-{campaign.id}-{blackout.day:%Y%m%d}",
                    f"No publication{whom}{why}",
                    blackout.day,
                    blackout.day,
                    "blackout",
                )
            )
    year = campaign.start.year if campaign else stamp.year
    for index, (first, last, text) in enumerate(offset_weeks(chosen or config.partners, year)):
        cal.add_component(day_event(f"offset-{year}-{index + 1}", text, first, last, "offset"))
    for observance in project.calendar.events:
        event = day_event(
            f"event-{observance.id}",
            observance.name + ("" if observance.confirmed else " (to be confirmed)"),
            observance.start,
            observance.end or observance.start,
            "observance",
        )
        event.add("status", STATUS.CONFIRMED if observance.confirmed else STATUS.TENTATIVE)
        if observance.rrule:
            event.add("rrule", vRecur.from_ical(observance.rrule))
        cal.add_component(event)
    used: set[str] = set()
    years: set[int] = set()
    for message in project.messages_of(campaign_id):
        for pid, when in message.publish:
            partner = config.partner(pid)
            if partner is None or (partner_id and pid != partner_id):
                continue
            local = zones.local(when, partner)
            used.add(partner.timezone)
            years.add(local.year)
            rest = tuple(p for p in config.partners if p.id != pid)
            description = "\n".join(
                (
                    message.summary,
                    "",
                    f"When: {zones.times(when, (partner, *rest))}",
                    f"Channels: {', '.join(message.channels)}",
                    f"Locales: {', '.join(partner.locales)}",
                )
            )
            cal.add_component(
                Event.new(
                    uid=f"message-{campaign_id}-{message.id}-{pid}@{domain}",
                    stamp=stamp,
                    summary=f"{message.title} ({partner.name})",
                    description=description,
                    start=local,
                    end=local + SLOT,
                    url=message.link,
                    categories=[pid, *message.channels],
                    transparency=TRANSP.TRANSPARENT,
                )
            )
    # The zones' rules, for the years of the slots and one either side.
    first_year, last_year = min(years, default=year) - 1, max(years, default=year) + 1
    cal.subcomponents[:0] = [vtimezone(name, first_year, last_year) for name in sorted(used)]
    return bytes(cal.to_ical())


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
            if len(usual) != 1 or a == b:
                continue
            normal = next(iter(usual))
            tz = zones.zone(a)
            day = date(year, 1, 1)
            run: tuple[date, timedelta] | None = None
            while day.year == year:
                noon = datetime(day.year, day.month, day.day, 12, tzinfo=tz)
                gap = zones.gap(a, b, noon)
                if gap != normal and run is None:
                    run = (day, gap)
                elif gap == normal and run is not None:
                    found.append(
                        (
                            run[0],
                            day - timedelta(days=1),
                            f"{zones.city(a)} is {zones.hours(run[1])} ahead of "
                            f"{zones.city(b)} (usually {zones.hours(normal)})",
                        )
                    )
                    run = None
                day += timedelta(days=1)
            if run is not None:
                found.append(
                    (
                        run[0],
                        date(year, 12, 31),
                        f"{zones.city(a)} is {zones.hours(run[1])} ahead of {zones.city(b)} "
                        f"(usually {zones.hours(normal)})",
                    )
                )
    return found


@dataclass(frozen=True, slots=True)
class Row:
    """One post for a scheduler: a message on one channel in one locale, for one partner."""

    message: Message
    partner: Partner
    channel: str
    locale: str
    instant: datetime  # aware
    local: datetime  # on the partner's wall clock
    text: str
    link: str
    over: int  # how far over the channel's limit the text is (0: fits)


def rows(
    project: Project, campaign_id: str, partner_id: str, outputs: Iterable[Output]
) -> list[Row]:
    """Return the partner's posts, in time order, from the rendered outputs.

    Posts that are not fully translated are left out (see :func:`untranslated`):
    a scheduler would publish the source language to that locale's audience.
    """
    partner = project.config.partner(partner_id)
    if partner is None:
        return []
    posts = set(post_channels())
    rendered = {
        (o.message, o.locale, o.channel): o
        for o in outputs
        if o.channel in posts and o.path.endswith(".txt") and o.translated
    }
    found = []
    for message in project.messages_of(campaign_id):
        when = message.publish_for(partner_id)
        if when is None:
            continue
        local = zones.local(when, partner)
        for locale in partner.locales:
            for channel in message.channels:
                output = rendered.get((message.id, locale, channel))
                if output is None:
                    continue
                found.append(
                    Row(
                        message,
                        partner,
                        channel,
                        locale,
                        when,
                        local,
                        output.content.decode("utf-8").rstrip("\n"),
                        message.link or "",
                        output.measure.over if output.measure else 0,
                    )
                )
    found.sort(key=lambda r: (r.instant, r.channel, r.locale, r.message.id))
    return found


CSV_COLUMNS = (
    "date",
    "time",
    "timezone",
    "local",
    "utc",
    "channel",
    "locale",
    "message",
    "text",
    "link",
)
SPROUT_COLUMNS = ("date", "time_24hr", "message_text")
#: The networks of ours that Sprout Social publishes to (it has no SMS or Mastodon profiles).
SPROUT_CHANNELS = ("x", "bluesky", "linkedin", "threads", "instagram")


def _csv(header: tuple[str, ...], lines: Iterable[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return buffer.getvalue().encode("utf-8")


def generic_csv(found: Iterable[Row]) -> bytes:
    """Return the generic scheduler CSV (UTF-8, RFC 4180, header row) for some rows."""
    return _csv(
        CSV_COLUMNS,
        (
            (
                f"{r.local:%Y-%m-%d}",
                f"{r.local:%H:%M}",
                r.partner.timezone,
                r.local.isoformat(timespec="minutes"),
                f"{r.instant.astimezone(UTC):%Y-%m-%dT%H:%MZ}",
                r.channel,
                r.locale,
                r.message.id,
                r.text,
                r.link,
            )
            for r in found
        ),
    )


def sprout_csv(found: Iterable[Row], date_order: str) -> bytes:
    """Return a Sprout Social bulk-import CSV: date, time_24hr, message_text."""
    pattern = DATE_ORDERS[date_order]
    return _csv(
        SPROUT_COLUMNS, ((r.local.strftime(pattern), f"{r.local:%H:%M}", r.text) for r in found)
    )


def untranslated(
    project: Project, campaign_id: str, partner_id: str, outputs: Iterable[Output]
) -> Diagnostic | None:
    """Return a warning when some of a partner's posts are left out for want of translation."""
    partner = project.config.partner(partner_id)
    if partner is None:
        return None
    posts = set(post_channels())
    ids = {m.id for m in project.messages_of(campaign_id) if partner_id in m.partners}
    missing = sorted(
        (o.locale, o.message)
        for o in outputs
        if o.channel in posts
        and o.path.endswith(".txt")
        and not o.translated
        and o.locale in partner.locales
        and o.message in ids
    )
    if not missing:
        return None
    locales = sorted({locale for locale, _ in missing})
    return Diagnostic(
        "CS116",
        Severity.WARNING,
        f"left out {len(missing)} post{'s' if len(missing) > 1 else ''} of {partner_id} that "
        f"are not fully translated ({', '.join(locales)}): a scheduler would publish the "
        "source text to that audience; translate them (campaignsync locale status)",
        f"schedule-{partner_id}.csv",
    )


def schedule_csv(
    project: Project, campaign_id: str, partner_id: str, outputs: list[Output]
) -> bytes:
    """Return schedule-<partner>.csv, the generic CSV with every post of the campaign."""
    return generic_csv(rows(project, campaign_id, partner_id, outputs))


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export: its name and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Exported:
    """What ``calendar export`` produced, and what a scheduler would refuse."""

    files: tuple[ExportFile, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What to export: formats, partners, the clock, Sprout's date order."""

    formats: tuple[str, ...] = ("ics", "csv")
    partners: tuple[str, ...] = ()  # empty: every partner with a message
    now: datetime | None = None  # None: keep posts however soon or past
    date_order: str | None = None  # "dmy" or "mdy", for Sprout
    epoch: int = 315532800


def export(
    project: Project, campaign_id: str, outputs: Iterable[Output], options: ExportOptions
) -> Exported:
    """Return the export files and the problems a scheduler would have with them."""
    config = project.config
    messages = project.messages_of(campaign_id)
    partner_ids = options.partners or tuple(
        p.id for p in config.partners if any(p.id in m.partners for m in messages)
    )
    files: list[ExportFile] = []
    problems: list[Diagnostic] = []
    if "ics" in options.formats:
        if len(options.partners) == 1:
            files.append(
                ExportFile(
                    f"calendar-{partner_ids[0]}.ics",
                    ics(project, campaign_id, options.epoch, partner_ids[0]),
                )
            )
        else:
            files.append(ExportFile("calendar.ics", ics(project, campaign_id, options.epoch)))
    outputs = list(outputs)
    sprout = set(SPROUT_CHANNELS)
    for partner_id in partner_ids:
        found = rows(project, campaign_id, partner_id, outputs)
        if (left_out := untranslated(project, campaign_id, partner_id, outputs)) is not None:
            problems.append(left_out)
        if "csv" in options.formats:
            name = f"schedule-{partner_id}.csv"
            kept = _checked(found, name, options.now, problems)
            files.append(ExportFile(name, generic_csv(kept)))
        if "sprout" in options.formats:
            lanes: dict[tuple[str, str], list[Row]] = defaultdict(list)
            for row in found:
                if row.channel in sprout:
                    lanes[(row.locale, row.channel)].append(row)
            for (locale, channel), lane in sorted(lanes.items()):
                base = f"sprout-{partner_id}-{locale}-{channel}"
                kept = _checked(lane, f"{base}.csv", options.now, problems)
                parts = [
                    kept[i : i + SPROUT_MAX_ROWS] for i in range(0, len(kept), SPROUT_MAX_ROWS)
                ]
                if len(parts) > 1:
                    problems.append(
                        Diagnostic(
                            "CS115",
                            Severity.WARNING,
                            f"{len(kept)} posts: split into {len(parts)} files of at most "
                            f"{SPROUT_MAX_ROWS} (Sprout Social's limit per import; posts "
                            "already scheduled there count too)",
                            f"{base}.csv",
                        )
                    )
                for number, part in enumerate(parts, start=1):
                    name = f"{base}.csv" if number == 1 else f"{base}-{number}.csv"
                    files.append(ExportFile(name, sprout_csv(part, options.date_order or "dmy")))
    return Exported(tuple(files), tuple(problems))


def _checked(
    found: list[Row], name: str, now: datetime | None, problems: list[Diagnostic]
) -> list[Row]:
    """Return the rows a scheduler would take, recording what it would refuse."""
    kept = found
    if now is not None:
        earliest = now + SCHEDULER_LEAD
        kept = [r for r in found if r.instant >= earliest]
        gone = len(found) - len(kept)
        if gone:
            first = next(r for r in found if r.instant < earliest)
            problems.append(
                Diagnostic(
                    "CS114",
                    Severity.WARNING,
                    f"left out {gone} post{'s' if gone > 1 else ''} due before "
                    f"{earliest.astimezone(UTC):%Y-%m-%d %H:%M} UTC (already past, or less than "
                    f"10 minutes away: a scheduler refuses them), from {first.message.id!r} "
                    f"[{first.locale}/{first.channel}] at {zones.clock(first.local)}",
                    name,
                )
            )
    lanes: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in kept:
        lanes[(row.locale, row.channel)].append(row)
        if row.over:
            problems.append(
                Diagnostic(
                    "CS201",
                    Severity.ERROR,
                    f"{name}: the post is {row.over} over the {row.channel} limit; "
                    "a scheduler refuses it",
                    row.message.path,
                    row.message.line_of("summary"),
                    row.locale,
                    row.channel,
                )
            )
    for lane in lanes.values():
        for earlier, later in itertools.pairwise(lane):
            if later.instant - earlier.instant < SCHEDULER_SPACING:
                problems.append(
                    Diagnostic(
                        "CS110",
                        Severity.ERROR,
                        f"{name}: {later.message.id!r} is less than 10 minutes after "
                        f"{earlier.message.id!r} on the same profile; a scheduler refuses it",
                        later.message.path,
                        later.message.line_of(f"publish.{later.partner.id}")
                        if f"publish.{later.partner.id}" in dict(later.message.lines)
                        else later.message.line_of("publish"),
                        later.locale,
                        later.channel,
                    )
                )
    return kept
