"""Gettext catalogs: extract the POT, add and update PO files, and look translations up.

This is the only module that imports ``babel.messages``.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from babel.messages.catalog import Catalog as Catalog
from babel.messages.catalog import Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError as PoFileError
from babel.messages.pofile import read_po, write_po

from campaignsync import channels
from campaignsync.errors import CatalogError
from campaignsync.l10n import poscan, tokens
from campaignsync.load import content
from campaignsync.model import Config, Diagnostic, Locale, Project, Severity, by_position
from campaignsync.model import Message as ModelMessage

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

    ``entries`` holds only complete, non-fuzzy translations: the ones a build
    uses. ``lines`` has the msgstr line of every entry in the file, ``fuzzy``
    the keys waiting for review, ``rejected`` the translations refused
    because they add HTML that the source does not have.
    """

    path: str
    entries: dict[Key, Entry] = field(default_factory=dict)
    lines: dict[Key, int] = field(default_factory=dict)
    fuzzy: frozenset[Key] = frozenset()
    rejected: dict[Key, Entry] = field(default_factory=dict)
    obsolete: int = 0
    exists: bool = False
    #: sha256 of the PO file's bytes ('' when there is none): what the render cache keys on.
    digest: str = ""

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
        read = read_po(
            io.BytesIO(data),
            locale=locale.gettext if locale else None,
            domain=DOMAIN,
            abort_invalid=True,
        )
        _restore_previous(read)
        return read
    except PoFileError as exc:
        text = re.sub(r" on \d+$", "", str(exc))
        # Babel counts lines from 0.
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
            fields[current] = fields.get(current, "") + poscan.unescape(match.group(2))
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


def cldr_plurals(locale: Locale) -> int:
    """Return the number of plural forms CLDR (as shipped with Babel) gives the locale."""
    return int(get_plural(locale.gettext).num_plurals)


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
    wanted = cldr_plurals(locale)
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
        return Lookup(rel), tuple(found)
    return _lookup(rel, po, digest), tuple(found)


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


def _lookup(rel: str, po: poscan.PoFile, digest: str = "") -> Lookup:
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
        if any("<" in s for s in e.strings) and any(
            tokens.added_html(e.msgid if n == 0 else (e.plural or e.msgid), s)
            for n, s in enumerate(e.strings)
        ):
            rejected[key] = entry
            continue
        entries[key] = entry
    obsolete = sum(1 for e in po.obsolete if e.translated)
    return Lookup(rel, entries, lines, frozenset(fuzzy), rejected, obsolete, True, digest)


def _limits_comment(config: Config, channel_names: Iterable[str]) -> str:
    specs = channels.registry()
    parts = []
    for name in channel_names:
        spec = specs.get(name)
        settings = config.channel(name)
        if spec is None or settings is None or not spec.limit:
            continue
        if name == "sms":
            parts.append(f"SMS: {settings.max_segments} segment(s)")
        else:
            parts.append(f"{spec.title}: {spec.effective_limit(settings)}")
    return "Limits: " + ", ".join(parts) if parts else ""


def _segment_comments(config: Config, message: ModelMessage, field_name: str) -> list[str]:
    """Tell the translator where a segment appears and the limits that apply."""
    if field_name in ("summary",):
        used = [c for c in message.channels if message.post(c) is None]
        comment = _limits_comment(config, used)
        return ["Post text on: " + ", ".join(used), comment] if comment else []
    if field_name.startswith("posts."):
        comment = _limits_comment(config, [field_name.removeprefix("posts.")])
        return [comment] if comment else []
    if field_name == "title":
        return ["Headline and email subject"]
    if field_name == "image.alt":
        return ["Image description for screen readers"]
    return []


