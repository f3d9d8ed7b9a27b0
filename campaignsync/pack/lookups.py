"""Catalogs already read, kept by the sha256 of their PO file: a strict read costs seconds.

Reading a 5,500-entry catalog strictly (``l10n.poscan``) takes a few hundred
milliseconds; a build or check reads every locale's. What reading gave (the
look-up table and the file's problems) is a function of the file's bytes,
the locale, the locales folder and the tool, so it is kept in
``<out>/.campaignsync-cache/catalogs/<locale>.lookup`` under a key made of
those. The file is sealed like the render cache (``pack.cache``): damaged or
copied, it is a miss. Its entries and msgstr lines are packed by message (the
part of the msgctxt before the colon) and each group is unpacked when one of its
entries is first looked up: a check or build after an edit renders one message,
so it reads that message's entries of every catalog, not every entry.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from campaignsync.l10n import catalog
from campaignsync.model import Config, Diagnostic, Locale
from campaignsync.pack import cache, keys, sealed

_V = TypeVar("_V")
#: A recorded catalog look-up: (locale, msgctxt, msgid) -> what the catalog answered.
Log = dict[tuple[str, str, str], catalog.Entry | None]


@dataclass(frozen=True, slots=True)
class _Recording(catalog.Lookup):
    """A catalog that notes every look-up and its answer in a shared log."""

    tag: str = ""
    log: Log = field(default_factory=dict)

    def get(self, context: str, source: str) -> catalog.Entry | None:
        """Return the translation, noting the question and the answer."""
        entry = self.entries.get((context, source))
        self.log[(self.tag, context, source)] = entry
        return entry


def recording(lookups: Mapping[str, catalog.Lookup], log: Log) -> dict[str, catalog.Lookup]:
    """Return the same catalogs, each noting in ``log`` what is looked up in it."""
    return {
        tag: _Recording(
            **{f.name: getattr(lookup, f.name) for f in fields(catalog.Lookup)}, tag=tag, log=log
        )
        for tag, lookup in lookups.items()
    }


#: The kept catalogs this process read (a preview's builds read only those written since).
_READ = sealed.Remembered()


#: The sha256 of each PO file this process read, by path, with the file's identity then
#: (device, inode, size, times): a process that builds again (``preview``) reads and hashes
#: again only the catalogs changed since (25 files, 0.06 s at full size).
_READ_PO: dict[Path, tuple[tuple[int, ...], str]] = {}


def po_digest(path: Path, settled: int | None = None) -> str | None:
    """Return the sha256 of a PO file's bytes (None: not a regular file, or a link: refused).

    Read again unless this process read it with the same identity, and it had changed
    before ``settled`` (ns; ``state.Stamp.since``) then: one written twice within a tick
    of its file system's clock keeps its times. Without ``settled``, always read. Its
    identity is that of the file read (opened once: never a link, never waiting on a pipe).
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with open(handle, "rb") as file:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            return None
        seen = (info.st_dev, *sealed.identity_of(info))
        known = _READ_PO.get(path) if settled is not None else None
        if known is not None and known[0] == seen:
            return known[1]
        try:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        except OSError:
            return None
    if settled is not None and max(info.st_mtime_ns, info.st_ctime_ns) <= settled:
        _READ_PO[path] = (seen, digest)  # (changed while read: its times differ next time)
    return digest


class CatalogMemo:
    """A :class:`campaignsync.l10n.catalog.LookupMemo` on disk."""

    def __init__(self, out: Path, locales_rel: str, settled: int | None = None) -> None:
        self.folder = out / cache.FOLDER / "catalogs"
        self.salt = keys.digest((keys.tool_digest(), locales_rel))
        #: The PO files changed before this time (ns) are known by their identity (po_digest).
        self.settled = settled

    def _key(self, locale: Locale, digest: str) -> str:
        return keys.digest((self.salt, locale, digest))

    def get(self, locale: Locale, digest: str) -> catalog.Loaded | None:
        """Return what reading this exact file gave before, if known."""
        path = self.folder / f"{locale.tag}.lookup"
        try:
            where = sealed.folder_id(self.folder)
        except OSError:
            return None
        plain = _READ.read_sealed(path, where, self._key(locale, digest))
        try:
            return None if plain is None else _loaded(plain)
        except Exception:  # the right shape is part of being intact
            return None

    def known(self, root: Path, config: Config, locale: Locale) -> catalog.Loaded | None:
        """Return what reading a locale's PO file gave, if it was read as it is now before."""
        digest = po_digest(root / catalog.po_rel(config, locale), self.settled)
        return None if digest is None else self.get(locale, digest)

    def put(self, locale: Locale, digest: str, loaded: catalog.Loaded) -> None:
        """Remember what reading this exact file gave."""
        path = self.folder / f"{locale.tag}.lookup"
        sealed.write_sealed(path, self._key(locale, digest), _plain(loaded))


