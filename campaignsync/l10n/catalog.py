"""Gettext catalogs: extract the POT, add and update PO files, and look translations up.

This is the only module that imports ``babel.messages``.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from babel.messages.catalog import Catalog as Catalog
from babel.messages.catalog import Message as Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError as PoFileError
from babel.messages.pofile import read_po, write_po

from campaignsync.errors import CatalogError
from campaignsync.l10n import poplain, poscan, tokens
from campaignsync.model import Config, Diagnostic, Locale, Severity, by_position

DOMAIN = "messages"
#: A string marked in a template: (file, line, msgid or (singular, plural), msgctxt, comments).
TemplateString = tuple[str, int, str | tuple[str, ...], str | None, list[str]]


def pot_rel(config: Config) -> str:
    """Return the POT's path from the repo root."""
    return f"{config.paths.locales}/{DOMAIN}.pot"


def po_rel(config: Config, locale: Locale) -> str:
    """Return a locale's PO path from the repo root (gettext folder names)."""
    return f"{config.paths.locales}/{locale.gettext}/LC_MESSAGES/{DOMAIN}.po"


@dataclass(frozen=True, slots=True)
class Entry:
    """A usable translation: the text, the PO line of its msgstr, and what a check needs."""

    __reduce__ = by_position

    text: str
    line: int
    forms: tuple[str, ...] = ()  # every msgstr[n] of a plural entry
    plural: str | None = None  # msgid_plural
    flags: frozenset[str] = frozenset()


Key = tuple[str, str]  # (msgctxt or "", msgid)


@dataclass(frozen=True, slots=True)
class Lookup:
    """One locale's catalog, keyed by (msgctxt, msgid): usable entries and the rest.

    ``entries``: the complete, non-fuzzy translations a build uses; ``lines``: each
    entry's msgstr line; ``fuzzy``: the keys waiting for review; ``rejected``: the
    translations never used, which add HTML or an address (:func:`refused`).
    """

    path: str
    entries: Mapping[Key, Entry] = field(default_factory=dict)
    lines: Mapping[Key, int] = field(default_factory=dict)
    fuzzy: frozenset[Key] = frozenset()
    rejected: dict[Key, Entry] = field(default_factory=dict)
    obsolete: int = 0
    exists: bool = False
    digest: str = ""  # the PO file's sha256 ('' when there is none): the render cache's key
    unreadable: bool = False  # the file is there but cannot be read (CS300): nothing is used
    broken: bool = False  # entries are left out as broken (CS301-CS303): they count as missing

    def get(self, context: str, source: str) -> Entry | None:
        """Return the translation of ``source`` in ``context`` ('' for none)."""
        return self.entries.get((context, source))


def read_catalog(root: Path, rel: str, locale: Locale | None) -> Catalog:
    """Read a PO/POT file with Babel after the strict scan; raise CatalogError at file:line.

    The strict scan comes first: Babel silently repairs an unterminated string
    or a duplicate entry, and writing such a catalog back would lose text.
    """
    data, po = _read_bytes(root, rel)
    if po.problems:
        first = po.problems[0]
        raise CatalogError(f"{rel}:{first.line}: cannot read: {first.text}")
    try:
        tag = locale.gettext if locale else None  # (Babel reads a byte-order mark as text)
        read = read_po(io.BytesIO(data.removeprefix(poscan.BOM)), tag, DOMAIN, abort_invalid=True)
        _restore_previous(read)
        return read
    except PoFileError as exc:
        text = re.sub(r" on \d+$", "", str(exc))  # (Babel counts lines from 0)
        raise CatalogError(f"{rel}:{exc.lineno + 1}: cannot read: {text}") from None
    except (OSError, LookupError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"{rel}:1: cannot read: {exc}") from None


_PREVIOUS = re.compile(r'^\|\s*(?:(msgctxt|msgid|msgid_plural)\s+)?"((?:[^"\\]|\\.)*)"$')


def _restore_previous(read: Catalog) -> None:
    """Turn ``#| msgid`` lines back into previous ids (Babel reads them as comments)."""
    for message in [*read, *read.obsolete.values()]:
        if not any(c.startswith("|") for c in message.user_comments):
            continue
        fields: dict[str, str] = {}
        current = None
        kept = []
        for comment in message.user_comments:
            match = _PREVIOUS.match(comment) if comment.startswith("|") else None
            if match is None:
                kept.append(comment)
                continue
            current = match.group(1) or current or "msgid"
            fields[current] = fields.get(current, "") + poplain.unescape(match.group(2))
        message.user_comments = kept
        message.previous_id = [fields[k] for k in ("msgid", "msgid_plural") if k in fields]


def read_strict(root: Path, rel: str) -> poscan.PoFile:
    """Return a PO/POT file read strictly (an unreadable file is a CS300 problem)."""
    return _read_bytes(root, rel)[1]


