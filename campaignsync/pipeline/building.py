"""``build``: a campaign's pack written to the output folder (after the no-change test)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.errors import InterruptedAfterWrite
from campaignsync.model import Diagnostic, Output, Project
from campaignsync.pack import asidezip, manifest, manifestrows, outputkeys, state, writer
from campaignsync.pack.kept import folder_hashes, open_kept, pack_hashes, save_kept
from campaignsync.pack.staging import staged_pack
from campaignsync.pipeline import keeping
from campaignsync.pipeline.assembly import Assembled, assemble
from campaignsync.pipeline.collecting import fewer_collections
from campaignsync.pipeline.forking import default_jobs
from campaignsync.pipeline.nochange import Options, Outcome, Request, output_folder
from campaignsync.pipeline.selection import Selection, select
from campaignsync.pipeline.workers import (
    Progress,
    Rendered,
    open_cache,
    render_selection,
)

if TYPE_CHECKING:
    from campaignsync.pack import cache as unitcache
    from campaignsync.pack import messagepages
    from campaignsync.pack.kept import Kept
    from campaignsync.pack.staging import Staging
    from campaignsync.pipeline.lastcheck import Pending


@dataclass(frozen=True, slots=True)
class Built:
    """What ``build`` did."""

    result: state.PackResult
    outputs: int
    untranslated: dict[str, int]
    warnings: tuple[Diagnostic, ...]
    source: writer.SourceInfo
    #: Outputs longer than their channel allows (``check`` says where to shorten them).
    over_limit: int = 0
    partial: bool = False
    #: The locales asked for (a partial pack) that no partner publishes in: none of theirs.
    unpublished: tuple[str, ...] = ()


def build(
    project: Project,
    selection: Selection,
    out: Path,
    epoch: int | None,
    jobs: int = 1,
    progress: Progress | None = None,
    stamp: state.Stamp | None = None,
    rendered: Rendered | None = None,
    reuse: bool = True,
    shards: tuple[Path, ...] = (),
    zipped: bool = True,
    check: Pending | None = None,
) -> Built:
    """Build the pack of one campaign into ``out/<campaign>/`` and ``out/<campaign>.zip``.

    ``epoch`` is SOURCE_DATE_EPOCH when the user set it; otherwise the commit
    time is used, and outside git the fixed 1980-01-01 that zip allows.
    ``stamp`` (from ``nochange.unchanged``, taken before reading any input) is
    recorded with the pack so that the next identical build can skip all work.
    ``rendered`` reuses outputs already rendered with ``prepare=True`` (release
    checks them first). ``reuse=False`` writes every file afresh instead of
    linking the previous pack's unchanged files. ``shards`` are output folders
    of other builds (``--locale`` shards on other machines) whose rendered
    units are taken rather than rendered again. ``zipped=False`` writes the
    folder alone and sets the pack's zip aside, or removes it (it would no longer match).
    ``check`` keeps the answer ``check`` would give (``pipeline.lastcheck``).
    """
    from campaignsync.pack.bodyfiles import retried

    writer.check_place(out, selection.name)  # before any work: what stands there is kept
    asked = (project, selection, out, epoch, jobs, progress, stamp, rendered, reuse, shards,
             zipped, check)  # fmt: skip
    return retried(lambda: _build(*asked))


@fewer_collections()  # a build's values live to its end: see pipeline.collecting
def _build(
    project: Project,
    selection: Selection,
    out: Path,
    epoch: int | None,
    jobs: int,
    progress: Progress | None,
    stamp: state.Stamp | None,
    rendered: Rendered | None,
    reuse: bool,
    shards: tuple[Path, ...],
    zipped: bool,
    check: Pending | None,
) -> Built:
    """Build the pack once (see :func:`build`)."""
    cache = None if rendered is not None else _open_cache(project, selection, out, reuse, shards)
    pack = out / selection.name
    fresh, kept, last = _last_pack(cache, pack, reuse)
    answers = keeping.Keeping(check, project, selection, cache, not fresh, jobs)
    result: state.PackResult | None = None
    try:
        with staged_pack(out, selection.name, reuse, zipped, fresh, last) as staged:
            if rendered is None:
                ahead = _plan(project, selection, kept, jobs) if staged is not None else None
                since = stamp.since if stamp is not None else None  # (lookups.po_digest)
                rendered = render_selection(project, selection, jobs, progress, True, cache,
                                            staged=staged, pages=ahead, settled=since)  # fmt: skip
            drawn = cache.drawn if cache is not None else dict(rendered.drawn)
            made = functools.partial(
                assemble, project, selection, rendered, epoch, drawn, kept, staged, jobs
            )
            assembled, result = _written(lambda: answers.after(made(), rendered),
                                         pack, kept, reuse, zipped, staged, stamp)  # fmt: skip
            outputs, source = assembled.outputs, assembled.source
            assembled.let_go()
        if cache is not None:
            keeping.keep(cache, rendered, answers)
        untranslated, over = _tally(outputs, kept)
        if kept is not None:  # for the next build, whose writer need not compare them
            outputkeys.note_written(kept, result.manifest_sha256)
        save_kept(kept, result)
    except KeyboardInterrupt:
        if result is None:  # the previous pack is as it was (pack.writer)
            raise
        raise InterruptedAfterWrite(result.folder) from None
    finally:
        try:  # their processes are never left behind (a second Ctrl-C, say)
            answers.kept()
        finally:
            answers.saved()
    return Built(
        result,
        len(outputs),
        untranslated,
        rendered.diagnostics,
        source,
        over,
        selection.partial,
        _unpublished(project, selection),
    )


def _unpublished(project: Project, selection: Selection) -> tuple[str, ...]:
    """Return the locales of a partial pack that no partner publishes in (none rendered)."""
    if not selection.partial:
        return ()
    published = {tag for partner in project.config.partners for tag in partner.locales}
    return tuple(loc.tag for loc in selection.locales if loc.tag not in published)


def _last_pack(
    cache: unitcache.Cache | None, pack: Path, reuse: bool
) -> tuple[bool, Kept | None, dict[str, str] | None]:
    """Return whether the render cache holds nothing to take, the kept files, the last hashes.

    With nothing to take (a first build; the config's or the calendar's rendered part or
    the tool changed; the cache deleted), the pack is written while it renders, as a clean build's
    (:mod:`campaignsync.pack.staging`): it takes nothing from the last pack by reference,
    and links each file the last pack has as it is (by the sha256 it kept of them).
    """
    if cache is None:
        return False, None, None
    fresh = not cache.units
    load = reuse and not fresh
    kept = open_kept(cache.folder, pack, cache.kept_key, load, cache.keys, cache.templates)
    return fresh, kept, pack_hashes(cache.folder, pack) if fresh and reuse else None


def _written(
    assembled_now: Callable[[], Assembled],
    pack: Path,
    kept: Kept | None,
    reuse: bool,
    zipped: bool,
    staged: Staging | None,
    stamp: state.Stamp | None,
) -> tuple[Assembled, state.PackResult]:
    """Write the pack ``assembled_now`` gives; return it and what was written.

    The pack is recorded under ``stamp`` before the write lock is let go: a build
    that wrote later records its own pack, never this one's inputs for it. So is the
    manifest written (``manifestrows.written``), for the next build of this process.

    If a file taken by reference from the last pack was changed there by hand, every
    such file is made again and the pack assembled once more (see :mod:`pack.kept`).
    """
    last, ran = (kept.hashes, kept.runs) if kept is not None else (None, None)

    def then(result: state.PackResult) -> None:  # the write lock still held
        if stamp is not None:
            state.remember(pack.parent, stamp, result)
        if kept is not None:  # the manifest written now, known as such (not one kept as it was)
            was = last if last is not None else staged.last if staged is not None else {}
            mine = made.manifest if made.manifest_sha256 == result.manifest_sha256 else b""
            manifestrows.written(pack, result.manifest_sha256, was.get("manifest.json"), mine)

    for again in (False, True):
        made = assembled_now()
        outputs, steady = made.for_writer()
        try:
            return made, writer.write_pack(pack.parent, pack.name, outputs, made.extras,
                                           made.epoch, made.members, reuse, zipped, staged,
                                           last, ran, made.staged, then, steady)  # fmt: skip
        except BaseException as stopped:
            made.let_go()  # (once written, the build lets go of it: a Ctrl-C then is told so)
            if not isinstance(stopped, writer.Stale) or again or kept is None:
                raise
            kept.forget()  # and that file written again: its recorded hash is not the pack's
            last = {rel: sha for rel, sha in (last or {}).items() if rel != stopped.path}
    raise AssertionError("unreachable")


def _plan(
    project: Project, selection: Selection, kept: Kept | None, jobs: int
) -> messagepages.Plan | None:
    """Return what a clean build's message pages share, foreseen, for its workers to make them.

    None when nothing is made ahead: a partial pack, or units rendered in this process
    (the gallery then makes the pages, deflated in threads while the next is drawn).
    """
    if kept is None or selection.partial:
        return None
    from campaignsync.pack import messagepages
    from campaignsync.pipeline.selection import units_of
    from campaignsync.pipeline.workers import forks

    units = units_of(project, selection)
    if not forks(jobs, len(units)):
        return None
    return messagepages.plan(project, selection.campaign, selection.channels, units, kept)


def _open_cache(
    project: Project, selection: Selection, out: Path, reuse: bool, shards: tuple[Path, ...]
) -> unitcache.Cache:
    """Return the render cache of the pack, with the units of ``shards`` (other builds) added.

    Its messages are digested at once: the kept pieces are keyed by them too.
    """
    from campaignsync.pack import cache as unitcache

    cache = open_cache(project, selection, out, load=reuse)
    unitcache.keyed_by(cache, project)
    if shards:
        unitcache.absorb(cache, shards)
    return cache


def _tally(outputs: list[Output], kept: Kept | None = None) -> tuple[dict[str, int], int]:
    """Return the untranslated outputs per locale and how many are over their limit.

    With ``kept.by_message``, each message's share is kept under the digest of its outputs.
    """
    keyed = kept.by_message if kept is not None else None
    if kept is None or keyed is None:
        return _counted(outputs)
    untranslated: dict[str, int] = {}
    over = 0
    for message_id in keyed.keys:
        key = keyed.key(message_id)
        piece = kept.piece(f"tally {key}") if key else None
        if piece is None:
            piece = json.dumps(_counted(keyed.of(message_id)))
            if key:
                kept.put_piece(f"tally {key}", piece)
        mine, their_over = json.loads(piece)
        over += their_over
        for tag, number in mine.items():
            untranslated[tag] = untranslated.get(tag, 0) + number
    return untranslated, over


def _counted(outputs: list[Output]) -> tuple[dict[str, int], int]:
    """Return the untranslated outputs per locale and how many are over their limit."""
    untranslated: dict[str, int] = {}
    over = 0
    for output in outputs:
        if not output.translated:
            untranslated[output.locale] = untranslated.get(output.locale, 0) + 1
        if output.over_limit:
            over += 1
    return untranslated, over


def build_changed(
    root: Path, request: Request, options: Options, target: Path, stamp: state.Stamp
) -> Outcome:
    """Build what ``campaignsync build`` asks for into ``target``, once the no-change test failed.

    ``stamp`` is the fingerprint the test took (``pipeline.nochange``), before any input was read.
    """
    from campaignsync.load.project import require_project

    answer = _answers(root, target, request, options)  # before any input is read
    project, warnings = require_project(root)
    selection = select(project, request.campaign, request.locales, request.channels)
    pending = None
    if answer is not None and options.now is not None:
        from campaignsync.pipeline.lastcheck import Pending

        pending = Pending(request.campaign, answer, options.now, warnings)
    before = folder_hashes(target / selection.name) if options.verbose else {}
    old_zip = target / f"{selection.name}.zip"
    had_zip = old_zip.exists()
    built = build(
        project,
        selection,
        target,
        request.epoch,
        options.jobs or default_jobs(),
        options.progress,
        stamp,
        reuse=not options.force,
        shards=options.shards,
        zipped=request.zipped,
        check=pending,
    )
    if project.keep_parsed is not None:  # the load found no output folder: there is one now
        project.keep_parsed()
    ignore = project.config.ignore
    shown = tuple(d for d in (*warnings, *built.warnings) if d.code not in ignore)
    after = (
        (dict(built.result.digests) or manifest.hashes(built.result.folder))
        if options.verbose
        else {}
    )
    changes = tuple(manifest.what_changed(before, after)) if options.verbose else ()
    removed = old_zip if had_zip and built.result.archive is None else None
    aside = removed is not None and asidezip.zip_path(target, selection.name).is_file()
    return Outcome(built.result, built, shown, changes, removed, zip_aside=aside)


def _answers(root: Path, target: Path, request: Request, options: Options) -> state.Stamp | None:
    """Return the fingerprint ``check`` keeps its answer under, if this build can keep it.

    It can when it builds what ``check`` checks (a whole campaign) into the folder
    ``check`` keeps its caches in, from its own renders (no shards).
    """
    if options.now is None or request.locales or request.channels or options.shards:
        return None
    if target != output_folder(root, None):
        return None
    from campaignsync.pipeline import lastcheck

    return lastcheck.stamp(root, request.campaign, options.clock)
