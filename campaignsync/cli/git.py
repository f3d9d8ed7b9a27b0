"""Commands over the shared git repository: sync, changes and release."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from campaignsync.cli._common import (
    display,
    errors,
    find_repo,
    format_option,
    jobs_option,
    now_option,
    now_or,
    out_option,
    repo_option,
    source_date_epoch,
    tell,
)
from campaignsync.wording import counted

if TYPE_CHECKING:
    from campaignsync.commands.sync import Synced


#: The entries of a catalog's to-do list that ``sync`` names (a new locale has hundreds).
TODO_SHOWN = 10


@click.command()
@repo_option
@format_option("text", "json", help=None)
def sync(repo: Path | None, fmt: str) -> None:
    """Fast-forward from the shared repository; refresh the catalogs.

    Fetches the remote and branch of [git] in campaignsync.toml (default:
    origin and the current branch) and fast-forwards. It never merges,
    rebases or stashes: with local changes, a diverged branch or a detached
    HEAD it stops and says what to do. Local commits whose changes the remote
    already has (another clone committed the same refreshed catalogs) are no
    divergence: the branch moves to the remote's commit. Then it re-extracts
    the POT, updates every catalog and prints the translators' to-do list.
    """
    from campaignsync.commands import sync as syncing

    with errors():
        done = syncing.sync(find_repo(repo), source_date_epoch(), now_or(None))
    if fmt == "json":
        click.echo(json.dumps(asdict(done), ensure_ascii=False, indent=1))
        return
    _report_sync(done)


def _report_sync(done: Synced) -> None:
    """Print what sync did: the fast-forward, the messages changed, the translators' to-do."""
    from campaignsync.commands import changenotes

    pulled = done.pulled
    if pulled.commits:
        click.echo(
            f"Fast-forwarded to {done.remote}/{done.branch}: "
            f"{counted(pulled.commits, 'new commit')}, "
            f"{pulled.before[:12]}..{pulled.after[:12]}"
        )
        if pulled.replaced:
            click.echo(
                f"Your {counted(pulled.replaced, 'local commit')} made only changes "
                f"{done.remote}/{done.branch} already has: your branch now follows "
                f"{done.remote}/{done.branch} ('git reflog' still lists them)."
            )
    elif pulled.ahead:
        click.echo(
            f"Nothing new on {done.remote}/{done.branch}; your branch is "
            f"{counted(pulled.ahead, 'commit')} ahead: push "
            f"{'it' if pulled.ahead == 1 else 'them'} when ready"
        )
    else:
        click.echo(f"Already up to date with {done.remote}/{done.branch}.")
    for change in done.messages:
        detail = changenotes.describe(change)
        detail = f": {detail}" if detail else ""
        click.echo(f"  message {change.change}: {change.id}{detail}")
    if not done.todo:
        click.echo("Catalogs updated: no entry became fuzzy or untranslated.")
    for item in done.todo:
        click.echo(
            f"{item.file}: {len(item.fuzzy)} to review (fuzzy), "
            f"{len(item.untranslated)} to translate"
        )
        keys = (*item.fuzzy, *item.untranslated)
        for key in keys[:TODO_SHOWN]:
            click.echo(f"  {key}")
        if len(keys) > TODO_SHOWN:
            click.echo(f"  ... and {len(keys) - TODO_SHOWN} more (the catalog lists them all)")
    click.echo("Everything left to translate: campaignsync locale status")
    if done.catalogs_changed:
        click.echo("The catalogs changed: review and commit them before the next sync.")


@click.command()
@click.argument("since", required=False)
@click.argument("until", required=False)
@repo_option
@format_option("text", "markdown", "json", help=None)
@click.option(
    "--outputs",
    is_flag=True,
    help="Also render both revisions and list the pack's outputs that change.",
)
@jobs_option
def changes(
    repo: Path | None, since: str | None, until: str | None, fmt: str, outputs: bool, jobs: int
) -> None:
    """Show what changed between two revisions or campaign tags.

    SINCE defaults to the newest campaign tag (campaign/<id>), UNTIL to the
    work tree. Lists messages added, removed and changed (which fields and
    body blocks), calendar changes, catalog entries whose source text changed
    with the old and new text word by word ([-removed-]{+added+}; struck
    through and bold in Markdown), and translations older than their source
    text according to git history. With --outputs, both revisions are rendered
    and the outputs that change are listed, message by message.

    \b
    Example:
      campaignsync changes campaign/2025 --format markdown > notes.md
    """
    import dataclasses

    from campaignsync.commands import affected, changenotes
    from campaignsync.commands import changes as history

    with errors():
        done = history.report(find_repo(repo), since, until, outputs, jobs or 1)
    found, changed = done.changes, done.outputs
    if fmt == "json":
        document = json.loads(changenotes.to_json(found))
        if changed is not None:
            document["outputs"] = [dataclasses.asdict(c) for c in changed]
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        click.echo(changenotes.to_text(found, markdown=fmt == "markdown"), nl=False)
        if changed is not None:
            click.echo(affected.to_text(changed, markdown=fmt == "markdown"), nl=False)


@click.command()
@click.argument("campaign")
@repo_option
@out_option()
@click.option("--sign", is_flag=True, help="Sign the tag with your git signing key.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write and tag nothing.")
@now_option
@jobs_option
def release(
    campaign: str,
    repo: Path | None,
    out: Path | None,
    sign: bool,
    dry_run: bool,
    now: datetime | None,
    jobs: int,
) -> None:
    """Check, build and tag an annual campaign as campaign/CAMPAIGN.

    Refuses unless the work tree is clean, HEAD is on a branch of a full
    clone, the tag is new, 'check --strict' passes and every partner's
    required locales are fully translated. The pack's timestamps are the
    commit time, so building the tag later gives the identical pack.

    \b
    Example:
      campaignsync release 2026 --dry-run
    """
    from campaignsync.commands import release as releasing

    with errors():
        done = releasing.run(
            find_repo(repo), campaign, now_or(now), out, jobs, sign, dry_run, told=tell
        )
    plan = done.plan
    for note in plan.notes:
        click.echo(f"Note: {note}", err=True)
    verb = "Would build" if dry_run else "Built"
    click.echo(
        f"{verb} {display(done.pack)} and {display(done.archive)}: {plan.outputs} outputs, "
        f"{plan.messages} messages, {len(plan.locales)} locales, {len(plan.channels)} channels"
    )
    click.echo(
        f"{'Would tag' if dry_run else 'Tagged'} {plan.tag} at {plan.commit[:12]} "
        f"({plan.branch}){', signed' if sign else ''}:"
    )
    for line in done.message.splitlines():
        click.echo(f"  | {line}")
    if dry_run:
        click.echo("Dry run: nothing was written or tagged.")
    else:
        click.echo(f"Share it with: git push {plan.remote} {plan.tag}")
