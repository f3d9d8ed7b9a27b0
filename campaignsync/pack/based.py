"""Big mappings of text kept in the cache as a base and the changes since.

The pieces of whole-pack files (``kept.pieces``) and the last pack's hashes
(``pack.hashes``) are tens of MB at 500 messages, and an edit changes a few of their
entries: each is kept as a base (``<name>.base``, sealed under its key and rewritten
only when the changes grow to an eighth of it) and a small file of what changed since
(:func:`save_based`), read back together (:func:`read_based`). A process that builds
again (``preview``) does not read a base it read or wrote last, while its file is so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from campaignsync.pack import sealed

#: What a file kept as a base and changes (:func:`save_based`) was kept against: the
#: base's key, its checksum and what it holds.
Based = tuple[str, str, Mapping[str, str]]
#: What such a file holds against its base: the entries changed (or added), the names gone.
Delta = tuple[Mapping[str, str], tuple[str, ...]]


def base_of(path: Path) -> Path:
    """Return where the base of a file kept as changes to a base is (``<name>.base``)."""
    return path.with_name(f"{path.name}.base")


def read_based(path: Path, where: bytes, key: str) -> tuple[dict[str, str], Based, Delta] | None:
    """Return what ``path`` holds, kept under ``key`` as changes to a base, that base and them.

    ``path`` holds the base's key and checksum, the entries changed since and those gone;
    :func:`base_of` the base, sealed under its key. None when either is not as kept.
    """
    delta = sealed.read_sealed(path, where, key)
    if not (isinstance(delta, tuple) and len(delta) == 4):
        return None
    if not (isinstance(delta[0], str) and isinstance(delta[1], str)):
        return None
    base_key, checksum, changes, gone = delta
    base = _base(base_of(path), where, base_key, checksum)
    if not (base is not None and _all_text(changes) and isinstance(gone, tuple)):
        return None
    if not all(isinstance(g, str) for g in gone):
        return None
    plain = {**base, **changes}
    for name in gone:
        plain.pop(name, None)
    return plain, (base_key, checksum, base), (changes, gone)


def save_based(
    path: Path, key: str, made: Mapping[str, str], based: Based | None, delta: Delta | None = None
) -> tuple[Based, Delta]:
    """Keep ``made`` under ``key`` as what changed since ``based``, or as a new base.

    A small edit changes a few hundred of 150,000 hashes, a few dozen of 3,500 pieces:
    only those are written, until they are an eighth of the base. ``delta``: what ``made``
    changed of the base, when known (:func:`delta_after`), else found here (also when it
    does not account for as many entries as ``made`` has). Return the base now and what
    ``made`` changed of it.
    """
    if based is not None:
        base_key, checksum, base = based
        if delta is not None and len(made) != _count(base, delta):
            delta = None
        if delta is None:
            was = base.get  # one look-up an entry: faster than a set of items
            delta = (
                {n: text for n, text in made.items() if was(n) != text},
                tuple(sorted(base.keys() - made.keys())),
            )
        if len(delta[0]) + len(delta[1]) <= len(base) // 8:
            sealed.write_sealed(path, key, (base_key, checksum, *delta))
            return based, delta
    whole = dict(made)
    checksum = sealed.write_sealed(base_of(path), key, whole)
    _remember(base_of(path), (sealed.folder_id(path.parent), key, checksum), whole)
    sealed.write_sealed(path, key, (key, checksum, {}, ()))
    return (key, checksum, whole), ({}, ())


def _count(base: Mapping[str, str], delta: Delta) -> int:
    """Return how many entries the base with ``delta`` applied holds."""
    changes, gone = delta
    return len(base) - len(gone) + sum(1 for name in changes if name not in base)


def delta_after(
    based: Based | None, delta: Delta | None, now: Mapping[str, str], paths: Iterable[str]
) -> Delta | None:
    """Return what ``now`` changed of a base, looking at the ``paths`` changed since alone.

    ``delta`` is what the mapping ``now`` was made from changed of the base, ``paths`` those
    whose entry was changed, added or removed since. None when either is not known.
    """
    if based is None or delta is None:
        return None
    base = based[2]
    changes, gone = dict(delta[0]), set(delta[1])
    for name in paths:
        text = now.get(name)
        if text is None:
            changes.pop(name, None)
            if name in base:
                gone.add(name)
            continue
        gone.discard(name)
        if base.get(name) == text:
            changes.pop(name, None)
        else:
            changes[name] = text
    return changes, tuple(sorted(gone))


#: The bases this process read or wrote, by path: each file's identity, the folder id, key
#: and checksum it was asked for with, and what it holds (see :func:`_base`).
_BASES: dict[Path, tuple[tuple[Any, ...], dict[str, str]]] = {}


def _base(path: Path, where: bytes, key: str, checksum: str) -> dict[str, str] | None:
    """Return what a base holds, text by text (None: not as kept; see :func:`read_based`).

    A process that builds again (``preview`` after each save) does not read a base (tens
    of MB at 500 messages, rewritten only when the changes to it grow) whose file is the
    one it read or wrote last, with the same identity (:func:`sealed.identity`).
    """
    seen = sealed.identity(path)  # before it is read: a file written meanwhile is read again
    known = _BASES.get(path)
    if seen is not None and known is not None and known[0] == (seen, where, key, checksum):
        return known[1]
    base = sealed.read_sealed(path, where, key, checksum)
    if not _all_text(base):
        return None
    if seen is not None:
        _BASES[path] = ((seen, where, key, checksum), base)
    return base  # type: ignore[no-any-return]


def _remember(path: Path, asked: tuple[bytes, str, str], base: dict[str, str]) -> None:
    """Keep a base just written, as the next build of this process will ask for it."""
    seen = sealed.identity(path)
    if seen is not None:
        _BASES[path] = ((seen, *asked), base)


def _all_text(plain: Any) -> bool:
    """Return True for a dict of text by text (150,000 entries: checked by their types)."""
    return isinstance(plain, dict) and set(map(type, plain)) | set(map(type, plain.values())) <= {
        str
    }
