"""``campaignsync links``: every address the pack links to; ``--check`` asks the web about each."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaignsync.cli._common import (
    campaign_option,
    errors,
    find_repo,
    jobs_option,
    ranged_option,
    repo_option,
)


@click.command()
@repo_option
@campaign_option
@click.option(
    "--check",
    "ask",
    is_flag=True,
    help="Request each address (HEAD, then GET) and report redirects and broken links; "
    "exit 1 when one is broken. The only command that uses the network.",
)
@ranged_option(
    "--timeout", click.FloatRange(0.1, 120), 10.0, "With --check: seconds to wait for each answer."
)
@ranged_option(
    "--retries",
    click.IntRange(0, 5),
    1,
    "With --check: tries again after a timeout, a failed connection or a 5xx answer.",
)
@ranged_option("--workers", click.IntRange(1, 32), 8, "With --check: addresses asked at once.")
@jobs_option
def links(
    repo: Path | None,
    campaign: str | None,
    ask: bool,
    timeout: float,
    retries: int,
    workers: int,
    jobs: int,
) -> None:
    """List every address the campaign's outputs link to, and where each is used.

    Each address is followed by the messages, locales and channels that use
    it and the file and line of the text that holds it (a message, a PO file,
    or campaignsync.toml for page addresses). Tracking parameters are left
    out: addresses that differ only in them lead to the same page. Nothing
    goes over the network without --check.

    \b
    Examples:
      campaignsync links
      campaignsync links --check --timeout 5
    """
    from campaignsync import __version__
    from campaignsync.checks import report
    from campaignsync.commands import linkcheck
    from campaignsync.commands import links as found_links

    agent = f"campaignsync/{__version__} (link check)"
    options = (
        linkcheck.Options(timeout=timeout, retries=retries, workers=workers, user_agent=agent)
        if ask
        else None
    )
    with errors():
        found = found_links.find(find_repo(repo), campaign, jobs, options)
    if found.answers is None:
        click.echo(found_links.listing(found.targets), nl=False)
        return
    if found.problems:
        click.echo(report.render(list(found.problems), "text"), nl=False)
    count, broken, moved = len(found.answers), found.broken, found.moved
    click.echo(
        f"Checked {count} address{'es' if count != 1 else ''}: "
        f"{count - broken - moved} fine, {moved} redirected, {broken} broken."
    )
    if found.offline:
        click.echo(
            "No host name could be resolved: is this machine offline, or its DNS server out of "
            "reach? Nothing says that these pages are gone.",
            err=True,
        )
    if broken:
        sys.exit(1)
