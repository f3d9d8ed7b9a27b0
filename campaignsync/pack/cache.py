"""The render cache: each message x locale's outputs, kept until an input they read changes.

A build renders a unit (one message in one locale, every selected channel)
only when something it read has changed. What a unit reads is known
exactly: the parsed message, the config and its campaign's calendar as it renders them
(``keys.rendered_part``, ``keys.rendered_calendar``: not what only the checks read),
the templates, the tool (campaignsync's own files, the libraries' versions, Python and
zlib), and the catalog entries it looked up, recorded while it rendered (so a template's
``_()`` strings and a fallback chain are covered without guessing). One catalog entry
edited re-renders only the units that looked it up; one channel's templates or its own
settings (``[channels.<name>]``) edited, only that channel of each unit
(:mod:`campaignsync.pack.partial`).

The cache lives in ``<out>/.campaignsync-cache/<pack>/``: a shard per message
(:mod:`campaignsync.pack.shards`) and the bytes of its units in body files beside
it, read only when asked for (:mod:`campaignsync.pack.bodies`). Each file carries
a sha256 of its contents and the inode of the folder it was written in: a
damaged, truncated or copied cache is a miss, never a wrong pack. Files are read
with an unpickler that admits no class, so a cache can hold no code. Deleting
the folder is always safe.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from campaignsync.l10n import catalog
from campaignsync.model import Output, Project
from campaignsync.pack import bodies, bodyfiles, keys, partial, sealed, shards, unitrows
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.manifest import manifest_line
from campaignsync.pack.shards import Unit
from campaignsync.pack.writer import Member

FOLDER = ".campaignsync-cache"


@dataclass(slots=True)
class Cache:
    """The units of one pack, by message id then locale, and which shards changed."""

    folder: Path
    #: What the shards are sealed under (``keys.PackKeys.units``).
    key: str
    units: dict[str, dict[str, tuple[str, Unit]]] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    #: The digest of each message of the project, by id (see :func:`keyed_by`).
    keys: dict[str, str] = field(default_factory=dict)
    #: What each unit reads of the locales, by (message id, locale) (see :func:`keyed_by`).
    views: dict[tuple[str, str], str] = field(default_factory=dict)
    #: The gallery cards of the units taken from the cache, by output path.
    drawn: dict[str, Drawn] = field(default_factory=dict)
    #: What the message checks found about messages just rendered, by id, to be kept
    #: with the shards (``pack.findings``).
    found: dict[str, Any] = field(default_factory=dict)
    #: What the message checks' findings are sealed under (``keys.PackKeys.pack``; else
    #: ``key``).
    pack_key: str = ""
    #: Everything the pack is made from but its messages (``keys.PackKeys.inputs``; else
    #: ``pack_key``).
    inputs: str = ""
    #: What the files kept from the last pack are sealed under (``keys.PackKeys.kept``;
    #: else ``key``).
    kept_key: str = ""
    #: What each channel renders from now, its templates and own settings, as a digest
    #: (``keys.PackKeys.templates``).
    templates: Mapping[str, str] = field(default_factory=dict)
    #: The units some of whose channels render again, by (message id, locale): what is
    #: kept of each (:func:`campaignsync.pack.partial.split`).
    partial: dict[tuple[str, str], partial.Part] = field(default_factory=dict)

    #: What builds took of each message's units, by locale: kept by a process that builds
    #: again while the shard is unchanged (``shards.Known``), so each is made once.
    taken: dict[str, shards.Took] = field(default_factory=dict)
    #: The body files the saved shards no longer name: deleted by :func:`let_go`, once
    #: nothing reads the values taken from them (else when the cache is next opened).
    unnamed: set[Path] = field(default_factory=set)

    #: ``templates`` as pairs, that a unit's are compared with at once (see :meth:`stale`).
    now: frozenset[tuple[str, str]] = field(default=frozenset(), init=False)

    def __post_init__(self) -> None:
        self.kept_key = self.kept_key or self.key
        self.pack_key = self.pack_key or self.key
        self.inputs = self.inputs or self.pack_key
        self.now = frozenset(self.templates.items())

    def stale(self, unit: Unit) -> set[str]:
        """Return the channels of a unit whose templates or own settings changed since."""
        if self.now.issuperset(unit.templates):  # (a unit keeps its every channel's)
            return set()
        return {channel for channel, made in unit.templates if (channel, made) not in self.now}

    def key_of(self, message_id: str, locale: str) -> str:
        """Return what a unit is keyed on: its message's digest and what it reads of the locales."""
        return self.keys[message_id] + self.views.get((message_id, locale), "")

    def get(
        self, message_id: str, locale: str, message_key: str, lookups: Mapping[str, Any]
    ) -> Unit | None:
        """Return the cached unit if its message and every catalog entry it read are unchanged."""
        found = self.units.get(message_id, {}).get(locale)
        if found is None or found[0] != message_key:
            return None
        unit = found[1]
        if all(digest_of(lookups.get(tag)) == digest for tag, digest in unit.catalogs):
            return unit
        plain = sealed.plain_entry
        try:
            log = unit.plain_log
        except ValueError:
            return None
        for (tag, context, source), entry in log:
            lookup = lookups.get(tag)
            if lookup is None or plain(lookup.entries.get((context, source))) != entry:
                return None
        return unit

    def put(self, message_id: str, locale: str, message_key: str, unit: Unit) -> None:
        """Remember a freshly rendered unit."""
        self.units.setdefault(message_id, {})[locale] = (message_key, unit)
        self.dirty.add(message_id)

    def written(self, message_id: str) -> None:
        """Note a message whose renderer wrote its shard: nothing of it to write, nor to hold."""
        self.dirty.discard(message_id)
        self.units.pop(message_id, None)

    def keep_only(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Forget units no longer built (a deleted message, a locale dropped from the config)."""
        alive: dict[str, set[str]] = {}
        for message_id, locale in wanted:
            alive.setdefault(message_id, set()).add(locale)
        for message_id in list(self.units):
            locales = self.units[message_id]
            keep = alive.get(message_id, set())
            for tag in [t for t in locales if t not in keep]:
                del locales[tag]
                self.dirty.add(message_id)
            if not locales:
                del self.units[message_id]


def keyed_by(cache: Cache, project: Project) -> None:
    """Give ``cache`` the digest of each message (unless it has them) and each unit's view.

    A unit's view (``keys.locale_views``) is what it reads of the locales: its own
    locale's settings, those of the locales it falls back to, and the partner publishing
    the message in it (:func:`campaignsync.l10n.localize.partner_for`).
    """
    from campaignsync.l10n.localize import locales_for, partner_for

    cache.keys = cache.keys or message_digests(project)
    config = project.config
    views = keys.locale_views(config)
    reach: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
    found = cache.views = {}
    for m in project.messages:
        mine = reach.get(m.partners)
        if mine is None:  # (which partner publishes in which locale follows from them alone)
            mine = reach[m.partners] = tuple(
                (loc.tag, views.get((loc.tag, partner_for(config, m, loc)), ""))
                for loc in locales_for(config, m)
            )
        for tag, view in mine:
            found[(m.id, tag)] = view


def message_digests(project: Project) -> dict[str, str]:
    """Return the digest of each message of the project, by id: what its units are keyed on."""
    known = {id(m): mark for m, mark in project.digested}  # held there: their ids are theirs
    return {m.id: known.get(id(m)) or keys.digest(m) for m in project.messages}


def store(
    cache: Cache,
    message_id: str,
    locale: str,
    outputs: list[Output],
    members: Mapping[str, Member],
    log: tuple[tuple[tuple[str, str, str], catalog.Entry | None], ...],
    lookups: Mapping[str, catalog.Lookup],
    rows: dict[str, str],
) -> None:
    """Remember a unit just rendered, with the catalog look-ups it made; add its manifest rows.

    A row already in ``rows`` (made by the render worker) is taken as it is. A unit
    only some of whose channels rendered again (:attr:`Cache.partial`) is kept whole:
    the outputs kept of it and their look-ups, with those just made.
    """
    made: list[tuple[Output, tuple[str, int, int, int] | None, str | None]] = []
    for output in outputs:
        member = members.get(output.path)
        if member is None:
            made.append((output, None, None))
        else:
            line = rows.get(output.path) or manifest_line(output, member.sha256)
            made.append((output, (member.sha256, member.crc, member.size, member.method), line))
            rows[output.path] = line
    plain = {key: sealed.plain_entry(entry) for key, entry in log}
    part = cache.partial.pop((message_id, locale), None)
    packed = None  # (the look-ups packed as they were kept, when no new one was made)
    if part is not None:
        made = partial.merged(part.kept, part.order, made)
        kept = dict(part.kept.plain_log)  # (read when it was split: partial.splits)
        if plain.items() <= kept.items():  # (a template edit: the same look-ups again)
            plain, packed = kept, part.kept.packed_log  # where they were kept
        else:
            plain = {**kept, **plain}
    tags = catalog_digests(lookups, (key[0] for key in plain))
    done, metas, lines = zip(*made, strict=True) if made else ((), (), ())
    templates = tuple(
        (c, cache.templates.get(c, "")) for c in dict.fromkeys(o.channel for o in done)
    )
    packed = packed or sealed.packed(tuple(plain.items()))
    unit = Unit(done, metas, packed, tags, lines, None, templates)
    cache.put(message_id, locale, cache.key_of(message_id, locale), unit)


def keep_drawn(cache: Cache, drawn: Mapping[str, Drawn]) -> None:
    """Add to the units that have none the gallery cards a build drew for their outputs."""
    for message_id, units in cache.units.items():
        for tag, (message_key, unit) in list(units.items()):
            if unit.drawn is not None:
                continue
            cards = tuple(drawn[o.path] for o in unit.outputs if o.path in drawn)
            units[tag] = (message_key, replace(unit, drawn=cards))
            cache.dirty.add(message_id)


def digest_of(lookup: Any) -> str:
    return getattr(lookup, "digest", "") if lookup is not None else "-"


def catalog_digests(lookups: Mapping[str, Any], tags: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Return the digest of each catalog a unit's look-ups went to."""
    return tuple((tag, digest_of(lookups.get(tag))) for tag in sorted(set(tags)))


# --- files ------------------------------------------------------------------------------


def open_cache(
    out: Path,
    pack_name: str,
    key: str,
    load: bool = True,
    only: Set[str] | None = None,
    keyed: keys.PackKeys | None = None,
) -> Cache:
    """Return the cache of a pack: every readable shard written under ``key``, the rest dropped.

    ``load=False`` starts empty (``build --force``); the new units still replace the old.
    ``only`` reads the shards of those messages alone (the others are left as they are).
    ``keyed`` gives the templates' digests and the findings' key.
    """
    folder = out / FOLDER / pack_name
    bodies.forget_recent()
    if keyed is None:
        cache = Cache(folder, key)
    else:
        cache = Cache(folder, key, pack_key=keyed.pack, inputs=keyed.inputs,
                      kept_key=keyed.kept, templates=keyed.templates)  # fmt: skip
    if not load:
        cache.dirty.update(_names(folder))
        return cache
    try:
        names = sorted(p.name for p in folder.iterdir())
        where = sealed.folder_id(folder)
    except OSError:
        return cache
    chosen = [
        n.removesuffix(".units")
        for n in names
        if n.endswith(".units") and (only is None or n.removesuffix(".units") in only)
    ]
    known = shards.Known.of(folder, key, where)
    named: dict[str, set[str]] = {}
    for message_id, units, taken, in_files in known.units(chosen):
        if units is None:
            cache.dirty.add(message_id)
        else:
            cache.units[message_id] = dict(units)  # the build puts and drops units in its copy
            cache.taken[message_id] = taken
            named[message_id] = set(in_files)
    listed = names if only is None else [n for n in names if bodyfiles.message_of(n) in only]
    bodyfiles.collect(folder, listed, named)
    return cache


def absorb(cache: Cache, folders: Iterable[Path]) -> int:
    """Add the units that other builds rendered (shards of a CI matrix, say); return how many.

    Each folder is another build's output folder. Only units written under
    this cache's key (same tool, config and calendar as units read them, channels) are taken,
    and each is still checked against its message, catalogs and templates
    before use, as the cache's own are. Units already here are kept, but
    those of templates since changed, when the other build's are current.
    """
    taken = 0
    for folder in folders:
        base = folder / FOLDER
        try:
            packs = sorted(p for p in base.iterdir() if p.is_dir())
        except OSError:
            continue
        for pack in packs:
            for path in sorted(pack.glob("*.units")):
                message_id = path.name.removesuffix(".units")
                plain = sealed.read_sealed(path, None, cache.key)
                units = unitrows.units_of(plain, pack, None, cache.key, message_id)
                if units is None or not shards.read_now(units):
                    continue
                mine = cache.units.setdefault(message_id, {})
                for tag, found in units.items():
                    if tag not in mine or (cache.stale(mine[tag][1]) and not cache.stale(found[1])):
                        mine[tag] = found
                        cache.dirty.add(message_id)
                        taken += 1
    return taken


def _names(folder: Path) -> list[str]:
    try:
        return [p.name.removesuffix(".units") for p in folder.iterdir() if p.suffix == ".units"]
    except OSError:
        return []


def save_cache(cache: Cache) -> None:
    """Write the shards that changed (each atomically) and delete those of gone messages.

    What the message checks found about messages just rendered is written too. The
    body files the shards no longer name are noted in ``cache.unnamed`` (see :func:`let_go`).
    """
    save_found(cache)
    if not cache.dirty:
        return
    folder = cache.folder
    on_disk = bodyfiles.by_message(folder)
    for message_id in sorted(cache.dirty):
        path = folder / f"{message_id}.units"
        units = cache.units.get(message_id)
        named: tuple[tuple[str, str], ...] = ()
        if not units:
            path.unlink(missing_ok=True)
        else:
            shard = unitrows.plain_shard(folder, cache.key, message_id, units)
            try:
                sealed.write_sealed(path, cache.key, shard)
            except BaseException:  # the body file just written would be no one's
                bodyfiles.remove(
                    folder, {n for n, _ in shard[0]} - set(on_disk.get(message_id, ()))
                )
                raise
            named = shard[0]
        # Once the shard names its body files, the others of the message are no one's.
        left = set(on_disk.get(message_id, ())) - {name for name, _ in named}
        cache.unnamed.update(folder / name for name in left)
    cache.dirty.clear()


def save_found(cache: Cache) -> None:
    """Write what the message checks found about the messages just rendered (once)."""
    if cache.found:
        from campaignsync.pack import findings

        findings.write(cache.folder, cache.pack_key, cache.found)
        cache.found.clear()


def let_go(cache: Cache) -> None:
    """Delete the body files no saved shard names, once their values are no longer read.

    A value taken from the cache reads its unit's bytes when asked for (a check after
    a build, say), from the body file it was taken from; left undeleted (a command
    that stops first), they go when the cache is next opened (``bodyfiles.collect``).
    """
    for path in sorted(cache.unnamed):
        with contextlib.suppress(OSError):  # left to the next open (bodyfiles.collect)
            path.unlink(missing_ok=True)
    cache.unnamed.clear()
