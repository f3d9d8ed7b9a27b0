"""Everything campaignsync asks of git, through GitPython; no other module imports git."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Head:
    """The commit a work tree is on, and whether the tree differs from it."""

    commit: str
    time: int
    dirty: bool
    branch: str | None
    shallow: bool


def head(root: Path) -> Head | None:
    """Return the HEAD of the repository holding ``root``, or None outside git.

    An empty repository (no commit yet) counts as outside git.
    """
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    with repo:
        try:
            commit = repo.head.commit
        except ValueError:
            return None
        try:
            branch: str | None = repo.active_branch.name
        except TypeError:
            branch = None
        shallow = repo.git.rev_parse("--is-shallow-repository") == "true"
        return Head(
            commit=commit.hexsha,
            time=int(commit.committed_date),
            dirty=repo.is_dirty(untracked_files=True),
            branch=branch,
            shallow=shallow,
        )


def init(folder: Path) -> None:
    """Create an empty git repository in ``folder``."""
    import git

    git.Repo.init(folder).close()
