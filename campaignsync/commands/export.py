"""``calendar export``: the calendar and scheduler files of a campaign, in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaignsync.errors import DiagnosticsError, UsageError
from campaignsync.model import Output, Project
from campaignsync.pack import exports


@dataclass(frozen=True, slots=True)
class Request:
    """What ``calendar export`` was asked for."""

    campaign: str | None = None
    formats: tuple[str, ...] = ("ics", "csv")
    partners: tuple[str, ...] = ()  # empty: every partner with a message
    now: datetime | None = None  # None: keep posts however soon or past
    date_order: str | None = None  # "dmy" or "mdy", for Sprout
    epoch: int | None = None  # SOURCE_DATE_EPOCH; None: the commit time
    jobs: int = 0  # 0: one process per CPU
    #: The files go to standard output: one file, or a usage error before any work.
    one_file: bool = False


#: Why an export to standard output cannot be made: it makes several files.
SEVERAL = "write them to a folder with --out DIR, or choose one with --format and --partner"


def export(root: Path, request: Request) -> exports.Exported:
    """Return the files of an export, with its warnings; raise on errors.

    Only the scheduler formats need the posts, so only they render the
    campaign's post channels.
    """
    from campaignsync import channels, pipeline
    from campaignsync.load.project import require_project

    project, _ = require_project(root)
    selection = pipeline.select(project, request.campaign)
    pipeline.known_partners(project, request.partners)
    if request.one_file:
        _one_file(project, selection.campaign, request)
    outputs: tuple[Output, ...] = ()
    posts = [c for c in channels.post_channels() if project.config.channel(c)]
    if {"csv", "sprout", "buffer"} & set(request.formats) and posts:
        selection = pipeline.select(project, selection.campaign, (), posts)
        jobs = request.jobs or pipeline.default_jobs()
        rendered = pipeline.render_selection(project, selection, jobs)
        if any(d.is_error for d in rendered.diagnostics):
            raise DiagnosticsError(rendered.diagnostics)
        outputs = rendered.outputs
    options = exports.ExportOptions(
        formats=request.formats,
        partners=request.partners,
        now=request.now,
        date_order=request.date_order,
        epoch=pipeline.pack_epoch(project, request.epoch),
    )
    result = exports.export(project, selection.campaign, outputs, options)
    if any(d.is_error for d in result.diagnostics):
        raise DiagnosticsError(result.diagnostics)
    return result


def _one_file(project: Project, campaign: str, request: Request) -> None:
    """Raise UsageError when an export to standard output makes several files.

    Told before the posts are rendered, from the files' names: one format for one partner
    is asked for, even where a partner's file would be left out (no post to schedule, CS117).
    A scheduler that takes a file a profile (``*`` in its name) may still make several for
    one partner, which is told once they are known.
    """
    options = exports.ExportOptions(formats=request.formats, partners=request.partners)
    names = exports.file_names(project, campaign, options)
    if len(names) > 1:
        least = "at least " if any("*" in name for name in names) else ""
        raise UsageError(
            f"this export can make {least}{len(names)} files ({', '.join(names)}): {SEVERAL}"
        )
