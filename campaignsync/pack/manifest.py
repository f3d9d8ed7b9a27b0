"""manifest.json: every file of a pack with its hash, one JSON line each, and reading it back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import __version__
from campaignsync.model import Output

if TYPE_CHECKING:
    from campaignsync.pack.writer import Member, PackFile, SourceInfo


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
        "links": list(output.links),
    }
    measure = output.measure
    if measure is not None:
        # "percent" is the share of the tightest limit used, so rows of every channel and
        # unit sort together by how close they are to their limit.
        row.update(
            length=measure.length,
            limit=measure.limit,
            unit=measure.unit,
            headroom=measure.headroom,
            percent=round(100 * measure.share, 1),
        )
        if measure.encoding is not None:
            row.update(
                encoding=measure.encoding, segments=measure.segments, padding=measure.padding
            )
        if measure.also:
            row["also"] = [
                {"length": m.length, "limit": m.limit, "unit": m.unit, "headroom": m.headroom}
                for m in measure.also
            ]
    return row


def manifest_line(output: Output, digest: str) -> str:
    """Return the manifest row of one channel output as it is written (one JSON line)."""
    return _line(manifest_entry(output, digest))


def _line(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


def build_manifest(
    campaign: str,
    outputs: Iterable[Output],
    extras: Iterable[PackFile],
    source: SourceInfo,
    epoch: int,
    members: Mapping[str, Member] | None = None,
    selection: Mapping[str, list[str]] | None = None,
    lines: Mapping[str, str] | None = None,
    readability: Mapping[str, object] | None = None,
) -> bytes:
    """Return manifest.json: every file with its hash, sorted, byte-stable.

    Hashes come from ``members`` where the render workers already computed them,
    and whole rows from ``lines`` (by path) where the render cache kept them.
    ``selection`` records the locales and channels of a partial pack;
    ``readability`` the scores of the long texts, per locale and per message.
    """
    known = members or {}
    kept = lines or {}

    def digest(path: str, content: bytes) -> str:
        member = known.get(path)
        return member.sha256 if member else _sha256(content)

    def length(path: str, content: bytes) -> int:
        member = known.get(path)  # a staged file's bytes are not held (pack.staging)
        return member.size if member else len(content)

    rows = [
        (o.path, kept.get(o.path) or manifest_line(o, digest(o.path, o.content))) for o in outputs
    ]
    for f in extras:
        sha256, size = digest(f.path, f.content), length(f.path, f.content)
        rows.append((f.path, _line({"path": f.path, "sha256": sha256, "bytes": size})))
    rows.sort()
    document = {
        "campaign": campaign,
        "tool": {"name": "campaignsync", "version": __version__},
        "source": {
            "commit": source.commit,
            "dirty": source.dirty,
            **({"note": source.note} if source.note else {}),
        },
        "source_date_epoch": epoch,
        **({"partial": dict(selection)} if selection else {}),
        **({"readability": dict(readability)} if readability else {}),
    }
    # One file per line: readable and diffable, and written by the C encoder
    # (indent= switches json to its pure-Python encoder, seconds on a big pack).
    head = json.dumps(document, ensure_ascii=False, sort_keys=True)
    # Encoded as soon as joined: a big pack's rows are not held as two texts and bytes.
    files = ",\n".join([line for _, line in rows]).encode()
    return b"".join((f'{head[:-1]}, "files": [\n'.encode(), files, b"\n]}\n"))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hashes(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file of the pack in ``folder``, from its manifest (or none)."""
    try:
        raw = (folder / "manifest.json").read_bytes()
        hashes = {row["path"]: row["sha256"] for row in json.loads(raw)["files"]}
        hashes["manifest.json"] = _sha256(raw)
        return hashes
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def what_changed(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Return "added PATH", "changed PATH" and "removed PATH" lines between two packs' hashes."""
    lines = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old != new:
            verb = "added" if old is None else "removed" if new is None else "changed"
            lines.append(f"{verb} {path}")
    return lines
