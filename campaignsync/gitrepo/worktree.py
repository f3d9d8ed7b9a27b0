"""The work tree: HEAD, what changed in it and when, its state before sync and release."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from campaignsync.gitrepo.repo import _SAFE_CONFIG, _open, _prefix, _require_git, _unfinished

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Head:
    """The commit a work tree is on, and whether its campaign files differ from it."""

    commit: str
    time: int
    dirty: bool


def _from_head(root: Path, read: Callable[[Any], T]) -> T | None:
    """Return ``read(HEAD's commit)``, or None outside git or before the first commit."""
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            return read(repo.head.commit)
        except ValueError:
            return None


def head_id(root: Path) -> str | None:
    """Return the commit id of HEAD, or None outside git or before the first commit.

    Asked of the git program itself: the no-change test of ``build`` asks git this
    and nothing else, in less time than importing GitPython takes.
    """
    import subprocess

    safe = [arg for key, value in _SAFE_CONFIG.items() for arg in ("-c", f"{key}={value}")]
    try:
        done = subprocess.run(
            ["git", *safe, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git program (GitPython would not open the repository either)
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and commit else None


def head_time(root: Path) -> int | None:
    """Return the commit time of HEAD, or None outside git or before the first commit."""
    return _from_head(root, lambda commit: int(commit.committed_date))


def head(root: Path, paths: Sequence[str]) -> Head | None:
    """Return the HEAD of the repository holding ``root``, or None outside git.

    ``dirty`` says whether any of ``paths`` (relative to ``root``) differs from
    HEAD, untracked files included. An empty repository (no commit yet) counts
    as outside git.
    """
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            commit = repo.head.commit
        except ValueError:
            return None
        prefix = _prefix(repo, root)
        scoped = [f"{prefix}/{p}" if prefix else p for p in paths]
        dirty = bool(repo.git.status("--porcelain", "--untracked-files=all", "--", *scoped))
        return Head(
            commit=commit.hexsha,
            time=int(commit.committed_date),
            dirty=dirty,
        )


@dataclass(frozen=True, slots=True)
class FileChange:
    """The latest change to one file: a commit (id and time) or an uncommitted edit."""

    path: str  # relative to the campaign root
    commit: str | None  # None: changed in the work tree, not committed
    time: int | None  # commit time, seconds since 1970
    deleted: bool = False


def changes_since(
    root: Path, folder: str, since: int, until: int | None = None
) -> tuple[FileChange, ...] | None:
    """Return the files below ``folder`` changed by commits after ``since`` or not committed.

    Commits after ``until`` (when given) are left out, so a check run "as of"
    a past date sees the history as it was then.

    ``folder`` is relative to ``root``; so are the paths returned. Commit
    times are committer times (when a change landed, not when it was
    written). None outside git or before the first commit.
    """
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            repo.head.commit  # noqa: B018 - raises ValueError before the first commit
        except ValueError:
            return None
        prefix = _prefix(repo, root)
        scoped = f"{prefix}/{folder}" if prefix else folder
        shallow = repo.git.rev_parse("--is-shallow-repository") == "true"
        window = [f"--since=@{since}", *([f"--until=@{until}"] if until is not None else [])]
        log = repo.git.log(
            *window,
            "--format=commit %H %ct %P",
            "--name-status",
            "--no-renames",
            "--",
            scoped,
        )
        status = repo.git.status(
            "--porcelain", "--untracked-files=all", "--no-renames", "--", scoped
        )
    found: dict[str, FileChange] = {}
    strip = len(prefix) + 1 if prefix else 0
    for line in status.splitlines():
        path = line[3:].strip('"')[strip:]
        found.setdefault(path, FileChange(path, None, None, line[:2].strip() == "D"))
    commit: tuple[str, int] | None = None
    for line in log.splitlines():
        if line.startswith("commit "):
            sha, when, *parents = line.split()[1:]
            # A shallow clone's oldest commit looks like it adds every file.
            inside = since < int(when) <= (until if until is not None else int(when))
            keep = inside and bool(parents or not shallow)
            commit = (sha, int(when)) if keep else None
        elif commit is not None and "\t" in line:
            kind, _, path = line.partition("\t")
            path = path[strip:]
            found.setdefault(path, FileChange(path, commit[0], commit[1], kind == "D"))
    return tuple(sorted(found.values(), key=lambda c: c.path))


def init(folder: Path) -> None:
    """Create an empty git repository in ``folder``, on a branch named main."""
    _require_git()
    import git

    git.Repo.init(folder, initial_branch="main").close()


@dataclass(frozen=True, slots=True)
class TreeState:
    """What sync and release must know before touching anything."""

    commit: str | None
    branch: str | None
    shallow: bool
    changed: tuple[str, ...]  # `git status --porcelain` lines: modified, staged or untracked
    #: What to do about an operation git has not finished (a rebase stopped on a conflict).
    unfinished: str | None = None


def state(root: Path) -> TreeState | None:
    """Return the state of the work tree holding ``root``, or None outside git."""
    _require_git()
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            commit: str | None = repo.head.commit.hexsha
        except ValueError:
            commit = None
        try:
            branch: str | None = repo.active_branch.name
        except TypeError:
            branch = None
        porcelain = repo.git.status("--porcelain", "--untracked-files=all")
        return TreeState(
            commit=commit,
            branch=branch,
            shallow=repo.git.rev_parse("--is-shallow-repository") == "true",
            changed=tuple(line for line in porcelain.splitlines() if line),
            unfinished=_unfinished(repo),
        )
