"""The pipeline: load -> localize -> render -> pack, split across processes by locale.

Rendering modules are imported inside the functions that use them, so that a
no-change build, which only compares a fingerprint, starts fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from campaignsync import __version__, gitrepo, paths
from campaignsync.channels import check_enabled
from campaignsync.errors import BuildError, DiagnosticsError, UsageError
from campaignsync.load.config import CONFIG_NAME, configured_locale, read_paths
from campaignsync.model import Diagnostic, Locale, Message, Output, Paths, Project
from campaignsync.pack import writer as pack

if TYPE_CHECKING:
    from campaignsync.l10n import catalog
    from campaignsync.pack import cache as unitcache
    from campaignsync.render.engine import Renderer

Progress = Callable[[int, int], None]
#: Below this many message x locale units, forking costs more than it saves.
PARALLEL_THRESHOLD = 200
CHUNK = 40
MAX_IMAGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of a campaign to build."""

    campaign: str
    locales: tuple[Locale, ...]
    channels: tuple[str, ...]
    #: Only some locales or channels: built beside the full pack, never over it.
    partial: bool = False

    @property
    def name(self) -> str:
        """Return the pack's folder name: the campaign id, or ``<id>.partial``."""
        return f"{self.campaign}.partial" if self.partial else self.campaign


@dataclass(frozen=True, slots=True)
class Rendered:
    """Every output of a selection, with what went wrong while rendering."""

    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]
    lookups: dict[str, catalog.Lookup] = field(default_factory=dict)
    #: Each output hashed and compressed for the pack (only when asked for).
    members: dict[str, pack.Member] = field(default_factory=dict)
    #: Manifest rows the render cache kept, by path.
    lines: dict[str, str] = field(default_factory=dict)


def select(
    project: Project,
    campaign: str | None,
    locales: Iterable[str] = (),
    channels: Iterable[str] = (),
) -> Selection:
    """Resolve the user's --campaign/--locale/--channel choices.

    An unknown value typed by the user is a UsageError; a default campaign the
    calendar does not have is a BuildError.
    """
    config = project.config
    known = [c.id for c in project.calendar.campaigns]
    typed = campaign is not None
    if campaign is None:
        campaign = config.default_campaign or (known[-1] if known else None)
    if campaign is None or campaign not in known:
        choices = ", ".join(known) or "none in the calendar"
        problem = f"unknown campaign {campaign!r} (campaigns: {choices})"
        raise UsageError(problem) if typed else BuildError(problem)
    chosen_locales = config.all_locales
    if wanted := tuple(locales):
        tags = {configured_locale(config, tag).tag for tag in wanted}
        chosen_locales = tuple(loc for loc in config.all_locales if loc.tag in tags)
    enabled = tuple(c.name for c in config.channels if c.enabled)
    chosen_channels = enabled
    if wanted_channels := tuple(channels):
        check_enabled(wanted_channels, config.channels)
        chosen_channels = tuple(c for c in enabled if c in wanted_channels)
    partial = chosen_locales != config.all_locales or chosen_channels != enabled
    return Selection(campaign, chosen_locales, chosen_channels, partial)


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
    #: Hash and compress each output for the pack, in the worker.
    prepare: bool = False
    #: Note every catalog look-up of a unit (what the render cache keys it by).
    record: bool = False


#: The context of a forked worker process, set once by the pool's initializer.
_worker_context: list[WorkContext] = []


def _adopt(context: WorkContext) -> None:
    _worker_context.append(context)


def _render_in_worker(units: list[tuple[str, str]]) -> _Chunk:
    return render_units(_worker_context[0], units)


#: One unit rendered: locale, message id, its outputs, its problems, its catalog look-ups.
_Done = tuple[str, str, list[Output], list[Diagnostic], tuple[Any, ...]]
_Chunk = tuple[list[_Done], dict[str, pack.Member]]


