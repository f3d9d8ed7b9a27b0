"""Stage 4: outputs to files, manifest and zip, swapped into place only when complete.

This is the only module that writes a pack.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignsync import __version__
from campaignsync.errors import BuildError
from campaignsync.model import Output

#: Zip cannot store times before 1980 (the reproducible-builds spec clamps to it).
ZIP_EPOCH = 315532800
FILE_MODE = 0o644
DIR_MODE = 0o755


@dataclass(frozen=True, slots=True)
class PackFile:
    """One file of a pack that is not a channel output (manifest, calendar, gallery...)."""

    path: str
    content: bytes


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the pack's input came from."""

    commit: str | None
    dirty: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class PackResult:
    """What a build wrote."""

    folder: Path
    archive: Path
    files: int
    written: int
    reused: int
    manifest_sha256: str


def manifest_entry(output: Output, digest: str) -> dict[str, Any]:
    """Return the manifest row of one channel output."""
    row: dict[str, Any] = {
        "path": output.path,
        "sha256": digest,
        "bytes": len(output.content),
        "message": output.message,
        "locale": output.locale,
        "channel": output.channel,
        "translated": output.translated,
        "fallback": list(output.fallbacks),
    }
    if output.measure is not None:
        row.update(
            length=output.measure.length, limit=output.measure.limit, unit=output.measure.unit
        )
        if output.measure.encoding is not None:
            row.update(encoding=output.measure.encoding, segments=output.measure.segments)
    return row


def build_manifest(
    campaign: str,
    outputs: Iterable[Output],
    extras: Iterable[PackFile],
    source: SourceInfo,
    epoch: int,
) -> bytes:
    """Return manifest.json: every file with its hash, sorted, byte-stable."""
    rows = [manifest_entry(o, hashlib.sha256(o.content).hexdigest()) for o in outputs]
    rows.extend(
        {"path": f.path, "sha256": hashlib.sha256(f.content).hexdigest(), "bytes": len(f.content)}
        for f in extras
    )
    rows.sort(key=lambda r: r["path"])
    document = {
        "campaign": campaign,
        "tool": {"name": "campaignsync", "version": __version__},
        "source": {
            "commit": source.commit,
            "dirty": source.dirty,
            **({"note": source.note} if source.note else {}),
        },
        "source_date_epoch": epoch,
        "files": rows,
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def _previous_hashes(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / "manifest.json").read_bytes())
        return {row["path"]: row["sha256"] for row in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(
        path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE
    )
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _recover(out: Path, campaign: str) -> None:
    """Undo what an interrupted build left: stale staging, or a pack moved aside."""
    final = out / campaign
    for leftover in sorted(out.glob(f".{campaign}.old-*")):
        if not final.exists():
            leftover.rename(final)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.glob(f".{campaign}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.glob(f".{campaign}.zip.tmp-*"):
        leftover.unlink(missing_ok=True)


def write_pack(
    out: Path,
    campaign: str,
    outputs: list[Output],
    extras: list[PackFile],
    epoch: int,
) -> PackResult:
    """Write the pack folder and zip next to each other, atomically replacing the old ones.

    Unchanged files are hard-linked from the previous pack instead of being
    written again. An interrupted build leaves the previous pack as it was.
    """
    from filelock import FileLock, Timeout

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"cannot create the output folder {out}: {exc.strerror}") from None
    lock = FileLock(str(out / ".campaignsync.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BuildError(
            f"another campaignsync build is writing to {out}; wait for it to finish"
        ) from None
    try:
        _recover(out, campaign)
        return _write_locked(out, campaign, outputs, extras, epoch)
    finally:
        lock.release()


def _write_locked(
    out: Path, campaign: str, outputs: list[Output], extras: list[PackFile], epoch: int
) -> PackResult:
    final = out / campaign
    staging = out / f".{campaign}.tmp-{os.getpid()}"
    aside = out / f".{campaign}.old-{os.getpid()}"
    archive = out / f"{campaign}.zip"
    archive_tmp = out / f".{campaign}.zip.tmp-{os.getpid()}"
    previous = _previous_hashes(final)
    files = sorted([(o.path, o.content) for o in outputs] + [(f.path, f.content) for f in extras])
    written = reused = 0
    try:
        staging.mkdir(mode=DIR_MODE)
        made: set[str] = set()
        for rel, data in files:
            folder = rel.rpartition("/")[0]
            if folder and folder not in made:
                (staging / folder).mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                made.add(folder)
            target = staging / rel
            if previous.get(rel) == hashlib.sha256(data).hexdigest() and _link(final / rel, target):
                reused += 1
                continue
            _write_new(target, data)
            written += 1
        _fix_dir_modes(staging)
        _write_zip(archive_tmp, campaign, files, epoch)
        if final.exists():
            final.rename(aside)
        staging.rename(final)
        os.replace(archive_tmp, archive)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        archive_tmp.unlink(missing_ok=True)
        if aside.exists() and not final.exists():
            aside.rename(final)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    manifest = dict(files).get("manifest.json", b"")
    return PackResult(
        final, archive, len(files), written, reused, hashlib.sha256(manifest).hexdigest()
    )


def _link(source: Path, target: Path) -> bool:
    try:
        if source.is_symlink():
            return False
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        return False
    return True


def _fix_dir_modes(folder: Path) -> None:
    # mkdir(mode=) is filtered by the umask; packs must not depend on it.
    for dirpath, _dirs, _files in os.walk(folder):
        os.chmod(dirpath, DIR_MODE)


def _write_zip(path: Path, campaign: str, files: list[tuple[str, bytes]], epoch: int) -> None:
    stamp = time.gmtime(max(epoch, ZIP_EPOCH))[:6]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for rel, data in files:
            info = zipfile.ZipInfo(f"{campaign}/{rel}", date_time=stamp)
            info.external_attr = (0o100000 | FILE_MODE) << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    with contextlib.suppress(OSError):
        os.chmod(path, FILE_MODE)