def _read_bytes(root: Path, rel: str) -> tuple[bytes, poscan.PoFile]:
    """Return a PO/POT file's bytes and its strict reading, from one read of the disk."""
    data, unreadable = _read_raw(root, rel)
    return data, unreadable or poscan.scan(data)


def _read_raw(root: Path, rel: str) -> tuple[bytes, poscan.PoFile | None]:
    """Return a PO/POT file's bytes, or why it cannot be read."""
    path = root / rel
    if path.is_symlink():
        return b"", _unreadable("a symbolic link (refused)")
    try:
        return path.read_bytes(), None
    except OSError as exc:
        return b"", _unreadable(f"cannot read: {exc.strerror}")


def _unreadable(text: str) -> poscan.PoFile:
    return poscan.PoFile((), (), (), (poscan.PoProblem(poscan.UNREADABLE, 1, text),))


def cldr_plurals(locale: Locale) -> tuple[int, str]:
    """Return how many plural forms Babel's CLDR gives the locale, and its gettext rule."""
    found = get_plural(locale.gettext)
    return int(found.num_plurals), str(found.plural_expr)


Loaded = tuple[Lookup, tuple[Diagnostic, ...]]


class LookupMemo(Protocol):
    """Somewhere to keep catalogs already read, by locale and the sha256 of the PO file."""

    def get(self, locale: Locale, digest: str) -> Loaded | None:
        """Return what reading this exact file gave before, if known."""

    def put(self, locale: Locale, digest: str, loaded: Loaded) -> None:
        """Remember what reading this exact file gave."""


def load_lookup(
    root: Path, config: Config, locale: Locale, memo: LookupMemo | None = None
) -> Loaded:
    """Return a locale's translations (empty when it has no PO file) and the file's problems.

    Broken entries are left out, never repaired: a syntax error, a duplicate or
    a wrong number of plural forms is an error at the PO line to fix. A
    ``memo`` answers for a file it has seen byte for byte before.
    """
    rel = po_rel(config, locale)
    path = root / rel
    if not path.exists() and not path.is_symlink():
        return Lookup(rel), ()
    data, unreadable = _read_raw(root, rel)
    digest = hashlib.sha256(data).hexdigest()
    if memo is not None and unreadable is None:
        known = memo.get(locale, digest)
        if known is not None:
            return known
    loaded = _load(rel, locale, unreadable or poscan.scan(data), digest)
    if memo is not None and unreadable is None:
        memo.put(locale, digest, loaded)
    return loaded


def _load(rel: str, locale: Locale, po: poscan.PoFile, digest: str) -> Loaded:
    found = [
        Diagnostic(p.code, Severity.ERROR, _problem_text(p), rel, p.line, locale.tag)
        for p in po.problems
    ]
    wanted = cldr_plurals(locale)[0]
    plural = [e for e in po.entries if e.plural is not None]
    if plural and po.nplurals is not None and po.nplurals != wanted:
        found.append(
            Diagnostic(
                poscan.PLURALS,
                Severity.ERROR,
                f"the Plural-Forms header says nplurals={po.nplurals}, but {locale.tag} has "
                f"{wanted} plural form(s) in CLDR; fix the header and the msgstr[n] lines",
                rel,
                plural[0].string_line,
                locale.tag,
            )
        )
        kept = tuple(e for e in po.entries if e.plural is None)
        po = poscan.PoFile(po.header, kept, po.obsolete, po.problems)
    if any(p.code == poscan.UNREADABLE for p in po.problems):
        return Lookup(rel, unreadable=True), tuple(found)
    return _lookup(rel, po, digest, bool(found)), tuple(found)


def load_lookups(
    root: Path, config: Config, only: Iterable[str] | None = None, memo: LookupMemo | None = None
) -> tuple[dict[str, Lookup], list[Diagnostic]]:
    """Read target locales' catalogs once, strictly; return lookups and problems.

    ``only`` limits the reading to some locales and the fallbacks they read from.
    """
    wanted = None if only is None else set(only)
    if wanted is not None:
        wanted |= {tag for loc in config.locales if loc.tag in wanted for tag in loc.fallbacks}
    lookups: dict[str, Lookup] = {}
    problems: list[Diagnostic] = []
    for locale in config.locales:
        if wanted is not None and locale.tag not in wanted:
            continue
        lookup, found = load_lookup(root, config, locale, memo)
        lookups[locale.tag] = lookup
        problems.extend(found)
    return lookups, problems


def _problem_text(problem: poscan.PoProblem) -> str:
    if problem.code == poscan.UNREADABLE:
        return f"cannot read the catalog: {problem.text}"
    return problem.text


def refused(e: poscan.PoEntry) -> bool:
    """Say whether a translation is never used: a form adds HTML or an address (tokens)."""
    return any(tokens.refused(tokens.both(e.msgid, e.plural), s) for s in e.strings)


