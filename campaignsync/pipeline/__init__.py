"""The pipeline: load -> localize -> render -> pack, split across processes by locale.

- ``selection``: which campaign, locales and channels to build;
- ``workers``: rendering the message x locale units, here or in forked workers;
- ``checking``: ``check``, every check over the rendered outputs;
- ``assembly``: everything a pack holds, in memory (outputs, extras, manifest);
- ``building``: ``build``, the pack written, and the no-change test before it.

The names other modules use are imported here, so ``pipeline.build`` and
``pipeline.select`` read as the steps they are.
"""

from __future__ import annotations

from campaignsync.pipeline.assembly import (
    Assembled,
    assemble,
    input_paths,
    pack_epoch,
    pack_extras,
    source_info,
)
from campaignsync.pipeline.building import (
    Built,
    Options,
    Outcome,
    Request,
    build,
    build_pack,
    fingerprint,
    output_folder,
    unchanged,
)
from campaignsync.pipeline.checking import Checked, check
from campaignsync.pipeline.selection import Selection, known_partners, select
from campaignsync.pipeline.workers import (
    Progress,
    Rendered,
    WorkContext,
    default_jobs,
    in_processes,
    open_cache,
    render_selection,
    render_units,
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
    "input_paths",
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
