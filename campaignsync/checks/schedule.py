"""Schedule checks (CS1xx) against the joint calendar, in each partner's local time."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from campaignsync.checks import CheckInput, check
from campaignsync.model import Diagnostic, Severity


@check("CS101", "CS102")
def inside_campaign(data: CheckInput) -> Iterator[Diagnostic]:
    """Report publication times outside the campaign window or the theme's week."""
    config = data.project.config
    for message in data.project.messages:
        campaign = data.project.calendar.campaign(message.campaign)
        if campaign is None:
            continue
        theme = campaign.theme(message.theme) if message.theme else None
        for partner_id, when in message.publish:
            partner = config.partner(partner_id)
            if partner is None:
                continue
            day = when.astimezone(ZoneInfo(partner.timezone)).date()
            key = f"publish.{partner_id}" if len(message.publish) > 1 else "publish"
            line = (
                message.line_of(key) if key in dict(message.lines) else message.line_of("publish")
            )
            if not campaign.start <= day <= campaign.end:
                yield Diagnostic(
                    "CS101",
                    Severity.ERROR,
                    f"published {day} ({partner.timezone}), outside campaign {campaign.id!r} "
                    f"({campaign.start} to {campaign.end})",
                    message.path,
                    line,
                )
            elif theme is not None and not theme.start <= day <= theme.end:
                yield Diagnostic(
                    "CS102",
                    Severity.WARNING,
                    f"published {day} ({partner.timezone}), outside its theme week {theme.id!r} "
                    f"({theme.start} to {theme.end})",
                    message.path,
                    line,
                )
