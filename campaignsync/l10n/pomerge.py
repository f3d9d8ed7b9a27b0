"""Keeping PO files in step with the POT: a new locale's catalog, and merging without loss.

Works on Babel catalogs as ``l10n.catalog`` reads and writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from campaignsync.l10n import catalog
from campaignsync.l10n.catalog import Message
from campaignsync.model import Locale


def new_catalog(
    template: catalog.Catalog, locale: Locale, created: datetime, team: str
) -> catalog.Catalog:
    """Return an empty PO catalog for a new locale, with CLDR plural rules in the header."""
    comment = (
        f"# {locale.tag} translations for {template.project}.\n"
        "# Translate the msgstr lines; keep links, #hashtags and %(placeholders)s as they are.\n"
        "# 'campaignsync locale update' merges new source text in without losing your work."
    )
    po = catalog.new_header(
        template.project, template.version, template.creation_date, created, comment, locale, team
    )
    for message in template:
        if message.id:
            po.add(
                message.id,
                string=_empty(message, po.num_plurals),
                locations=message.locations,
                flags=message.flags,
                auto_comments=message.auto_comments,
                context=message.context,
            )
    return po


def _empty(message: Message, plurals: int) -> str | tuple[str, ...]:
    return ("",) * plurals if isinstance(message.id, tuple | list) else ""


#: Flags that belong to the source text: the POT's word on them wins in a merge.
_SOURCE_FLAGS = frozenset({"fuzzy", "python-format", "no-python-format", "python-brace-format"})


def merge(template: catalog.Catalog, old: catalog.Catalog) -> catalog.Catalog:
    """Merge a new POT into a PO catalog without ever losing a translation.

    Exact (msgctxt, msgid) matches keep their translation; an entry whose
    source text changed under the same msgctxt keeps the old translation as
    fuzzy, with the previous msgid (``#|``); entries no longer in the POT
    become obsolete (``#~``) and come back if their text returns. Fuzzy
    matching never crosses contexts (Babel's ``Catalog.update`` does), and
    is a dictionary lookup, never Babel's quadratic difflib search.
    """
    merged = merged_header(template, old)
    entries, retired = merge_entries(
        [m for m in template if m.id],
        [m for m in old if m.id],
        list(old.obsolete.values()),
        merged.num_plurals,
    )
    for e in entries:
        merged.add(
            e.id,
            string=e.string,
            locations=list(e.locations),
            flags=e.flags,
            auto_comments=list(e.auto_comments),
            user_comments=list(e.user_comments),
            previous_id=list(e.previous_id),
            context=e.context,
        )
    for message in retired:
        merged.obsolete[babel_key(message)] = message
    return merged


def merged_header(template: catalog.Catalog, old: catalog.Catalog) -> catalog.Catalog:
    """Return an empty catalog with the header a merge writes: the old one, the POT's date.

    Written in UTF-8 whatever charset the old one was in, as msgmerge does: the POT's
    text may hold what that charset cannot (Babel would write "\\u2014" for a dash,
    which no PO reader takes).
    """
    merged = catalog.Catalog(
        locale=old.locale, domain=catalog.DOMAIN, charset="utf-8", fuzzy=old.fuzzy
    )
    merged.mime_headers = old.mime_headers
    merged.charset = "utf-8"  # (the old header's Content-Type named its own)
    merged.header_comment = old.header_comment
    merged.creation_date = template.creation_date
    return merged


_Keyed = Mapping[tuple[str | None, str], Any]


class Entry(NamedTuple):
    """A catalog entry as plain values: what a merge reads and writes of a Babel message.

    A named tuple: thousands are compared and kept per catalog, and a tuple of
    strings is what the cache of ``locale update`` stores (``commands.pomemo``).
    """

    context: str | None
    id: Any  # the msgid, or (msgid, msgid_plural)
    string: Any  # the msgstr, or every msgstr[n]
    flags: tuple[str, ...]  # sorted
    locations: tuple[tuple[str, Any], ...]
    auto_comments: tuple[str, ...]
    user_comments: tuple[str, ...]
    previous_id: tuple[str, ...]

    @property
    def fuzzy(self) -> bool:
        """Return True when the entry waits for review."""
        return "fuzzy" in self.flags


def entry_of(message: Message | Entry) -> Entry:
    """Return a Babel message (or an entry) as an entry."""
    return Entry(
        message.context,
        tuple(message.id) if isinstance(message.id, list | tuple) else message.id,
        tuple(message.string) if isinstance(message.string, list | tuple) else message.string,
        tuple(sorted(message.flags)),
        tuple(message.locations),
        tuple(message.auto_comments),
        tuple(message.user_comments),
        tuple(message.previous_id),
    )


def babel_key(message: Message | Entry) -> Any:
    """Return the key of an obsolete entry in Babel's catalog."""
    source = _key(message.id)
    return (source, message.context) if message.context else source


def merge_entries(
    template: list[Message] | list[Entry],
    old: list[Message] | list[Entry],
    obsolete: list[Message] | list[Entry],
    plurals: int,
) -> tuple[list[Entry], list[Any]]:
    """Return the merged entries in template order, and the old ones that become obsolete.

    ``obsolete`` are the old catalog's obsolete entries; what is returned of them
    (and of ``old``) are the objects given, in Babel's order of obsolete entries.
    """
    current = {key_of(m): m for m in old}
    retired = {key_of(m): m for m in obsolete}
    by_context = {m.context: m for m in retired.values() if m.context and is_translated(m)}
    by_context.update({m.context: m for m in old if m.context and is_translated(m)})
    used: set[tuple[str | None, str]] = set()
    merged = [merge_one(e, current, retired, by_context, used, plurals) for e in template]
    gone: dict[Any, Any] = {}
    for key, message in list(current.items()) + list(retired.items()):
        if key not in used and is_translated(message):
            gone.setdefault(babel_key(message), message)
    return merged, list(gone.values())


def key_of(message: Message | Entry) -> tuple[str | None, str]:
    """Return what a merge matches entries on: the msgctxt and the (first) msgid."""
    return message.context, _key(message.id)


def text(value: object) -> str:
    """Return the text of a msgid or msgstr (the first form of a plural one)."""
    return _key(value)


def merge_one(
    entry: Any,
    current: _Keyed,
    retired: _Keyed,
    by_context: Mapping[str, Any],
    used: set[tuple[str | None, str]],
    plurals: int,
) -> Entry:
    """Return one POT entry merged: the old entry as it is, or what it carries over.

    ``used`` gets the keys of the old entries it took (see :func:`merge_entries`).
    """
    kept = unchanged(entry, current, plurals)
    if kept is not None:
        used.add(key_of(kept))
        return kept
    carried = _carried(entry, current, retired, by_context, used, plurals)
    return Entry(
        entry.context,
        tuple(entry.id) if isinstance(entry.id, list | tuple) else entry.id,
        carried["string"],
        tuple(sorted(carried["flags"])),
        tuple(entry.locations),
        tuple(entry.auto_comments),
        tuple(carried["user_comments"]),
        tuple(carried["previous_id"]),
    )


def unchanged(entry: Any, current: Mapping[Any, Any], plurals: int) -> Entry | None:
    """Return the old entry itself when merging ``entry`` into it would give it back.

    So it is when both are plain entries (``locale update`` merging into the
    entries it wrote), of the same key and text, with the POT's locations,
    comments and flags: what :func:`_carried` would make of them, found with
    a few comparisons instead.
    """
    if not isinstance(entry, Entry):
        return None
    old = current.get((entry.context, _key(entry.id)))
    if not isinstance(old, Entry) or (old.id, old.locations, old.auto_comments) != (
        entry.id,
        entry.locations,
        entry.auto_comments,
    ):
        return None
    flags = set(old.flags)
    expected = (set(entry.flags) - {"fuzzy"}) | (flags - _SOURCE_FLAGS)
    if old.fuzzy:
        expected.add("fuzzy")
    elif old.previous_id:
        return None
    string, reshaped = _fit(old.string, entry, plurals)
    return old if expected == flags and not reshaped and string == old.string else None


def _carried(
    entry: Any,
    current: _Keyed,
    retired: _Keyed,
    by_context: Mapping[str, Any],
    used: set[tuple[str | None, str]],
    plurals: int,
) -> dict[str, Any]:
    """Return what a POT entry keeps from the old catalog: translation, flags, comments.

    The entry of the same key, else (as fuzzy) one of the same msgctxt that no
    other entry took; ``used`` notes what was taken.
    """
    key = (entry.context, _key(entry.id))
    previous = current.get(key) or retired.get(key)
    string: Any = _empty(entry, plurals)
    flags = {f for f in entry.flags if f != "fuzzy"}
    previous_id: list[str] = []
    user_comments: list[str] = []
    earlier = by_context.get(entry.context) if previous is None and entry.context else None
    if earlier is not None and (earlier.context, _key(earlier.id)) in used:
        earlier = None
    if previous is not None:
        string, user_comments = previous.string, list(previous.user_comments)
        flags |= set(previous.flags) - _SOURCE_FLAGS
        if previous.fuzzy:
            flags.add("fuzzy")
            previous_id = list(previous.previous_id)
        used.add(key)
    elif earlier is not None:
        string, user_comments = earlier.string, list(earlier.user_comments)
        flags |= (set(earlier.flags) - _SOURCE_FLAGS) | {"fuzzy"}
        previous_id = [_key(earlier.id)]
        used.add((earlier.context, _key(earlier.id)))
    string, reshaped = _fit(string, entry, plurals)
    if reshaped and is_translated_string(string):
        flags.add("fuzzy")
    return {
        "string": string,
        "flags": flags,
        "user_comments": user_comments,
        "previous_id": previous_id,
    }


def _fit(string: Any, entry: Any, plurals: int) -> tuple[Any, bool]:
    """Return the translation shaped like the entry (singular or n plural forms)."""
    if isinstance(entry.id, tuple | list):
        forms = list(string) if isinstance(string, tuple | list) else [string]
        fitted = tuple((forms + [""] * plurals)[:plurals])
        return fitted, not isinstance(string, tuple | list) or len(forms) != plurals
    if isinstance(string, tuple | list):
        return (string[0] if string else ""), True
    return string, False


def _key(value: object) -> str:
    """Return the text of a msgid or msgstr (the first form of a plural entry)."""
    if isinstance(value, tuple | list):
        return str(value[0]) if value else ""
    return value if isinstance(value, str) else ""


def tally(entries: Iterable[Entry]) -> tuple[int, int]:
    """Return how many entries are fuzzy, and how many are neither fuzzy nor translated."""
    fuzzy = untranslated = 0
    for e in entries:
        if e.fuzzy:
            fuzzy += 1
        elif not is_translated(e):
            untranslated += 1
    return fuzzy, untranslated


def is_translated_string(string: object) -> bool:
    """Return True when a msgstr (or any form of a plural one) has text."""
    strings = string if isinstance(string, tuple | list) else (string,)
    return any(strings)


def is_translated(message: Message | Entry) -> bool:
    """Return True when any form of the entry has text (fuzzy or not)."""
    return is_translated_string(message.string)


def same_entries(a: catalog.Catalog, b: catalog.Catalog) -> bool:
    """Return True when two catalogs hold the same entries (headers ignored).

    Babel's own ``is_identical`` cannot be used: it mishandles msgctxt.
    """
    return rows(*_parts(a)) == rows(*_parts(b))


def _parts(po: catalog.Catalog) -> tuple[list[Entry], list[Entry]]:
    return [entry_of(m) for m in po if m.id], [entry_of(m) for m in po.obsolete.values()]


def same(
    entries: list[Entry], obsolete: list[Entry], others: Iterable[Entry], gone: Iterable[Entry]
) -> bool:
    """Return True when two catalogs' entries are the same as :func:`rows` tells them apart."""
    others, gone = list(others), list(gone)
    if len(entries) != len(others) or len(obsolete) != len(gone):
        return False
    if any(a != b and row(a) != row(b) for a, b in zip(entries, others, strict=True)):
        return False
    return rows((), obsolete) == rows((), gone)


def rows(entries: Iterable[Entry], obsolete: Iterable[Entry]) -> list[tuple[object, ...]]:
    """Return what tells two catalogs' entries apart: every field written, in file order.

    Locations are compared as they are written (sorted, each once).
    """
    found: list[tuple[object, ...]] = [row(e) for e in entries]
    found.extend((m.context, m.id, m.string, "obsolete") for m in obsolete)
    return found


def row(e: Entry) -> tuple[object, ...]:
    """Return an entry's fields as they are written (see :func:`rows`)."""
    locations = sorted(
        set(e.locations), key=lambda x: (x[0], (isinstance(x[1], int) and x[1]) or -1)
    )
    return (
        e.context,
        e.id,
        e.string or "",
        sorted(e.flags),
        locations,
        e.auto_comments,
        e.user_comments,
        e.previous_id,
    )
