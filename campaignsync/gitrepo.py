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


def head_id(root: Path) -> str | None:
    """Return the commit id of HEAD, or None outside git or before the first commit."""
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            return str(repo.head.commit.hexsha)
        except ValueError:
            return None


def head_time(root: Path) -> int | None:
    """Return the commit time of HEAD, or None outside git or before the first commit."""
    with _open(root) as repo:
        if repo is None:
            return None
        try:
            return int(repo.head.commit.committed_date)
        except ValueError:
            return None


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
        )


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
