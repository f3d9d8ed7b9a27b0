"""The command line: parse options, call one core function, print, pick the exit code.

This package is the only place that imports click. Core modules are imported
inside the commands so that ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from campaignsync import __version__
from campaignsync.cli import build, calendar, git, links, locale
from campaignsync.cli._common import INTERRUPTED, fail


class _Group(click.Group):
    """The top-level group: an interrupt is the same message and exit status everywhere."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C at any moment, not only inside its work, exits 130."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1 when the command had not reached errors().
            fail(INTERRUPTED, 130)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="campaignsync")
def cli() -> None:
    """Build checked, reproducible packs for joint EU-US awareness campaigns.

    Run the commands inside a campaign repository (a folder with
    campaignsync.toml), or point at one with --repo.
    """


cli.add_command(build.init)
cli.add_command(build.new)
cli.add_command(build.check)
cli.add_command(build.build)
cli.add_command(build.preview)
cli.add_command(locale.locale)
cli.add_command(calendar.calendar)
cli.add_command(links.links)
cli.add_command(git.sync)
cli.add_command(git.changes)
cli.add_command(git.release)


def main() -> None:
    """Run the command line; an unexpected error prints one line, not a traceback."""
    try:
        cli(prog_name="campaignsync")
    except Exception as exc:
        if os.environ.get("CAMPAIGNSYNC_DEBUG"):
            raise
        click.echo(_unexpected(exc), err=True)
        sys.exit(1)


def run() -> NoReturn:
    """Run the installed command: :func:`main`, then leave the process at once.

    A build at full size holds millions of values; Python freeing them one by one on
    the way out took 1.3 to 3 s after the work was done. Everything the command
    writes is written (and renamed into place) before :func:`main` returns, and no
    worker outlives its pool; only the standard streams are left to flush. Under a
    profiler or a tracer (coverage), which write their results on the way out, it
    leaves as any program does.
    """
    if _watched():
        main()
        sys.exit(0)
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):  # as Python prints sys.exit("text")
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away (| head): nothing left to tell it
            pass
        except (OSError, ValueError):  # as Python exits when it cannot flush its output
            code = code or 120
    os._exit(code or 0)


def _watched() -> bool:
    """Say whether a profiler or a tracer (coverage) watches this process."""
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12 and later
    tools = [] if monitoring is None else [monitoring.get_tool(i) for i in range(6)]
    return sys.getprofile() is not None or sys.gettrace() is not None or any(tools)


def _unexpected(exc: Exception) -> str:
    """Return the one line for an error no command handled."""
    missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
    if missing and not missing.startswith("campaignsync"):
        # A checkout updated (git pull) after 'pip install -e .' can need a new dependency.
        return (
            f"error: campaignsync needs the module {missing.partition('.')[0]!r}, which is not "
            f"installed in {sys.prefix}; install campaignsync there again "
            "(in a checkout: pip install -e .)"
        )
    return (
        f"internal error: {type(exc).__name__}: {exc} "
        "(please report it; set CAMPAIGNSYNC_DEBUG=1 to see the traceback)"
    )
