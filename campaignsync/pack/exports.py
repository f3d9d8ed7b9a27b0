"""The schedule for other tools: scheduler CSVs (and calendar.ics from ical.py), as bytes.

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
from datetime import UTC, datetime, timedelta

from campaignsync import channels
from campaignsync.model import (
    Diagnostic,
    Measure,
    Message,
    Output,
    Partner,
    Project,
    Severity,
)
from campaignsync.pack import ical
from campaignsync.render import zones

#: Schedulers refuse a post less than this far in the future (Sprout Social: 10 minutes).
SCHEDULER_LEAD = timedelta(minutes=10)
#: ... and two posts on one profile less than this far apart.
SCHEDULER_SPACING = timedelta(minutes=10)
#: Sprout Social takes at most this many messages per bulk import.
SPROUT_MAX_ROWS = 350
DATE_ORDERS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}


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
    over: Measure | None  # the channel limit the text goes over (None: it fits)


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
    posts = set(channels.post_channels())
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
                        output.measure.exceeded if output.measure else None,
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
    posts = set(channels.post_channels())
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
                    ical.ics(project, campaign_id, options.epoch, partner_ids[0]),
                )
            )
        else:
            files.append(ExportFile("calendar.ics", ical.ics(project, campaign_id, options.epoch)))
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
        if row.over is not None:
            problems.append(
                Diagnostic(
                    "CS201",
                    Severity.ERROR,
                    f"{name}: the post is {row.over.over} {row.over.unit_name} over the "
                    f"{channels.registry()[row.channel].title} limit of {row.over.limit}; "
                    "a scheduler refuses it",
                    row.message.path,
                    row.message.line_of(channels.post_field(row.message, row.channel)),
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
