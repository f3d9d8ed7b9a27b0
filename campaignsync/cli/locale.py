"""The translator's commands: locale extract, add, update, status and compile."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from campaignsync.cli._common import (
    campaign_option,
    errors,
    fail,
    format_option,
    jobs_option,
    load,
    locale_tags,
    locales_option,
    now_or,
    out_option,
    repo_option,
    source_date_epoch,
)
from campaignsync.wording import counted

if TYPE_CHECKING:
    from campaignsync.commands.localestatus import LocaleStatus, Status
    from campaignsync.model import Project


@click.group()
def locale() -> None:
    """Extract, add, update and inspect the translation catalogs."""


def _derived_time(project: Project) -> datetime:
    """Return the time derived catalogs carry: SOURCE_DATE_EPOCH, HEAD's commit time or now."""
    from campaignsync.commands import locales

    return locales.derived_time(project.root, source_date_epoch(), now_or(None))


@locale.command("extract")
@repo_option
def locale_extract(repo: Path | None) -> None:
    """Write locales/messages.pot from the messages and the templates.

    A second run with no change leaves the file byte for byte as it was.
    """
    from campaignsync.commands import locales

    with errors():
        project, _ = load(repo)
        result = locales.extract(project, _derived_time(project))
    click.echo(
        f"{'Wrote' if result.changed else 'Unchanged:'} {result.path} ({result.entries} entries)"
    )


@locale.command("add")
@click.argument("tag", metavar="LOCALE", callback=locale_tags)
@repo_option
def locale_add(tag: str, repo: Path | None) -> None:
    """Start a catalog for a new LOCALE (BCP 47, e.g. pt-BR) and add it to the config."""
    from campaignsync.commands import locales

    with errors():
        project, _ = load(repo)
        added = locales.add(project, tag, _derived_time(project))
    if added.template.changed:
        click.echo(f"Wrote {added.template.path} ({added.template.entries} entries)")
    click.echo(
        f"Created {added.path} ({counted(added.plurals, 'plural form')}) "
        f"and added {added.tag!r} to campaignsync.toml"
    )
    click.echo(
        f"Next: translate it, and list {added.tag!r} in a partner's 'locales' to publish in it "
        "(a partner without 'required_locales' then requires it complete)."
    )


@locale.command("update")
@repo_option
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 if a catalog is out of date.",
)
@jobs_option
def locale_update(repo: Path | None, check_only: bool, jobs: int) -> None:
    """Bring the POT and every catalog up to date without losing a translation.

    The POT is derived from the messages and templates as they are now (and
    rewritten when stale), so there is no need to run 'locale extract' first.
    """
    from campaignsync import pipeline
    from campaignsync.commands import locales

    with errors():
        project, _ = load(repo)
        workers = jobs or pipeline.default_jobs()
        done = locales.update(project, _derived_time(project), check_only, workers)

    def state(changed: bool) -> str:
        return ("out of date" if check_only else "updated") if changed else "up to date"

    pot = done.template
    click.echo(f"{pot.path}: {state(pot.changed)} ({pot.entries} entries)")
    for r in done.catalogs:
        click.echo(f"{r.path}: {state(r.changed)} ({r.fuzzy} fuzzy, {r.untranslated} empty)")
    stale = pot.changed + sum(r.changed for r in done.catalogs)
    if check_only and stale:
        fail(f"{counted(stale, 'catalog')} out of date; run 'campaignsync locale update'")


@locale.command("status")
@repo_option
@campaign_option
@format_option("text", "json")
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 if a locale shown is less complete than this.",
)
@locales_option
@click.option("--required", is_flag=True, help="Only the locales a partner requires.")
def locale_status(
    repo: Path | None,
    campaign: str | None,
    fmt: str,
    minimum: float | None,
    locales: tuple[str, ...],
    required: bool,
) -> None:
    """Show how complete each locale is, grouped by partner.

    Counts what each locale needs (the messages published in it and the
    template strings) as translated, via a regional fallback (es-US reading
    es, en-US reading en), fuzzy or untranslated, in entries and in source
    words. Fuzzy entries never count as translated.

    \b
    Example:
      campaignsync locale status --required --min 100
    """
    from campaignsync.checks import report
    from campaignsync.commands import localestatus
    from campaignsync.load.project import SHOWN_NOTHING

    with errors():
        project, _ = load(repo, SHOWN_NOTHING)
        result = localestatus.status(project, campaign, locales)
    rows = [
        r
        for r in result.rows
        if (not locales or r.coverage.locale.tag in locales) and (not required or r.required_by)
    ]
    shown = localestatus.Status(
        tuple(rows), result.problems, result.campaign, result.source_readability
    )
    if fmt == "json":
        click.echo(json.dumps(_status_json(project, shown), indent=1, ensure_ascii=False))
    else:
        click.echo(_status_table(project, shown), nl=False)
    if result.problems:
        click.echo(report.render(result.problems, "text"), nl=False, err=True)
    below = [r for r in rows if minimum is not None and r.coverage.percent < minimum]
    if below:
        names = ", ".join(f"{r.coverage.locale.tag} ({r.coverage.percent:.1f}%)" for r in below)
        fail(f"below {minimum:g}%: {names}")
    if result.problems:
        fail(f"{counted(len(result.problems), 'problem')} in the catalogs; see above")