def render_units(context: WorkContext, units: list[tuple[str, str]]) -> _Chunk:
    """Localize and render (locale, message id) units; in a worker or in the parent."""
    from campaignsync.l10n import localize, longtexts
    from campaignsync.pack import cache
    from campaignsync.render.engine import template_strings

    project, renderer, messages = context.project, context.renderer, context.messages
    lookups = context.lookups
    locales = {loc.tag: loc for loc in project.config.all_locales}
    config = project.config
    log: cache.Log = {}
    # With a cache, every catalog look-up is noted: it is what the unit depends on.
    used = cache.recording(lookups, log) if context.record else lookups
    done: list[_Done] = []
    for locale_tag, message_id in units:
        locale, message = locales[locale_tag], messages[message_id]
        log.clear()
        localized = localize.localize(message, locale, config, used)
        strings = template_strings(locale, config, used)
        made, found = renderer.render(localized, strings, context.selection.channels)
        made = list(longtexts.counted(made, message, localized.fields, config))
        done.append((locale_tag, message_id, made, found, tuple(log.items())))
    # Hashing and deflating here, in the workers, keeps the parent's serial part small.
    members = (
        {o.path: pack.prepare(o.content) for unit in done for o in unit[2]}
        if context.prepare
        else {}
    )
    return done, members


def _units(project: Project, selection: Selection) -> list[tuple[str, str]]:
    from campaignsync.l10n import localize

    chosen = {loc.tag for loc in selection.locales}
    units = []
    for message in project.messages_of(selection.campaign):
        if not set(message.channels) & set(selection.channels):
            continue
        for locale in localize.locales_for(project.config, message):
            if locale.tag in chosen:
                units.append((locale.tag, message.id))
    return units


def render_selection(
    project: Project,
    selection: Selection,
    jobs: int = 1,
    progress: Progress | None = None,
    prepare: bool = False,
    cache: unitcache.Cache | None = None,
) -> Rendered:
    """Localize and render every message x locale x channel of a selection.

    With ``prepare``, each output is also hashed and compressed for the pack.
    With a ``cache``, only the units whose inputs changed are rendered; the
    others come from it (their members without compressed bytes), and the
    cache learns the new ones.
    """
    from campaignsync.render.engine import Renderer

    renderer = Renderer(project)
    problems = renderer.check_templates()
    from campaignsync.l10n.catalog import load_lookups

    chosen = None if not selection.partial else (loc.tag for loc in selection.locales)
    memo = None
    if cache is not None:
        from campaignsync.pack.lookups import CatalogMemo

        memo = CatalogMemo(cache.folder.parent.parent, project.config.paths.locales)
    lookups, catalog_problems = load_lookups(project.root, project.config, chosen, memo)
    problems.extend(catalog_problems)
    if any(d.is_error for d in problems):
        return Rendered((), tuple(problems), lookups)
    units = _units(project, selection)
    outputs: list[Output] = []
    members: dict[str, pack.Member] = {}
    lines: dict[str, str] = {}
    if cache is not None:
        from campaignsync.pack import cache as unitcache

        units = unitcache.take_hits(cache, project, units, lookups, outputs, members, lines)
    context = WorkContext(
        project,
        renderer,
        lookups,
        selection,
        {m.id: m for m in project.messages},
        prepare=prepare,
        record=cache is not None,
    )
    done = 0

    def collect(chunk: _Chunk, size: int) -> None:
        nonlocal done
        for locale_tag, message_id, made, found, log in chunk[0]:
            outputs.extend(made)
            problems.extend(found)
            if cache is not None and not found:
                unitcache.store(cache, message_id, locale_tag, made, chunk[1], log, lookups, lines)
        members.update(chunk[1])
        done += size
        if progress:
            progress(done, len(units))

    _render_all(context, units, jobs, collect)
    outputs.sort(key=lambda o: o.path)
    return Rendered(tuple(outputs), tuple(_unique(problems)), lookups, members, lines)


