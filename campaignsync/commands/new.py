"""``campaignsync new``: a message file with valid front matter in the next free slot."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaignsync.errors import ContentError, UsageError
from campaignsync.load.config import did_you_mean
from campaignsync.load.content import (
    ID_RE,
    PLACEHOLDER_BODY,
    PLACEHOLDER_SUMMARY,
    PLACEHOLDER_TITLE,
)
from campaignsync.model import Campaign, Partner, Project

SLOT_TIME = time(10, 0)


def _campaign(project: Project, campaign_id: str | None) -> Campaign:
    known = [c.id for c in project.calendar.campaigns]
    wanted = campaign_id or project.config.default_campaign or (known[-1] if known else "")
    found = project.calendar.campaign(wanted)
    if found is None:
        raise UsageError(f"unknown campaign {wanted!r}{did_you_mean(wanted, known)}")
    return found


def slot_time(partner: Partner | None) -> time:
    """Return 10:00, or the start of the partner's business hours when 10:00 is outside them."""
    if partner is None:
        return SLOT_TIME
    start, end = partner.business_hours
    return SLOT_TIME if start <= SLOT_TIME < end else start


def next_slot(
    project: Project, campaign: Campaign, partners: tuple[str, ...], first: date, last: date
) -> date:
    """Return the first business day of every partner in [first, last] with none of theirs."""
    busy: set[tuple[str, date]] = set()
    for message in project.messages_of(campaign.id):
        for pid, when in message.publish:
            partner = project.config.partner(pid)
            if partner is not None:
                busy.add((pid, when.astimezone(ZoneInfo(partner.timezone)).date()))
    days = [p.business_days for pid in partners if (p := project.config.partner(pid))]
    day = first
    while day <= last:
        free = all((pid, day) not in busy for pid in partners)
        working = all(day.weekday() in allowed for allowed in days)
        if working and day not in campaign.blackout and free:
            return day
        day += timedelta(days=1)
    raise UsageError(
        f"no free weekday between {first} and {last} for {', '.join(partners)}; "
        "choose another --theme or set 'publish' by hand"
    )


def create(
    project: Project,
    message_id: str,
    campaign_id: str | None,
    theme_id: str | None,
    partners: tuple[str, ...],
    channels: tuple[str, ...],
    title: str,
) -> str:
    """Write ``content/messages/<campaign>/<id>.md`` and return its path from the root."""
    config = project.config
    if not ID_RE.match(message_id):
        raise UsageError(
            f"id {message_id!r} must be lower-case letters, digits and '-' (e.g. 'mfa-reminder')"
        )
    clash = next((m for m in project.messages if m.id == message_id), None)
    if clash is not None:
        raise UsageError(f"id {message_id!r} is already used by {clash.path}")
    campaign = _campaign(project, campaign_id)
    partner_ids = partners or tuple(p.id for p in config.partners)
    for pid in partner_ids:
        if config.partner(pid) is None:
            known = [p.id for p in config.partners]
            raise UsageError(
                f"unknown partner {pid!r}{did_you_mean(pid, known)} (partners: {', '.join(known)})"
            )
    enabled = [c.name for c in config.channels if c.enabled]
    channel_names = channels or tuple(enabled)
    for name in channel_names:
        if name not in enabled:
            if any(c.name == name for c in config.channels):
                raise UsageError(
                    f"channel {name!r} is disabled: enable it in campaignsync.toml "
                    f"([channels.{name}] enabled = true)"
                )
            hint = did_you_mean(name, enabled)
            raise UsageError(f"unknown channel {name!r}{hint} (enabled: {', '.join(enabled)})")
    theme = campaign.theme(theme_id) if theme_id else None
    if theme_id and theme is None:
        raise UsageError(
            f"campaign {campaign.id!r} has no theme {theme_id!r}"
            + did_you_mean(theme_id, [t.id for t in campaign.themes])
        )
    first, last = (theme.start, theme.end) if theme else (campaign.start, campaign.end)
    day = next_slot(project, campaign, partner_ids, first, last)
    if theme is None:
        theme = next((t for t in campaign.themes if t.start <= day <= t.end), None)
    rel = f"{config.paths.content}/messages/{campaign.id}/{message_id}.md"
    path = project.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _render(
        project,
        campaign,
        message_id,
        theme.id if theme else None,
        partner_ids,
        channel_names,
        day,
        title,
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ContentError(f"{rel} already exists") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return rel


def _render(
    project: Project,
    campaign: Campaign,
    message_id: str,
    theme: str | None,
    partners: tuple[str, ...],
    channels: tuple[str, ...],
    day: date,
    title: str,
) -> str:
    config = project.config
    lines = ["---", f"id: {message_id}", f"campaign: {json.dumps(campaign.id)}"]
    if theme:
        lines.append(f"theme: {theme}")
    lines += [
        f"partners: [{', '.join(partners)}]",
        f"channels: [{', '.join(channels)}]",
        "publish:",
    ]
    for pid in partners:
        partner = config.partner(pid)
        zone = ZoneInfo(partner.timezone) if partner else ZoneInfo("UTC")
        when = datetime.combine(day, slot_time(partner), tzinfo=zone)
        lines.append(f"  {pid}: {when.isoformat()}")
    headline = title or f"{PLACEHOLDER_TITLE}{message_id}"
    lines += [
        f"title: {json.dumps(headline, ensure_ascii=False)}",
        f"summary: {json.dumps(PLACEHOLDER_SUMMARY)}",
        f"link: {config.base_url}/{campaign.id}/{message_id}",
        "hashtags: []",
        "---",
        "## What to do",
        "",
        f"{PLACEHOLDER_BODY}: what happens, why it matters,",
        "and the one or two things the reader should do today.",
        "",
    ]
    return "\n".join(lines)
