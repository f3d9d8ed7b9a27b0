"""``calendar export``: calendar.ics and scheduler files, and what a scheduler would refuse.

The rows and formats are in :mod:`campaignsync.pack.schedulecsv`, the calendar
in :mod:`campaignsync.pack.ical`; described in docs/calendar.md. Everything
here is a pure function of the project, the rendered outputs and the ``now``
it is given.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from campaignsync.checks.channels import scheduler_refuses_length
from campaignsync.checks.schedule import (
    SCHEDULER_LEAD,
    SCHEDULER_SPACING,
    scheduler_refuses_spacing,
)
from campaignsync.model import (
    Diagnostic,
    Output,
    Project,
    Severity,
)
from campaignsync.pack import ical
from campaignsync.pack.schedulecsv import (
    BUFFER_CHANNELS,
    BUFFER_MAX_ROWS,
    SPROUT_CHANNELS,
    SPROUT_MAX_ROWS,
    Row,
    buffer_csv,
    file_name,
    generic_csv,
    rows,
    sprout_csv,
    untranslated,
)
from campaignsync.render import zones


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export: its name and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Exported:
    """What ``calendar export`` produced, and what a scheduler would refuse.

    ``nothing`` says why no scheduler file was made although one was asked for
    ('' when some were, or none was asked for): the export must then write nothing.
    """

    files: tuple[ExportFile, ...]
    diagnostics: tuple[Diagnostic, ...]
    nothing: str = ""


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
    """Return the export files and the problems a scheduler would have with them.

    A scheduler file is never made without a post: such a file is left out
    with a warning (CS117), and when no scheduler file is left, ``nothing`` says why.
    """
    config = project.config
    partner_ids = _partner_ids(project, campaign_id, options)
    files: list[ExportFile] = []
    problems: list[Diagnostic] = []
    if "ics" in options.formats:
        one = partner_ids[0] if len(options.partners) == 1 else None
        ics = ical.ics(project, campaign_id, options.epoch, one)
        files.append(ExportFile(_calendar_name(options), ics))
    outputs = list(outputs)
    date_order = options.date_order or "dmy"

    def sprout(part: list[Row]) -> bytes:
        return sprout_csv(part, date_order)

    empty: list[tuple[str, Diagnostic]] = []  # (why, warning) per file left out
    for partner_id in partner_ids:
        found = rows(project, campaign_id, partner_id, outputs)
        left = [untranslated(project, campaign_id, partner_id, outputs, name, taken)
                for name, taken in _file_names(partner_id, options.formats)]  # fmt: skip
        problems += [warning for warning in left if warning is not None]
        left_out = any(left)
        for name, lane in _scheduler_lanes(partner_id, found, options.formats):
            kept = _checked(lane, name, options.now, problems)
            if not kept:
                empty.append(_not_written(name, lane, options.now, left_out))
            elif name.startswith("sprout-"):
                files.extend(_parts(name, kept, SPROUT, sprout, problems))
            elif name.startswith("buffer-"):
                files.extend(_parts(name, kept, BUFFER, lambda p: buffer_csv(p, config), problems))
            else:
                files.append(ExportFile(name, generic_csv(kept)))
    wanted = {"csv", "sprout", "buffer"} & set(options.formats)
    if wanted and not any(f.name.endswith(".csv") for f in files):
        alone = ", --format ics the calendar alone" if "ics" in options.formats else ""
        return Exported((), tuple(problems), _nothing(empty, options.now) + alone)
    return Exported(tuple(files), (*problems, *(warning for _, warning in empty)))


def file_names(project: Project, campaign_id: str, options: ExportOptions) -> list[str]:
    """Return the names of the files an export makes, known before its posts are rendered.

    A scheduler that takes a file a profile has ``*`` for the profiles in its name; a
    scheduler file without a post is left out (CS117), which only its posts tell.
    """
    names = [_calendar_name(options)] if "ics" in options.formats else []
    for partner_id in _partner_ids(project, campaign_id, options):
        names += [name for name, _ in _file_names(partner_id, options.formats)]
    return names


def _calendar_name(options: ExportOptions) -> str:
    """Return the calendar's name: one partner's when the export is for one, asked by name."""
    return f"calendar-{options.partners[0]}.ics" if len(options.partners) == 1 else "calendar.ics"


def _partner_ids(project: Project, campaign_id: str, options: ExportOptions) -> tuple[str, ...]:
    """Return the partners an export is for: those asked, else every one with a message."""
    messages = project.messages_of(campaign_id)
    return options.partners or tuple(
        p.id for p in project.config.partners if any(p.id in m.partners for m in messages)
    )


def _file_names(
    partner_id: str, formats: tuple[str, ...]
) -> list[tuple[str, tuple[str, ...] | None]]:
    """Return the names of a partner's scheduler files, one pattern a scheduler.

    With each, the channels it takes (None: every channel with posts).
    """
    names: list[tuple[str, tuple[str, ...] | None]] = []
    if "csv" in formats:
        names.append((file_name(partner_id), None))
    for tool in (SPROUT, BUFFER):
        if tool.format in formats:
            names.append((_lane_file(tool, partner_id, "*"), tool.channels))
    return names


def _lane_file(tool: Scheduler, partner_id: str, profile: str) -> str:
    """Return the name of a scheduler's file of one profile (``locale-channel``; ``*``: each)."""
    return f"{tool.format}-{partner_id}-{profile}.csv"


