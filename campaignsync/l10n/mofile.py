"""MO files for other programs: complete, non-fuzzy translations only, none refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaignsync.l10n import catalog, poscan
from campaignsync.model import Locale


@dataclass(frozen=True, slots=True)
class Compiled:
    """An MO file's bytes and what went into it."""

    data: bytes
    translated: int
    fuzzy: int
    untranslated: int


def compile_mo(po: poscan.PoFile, locale: Locale) -> Compiled:
    """Return the MO file of a strictly read catalog: complete, non-fuzzy entries only.

    Babel's ``write_mo`` would fill an incomplete plural entry with English
    forms; such entries are left out instead, so a consumer falls back cleanly.
    So is a translation a build never uses (``catalog.refused``: added HTML or an
    address), counted as untranslated.
    """
    kept: list[tuple[Any, Any, str | None]] = []
    fuzzy = 0
    for e in po.entries:
        if e.fuzzy and e.translated:
            fuzzy += 1
            continue
        if not e.complete or catalog.refused(e):
            continue
        msgid: Any = (e.msgid, e.plural) if e.plural is not None else e.msgid
        string: Any = e.strings if e.plural is not None else e.strings[0]
        kept.append((msgid, string, e.context))
    untranslated = len(po.entries) - len(kept) - fuzzy
    data = catalog.mo_bytes(locale, po.header, kept)
    return Compiled(data, len(kept), fuzzy, untranslated)