def build_template(
    project: Project,
    template_strings: Iterable[TemplateString],
    created: datetime,
) -> Catalog:
    """Return the POT: every message segment, then every string marked in templates."""
    config = project.config
    pot = Catalog(
        domain=DOMAIN,
        project=config.name,
        version=config.default_campaign,
        copyright_holder=config.name,
        creation_date=created,
        revision_date=created,
        charset="utf-8",
        fuzzy=False,
    )
    pot.header_comment = (
        f"# Translations template for {config.name}.\n"
        "# Written by 'campaignsync locale extract' from the messages and templates:\n"
        "# do not edit it; translate the PO file of your locale instead."
    )
    for message in sorted(project.messages, key=lambda m: m.path):
        for segment in content.segments(message):
            pot.add(
                segment.text,
                locations=[(message.path, segment.line)],
                auto_comments=_segment_comments(config, message, segment.field),
                context=content.msgctxt(message.id, segment.field),
                flags=("no-python-format",) if "%" in segment.text else (),
            )
    for rel, line, text, context, comments in template_strings:
        existing = pot.get(text, context=context)
        if existing is not None:
            existing.locations.append((rel, line))
            continue
        pot.add(text, locations=[(rel, line)], auto_comments=comments, context=context)
    return pot


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


def same_entries(a: Catalog, b: Catalog) -> bool:
    """Return True when two catalogs hold the same entries (headers ignored).

    Babel's own ``is_identical`` cannot be used: it mishandles msgctxt.
    """
    return _entries(a) == _entries(b)


def _entries(catalog: Catalog) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for message in catalog:
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
    rows.extend((m.context, m.id, m.string, "obsolete") for m in catalog.obsolete.values())
    return rows


def new_catalog(template: Catalog, locale: Locale, created: datetime, team: str) -> Catalog:
    """Return an empty PO catalog for a new locale, with CLDR plural rules in the header."""
    po = Catalog(
        locale=locale.gettext,
        domain=DOMAIN,
        project=template.project,
        creation_date=template.creation_date,
        revision_date=created,
        language_team=team,
        charset="utf-8",
        fuzzy=False,
    )
    po.version = template.version
    po.header_comment = (
        f"# {locale.tag} translations for {template.project}.\n"
        "# Translate the msgstr lines; keep links, #hashtags and %(placeholders)s as they are.\n"
        "# 'campaignsync locale update' merges new source text in without losing your work."
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


def merge(template: Catalog, old: Catalog) -> Catalog:
    """Merge a new POT into a PO catalog without ever losing a translation.

    Exact (msgctxt, msgid) matches keep their translation; an entry whose
    source text changed under the same msgctxt keeps the old translation as
    fuzzy, with the previous msgid (``#|``); entries no longer in the POT
    become obsolete (``#~``) and come back if their text returns. Fuzzy
    matching never crosses contexts (Babel's ``Catalog.update`` does), and
    is a dictionary lookup, never Babel's quadratic difflib search.
    """
    merged = Catalog(locale=old.locale, domain=DOMAIN, charset="utf-8", fuzzy=old.fuzzy)
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
        if not entry.id:
            continue
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
        merged.add(
            entry.id,
            string=string,
            locations=entry.locations,
            flags=flags,
            auto_comments=entry.auto_comments,
            user_comments=user_comments,
            previous_id=previous_id,
            context=entry.context,
        )
    for key, message in list(current.items()) + list(retired.items()):
        source = _key(message.id)
        babel_key = (source, message.context) if message.context else source
        if key not in used and is_translated(message) and babel_key not in merged.obsolete:
            merged.obsolete[babel_key] = message
    return merged


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
    """
    mo = Catalog(locale=locale.gettext, domain=DOMAIN, charset="utf-8", fuzzy=False)
    mo.mime_headers = [(k, v) for k, v in po.header]
    translated = fuzzy = 0
    for e in po.entries:
        if e.fuzzy and e.translated:
            fuzzy += 1
            continue
        if not e.complete:
            continue
        translated += 1
        msgid: Any = (e.msgid, e.plural) if e.plural is not None else e.msgid
        string: Any = e.strings if e.plural is not None else e.strings[0]
        mo.add(msgid, string=string, context=e.context)
    buffer = io.BytesIO()
    write_mo(buffer, mo, use_fuzzy=False)
    untranslated = len(po.entries) - translated - fuzzy
    return Compiled(buffer.getvalue(), translated, fuzzy, untranslated)