def _render_all(
    context: WorkContext,
    units: list[tuple[str, str]],
    jobs: int,
    collect: Callable[[_Chunk, int], None],
) -> None:
    """Render units in chunks, here or in forked workers that each receive the context."""
    chunks = [units[i : i + CHUNK] for i in range(0, len(units), CHUNK)]
    if jobs <= 1 or len(units) < PARALLEL_THRESHOLD:
        for chunk in chunks:
            collect(render_units(context, chunk), len(chunk))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt,
        initargs=(context,),
    ) as pool:
        futures = {pool.submit(_render_in_worker, chunk): len(chunk) for chunk in chunks}
        for future in as_completed(futures):
            collect(future.result(), futures[future])


def _unique(items: list[Diagnostic]) -> list[Diagnostic]:
    # A template error repeats for every message x locale; report each place once.
    seen: dict[tuple[object, ...], Diagnostic] = {}
    for d in items:
        seen.setdefault((d.code, d.file, d.line, d.text), d)
    return list(seen.values())


_T = TypeVar("_T")
_R = TypeVar("_R")


def in_processes(function: Callable[[_T], _R], items: Iterable[_T], jobs: int) -> list[_R]:
    """Return ``function`` of each item, in order, computed in ``jobs`` forked processes.

    What ``function`` reads besides its argument should be module state set
    before the call: the processes inherit it instead of receiving it pickled.
    """
    chosen = list(items)
    if jobs <= 1 or len(chosen) < 2:
        return [function(item) for item in chosen]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(function, chosen))


def default_jobs() -> int:
    """Return the number of processes to use when the user does not say."""
    return max(
        1,
        min(
            8,
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1,
        ),
    )


@dataclass(frozen=True, slots=True)
class Checked:
    """What ``check`` found: the project (None if its config is unusable) and every problem."""

    project: Project | None
    selection: Selection | None
    rendered: Rendered | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        """Return True when no diagnostic is an error."""
        return not any(d.is_error for d in self.diagnostics)


def check(
    root: Path,
    campaign: str | None,
    now: datetime,
    jobs: int = 1,
    strict: bool = False,
    prepare: bool = False,
    cached: bool = False,
) -> Checked:
    """Load, render and run every check; silenced codes dropped, --strict applied.

    With ``prepare`` the rendered outputs are kept ready for :func:`build`.
    With ``cached``, units come from (and go to) the render cache of the
    default output folder, so only what changed since the last build or
    check is rendered; the diagnostics are the same either way.
    """
    from campaignsync import checks
    from campaignsync.load.project import load_project

    project, found = load_project(root)
    diagnostics = list(found)
    selection = rendered = None
    if project is not None:
        try:
            selection = select(project, campaign)
        except BuildError:
            # No usable campaign: when loading already said why (a broken calendar,
            # a wrong default_campaign), those errors are the answer.
            if not any(d.is_error for d in found):
                raise
    if project is not None and selection is not None:
        out = project.root / project.config.paths.out
        cache = _open_cache(project, selection, out) if cached else None
        rendered = render_selection(project, selection, jobs, prepare=prepare, cache=cache)
        if cache is not None:
            from campaignsync.pack import cache as unitcache

            unitcache.save_cache(cache)
        diagnostics.extend(rendered.diagnostics)
        memo = None
        if cached:
            from campaignsync.pack.lookups import FindingsMemo

            memo = FindingsMemo(out.resolve())
        data = checks.CheckInput(
            project, selection.campaign, rendered.outputs, rendered.lookups, now, memo
        )
        diagnostics.extend(checks.run_checks(data))
    ignore = project.config.ignore if project else frozenset()
    final = checks.finish(diagnostics, ignore, strict)
    return Checked(project, selection, rendered, tuple(final))


def _open_cache(
    project: Project, selection: Selection, out: Path, load: bool = True
) -> unitcache.Cache:
    """Return the render cache of a selection's pack in ``out``."""
    from campaignsync.pack import cache as unitcache
    from campaignsync.pack import keys

    key = keys.pack_key(project, selection.channels)
    return unitcache.open_cache(out.resolve(), selection.name, key, load)


