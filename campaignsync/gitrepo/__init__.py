"""Everything campaignsync asks of git, through GitPython; nothing outside imports git.

- ``repo``: opening a repository safely (the one place a ``git.Repo`` is made);
- ``worktree``: HEAD, changes to files, the state of the work tree, ``init``;
- ``sync``: fast-forwarding from the shared repository;
- ``history``: revisions and tags by name, files at a revision, tags, blame.

GitPython is imported inside the functions: it costs more to import than a
no-change build takes, and most commands never need it.
"""

from __future__ import annotations

from campaignsync.gitrepo.history import (
    commit_order,
    create_tag,
    files_at,
    last_tag,
    line_commits,
    remote_tag,
    resolve,
    signing_configured,
    tag_exists,
)
from campaignsync.gitrepo.sync import Pulled, fast_forward
from campaignsync.gitrepo.worktree import (
    FileChange,
    Head,
    TreeState,
    changes_since,
    head,
    head_id,
    head_time,
    init,
    state,
)

__all__ = [
    "FileChange",
    "Head",
    "Pulled",
    "TreeState",
    "changes_since",
    "commit_order",
    "create_tag",
    "fast_forward",
    "files_at",
    "head",
    "head_id",
    "head_time",
    "init",
    "last_tag",
    "line_commits",
    "remote_tag",
    "resolve",
    "signing_configured",
    "state",
    "tag_exists",
]
