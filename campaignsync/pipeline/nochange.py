"""``build`` as the command asks it: the no-change test first, a build only when it fails.

The test reads file metadata and HEAD's commit id and nothing else, so this module
imports only what it needs; loading the project, rendering and writing the pack
(``pipeline.building``, and every library they use) are imported when a build runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync import __version__, gitrepo
from campaignsync.pack import state
from campaignsync.paths import input_paths, outside_inputs, read_paths

if TYPE_CHECKING:
    from campaignsync.model import Diagnostic
    from campaignsync.pipeline.building import Built
    from campaignsync.pipeline.workers import Progress


@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked to build, as typed: the key of the no-change test."""

    campaign: str | None = None
    locales: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    epoch: int | None = None
    #: False for ``--no-zip``: the folder alone.
    zipped: bool = True


@dataclass(frozen=True, slots=True)
class Options:
    """How to build, besides what: ``--out``, ``--force``, ``--jobs``, ``--shard``, ``-v``."""

    out: Path | None = None
    force: bool = False
    #: Worker processes; 0 means one per CPU (``pipeline.default_jobs``).
    jobs: int = 0
    shards: tuple[Path, ...] = ()
    verbose: bool = False
    progress: Progress | None = None
    #: Today, to keep the answer ``check`` would give (None: keep none).
    now: datetime | None = None
    #: The wall clock at the start, in ns: inputs changed just before are hashed too.
    clock: int | None = None
    #: Told, once, when the build waits for another one writing into its output folder.
    told: Callable[[str], None] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What :func:`build_pack` did: nothing (the pack is current) or a build."""

    #: The pack in the output folder: the one left as it was, or the one just built.
    pack: state.PackResult
    #: What the build did (None: no input changed since the last build).
    built: Built | None = None
    #: Loading's and rendering's warnings, silenced codes left out.
    warnings: tuple[Diagnostic, ...] = ()
    #: With ``verbose``: "added PATH", "changed PATH", "removed PATH".
    changes: tuple[str, ...] = ()
    #: The zip a ``--no-zip`` build removed (it would no longer match the folder).
    removed_zip: Path | None = None
    #: Whether it was set aside in the cache, for the next build with the zip to update.
    zip_aside: bool = False
    #: The zip made again from the folder, which is current (``pack.asidezip.made_again``).
    zipped_again: bool = False
    #: The codes of the errors ``check`` finds in these inputs, as the build kept its answer
    #: (each once; empty: none, or no answer kept).
    check_errors: tuple[str, ...] = ()


def output_folder(root: Path, out: Path | None) -> Path:
    """Return where packs go: ``out`` when given, else the config's output folder.

    Never inside a folder a build reads (raise ConfigError: ``paths.outside_inputs``).
    """
    folders = read_paths(root)
    folder = (out if out is not None else root / folders.out).resolve()
    outside_inputs(root, folders, folder, typed=out is not None)
    return folder


def fingerprint(root: Path, request: Request, clock: int | None = None) -> state.Stamp:
    """Return the fingerprint of a build: inputs, options, commit and tool (see pack)."""
    settings = {
        "request": [request.campaign, request.locales, request.channels, request.epoch]
        + ([] if request.zipped else ["no-zip"]),
        "commit": gitrepo.head_id(root),
        "version": __version__,
    }
    return state.fingerprint(root, input_paths(read_paths(root)), settings, clock)


def unchanged(
    root: Path, out: Path, request: Request, clock: int | None = None
) -> tuple[state.Stamp, state.PackResult | None]:
    """Return the build's fingerprint and, if nothing changed since the last build, its pack."""
    stamp = fingerprint(root, request, clock)
    return stamp, state.current(out, stamp)


def build_pack(root: Path, request: Request, options: Options) -> Outcome:
    """Build what ``campaignsync build`` asks for, or nothing when no input changed.

    A build also gives the codes of the errors ``check`` finds in these inputs, when it
    has an answer for them (a build of the whole campaign keeps one): a pack can be built
    from inputs with such errors (a post on a blackout day), and is not to be published
    so. Not a pack found up to date, which the build before it told of: reading the
    answer would double the 0.05 s that answer takes at full size.
    """
    outcome = _build_pack(root, request, options)
    if options.now is None or outcome.built is None:
        return outcome
    from campaignsync.pipeline import lastcheck

    found = lastcheck.error_codes(root, request.campaign, options.now, options.clock)
    return replace(outcome, check_errors=found) if found else outcome


def _build_pack(root: Path, request: Request, options: Options) -> Outcome:
    """Build what ``campaignsync build`` asks for, or nothing when no input changed.

    The no-change test comes first and reads only the fingerprint's inputs, so
    loading the project (and its libraries) waits until a build is needed. The build
    holds the output folder's write lock throughout. "Up to date" is not said of a pack
    that another build is replacing: such a build is waited for, as one is by a build
    that must build, and the test taken again after it.
    """
    from campaignsync.pack import writelock

    target = output_folder(root, options.out)
    stamp, done = unchanged(root, target, request, options.clock)
    if done is not None and not options.force and not writelock.taken(target):
        return Outcome(done)  # (another build writing here may replace that pack: wait)
    with writelock.waited(target, options.told) as held_first:
        if held_first or done is not None:  # that build may have made this very pack, or another
            stamp, done = unchanged(root, target, request, options.clock)
            if done is not None and not options.force:
                return Outcome(done)
        if request.zipped and not options.force and not options.shards:
            again = zip_again(root, target, request, stamp, options.clock)
            if again is not None:
                return again
        from campaignsync.pipeline.building import build_changed

        return build_changed(root, request, options, target, stamp)


def zip_again(
    root: Path, target: Path, request: Request, stamp: state.Stamp, clock: int | None
) -> Outcome | None:
    """Return the pack with its zip made again, when only the folder was built from these inputs.

    The zip a build without it set aside is brought up to date from the folder
    (:func:`campaignsync.pack.asidezip.made_again`), and the pack recorded as built for
    ``request`` under ``stamp`` (taken before the folder's fingerprint: never newer than
    it), all under the write lock; None when it cannot be (a build makes it then).
    """
    alone, done = unchanged(root, target, replace(request, zipped=False), clock)
    if done is None:
        return None
    from campaignsync.errors import BuildError
    from campaignsync.pack import asidezip, writer

    with writer.locked(target, done.folder.name):
        if state.current(target, alone) is None:  # another build since the test
            return None
        if done.archive is not None:  # that build left the zip, which matched: up to date
            state.remember(target, stamp, done)
            return Outcome(done)
        try:
            made = asidezip.made_again(target, done.folder.name)
        except OverflowError as exc:  # a pack grown past what a zip can hold
            raise BuildError(str(exc)) from None
        if made is None:
            return None
        state.remember(target, stamp, made)
    return Outcome(made, zipped_again=True)
