"""``check`` through the caches: only the messages whose units changed are read and checked.

What the checks of outputs found about a message is kept with what its units
were rendered from (``pack.findings``). A message whose units all still hold
is given its findings again, without its outputs being read or rendered; the
others are rendered through the render cache (only their own shards read) and
checked, and what was found is kept for the next time. The diagnostics are
those of a check over every output: the message checks merge nothing across
messages (``checks.message_check``), and the long texts of every message are
kept for the one comparison across messages (CS402).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.l10n.longtexts import Text
from campaignsync.model import Diagnostic, Output, Project
from campaignsync.pipeline.selection import Selection
from campaignsync.pipeline.workers import Rendered, read_catalogs, render_selection, units_of

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup
    from campaignsync.pack.findings import Kept


@dataclass(frozen=True, slots=True)
class Rechecked:
    """The units rendered again, what the message checks found, and every long text."""

    rendered: Rendered
    found: tuple[Diagnostic, ...]
    texts: dict[tuple[str, str], Text]


def recheck(
    project: Project, selection: Selection, out: Path, now: datetime, jobs: int
) -> Rechecked:
    """Render and check the messages whose units changed; take the others' findings as kept."""
    from campaignsync.pack import cache as unitcache
    from campaignsync.pack import findings, keys

    out = out.resolve()
    units = units_of(project, selection)
    loaded = read_catalogs(project, selection, out, jobs, len(units))
    lookups = loaded[0]
    tags: dict[str, list[str]] = {}
    for tag, message_id in units:
        tags.setdefault(message_id, []).append(tag)
    key = keys.pack_key(project, selection.channels)
    kept = findings.Findings(out, selection.name, key)
    messages = {m.id: m for m in project.messages}
    digests = {m: keys.digest(messages[m]) for m in tags}
    found: list[Diagnostic] = []
    texts: dict[tuple[str, str], Text] = {}
    stale = set()
    for message_id, locales in tags.items():
        known = kept.get(messages[message_id], digests[message_id], locales, lookups)
        if known is None:
            stale.add(message_id)
            continue
        found.extend(known.found)
        texts.update(((t.message, t.locale), t) for t in known.texts)
    cache = unitcache.open_cache(out, selection.name, key, only=stale)
    rendered = render_selection(project, selection, jobs, cache=cache, only=stale, loaded=loaded)
    unitcache.save_cache(cache)
    if rendered.halted:
        return Rechecked(rendered, (), {})
    for message_id, outputs in _by_message(rendered.outputs).items():
        mine = _check_message(project, selection.campaign, outputs, lookups, now)
        found.extend(mine.found)
        texts.update(((t.message, t.locale), t) for t in mine.texts)
        cached = cache.units.get(message_id, {})
        if all(tag in cached for tag in tags[message_id]):
            chosen = {tag: cached[tag] for tag in tags[message_id]}
            kept.put(messages[message_id], chosen, lookups, mine)
    return Rechecked(rendered, tuple(found), texts)


def _by_message(outputs: tuple[Output, ...]) -> dict[str, tuple[Output, ...]]:
    """Return the outputs of each message, in the order given (by path)."""
    grouped: dict[str, list[Output]] = {}
    for output in outputs:
        grouped.setdefault(output.message, []).append(output)
    return {message_id: tuple(made) for message_id, made in grouped.items()}


def _check_message(
    project: Project,
    campaign: str,
    outputs: tuple[Output, ...],
    lookups: dict[str, Lookup],
    now: datetime,
) -> Kept:
    """Return what the message checks find in one message's outputs, and its long texts."""
    from campaignsync import checks
    from campaignsync.l10n import longtexts
    from campaignsync.pack.findings import Kept

    data = checks.CheckInput(project, campaign, outputs, lookups, now)
    found = checks.run_checks(data, per_message=True)
    return Kept(tuple(found), tuple(longtexts.from_outputs(outputs, project).values()))
