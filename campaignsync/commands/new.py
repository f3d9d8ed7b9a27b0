"""``campaignsync new``: a message file with valid front matter in the next free slot."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from campaignsync.campaigns import Campaign
from campaignsync.channels import check_enabled
from campaignsync.checks.schedule import SCHEDULER_LEAD
from campaignsync.errors import ContentError, UsageError
from campaignsync.load.body import PLACEHOLDER_BODY, PLACEHOLDER_SUMMARY, PLACEHOLDER_TITLE
from campaignsync.load.content import ID_RE
from campaignsync.load.schema import did_you_mean
from campaignsync.model import Partner, Project

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


@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked ``new`` for (empty values: the defaults)."""

    message_id: str
    campaign: str | None = None
    theme: str | None = None
    partners: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class Created:
    """The message file ``new`` wrote, and a warning when its slot is already past."""

    path: str
    day: date
    warning: str = ""


def _busy(project: Project, campaign: Campaign) -> set[tuple[str, date]]:
    """Return the (partner, local day) pairs that already have a message."""
    busy: set[tuple[str, date]] = set()
    for message in project.messages_of(campaign.id):
        for pid, when in message.publish:
            partner = project.config.partner(pid)
            if partner is not None:
                busy.add((pid, when.astimezone(ZoneInfo(partner.timezone)).date()))
    return busy


def slot(project: Project, partner_id: str, day: date) -> datetime:
    """Return the moment of a partner's slot on ``day``, on its own clock."""
    partner = project.config.partner(partner_id)
    zone = ZoneInfo(partner.timezone) if partner else ZoneInfo("UTC")
    return datetime.combine(day, slot_time(partner), tzinfo=zone)


def next_slot(
    project: Project,
    campaign: Campaign,
    partners: tuple[str, ...],
    span: tuple[date, date],
    now: datetime,
) -> tuple[date, bool]:
    """Return the first free business day of every partner in ``span`` whose slot is ahead.

    A slot is ahead when a scheduler still takes it (at least 10 minutes after
    ``now``). When every free day is past, return the first one and True.
    """
    busy = _busy(project, campaign)
    days = [p.business_days for pid in partners if (p := project.config.partner(pid))]
    earliest = now + SCHEDULER_LEAD
    first, last = span
    past: date | None = None
    day = first
    while day <= last:
        free = all((pid, day) not in busy for pid in partners)
        working = all(day.weekday() in allowed for allowed in days)
        if working and day not in campaign.blackout and free:
            if all(slot(project, pid, day) >= earliest for pid in partners):
                return day, False
            past = past or day
        day += timedelta(days=1)
    if past is not None:
        return past, True
    raise UsageError(
        f"no free weekday between {first} and {last} for {', '.join(partners)}; "
        "choose another --theme or set 'publish' by hand"
    )


def _check_request(project: Project, request: Request) -> tuple[Campaign, tuple[str, ...]]:
    """Return the campaign and partners of a valid request (raises UsageError)."""
    config = project.config
    message_id = request.message_id
    if not ID_RE.match(message_id):
        raise UsageError(
            f"id {message_id!r} must be lower-case letters, digits and '-' (e.g. 'mfa-reminder')"
        )
    clash = next((m for m in project.messages if m.id == message_id), None)
    if clash is not None:
        raise UsageError(f"id {message_id!r} is already used by {clash.path}")
    campaign = _campaign(project, request.campaign)
    partner_ids = request.partners or tuple(p.id for p in config.partners)
    for pid in partner_ids:
        if config.partner(pid) is None:
            known = [p.id for p in config.partners]
            raise UsageError(
                f"unknown partner {pid!r}{did_you_mean(pid, known)} (partners: {', '.join(known)})"
            )
    check_enabled(request.channels, config.channels)
    return campaign, partner_ids


def add(root: Path, request: Request, now: datetime) -> Created:
    """Load the campaign repository at ``root`` and :func:`create` the message in it."""
    from campaignsync.load.project import require_project

    project, _ = require_project(root)
    return create(project, request, now)


def create(project: Project, request: Request, now: datetime) -> Created:
    """Write ``content/messages/<campaign>/<id>.md`` in the next free slot after ``now``."""
    config = project.config
    campaign, partner_ids = _check_request(project, request)
    channel_names = request.channels or tuple(c.name for c in config.channels if c.enabled)
    theme_id = request.theme
    theme = campaign.theme(theme_id) if theme_id else None
    if theme_id and theme is None:
        themes = [t.id for t in campaign.themes]
        hint = did_you_mean(theme_id, themes) or f" (themes: {', '.join(themes) or 'none'})"
        raise UsageError(f"campaign {campaign.id!r} has no theme {theme_id!r}{hint}")
    span = (theme.start, theme.end) if theme else (campaign.start, campaign.end)
    day, past = next_slot(project, campaign, partner_ids, span, now)
    if theme is None:
        theme = next((t for t in campaign.themes if t.start <= day <= t.end), None)
    rel = f"{config.paths.content}/messages/{campaign.id}/{request.message_id}.md"
    path = project.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _render(
        project,
        campaign,
        request,
        theme.id if theme else None,
        partner_ids,
        channel_names,
        day,
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ContentError(f"{rel} already exists") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    warning = ""
    if past:
        warning = (
            f"every free slot from {span[0]} to {span[1]} is already past "
            f"(now: {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC), so the message is set for "
            f"{day:%a} {day.day} {day:%b %Y}, in the past: change 'publish' in {rel}, "
            "or choose another --theme or --campaign"
        )
    return Created(rel, day, warning)


def _render(
    project: Project,
    campaign: Campaign,
    request: Request,
    theme: str | None,
    partners: tuple[str, ...],
    channels: tuple[str, ...],
    day: date,
) -> str:
    message_id, title = request.message_id, request.title
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
        lines.append(f"  {pid}: {slot(project, pid, day).isoformat()}")
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
