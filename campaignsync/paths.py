"""Paths inside a campaign repository: no escapes, no symbolic links, bounded reads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 512 * 1024


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
    path = root
    for part in PurePosixPath(rel).parts:
        path = path / part
        try:
            link = path.is_symlink()
        except OSError as exc:  # a name too long for the file system, say
            raise ValueError(f"{rel}: {exc.strerror}") from None
        if link:
            raise ValueError(f"{rel} is a symbolic link; campaign files must be plain files")
    return path


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
