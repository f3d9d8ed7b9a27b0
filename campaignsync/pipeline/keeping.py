"""What a build keeps once its pack is assembled: the render cache and ``check``'s answer.

With more than one process, each may be kept in a forked process of its own while the
parent writes the pack (:meth:`Keeping.after`); the parent waits for them, and keeps
itself what such a process did not (:func:`keep`).
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaignsync.model import Project
    from campaignsync.pack import cache as unitcache
    from campaignsync.pipeline.assembly import Assembled
    from campaignsync.pipeline.forking import Detached
    from campaignsync.pipeline.lastcheck import Pending
    from campaignsync.pipeline.selection import Selection
    from campaignsync.pipeline.workers import Rendered


def keep(cache: unitcache.Cache, rendered: Rendered, answers: Keeping) -> None:
    """Write the render cache, then keep ``check``'s answer if asked (:meth:`Keeping.after` first).

    Each is kept here unless a process of its own kept it (:class:`Keeping`). The
    body files no saved shard names are deleted here, once nothing reads them (the
    writer and the answer's process may have, meanwhile), whoever saved the shards.
    """
    from campaignsync.pack import cache as unitcache

    if not answers.saved():
        unitcache.save_cache(cache)
    if answers.kept() is None:
        answers.keep(rendered)
    unitcache.let_go(cache)  # nothing reads the units' bytes any more


def _save_beside(cache: unitcache.Cache) -> None:
    """Save the render cache in a process of its own; name what it left for the build.

    The body files its shards no longer name are listed in ``.unnamed.<pid>`` rather
    than deleted: the build's writer may be reading them (see :func:`_left_by`).
    """
    from campaignsync import paths
    from campaignsync.pack import cache as unitcache

    unitcache.save_cache(cache)
    names = "".join(f"{path.name}\n" for path in sorted(cache.unnamed))
    paths.write_atomic(cache.folder / f".unnamed.{os.getpid()}", names.encode("utf-8"))


def _left_by(cache: unitcache.Cache, pid: int, saved: bool) -> None:
    """Take in what the process ``pid`` that saved ``cache`` left, or clear up after it.

    Saved: each body file it listed, of a message this build wrote again, is to be deleted
    (``cache.unnamed``). Not saved (it failed or was killed): the files it was writing
    are deleted, and this build saves the shards itself.
    """
    from campaignsync.pack import bodyfiles

    listed = cache.folder / f".unnamed.{pid}"
    try:
        text = listed.read_text(encoding="utf-8") if saved else ""
    except (OSError, UnicodeError):
        text = ""
    for name in text.splitlines():
        message_id = bodyfiles.message_of(name)
        if message_id in cache.dirty and bodyfiles.body_name(name, message_id):
            cache.unnamed.add(cache.folder / name)
    with contextlib.suppress(OSError):  # a file that cannot be deleted only takes space
        listed.unlink(missing_ok=True)
        for half in () if saved else cache.folder.glob(f".*.{pid}.tmp"):
            half.unlink(missing_ok=True)


class Keeping:
    """``check``'s answer and the render cache, kept in forked processes while the pack is written.

    See :meth:`after`.
    """

    def __init__(
        self,
        check: Pending | None,
        project: Project,
        selection: Selection,
        cache: unitcache.Cache | None,
        whole: bool,
        jobs: int,
    ) -> None:
        self.check, self.project, self.selection = check, project, selection
        #: The render cache, whether the outputs kept their bytes, the processes to use.
        self.cache, self.whole, self.jobs = cache, whole, jobs
        #: The process keeping the answer, if one does (see :meth:`after`).
        self.answering: Detached | None = None
        #: The process saving the render cache, if one does (see :meth:`after`).
        self.saving: Detached | None = None

    def after(self, assembled: Assembled, rendered: Rendered) -> Assembled:
        """Start keeping the answer in a process of its own, once the pack is assembled.

        Not before: a pack with errors writes nothing, no answer either. With more than
        one process and enough to check (``workers.forks``). What the answer reads of the
        render cache is the findings of the messages just rendered, written first.

        The render cache's shards are saved in another process when as many units are to
        be saved (a template edited: every message's shard is written again, seconds
        beside the writer's), the gallery having drawn their cards by then. A clean
        build's renderers saved theirs.
        """
        cache = self.cache
        if cache is None:
            return assembled
        from campaignsync.pack import cache as unitcache
        from campaignsync.pipeline.forking import detach
        from campaignsync.pipeline.workers import forks

        selection = self.selection
        units = len(self.project.messages_of(selection.campaign)) * len(selection.locales)
        if self.answering is None and self.check is not None and forks(self.jobs, units):
            unitcache.save_found(cache)
            self.answering = detach(self.keep, rendered)
        unitcache.keep_drawn(cache, cache.drawn)  # (which makes some messages' shards dirty)
        to_save = sum(len(cache.units.get(m, ())) for m in cache.dirty)
        if self.saving is None and to_save and forks(self.jobs, to_save):
            self.saving = detach(_save_beside, cache)
        return assembled

    def keep(self, rendered: Rendered) -> bool:
        """Keep the answer, in this process (see :func:`lastcheck.keep_built`).

        A file it cannot write fails no build (the pack is written by then): an answer
        not kept is only a longer ``check``.
        """
        from campaignsync.pipeline import lastcheck

        if self.check is None or self.cache is None:
            return False
        with contextlib.suppress(OSError):
            return lastcheck.keep_built(self.check, self.project, self.selection, rendered,
                                        self.cache, self.whole, self.jobs)  # fmt: skip
        return False

    def kept(self) -> bool | None:
        """Wait for the answer's process; return whether it ended well (None: none ran).

        A process that failed or was killed keeps no answer, and fails no build whose
        pack is written: ``check`` finds it all.
        """
        return self.answering.wait() if self.answering is not None else None

    def saved(self) -> bool:
        """Wait for the process saving the render cache; return whether it saved it.

        False when none ran, or it failed or was killed: then this process saves it.
        """
        if self.saving is None or self.cache is None:
            return False
        ended = self.saving.wait()
        _left_by(self.cache, self.saving.process.pid, ended)
        return ended
