"""The schedule for other tools: iCalendar (RFC 5545) and scheduler CSV, as bytes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from campaignsync.model import Output, Project

#: Channels whose rendered text is a post a scheduler can publish.
SCHEDULED_CHANNELS = ("x", "mastodon", "bluesky", "linkedin", "sms")
SLOT = timedelta(minutes=30)


def ics(project: Project, campaign_id: str, epoch: int) -> bytes:
    """Return calendar.ics: campaign, themes, observances, one event per message x partner.

    UIDs are stable and DTSTAMP is the build's SOURCE_DATE_EPOCH, so the same
    input gives the same file and a re-import updates events instead of
    duplicating them.
    """
    from icalendar import Calendar, Event, vRecur

    stamp = datetime.fromtimestamp(epoch, UTC)
    domain = project.config.base_url.split("://", 1)[-1].split("/", 1)[0]
    campaign = project.calendar.campaign(campaign_id)
    cal = Calendar.new(
        prodid=f"-//campaignsync//{project.config.name}//EN",
        uid=f"campaign-{campaign_id}@{domain}",
        name=campaign.name if campaign else campaign_id,
    )
    if campaign is not None:
        cal.add_component(
            Event.new(
                uid=f"campaign-{campaign.id}@{domain}",
                stamp=stamp,
                summary=campaign.name,
                start=campaign.start,
                end=campaign.end + timedelta(days=1),
            )
        )
        for theme in campaign.themes:
            cal.add_component(
                Event.new(
                    uid=f"theme-{campaign.id}-{theme.id}@{domain}",
                    stamp=stamp,
                    summary=theme.name,
                    start=theme.start,
                    end=theme.end + timedelta(days=1),
                    categories=["theme"],
                )
            )
    for observance in project.calendar.events:
        event = Event.new(
            uid=f"event-{observance.id}@{domain}",
            stamp=stamp,
            summary=observance.name + ("" if observance.confirmed else " (to be confirmed)"),
            start=observance.start,
            end=(observance.end or observance.start) + timedelta(days=1),
            categories=["observance"],
        )
        if observance.rrule:
            event.add("rrule", vRecur.from_ical(observance.rrule))
        cal.add_component(event)
    for message in project.messages_of(campaign_id):
        for partner_id, when in message.publish:
            partner = project.config.partner(partner_id)
            if partner is None:
                continue
            local = when.astimezone(ZoneInfo(partner.timezone))
            cal.add_component(
                Event.new(
                    uid=f"message-{campaign_id}-{message.id}-{partner_id}@{domain}",
                    stamp=stamp,
                    summary=f"{message.title} ({partner.name})",
                    description=f"{message.summary}\n\nChannels: {', '.join(message.channels)}",
                    start=local,
                    end=local + SLOT,
                    url=message.link,
                    categories=[partner_id, *message.channels],
                )
            )
    cal.add_missing_timezones()
    # add_missing_timezones() appends zones in set order, which changes with
    # PYTHONHASHSEED: sort them so the same input gives the same bytes.
    zones = sorted(
        (c for c in cal.subcomponents if c.name == "VTIMEZONE"), key=lambda c: str(c["TZID"])
    )
    others = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
    cal.subcomponents[:] = [*zones, *others]
    return bytes(cal.to_ical())


CSV_COLUMNS = ("date", "time", "timezone", "utc", "channel", "locale", "message", "text", "link")


def schedule_csv(
    project: Project, campaign_id: str, partner_id: str, outputs: list[Output]
) -> bytes:
    """Return schedule-<partner>.csv: one row per post, in the partner's local time.

    Columns (UTF-8, RFC 4180): date (YYYY-MM-DD), time (HH:MM, 24 h), timezone
    (IANA), utc (ISO 8601), channel, locale, message id, the post text exactly
    as rendered, and the link.
    """
    partner = project.config.partner(partner_id)
    if partner is None:
        return b""
    zone = ZoneInfo(partner.timezone)
    texts = {
        (o.message, o.locale, o.channel): o.content.decode("utf-8").rstrip("\n")
        for o in outputs
        if o.path.endswith(".txt")
    }
    rows = []
    for message in project.messages_of(campaign_id):
        when = message.publish_for(partner_id)
        if when is None:
            continue
        local = when.astimezone(zone)
        for locale in partner.locales:
            for channel in message.channels:
                text = texts.get((message.id, locale, channel))
                if channel not in SCHEDULED_CHANNELS or text is None:
                    continue
                rows.append(
                    (
                        local.strftime("%Y-%m-%d"),
                        local.strftime("%H:%M"),
                        partner.timezone,
                        when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        channel,
                        locale,
                        message.id,
                        text,
                        message.link or "",
                    )
                )
    rows.sort(key=lambda r: (r[3], r[4], r[5], r[6]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
