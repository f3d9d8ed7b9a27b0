"""Opening a repository safely: a git program found, the repository's own config disarmed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import git

#: Settings forced on every git command: a repository's own config must not make
#: campaignsync run programs (core.fsmonitor runs one on every `git status`).
_SAFE_CONFIG = {"core.fsmonitor": "false", "core.hooksPath": "/dev/null"}


def _require_git() -> None:
    """Raise GitError when GitPython cannot find a git program to run."""
    from campaignsync.errors import GitError

    try:
        import git  # noqa: F401 - GitPython refuses to import without a git program
    except ImportError:
        raise GitError(
            "git is not installed (or not on PATH); install git to use this command"
        ) from None


@contextmanager
def _open(root: Path) -> Iterator[git.Repo | None]:
    """Yield the repository holding ``root`` (None outside git, or without git), safely set."""
    from campaignsync.errors import GitError

    try:
        _require_git()
    except GitError:
        yield None
        return
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        yield None
        return
    # As `git -c`: the user's own GIT_CONFIG_* settings (safe.directory, say) still apply.
    repo.git.set_persistent_git_options(c=[f"{k}={v}" for k, v in _SAFE_CONFIG.items()])
    with repo:
        try:
            yield repo
        except git.GitCommandError as exc:  # a broken repository, say; callers catch the expected
            raise GitError(f"git failed in {repo.working_tree_dir}: {_reason(exc)}") from None


def _reason(exc: git.GitCommandError) -> str:
    """Return git's own one-line reason for a failed command."""
    lines = [line.strip().removeprefix("stderr: ").strip(" '") for line in
             str(exc.stderr or "").splitlines()]  # fmt: skip
    lines = [line for line in lines if line]
    for line in lines:
        if line.startswith(("fatal: ", "error: ")):
            return line.split(": ", 1)[1]
    return lines[-1] if lines else f"exit status {exc.status}"


def _prefix(repo: git.Repo, root: Path) -> str:
    """Return where ``root`` lies inside the work tree ("" at its top), for pathspecs."""
    top = Path(repo.working_tree_dir or root).resolve()
    return root.resolve().relative_to(top).as_posix() if root.resolve() != top else ""


#: What git leaves in the repository's own folder while an operation waits for the
#: user, with how to finish or abort it; the first found is the one told.
_UNFINISHED = (
    ("rebase-merge", "a rebase", "git rebase --continue", "git rebase --abort"),
    ("rebase-apply/applying", "'git am'", "git am --continue", "git am --abort"),
    ("rebase-apply", "a rebase", "git rebase --continue", "git rebase --abort"),
    ("MERGE_HEAD", "a merge", "git commit", "git merge --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --continue", "git revert --abort"),
    # Between the commits of a cherry-pick or revert of several, past a resolved conflict:
    (
        "sequencer",
        "a cherry-pick or revert",
        "git cherry-pick --continue, or git revert --continue",
        "git cherry-pick --abort, or git revert --abort",
    ),
    ("BISECT_LOG", "a bisect", "git bisect reset", "git bisect reset"),
)


def _unfinished(repo: git.Repo) -> str | None:
    """Return what to do about an operation git has not finished (None: there is none)."""
    folder = Path(repo.git_dir)
    for name, what, finish, abort in _UNFINISHED:
        if (folder / name).exists():
            if finish == abort:
                return f"{what} is not finished: end it ({finish}) first"
            return f"{what} is not finished: finish it ({finish}) or abort it ({abort}) first"
    return None
