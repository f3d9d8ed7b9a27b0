"""``campaignsync links``: every address the pack links to; ``--check`` asks the web about each."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaignsync.cli._common import campaign_option, errors, jobs_option, load, repo_option


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
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    help="With --check: seconds to wait for each answer.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 5),
    default=1,
    show_default=True,
    help="With --check: tries again after a timeout, a failed connection or a 5xx answer.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=8,
    show_default=True,
    help="With --check: addresses asked at once.",
)
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
    from campaignsync import __version__, pipeline
    from campaignsync.checks import report
    from campaignsync.commands import linkcheck
    from campaignsync.commands import links as found_links
    from campaignsync.errors import DiagnosticsError
    from campaignsync.load.config import key_line

    with errors():
        project, _ = load(repo)
        selection = pipeline.select(project, campaign)
        rendered = pipeline.render_selection(project, selection, jobs or pipeline.default_jobs())
        if any(d.is_error for d in rendered.diagnostics):
            raise DiagnosticsError(rendered.diagnostics)
        page_line = key_line(project.root, "links.page_url") or key_line(project.root, "base_url")
        found = found_links.targets(
            project.config,
            project.messages_of(selection.campaign),
            rendered.outputs,
            page_line,
        )
    if not ask:
        click.echo(found_links.listing(found), nl=False)
        return
    options = linkcheck.Options(
        timeout=timeout,
        retries=retries,
        workers=workers,
        user_agent=f"campaignsync/{__version__} (link check)",
    )
    answers = linkcheck.check([t.url for t in found], options)
    problems = found_links.diagnostics(found, answers)
    if problems:
        click.echo(report.render(problems, "text"), nl=False)
    broken = sum(a.broken for a in answers.values())
    moved = sum(bool(a.redirects) and not a.broken for a in answers.values())
    click.echo(
        f"Checked {len(answers)} address{'es' if len(answers) != 1 else ''}: "
        f"{len(answers) - broken - moved} fine, {moved} redirected, {broken} broken."
    )
    if broken:
        sys.exit(1)
