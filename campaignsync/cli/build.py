"""Commands for comms teams: init, new, check, build and preview."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from campaignsync.cli._common import (
    FORMAT_CHOICE,
    campaign_option,
    channels_option,
    clock,
    display,
    errors,
    find_repo,
    format_option,
    jobs_option,
    locales_option,
    now_option,
    now_or,
    out_option,
    progress,
    ranged_option,
    repo_option,
    source_date_epoch,
    tell,
)
from campaignsync.wording import counted

if TYPE_CHECKING:
    from campaignsync.pipeline import Built, Outcome


@click.command()
@repo_option
@campaign_option
@locales_option
@channels_option("Only this channel (repeatable).")
@out_option()
@jobs_option
@click.option("--force", is_flag=True, help="Build and write every file, even if nothing changed.")
@click.option("--verbose", "-v", is_flag=True, help="Name every file written, added or removed.")
@click.option(
    "--shard",
    "shards",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, resolve_path=True, path_type=Path),
    metavar="DIR",
    help="Output folder of another build (a --locale shard built elsewhere) whose rendered "
    "messages to take instead of rendering them again (repeatable; see docs/scaling.md).",
)
@click.option(
    "--zip/--no-zip",
    "zipped",
    default=True,
    show_default=True,
    help="Write the zip beside the folder. --no-zip updates the folder alone (faster after "
    "an edit) and moves the pack's zip, which would no longer match it, into the cache: the "
    "next build with the zip updates it from there.",
)
def build(
    repo: Path | None,
    campaign: str | None,
    locales: tuple[str, ...],
    channels: tuple[str, ...],
    out: Path | None,
    jobs: int,
    force: bool,
    verbose: bool,
    shards: tuple[Path, ...],
    zipped: bool,
) -> None:
    """Build the pack: every message in every locale and channel.

    Writes dist/<campaign>/ (outputs, manifest.json, calendar.ics, schedule
    CSVs, index.html) and dist/<campaign>.zip. The same input gives
    byte-identical files; set SOURCE_DATE_EPOCH to fix the timestamps (the
    default is the commit time). With --locale or --channel, a partial pack
    is written beside the full one, as <campaign>.partial.

    When no input changed since the last build into the same folder, nothing
    is read or written. Otherwise only the message x locale units whose inputs
    changed are rendered again (the rest come from a cache in
    <out>/.campaignsync-cache/, which may be deleted at any time), and only
    the files that changed are written; the zip keeps its unchanged members'
    bytes. --force renders and writes everything. A build that finds another
    one writing into the same folder waits for it to end, then looks again.

    \b
    Example:
      campaignsync build --locale de --channel x --out /tmp/pack
    """
    from campaignsync import pipeline

    request = pipeline.Request(campaign, locales, channels, source_date_epoch(), zipped)
    # Today, for the answer `check` would give, kept by the build (see pipeline.lastcheck).
    options = pipeline.Options(
        out, force, jobs, shards, verbose, progress(), now_or(None), clock(), told=tell
    )
    with errors():
        done = pipeline.build_pack(find_repo(repo), request, options)
    if done.zipped_again and done.pack.archive is not None:
        click.echo(
            f"Up to date: {display(done.pack.folder)} ({done.pack.files} files); "
            f"made {display(done.pack.archive)} again from it"
        )
    elif done.built is None:
        kept = done.pack.archive
        click.echo(
            f"Up to date: {display(done.pack.folder)} ({done.pack.files} files)"
            f"{f' and {display(kept)}' if kept else ''}; nothing changed since the last build"
        )
    else:
        _report_built(done.built, done)
    if done.check_errors:
        click.echo(
            f"Note: 'campaignsync check' finds errors in these inputs "
            f"({', '.join(done.check_errors)}): fix them before you publish this pack."
        )


def _report_built(built: Built, done: Outcome) -> None:
    """Print what a build wrote, and what the user may want to know about it."""
    from campaignsync.checks import report

    result = built.result
    if done.warnings:
        click.echo(report.render(list(done.warnings), "text"), nl=False, err=True)
    also = f" and {display(result.archive)}" if result.archive else ""
    click.echo(
        f"Built {display(result.folder)}: {result.files} files "
        f"({result.written} written, {result.reused} unchanged){also}"
    )
    if done.removed_zip is not None and done.zip_aside:
        click.echo(
            f"Set {display(done.removed_zip)} aside in the cache: it would no longer match the "
            "folder (the next build without --no-zip updates it)."
        )
    elif done.removed_zip is not None:
        click.echo(
            f"Removed {display(done.removed_zip)}: it would no longer match the folder "
            "(build without --no-zip to make it again)."
        )
    for line in done.changes:
        click.echo(f"  {line}")
    if built.partial:
        click.echo(
            "This is a partial pack (only the locales and channels asked for); "
            "the full pack is left as it was."
        )
    if built.unpublished:
        tags = ", ".join(built.unpublished)
        click.echo(
            f"No partner publishes in {tags}: the pack holds none of its outputs (list it in a "
            "partner's 'locales' in campaignsync.toml to publish in it)."
        )
    if built.untranslated:
        parts = ", ".join(f"{tag} ({n})" for tag, n in sorted(built.untranslated.items()))
        click.echo(f"Not fully translated (outputs): {parts}")
    if built.over_limit:
        click.echo(
            f"{counted(built.over_limit, 'output')} "
            + ("is longer than its" if built.over_limit == 1 else "are longer than their")
            + " channel allows; 'campaignsync check' says where to shorten them."
        )
    if built.source.note:
        click.echo(f"Note: {built.source.note}; the manifest records no commit.")
    elif built.source.dirty:
        click.echo("Note: the work tree has uncommitted changes; the manifest says so.")


@click.command()
@repo_option
@campaign_option
@format_option(choice=FORMAT_CHOICE)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@now_option
@jobs_option
def check(
    repo: Path | None, campaign: str | None, fmt: str, strict: bool, now: datetime | None, jobs: int
) -> None:
    """Check messages, calendar, catalogs, templates and outputs.

    Prints every problem with file, line and a CS code (see docs/checks.md).
    Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error.
    """
    from campaignsync import pipeline
    from campaignsync.checks import report

    today = now_or(now)
    with errors():
        checked = pipeline.check(
            find_repo(repo),
            campaign,
            today,
            jobs,
            strict,
            cached=True,
            quick=True,
            clock=clock(),
        )
    final = checked.diagnostics
    click.echo(report.render(final, fmt), nl=False)
    if fmt == "text":
        click.echo(report.summary(final) if final else "No problems found.", err=True)
    sys.exit(1 if any(d.is_error for d in final) else 0)


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Create a campaign repository in DIRECTORY, ready to build.

    \b
    Example:
      campaignsync init my-campaign && cd my-campaign && campaignsync build
    """
    from campaignsync.commands import init as skeleton

    with errors():
        made = skeleton.create(directory, datetime.now(UTC))
    click.echo(f"Created a campaign repository in {directory} ({made} files).")
    click.echo("Next: cd into it, run 'campaignsync check', then 'campaignsync build'.")