def _plain(loaded: catalog.Loaded) -> tuple[Any, ...]:
    lookup, found = loaded
    groups: dict[str, tuple[dict[Any, Any], dict[Any, int]]] = {}
    for k, e in lookup.entries.items():
        groups.setdefault(_group(k), ({}, {}))[0][k] = sealed.plain_entry(e)
    for k, line in lookup.lines.items():
        groups.setdefault(_group(k), ({}, {}))[1][k] = line
    rejected = {k: sealed.plain_entry(e) for k, e in lookup.rejected.items()}
    problems = tuple(sealed.plain_diagnostic(d) for d in found)
    return (
        lookup.path,
        {group: sealed.packed(tables) for group, tables in groups.items()},
        tuple(sorted(lookup.fuzzy)),
        rejected,
        lookup.obsolete,
        lookup.exists,
        lookup.digest,
        problems,
        lookup.unreadable,
        lookup.broken,
    )


def _loaded(plain: tuple[Any, ...]) -> catalog.Loaded:
    path, packed, fuzzy, rejected, obsolete, exists, digest, problems, unreadable, broken = plain
    if not all(isinstance(g, str) and isinstance(b, bytes) for g, b in packed.items()):
        raise ValueError("not a catalog's groups")
    groups = _Groups(packed)
    lookup = catalog.Lookup(
        path,
        _Table(groups, 0),
        _Table(groups, 1),
        frozenset(fuzzy),
        {k: sealed.entry_of(t) for k, t in rejected.items()},  # type: ignore[misc]
        obsolete,
        exists,
        digest,
        unreadable is True,
        broken is True,
    )
    found = tuple(sealed.diagnostic_of(t) for t in problems)
    return lookup, found


def _group(key: catalog.Key) -> str:
    """Return the group a catalog entry is kept in: the message its msgctxt names, if any."""
    return key[0].partition(":")[0]


class _Groups:
    """A kept catalog's entries and msgstr lines, packed by group: each unpacked when first read.

    A check or build after an edit looks up a few messages' entries in every catalog;
    unpacking every entry of 26 catalogs cost more than the rest of such a check.
    """

    def __init__(self, packed: dict[str, bytes]) -> None:
        self.packed = packed
        self.tables: dict[str, tuple[dict[Any, Any], dict[Any, Any]]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Groups, (self.packed,))

    def table(self, group: str, index: int) -> dict[Any, Any]:
        """Return a group's entries (``index`` 0) or msgstr lines (1), unpacked once."""
        found = self.tables.get(group)
        if found is None:
            blob = self.packed.get(group)
            found = self.tables[group] = _tables(blob) if blob is not None else ({}, {})
        return found[index]


def _tables(blob: bytes) -> tuple[dict[Any, catalog.Entry], dict[Any, int]]:
    entries, lines = sealed.unpacked(blob)
    made, none = (
        catalog.Entry,
        frozenset[str](),
    )  # most entries have no flags: one empty set
    table = {
        k: made(a, b, c, d, frozenset(f) if f else none) for k, (a, b, c, d, f) in entries.items()
    }
    return table, lines


class _Table(Mapping[catalog.Key, _V]):
    """A kept catalog's entries (``index`` 0) or msgstr lines (1), read group by group."""

    def __init__(self, groups: _Groups, index: int) -> None:
        self.groups = groups
        self.index = index

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Table, (self.groups, self.index))

    def __getitem__(self, key: catalog.Key) -> _V:
        value: _V = self.groups.table(_group(key), self.index)[key]
        return value

    def get(self, key: catalog.Key, default: Any = None) -> Any:
        """Return the value of ``key``, reading only its group."""
        return self.groups.table(_group(key), self.index).get(key, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple):
            return False
        return key in self.groups.table(_group(key), self.index)

    def __iter__(self) -> Iterator[catalog.Key]:
        for group in self.groups.packed:
            yield from self.groups.table(group, self.index)

    def __len__(self) -> int:
        return sum(len(self.groups.table(group, self.index)) for group in self.groups.packed)


class FindingsMemo:
    """A :class:`campaignsync.checks.Memo` on disk: one sealed file per slot."""

    def __init__(self, out: Path) -> None:
        self.folder = out / cache.FOLDER / "checks"
        self.salt = keys.tool_digest()

    def get(self, slot: str, key: object) -> list[Diagnostic] | None:
        """Return what was found in ``slot`` under ``key``, if known."""
        try:
            where = sealed.folder_id(self.folder)
        except OSError:
            return None
        plain = sealed.read_sealed(self.folder / f"{slot}.found", where, self._key(key))
        try:
            return None if plain is None else [sealed.diagnostic_of(t) for t in plain]
        except Exception:  # the right shape is part of being intact
            return None

    def put(self, slot: str, key: object, found: list[Diagnostic]) -> None:
        """Remember what was found under ``key``, replacing what the slot held."""
        plain = [sealed.plain_diagnostic(d) for d in found]
        sealed.write_sealed(self.folder / f"{slot}.found", self._key(key), plain)

    def recall(self, slot: str, key: object) -> Any:
        """Return the plain values kept in ``slot`` under ``key`` (None if none)."""
        try:
            where = sealed.folder_id(self.folder)
        except OSError:
            return None
        return sealed.read_sealed(self.folder / f"{slot}.kept", where, self._key(key))

    def keep(self, slot: str, key: object, value: Any) -> None:
        """Keep plain values under ``key`` in ``slot``, replacing what the slot held."""
        sealed.write_sealed(self.folder / f"{slot}.kept", self._key(key), value)

    def _key(self, key: object) -> str:
        return keys.digest((self.salt, key))