def _lookup(rel: str, po: poscan.PoFile, digest: str = "", broken: bool = False) -> Lookup:
    entries: dict[Key, Entry] = {}
    lines: dict[Key, int] = {}
    fuzzy: set[Key] = set()
    rejected: dict[Key, Entry] = {}
    for e in po.entries:
        key = (e.context or "", e.msgid)
        lines[key] = e.string_line
        if e.fuzzy and e.translated:
            fuzzy.add(key)
        if not e.usable:
            continue
        forms = e.strings if e.plural is not None else ()
        entry = Entry(e.strings[0], e.string_line, forms, e.plural, e.flags)
        if refused(e):
            rejected[key] = entry
            continue
        entries[key] = entry
    obsolete = sum(1 for e in po.obsolete if e.translated)
    return Lookup(rel, entries, lines, frozenset(fuzzy), rejected, obsolete, True, digest,
                  broken=broken)  # fmt: skip


def new_header(
    project: str,
    version: str | None,
    created: datetime | str,
    revised: datetime,
    comment: str,
    locale: Locale | None = None,
    team: str | None = None,
    holder: str | None = None,
) -> Catalog:
    """Return an empty catalog with campaignsync's header: the one place a header is made.

    Babel fills the fields from these values (Project-Id-Version from ``project``
    and ``version``, the two dates, UTF-8; for a PO file the Language, the
    Language-Team and CLDR's Plural-Forms of ``locale``). Babel also replaces
    PROJECT, VERSION, YEAR and ORGANIZATION (``holder``) in ``comment``.
    """
    catalog = Catalog(
        locale=locale.gettext if locale is not None else None,
        domain=DOMAIN,
        project=project,
        version=version,
        copyright_holder=holder,
        creation_date=created,
        revision_date=revised,
        language_team=team,
        charset="utf-8",
        fuzzy=False,
    )
    catalog.header_comment = comment
    return catalog


def extract_templates(root: Path, rel: str) -> Iterator[TemplateString]:
    """Yield the strings marked for translation in one Jinja2 template.

    Raises the template's own syntax error: extraction never skips a file silently.
    """
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    options = {"silent": "false", "trimmed": "true", "extensions": "jinja2.ext.i18n"}
    found = extract_from_file(
        "jinja2.ext:babel_extract",
        str(root / rel),
        keywords=DEFAULT_KEYWORDS,
        comment_tags=("NOTE:",),
        options=options,
    )
    for line, text, comments, context in found:
        yield rel, line, text, context, list(comments)


def render_po(catalog: Catalog) -> bytes:
    """Serialise a catalog deterministically: document order, no wrapping, previous ids."""
    buffer = io.BytesIO()
    # Not width=0: Babel then still wraps comments at 76, and a wrapped "#| msgid" is
    # a syntax error for GNU gettext. A width no line reaches wraps nothing.
    write_po(
        buffer,
        catalog,
        width=_NO_WRAP,
        sort_output=False,
        include_previous=True,
        ignore_obsolete=False,
    )
    return buffer.getvalue()


_NO_WRAP = 1 << 30


def read_header(block: bytes, locale: Locale) -> Catalog:
    """Return the catalog of a PO file's header block alone (what a merge keeps of it)."""
    data = block.removeprefix(poscan.BOM) + b"\n\n"
    return read_po(io.BytesIO(data), locale=locale.gettext, domain=DOMAIN)


def render_block(header: Catalog, entry: Any | None, obsolete: bool = False) -> bytes:
    """Return :func:`render_po`'s block of an entry or ``header``, without its blank line."""
    one = Catalog(locale=header.locale, domain=DOMAIN, charset="utf-8", fuzzy=header.fuzzy)
    one.mime_headers = header.mime_headers
    one.header_comment = header.header_comment
    if entry is not None:
        message = Message(
            entry.id,
            entry.string,
            list(entry.locations),
            entry.flags,
            list(entry.auto_comments),
            list(entry.user_comments),
            list(entry.previous_id),
            context=entry.context,
        )
        if obsolete:
            one.obsolete[entry.id] = message
        else:
            one[entry.id] = message
    buffer = io.BytesIO()
    write_po(
        buffer,
        one,
        width=_NO_WRAP,
        sort_output=False,
        include_previous=True,
        ignore_obsolete=False,
        omit_header=entry is not None,
    )
    return buffer.getvalue()[:-2]


def mo_bytes(locale: Locale, header: Iterable[tuple[str, str]], entries: Iterable[Any]) -> bytes:
    """Return the MO file of ``(msgid, msgstr, msgctxt)`` entries (tuples for plural ones)."""
    mo = Catalog(locale=locale.gettext, domain=DOMAIN, charset="utf-8", fuzzy=False)
    mo.mime_headers = list(header)
    for msgid, string, context in entries:
        mo.add(msgid, string=string, context=context)
    buffer = io.BytesIO()
    write_mo(buffer, mo, use_fuzzy=False)
    return buffer.getvalue()