def _scheduler_lanes(
    partner_id: str, found: list[Row], formats: tuple[str, ...]
) -> Iterator[tuple[str, list[Row]]]:
    """Yield each scheduler file a partner's posts go into, with its posts.

    Sprout Social and Buffer take one file per profile: a channel in one locale.
    """
    if "csv" in formats:
        yield file_name(partner_id), found
    for tool in (SPROUT, BUFFER):
        if tool.format not in formats:
            continue
        lanes: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for row in found:
            if row.channel in tool.channels:
                lanes[(row.locale, row.channel)].append(row)
        for (locale, channel), lane in sorted(lanes.items()):
            yield _lane_file(tool, partner_id, f"{locale}-{channel}"), lane


@dataclass(frozen=True, slots=True)
class Scheduler:
    """A scheduler that takes one file per profile, and its limit per file."""

    format: str
    channels: tuple[str, ...]
    max_rows: int
    limit: str  # the limit in words, for CS115


SPROUT = Scheduler(
    "sprout",
    SPROUT_CHANNELS,
    SPROUT_MAX_ROWS,
    "Sprout Social's limit per import; posts already scheduled there count too",
)
BUFFER = Scheduler(
    "buffer",
    BUFFER_CHANNELS,
    BUFFER_MAX_ROWS,
    "Buffer's limit per file on paid plans; 10 on the Free plan",
)


def _parts(
    name: str,
    kept: list[Row],
    tool: Scheduler,
    write: Callable[[list[Row]], bytes],
    problems: list[Diagnostic],
) -> list[ExportFile]:
    """Return one profile's files, split at the scheduler's limit per file."""
    size = tool.max_rows
    parts = [kept[i : i + size] for i in range(0, len(kept), size)]
    if len(parts) > 1:
        problems.append(
            Diagnostic(
                "CS115",
                Severity.WARNING,
                f"{len(kept)} posts: split into {len(parts)} files of at most {size} "
                f"({tool.limit})",
                name,
            )
        )
    base = name.removesuffix(".csv")
    return [
        ExportFile(name if number == 1 else f"{base}-{number}.csv", write(part))
        for number, part in enumerate(parts, start=1)
    ]


def _too_soon(now: datetime) -> str:
    earliest = now + SCHEDULER_LEAD
    return (
        f"due before {earliest.astimezone(UTC):%Y-%m-%d %H:%M} UTC (already past, or less than "
        "10 minutes away: a scheduler refuses them)"
    )


def _not_written(
    name: str, lane: list[Row], now: datetime | None, untranslated: bool
) -> tuple[str, Diagnostic]:
    """Return why a scheduler file is left out for want of a post, and its warning."""
    if lane and now is not None:
        count = f"all {len(lane)} of its posts are" if len(lane) > 1 else "its one post is"
        why, text = "past", f"{count} {_too_soon(now)}; --all exports them anyway"
    elif untranslated:
        why, text = "untranslated", "none of its posts is fully translated (CS116)"
    else:
        why, text = "none", "the campaign has no post for it"
    return why, Diagnostic("CS117", Severity.WARNING, f"not written: {text}", name)


def _nothing(empty: list[tuple[str, Diagnostic]], now: datetime | None) -> str:
    """Return why an export has no scheduler file at all."""
    reasons = {why for why, _ in empty}
    if now is not None and "past" in reasons:
        return f"every post is {_too_soon(now)}; --all exports them anyway"
    if "untranslated" in reasons:
        return "no post is fully translated (see CS116 above)"
    return "the campaign has no post on a channel a scheduler publishes to"


def _checked(
    found: list[Row], name: str, now: datetime | None, problems: list[Diagnostic]
) -> list[Row]:
    """Return the rows a scheduler would take, recording what it would refuse."""
    kept = found
    if now is not None:
        earliest = now + SCHEDULER_LEAD
        kept = [r for r in found if r.instant >= earliest]
        gone = len(found) - len(kept)
        if gone and kept:
            first = next(r for r in found if r.instant < earliest)
            problems.append(
                Diagnostic(
                    "CS114",
                    Severity.WARNING,
                    f"left out {gone} post{'s' if gone > 1 else ''} {_too_soon(now)}, "
                    f"from {first.message.id!r} "
                    f"[{first.locale}/{first.channel}] at {zones.clock(first.local)}",
                    name,
                )
            )
    lanes: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in kept:
        lanes[(row.locale, row.channel)].append(row)
        if row.over is not None:
            problems.append(scheduler_refuses_length(name, row))
    for lane in lanes.values():
        for earlier, later in itertools.pairwise(lane):
            if later.instant - earlier.instant < SCHEDULER_SPACING:
                problems.append(scheduler_refuses_spacing(name, earlier, later))
    return kept
