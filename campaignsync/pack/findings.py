"""What the checks of outputs found about each message, kept with what they read.

The checks marked :func:`campaignsync.checks.message_check` find about a
message only what its own outputs (every locale, every channel) and the config
say. So ``check`` keeps, for each message, those findings and the message's
long texts (their readability counts, for CS402's comparison across messages,
and apart, packed, their blocks, which CS402 reads only for a text it reports)
in ``<out>/.campaignsync-cache/found/<pack>/<message>.found``, with what each
of its units was rendered from: the message's digest, the digests of the
catalogs it looked up and every look-up with its answer (as the render cache,
``pack.cache``, keeps them; in ``<message>.logs`` beside it, packed unit by unit,
each unit's found by its place and sha256 kept in the findings file, and read only
for the units that read a catalog that changed: they are
most of the bytes), and the one thing a check reads from a catalog
itself (where CS414 says to translate the alt text). While all of that is
unchanged, the findings are given again without reading the message's
outputs; anything else (a unit rendered again, a locale added or dropped)
makes the message's findings be found again from its outputs.

The files are small (no outputs) and sealed as the other cache files
(``pack.sealed``), under the pack's key (tool, templates, channels, the config as the
message checks read it and the calendar as units read it: a blackout day, a silenced
code or a partner's business hours edited find nothing again here, the message checks
read none of them): damaged, copied or from another key, they are a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaignsync.checks.access import alt_entry
from campaignsync.l10n import catalog
from campaignsync.l10n.longtexts import Text, hardest_block, plain_counts
from campaignsync.l10n.readability import Counts
from campaignsync.model import Diagnostic, Message
from campaignsync.pack import cache, sealed

#: The folder of the findings, inside the cache folder of the output folder.
FOLDER = "found"
#: What one unit was rendered from: message digest, catalog digests, CS414's place (its
#: look-ups are kept apart, packed, and read only when one of those catalogs changed).
_Read = tuple[str, tuple[tuple[str, str], ...], str]
#: What one unit was rendered from, as the render cache keeps it: the message's digest,
#: the digests of the catalogs it read, and its look-ups with their answers.
Rendered = tuple[
    str, tuple[tuple[str, str], ...], tuple[tuple[tuple[str, str, str], catalog.Entry | None], ...]
]


@dataclass(frozen=True, slots=True)
class Kept:
    """What the message checks found about one message, and its long texts."""

    found: tuple[Diagnostic, ...]
    texts: tuple[Text, ...]
    #: The texts' body blocks packed by locale, when ``texts`` were given back without them:
    #: only CS402 reads blocks, of the rare text it reports (see :meth:`body`).
    blocks: bytes | None = None

    def body(self, locale: str) -> tuple[tuple[str, str, str | None], ...]:
        """Return the body blocks of the message's long text in ``locale``."""
        if self.blocks is None:
            return next((t.blocks for t in self.texts if t.locale == locale), ())
        kept = sealed.unpacked(self.blocks).get(locale, ())
        return tuple((name, text, origin) for name, text, origin in kept)


#: The findings files this process read (a preview's builds read only those written since).
_READ = sealed.Remembered()


class Findings:
    """The kept findings of one pack's messages, one sealed file per message."""

    def __init__(self, out: Path, pack: str, key: str) -> None:
        self.folder = out / cache.FOLDER / FOLDER / pack
        self.key = key

    def get(
        self,
        message: Message,
        message_key: str,
        tags: Iterable[str],
        lookups: Mapping[str, catalog.Lookup],
    ) -> Kept | None:
        """Return what was found about ``message`` if every unit it came from still holds.

        ``tags`` are the locales the message is rendered in now.
        """
        try:
            where = sealed.folder_id(self.folder)
        except OSError:
            return None
        path = self.folder / f"{message.id}.found"
        plain = _READ.read_sealed(path, where, self.key)
        try:
            if plain is None or not isinstance(plain[4], bytes):
                return None
            reads, index = plain[:2]

            def log(tag: str) -> bytes:
                at, size, sha = index[tag]
                with path.with_suffix(".logs").open("rb") as handle:
                    handle.seek(at)
                    data = handle.read(size)
                if hashlib.sha256(data).hexdigest() != sha:
                    raise ValueError("not this findings' look-ups")
                return data

            changed = _changed(reads, log, message, message_key, tags, lookups)
            if changed is None:
                return None
            if changed:  # kept under the catalogs' digests now: not compared again next time
                self._refresh(path, plain, changed)
            return kept_of(plain)
        except Exception:  # the right shape is part of being intact
            return None

    def _refresh(
        self, path: Path, plain: tuple[Any, ...], now: dict[str, tuple[tuple[str, str], ...]]
    ) -> None:
        """Write a message's findings again, each unit in ``now`` under its catalogs' digests.

        Called when every look-up of the units that read a changed catalog is answered
        alike: the look-ups file is unchanged (its parts' sha256s still hold).
        """
        reads = {
            tag: (key, now.get(tag, catalogs), alt)
            for tag, (key, catalogs, alt) in plain[0].items()
        }
        with contextlib.suppress(OSError):  # not refreshed: only compared again next time
            sealed.write_sealed(path, self.key, (reads, *plain[1:]))

    def put(
        self,
        message: Message,
        units: Mapping[str, Rendered],
        lookups: Mapping[str, catalog.Lookup],
        kept: Kept,
    ) -> None:
        """Remember what was found about ``message`` from ``units`` (by locale)."""
        _write(self.folder, message.id, self.key, plain(message, units, lookups, kept))


