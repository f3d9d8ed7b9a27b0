"""The calendar commands: a month in the terminal, and exports for calendars and schedulers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from campaignsync.cli._common import (
    campaign_option,
    display,
    errors,
    fail,
    jobs_option,
    load,
    now_option,
    now_or,
    repo_option,
    source_date_epoch,
)

if TYPE_CHECKING:
    from campaignsync.model import Output, Project


def _known_partners(project: Project, partners: tuple[str, ...]) -> None:
    """Stop with a usage error (exit 2) on a partner id the config does not have."""
    for pid in partners:
        if project.config.partner(pid) is None:
            known = ", ".join(p.id for p in project.config.partners)
            fail(f"unknown partner {pid!r} (partners: {known})", 2)


@click.group()
def calendar() -> None:
    """Show the joint calendar, or export it for calendar apps and social-media schedulers."""


@calendar.command("show")
@repo_option
@campaign_option
@click.option("--month", metavar="YYYY-MM", help="The month (default: the campaign's first).")
@click.option("--partner", metavar="ID", help="Only this partner's slots, its clock first.")
@now_option
def calendar_show(
    repo: Path | None,
    campaign: str | None,
    month: str | None,
    partner: str | None,
    now: datetime | None,
) -> None:
    """Print a month: days, observances, theme weeks and every slot in each partner's time.

    Without --month: the current month while the campaign runs, else its first.

    \b
    Example:
      campaignsync calendar show --month 2026-10 --partner us
    """
    from campaignsync import pipeline
    from campaignsync.commands import month as monthview

    try:
        chosen = monthview.parse_month(month) if month else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    with errors():
        project, _ = load(repo)
        selection = pipeline.select(project, campaign)
        _known_partners(project, (partner,) if partner else ())
        year, number = chosen or monthview.default_month(project, selection.campaign, now_or(now))
        text = monthview.month_view(project, year, number, partner)
    click.echo(text, nl=False)


@calendar.command("export")
@repo_option
@campaign_option
@click.option(
    "--format",
    "formats",
    type=click.Choice(["ics", "csv", "sprout", "buffer"]),
    multiple=True,
    help="ics (calendar apps), csv (generic scheduler CSV), sprout (Sprout Social bulk "
    "import), buffer (Buffer bulk upload, one file per channel); repeatable (default: ics "
    "and csv).",
)
@click.option(
    "--partner", "partners", multiple=True, metavar="ID", help="Only this partner (repeatable)."
)
@click.option(
    "--out",
    default="-",
    show_default=True,
    metavar="DIR",
    help="Folder to write the files into; '-' prints the one file to standard output.",
)
@click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy"]),
    help="For sprout: the date order set in Sprout's import preferences (31/10 or 10/31).",
)
@click.option(
    "--all",
    "keep_all",
    is_flag=True,
    help="Keep posts that are already past or less than 10 minutes away.",
)
@now_option
@jobs_option
def calendar_export(
    repo: Path | None,
    campaign: str | None,
    formats: tuple[str, ...],
    partners: tuple[str, ...],
    out: str,
    date_order: str | None,
    keep_all: bool,
    now: datetime | None,
    jobs: int,
) -> None:
    """Write calendar.ics and scheduler CSVs (the formats are in docs/calendar.md).

    The iCalendar file has the campaign, theme weeks, blackout days and
    observances, and one event per message and partner at the partner's local
    time. The CSVs have one row per post (message x channel x locale) at the
    partner's local time. Posts that are already past or less than 10 minutes
    away are left out (schedulers refuse them) unless --all is given; posts a
    scheduler would refuse for other reasons stop the export. A scheduler file
    is never written without a post: when no post is left, nothing is written
    and the exit status is 1.

    \b
    Examples:
      campaignsync calendar export --format ics --partner us > us.ics
      campaignsync calendar export --out exports/
      campaignsync calendar export --format sprout --date-order mdy --partner us --out sprout/
      campaignsync calendar export --format buffer --partner eu --out buffer/
    """
    from campaignsync import channels, pipeline
    from campaignsync.checks import report
    from campaignsync.errors import DiagnosticsError
    from campaignsync.pack import exports
    from campaignsync.paths import write_atomic

    chosen = formats or ("ics", "csv")
    if "sprout" in chosen and date_order is None:
        raise click.UsageError(
            "Sprout Social reads 01/10/2026 as 1 October or as January 10 depending on its "
            "import preferences: say which with --date-order dmy or --date-order mdy"
        )
    epoch = source_date_epoch()
    today = now_or(now)
    with errors():
        project, _ = load(repo)
        selection = pipeline.select(project, campaign)
        _known_partners(project, partners)
        outputs: tuple[Output, ...] = ()
        posts = [c for c in channels.post_channels() if project.config.channel(c)]
        if {"csv", "sprout", "buffer"} & set(chosen) and posts:
            selection = pipeline.select(project, selection.campaign, (), posts)
            rendered = pipeline.render_selection(
                project, selection, jobs or pipeline.default_jobs()
            )
            if any(d.is_error for d in rendered.diagnostics):
                raise DiagnosticsError(rendered.diagnostics)
            outputs = rendered.outputs
        epoch = pipeline.pack_epoch(project, epoch)
        options = exports.ExportOptions(
            formats=chosen,
            partners=partners,
            now=None if keep_all else today,
            date_order=date_order,
            epoch=epoch,
        )
        result = exports.export(project, selection.campaign, outputs, options)
        if any(d.is_error for d in result.diagnostics):
            raise DiagnosticsError(result.diagnostics)
    if result.diagnostics:
        click.echo(report.render(list(result.diagnostics), "text"), nl=False, err=True)
    if result.nothing:
        fail(f"nothing to export: {result.nothing}; nothing was written")
    if out == "-":
        if len(result.files) != 1:
            names = ", ".join(f.name for f in result.files) or "none"
            fail(
                f"this export makes {len(result.files)} files ({names}): write them to a folder "
                "with --out DIR, or choose one with --format and --partner",
                2,
            )
        click.echo(result.files[0].content, nl=False)
        return
    folder = Path(out)
    try:
        for file in result.files:
            write_atomic(folder / file.name, file.content)
    except OSError as exc:
        fail(f"cannot write to {folder}: {exc.strerror}")
    for file in result.files:
        click.echo(f"Wrote {display(folder / file.name)}")