@click.command()
@click.argument("message_id", metavar="ID")
@repo_option
@campaign_option
@click.option("--theme", help="Theme id (default: the theme of the chosen slot).")
@click.option("--partner", "partners", multiple=True, help="Partner id (repeatable; default: all).")
@channels_option("Channel (repeatable; default: all enabled).")
@click.option("--title", default="", help="Headline of the message.")
@now_option
def new(
    message_id: str,
    repo: Path | None,
    campaign: str | None,
    theme: str | None,
    partners: tuple[str, ...],
    channels: tuple[str, ...],
    title: str,
    now: datetime | None,
) -> None:
    """Write a new message file, in the next free slot.

    The slot is the first day of the theme (or campaign) when every partner
    works and has no message yet, at 10:00 on each partner's clock (or when
    its business hours start), and still ahead of now. When every free slot is
    already past, the message is written with the first one and a warning.

    \b
    Example:
      campaignsync new phishing-quiz --theme phishing --partner eu --channel x
    """
    from campaignsync.commands import new as newmessage

    today = now_or(now)
    request = newmessage.Request(message_id, campaign, theme, partners, channels, title)
    with errors():
        created = newmessage.add(find_repo(repo), request, today)
    click.echo(f"Wrote {created.path}")
    if created.warning:
        click.echo(f"warning: {created.warning}", err=True)


@click.command()
@repo_option
@campaign_option
@out_option("Output folder of the pack (default: dist/ in the repository).")
@ranged_option("--port", click.IntRange(0, 65535), 8000)
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but localhost shows the pack to your network.",
)
@click.option(
    "--watch/--no-watch",
    default=True,
    show_default=True,
    help="Build first, then rebuild on every save and reload the open page "
    "(--no-watch serves the pack as it is).",
)
@jobs_option
def preview(
    repo: Path | None,
    campaign: str | None,
    out: Path | None,
    port: int,
    bind: str,
    watch: bool,
    jobs: int,
) -> None:
    """Serve the gallery on http://127.0.0.1:PORT, following every save.

    Answers at once and builds the pack beside it (a page not built yet says
    so and reloads), then rebuilds it whenever a message, catalog, template,
    the config or the calendar is saved; the open page reloads itself and
    marks the posts that changed since the preview started. A save that
    breaks the build shows the problems in the page and the terminal; the server keeps
    running.

    \b
    Example:
      campaignsync preview --port 8001
    """
    from campaignsync.commands import preview as previewing

    options = previewing.Options(campaign, out, port, bind, watch, jobs, source_date_epoch(), clock)
    with errors():
        started = previewing.start(find_repo(repo), options, _Told(), tell)
    where = f"Serving {display(started.folder)} on {started.address}"
    if started.watching:
        click.echo(f"{where}, rebuilding on every save (Ctrl-C stops)")
    else:
        click.echo(f"{where} (Ctrl-C stops)")
    try:
        started.serve()
    except KeyboardInterrupt:
        pass
    finally:
        started.close()
    if not started.finished(0.5):
        click.echo("Finishing the build of the last save (Ctrl-C again stops at once)...")
        started.finished()
    click.echo("Stopped.")


class _Told:
    """What preview prints of each build: the problems, or that a save's build is there."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self, problems: tuple[str, ...]) -> None:
        self.builds += 1
        if problems and self.builds > 1:
            click.echo("The build after a save stopped (the page shows it too):", err=True)
        for line in problems:
            click.echo(line, err=True)
        if not problems and self.builds > 1:
            click.echo("Rebuilt after a save: the open pages reload.")
