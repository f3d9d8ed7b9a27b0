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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.errors import WorkerError
from campaignsync.l10n.longtexts import Text
from campaignsync.model import Diagnostic, Output, Project
from campaignsync.pipeline.catalogs import read_catalogs
from campaignsync.pipeline.selection import Selection, units_of
from campaignsync.pipeline.workers import Rendered, render_selection

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup
    from campaignsync.pack.cache import Cache
    from campaignsync.pack.findings import Kept
    from campaignsync.pack.findings import Rendered as Read
    from campaignsync.pack.shards import Unit

#: One unit as a renderer made it: locale, message id, outputs, problems, look-ups.
Done = tuple[str, str, list[Output], list[Diagnostic], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Rechecked:
    """The units rendered again, what the message checks found, and every long text."""

    #: Without the outputs of the messages checked where they were rendered (``Keeper``).
    rendered: Rendered
    found: tuple[Diagnostic, ...]
    texts: dict[tuple[str, str], Text]
    #: A digest of the project's inputs (``checks.CheckInput.inputs``).
    inputs: str | None = None
    #: The body blocks of the texts kept without them (``checks.CheckInput.blocks``).
    blocks: Callable[[str, str], tuple[tuple[str, str, str | None], ...]] | None = None


def recheck(project: Project, selection: Selection, out: Path, jobs: int) -> Rechecked:
    """Render and check the messages whose units changed; take the others' findings as kept."""
    from campaignsync.pack import cache as unitcache
    from campaignsync.pack import findings, keys
    from campaignsync.pack.findings import kept_of

    out = out.resolve()
    units = units_of(project, selection)
    loaded = read_catalogs(project, selection, out, jobs, len(units))
    lookups = loaded[0]
    tags = _tags(units)
    keyed = keys.pack_keys(project, selection.campaign, selection.channels)
    kept = findings.Findings(out, selection.name, keyed.pack)
    messages = {m.id: m for m in project.messages}
    digests = unitcache.message_digests(project)
    found: list[Diagnostic] = []
    texts: dict[tuple[str, str], Text] = {}
    bodies: dict[str, Kept] = {}
    stale = set()
    for message_id, locales in tags.items():
        known = kept.get(messages[message_id], digests[message_id], locales, lookups)
        if known is None:
            stale.add(message_id)
            continue
        found.extend(known.found)
        texts.update(((t.message, t.locale), t) for t in known.texts)
        bodies[message_id] = known
    cache = unitcache.open_cache(out, selection.name, keyed.units, only=stale, keyed=keyed)
    cache.keys = digests  # each message digested once
    unitcache.keyed_by(cache, project)
    rendered = render_selection(project, selection, jobs, cache=cache, only=stale, loaded=loaded)
    # What the renderers found about the messages they checked whole (see Keeper): they
    # wrote those messages' shards and sent back none of their outputs.
    whole = dict(cache.found)
    unitcache.save_cache(cache)
    if rendered.halted:
        return Rechecked(rendered, (), {})
    blocks = _blocks(bodies)
    # keyed.inputs names the config, calendar, templates and tool; cache.keys each message.
    inputs = keys.digest((keyed.inputs, sorted(cache.keys.items())))
    by_message = _by_message(rendered.outputs)
    ids = [*by_message, *(m for m in whole if m not in by_message)]
    taken = {m: kept_of(whole[m]) if m in whole else kept.get(messages[m], digests[m], tags[m],
                                                            lookups) for m in ids}  # fmt: skip
    unknown = [m for m, mine in taken.items() if mine is None]
    made = checked(project, selection.campaign, by_message, lookups, unknown, jobs)
    for message_id in ids:
        mine = taken[message_id]
        if mine is None:
            mine = made[message_id]
            cached = cache.units.get(message_id, {})
            # Each unit as just rendered (one whose channel failed to render is still stale).
            if all(tag in cached and not cache.stale(cached[tag][1]) for tag in tags[message_id]):
                chosen = {tag: _read(digests[message_id], cached[tag]) for tag in tags[message_id]}
                kept.put(messages[message_id], chosen, lookups, mine)
        found.extend(mine.found)
        texts.update(((t.message, t.locale), t) for t in mine.texts)
        bodies[message_id] = mine
    return Rechecked(rendered, tuple(found), texts, inputs, blocks)


def found_by_build(
    project: Project,
    selection: Selection,
    rendered: Rendered,
    cache: Cache,
    now: datetime,
    whole: bool,
    jobs: int = 1,
) -> list[Diagnostic] | None:
    """Return what ``check`` finds beyond loading, after a build that rendered through ``cache``.

    Every message's findings are taken as kept (those of the messages just rendered
    were written with the cache), and the checks across messages run over them, as
    :func:`recheck` and ``checking`` do. A message whose findings are not kept (some
    of its units rendered again after a PO edit) is checked from its outputs when
    they are ``whole`` (a clean build drops their bytes as it writes them); else None.
    ``jobs``: the processes that may check them (see :func:`checked`).
    """
    from campaignsync import checks
    from campaignsync.pack import findings, keys
    from campaignsync.pack.lookups import FindingsMemo

    if rendered.halted:
        return None
    out = cache.folder.parent.parent
    kept = findings.Findings(out, selection.name, cache.pack_key)
    messages = {m.id: m for m in project.messages}
    found = list(rendered.diagnostics)
    texts: dict[tuple[str, str], Text] = {}
    bodies: dict[str, Kept] = {}
    tags = _tags(units_of(project, selection))
    known = {m: kept.get(messages[m], cache.keys[m], locales, rendered.lookups)
             for m, locales in tags.items()}  # fmt: skip
    unknown = [m for m, mine in known.items() if mine is None]
    if unknown and not whole:
        return None
    every = {m: mine for m, mine in known.items() if mine is not None}
    if unknown:  # a template or a template string changed: every message, say
        outputs = _by_message(rendered.outputs)
        try:
            every.update(checked(project, selection.campaign, outputs, rendered.lookups, unknown,
                                 jobs))  # fmt: skip
        except WorkerError:  # a process killed (short of memory, say): keep no answer
            return None
    for message_id in tags:
        mine = every[message_id]
        found.extend(mine.found)
        texts.update(((t.message, t.locale), t) for t in mine.texts)
        bodies[message_id] = mine
    inputs = keys.digest((cache.inputs, sorted(cache.keys.items())))
    memo = FindingsMemo(out)
    data = checks.CheckInput(
        project, selection.campaign, (), rendered.lookups, now, memo, texts, inputs, _blocks(bodies)
    )
    found.extend(checks.run_checks(data, False))
    return found


def _blocks(bodies: Mapping[str, Kept]) -> Callable[[str, str], tuple[Any, ...]]:
    """Return the body blocks of a message's long text in a locale, as ``bodies`` keep them."""

    def blocks(message_id: str, locale: str) -> tuple[Any, ...]:
        known = bodies.get(message_id)
        return known.body(locale) if known is not None else ()

    return blocks


def _tags(units: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Return the locales of each message's units."""
    tags: dict[str, list[str]] = {}
    for tag, message_id in units:
        tags.setdefault(message_id, []).append(tag)
    return tags


def _read(message_key: str, cached: tuple[str, Unit]) -> Read:
    """Return what a cached unit was rendered from: its message's digest, catalogs, look-ups.

    Not the unit's key: the findings' key names the locales (``keys.checked_part``).
    """
    return message_key, cached[1].catalogs, cached[1].log


@dataclass(frozen=True, slots=True)
class Keeper:
    """What a renderer needs to check the messages it renders whole and keep what it found.

    A build or check renders in chunks of whole messages (``pipeline.workers``), so
    the renderer of a message's units, in a worker, can run the message checks
    over them at once; nothing then reads them again to check them. What it found
    goes back with the units and is written with the render cache's shards, or once the
    pack is assembled when a process of its own keeps ``check``'s answer
    (``keeping.Keeping``): a build that fails first writes none of it.
    """

    campaign: str
    #: The messages whose every unit is rendered now: how many units, and their digest.
    whole: Mapping[str, tuple[int, str]]

    def keep(
        self, project: Project, lookups: dict[str, Lookup], done: Iterable[Done]
    ) -> dict[str, Any]:
        """Return what the message checks find about each whole message of units just rendered.

        As :func:`campaignsync.pack.findings.plain` gives it, by message id, for the render
        cache to write with its shards (a message with a problem is left out).
        """
        from campaignsync.pack.cache import catalog_digests
        from campaignsync.pack.findings import plain

        units: dict[str, list[Done]] = {}
        for unit in done:
            units.setdefault(unit[1], []).append(unit)
        messages = {m.id: m for m in project.messages}
        kept = {}
        for message_id, mine in units.items():
            count, digest = self.whole.get(message_id, (0, ""))
            if len(mine) != count or any(problems for _t, _m, _o, problems, _l in mine):
                continue
            made = sorted((o for unit in mine for o in unit[2]), key=lambda o: o.path)
            found = check_message(project, self.campaign, tuple(made), lookups)
            reads = {
                tag: (digest, catalog_digests(lookups, (key[0] for key, _ in log)), log)
                for tag, _m, _o, _p, log in mine
            }
            kept[message_id] = plain(messages[message_id], reads, lookups, found)
        return kept


def keeper(
    cache: Cache | None, campaign: str, every: list[tuple[str, str]], todo: list[tuple[str, str]]
) -> Keeper | None:
    """Return the keeper of the findings of a pack whose units ``todo`` (of ``every``) render.

    None without a render cache: what was found is kept beside it.
    """
    from collections import Counter

    if cache is None:
        return None
    wanted = Counter(message_id for _tag, message_id in every)
    rendered = Counter(message_id for _tag, message_id in todo)
    partly = {message_id for message_id, _tag in cache.partial}  # some channels kept
    whole = {
        m: (n, cache.keys[m]) for m, n in rendered.items() if wanted[m] == n and m not in partly
    }
    return Keeper(campaign, whole)


def _by_message(outputs: tuple[Output, ...]) -> dict[str, tuple[Output, ...]]:
    """Return the outputs of each message, in the order given (by path)."""
    grouped: dict[str, list[Output]] = {}
    for output in outputs:
        grouped.setdefault(output.message, []).append(output)
    return {message_id: tuple(made) for message_id, made in grouped.items()}


#: Fewer messages to check than this are checked in this process: forking a build's
#: process (1 GB or more) is not worth less work (a message takes about 10 ms).
FORK_MESSAGES = 40


def checked(
    project: Project,
    campaign: str,
    outputs: Mapping[str, tuple[Output, ...]],
    lookups: dict[str, Lookup],
    ids: list[str],
    jobs: int,
) -> dict[str, Kept]:
    """Return what the message checks find in each message of ``ids`` (:func:`check_message`).

    With ``jobs`` above 1 and :data:`FORK_MESSAGES` or more of them (after a template or a
    template string changed, every message's outputs did), in that many forked processes.
    """
    from campaignsync.pipeline.forking import in_processes

    context = (project, campaign, outputs, lookups)
    if jobs <= 1 or len(ids) < FORK_MESSAGES:
        return {m: found for m, found in zip(ids, _check_some(context, ids), strict=True)}
    size = -(-len(ids) // (4 * jobs))  # four chunks a process: they end alike
    chunks = [ids[at : at + size] for at in range(0, len(ids), size)]
    done = in_processes(_check_some, context, chunks, jobs)
    return {m: found for chunk, made in zip(chunks, done, strict=True)
            for m, found in zip(chunk, made, strict=True)}  # fmt: skip


def _check_some(
    context: tuple[Project, str, Mapping[str, tuple[Output, ...]], dict[str, Lookup]],
    ids: list[str],
) -> list[Kept]:
    project, campaign, outputs, lookups = context
    return [check_message(project, campaign, outputs.get(m, ()), lookups) for m in ids]


def check_message(
    project: Project, campaign: str, outputs: tuple[Output, ...], lookups: dict[str, Lookup]
) -> Kept:
    """Return what the message checks find in one message's outputs, and its long texts."""
    from campaignsync import checks
    from campaignsync.l10n import longtexts
    from campaignsync.pack.findings import Kept

    # The message checks read no clock: any time will do.
    data = checks.CheckInput(project, campaign, outputs, lookups, datetime.fromtimestamp(0, UTC))
    found = checks.run_checks(data, per_message=True)
    return Kept(tuple(found), tuple(longtexts.from_outputs(outputs, project).values()))
