"""The command line: parse options, call one core function, print, pick the exit code.

This is the only module that imports click. Core modules are imported inside
the commands so that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from campaignsync import __version__

if TYPE_CHECKING:
    from campaignsync.model import Diagnostic, Project

FORMAT_CHOICE = click.Choice(["text", "json", "github"])


def _fail(text: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {text}", err=True)
    sys.exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn campaignsync errors into one-line messages and exit codes, never tracebacks."""
    from campaignsync import report
    from campaignsync.errors import CampaignsyncError, DiagnosticsError

    try:
        yield
    except DiagnosticsError as exc:
        click.echo(report.render(exc.diagnostics, "text"), nl=False, err=True)
        _fail(f"stopped: {report.summary(exc.diagnostics)}; nothing was written")
    except CampaignsyncError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; nothing was changed", 130)


def _root(repo: Path | None) -> Path:
    from campaignsync.config import find_root

    if repo is not None:
        if not (repo / "campaignsync.toml").is_file():
            _fail(f"{repo} has no campaignsync.toml; is it a campaign repository?")
        return repo.resolve()
    return find_root(Path.cwd())


def _epoch() -> int | None:
    """Return SOURCE_DATE_EPOCH when set; a malformed value is a usage error."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not {value!r}"
        )
    return int(value)


def _now(value: datetime | None) -> datetime:
    if value is not None:
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    epoch = _epoch()
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC)


def _load(repo: Path | None) -> tuple[Project, tuple[Diagnostic, ...]]:
    from campaignsync.project import require_project

    return require_project(_root(repo))


repo_option = click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Campaign repository (default: the nearest folder above with campaignsync.toml).",
)
campaign_option = click.option(
    "--campaign", metavar="ID", help="Campaign id from the calendar (default: the config's)."
)


def _progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\rRendering {done}/{total} message × locale units", nl=False, err=True)
        if end:
            click.echo("", err=True)

    return show


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="campaignsync")
def cli() -> None:
    """Build checked, reproducible packs for joint EU-US awareness campaigns.

    Run the commands inside a campaign repository (a folder with
    campaignsync.toml), or point at one with --repo.
    """


@cli.command()
@repo_option
@campaign_option
@click.option("--locale", "locales", multiple=True, metavar="TAG", help="Only this locale (repeatable).")
@click.option("--channel", "channels", multiple=True, metavar="NAME", help="Only this channel (repeatable).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: dist/ in the repository).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0: one per CPU).")
def build(
    repo: Path | None,
    campaign: str | None,
    locales: tuple[str, ...],
    channels: tuple[str, ...],
    out: Path | None,
    jobs: int,
) -> None:
    """Render every message into every locale and channel and write the pack.

    Writes dist/<campaign>/ (outputs, manifest.json, calendar.ics, schedule
    CSVs, index.html) and dist/<campaign>.zip. The same input gives
    byte-identical files; set SOURCE_DATE_EPOCH to fix the timestamps (the
    default is the commit time).

    \b
    Example:
      campaignsync build --locale de --channel x --out /tmp/pack
    """
    from campaignsync import build as pipeline
    from campaignsync import report

    epoch = _epoch()
    with _errors():
        project, warnings = _load(repo)
        selection = pipeline.select(project, campaign, locales, channels)
        target = out if out is not None else project.root / project.config.paths.out
        built = pipeline.build(
            project, selection, target.resolve(), epoch, jobs or pipeline.default_jobs(), _progress()
        )
    shown = [d for d in (*warnings, *built.warnings) if d.code not in project.config.ignore]
    if shown:
        click.echo(report.render(shown, "text"), nl=False, err=True)
    result = built.result
    click.echo(
        f"Built {_display(result.folder)}: {result.files} files "
        f"({result.written} written, {result.reused} unchanged) and {_display(result.archive)}"
    )
    if built.untranslated:
        parts = ", ".join(f"{tag} ({n})" for tag, n in sorted(built.untranslated.items()))
        click.echo(f"Not fully translated (outputs): {parts}")
    if built.source.note:
        click.echo(f"Note: {built.source.note}; the manifest records no commit.")
    elif built.source.dirty:
        click.echo("Note: the work tree has uncommitted changes; the manifest says so.")


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@cli.command()
@repo_option
@campaign_option
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--now", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="Check as if today were this date (default: SOURCE_DATE_EPOCH or the clock).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0: one per CPU).")
def check(repo: Path | None, campaign: str | None, fmt: str, strict: bool, now: datetime | None, jobs: int) -> None:
    """Check config, calendar, messages, templates, catalogs and rendered outputs.

    Prints every problem with file, line and a CS code (see docs/checks.md).
    Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error.
    """
    from campaignsync import build as pipeline
    from campaignsync import checks, report
    from campaignsync.project import load_project

    today = _now(now)
    with _errors():
        root = _root(repo)
        project, found = load_project(root)
        diagnostics = list(found)
        if project is not None:
            selection = pipeline.select(project, campaign)
            rendered = pipeline.render_selection(project, selection, jobs or pipeline.default_jobs())
            diagnostics.extend(rendered.diagnostics)
            data = checks.CheckInput(project, selection.campaign, rendered.outputs, rendered.lookups, today)
            diagnostics.extend(checks.run_checks(data))
        ignore = project.config.ignore if project else frozenset()
        final = checks.finish(diagnostics, ignore, strict)
    click.echo(report.render(final, fmt), nl=False)
    if fmt == "text":
        click.echo(report.summary(final) if final else "No problems found.", err=True)
    sys.exit(1 if any(d.is_error for d in final) else 0)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new campaign repository in DIRECTORY that checks and builds as it is.

    \b
    Example:
      campaignsync init my-campaign && cd my-campaign && campaignsync build
    """
    from campaignsync import skeleton

    with _errors():
        made = skeleton.create(directory, datetime.now(UTC))
    click.echo(f"Created a campaign repository in {directory} ({made} files).")
    click.echo("Next: cd into it, run 'campaignsync check', then 'campaignsync build'.")


