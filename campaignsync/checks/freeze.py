"""CS113: messages changed after the campaign's translation freeze, while it runs.

Partners may have scheduled a message once the freeze has passed; a change in
git after it is worth telling them. What the check reads besides git and the
clock is one small value (:class:`FreezeWatch`), so that ``pipeline.lastcheck``
can ask again, at another time, without loading the project.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from campaignsync import gitrepo
from campaignsync.checks import CheckInput, check
from campaignsync.model import Diagnostic, Partner, Project, Severity

#: The code of this check (``pipeline.lastcheck`` asks it again every time).
CODE = "CS113"


def day_end(day: date, partners: tuple[Partner, ...]) -> datetime:
    """Return when ``day`` is over for every partner: midnight after it, in the last zone."""
    from campaignsync.render import zones  # not for a kept answer given again (lastcheck)

    ends = [
        datetime.combine(day + timedelta(days=1), time(), zones.zone(p.timezone)) for p in partners
    ]
    return max(ends, default=datetime.combine(day + timedelta(days=1), time(), UTC))


@dataclass(frozen=True, slots=True)
class FreezeWatch:
    """What CS113 reads besides git and the clock: the campaign's freeze and its messages."""

    freeze: date
    frozen: datetime  # the freeze day over, for every partner
    end: datetime  # the campaign's last day over, for every partner
    folder: str  # the campaign's messages folder, from the repository root
    calendar: str
    line: int
    messages: tuple[str, ...]  # the campaign's message files


def freeze_watch(project: Project, campaign_id: str) -> FreezeWatch | None:
    """Return what CS113 watches for a campaign (None when it has no freeze date)."""
    campaign = project.calendar.campaign(campaign_id)
    if campaign is None or campaign.freeze is None:
        return None
    partners = project.config.partners
    return FreezeWatch(
        campaign.freeze,
        day_end(campaign.freeze, partners),
        day_end(campaign.end, partners),
        f"{project.config.paths.content}/messages/{campaign.id}",
        project.calendar.path,
        campaign.line,
        tuple(m.path for m in project.messages_of(campaign.id)),
    )


@check("CS113")
def changed_after_freeze(data: CheckInput) -> Iterator[Diagnostic]:
    """Report messages changed (in git) after the campaign's freeze, while the campaign runs."""
    watch = freeze_watch(data.project, data.campaign)
    if watch is not None:
        yield from changes_after_freeze(data.project.root, watch, data.now)


def changes_after_freeze(root: Path, watch: FreezeWatch, now: datetime) -> list[Diagnostic]:
    """Return CS113 for each message changed in git after the freeze, while the campaign runs."""
    if not watch.frozen <= now < watch.end:
        return []
    changed = gitrepo.changes_since(
        root, watch.folder, int(watch.frozen.timestamp()), int(now.timestamp())
    )
    if changed is None:
        return []
    advice = "tell the partners, who may have scheduled it already"
    found = []
    for change in changed:
        known = change.path in watch.messages
        if not known and not (change.deleted and change.path.endswith(".md")):
            continue
        if change.commit is None:
            how = "not yet committed"
        else:
            when = datetime.fromtimestamp(change.time or 0, UTC)
            how = f"in commit {change.commit[:10]}, {when:%Y-%m-%d %H:%M} UTC"
        if not known:
            text = f"{change.path} was deleted after the freeze on {watch.freeze} ({how}); {advice}"
            found.append(Diagnostic(CODE, Severity.WARNING, text, watch.calendar, watch.line))
        else:
            text = f"changed after the freeze on {watch.freeze} ({how}); {advice}"
            found.append(Diagnostic(CODE, Severity.WARNING, text, change.path, 1))
    return found
