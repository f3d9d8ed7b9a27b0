"""Paths inside a campaign repository: where its parts are, no escapes, no symbolic links.

The layout (the config file, the folders of ``[paths]``, :func:`find_root`) is read
here without loading the config, for the no-change tests of ``build`` and ``check``.
"""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

from campaignsync.errors import ConfigError, UsageError

MAX_FILE_BYTES = 512 * 1024
#: The mode of every file campaignsync writes.
FILE_MODE = 0o644
#: The file that makes a folder a campaign repository.
CONFIG_NAME = "campaignsync.toml"


@dataclass(frozen=True, slots=True)
class Paths:
    """Where the parts of a campaign repository live, relative to its root."""

    content: str = "content"
    locales: str = "locales"
    templates: str = "templates"
    out: str = "dist"


def input_paths(folders: Paths) -> tuple[str, ...]:
    """Return what a build reads, relative to the repository root."""
    return (CONFIG_NAME, folders.content, folders.locales, folders.templates)


def read_by_builds(folders: Paths, out: PurePosixPath) -> str | None:
    """Return the folder a build reads (content, locales, templates) that is or holds ``out``.

    ``out``: a folder relative to the repository root. None when it is in none of them.
    """
    for name in (folders.content, folders.locales, folders.templates):
        if out == PurePosixPath(name) or PurePosixPath(name) in out.parents:
            return name
    return None


def outside_inputs(root: Path, folders: Paths, out: Path, typed: bool = False) -> None:
    """Raise ConfigError when the output folder ``out`` (resolved) is in a folder a build reads.

    Its packs would be read back as input: every build would find its inputs changed.
    ``typed``: given on the command line (UsageError).
    """
    base = root.resolve()
    if base not in out.parents:
        return
    shown = PurePosixPath(out.relative_to(base).as_posix())
    name = read_by_builds(folders, shown)
    if name is not None:
        where = "" if shown == PurePosixPath(name) else "inside "
        raise (UsageError if typed else ConfigError)(
            f"the output folder {shown} is {where}{name}/, which a build reads: choose one "
            f"outside {folders.content}/, {folders.locales}/ and {folders.templates}/ "
            "(--out, or [paths] out in campaignsync.toml)"
        )


def read_paths(root: Path) -> Paths:
    """Return the ``[paths]`` of ``campaignsync.toml`` without validating anything else.

    For the quick no-change tests; any problem gives the defaults, and the full
    load that follows reports it properly.
    """
    keys = {f.name for f in fields(Paths)}
    try:
        table = tomllib.loads((root / CONFIG_NAME).read_text(encoding="utf-8")).get("paths", {})
        values = {k: v for k, v in table.items() if k in keys and isinstance(v, str)}
        return Paths(**{k: v for k, v in values.items() if is_inside(v)})
    except (OSError, ValueError, AttributeError):
        return Paths()


def find_root(start: Path) -> Path:
    """Return the nearest directory at or above ``start`` holding ``campaignsync.toml``.

    The search stops at the top of a git work tree: a stray config above the
    repository (in a home or temporary folder) is never picked up by mistake.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
        if (folder / ".git").exists():
            raise ConfigError(
                f"no {CONFIG_NAME} in {start} or any folder above it up to the top of its "
                f"git repository ({folder}); run the command inside a campaign repository, "
                "pass --repo, or create one with 'campaignsync init DIR'"
            )
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any folder above it; "
        "run the command inside a campaign repository, pass --repo, "
        "or create one with 'campaignsync init DIR'"
    )


def is_inside(relative: str) -> bool:
    """Return True when a relative path cannot leave the folder it is joined to."""
    if not relative or "\\" in relative or "\x00" in relative:
        return False
    pure = PurePosixPath(relative)
    return not pure.is_absolute() and ".." not in pure.parts


def resolve(root: Path, rel: str) -> Path:
    """Return ``root/rel``; raise ValueError if it escapes or passes a symbolic link."""
    if not is_inside(rel):
        raise ValueError(f"{rel} is not a path inside the repository")
    parts = PurePosixPath(rel).parts
    path = os.fspath(root)
    for part in parts:  # with os, not pathlib: a load resolves two paths for every message
        path = f"{path}{os.sep}{part}"
        try:
            link = stat.S_ISLNK(os.lstat(path).st_mode)
        except OSError as exc:
            if exc.errno not in _NOT_THERE:  # a name too long for the file system, say
                raise ValueError(f"{rel}: {exc.strerror}") from None
            link = False
        if link:
            raise ValueError(f"{rel} is a symbolic link; campaign files must be plain files")
    return root.joinpath(*parts)


#: What ``Path.is_symlink`` takes for "not a link": nothing there (or no folder on the way).
_NOT_THERE = frozenset((errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP))


def read_bytes(root: Path, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """Return a plain file inside the repository; raise ValueError with a reason."""
    path = resolve(root, rel)
    try:
        size = path.stat().st_size
        if size > limit:
            raise ValueError(f"{rel} is {size // 1024} KiB; the limit is {limit // 1024} KiB")
        return path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{rel} does not exist") from None
    except OSError as exc:
        raise ValueError(f"{rel}: {exc.strerror}") from None


def read_text(root: Path, rel: str) -> str:
    """Return a UTF-8 text file inside the repository; raise ValueError with a reason."""
    data = read_bytes(root, rel)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{rel} is not UTF-8 text (byte {exc.start})") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a reader sees the old or the new file."""
    import tempfile  # not at import: the no-change tests write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new(path: str, data: bytes) -> None:
    """Create a file that must not exist yet (never through a symbolic link)."""
    create(path, lambda fd: write_all(fd, data))


def create(path: str, write: Callable[[int], None]) -> None:
    """Create a file that must not exist yet (never through a symbolic link); ``write`` fills it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        write(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def copied_in_kernel(source: int, target: int, count: int, at: int) -> int:
    """Copy up to ``count`` bytes at ``at`` of ``source`` to ``target`` (at its position).

    In the kernel (``copy_file_range``, Linux): return how many it copied, 0 where it
    cannot (another file system, another system) and the caller reads and writes them.
    """
    copy = getattr(os, "copy_file_range", None)
    if copy is None:
        return 0
    try:
        copied: int = copy(source, target, count, at)
    except OSError:
        return 0
    return copied


def copy_range(source: int, target: int, at: int, length: int, short: str) -> None:
    """Copy ``length`` bytes at ``at`` of ``source`` to ``target`` (at its position).

    In the kernel where it can (:func:`copied_in_kernel`), else read and written a MiB at
    a time; raise ``OSError(short)`` when ``source`` ends first.
    """
    done = 0
    while done < length:
        moved = copied_in_kernel(source, target, length - done, at + done)
        if moved <= 0:
            chunk = os.pread(source, min(length - done, 1 << 20), at + done)
            if not chunk:
                raise OSError(short)
            write_all(target, chunk)
            moved = len(chunk)
        done += moved


def clear_way(root: Path | str) -> Callable[[str], bool]:
    """Return a test of whether a folder below ``root`` has no link and no file on its way.

    It takes the folder's path relative to ``root`` ('' for ``root``): True when each
    part of it is a real folder or not there yet, so that a file renamed, linked or
    removed there stays inside ``root``. Each folder is looked at once (a pack's
    thousands of files share a few dozen folders).
    """
    top, known = os.fspath(root), {"": True}

    def clear(rel: str) -> bool:
        found = known.get(rel)
        if found is None:
            found = known[rel] = clear(rel.rpartition("/")[0]) and _folder_or_none(f"{top}/{rel}")
        return found

    return clear


def _folder_or_none(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return True  # made when a file is put there
