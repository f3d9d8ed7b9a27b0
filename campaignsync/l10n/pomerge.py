"""Keeping PO files in step with the POT: a new locale's catalog, and merging without loss.

Works on Babel catalogs as ``l10n.catalog`` reads and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
    merged = catalog.Catalog(
        locale=old.locale, domain=catalog.DOMAIN, charset="utf-8", fuzzy=old.fuzzy
    )
    merged.mime_headers = old.mime_headers
    merged.header_comment = old.header_comment
    merged.creation_date = template.creation_date
    plurals = merged.num_plurals
    current = {(m.context, _key(m.id)): m for m in old if m.id}
    retired = {(m.context, _key(m.id)): m for m in old.obsolete.values()}
    by_context = {m.context: m for m in retired.values() if m.context and is_translated(m)}
    by_context.update({m.context: m for m in old if m.id and m.context and is_translated(m)})
    used: set[tuple[str | None, str]] = set()
    for entry in template:
        if entry.id:
            merged.add(
                entry.id,
                **_carried(entry, current, retired, by_context, used, plurals),
                locations=entry.locations,
                auto_comments=entry.auto_comments,
                context=entry.context,
            )
    for key, message in list(current.items()) + list(retired.items()):
        source = _key(message.id)
        babel_key = (source, message.context) if message.context else source
        if key not in used and is_translated(message) and babel_key not in merged.obsolete:
            merged.obsolete[babel_key] = message
    return merged


_Keyed = dict[tuple[str | None, str], Message]


def _carried(
    entry: Message,
    current: _Keyed,
    retired: _Keyed,
    by_context: Mapping[str, Message],
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


def _fit(string: Any, entry: Message, plurals: int) -> tuple[Any, bool]:
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


def is_translated_string(string: object) -> bool:
    """Return True when a msgstr (or any form of a plural one) has text."""
    strings = string if isinstance(string, tuple | list) else (string,)
    return any(strings)


def is_translated(message: Message) -> bool:
    """Return True when any form of the entry has text (fuzzy or not)."""
    return is_translated_string(message.string)


def same_entries(a: catalog.Catalog, b: catalog.Catalog) -> bool:
    """Return True when two catalogs hold the same entries (headers ignored).

    Babel's own ``is_identical`` cannot be used: it mishandles msgctxt.
    """
    return _entries(a) == _entries(b)


def _entries(po: catalog.Catalog) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for message in po:
        if not message.id:
            continue
        rows.append(
            (
                message.context,
                message.id,
                message.string or "",
                sorted(message.flags),
                message.locations,
                message.auto_comments,
                message.user_comments,
                message.previous_id,
            )
        )
    rows.extend((m.context, m.id, m.string, "obsolete") for m in po.obsolete.values())
    return rows
