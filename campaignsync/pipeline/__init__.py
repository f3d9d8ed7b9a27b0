"""The pipeline: load -> localize -> render -> pack, split across processes by locale.

- ``selection``: which campaign, locales and channels to build;
- ``catalogs``: the catalogs a selection reads, before rendering (from the memo, or
  read in forked processes);
- ``workers``: rendering the message x locale units, here or in forked workers (a clean
  build's also make each message's gallery page);
- ``forking``: pools of forked processes (units rendered, catalogs read in parallel);
- ``collecting``: the garbage collector's pace while a build's values pile up;
- ``checking``: ``check``, every check over the rendered outputs;
- ``assembly``: everything a pack holds, in memory (outputs, extras, manifest);
- ``nochange``: ``build`` as the command asks it, the no-change test first;
- ``building``: the pack written, when the no-change test says a build is needed.

The names other modules use are given here, so ``pipeline.build`` and
``pipeline.select`` read as the steps they are. Each module is imported when one
of its names is first asked for: ``build`` with nothing changed imports
``nochange`` alone, not the libraries that loading and rendering need.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaignsync.pipeline.assembly import (
        Assembled,
        assemble,
        pack_epoch,
        pack_extras,
        source_info,
    )
    from campaignsync.pipeline.building import Built, build
    from campaignsync.pipeline.checking import Checked, check
    from campaignsync.pipeline.forking import default_jobs, in_processes
    from campaignsync.pipeline.nochange import (
        Options,
        Outcome,
        Request,
        build_pack,
        fingerprint,
        output_folder,
        unchanged,
    )
    from campaignsync.pipeline.selection import Selection, known_partners, select
    from campaignsync.pipeline.workers import (
        Progress,
        Rendered,
        WorkContext,
        open_cache,
        render_selection,
        render_units,
    )

#: Each module's names (``__all__`` lists them all), as ``__getattr__`` finds them.
_ASSEMBLY = frozenset({"Assembled", "assemble", "pack_epoch", "pack_extras", "source_info"})
_BUILDING = frozenset({"Built", "build"})
_CHECKING = frozenset({"Checked", "check"})
_FORKING = frozenset({"default_jobs", "in_processes"})
_NOCHANGE = frozenset(
    {"Options", "Outcome", "Request", "build_pack", "fingerprint", "output_folder", "unchanged"}
)
_SELECTION = frozenset({"Selection", "known_partners", "select"})
_WORKERS = frozenset(
    {"Progress", "Rendered", "WorkContext", "open_cache", "render_selection", "render_units"}
)

__all__ = [
    "Assembled",
    "Built",
    "Checked",
    "Options",
    "Outcome",
    "Progress",
    "Rendered",
    "Request",
    "Selection",
    "WorkContext",
    "assemble",
    "build",
    "build_pack",
    "check",
    "default_jobs",
    "fingerprint",
    "in_processes",
    "known_partners",
    "open_cache",
    "output_folder",
    "pack_epoch",
    "pack_extras",
    "render_selection",
    "render_units",
    "select",
    "source_info",
    "unchanged",
]


def __getattr__(name: str) -> Any:
    """Return a name of the pipeline, importing its module on first use."""
    value = getattr(_home(name), name)
    globals()[name] = value  # asked once
    return value


def _home(name: str) -> ModuleType:
    """Return the module that defines ``name`` (imported now if it was not yet)."""
    if name in _NOCHANGE:
        from campaignsync.pipeline import nochange

        return nochange
    if name in _SELECTION:
        from campaignsync.pipeline import selection

        return selection
    if name in _WORKERS:
        from campaignsync.pipeline import workers

        return workers
    if name in _FORKING:
        from campaignsync.pipeline import forking

        return forking
    if name in _CHECKING:
        from campaignsync.pipeline import checking

        return checking
    if name in _ASSEMBLY:
        from campaignsync.pipeline import assembly

        return assembly
    if name in _BUILDING:
        from campaignsync.pipeline import building

        return building
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
