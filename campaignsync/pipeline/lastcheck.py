"""The last check's answer, given again while nothing it read has changed.

``check`` keeps what it found in ``<out>/.campaignsync-cache/check/``: every
diagnostic before ``--strict`` and the ignore list apply, under a fingerprint
of its inputs taken before it read them (stat signatures of the config, the
content, the catalogs and the templates, as ``build``'s no-change test takes
them, and of the glossary) and of the tool (its files, Python and the libraries, as
``pack.state.fingerprint`` sees them). While that fingerprint holds, the answer is
given again without loading the project, nor importing what loading it needs; and so it
is when inputs were only touched (saved unchanged, checked out again): the contents of the
inputs are kept beside the answer, as a build keeps them (``pack.contents``).

Two findings also depend on the clock. CS320 turns from a warning into an
error once the translation freeze has passed: the answer says on which side of
the freeze it was found, and is not used on the other side. CS113 asks git what
changed since the freeze: it is asked again every time, from the few values it
reads (``checks.freeze.FreezeWatch``), kept with the answer.

A build keeps the answer too (:func:`keep_built`): it has loaded the project
and the catalogs, and every message's findings are kept (``pack.findings``),
so only the checks across messages run; ``check`` right after it loads nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import __version__
from campaignsync.model import Diagnostic, Project
from campaignsync.pack import contents, sealed, state
from campaignsync.paths import input_paths, read_paths

if TYPE_CHECKING:
    from campaignsync.checks.freeze import FreezeWatch
    from campaignsync.pack.cache import Cache
    from campaignsync.pipeline.selection import Selection
    from campaignsync.pipeline.workers import Rendered

#: The folder of the answers, inside the cache folder of the output folder.
FOLDER = ".campaignsync-cache/check"


@dataclass(frozen=True, slots=True)
class Answer:
    """What a full check found, and what it takes to tell whether it still holds."""

    diagnostics: tuple[Diagnostic, ...]  # all but CS113, before --strict and ignore
    ignore: frozenset[str]
    freeze: date | None  # the campaign's translation freeze (CS320 depends on it)
    late: bool  # the check ran after the freeze
    watch: FreezeWatch | None
    glossary: str | None
    glossary_stamp: str
    #: The input files too fresh for the fingerprint to vouch for, with their sha256.
    unsettled: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Pending:
    """What a build needs to keep check's answer: a fingerprint, the clock, loading's findings."""

    campaign: str | None
    key: state.Stamp  # :func:`stamp`, taken before the build read any input
    now: datetime
    loaded: tuple[Diagnostic, ...]


def stamp(root: Path, campaign: str | None, clock: int | None = None) -> state.Stamp:
    """Return the fingerprint of a check's inputs and tool (take it before reading them).

    ``clock`` (the time now, in ns) lets the inputs changed just before be hashed too.
    """
    settings = {"check": campaign, "version": __version__}
    return state.fingerprint(root, input_paths(read_paths(root)), settings, clock)


def glossary_stamp(root: Path, glossary: str | None) -> str:
    """Return the fingerprint of the glossary file (take it before reading it).

    Its content, hashed (one small file): a change within one tick of the file system's
    clock keeps its signature, and a file written again unchanged has another one.
    """
    if not glossary:
        return ""
    return contents.content(str(root / glossary))


def is_late(freeze: date | None, now: datetime) -> bool:
    """Return True once the freeze day is over (as CS320 counts it)."""
    return freeze is not None and now.date() > freeze


def recall(
    root: Path, campaign: str | None, now: datetime, clock: int | None = None
) -> Answer | None:
    """Return the last check's answer for ``campaign`` if nothing it read has changed."""
    path = _path(root, campaign)
    try:
        where = sealed.folder_id(path.parent)
    except OSError:
        return None
    key = stamp(root, campaign, clock)
    plain = sealed.read_sealed(path, where, key.digest)
    touched = plain is None and (plain := _touched(path, where, key)) is not None
    try:
        answer = None if plain is None else _answer(plain)
    except Exception:  # the right shape is part of being intact
        return None
    if answer is None or is_late(answer.freeze, now) != answer.late:
        return None
    if not state.Stamp("", answer.unsettled).holds():
        return None
    if glossary_stamp(root, answer.glossary) != answer.glossary_stamp:
        return None
    if touched or (key.clocked and answer.unsettled != key.unsettled):  # kept as read now
        with contextlib.suppress(OSError):
            sealed.write_sealed(path, key.digest, (*plain[:-1], [list(p) for p in key.unsettled]))
            _keep_contents(path, where, key)
    return answer


def error_codes(
    root: Path, campaign: str | None, now: datetime, clock: int | None = None
) -> tuple[str, ...]:
    """Return the codes of the errors the last check's answer holds, if it still holds."""
    answer = recall(root, campaign, now, clock)
    if answer is None:
        return ()
    return tuple(sorted({d.code for d in answer.diagnostics if d.is_error} - answer.ignore))


#: What the contents of the inputs an answer was found from are kept under (``.contents``).
_CONTENTS = "contents of the inputs of a kept answer"


