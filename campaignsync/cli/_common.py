"""What every command shares: error handling, repository lookup, the clock, options."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from campaignsync.model import Diagnostic, Project

#: What Ctrl-C prints, whenever it comes (exit status 130); writes are atomic.
INTERRUPTED = "interrupted; nothing was changed"
FORMAT_CHOICE = click.Choice(["text", "json", "github"])
#: A click option decorator.
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def fail(text: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {text}", err=True)
    sys.exit(code)


@contextmanager
def errors() -> Iterator[None]:
    """Turn campaignsync errors into one-line messages and exit codes, never tracebacks."""
    from campaignsync.errors import (
        CampaignsyncError,
        DiagnosticsError,
        InterruptedAfterWrite,
        UsageError,
    )

    try:
        yield
    except InterruptedAfterWrite as exc:
        where = display(exc.folder)
        fail(f"interrupted after the new pack was written to {where}; the next build may "
             "take longer (what it reuses was not all kept)", 130)  # fmt: skip
    except DiagnosticsError as exc:
        from campaignsync.checks import report

        click.echo(report.render(exc.diagnostics, "text"), nl=False, err=True)
        fail(f"stopped: {report.summary(exc.diagnostics)}; {exc.outcome}")
    except UsageError as exc:
        fail(str(exc), 2)
    except CampaignsyncError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(INTERRUPTED, 130)


def find_repo(repo: Path | None) -> Path:
    from campaignsync.paths import find_root

    if repo is not None:
        if not (repo / "campaignsync.toml").is_file():
            fail(f"{repo} has no campaignsync.toml; is it a campaign repository?")
        return repo.resolve()
    return find_root(Path.cwd())


def source_date_epoch() -> int | None:
    """Return SOURCE_DATE_EPOCH when set; a malformed value is a usage error."""
    from campaignsync.pack import ZIP_LAST

    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) > ZIP_LAST:
        raise click.UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, up to "
            f"{ZIP_LAST} (the end of 2107, the last date a zip can hold), not {value!r}"
        )
    return int(value)


def clock() -> int:
    """Return the wall clock now, in ns: the inputs changed just before a command are hashed.

    Not ``--now`` nor SOURCE_DATE_EPOCH: this is about the file system's times
    (``pack.state``), not the campaign's calendar.
    """
    return time.time_ns()


def now_or(value: datetime | None) -> datetime:
    if value is not None:
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    epoch = source_date_epoch()
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now(UTC)


def load(repo: Path | None, *outcome: str) -> tuple[Project, tuple[Diagnostic, ...]]:
    from campaignsync.load.project import require_project

    return require_project(find_repo(repo), *outcome)


repo_option = click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    # Read first, wherever it is typed: the --locale check suggests the repository's locales.
    is_eager=True,
    help="Campaign repository (default: the nearest folder above with campaignsync.toml).",
)
NOW_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M:%S%z",  # also 2026-10-05T10:00:00Z
)
now_option = click.option(
    "--now",
    type=click.DateTime(NOW_FORMATS),
    help="Act as if it were this date or time (UTC unless an offset is given; "
    "default: SOURCE_DATE_EPOCH or the clock).",
)
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(0, 64), default=0, help="Worker processes (0: one per CPU)."
)
campaign_option = click.option(
    "--campaign", metavar="ID", help="Campaign id from the calendar (default: the config's)."
)


def ranged_option(
    name: str,
    kind: click.IntRange | click.FloatRange,
    default: float,
    help: str | None = None,
) -> Decorator:
    """Return an option taking a number in a range (``--port``, ``--timeout``), default shown."""
    return click.option(name, type=kind, default=default, show_default=True, help=help)


def out_option(help: str = "Output folder (default: dist/ in the repository).") -> Decorator:
    """Return the ``--out DIRECTORY`` option of a command that writes a folder."""
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path), help=help)


def format_option(
    *choices: str, help: str | None = "Output format.", choice: click.Choice[str] | None = None
) -> Decorator:
    """Return the ``--format`` option (``fmt``); the first choice is the default."""
    return click.option(
        "--format",
        "fmt",
        type=choice or click.Choice(list(choices)),
        default=choices[0] if choices else "text",
        show_default=True,
        help=help,
    )


def channels_option(help: str) -> Decorator:
    """Return the repeatable ``--channel NAME`` option (``channels``), names checked."""
    return click.option(
        "--channel", "channels", callback=channel_names, multiple=True, metavar="NAME", help=help
    )


def locale_tags(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Check locale tags as typed (one or a tuple): a near miss is told the canonical tag.

    ``pt_PT`` is told ``pt-PT`` and ``DE`` is told ``de`` (a usage error, exit 2).
    Whether the campaign has the locale is checked once the config is read
    (``load.config.configured_locale``).
    """
    if not value:  # click calls back for an option not given as well
        return value
    from campaignsync.load.config import LocaleError, parse_locale

    for tag in (value,) if isinstance(value, str) else value:
        try:
            parse_locale(tag)
        except LocaleError as exc:
            text = str(exc)
            # Only a tag shaped like one (``dee``) may be a typo of a configured locale.
            shaped = tag.isascii() and tag.replace("-", "").isalnum()
            hint = _configured_near(ctx, tag) if shaped and "did you mean" not in text else ""
            raise click.BadParameter(text + hint, ctx, param) from None
    return value


def _configured_near(ctx: click.Context, tag: str) -> str:
    """Return ``"; did you mean 'de'?"`` for the repository's locale nearest ``tag``, or ``""``.

    The repository is ``--repo`` (read before the other options) or the one the
    command would find; without a readable config there is no hint.
    """
    from campaignsync.errors import CampaignsyncError
    from campaignsync.load.config import load_config
    from campaignsync.paths import find_root
    from campaignsync.wording import closest

    repo = ctx.params.get("repo")
    try:
        config, _ = load_config(repo if repo is not None else find_root(Path.cwd()))
    except (CampaignsyncError, OSError):
        return ""
    tags = [loc.tag for loc in config.all_locales] if config else []
    close = closest(tag, tags)
    return f"; did you mean {close!r}?" if close else ""


def channel_names(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Check channel names as typed: a near miss (``twitter``) is told the nearest (``x``).

    Whether the campaign enables the channel is checked once the config is read
    (``channels.check_enabled``).
    """
    if not value:  # click calls back for an option not given as well
        return value
    from campaignsync.channels import check_name
    from campaignsync.errors import UsageError

    for name in (value,) if isinstance(value, str) else value:
        try:
            check_name(name)
        except UsageError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return value


locales_option = click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="TAG",
    callback=locale_tags,
    help="Only this locale (repeatable).",
)


def tell(text: str) -> None:
    """Print a note on standard error: what the command waits for, say."""
    click.echo(text, err=True)


def progress() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        click.echo(f"\rRendering {done}/{total} message × locale units", nl=False, err=True)
        if end:
            click.echo("", err=True)

    return show


def display(path: Path) -> str:
    """Return ``path`` relative to the current folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
