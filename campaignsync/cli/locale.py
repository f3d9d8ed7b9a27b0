"""The translator's commands: locale extract, add, update, status and compile."""

from __future__ import annotations

from pathlib import Path

import click

from campaignsync.cli._common import errors, fail, load, now_or, repo_option


@click.group()
def locale() -> None:
    """Extract, add, update and inspect the translation catalogs."""


@locale.command("extract")
@repo_option
def locale_extract(repo: Path | None) -> None:
    """Write locales/messages.pot from the messages and the templates.

    A second run with no change leaves the file byte for byte as it was.
    """
    from campaignsync import locales

    with errors():
        project, _ = load(repo)
        result = locales.extract(project, now_or(None))
    click.echo(
        f"{'Wrote' if result.changed else 'Unchanged:'} {result.path} ({result.entries} entries)"
    )


@locale.command("add")
@click.argument("tag", metavar="LOCALE")
@repo_option
def locale_add(tag: str, repo: Path | None) -> None:
    """Start a catalog for a new LOCALE (BCP 47, e.g. pt-BR) and add it to the config."""
    from campaignsync import locales

    with errors():
        project, _ = load(repo)
        rel = locales.add(project, tag, now_or(None))
    click.echo(f"Created {rel} and added {tag!r} to campaignsync.toml")


@locale.command("update")
@repo_option
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 if a catalog is out of date.",
)
def locale_update(repo: Path | None, check_only: bool) -> None:
    """Merge the POT into every catalog without losing a translation."""
    from campaignsync import locales

    with errors():
        project, _ = load(repo)
        results = locales.update(project, check_only)
    stale = [r for r in results if r.changed]
    for r in results:
        state = ("out of date" if check_only else "updated") if r.changed else "up to date"
        click.echo(f"{r.path}: {state} ({r.fuzzy} fuzzy, {r.untranslated} untranslated)")
    if check_only and stale:
        fail(f"{len(stale)} catalog(s) out of date; run 'campaignsync locale update'")
