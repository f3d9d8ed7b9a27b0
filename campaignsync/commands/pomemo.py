"""What ``locale update`` keeps of each catalog it writes, so the next update merges only edits.

Reading a 5,500-entry PO file with Babel and writing it back take about a second
each; after one English edit every catalog changes by one entry. So when
``locale update`` writes a catalog (or reads one whole and finds it up to date),
it keeps the merged entries in
``<out>/.campaignsync-cache/pomerge/<locale>.entries``, under the sha256 of the
bytes it wrote, in the order of the POT they were merged with (whose entries it
keeps once, ``_template.entries``). The next update finds the file byte for byte
as written, takes its entries from there instead of reading it, merges the POT
into them (where the POT changed since, ``l10n.podelta``; else the same
``pomerge.merge_entries`` as a full merge), and writes the file again from its
own blocks: the header and the entries that changed are rendered by Babel, the
others are the file's own bytes. The result is byte-identical to a full merge.
A file edited since (by a translator, another tool) is read and merged whole, as
is every file when the cache is missing or damaged (a miss, never a wrong file).
Entries are kept only when the output folder exists (a build or check made it):
``locale update`` alone never creates ``dist/``.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from campaignsync.l10n import catalog, charsets, podelta, pomerge
from campaignsync.l10n.pomerge import Entry
from campaignsync.model import Locale
from campaignsync.pack import keys, sealed

FOLDER = ".campaignsync-cache/pomerge"


@dataclass(frozen=True, slots=True)
class Known:
    """A catalog as ``locale update`` last wrote it: its entries and obsolete entries.

    ``template`` names the POT entries they were merged with (:func:`template_id`;
    '' when not known), one entry per POT entry in its order; ``unfixed`` holds
    the positions of the entries not known to merge into themselves under their
    POT entry, with ``plurals`` forms (see ``l10n.podelta``).
    """

    entries: tuple[Entry, ...]
    obsolete: tuple[Entry, ...]
    template: str = ""
    unfixed: frozenset[int] = frozenset()
    plurals: int = 0
    counts: tuple[int, int] = (0, 0)  # fuzzy and untranslated entries (``pomerge.tally``)


class Memo:
    """The kept entries of each locale's catalog, by the sha256 of the file written."""

    def __init__(self, out: Path) -> None:
        self.folder = out / FOLDER
        self.salt = keys.tool_digest()

    def get(self, locale: Locale, digest: str) -> Known | None:
        """Return the entries of the file with this sha256, if it is the one last written."""
        plain = self._read(self._path(locale), self._key(locale, digest))
        try:
            return None if plain is None else _known(*plain)
        except Exception:  # the right shape is part of being intact
            return None

    def stage(self, locale: Locale, digest: str, plain: Plain) -> None:
        """Make ready to keep the entries of a file about to be written (:meth:`commit`)."""
        sealed.write_sealed(self._staged(locale), self._key(locale, digest), plain)

    def commit(self, locale: Locale) -> None:
        """Keep the entries staged for a file now written (in place of the file's before).

        When that fails, nothing is kept: the next update reads the file whole.
        """
        with contextlib.suppress(OSError):
            self._staged(locale).replace(self._path(locale))

    def _staged(self, locale: Locale) -> Path:
        return self.folder / f"{locale.tag}.staged"

    def get_template(self) -> Kept | None:
        """Return the POT entries the last update merged with."""
        plain = self._read(self.folder / TEMPLATE, self._key(None, "template"))
        try:
            if plain is None:
                return None
            return Kept(str(plain[0]), list(_entries(plain[1])), str(plain[2]))
        except Exception:  # the right shape is part of being intact
            return None

    def put_template(self, kept: Kept) -> None:
        """Keep the POT entries this update merged with (if that fails, the next merges whole)."""
        plain = (kept.ident, list(map(tuple, kept.entries)), kept.digest)
        with contextlib.suppress(OSError):
            sealed.write_sealed(self.folder / TEMPLATE, self._key(None, "template"), plain)

    def _read(self, path: Path, key: str) -> Any:
        try:
            where = sealed.folder_id(self.folder)
        except OSError:
            return None
        return sealed.read_sealed(path, where, key)

    def _path(self, locale: Locale) -> Path:
        return self.folder / f"{locale.tag}.entries"

    def _key(self, locale: Locale | None, digest: str) -> str:
        return keys.digest((self.salt, locale, digest))


#: Where the POT's entries are kept (a locale tag never has an underscore).
TEMPLATE = "_template.entries"

#: Kept entries as plain tuples: what the cache stores, and what worker processes hand back.
Plain = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], str, list[int], int, tuple[int, int]]


def template_id(template: list[Entry]) -> str:
    """Return a name for a POT's entries: equal names, equal entries."""
    return hashlib.sha256(pickle.dumps(list(map(tuple, template)), protocol=5)).hexdigest()


