"""Fast-forwarding from the shared repository, never merging."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.gitrepo.repo import _open, _reason, _require_git, _unfinished

if TYPE_CHECKING:
    import git


@dataclass(frozen=True, slots=True)
class Pulled:
    """What a fast-forward did: the commits before and after."""

    branch: str
    before: str
    after: str
    commits: int  # how many commits arrived (0: already up to date)
    ahead: int  # local commits not on the remote branch (nothing to pull, push them)
    replaced: int = 0  # local commits left behind because the remote has their changes


def fast_forward(root: Path, remote: str, branch: str | None) -> Pulled:
    """Fetch ``remote``/``branch`` (None: the current one) and fast-forward to it.

    Never merges, rebases or stashes: a dirty tree, a detached HEAD, a missing
    remote or a diverged branch raise GitError saying what to do. Local
    commits whose changes the remote already has (see ``_upstream_has``) are
    not a divergence: the branch moves to the remote's commit, as a fast-forward
    from those changes would, and ``replaced`` counts the commits left behind.
    """
    _require_git()
    import git

    from campaignsync.errors import GitError

    with _open(root) as repo:
        if repo is None:
            raise GitError(f"{root} is not in a git repository; clone the shared repository first")
        before, branch = _ready_to_sync(repo, remote, branch)
        try:
            repo.remote(remote).fetch(f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        except git.GitCommandError as exc:
            raise GitError(f"cannot fetch {branch!r} from {remote!r}: {_reason(exc)}") from None
        target_commit = repo.commit(f"refs/remotes/{remote}/{branch}")
        target, head_commit = target_commit.hexsha, repo.head.commit
        if target == before:
            return Pulled(branch, before, before, 0, 0)
        if repo.is_ancestor(target_commit, head_commit):
            ahead = int(repo.git.rev_list("--count", f"{target}..{before}"))
            return Pulled(branch, before, before, 0, ahead)
        commits = int(repo.git.rev_list("--count", f"{before}..{target}"))
        replaced = 0
        if not repo.is_ancestor(head_commit, target_commit):
            replaced = int(repo.git.rev_list("--count", f"{target}..{before}"))
            if not _upstream_has(repo, before, target):
                raise GitError(
                    f"your branch and {remote}/{branch} have diverged ({replaced} local and "
                    f"{commits} remote commits); merge or rebase them yourself, then sync again"
                )
        try:
            if replaced:  # --keep refuses to touch a changed or untracked file in the way
                repo.git.reset("--keep", "--quiet", target)
            else:
                repo.git.merge("--ff-only", "--quiet", target)
        except git.GitCommandError as exc:
            raise GitError(f"git refused the fast-forward: {_reason(exc)}") from None
        return Pulled(branch, before, target, commits, 0, replaced)


def _ready_to_sync(repo: git.Repo, remote: str, branch: str | None) -> tuple[str, str]:
    """Return HEAD's commit and the branch to sync; GitError when the clone is not ready."""
    from campaignsync.errors import GitError

    try:
        before = repo.head.commit.hexsha
    except ValueError:
        raise GitError("the repository has no commit yet; nothing to sync onto") from None
    waiting = _unfinished(repo)  # (a rebase stopped on a conflict leaves HEAD detached)
    if waiting is not None:
        raise GitError(f"{waiting}, then sync again")
    if repo.head.is_detached:
        if branch is None:
            raise GitError(
                "HEAD is detached and campaignsync.toml names no [git] branch; "
                "switch to your branch first (git switch main)"
            )
        raise GitError(
            f"HEAD is detached at {before[:12]}; switch to your branch first (git switch {branch})"
        )
    branch = branch or repo.active_branch.name
    changed = [line for line in repo.git.status("--porcelain", "--untracked-files=no").splitlines()]
    if changed:
        files = ", ".join(line[3:] for line in changed[:3]) + (" ..." if len(changed) > 3 else "")
        raise GitError(
            f"the work tree has uncommitted changes ({files}); commit or stash them "
            "yourself, then sync again"
        )
    if remote not in [r.name for r in repo.remotes]:
        known = ", ".join(r.name for r in repo.remotes) or "none"
        raise GitError(
            f"no git remote named {remote!r} (remotes: {known}); add it with "
            f"'git remote add {remote} URL' or set [git] remote in campaignsync.toml"
        )
    return before, branch


def _upstream_has(repo: git.Repo, local: str, upstream: str) -> bool:
    """Return True when every change of the commits only ``local`` has is in ``upstream``.

    Either merging ``local`` into ``upstream`` would leave upstream's tree as it
    is (the same changes, however they were committed), or each local commit is
    the same patch as one of upstream's (what `git cherry` and `git rebase` call
    already applied; upstream may have built on it since). Local merge commits
    only pass the first test.
    """
    import git

    try:
        merged = repo.git.merge_tree("--write-tree", "--no-messages", upstream, local)
    except git.GitCommandError:  # conflicts (or a git before 2.38): try the patches
        merged = ""
    if merged.split("\n", 1)[0] == repo.commit(upstream).tree.hexsha:
        return True
    if repo.git.rev_list("--merges", f"{upstream}..{local}"):
        return False
    unmatched = repo.git.rev_list("--no-merges", "--right-only", "--cherry-pick",
                                  f"{upstream}...{local}")  # fmt: skip
    return not unmatched