@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked to build, as typed: the key of the no-change test."""

    campaign: str | None = None
    locales: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    epoch: int | None = None


def output_folder(root: Path, out: Path | None) -> Path:
    """Return where packs go: ``out`` when given, else the config's output folder."""
    return (out if out is not None else root / read_paths(root).out).resolve()


def fingerprint(root: Path, request: Request) -> str:
    """Return the fingerprint of a build: inputs, options, commit and tool (see pack)."""
    settings = {
        "request": [request.campaign, request.locales, request.channels, request.epoch],
        "commit": gitrepo.head_id(root),
        "version": __version__,
    }
    return pack.fingerprint(root, input_paths(read_paths(root)), settings)


def unchanged(root: Path, out: Path, request: Request) -> tuple[str, pack.PackResult | None]:
    """Return the build's fingerprint and, if nothing changed since the last build, its pack."""
    stamp = fingerprint(root, request)
    return stamp, pack.current(out, stamp)


@dataclass(frozen=True, slots=True)
class Built:
    """What ``build`` did."""

    result: pack.PackResult
    outputs: int
    untranslated: dict[str, int]
    warnings: tuple[Diagnostic, ...]
    source: pack.SourceInfo
    #: Outputs longer than their channel allows (``check`` says where to shorten them).
    over_limit: int = 0
    partial: bool = False


def input_paths(folders: Paths) -> tuple[str, ...]:
    """Return what a build reads, relative to the repository root."""
    return (CONFIG_NAME, folders.content, folders.locales, folders.templates)


def source_info(project: Project) -> tuple[pack.SourceInfo, int | None]:
    """Return the git commit behind the inputs and its commit time (None outside git).

    The pack counts as dirty only when the campaign's own files differ from
    the commit: an edited README does not change what was built.
    """
    head = gitrepo.head(project.root, input_paths(project.config.paths))
    if head is None:
        return pack.SourceInfo(None, False, "not built from a git commit"), None
    return pack.SourceInfo(head.commit, head.dirty), head.time


def build(
    project: Project,
    selection: Selection,
    out: Path,
    epoch: int | None,
    jobs: int = 1,
    progress: Progress | None = None,
    stamp: str | None = None,
    rendered: Rendered | None = None,
    reuse: bool = True,
    shards: tuple[Path, ...] = (),
) -> Built:
    """Build the pack of one campaign into ``out/<campaign>/`` and ``out/<campaign>.zip``.

    ``epoch`` is SOURCE_DATE_EPOCH when the user set it; otherwise the commit
    time is used, and outside git the fixed 1980-01-01 that zip allows.
    ``stamp`` (from :func:`unchanged`, taken before reading any input) is
    recorded with the pack so that the next identical build can skip all work.
    ``rendered`` reuses outputs already rendered with ``prepare=True`` (release
    checks them first). ``reuse=False`` writes every file afresh instead of
    linking the previous pack's unchanged files. ``shards`` are output folders
    of other builds (``--locale`` shards on other machines) whose rendered
    units are taken rather than rendered again.
    """
    cache = None
    if rendered is None:
        cache = _open_cache(project, selection, out, load=reuse)
        if shards:
            from campaignsync.pack import cache as unitcache

            unitcache.absorb(cache, shards)
        rendered = render_selection(project, selection, jobs, progress, True, cache)
    assembled = assemble(project, selection, rendered, epoch)
    outputs, source = assembled.outputs, assembled.source
    result = pack.write_pack(
        out,
        selection.name,
        outputs,
        assembled.extras,
        assembled.epoch,
        assembled.members,
        reuse,
    )
    if stamp is not None:
        pack.remember(out, stamp, result)
    if cache is not None:
        from campaignsync.pack import cache as unitcache

        unitcache.save_cache(cache)
    untranslated: dict[str, int] = {}
    over = 0
    for output in outputs:
        if not output.translated:
            untranslated[output.locale] = untranslated.get(output.locale, 0) + 1
        if output.measure is not None and output.measure.exceeded is not None:
            over += 1
    return Built(
        result,
        len(outputs),
        untranslated,
        rendered.diagnostics,
        source,
        over,
        selection.partial,
    )


