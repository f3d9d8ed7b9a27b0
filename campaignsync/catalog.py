"""Gettext catalogs: extract the POT, add and update PO files, and look translations up.

This is the only module that imports ``babel.messages``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog as Catalog
from babel.messages.catalog import Message
from babel.messages.pofile import PoFileError as PoFileError
from babel.messages.pofile import read_po, write_po

from campaignsync import channels, content
from campaignsync.model import Config, Diagnostic, Locale, Project, Severity
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
    """A usable translation: the text and the PO line it came from."""

    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Lookup:
    """The translated, non-fuzzy entries of one PO file, keyed by (msgctxt, msgid)."""

    path: str
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)

    def get(self, context: str, source: str) -> Entry | None:
        """Return the translation of ``source`` in ``context`` ('' for none)."""
        return self.entries.get((context, source))


def read_catalog(root: Path, rel: str, locale: Locale | None) -> Catalog:
    """Read a PO/POT file; raise PoFileError (1-based line) or OSError."""
    data = (root / rel).read_bytes()
    try:
        return read_po(
            io.BytesIO(data),
            locale=locale.gettext if locale else None,
            domain=DOMAIN,
            abort_invalid=True,
        )
    except PoFileError as exc:
        # Babel counts lines from 0.
        raise PoFileError(str(exc), exc.catalog, exc.line, exc.lineno + 1) from None
    except (LookupError, UnicodeDecodeError, ValueError) as exc:
        raise PoFileError(f"cannot decode: {exc}", Catalog(), "", 1) from None


def load_lookup(
    root: Path, config: Config, locale: Locale
) -> tuple[Lookup, tuple[Diagnostic, ...]]:
    """Return the usable translations of a locale (empty when it has no PO file)."""
    rel = po_rel(config, locale)
    path = root / rel
    if not path.is_file() or path.is_symlink():
        return Lookup(rel), ()
    try:
        catalog = read_catalog(root, rel, locale)
    except PoFileError as exc:
        return Lookup(rel), (
            Diagnostic(
                "CS300",
                Severity.ERROR,
                f"cannot read the catalog: {_po_error(exc)}",
                rel,
                exc.lineno,
                locale.tag,
            ),
        )
    except OSError as exc:
        return Lookup(rel), (
            Diagnostic(
                "CS300",
                Severity.ERROR,
                f"cannot read the catalog: {exc.strerror}",
                rel,
                1,
                locale.tag,
            ),
        )
    entries = {}
    for message in catalog:
        if not message.id or message.fuzzy or not _complete(message):
            continue
        entries[(message.context or "", _key(message.id))] = Entry(
            _key(message.string), message.lineno or 1
        )
    return Lookup(rel, entries), ()


def _po_error(exc: PoFileError) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if " on " in text else text


def _complete(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


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


def extract_templates(root: Path, rels: Iterable[str]) -> Iterator[TemplateString]:
    """Yield the strings marked for translation in Jinja2 templates.

    Raises the template's own syntax error: extraction never skips a file silently.
    """
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    options = {"silent": "false", "trimmed": "true", "extensions": "jinja2.ext.i18n"}
    for rel in rels:
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
    write_po(
        buffer, catalog, width=0, sort_output=False, include_previous=True, ignore_obsolete=False
    )
    return buffer.getvalue()


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
                message.string,
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
        "# Translate the msgstr lines; keep links, #hashtags and {placeholders} as they are.\n"
        "# 'campaignsync locale update' merges new source text in without losing your work."
    )
    for message in template:
        if message.id:
            po.add(
                message.id,
                string=_empty(message),
                locations=message.locations,
                flags=message.flags,
                auto_comments=message.auto_comments,
                context=message.context,
            )
    return po


def _empty(message: Message) -> str | tuple[str, ...]:
    return ("",) * 2 if isinstance(message.id, tuple) else ""


def merge(template: Catalog, old: Catalog) -> Catalog:
    """Merge a new POT into a PO catalog without ever losing a translation.

    Exact (msgctxt, msgid) matches keep their translation; an entry whose
    source text changed under the same msgctxt keeps the old translation as
    fuzzy, with the previous msgid (``#|``); entries no longer in the POT
    become obsolete (``#~``) and come back if their text returns. Fuzzy
    matching never crosses contexts (Babel's ``Catalog.update`` does).
    """
    merged = Catalog(locale=old.locale, domain=DOMAIN, charset="utf-8", fuzzy=old.fuzzy)
    merged.mime_headers = old.mime_headers
    merged.header_comment = old.header_comment
    merged.creation_date = template.creation_date
    current = {(m.context, _key(m.id)): m for m in old if m.id}
    by_context = {m.context: m for m in old if m.id and m.context}
    retired = {(m.context, _key(m.id)): m for m in old.obsolete.values()}
    used: set[tuple[str | None, str]] = set()
    for entry in template:
        if not entry.id:
            continue
        key = (entry.context, _key(entry.id))
        previous = current.get(key) or retired.get(key)
        string: Any = _empty(entry)
        flags = {f for f in entry.flags if f != "fuzzy"}
        previous_id: list[str] = []
        user_comments: list[str] = []
        if previous is not None:
            string, user_comments = previous.string, list(previous.user_comments)
            if previous.fuzzy:
                flags.add("fuzzy")
                previous_id = list(previous.previous_id)
            used.add(key)
        elif entry.context in by_context and is_translated(by_context[entry.context]):
            earlier = by_context[entry.context]
            string, user_comments = earlier.string, list(earlier.user_comments)
            flags.add("fuzzy")
            previous_id = [_key(earlier.id)]
            used.add((earlier.context, _key(earlier.id)))
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


def _key(value: object) -> str:
    """Return the text of a msgid or msgstr (the first form of a plural entry)."""
    if isinstance(value, tuple | list):
        return str(value[0]) if value else ""
    return value if isinstance(value, str) else ""


def is_translated(message: Message) -> bool:
    """Return True when any form of the entry has text (fuzzy or not)."""
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return any(strings)
