"""Rendering a selection: message x locale units, in this process or in forked workers.

Rendering modules are imported inside the functions that use them, so that a
no-change build, which only compares a fingerprint, starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.model import Diagnostic, Message, Output, Project
from campaignsync.pack import writer
from campaignsync.pipeline import collecting
from campaignsync.pipeline.forking import forked_pool
from campaignsync.pipeline.selection import Selection, units_of

if TYPE_CHECKING:
    from campaignsync.l10n import catalog
    from campaignsync.pack import cache as unitcache
    from campaignsync.pack import hits, messagepages
    from campaignsync.pack.gallery import Drawn
    from campaignsync.pack.staging import Staging
    from campaignsync.pipeline.rechecking import Keeper
    from campaignsync.render.engine import Renderer

Progress = Callable[[int, int], None]
#: Below this many message x locale units, forking costs more than it saves.
PARALLEL_THRESHOLD = 200
CHUNK = 40
_PATH = attrgetter("path")


@dataclass(frozen=True, slots=True)
class Rendered:
    """Every output of a selection, with what went wrong while rendering.

    A ``check`` through the render cache gets only the outputs it still reads: not those
    of the messages checked where they were rendered (:func:`_checked_here`).
    """

    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]
    lookups: dict[str, catalog.Lookup] = field(default_factory=dict)
    #: Each output hashed and compressed for the pack (only when asked for).
    members: dict[str, writer.Member] = field(default_factory=dict)
    #: Manifest rows made by the workers or kept by the render cache, by path.
    lines: dict[str, str] = field(default_factory=dict)
    #: Gallery cards drawn by the workers, by output path (only with ``prepare``).
    drawn: dict[str, Drawn] = field(default_factory=dict)
    #: The gallery's email copies a clean build's workers staged, their members by path.
    copied: dict[str, writer.Member] = field(default_factory=dict)
    #: The message pages they staged (``pack.messagepages.ahead``): digest and member by path.
    pages: messagepages.Staged = field(default_factory=dict)
    #: Nothing was rendered: the templates or the catalogs have errors.
    halted: bool = False
    #: How many units (message x locale) were rendered now, not taken from the render cache.
    fresh: int = 0
    #: The messages all of whose units were taken from the render cache at once
    #: (``hits.take_hits``).
    wholes: tuple[hits.Whole, ...] = ()
    #: The outputs of the other messages (None: no message is in ``wholes``).
    rest: tuple[Output, ...] | None = None


@dataclass(frozen=True, slots=True)
class WorkContext:
    """Everything the rendering of a unit reads: one value, the same for every worker.

    Worker processes are forked with it (the pool's initializer receives it), so
    nothing large is pickled per task and the parent keeps no global state.
    """

    project: Project
    renderer: Renderer
    lookups: dict[str, catalog.Lookup]
    selection: Selection
    messages: Mapping[str, Message]
    #: Hash and compress each output for the pack and draw its gallery card, in the worker.
    prepare: bool = False
    #: Note every catalog look-up of a unit (what the render cache keys it by).
    record: bool = False
    #: A clean build's staging: each unit's files are written there and dropped at once,
    #: its cache shard written by whoever rendered it (see :mod:`campaignsync.pack.staging`).
    staged: Staging | None = None
    #: The render cache whose shards the renderers write: a clean build's, and a check's
    #: (the messages it checks whole, see :func:`_checked_here`).
    cache: unitcache.Cache | None = None
    #: Checks the messages rendered whole and keeps what it found (with a render cache).
    keeper: Keeper | None = None
    #: The output folder whose check memo (``pack.lookups.FindingsMemo``) the workers
    #: fill with each catalog's translation findings while they render (None: not asked).
    findings: Path | None = None
    #: What a clean build's message pages share, foreseen: each is made with its message.
    pages: messagepages.Plan | None = None
    #: The units some of whose channels render again, by (locale, message id): those
    #: channels, and whether a card kept of the unit is its first (with its section).
    partial: Mapping[tuple[str, str], tuple[frozenset[str], bool]] = field(default_factory=dict)


#: The context of a forked worker process, set once by the pool's initializer.
_worker_context: list[WorkContext] = []


def _adopt(context: WorkContext) -> None:
    _worker_context[:] = [context]  # a pool forked from a pool's process: its own context


def _render_in_worker(units: list[tuple[str, str]]) -> tuple[_Chunk, dict[str, str]]:
    """Render units in a worker; return them, and what its renderer asked CLDR meanwhile."""
    answers = _worker_context[0].renderer.answers
    return render_units(_worker_context[0], units), answers.taken() if answers else {}


#: One unit rendered: locale, message id, its outputs, its problems, its catalog look-ups
#: (:data:`WRITTEN` when its renderer wrote its shard, a clean build's or a check's).
_Done = tuple[str, str, list[Output], list[Diagnostic], tuple[Any, ...]]
_Members = dict[str, writer.Member]
#: Units rendered, their outputs' members and manifest rows, their cards, what the message
#: checks found (``rechecking.Keeper``), and the email copies and message pages staged too.
_Chunk = tuple[list[_Done], _Members, dict[str, str], list[Any], dict[str, Any], _Members,
               "messagepages.Staged"]  # fmt: skip


def render_units(context: WorkContext, units: list[tuple[str, str]]) -> _Chunk:
    """Localize and render (locale, message id) units; in a worker or in the parent."""
    from campaignsync.l10n import localize, longtexts
    from campaignsync.pack import lookups as kept_catalogs
    from campaignsync.render.strings import template_strings

    project, renderer, messages = context.project, context.renderer, context.messages
    lookups = context.lookups
    locales = {loc.tag: loc for loc in project.config.all_locales}
    config = project.config
    log: kept_catalogs.Log = {}
    # With a cache, every catalog look-up is noted: it is what the unit depends on.
    used = kept_catalogs.recording(lookups, log) if context.record else lookups
    done: list[_Done] = []
    assemble = context.prepare or not context.record  # not if only checked: channels.assembled
    for locale_tag, message_id in units:
        locale, message = locales[locale_tag], messages[message_id]
        log.clear()
        localized = localize.localize(message, locale, config, used)
        strings = template_strings(locale, config, used)
        only = context.partial.get((locale_tag, message_id), (context.selection.channels,))[0]
        made, found = renderer.render(localized, strings, only, assemble)
        made = list(longtexts.counted(made, message, localized.fields, config))
        done.append((locale_tag, message_id, made, found, tuple(log.items())))
    kept = context.keeper.keep(project, lookups, done) if context.keeper is not None else {}
    if not context.prepare:
        return _checked_here(context, done, kept), {}, {}, [], kept, {}, {}
    from campaignsync.pack import gallery, manifest, messagepages, shown, spilledcards, staging

    # Hashing, deflating, manifest rows and cards here, in the workers, keep the
    # parent's serial part small.
    made = [o for unit in done for o in unit[2]]
    if context.staged is None:
        members = {o.path: writer.prepare(o.content) for o in made}
    else:
        members = staging.put(context.staged, [(o.path, o.content) for o in made])
    rows = {o.path: manifest.manifest_line(o, members[o.path].sha256) for o in made}
    drawn = [d for unit in done for d in _cards(context, unit)]
    copied: dict[str, writer.Member] = {}
    pages: messagepages.Staged = {}
    if context.staged is not None:
        # The gallery's copies of the HTML emails and message pages too: their bytes are here.
        copies = gallery.EmailCopies.of(project.messages_of(context.selection.campaign))
        ahead = [(copies.path(o), "", copies.copy(o.content)) for o in made if shown.has_copy(o)]
        if context.pages is not None:
            ahead += messagepages.ahead(context.pages, project, lookups, made, drawn)
        put = staging.put(context.staged, [(rel, data) for rel, _, data in ahead]) if ahead else {}
        copied = {rel: put[rel] for rel, digest, _ in ahead if not digest}
        pages = {rel: (digest, put[rel]) for rel, digest, _ in ahead if digest}
        # Units come by whole messages (_chunks): each shard is written whole, with its findings.
        stored = [(tag, mid, made, log) for tag, mid, made, found, log in done if not found]
        staging.keep(context.cache, context.lookups, stored, members, rows, drawn, kept)
        # The look-ups are in the shard just written: not sent back (half of what would be).
        done = [(tag, mid, staging.stripped(context.staged, made), found, () if found else WRITTEN)
                for tag, mid, made, found, _log in done]  # fmt: skip
        drawn, kept = spilledcards.spilled(context.staged, drawn), {}
    return done, members, rows, drawn, kept, copied, pages


def _cards(context: WorkContext, unit: _Done) -> list[Drawn]:
    """Return the cards of a unit's outputs just rendered (:func:`partial.partly`: sections)."""
    from campaignsync.pack import gallery

    drawn = gallery.draw(context.project.config, context.messages[unit[1]], unit[2])
    if context.partial.get((unit[0], unit[1]), ((), False))[1]:
        return [replace(card, section=b"") for card in drawn]
    return drawn


def _checked_here(context: WorkContext, done: list[_Done], kept: dict[str, Any]) -> list[_Done]:
    """Return the units to send back from a ``check``, the shards of those checked whole written.

    A message checked whole here (its findings in ``kept``, which go back) needs nothing
    more of its outputs: its shard is written here (no cards drawn: a build draws them),
    and its units go back without them, their look-ups :data:`WRITTEN`. A cold check at
    500 messages x 26 locales had sent the parent 104,000 outputs to unpickle and write.
    """
    if context.cache is None or not kept:
        return done
    from campaignsync.pack import staging

    mine = [(tag, mid, made, log) for tag, mid, made, _found, log in done if mid in kept]
    staging.keep(context.cache, context.lookups, mine, {}, {}, None, {})
    return [(t, m, [], f, WRITTEN) if m in kept else (t, m, o, f, g) for t, m, o, f, g in done]


#: The look-ups of a unit whose renderer wrote its shard, sent back without its outputs
#: (a log holds pairs, never a text: this is no unit's look-ups).
WRITTEN: tuple[Any, ...] = ("in its shard",)


def render_selection(
    project: Project,
    selection: Selection,
    jobs: int = 1,
    progress: Progress | None = None,
    prepare: bool = False,
    cache: unitcache.Cache | None = None,
    only: set[str] | None = None,
    loaded: tuple[dict[str, catalog.Lookup], list[Diagnostic]] | None = None,
    staged: Staging | None = None,
    pages: messagepages.Plan | None = None,
    settled: int | None = None,
) -> Rendered:
    """Localize and render every message x locale x channel of a selection.

    ``prepare``: hash and compress outputs; ``cache``: render only units whose inputs changed
    (``Keeper`` keeps what the checks find; if not ``prepare``, those units stay there);
    ``only``: those messages; ``loaded``: the catalogs; ``staged``: clean builds' bytes,
    with the message pages made as ``pages`` foresees them; ``settled``: the PO files
    changed before this time (ns, ``state.Stamp.since``) are known by their identity.
    """
    from campaignsync import checks
    from campaignsync.pack import hits, partial
    from campaignsync.pipeline import rechecking
    from campaignsync.pipeline.catalogs import read_catalogs
    from campaignsync.render.engine import Renderer

    renderer, by_id = Renderer(project), {m.id: m for m in project.messages}
    every = units = [u for u in units_of(project, selection) if only is None or u[1] in only]
    out = cache.folder.parent.parent if cache is not None else None
    loaded = loaded or read_catalogs(project, selection, out, jobs, len(units), settled)
    lookups, problems = loaded[0], [*renderer.check_templates(), *loaded[1]]
    if any(d.is_error for d in problems):
        return Rendered((), tuple(problems), lookups, halted=True)
    got = _Got(cache, lookups, problems, progress, len(units))
    if cache is not None:
        units = hits.take_hits(cache, project, units, lookups, got.outputs, got.members,
                               got.rows, prepare, got.wholes)  # fmt: skip
        got.total = len(units)
    keeper = rechecking.keeper(cache, selection.campaign, every, units)
    context = WorkContext(project, renderer, lookups, selection, by_id, prepare,
                          cache is not None, staged, cache if staged or not prepare else None,
                          keeper, out if keeper and not selection.partial else None,
                          pages, partial.partly(cache) if cache else {})  # fmt: skip
    try:
        with collecting.fewer_collections():
            _render_all(context, units, jobs, got.collect)
    finally:  # what was asked (the workers' too), even of a run that stopped
        if renderer.answers is not None:
            renderer.answers.save()
    wholes = got.wholes
    built = [*got.outputs, *chain.from_iterable(w.outputs for w in wholes)]
    built.sort(key=_PATH)
    problems = checks.once_per_place(got.problems)  # a template error: once, not per unit
    others = tuple(got.outputs) if wholes else None
    return Rendered(tuple(built), tuple(problems), lookups, got.members, got.rows, got.drawn,
                    got.copied, got.pages, fresh=len(units), wholes=tuple(wholes),
                    rest=others)  # fmt: skip


class _Got:
    """What the units rendered so far gave, as their chunks come in (:func:`render_selection`)."""

    def __init__(
        self,
        cache: unitcache.Cache | None,
        lookups: dict[str, catalog.Lookup],
        problems: list[Diagnostic],
        progress: Progress | None,
        total: int,
    ) -> None:
        self.cache, self.lookups, self.problems = cache, lookups, problems
        self.progress, self.total, self.done = progress, total, 0
        self.outputs: list[Output] = []
        self.members, self.rows, self.copied = _Members(), dict[str, str](), _Members()
        self.drawn: dict[str, Drawn] = cache.drawn if cache is not None else {}
        self.pages: messagepages.Staged = {}
        self.wholes: list[hits.Whole] = []

    def collect(self, chunk: _Chunk, size: int) -> None:
        """Take in a chunk of ``size`` units, rendered here or in a worker."""
        from campaignsync.pack import cache as unitcache

        cache, rows = self.cache, self.rows
        rows.update(chunk[2])
        for locale_tag, message_id, made, found, log in chunk[0]:
            self.outputs.extend(made)
            self.problems.extend(found)
            if cache is not None and not found and log == WRITTEN:
                cache.written(message_id)  # its renderer wrote its shard
            elif cache is not None and not found:
                unitcache.store(cache, message_id, locale_tag, made, chunk[1], log, self.lookups,
                                rows)  # fmt: skip
        self.members.update(chunk[1])
        self.drawn.update((d.path, d) for d in chunk[3])
        self.copied.update(chunk[5])
        self.pages.update(chunk[6])
        if cache is not None:
            cache.found.update(chunk[4])
        self.done += size
        if self.progress:
            self.progress(self.done, self.total)


def forks(jobs: int, units: int) -> bool:
    """Say whether work on ``units`` (message x locale) is worth forking processes for."""
    return jobs > 1 and units >= PARALLEL_THRESHOLD


def _render_all(
    context: WorkContext,
    units: list[tuple[str, str]],
    jobs: int,
    collect: Callable[[_Chunk, int], None],
) -> None:
    """Render units in chunks, here or in forked workers that each receive the context."""
    chunks = _chunks(units)
    if not forks(jobs, len(units)):
        with collecting.rendering_here():
            for chunk in chunks:
                collect(render_units(context, chunk), len(chunk))
        return
    from concurrent.futures import as_completed

    with forked_pool(jobs, _adopt, context) as pool:
        # First (long tasks first end the workers alike): each catalog's translation
        # findings, else found by the parent alone after rendering (13 s of CPU at 500
        # messages x 26 locales). Any a worker fails to keep, the parent finds.
        finding = [pool.submit(_find_in_worker, tag) for tag in _unfound(context)]
        futures = {pool.submit(_render_in_worker, chunk): len(chunk) for chunk in chunks}
        answers = context.renderer.answers
        for future in as_completed(futures):
            result, asked = future.result()
            if context.staged is not None:  # the cards' HTML read through one open file each
                context.staged.adopt(result[3])
            collect(result, futures.pop(future))  # (its result let go once taken in)
            if answers is not None and asked:  # kept here: the next build asks none of them
                answers.add(asked)
        for found in finding:  # a worker's error here the parent meets again, and tells
            found.exception()


def _unfound(context: WorkContext) -> list[str]:
    """Return the locales whose translation findings the check memo lacks (see ``findings``)."""
    if context.findings is None:
        return []
    from campaignsync.checks.catalogs import unfound
    from campaignsync.pack.lookups import FindingsMemo

    return unfound(context.project.config, context.lookups, FindingsMemo(context.findings))


def _find_in_worker(tag: str) -> None:
    from campaignsync.checks.catalogs import translations_of
    from campaignsync.pack.lookups import FindingsMemo

    context = _worker_context[0]
    memo = FindingsMemo(context.findings) if context.findings else None
    translations_of(context.project.config, context.lookups[tag], tag, memo)


def _chunks(units: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Return the units in chunks of about :data:`CHUNK`, a message's units never split."""
    chunks: list[list[tuple[str, str]]] = []
    for unit in units:
        if not chunks or (len(chunks[-1]) >= CHUNK and chunks[-1][-1][1] != unit[1]):
            chunks.append([])
        chunks[-1].append(unit)
    return chunks


def open_cache(
    project: Project, selection: Selection, out: Path, load: bool = True
) -> unitcache.Cache:
    """Return the render cache of a selection's pack in ``out``."""
    from campaignsync.pack import cache as unitcache
    from campaignsync.pack import keys

    keyed = keys.pack_keys(project, selection.campaign, selection.channels)
    with collecting.kept_to_the_end():
        return unitcache.open_cache(out.resolve(), selection.name, keyed.units, load, None, keyed)
