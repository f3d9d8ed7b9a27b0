"""``check``: load, render and run every check over a campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaignsync.errors import BuildError
from campaignsync.model import Diagnostic, Project
from campaignsync.pipeline.selection import Selection, select
from campaignsync.pipeline.workers import Rendered, open_cache, render_selection


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
        cache = open_cache(project, selection, out) if cached else None
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
