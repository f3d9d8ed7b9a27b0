"""`sync`: fast-forward from the shared repository, refresh the catalogs, list what changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaignsync import gitrepo, paths
from campaignsync.commands import changes, locales
from campaignsync.errors import DiagnosticsError
from campaignsync.l10n import catalog, localize, poscan
from campaignsync.load.config import require_config
from campaignsync.load.project import require_project
from campaignsync.model import Config, Project
from campaignsync.wording import counted


@dataclass(frozen=True, slots=True)
class Todo:
    """A translator's to-do list for one locale after a sync."""

    locale: str
    file: str
    fuzzy: tuple[str, ...]  # msgctxt (or msgid) of entries that became fuzzy
    untranslated: tuple[str, ...]  # entries that are new, or lost their translation


@dataclass(frozen=True, slots=True)
class Synced:
    """What `sync` did and what it brought in."""

    remote: str
    branch: str
    pulled: gitrepo.Pulled
    messages: tuple[changes.MessageChange, ...]
    todo: tuple[Todo, ...]
    catalogs_changed: bool


def sync(root: Path, epoch: int | None, now: datetime) -> Synced:
    """Fast-forward to the shared branch, then extract and update the catalogs.

    The derived catalogs carry ``epoch`` (SOURCE_DATE_EPOCH) or else the time
    of the commit synced to, so clones that sync to the same commit write the
    same bytes (see ``locales.derived_time``).
    """
    config = require_config(root)
    # The catalogs as they were: what the commits pulled made fuzzy (another clone ran
    # `locale update` before it pushed) is on the to-do list as what the update does here.
    before = _entries(root, config)
    pulled = gitrepo.fast_forward(root, config.git_remote, config.git_branch)
    messages: tuple[changes.MessageChange, ...] = ()
    if pulled.commits:
        messages = changes.messages_between(root, config, pulled.before, pulled.after)
    try:
        project, _ = require_project(root)
        updated = locales.update(project, locales.derived_time(root, epoch, now))
    except DiagnosticsError as exc:
        if not pulled.commits:
            raise
        raise DiagnosticsError(
            exc.diagnostics,
            f"fast-forwarded to {config.git_remote}/{pulled.branch} "
            f"({counted(pulled.commits, 'new commit')}), but the catalogs were not updated: "
            "fix the errors, then run 'campaignsync locale update'",
        ) from None
    todo = _todo(project, before)
    changed = updated.template.changed or any(result.changed for result in updated.catalogs)
    return Synced(config.git_remote, pulled.branch, pulled, messages, tuple(todo), changed)


def _todo(project: Project, before: dict[str, tuple[str, dict[str, poscan.PoEntry]]]) -> list[Todo]:
    """Return, per locale, what became fuzzy or needs translating, of what it publishes.

    Only the segments of messages published in the locale (and the template
    strings) count, and nothing a regional fallback covers (en-US reading en).
    """
    config = project.config
    lookups, _ = catalog.load_lookups(project.root, config)
    template = locales.template_needs(project)
    memo: dict[str, list[localize.Need]] = {}
    todo = []
    for locale in config.locales:
        rel, previous = before.get(locale.tag, (catalog.po_rel(config, locale), {}))
        state = localize.classifier(locale, config, lookups)
        fuzzy: list[str] = []
        missing: list[str] = []
        for need in localize.needs(config, project.messages, locale, template, memo):
            key = need.key[0] or need.key[1]
            old = previous.get(key)
            kind = state(need.key)
            if kind == "fuzzy" and (old is None or not old.fuzzy):
                fuzzy.append(key)
            elif kind == "untranslated" and (old is None or old.translated):
                missing.append(key)
        if fuzzy or missing:
            todo.append(Todo(locale.tag, rel, tuple(fuzzy), tuple(sorted(set(missing)))))
    return todo


def _entries(root: Path, config: Config) -> dict[str, tuple[str, dict[str, poscan.PoEntry]]]:
    """Return each locale's catalog entries keyed by msgctxt (or msgid for template strings)."""
    found: dict[str, tuple[str, dict[str, poscan.PoEntry]]] = {}
    for locale in config.locales:
        rel = catalog.po_rel(config, locale)
        try:
            po = poscan.scan(paths.read_bytes(root, rel, poscan.MAX_BYTES))
        except ValueError:
            found[locale.tag] = (rel, {})
            continue
        found[locale.tag] = (rel, {e.context or e.msgid: e for e in po.entries})
    return found
