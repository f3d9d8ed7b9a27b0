"""The catalogs a selection reads: taken from the catalog memo, or read in forked processes.

Read before rendering, by the parent: a clean build's locales in as many processes as
it renders in, each also parsing its locale's hyphenation dictionary for the workers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.model import Diagnostic, Locale, Project
from campaignsync.pipeline.forking import in_processes
from campaignsync.pipeline.selection import Selection

if TYPE_CHECKING:
    from campaignsync.l10n import catalog


def read_catalogs(
    project: Project,
    selection: Selection,
    out: Path | None,
    jobs: int = 1,
    units: int = 0,
    settled: int | None = None,
) -> tuple[dict[str, catalog.Lookup], list[Diagnostic]]:
    """Return the catalogs a selection reads (kept in the cache folder of ``out``, if given).

    With ``jobs`` above 1, for ``units`` worth rendering in parallel, those to read are
    read in that many forked processes, a share each: those whose PO file this process
    read before are taken from the memo, a file changed before ``settled`` (ns) known by
    its identity then (``lookups.po_digest``); smaller builds hash every PO file.
    """
    from campaignsync.l10n.catalog import load_lookups
    from campaignsync.pack.lookups import CatalogMemo

    chosen = None if not selection.partial else (loc.tag for loc in selection.locales)
    memo = CatalogMemo(out, project.config.paths.locales, settled) if out is not None else None
    from campaignsync.pipeline.workers import forks

    if selection.partial or not forks(jobs, units):
        return load_lookups(project.root, project.config, chosen, memo)
    locales = project.config.locales
    # Catalogs read before are taken here (a process would send them back to be unpickled
    # here all the same), the others (a PO file edited) read in processes; in config order.
    known = [memo.known(project.root, project.config, loc) if memo else None for loc in locales]
    todo = [loc for loc, kept in zip(locales, known, strict=True) if kept is None]
    read = iter(in_processes(_read_catalog, (project, memo, os.getpid()), todo, jobs))
    loaded = [kept or next(read) for kept in known]
    lookups = {loc.tag: lookup for loc, (lookup, _) in zip(locales, loaded, strict=True)}
    return lookups, [d for _, found in loaded for d in found]


def _read_catalog(job: tuple[Project, Any, int], locale: Locale) -> catalog.Loaded:
    """Return one locale's catalog read for ``job`` (the project and the catalog memo).

    In a forked process (the parent's pid is the job's third), its hyphenation dictionary
    is parsed too, and kept beside the memo, where the parent takes it before rendering
    (``hyphenation.prime``): a clean build's parent had parsed all 26 alone (0.8 s).
    """
    from campaignsync.l10n.catalog import load_lookup
    from campaignsync.pack import hyphenation

    project, memo, parent = job
    loaded = load_lookup(project.root, project.config, locale, memo)
    if memo is not None and os.getpid() != parent:
        hyphenation.prime(memo.folder.parent, (locale.tag,))
    return loaded