def plain(known: Known) -> Plain:
    """Return kept entries as plain tuples (quick to pickle: no class)."""
    return (
        list(map(tuple, known.entries)),
        list(map(tuple, known.obsolete)),
        known.template,
        sorted(known.unfixed),
        known.plurals,
        known.counts,
    )


def _known(
    entries: list[tuple[Any, ...]],
    obsolete: list[tuple[Any, ...]],
    template: str,
    unfixed: list[int],
    plurals: int,
    counts: tuple[int, int],
) -> Known:
    fuzzy, untranslated = counts
    found = Known(
        _entries(entries),
        _entries(obsolete),
        str(template),
        frozenset(int(p) for p in unfixed),
        int(plurals),
        (int(fuzzy), int(untranslated)),
    )
    if any(p < 0 or p >= len(found.entries) for p in found.unfixed):
        raise ValueError("not a position")
    return found


_AS_ENTRY = partial(tuple.__new__, Entry)


def _entries(plain: list[tuple[Any, ...]]) -> tuple[Entry, ...]:
    """Return plain tuples as entries (without a Python call per entry: there are thousands)."""
    if not all(map(_EIGHT.__eq__, map(len, plain))):
        raise ValueError("not an entry")
    return tuple(map(_AS_ENTRY, plain))


_EIGHT = len(Entry._fields)


@dataclass(frozen=True, slots=True)
class Merged:
    """One catalog merged: its entries, and the bytes to write when they changed."""

    known: Known
    data: bytes | None


@dataclass(frozen=True, slots=True)
class Template:
    """The POT every catalog is merged with, and how it differs from the last update's."""

    catalog: catalog.Catalog
    entries: list[Entry]
    ident: str  # see :func:`template_id`
    previous: str = ""  # the id of the entries the last update merged with
    change: podelta.Change | None = None  # from those to these


@dataclass(frozen=True, slots=True)
class Kept:
    """The POT entries an update merged with, and the sha256 of the POT file it wrote of them."""

    ident: str  # see :func:`template_id`
    entries: list[Entry]
    digest: str  # '' when the file was not written from them


def template(pot: catalog.Catalog, kept: Kept | None) -> Template:
    """Return the POT to merge with, and how it differs from the one the last update kept."""
    entries = entries_of(pot)
    ident = template_id(entries)
    if kept is None:
        return Template(pot, entries, ident)
    return Template(pot, entries, ident, kept.ident, podelta.change(kept.entries, entries))


def entries_of(pot: catalog.Catalog) -> list[Entry]:
    """Return a POT's entries, msgstr "" as read from a file (derived now, Babel has None)."""
    entries = map(pomerge.entry_of, (m for m in pot if m.id))
    return [e if e.string is not None else e._replace(string="") for e in entries]


def template_changed(path: Path, pot: catalog.Catalog, kept: Kept | None) -> bool:
    """Return True when a POT file holds other entries than ``pot``, as known without reading it.

    False when it holds the same ones, or when it is not known what it holds
    (not written by ``locale update`` from the kept entries).
    """
    if kept is None or path.is_symlink() or not path.is_file():
        return False
    if hashlib.sha256(path.read_bytes()).hexdigest() != kept.digest:
        return False
    entries = entries_of(pot)
    change = podelta.change(kept.entries, entries)
    if change is None or len(kept.entries) != len(entries):
        return change is not None
    return any(
        pomerge.row(kept.entries[p]) != pomerge.row(e)
        for p, (j, e) in enumerate(zip(change.same, entries, strict=True))
        if j != p
    )


def render_template(template: Template, path: Path, kept: Kept | None) -> bytes:
    """Return the POT file: what ``render_po`` writes, taking unchanged entries from the file.

    The file at ``path`` is read only when it was written from the kept entries.
    """
    pot, change = template.catalog, template.change
    data = path.read_bytes() if path.is_file() and not path.is_symlink() else b""
    blocks = split_blocks(data)
    if (
        kept is None
        or change is None
        or blocks is None
        or hashlib.sha256(data).hexdigest() != kept.digest
        or len(blocks) != 1 + len(kept.entries)
    ):
        return catalog.render_po(pot)
    out = [catalog.render_block(pot, None)]
    for j, e in zip(change.same, template.entries, strict=True):
        out.append(blocks[j + 1] if j >= 0 else catalog.render_block(pot, e))
    return b"\n\n".join(out) + b"\n\n"


def as_written(path: Path, pot: catalog.Catalog, kept: Kept | None) -> str:
    """Return the sha256 of a POT file found up to date if laid out as an update writes it.

    Else empty (another tool's wrapping): the next update reads and writes it whole.
    """
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    digest = hashlib.sha256(data).hexdigest()
    if kept is not None and kept.digest == digest:
        return digest
    return digest if catalog.render_po(pot) == data else ""