def _touched(path: Path, where: bytes, key: state.Stamp) -> tuple[Any, ...] | None:
    """Return the kept answer if its inputs were only touched since (``pack.contents``)."""
    kept = sealed.read_sealed(path.with_suffix(".contents"), where, _CONTENTS)
    try:
        found_under, inputs = kept
        if contents.by_content(key, inputs["files"])[0] != inputs["digest"]:
            return None
        answer: tuple[Any, ...] | None = sealed.read_sealed(path, where, str(found_under))
    except Exception:  # none kept, or not of that shape: a miss
        return None
    return answer


def _keep_contents(path: Path, where: bytes, key: state.Stamp) -> None:
    """Keep the contents of the inputs of the answer just kept under ``key`` (or drop them)."""
    side = path.with_suffix(".contents")
    last = sealed.read_sealed(side, where, _CONTENTS)
    now = contents.kept_contents(key, last[1] if isinstance(last, tuple) and last else None)
    if now is None:
        side.unlink(missing_ok=True)
    else:
        sealed.write_sealed(side, _CONTENTS, (key.digest, now))


def replay(root: Path, answer: Answer, now: datetime) -> list[Diagnostic]:
    """Return the answer's diagnostics, with CS113 asked again for ``now``."""
    found = list(answer.diagnostics)
    if answer.watch is not None:
        from campaignsync.checks.freeze import changes_after_freeze

        found.extend(changes_after_freeze(root, answer.watch, now))
    return found


def remember(
    root: Path,
    campaign: str | None,
    key: state.Stamp,
    project: Project | None,
    found: list[Diagnostic],
    facts: tuple[FreezeWatch | None, date | None, bool, str],
) -> None:
    """Keep what a full check found under the fingerprint ``key`` it took first.

    ``facts`` are the freeze watch, the freeze date, whether the check ran after
    it, and the glossary's fingerprint taken before the glossary was read.
    """
    from campaignsync.checks.freeze import CODE  # found again every time (git and the clock)

    watch, freeze, late, glossary = facts
    config = project.config if project is not None else None
    kept = [sealed.plain_diagnostic(d) for d in found if d.code != CODE]
    plain = (
        kept,
        sorted(config.ignore) if config else [],
        freeze.isoformat() if freeze else None,
        late,
        _plain_watch(watch),
        config.glossary if config else None,
        glossary,
        [list(pair) for pair in key.unsettled],
    )
    path = _path(root, campaign)
    with contextlib.suppress(OSError):  # an answer not kept is only a longer check next time
        sealed.write_sealed(path, key.digest, plain)
        _keep_contents(path, sealed.folder_id(path.parent), key)


def clock_facts(
    project: Project, campaign: str, now: datetime
) -> tuple[FreezeWatch | None, date | None, bool, str]:
    """Return what the kept answer needs to be given again at another time (take it first)."""
    from campaignsync.checks.freeze import freeze_watch

    found = project.calendar.campaign(campaign)
    freeze = found.freeze if found is not None else None
    glossary = glossary_stamp(project.root, project.config.glossary)
    return freeze_watch(project, campaign), freeze, is_late(freeze, now), glossary


def keep_built(
    pending: Pending,
    project: Project,
    selection: Selection,
    rendered: Rendered,
    cache: Cache,
    whole: bool,
    jobs: int = 1,
) -> bool:
    """Keep the answer ``check`` would give after a build; return whether it could.

    The build rendered through ``cache`` (whose findings it has just written) the
    whole campaign that ``check`` checks. A message whose findings are not kept is
    checked from its outputs when they are ``whole`` (they kept their bytes);
    else nothing is kept and ``check`` finds it all. ``jobs``: processes that may check them.
    """
    from campaignsync.pipeline.rechecking import found_by_build

    facts = clock_facts(project, selection.campaign, pending.now)  # before the glossary is read
    found = found_by_build(project, selection, rendered, cache, pending.now, whole, jobs)
    if found is None:
        return False
    remember(project.root, pending.campaign, pending.key, project, [*pending.loaded, *found], facts)
    return True


def _path(root: Path, campaign: str | None) -> Path:
    out = (root / read_paths(root).out).resolve()
    name = hashlib.sha256(repr(campaign).encode()).hexdigest()[:16]
    return out / FOLDER / f"{name}.answer"


def _answer(plain: tuple[Any, ...]) -> Answer:
    found, ignore, freeze, late, watch, glossary, stamp_, unsettled = plain
    return Answer(
        tuple(sealed.diagnostic_of(t) for t in found),
        frozenset(ignore),
        date.fromisoformat(freeze) if freeze else None,
        bool(late),
        _watch(watch),
        glossary,
        stamp_,
        state.unsettled_of(unsettled),
    )


def _plain_watch(w: FreezeWatch | None) -> tuple[Any, ...] | None:
    if w is None:
        return None
    times = (w.freeze.isoformat(), w.frozen.isoformat(), w.end.isoformat())
    return (*times, w.folder, w.calendar, w.line, w.messages)


def _watch(t: tuple[Any, ...] | None) -> FreezeWatch | None:
    if t is None:
        return None
    from campaignsync.checks.freeze import FreezeWatch

    freeze, frozen, end, folder, calendar, line, messages = t
    return FreezeWatch(
        date.fromisoformat(freeze),
        datetime.fromisoformat(frozen),
        datetime.fromisoformat(end),
        folder,
        calendar,
        line,
        tuple(messages),
    )
