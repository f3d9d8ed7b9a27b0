"""What ``locale update`` keeps of each catalog it writes, so the next update merges only edits.

Reading a 5,500-entry PO file with Babel and writing it back take about a second
each; after one English edit every catalog changes by one entry. So when
``locale update`` writes a catalog, it keeps the merged entries in
``<out>/.campaignsync-cache/pomerge/<locale>.entries``, under the sha256 of the
bytes it wrote. The next update finds the file byte for byte as written, takes
its entries from there instead of reading it, merges the POT into them (the same
``pomerge.merge_entries`` as a full merge), and writes the file again from its
own blocks: the header and the entries that changed are rendered by Babel, the
others are the file's own bytes. The result is byte-identical to a full merge.
A file edited since (by a translator, another tool) is read and merged whole, as
is every file when the cache is missing or damaged (a miss, never a wrong file).
Entries are kept only when the output folder exists (a build or check made it):
``locale update`` alone never creates ``dist/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from campaignsync.l10n import catalog, pomerge
from campaignsync.l10n.pomerge import Entry
from campaignsync.model import Locale
from campaignsync.pack import keys, sealed

FOLDER = ".campaignsync-cache/pomerge"


@dataclass(frozen=True, slots=True)
class Known:
    """A catalog as ``locale update`` last wrote it: its entries and obsolete entries."""

    entries: tuple[Entry, ...]
    obsolete: tuple[Entry, ...]


class Memo:
    """The kept entries of each locale's catalog, by the sha256 of the file written."""

    def __init__(self, out: Path) -> None:
        self.folder = out / FOLDER
        self.salt = keys.tool_digest()

    def get(self, locale: Locale, digest: str) -> Known | None:
        """Return the entries of the file with this sha256, if it is the one last written."""
        try:
            where = sealed.folder_id(self.folder)
        except OSError:
            return None
        plain = sealed.read_sealed(self._path(locale), where, self._key(locale, digest))
        try:
            return None if plain is None else Known(*(tuple(map(_entry, p)) for p in plain))
        except Exception:  # the right shape is part of being intact
            return None

    def put(self, locale: Locale, digest: str, plain: Plain) -> None:
        """Keep the entries (:func:`plain`) of the file just written (with this sha256)."""
        sealed.write_sealed(self._path(locale), self._key(locale, digest), plain)

    def _path(self, locale: Locale) -> Path:
        return self.folder / f"{locale.tag}.entries"

    def _key(self, locale: Locale, digest: str) -> str:
        return keys.digest((self.salt, locale, digest))


#: Kept entries as plain tuples: what the cache stores, and what worker processes hand back.
Plain = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def plain(known: Known) -> Plain:
    """Return kept entries as plain tuples (quick to pickle: no class)."""
    return [tuple(e) for e in known.entries], [tuple(e) for e in known.obsolete]


def _entry(t: tuple[Any, ...]) -> Entry:
    if len(t) != len(Entry._fields):
        raise ValueError("not an entry")
    return Entry._make(t)


@dataclass(frozen=True, slots=True)
class Merged:
    """One catalog merged: its entries, and the bytes to write when they changed."""

    known: Known
    data: bytes | None


def merge_whole(pot: catalog.Catalog, root: Path, rel: str, locale: Locale) -> Merged:
    """Read a catalog whole and merge the POT into it (or start it, when it is missing).

    Raises CatalogError (at the file and line) when the catalog cannot be read.
    """
    if (root / rel).is_file():
        old = catalog.read_catalog(root, rel, locale)
        merged = pomerge.merge(pot, old)
        # Compare entries, not bytes: a translator's editor may wrap lines its own way.
        changed = not pomerge.same_entries(merged, old)
    else:
        created = pot.creation_date
        if not isinstance(created, datetime):
            created = datetime.fromtimestamp(0, UTC)
        merged = pomerge.new_catalog(pot, locale, created, team=f"{locale.tag} translators")
        changed = True
    known = Known(
        tuple(pomerge.entry_of(m) for m in merged if m.id),
        tuple(pomerge.entry_of(m) for m in merged.obsolete.values()),
    )
    return Merged(known, catalog.render_po(merged) if changed else None)


def merge_known(
    pot: catalog.Catalog, template: list[Entry], locale: Locale, data: bytes, known: Known
) -> Merged | None:
    """Merge the POT into a catalog written as ``known``; None when the file is not laid out so."""
    blocks = split_blocks(data)
    if blocks is None or len(blocks) != 1 + len(known.entries) + len(known.obsolete):
        return None
    header = pomerge.merged_header(pot, catalog.read_header(blocks[0], locale))
    entries, gone = pomerge.merge_entries(
        template, list(known.entries), list(known.obsolete), header.num_plurals
    )
    merged = Known(tuple(entries), tuple(gone))
    if pomerge.same(entries, gone, known.entries, known.obsolete):
        return Merged(merged, None)
    n = len(known.entries)
    written = {_key(e): (e, b) for e, b in zip(known.entries, blocks[1 : n + 1], strict=True)}
    retired = {
        pomerge.babel_key(e): (e, b) for e, b in zip(known.obsolete, blocks[n + 1 :], strict=True)
    }
    out = [catalog.render_block(header, None)]
    for e in entries:
        was = written.get(_key(e))
        same = was is not None and (was[0] == e or pomerge.row(was[0]) == pomerge.row(e))
        out.append(was[1] if was and same else catalog.render_block(header, e))
    for e in gone:
        kept = retired.get(pomerge.babel_key(e))
        same = kept is not None and kept[0] == e
        out.append(kept[1] if kept and same else catalog.render_block(header, e, obsolete=True))
    return Merged(merged, b"\n\n".join(out) + b"\n\n")


def _key(e: Entry) -> tuple[object, ...]:
    return (e.context, e.id)


def split_blocks(data: bytes) -> list[bytes] | None:
    """Return the blocks of a PO file as ``catalog.render_po`` writes it: header, entries, obsolete.

    Every block ends with a blank line, and none holds one. None when ``data``
    is not laid out so (a file written by another tool, say).
    """
    if not data.endswith(b"\n\n") or b"\n\n\n" in data:
        return None
    return data[:-2].split(b"\n\n")
