"""Merging a POT into entries merged with the POT before it, looking only at what changed.

``locale update`` keeps each catalog's merged entries in the order of the POT they
were merged with (``commands.pomemo``). After one English edit the new POT differs
from that one in an entry or two, and an old entry that merged into itself before
merges into itself again under the same POT entry. :func:`merge` gives exactly what
``pomerge.merge_entries`` gives of the same entries, but runs the merge only for the
POT entries that changed and the old entries not known to merge into themselves;
the rest of ``merge_entries`` (which old entries were taken, which become obsolete,
the msgctxt matches) is answered from positions. ``tests/test_podelta.py`` compares
the two on random catalogs and edits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from campaignsync.l10n import pomerge
from campaignsync.l10n.pomerge import Entry

Key = tuple[str | None, str]


@dataclass(frozen=True, slots=True)
class Change:
    """How a new POT's entries differ from the old POT's: what every catalog's merge shares."""

    template: list[Entry]  # the new POT's entries
    keys: list[Key]  # their keys (``pomerge.key_of``)
    at: dict[Key, int]  # each key's position in the new POT
    was: dict[Key, int]  # each key's position in the old POT
    same: list[int]  # per new entry: the position of an equal old entry, or -1
    unmatched: list[int]  # the old positions no new entry equals
    removed: list[int]  # the old positions whose key the new POT lacks
    contexts: dict[str, list[int]]  # the old positions of each msgctxt


def change(old: Sequence[Entry], new: list[Entry]) -> Change | None:
    """Return how ``new`` differs from ``old``; None when either repeats a key."""
    keys = [pomerge.key_of(e) for e in new]
    was_keys = [pomerge.key_of(e) for e in old]
    at = {k: p for p, k in enumerate(keys)}
    was = {k: j for j, k in enumerate(was_keys)}
    if len(at) != len(keys) or len(was) != len(was_keys):
        return None
    same = [-1] * len(new)
    for p, (k, e) in enumerate(zip(keys, new, strict=True)):
        j = was.get(k)
        if j is not None and old[j] == e:
            same[p] = j
    contexts: dict[str, list[int]] = {}
    for j, (context, _) in enumerate(was_keys):
        if context:
            contexts.setdefault(context, []).append(j)
    removed = [j for j, k in enumerate(was_keys) if k not in at]
    matched = set(same)
    unmatched = [j for j in range(len(old)) if j not in matched]
    return Change(new, keys, at, was, same, unmatched, removed, contexts)


@dataclass(frozen=True, slots=True)
class Merged:
    """A merge's result: the entries in POT order, the obsolete ones, the positions merged."""

    entries: list[Entry]
    gone: list[Any]
    merged: list[int]  # the positions the merge ran for (the others are old entries as they were)


def merge(
    change: Change, old: list[Entry], obsolete: list[Entry], unfixed: frozenset[int], plurals: int
) -> Merged:
    """Return ``pomerge.merge_entries(change.template, old, obsolete, plurals)``, quicker.

    ``old`` must be in the old POT's order, one entry per old POT entry (as a
    merge with it returned them); ``unfixed`` holds the positions of ``old``
    not known to merge into themselves under their old POT entry.
    """
    retired = {pomerge.key_of(m): m for m in obsolete}
    current = _Aligned(change, old)
    by_context = _ByContext(change, old, retired)
    used = _Used(change, retired)
    entries: list[Entry] = []
    ran: list[int] = []
    for p, j in enumerate(change.same):
        if j >= 0 and j not in unfixed:
            entries.append(old[j])  # what ``pomerge.unchanged`` returns of it
            continue
        used.at = p
        ran.append(p)
        entries.append(
            pomerge.merge_one(change.template[p], current, retired, by_context, used, plurals)
        )
    gone: dict[Any, Any] = {}
    for j in change.removed:
        m = old[j]
        if not set.__contains__(used, pomerge.key_of(m)) and pomerge.is_translated(m):
            gone.setdefault(pomerge.babel_key(m), m)
    for key, m in retired.items():
        if key not in change.at and not set.__contains__(used, key) and pomerge.is_translated(m):
            gone.setdefault(pomerge.babel_key(m), m)
    return Merged(entries, list(gone.values()), ran)


def recount(
    change: Change, counts: tuple[int, int], old: list[Entry], merged: Merged
) -> tuple[int, int]:
    """Return ``pomerge.tally(merged.entries)`` from the old entries' ``counts``."""
    ran = [change.same[p] for p in merged.merged if change.same[p] >= 0]
    left = pomerge.tally(old[j] for j in [*change.unmatched, *ran])
    came = pomerge.tally(merged.entries[p] for p in merged.merged)
    return counts[0] - left[0] + came[0], counts[1] - left[1] + came[1]


def unfixed(
    template: Sequence[Entry], entries: Sequence[Entry], plurals: int, positions: Iterable[int]
) -> frozenset[int]:
    """Return the positions (of those given) whose entry does not merge into itself."""
    return frozenset(
        p
        for p in positions
        if pomerge.unchanged(template[p], {pomerge.key_of(entries[p]): entries[p]}, plurals)
        is not entries[p]
    )


class _Aligned(Mapping[Key, Entry]):
    """The old entries by key, found by their old POT entry's position."""

    def __init__(self, change: Change, old: list[Entry]) -> None:
        self.change, self.old = change, old

    def __getitem__(self, key: Key) -> Entry:
        return self.old[self.change.was[key]]

    def __iter__(self) -> Iterator[Key]:
        return iter(self.change.was)

    def __len__(self) -> int:
        return len(self.change.was)


class _ByContext(Mapping[str, Any]):
    """The last translated old entry of each msgctxt, else the last obsolete one."""

    def __init__(self, change: Change, old: list[Entry], retired: dict[Key, Any]) -> None:
        self.change, self.old = change, old
        self.retired = {
            m.context: m for m in retired.values() if m.context and pomerge.is_translated(m)
        }

    def __getitem__(self, context: str) -> Any:
        for j in reversed(self.change.contexts.get(context, ())):
            if pomerge.is_translated(self.old[j]):
                return self.old[j]
        return self.retired[context]

    def __iter__(self) -> Iterator[str]:
        return iter([k for k in dict.fromkeys([*self.change.contexts, *self.retired]) if k in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Used(set[Key]):
    """The keys merged before position ``at``: those of earlier POT entries found old, and added.

    Every POT entry whose key an old or obsolete entry has takes that key; so
    only the keys taken otherwise (a msgctxt match) are kept in the set itself.
    """

    def __init__(self, change: Change, retired: dict[Key, Any]) -> None:
        super().__init__()
        self.change, self.retired, self.at = change, retired, 0

    def __contains__(self, key: object) -> bool:
        if set.__contains__(self, key):
            return True
        p = self.change.at.get(key)  # type: ignore[call-overload]
        return p is not None and p < self.at and (key in self.change.was or key in self.retired)
