"""The render cache's hit test: which units of a build are taken as they are, which render.

A unit is taken when its message and every catalog entry it read are unchanged
(:meth:`campaignsync.pack.cache.Cache.get`); one whose channel's templates or own
settings changed renders those channels again (:mod:`campaignsync.pack.partial`). A
message all of whose units are taken is taken whole (:class:`Whole`: its outputs, members
and manifest rows; the gallery takes its cards from its units), and kept so by a process
that builds again (``preview``): after an edit such a process tests the other messages
once each. What is taken of each unit alone is made, and kept, only for a message some of
whose units render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from itertools import chain, groupby
from operator import is_, itemgetter

from campaignsync import channels
from campaignsync.l10n import catalog
from campaignsync.model import Message, Output, Project
from campaignsync.pack import hyphenation, partial, shards
from campaignsync.pack.cache import Cache, catalog_digests, digest_of, keyed_by
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.lazy import slot_setters
from campaignsync.pack.manifest import manifest_line
from campaignsync.pack.shards import Unit
from campaignsync.pack.shown import Found
from campaignsync.pack.writer import Member, digest


def take_hits(
    cache: Cache,
    project: Project,
    units: list[tuple[str, str]],
    lookups: Mapping[str, catalog.Lookup],
    outputs: list[Output],
    members: dict[str, Member],
    lines: dict[str, str],
    complete: bool,
    wholes: list[Whole],
) -> list[tuple[str, str]]:
    """Add the cached units' outputs, members and manifest rows; return the units to render.

    The hyphenation dictionaries those units need are handed to the readability
    counts here, parsed before if kept (before forking: workers inherit them).
    With ``complete`` (a build), a unit rendered for ``check`` only gets its
    members and manifest rows now, once, and is kept with them.

    A message all of whose units are taken is taken whole (:class:`Whole`); one the last
    build of this process took so, and would still, is taken as it was then, in one test.
    Each is added to ``wholes``, its outputs not to ``outputs``: the caller adds them (the
    others are then known apart), and what the gallery finds of it is kept with it, found
    once, for the next builds.
    """
    if not cache.views:
        keyed_by(cache, project)
    cache.keep_only((message_id, tag) for tag, message_id in units)
    taking = _Taking(cache, project, lookups, complete)
    for message_id, run in groupby(units, itemgetter(1)):
        tags = tuple(tag for tag, _ in run)
        memo = cache.taken.setdefault(message_id, shards.Took())
        whole = memo.whole
        if whole is None or not whole.holds(cache, tags, lookups, complete):
            before = len(taking.todo)
            held = taking.units(message_id, tags)
            if len(taking.todo) > before:  # some render: those taken are added one by one
                for tag, unit in held:
                    unit, its_members, its_lines, drawn = _taken(memo, tag, unit)
                    cache.drawn.update(drawn)
                    _add((outputs, members, lines), unit.outputs, its_members, its_lines)
                continue
            units_held = tuple(unit for _, unit in held)
            shard = memo.shard if message_id not in cache.dirty else ""  # (none put or dropped)
            whole = memo.whole = Whole.of(cache, message_id, tags, lookups, units_held, shard,
                                          memo.whole)  # fmt: skip
        _add((outputs, members, lines), (), whole.members, whole.lines)  # (its cards: its units')
        wholes.append(whole)
    if taking.todo:
        hyphenation.prime(cache.folder.parent, {tag for tag, _ in taking.todo})
    return taking.todo


def _add(
    into: tuple[list[Output], dict[str, Member], dict[str, str]],
    outputs: Iterable[Output],
    members: Mapping[str, Member],
    lines: Mapping[str, str],
) -> None:
    """Add the outputs, members and manifest rows taken of a unit or message to a build's."""
    into[0].extend(outputs)
    into[1].update(members)
    into[2].update(lines)


