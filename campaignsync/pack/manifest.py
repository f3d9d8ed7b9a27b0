"""manifest.json: every file of a pack with its hash, one JSON line each, and reading it back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import __version__
from campaignsync.model import Output, Project

if TYPE_CHECKING:
    from campaignsync.l10n import longtexts
    from campaignsync.l10n.readability import Counts
    from campaignsync.pack.kept import Kept
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
    rows = rows_of(outputs, extras, members, lines)
    return build_manifest_from(head(campaign, source, epoch, selection, readability), rows)


def build_manifest_from(head: bytes, rows: list[tuple[str, str]]) -> bytes:
    """Return manifest.json from its head and its rows by path (sorted here)."""
    rows.sort()
    # Encoded as soon as joined: a big pack's rows are not held as two texts and bytes.
    files = ",\n".join([line for _, line in rows]).encode()
    return b"".join((head, files, TAIL))


#: What follows the rows of manifest.json.
TAIL = b"\n]}\n"


def head(
    campaign: str,
    source: SourceInfo,
    epoch: int,
    selection: Mapping[str, list[str]] | None = None,
    readability: Mapping[str, object] | None = None,
) -> bytes:
    """Return what comes before the rows of manifest.json (see :func:`build_manifest`)."""
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
    return f'{_head(document)[:-1]}, "files": [\n'.encode()


def rows_of(
    outputs: Iterable[Output],
    extras: Iterable[PackFile],
    members: Mapping[str, Member] | None = None,
    lines: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Return the manifest rows of some outputs and extras, by path (unsorted)."""
    known = members or {}
    kept = lines or {}

    def digest(file: Output | PackFile) -> str:
        member = known.get(file.path)
        return member.sha256 if member else _sha256(file.content)

    rows = [(o.path, kept.get(o.path) or manifest_line(o, digest(o))) for o in outputs]
    for f in extras:
        member = known.get(f.path)  # a staged or set-aside file's bytes are not held
        size = member.size if member else f.size
        rows.append((f.path, _line({"path": f.path, "sha256": digest(f), "bytes": size})))
    return rows


class Serialised(str):
    """A value already written as JSON (pieces joined), written into the manifest as it is."""

    __slots__ = ()


#: Where a :class:`Serialised` value goes while the rest is written (a text no value holds).
_PLACE = "\0serialised\0"


def _head(document: dict[str, Any]) -> str:
    """Return the manifest's head as JSON, the readability's messages written as they were."""
    readability = document.get("readability")
    raw = readability.get("messages") if isinstance(readability, dict) else None
    if not isinstance(readability, dict) or not isinstance(raw, Serialised):
        return json.dumps(document, ensure_ascii=False, sort_keys=True)
    placed = {**document, "readability": {**readability, "messages": _PLACE}}
    parts = json.dumps(placed, ensure_ascii=False, sort_keys=True).split(json.dumps(_PLACE))
    if len(parts) == 2:
        return raw.join(parts)
    # The text was found elsewhere too (a value holds it): written whole, as a clean build does.
    plain = {**document, "readability": {**readability, "messages": json.loads(raw)}}
    return json.dumps(plain, ensure_ascii=False, sort_keys=True)


def readability(
    project: Project, campaign: str, outputs: Iterable[Output], kept: Kept | None
) -> dict[str, object]:
    """Return the manifest's readability part: each locale's scores, and each long text's.

    With ``kept.by_message`` (a build), each message's part is kept under the digest of
    its outputs (:mod:`campaignsync.pack.outputkeys`): its texts' counts, that the
    locales' scores add up, and what the manifest says of each, as JSON.
    """
    from campaignsync.l10n import longtexts

    keyed = kept.by_message if kept is not None else None
    if kept is None or keyed is None:
        return longtexts.report(longtexts.from_outputs(outputs, project, blocks=False))
    rows: dict[str, list[list[int]]] = {}  # each long text's counts (and its source's), by locale
    parts = []
    for message in sorted(project.messages_of(campaign), key=lambda m: m.id):
        key = keyed.key(message.id)
        piece = kept.piece(f"readability {key}") if key else None
        if piece is None:
            piece = _scores(project, keyed.of(message.id))
            if key:
                kept.put_piece(f"readability {key}", piece)
        counts, _, shown = piece.partition("\n")
        for tag, *numbers in json.loads(counts):
            rows.setdefault(tag, []).append(numbers)
        if shown:
            parts.append(f"{json.dumps(message.id, ensure_ascii=False)}: {shown}")
    totals = {tag: _added(mine) for tag, mine in rows.items()}
    return {
        "locales": longtexts.summarised(totals),
        "messages": Serialised(f"{{{', '.join(parts)}}}"),
    }


def _scores(project: Project, outputs: list[Output]) -> str:
    """Return a message's part of the readability: its texts' counts, a line, then its JSON."""
    from campaignsync.l10n import longtexts

    texts = sorted(longtexts.from_outputs(outputs, project, blocks=False).items())
    counts = [
        [
            tag,
            *longtexts.plain_counts(t.counts),
            *(longtexts.plain_counts(t.source) if t.source else ()),
        ]
        for (_, tag), t in texts
    ]
    shown = {tag: entry for (_, tag), t in texts if (entry := longtexts.scored(t)) is not None}
    json_shown = json.dumps(shown, ensure_ascii=False, sort_keys=True) if shown else ""
    return f"{json.dumps(counts)}\n{json_shown}"


def _added(rows: list[list[int]]) -> longtexts.Totals:
    """Return a locale's long texts added up, from each one's counts (and its source's)."""
    sources = [r[6:] for r in rows if len(r) == 12]
    return _sum([r[:6] for r in rows]), _sum(sources) if sources else None, len(rows)


def _sum(rows: list[list[int]]) -> Counts:
    """Return counts added up as :meth:`Counts.__add__` adds them (the longest: the largest)."""
    from campaignsync.l10n.readability import Counts

    words, sentences, syllables, letters, long_words, longest = zip(*rows, strict=True)
    return Counts(
        sum(words), sum(sentences), sum(syllables), sum(letters), sum(long_words), max(longest)
    )


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
