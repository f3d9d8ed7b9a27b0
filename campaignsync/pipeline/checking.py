"""``check``: load, render and run every check over a campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.errors import BuildError
from campaignsync.model import Diagnostic, Project
from campaignsync.pipeline.collecting import fewer_collections

if TYPE_CHECKING:
    from campaignsync.pack import state
    from campaignsync.pipeline.selection import Selection
    from campaignsync.pipeline.workers import Rendered


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
    quick: bool = False,
    clock: int | None = None,
) -> Checked:
    """Load, render and run every check; silenced codes dropped, --strict applied.

    ``jobs`` is the number of worker processes (0: one per CPU, ``pipeline.default_jobs``).
    With ``prepare`` the rendered outputs are kept ready for :func:`build`.
    With ``cached``, units come from (and go to) the render cache of the
    default output folder, so only what changed since the last build or
    check is rendered, and the answer is kept (``pipeline.lastcheck``). With
    ``quick`` as well, when nothing the last check read has changed, its
    answer is given again without loading anything (project, selection and
    rendered are then None). The diagnostics are the same either way.
    """
    from campaignsync import checks

    key = None
    if cached and not prepare:
        from campaignsync.pipeline import lastcheck

        answer = lastcheck.recall(root, campaign, now, clock) if quick else None
        if answer is not None:
            found = lastcheck.replay(root, answer, now)
            return Checked(None, None, None, tuple(checks.finish(found, answer.ignore, strict)))
        key = lastcheck.stamp(root, campaign, clock)
    from campaignsync.pack.bodyfiles import retried

    project, selection, rendered, diagnostics = retried(
        lambda: _check_all(root, campaign, now, jobs, prepare, cached, key)
    )
    ignore = project.config.ignore if project else frozenset()
    final = checks.finish(diagnostics, ignore, strict)
    return Checked(project, selection, rendered, tuple(final))


@fewer_collections()  # a check's values live to its end too: see pipeline.collecting
def _check_all(
    root: Path,
    campaign: str | None,
    now: datetime,
    jobs: int,
    prepare: bool,
    cached: bool,
    key: state.Stamp | None,
) -> tuple[Project | None, Selection | None, Rendered | None, list[Diagnostic]]:
    """Load, render and run every check; keep the answer under ``key`` (when given)."""
    from campaignsync.load.project import load_project
    from campaignsync.pipeline import lastcheck
    from campaignsync.pipeline.forking import default_jobs
    from campaignsync.pipeline.selection import select

    jobs = jobs or default_jobs()

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
    facts = None
    if project is not None and selection is not None:
        if key is not None:  # before the checks read the glossary
            facts = lastcheck.clock_facts(project, selection.campaign, now)
        rendered, more = _check_outputs(project, selection, now, jobs, prepare, cached)
        diagnostics.extend(more)
        if cached and project.keep_parsed is not None:  # the caches made the output folder
            project.keep_parsed()
    if key is not None:
        facts = facts or (None, None, False, lastcheck.glossary_stamp(root, None))
        lastcheck.remember(root, campaign, key, project, diagnostics, facts)
    return project, selection, rendered, diagnostics


def _check_outputs(
    project: Project, selection: Selection, now: datetime, jobs: int, prepare: bool, cached: bool
) -> tuple[Rendered, list[Diagnostic]]:
    """Render (through the caches when ``cached``) and run the checks; return what they found."""
    from campaignsync import checks

    out = project.root / project.config.paths.out
    texts = inputs = blocks = None
    diagnostics: list[Diagnostic] = []
    if cached and not prepare:
        from campaignsync.pipeline.rechecking import recheck

        again = recheck(project, selection, out, jobs)
        rendered, texts, inputs, blocks = again.rendered, again.texts, again.inputs, again.blocks
        diagnostics.extend(again.found)
    else:
        rendered = _render(project, selection, out, jobs, prepare, cached)
    diagnostics.extend(rendered.diagnostics)
    memo = None
    if cached:
        from campaignsync.pack.lookups import FindingsMemo

        memo = FindingsMemo(out.resolve())
    data = checks.CheckInput(
        project,
        selection.campaign,
        rendered.outputs,
        rendered.lookups,
        now,
        memo,
        texts,
        inputs,
        blocks,
    )
    # With the message checks' findings kept (texts known), only the others run here.
    diagnostics.extend(checks.run_checks(data, None if texts is None else False))
    return rendered, diagnostics


def _render(
    project: Project, selection: Selection, out: Path, jobs: int, prepare: bool, cached: bool
) -> Rendered:
    """Render every unit of a selection, through the render cache when ``cached``."""
    from campaignsync.pipeline.workers import open_cache, render_selection

    cache = open_cache(project, selection, out) if cached else None
    rendered = render_selection(project, selection, jobs, prepare=prepare, cache=cache)
    if cache is not None:
        from campaignsync.pack import cache as unitcache

        unitcache.save_cache(cache)
    return rendered
