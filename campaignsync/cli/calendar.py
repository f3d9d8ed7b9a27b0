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
    find_repo,
    jobs_option,
    now_option,
    now_or,
    repo_option,
    source_date_epoch,
)

if TYPE_CHECKING:
    from campaignsync.pack.exports import ExportFile


def _folder_or_dash(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Refuse an --out that is a file, as --out DIRECTORY of the other commands does."""
    if value != "-" and Path(value).exists() and not Path(value).is_dir():
        raise click.BadParameter(f"Directory {value!r} is a file.", ctx, param)
    return value


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
    from campaignsync.commands import month as monthview

    try:
        chosen = monthview.parse_month(month) if month else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    with errors():
        # The clock is read only when the month is left to choose.
        when = chosen or now_or(now)
        text = monthview.show(find_repo(repo), campaign, partner, when)
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
    callback=_folder_or_dash,
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
    from campaignsync.checks import report
    from campaignsync.commands import export

    if "sprout" in formats and date_order is None:
        raise click.UsageError(
            "Sprout Social reads 01/10/2026 as 1 October or as January 10 depending on its "
            "import preferences: say which with --date-order dmy or --date-order mdy"
        )
    epoch, today = source_date_epoch(), now_or(now)
    when = None if keep_all else today
    request = export.Request(
        campaign, formats or ("ics", "csv"), partners, when, date_order, epoch, jobs, out == "-"
    )
    with errors():
        result = export.export(find_repo(repo), request)
    if result.diagnostics:
        click.echo(report.render(list(result.diagnostics), "text"), nl=False, err=True)
    if result.nothing:
        fail(f"nothing to export: {result.nothing}; nothing was written")
    if out == "-":
        _print_one(result.files)
    else:
        _write(result.files, Path(out))


def _print_one(files: tuple[ExportFile, ...]) -> None:
    """Print the one file of an export to standard output (a usage error if there are more)."""
    from campaignsync.commands import export

    if len(files) != 1:
        names = ", ".join(f.name for f in files) or "none"
        fail(f"this export makes {len(files)} files ({names}): {export.SEVERAL}", 2)
    click.echo(files[0].content, nl=False)


def _write(files: tuple[ExportFile, ...], folder: Path) -> None:
    """Write the files of an export into ``folder``, each atomically, and name them."""
    from campaignsync.paths import write_atomic

    try:
        for file in files:
            write_atomic(folder / file.name, file.content)
    except OSError as exc:
        fail(f"cannot write to {folder}: {exc.strerror}")
    for file in files:
        click.echo(f"Wrote {display(folder / file.name)}")
