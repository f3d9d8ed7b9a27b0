"""Everything campaignsync asks of git, through GitPython; no other module imports git.

GitPython is imported inside the functions: it costs more to import than a
no-change build takes, and most commands never need it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git

#: Settings forced on every git command: a repository's own config must not make
#: campaignsync run programs (core.fsmonitor runs one on every `git status`).
_SAFE_CONFIG = {"core.fsmonitor": "false", "core.hooksPath": "/dev/null"}


@dataclass(frozen=True, slots=True)
class Head:
    """The commit a work tree is on, and whether its campaign files differ from it."""

    commit: str
    time: int
    dirty: bool
    branch: str | None
    shallow: bool


@contextmanager
def _open(root: Path) -> Iterator[git.Repo | None]:
    """Yield the repository holding ``root`` (None outside git), with safe settings."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        yield None
        return
    environment = {"GIT_CONFIG_COUNT": str(len(_SAFE_CONFIG))}
    for index, (key, value) in enumerate(_SAFE_CONFIG.items()):
        environment[f"GIT_CONFIG_KEY_{index}"] = key
        environment[f"GIT_CONFIG_VALUE_{index}"] = value
    repo.git.update_environment(**environment)
    with repo:
        yield repo


def head_id(root: Path) -> str | None:
    """Return the commit id of HEAD, or None outside git or before the first commit."""
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            return str(repo.head.commit.hexsha)
        except ValueError:
            return None


def head(root: Path, paths: Sequence[str] = ()) -> Head | None:
    """Return the HEAD of the repository holding ``root``, or None outside git.

    ``dirty`` says whether any of ``paths`` (relative to ``root``; all files
    when empty) differs from HEAD, untracked files included. An empty
    repository (no commit yet) counts as outside git.
    """
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            commit = repo.head.commit
        except ValueError:
            return None
        try:
            branch: str | None = repo.active_branch.name
        except TypeError:
            branch = None
        top = Path(repo.working_tree_dir or root).resolve()
        prefix = root.resolve().relative_to(top).as_posix() if root.resolve() != top else ""
        scoped = [f"{prefix}/{p}" if prefix else p for p in paths]
        if scoped:
            dirty = bool(repo.git.status("--porcelain", "--untracked-files=all", "--", *scoped))
        else:
            dirty = repo.is_dirty(untracked_files=True)
        return Head(
            commit=commit.hexsha,
            time=int(commit.committed_date),
            dirty=dirty,
            branch=branch,
            shallow=repo.git.rev_parse("--is-shallow-repository") == "true",
        )


def init(folder: Path) -> None:
    """Create an empty git repository in ``folder``."""
    import git

    git.Repo.init(folder).close()
