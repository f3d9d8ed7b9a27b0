"""Revisions: commits and tags by name, files at a revision, tags made, blame."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.gitrepo.repo import _open, _prefix, _reason, _require_git

if TYPE_CHECKING:
    import git


def resolve(root: Path, rev: str) -> str:
    """Return the commit id that ``rev`` (a commit, tag or branch) names; GitError if none."""
    _require_git()
    import git

    from campaignsync.errors import GitError, UsageError

    if not rev or rev.startswith("-") or any(ord(c) < 32 for c in rev):
        raise UsageError(f"{rev!r} is not a revision")
    with _open(root) as repo:
        if repo is None:
            raise GitError(f"{root} is not in a git repository")
        try:  # git's own parser: HEAD~3, main@{1}, HEAD@{yesterday}, a tag, a sha
            return str(repo.git.rev_parse("--verify", "--quiet", f"{rev}^{{commit}}"))
        except git.GitCommandError:
            raise UsageError(f"unknown revision {rev!r}{_tag_hint(repo, rev)}") from None


def _tag_hint(repo: git.Repo, rev: str) -> str:
    """Name the campaign tags there are when ``rev`` looks like one that is missing."""
    if not rev.startswith("campaign/"):
        return ""
    tags = sorted(str(t.name) for t in repo.tags if str(t.name).startswith("campaign/"))
    known = ", ".join(tags) if tags else "none"
    return f" (campaign tags in this clone: {known}; 'git fetch --tags' gets the shared ones)"


def files_at(root: Path, rev: str, folders: Sequence[str]) -> dict[str, bytes]:
    """Return every regular file below ``folders`` (relative to ``root``) at commit ``rev``.

    Files are read from git's objects, not the work tree; symbolic links are skipped.
    """
    _require_git()
    import git

    with _open(root) as repo:
        if repo is None:
            return {}
        prefix = _prefix(repo, root)
        tree = repo.commit(rev).tree
        found: dict[str, bytes] = {}
        for folder in folders:
            path = f"{prefix}/{folder}" if prefix else folder
            try:
                item = tree / path
            except KeyError:
                continue
            items = item.traverse() if isinstance(item, git.Tree) else [item]
            for blob in items:
                if isinstance(blob, git.Blob) and blob.mode & 0o170000 == 0o100000:
                    name = str(blob.path)
                    found[name[len(prefix) + 1 :] if prefix else name] = blob.data_stream.read()
        return found


def last_tag(root: Path, pattern: str) -> str | None:
    """Return the newest tag matching ``pattern`` reachable from HEAD (None: no such tag)."""
    _require_git()
    import git

    from campaignsync.errors import GitError

    with _open(root) as repo:
        if repo is None:
            raise GitError(f"{root} is not in a git repository")
        try:
            return str(repo.git.describe("--tags", "--abbrev=0", f"--match={pattern}", "HEAD"))
        except git.GitCommandError:
            return None


def tag_exists(root: Path, name: str) -> bool:
    """Return True when the tag ``name`` exists (locally)."""
    with _open(root) as repo:
        return repo is not None and f"refs/tags/{name}" in {t.path for t in repo.tags}


#: How long the shared repository is asked for a tag before the question is dropped.
REMOTE_TIMEOUT_S = 15


def remote_tag(root: Path, remote: str, name: str) -> bool | str:
    """Return whether the remote ``remote`` has the tag ``name``; why not known, if it is not.

    Nothing asks for a password or a host key here: git's prompt is off, and so are ssh's
    (``BatchMode``, unless the user set a command of their own) and a credential
    manager's; the question is dropped after :data:`REMOTE_TIMEOUT_S` seconds.
    """
    _require_git()
    import git

    with _open(root) as repo:
        if repo is None:
            return False
        if remote not in [r.name for r in repo.remotes]:
            return f"no git remote named {remote!r}"
        quiet = {"GIT_TERMINAL_PROMPT": "0", "GCM_INTERACTIVE": "never"}
        # (a GIT_SSH_COMMAND of the user's still comes first: git prefers it to the config)
        own = repo.config_reader().get_value("core", "sshCommand", "")
        command = repo.git if own else repo.git(c="core.sshCommand=ssh -o BatchMode=yes")
        try:
            found = command.ls_remote(
                "--tags", remote, f"refs/tags/{name}", env=quiet,
                kill_after_timeout=REMOTE_TIMEOUT_S,
            )  # fmt: skip
        except git.GitCommandError as exc:
            return _reason(exc)
        return bool(str(found).strip())


def create_tag(root: Path, name: str, message: str, sign: bool) -> str:
    """Create the annotated tag ``name`` at HEAD; return its commit. Never moves a tag."""
    _require_git()
    import git

    from campaignsync.errors import GitError

    with _open(root) as repo:
        if repo is None:
            raise GitError(f"{root} is not in a git repository")
        try:
            tag = repo.create_tag(name, message=message, sign=sign)
        except git.GitCommandError as exc:
            raise GitError(f"git could not create tag {name!r}: {_reason(exc)}") from None
        return str(tag.commit.hexsha)


def signing_configured(root: Path) -> bool:
    """Return True when git has a signing key configured (user.signingkey)."""
    _require_git()
    import git

    with _open(root) as repo:
        if repo is None:
            return False
        try:
            return bool(repo.git.config("--get", "user.signingkey").strip())
        except git.GitCommandError:
            return False


def line_commits(root: Path, rel: str, rev: str | None = None) -> list[str | None]:
    """Return, for each line of the file ``rel``, the commit that last changed it.

    The file is the work tree's, or the one at commit ``rev``. None marks lines
    changed since the last commit; an untracked file gives an empty list. From
    `git blame`, so lines that only moved keep their history.
    """
    _require_git()
    import git

    with _open(root) as repo:
        if repo is None:
            return []
        prefix = _prefix(repo, root)
        path = f"{prefix}/{rel}" if prefix else rel
        try:
            text = repo.git.blame("--porcelain", *([rev] if rev else []), "--", path)
        except git.GitCommandError:
            return []
    commits: list[str | None] = []
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("\t"):
            commits.append(current)
        elif not line.startswith(("\t", " ")) and len(line) > 40 and line[40] == " ":
            sha = line[:40]
            if all(c in "0123456789abcdef" for c in sha):
                current = None if sha == "0" * 40 else sha
    return commits


def commit_order(root: Path, rev: str | None = None) -> dict[str, int]:
    """Return every commit reachable from ``rev`` (HEAD) by age: 0 is the newest."""
    with _open(root) as repo:
        if repo is None:
            return {}
        listed = repo.git.rev_list("--topo-order", rev or "HEAD").split()
    return {sha: index for index, sha in enumerate(listed)}
