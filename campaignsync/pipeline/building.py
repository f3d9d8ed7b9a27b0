"""``build``: a campaign's pack written to the output folder, or nothing when nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from campaignsync import __version__, gitrepo
from campaignsync.load.config import read_paths
from campaignsync.model import Diagnostic, Project
from campaignsync.pack import writer as pack
from campaignsync.pipeline.assembly import assemble, input_paths
from campaignsync.pipeline.selection import Selection
from campaignsync.pipeline.workers import Progress, Rendered, open_cache, render_selection


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
        cache = open_cache(project, selection, out, load=reuse)
        if shards:
            from campaignsync.pack import cache as unitcache

            unitcache.absorb(cache, shards)
        rendered = render_selection(project, selection, jobs, progress, True, cache)
    drawn = cache.drawn if cache is not None else {}
    assembled = assemble(project, selection, rendered, epoch, drawn)
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

        unitcache.keep_drawn(cache, drawn)
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