@dataclass(frozen=True, slots=True)
class Assembled:
    """Everything a pack holds, in memory, every file hashed and compressed once."""

    outputs: list[Output]
    extras: list[pack.PackFile]  # calendar, CSVs, gallery, images and the manifest
    epoch: int
    source: pack.SourceInfo
    members: dict[str, pack.Member]

    @property
    def manifest_sha256(self) -> str:
        """Return the sha256 of manifest.json."""
        return self.members["manifest.json"].sha256


def assemble(
    project: Project, selection: Selection, rendered: Rendered, epoch: int | None
) -> Assembled:
    """Return everything a pack holds, in memory: outputs, extras with the manifest, the epoch.

    ``epoch`` None means the commit time (outside git: 1980-01-01, the zip minimum).
    """
    from campaignsync.l10n import longtexts

    source, commit_time = source_info(project)
    epoch = _epoch(epoch, commit_time)
    if any(d.is_error for d in rendered.diagnostics):
        raise DiagnosticsError(rendered.diagnostics)
    outputs = list(rendered.outputs)
    extras = pack_extras(project, selection, outputs, epoch, rendered.lookups)
    members = {**rendered.members, **pack.prepare_all(extras)}
    manifest = pack.build_manifest(
        selection.campaign,
        outputs,
        extras,
        source,
        epoch,
        members,
        {"locales": [x.tag for x in selection.locales], "channels": list(selection.channels)}
        if selection.partial
        else None,
        rendered.lines,
        longtexts.report(longtexts.from_outputs(outputs, project)),
    )
    extras.append(pack.PackFile("manifest.json", manifest))
    members["manifest.json"] = pack.prepare(manifest)
    return Assembled(outputs, extras, epoch, source, members)


def pack_epoch(project: Project, epoch: int | None) -> int:
    """Return the timestamp of a pack: SOURCE_DATE_EPOCH when set, else the commit time."""
    return _epoch(epoch, source_info(project)[1])


def _epoch(epoch: int | None, commit_time: int | None) -> int:
    # Outside git, 1980-01-01: the earliest time a zip can store.
    if epoch is not None:
        return epoch
    return commit_time if commit_time is not None else pack.ZIP_EPOCH


def pack_extras(
    project: Project,
    selection: Selection,
    outputs: list[Output],
    epoch: int,
    lookups: Mapping[str, catalog.Lookup] | None = None,
) -> list[pack.PackFile]:
    """Return the calendar, scheduler CSVs, gallery and images that go with the outputs.

    ``lookups`` (the catalogs the outputs were rendered with) let the gallery
    name untranslated and stale segments.
    """
    from campaignsync.pack import attention, exports, ical
    from campaignsync.pack import gallery as preview

    campaign = selection.campaign
    messages = project.messages_of(campaign)
    schedule = attention.schedule_problems(project, campaign, tuple(outputs), epoch)
    gallery = preview.pages(project, campaign, outputs, lookups, schedule)
    extras = [
        pack.PackFile("calendar.ics", ical.ics(project, campaign, epoch)),
        *(pack.PackFile(rel, page) for rel, page in gallery.items()),
    ]
    for partner in project.config.partners:
        if any(partner.id in m.partners for m in messages):
            extras.append(
                pack.PackFile(
                    f"schedule-{partner.id}.csv",
                    exports.schedule_csv(project, campaign, partner.id, outputs),
                )
            )
    images = sorted({m.image.src for m in messages if m.image is not None})
    for src in images:
        try:
            data = paths.read_bytes(
                project.root, f"{project.config.paths.content}/{src}", MAX_IMAGE_BYTES
            )
        except ValueError as exc:
            raise BuildError(str(exc)) from None
        extras.append(pack.PackFile(src, data))
    return extras