class _Taking:
    """A build's hit test of units one by one, and the units it found to render."""

    def __init__(
        self,
        cache: Cache,
        project: Project,
        lookups: Mapping[str, catalog.Lookup],
        complete: bool,
    ) -> None:
        self.cache, self.project, self.lookups, self.complete = cache, project, lookups, complete
        #: Each message by id, when a unit rendered for ``check`` only is completed (a build).
        self.messages = {m.id: m for m in project.messages} if complete else {}
        self.todo: list[tuple[str, str]] = []

    def units(self, message_id: str, tags: tuple[str, ...]) -> list[tuple[str, Unit]]:
        """Return the units taken of a message (in ``tags``), by locale; note those to render."""
        cache, todo, held = self.cache, self.todo, []
        for tag in tags:
            unit_key = cache.key_of(message_id, tag)
            unit = cache.get(message_id, tag, unit_key, self.lookups)
            if unit is None:
                todo.append((tag, message_id))
                continue
            if self.complete and None in unit.members:
                unit = _completed(unit, self.project, self.messages[message_id])
                cache.put(message_id, tag, unit_key, unit)
            stale = cache.stale(unit)
            if stale:  # its other channels' outputs are taken, these render again (see store)
                todo.append((tag, message_id))
                if not partial.splits(unit, stale, self.complete):
                    continue
                part = cache.partial[(message_id, tag)] = partial.split(unit, stale)
                unit = part.kept
            held.append((tag, unit))
        return held


def _taken(memo: shards.Took, tag: str, unit: Unit) -> Taken:
    """Return what a build takes of a unit, kept in ``memo`` for a process that builds again."""
    found = memo.get(tag)
    if found is None or found[0] is not unit:  # (a unit completed or split is another)
        found = memo[tag] = taken(unit)
    return found


@dataclass(frozen=True, slots=True)
class Whole:
    """A message's units all taken from the cache as they were, at once, and what was tested.

    The same units (of the same message digest, locales and templates) with the catalogs
    they read unchanged would be taken again as they are: a process that builds again
    takes them so (:attr:`shards.Took.whole`), not unit by unit.
    """

    message_id: str
    #: Each unit's key (``Cache.key_of``), in the order of ``tags``.
    unit_keys: tuple[str, ...]
    tags: tuple[str, ...]
    templates: frozenset[tuple[str, str]]
    units: tuple[Unit, ...]
    #: The digest of each catalog the units read, when they were taken.
    catalogs: tuple[tuple[str, str], ...]
    #: Whether every output has its member (no unit rendered for ``check`` only).
    complete: bool
    outputs: tuple[Output, ...]
    members: dict[str, Member]
    lines: dict[str, str]
    #: The checksum of the shard the units are as read from ('' when some is not: one put
    #: or dropped since), which their outputs follow from (``outputkeys.by_message``).
    shard: str = ""
    #: What the gallery found of these outputs and cards, kept with them (``pack.shown``).
    shown: Found = field(default_factory=Found, compare=False)

    @classmethod
    def of(
        cls,
        cache: Cache,
        message_id: str,
        tags: tuple[str, ...],
        lookups: Mapping[str, catalog.Lookup],
        units: tuple[Unit, ...],
        shard: str,
        before: Whole | None,
    ) -> Whole:
        """Return a message's units taken whole (``units``: in the order of ``tags``).

        ``shard``: the checksum of the shard they are as read from ('' if not so).
        ``before``: the message taken whole last in this process; what it took of the same
        units (a catalog they read was edited, none of their look-ups) is taken as it is.
        """
        catalogs = catalog_digests(lookups, (tag for unit in units for tag, _ in unit.catalogs))
        was = before.units if before is not None else ()
        if before is not None and len(was) == len(units) and all(map(is_, was, units)):
            return replace(before, unit_keys=_keys(cache, message_id, tags), tags=tags,
                           templates=cache.now, catalogs=catalogs, shard=shard)  # fmt: skip
        members: dict[str, Member] = {}
        lines: dict[str, str] = {}
        for unit in units:
            take_rows(unit, members, lines)
        return cls(
            message_id, _keys(cache, message_id, tags), tags, cache.now, units, catalogs,
            all(None not in unit.members for unit in units),
            tuple(chain.from_iterable(unit.outputs for unit in units)), members, lines,
            shard,
        )  # fmt: skip

    def holds(
        self,
        cache: Cache,
        tags: tuple[str, ...],
        lookups: Mapping[str, catalog.Lookup],
        complete: bool,
    ) -> bool:
        """Say whether the message's units (in ``tags``) would all be taken as these were."""
        keys = _keys(cache, self.message_id, tags)
        if (keys, tags, cache.now) != (self.unit_keys, self.tags, self.templates):
            return False
        if complete and not self.complete:
            return False
        mine = cache.units.get(self.message_id, {})
        for tag, key, unit in zip(tags, keys, self.units, strict=True):
            found = mine.get(tag)
            if found is None or found[0] != key or found[1] is not unit:
                return False
        return all(digest_of(lookups.get(tag)) == digest for tag, digest in self.catalogs)