@cli.command()
@click.argument("message_id", metavar="ID")
@repo_option
@campaign_option
@click.option("--theme", help="Theme id (default: the theme of the chosen slot).")
@click.option("--partner", "partners", multiple=True, help="Partner id (repeatable; default: all).")
@click.option("--channel", "channels", multiple=True, help="Channel (repeatable; default: all enabled).")
@click.option("--title", default="", help="Headline of the message.")
def new(
    message_id: str,
    repo: Path | None,
    campaign: str | None,
    theme: str | None,
    partners: tuple[str, ...],
    channels: tuple[str, ...],
    title: str,
) -> None:
    """Write a new message file with valid front matter in the next free slot.

    \b
    Example:
      campaignsync new phishing-quiz --theme phishing --partner eu --channel x
    """
    from campaignsync import newmessage

    with _errors():
        project, _ = _load(repo)
        rel = newmessage.create(project, message_id, campaign, theme, partners, channels, title)
    click.echo(f"Wrote {rel}")


@cli.command()
@repo_option
@campaign_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder the pack was built into.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def preview(repo: Path | None, campaign: str | None, out: Path | None, port: int) -> None:
    """Serve a built pack's gallery on http://127.0.0.1:PORT (Ctrl-C stops)."""
    from campaignsync import build as pipeline
    from campaignsync import preview as gallery

    with _errors():
        project, _ = _load(repo)
        selection = pipeline.select(project, campaign)
    folder = (out or project.root / project.config.paths.out) / selection.campaign
    if not (folder / "index.html").is_file():
        _fail(f"no pack in {folder}; run 'campaignsync build' first")
    try:
        server = gallery.serve(folder, port)
    except OSError as exc:
        _fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}")
    click.echo(f"Serving {folder} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@cli.group()
def locale() -> None:
    """Extract, add, update and inspect the translation catalogs."""


@locale.command("extract")
@repo_option
def locale_extract(repo: Path | None) -> None:
    """Write locales/messages.pot from the messages and the templates.

    A second run with no change leaves the file byte for byte as it was.
    """
    from campaignsync import locales

    with _errors():
        project, _ = _load(repo)
        result = locales.extract(project, _now(None))
    click.echo(f"{'Wrote' if result.changed else 'Unchanged:'} {result.path} ({result.entries} entries)")


@locale.command("add")
@click.argument("tag", metavar="LOCALE")
@repo_option
def locale_add(tag: str, repo: Path | None) -> None:
    """Start a catalog for a new LOCALE (BCP 47, e.g. pt-BR) and add it to the config."""
    from campaignsync import locales

    with _errors():
        project, _ = _load(repo)
        rel = locales.add(project, tag, _now(None))
    click.echo(f"Created {rel} and added {tag!r} to campaignsync.toml")


@locale.command("update")
@repo_option
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if a catalog is out of date.")
def locale_update(repo: Path | None, check_only: bool) -> None:
    """Merge the POT into every catalog without losing a translation."""
    from campaignsync import locales

    with _errors():
        project, _ = _load(repo)
        results = locales.update(project, check_only)
    stale = [r for r in results if r.changed]
    for r in results:
        state = ("out of date" if check_only else "updated") if r.changed else "up to date"
        click.echo(f"{r.path}: {state} ({r.fuzzy} fuzzy, {r.untranslated} untranslated)")
    if check_only and stale:
        _fail(f"{len(stale)} catalog(s) out of date; run 'campaignsync locale update'")


def main() -> None:
    """Run the command line; an unexpected error prints one line, not a traceback."""
    try:
        cli(prog_name="campaignsync")
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("CAMPAIGNSYNC_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(exc).__name__}: {exc} "
            "(please report it; set CAMPAIGNSYNC_DEBUG=1 to see the traceback)",
            err=True,
        )
        sys.exit(1)