def write(shards: Path, key: str, found: Mapping[str, tuple[Any, ...]]) -> None:
    """Write the :func:`plain` findings of messages beside the render cache's ``shards``."""
    folder = shards.parent / FOLDER / shards.name
    for message_id, kept in sorted(found.items()):
        _write(folder, message_id, key, kept)


def _write(folder: Path, message_id: str, key: str, kept: tuple[Any, ...]) -> None:
    """Write a message's :func:`plain` findings: its look-ups apart, each unit's by its sha256.

    The look-ups are most of the bytes and are read only after a catalog changed, and
    then only the units' that read it: the findings file keeps where each unit's are
    in the look-ups file, and their sha256 (so the look-ups file needs no seal of its own).
    """
    reads, logs, *rest = kept
    index, at = {}, 0
    for tag, data in logs.items():
        index[tag] = (at, len(data), hashlib.sha256(data).hexdigest())
        at += len(data)
    sealed.write_bytes(folder / f"{message_id}.logs", b"".join(logs.values()))
    sealed.write_sealed(folder / f"{message_id}.found", key, (reads, index, *rest))


def plain(
    message: Message,
    units: Mapping[str, Rendered],
    lookups: Mapping[str, catalog.Lookup],
    kept: Kept,
) -> tuple[Any, ...]:
    """Return what was found about ``message`` from ``units`` (by locale), as kept."""
    reads = {
        tag: (message_key, catalogs, alt_entry(lookups, message, tag))
        for tag, (message_key, catalogs, _log) in units.items()
    }
    logs = {
        tag: sealed.packed(tuple((key, sealed.plain_entry(entry)) for key, entry in log))
        for tag, (_key, _catalogs, log) in units.items()
    }
    found = tuple(sealed.plain_diagnostic(d) for d in kept.found)
    texts = tuple(_plain_text(t) for t in kept.texts)
    blocks = sealed.packed({t.locale: kept.body(t.locale) for t in kept.texts})
    return reads, logs, found, texts, blocks


def kept_of(plain: tuple[Any, ...]) -> Kept:
    """Return what was found about a message from its findings as kept (:func:`plain`)."""
    found = tuple(sealed.diagnostic_of(t) for t in plain[2])
    return Kept(found, tuple(_text(t) for t in plain[3]), plain[4])


def _changed(
    reads: dict[str, _Read],
    log: Callable[[str], bytes],
    message: Message,
    message_key: str,
    tags: Iterable[str],
    lookups: Mapping[str, catalog.Lookup],
) -> dict[str, tuple[tuple[str, str], ...]] | None:
    """Return the units that read a changed catalog alike, or None if a unit no longer holds.

    Each of those units comes with the digests its catalogs have now. A unit holds
    when it would be taken from the render cache and CS414 reads alike.
    ``reads`` says what each unit was rendered from; ``log`` reads a unit's look-ups,
    packed: they are read only when a unit read a catalog whose bytes changed, and only
    for those units (after one PO edit, one locale's of each message).
    """
    if set(reads) != set(tags):
        return None
    changed = {}
    for tag, (key, catalogs, alt) in reads.items():
        if key != message_key:
            return None
        now = cache.catalog_digests(lookups, (t for t, _d in catalogs))
        same = now == catalogs
        # CS414's place is in the locale's own catalog: unchanged if the unit read it unchanged.
        if not (same and tag in dict(catalogs)) and alt_entry(lookups, message, tag) != alt:
            return None
        if not same:
            changed[tag] = now
    for tag in changed:
        for (locale, context, source), entry in sealed.unpacked(log(tag)):
            lookup = lookups.get(locale)
            if lookup is None or sealed.plain_entry(lookup.get(context, source)) != entry:
                return None
    return changed


def _plain_text(text: Text) -> tuple[Any, ...]:
    """Return a long text's counts as kept (its blocks are kept apart, packed).

    A text in the source language keeps its hardest paragraph too, which CS401 names
    whenever the text misses the plain-language target (``[readability]``).
    """
    source = None if text.source is None else plain_counts(text.source)
    hardest = hardest_block(text) if text.source is None and text.blocks else None
    return (text.message, text.locale, plain_counts(text.counts), source, hardest)


#: The types of a kept text's hardest paragraph: its field, words and sentences.
_HARDEST = [str, int, int]


def _text(t: tuple[Any, ...]) -> Text:
    """Return a kept long text, without its blocks (``Kept.body`` gives them)."""
    message, locale, counts, source, hardest = t
    if hardest is not None and (type(hardest) is not tuple or [*map(type, hardest)] != _HARDEST):
        raise ValueError("not a text's hardest paragraph")  # (read in Findings.get: a miss)
    source = None if source is None else Counts(*source)
    return Text(message, locale, (), Counts(*counts), source, hardest)