def _status_json(project: Project, status: Status) -> dict[str, object]:
    from campaignsync.l10n.localize import Tally

    def tally(t: Tally) -> dict[str, int]:
        return {"entries": t.entries, "words": t.words}

    config = project.config
    return {
        "source": config.source_locale.tag,
        "campaign": status.campaign,
        "partners": [
            {
                "id": p.id,
                "name": p.name,
                "locales": list(p.locales),
                "required_locales": list(p.required_locales),
            }
            for p in config.partners
        ],
        "locales": [
            {
                "locale": r.coverage.locale.tag,
                "file": r.path,
                "exists": r.exists,
                "partners": list(r.partners),
                "required_by": list(r.required_by),
                "complete": r.coverage.percent,
                "total": tally(r.coverage.total),
                "translated": tally(r.coverage.translated),
                "fallback": tally(r.coverage.fallback),
                "fuzzy": tally(r.coverage.fuzzy),
                "untranslated": tally(r.coverage.untranslated),
                "obsolete": r.coverage.obsolete,
                "readability": r.readability,
            }
            for r in status.rows
        ],
        "source_readability": status.source_readability,
    }


_HEAD = ("locale", "complete", "translated", "via fallback", "fuzzy", "untranslated", "obsolete")


def _status_table(project: Project, status: Status) -> str:
    config = project.config
    groups: list[tuple[str, list[LocaleStatus]]] = []
    placed: set[str] = set()
    for partner in config.partners:
        rows = [r for r in status.rows if partner.id in r.partners]
        if not rows:
            continue
        required = ", ".join(partner.required_locales) or "none"
        groups.append((f"{partner.name} ({partner.id}) - required: {required}", rows))
        placed.update(r.coverage.locale.tag for r in rows)
    rest = [r for r in status.rows if r.coverage.locale.tag not in placed]
    if rest:
        groups.append(
            ("Not published by any partner (list it in a partner's locales to publish it)", rest)
        )
    lines = [
        f"Source: {config.source_locale.tag}. Counts are entries / source words; "
        "fuzzy never counts as translated."
    ]
    for title, rows in groups:
        table = [list(_HEAD)]
        for r in rows:
            c = r.coverage
            note = "" if r.required_by else "  (not required)"
            if not r.exists:
                note += "  (no catalog)"
            table.append(
                [
                    c.locale.tag,
                    f"{c.percent:.1f}%" if r.partners else "-",
                    f"{c.translated.entries} / {c.translated.words}",
                    f"{c.fallback.entries} / {c.fallback.words}",
                    f"{c.fuzzy.entries} / {c.fuzzy.words}",
                    f"{c.untranslated.entries} / {c.untranslated.words}",
                    f"{c.obsolete}{note}",
                ]
            )
        widths = [max(len(row[i]) for row in table) for i in range(len(_HEAD) - 1)]
        lines.append("")
        lines.append(title)
        for row in table:
            cells = [
                row[i].ljust(widths[i]) if i == 0 else row[i].rjust(widths[i])
                for i in range(len(widths))
            ]
            lines.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
    lines.extend(_readability_table(status, config.source_locale.tag))
    return "\n".join(lines) + "\n"


def _readability_table(status: Status, source: str) -> list[str]:
    """Return the readability section: each locale's score over its long texts."""
    scored = [(r.coverage.locale.tag, r.readability) for r in status.rows if r.readability]
    if status.source_readability:
        scored.insert(0, (f"{source} (source)", status.source_readability))
    if not scored:
        return []
    lines = [
        "",
        "Readability of long texts (web, email and press bodies; see docs/readability.md)",
    ]
    width = max(len(tag) for tag, _ in scored)
    for tag, score in scored:
        own = f"{score['formula']} {score['ease']}" if score.get("ease") is not None else "-"
        ratio = f"  x{score['ratio']} of the source" if "ratio" in score else ""
        lines.append(
            f"  {tag.ljust(width)}  LIX {score['lix']}  {own}  "
            f"({score['words']} words, {score['texts']} texts){ratio}"
        )
    return lines


@locale.command("compile")
@repo_option
@out_option("Write <out>/<ll_CC>/LC_MESSAGES/messages.mo (default: next to each PO file).")
def locale_compile(repo: Path | None, out: Path | None) -> None:
    """Compile every catalog into a gettext MO file for other programs.

    Only complete, non-fuzzy translations go in; a consumer falls back to the
    source text for the rest. Nothing is written if a catalog has errors.
    """
    from campaignsync.commands import locales

    with errors():
        project, _ = load(repo)
        results = locales.compile_catalogs(project, out.resolve() if out else None)
    for r in results:
        click.echo(
            f"Wrote {r.path}: {r.translated} translated "
            f"({r.fuzzy} fuzzy and {r.untranslated} untranslated left out)"
        )
    if not results:
        click.echo("No catalogs to compile; run 'campaignsync locale update' first.")
        sys.exit(0)