def _keys(cache: Cache, message_id: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    """Return the keys of a message's units in ``tags``, in their order."""
    return tuple(cache.key_of(message_id, tag) for tag in tags)


def _completed(unit: Unit, project: Project, message: Message) -> Unit:
    """Return a unit rendered for ``check`` only, completed for a build.

    Its assembled files are added (``channels.assembled``), and each output's
    member and manifest row.
    """
    lines = unit.lines or (None,) * len(unit.outputs)
    paired = zip(unit.outputs, unit.members, lines, strict=True)
    known = {o.path: (meta, line) for o, meta, line in paired}
    outputs = channels.assembled(project, message, unit.outputs)
    metas, rows = [], []
    for output in outputs:
        meta, row = known.get(output.path, (None, None))
        if meta is None:
            member = digest(output.content)
            meta = (member.sha256, member.crc, member.size, member.method)
            row = manifest_line(output, member.sha256)
        metas.append(meta)
        rows.append(row)
    return replace(unit, outputs=outputs, members=tuple(metas), lines=tuple(rows))


#: A member's slots' setters, then the values a member of a cached output has past its
#: sha256, crc, size and method (its bytes are not held): ``Member``'s own defaults.
_MEMBER = slot_setters(Member, Member, Member.__slots__)
_LEFT = (None, *(f.default for f in fields(Member)[5:]))


#: What a build takes of a unit from the cache: the unit, and its members, manifest rows
#: and cards by their outputs' paths.
Taken = tuple[Unit, dict[str, Member], dict[str, str], dict[str, Drawn]]


def taken(unit: Unit) -> Taken:
    """Return what a build takes of a unit from the cache (a process building again keeps it)."""
    members: dict[str, Member] = {}
    lines: dict[str, str] = {}
    take_rows(unit, members, lines)
    return unit, members, lines, {d.path: d for d in unit.drawn or ()}


def take_rows(unit: Unit, members: dict[str, Member], lines: dict[str, str]) -> None:
    """Add a cached unit's members and manifest rows by their outputs' paths.

    143,000 a build at 500 messages: each member is filled through its slots, in
    two thirds of the time ``Member(...)`` takes.
    """
    new, (sha256, crc, size, method, *rest) = object.__new__, _MEMBER
    data, spilled, runs, referenced = rest
    left_data, left_spilled, left_runs, left_referenced = _LEFT
    for output, meta, line in zip(unit.outputs, unit.members, unit.lines, strict=True):
        path = output.path
        if meta is not None:
            member = new(Member)
            sha256(member, meta[0])
            crc(member, meta[1])
            size(member, meta[2])
            method(member, meta[3])
            data(member, left_data)
            spilled(member, left_spilled)
            runs(member, left_runs)
            referenced(member, left_referenced)
            members[path] = member
        if line is not None:
            lines[path] = line