def merge_whole(template: Template, root: Path, rel: str, locale: Locale) -> Merged:
    """Read a catalog whole and merge the POT into it (or start it, when it is missing).

    Raises CatalogError (at the file and line) when the catalog cannot be read.
    """
    pot = template.catalog
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
    entries = tuple(pomerge.entry_of(m) for m in merged if m.id)
    obsolete = tuple(pomerge.entry_of(m) for m in merged.obsolete.values())
    counts = pomerge.tally(entries)
    known = Known(entries, obsolete, counts=counts)
    plurals = merged.num_plurals
    # Kept with the POT it was merged with (read whole and up to date too): the next
    # update after an English edit then merges only what changed (``l10n.podelta``).
    if list(map(pomerge.key_of, entries)) == list(map(pomerge.key_of, template.entries)):
        every = range(len(entries))
        unfixed = podelta.unfixed(template.entries, entries, plurals, every)
        known = Known(entries, obsolete, template.ident, unfixed, plurals, counts)
    return Merged(known, catalog.render_po(merged) if changed else None)


def merge_known(template: Template, locale: Locale, data: bytes, known: Known) -> Merged | None:
    """Merge the POT into a catalog written as ``known``; None when the file is not laid out so.

    With the POT entries the last update kept, only what changed is merged (``podelta``).
    A file not in UTF-8 is None: written whole once in UTF-8 (``pomerge.merged_header``).
    """
    blocks = split_blocks(data)
    if blocks is None or len(blocks) != 1 + len(known.entries) + len(known.obsolete):
        return None
    if not charsets.is_utf8((old_header := catalog.read_header(blocks[0], locale)).charset):
        return None
    header = pomerge.merged_header(template.catalog, old_header)
    plurals = header.num_plurals
    old, obsolete = list(known.entries), list(known.obsolete)
    change = template.change
    ran: range | list[int] = range(len(template.entries))
    if (
        change is not None
        and (known.template, known.plurals) == (template.previous, plurals)
        and len(old) == len(change.was)
    ):
        delta = podelta.merge(change, old, obsolete, known.unfixed, plurals)
        entries, gone, ran = delta.entries, delta.gone, delta.merged
        counts = podelta.recount(change, known.counts, old, delta)
    else:
        entries, gone = pomerge.merge_entries(template.entries, old, obsolete, plurals)
        counts = pomerge.tally(entries)
    if pomerge.same(entries, gone, known.entries, known.obsolete):
        return Merged(Known(tuple(entries), tuple(gone), counts=counts), None)
    unfixed = podelta.unfixed(template.entries, entries, plurals, ran)
    merged = Known(tuple(entries), tuple(gone), template.ident, unfixed, plurals, counts)
    # Where an old entry is: by its position in the old POT, when merged from there.
    where = _Where(change.was, old) if change is not None and isinstance(ran, list) else None
    return Merged(merged, _render(header, entries, gone, known, blocks, where))


class _Where:
    """The position of the old entry of a (msgctxt, msgid), from the old POT's positions."""

    def __init__(self, was: dict[podelta.Key, int], old: list[Entry]) -> None:
        self.was, self.old = was, old

    def get(self, key: tuple[object, ...]) -> int | None:
        context = key[0] if isinstance(key[0], str) else None
        j = self.was.get((context, pomerge.text(key[1])))
        return j if j is not None and _key(self.old[j]) == key else None


def _render(
    header: catalog.Catalog,
    entries: list[Entry],
    gone: list[Any],
    known: Known,
    blocks: list[bytes],
    where: _Where | None,
) -> bytes:
    """Return the merged file: the header and changed entries rendered, the rest as written."""
    old, n = known.entries, len(known.entries)
    written: _Where | dict[tuple[object, ...], int] | None = where
    retired = {
        pomerge.babel_key(e): (e, b) for e, b in zip(known.obsolete, blocks[n + 1 :], strict=True)
    }
    out = [catalog.render_block(header, None)]
    for p, e in enumerate(entries):
        if p < n and old[p] is e:  # most entries: the old one, at its place
            out.append(blocks[p + 1])
            continue
        if written is None:
            written = {_key(w): j for j, w in enumerate(old)}
        j = written.get(_key(e))
        same = j is not None and (old[j] == e or pomerge.row(old[j]) == pomerge.row(e))
        out.append(blocks[j + 1] if j is not None and same else catalog.render_block(header, e))
    for e in gone:
        kept = retired.get(pomerge.babel_key(e))
        same = kept is not None and kept[0] == e
        out.append(kept[1] if kept and same else catalog.render_block(header, e, obsolete=True))
    return b"\n\n".join(out) + b"\n\n"


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
