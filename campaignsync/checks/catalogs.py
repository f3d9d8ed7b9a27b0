"""Translation checks (CS310-CS319): each translation against its source.

Syntax problems of the PO files themselves (CS300-CS303) are found while the
catalogs are read (``catalog.load_lookup``); the checks here compare every
usable translation with its source text. What required locales miss (CS320) is
counted in ``checks.required``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import TypeGuard

from campaignsync.checks import CheckInput, Memo, check
from campaignsync.l10n import localize, tokens
from campaignsync.l10n.catalog import Entry, Key, Lookup
from campaignsync.model import Config, Diagnostic, Severity

#: A PO flag a translator can set on one entry to accept a translation equal to its source
#: (Weblate's name for it, so Weblate users already know it).
SAME_OK = "ignore-same"
#: How a finding ends when the build keeps the translation out of every output: it adds
#: HTML, a link target or an address that its source does not have (``tokens.refused``).
NOT_USED = "(the translation is not used)"


@dataclass(frozen=True, slots=True)
class _Found:
    code: str
    severity: Severity
    text: str


@dataclass(frozen=True, slots=True)
class _Source:
    """What a source text holds that its translations must keep (analysed once)."""

    placeholders: Counter[str]
    links: tuple[tuple[str, str], ...]
    code: Counter[str]
    addresses: Counter[str]
    emphasis_ok: bool
    edges: tuple[str, str]
    newlines: int
    words: int  # words a translator has to translate (for equal-to-source)
    markup: bool


@cache
def _source(text: str, python_format: bool, terms: tuple[str, ...]) -> _Source:
    markup = tokens.has_markup(text)
    return _Source(
        placeholders=tokens.placeholders(text, python_format) if markup else Counter(),
        links=tuple(tokens.links(text)) if markup else (),
        code=tokens.code_spans(text) if markup else Counter(),
        addresses=tokens.addresses(text) if markup else Counter(),
        emphasis_ok=not tokens.unbalanced_emphasis(text) if markup else True,
        edges=tokens.edges(text),
        newlines=text.count("\n"),
        words=len(tokens.translatable_words(text, terms)),
        markup=markup,
    )


def label(key: Key) -> str:
    """Return how a finding names a catalog entry: its msgctxt, else its msgid (cut at 40)."""
    if key[0]:
        return key[0]
    text = key[1] if len(key[1]) <= 40 else key[1][:39] + "…"
    return f"msgid {text!r}"


def _names(items: Counter[str] | list[str]) -> str:
    values = sorted(items.elements()) if isinstance(items, Counter) else items
    return ", ".join(repr(v) for v in values)


def compare(
    source_text: str,
    translation: str,
    python_format: bool,
    terms: tuple[str, ...],
    same_language: bool,
    flags: frozenset[str] = frozenset(),
    plural_form: bool = False,
    refusal: str | None = None,
) -> list[_Found]:
    """Return what is wrong with one translation of one source text.

    ``refusal``: the source the build refuses the translation against (``tokens.both``
    of a plural entry), when not ``source_text``.
    """
    src = _source(source_text, python_format, terms)
    found: list[_Found] = []
    markup = src.markup or tokens.has_markup(translation)
    if markup:
        found.extend(_placeholders(src, translation, python_format, plural_form))
        found.extend(_markdown(src, translation))
        found.extend(_addresses(src, translation))
    found.extend(_terms_and_html(source_text, translation, terms))
    found.extend(_layout(src, source_text, translation, same_language, flags, plural_form))
    against = refusal if refusal is not None else source_text  # (tokens.both: a plural's)
    refused = tokens.refusal(against, translation)  # (whatever has_markup says: WWW.)
    return found if refused is None else _not_used(found, refused)


def _not_used(found: list[_Found], addresses: list[str]) -> list[_Found]:
    """Say so in the findings of a translation the build does not use (``tokens.refused``).

    Those of the HTML or addresses it adds; an address that neither CS311 nor CS314 read
    as added (written in a label, say) is CS314 of its own.
    """
    marked = [replace(f, text=f"{f.text} {NOT_USED}") if f.code in _REFUSED else f for f in found]
    said = " ".join(f.text for f in found if f.code in _REFUSED).lower()
    unnamed = [address for address in addresses if address not in said]
    if unnamed:
        text = f"URL or e-mail address not in the source {_names(unnamed)} {NOT_USED}"
        marked.append(_Found("CS314", Severity.ERROR, text))
    return marked


#: The findings of what makes a translation refused (HTML, link targets, addresses).
_REFUSED = frozenset({"CS311", "CS314", "CS316"})


def _terms_and_html(source_text: str, translation: str, terms: tuple[str, ...]) -> list[_Found]:
    """Return protected terms the translation lost and HTML it added."""
    found = []
    for term in terms:
        wanted = source_text.count(term)
        if wanted and translation.count(term) < wanted:
            found.append(
                _Found(
                    "CS315", Severity.ERROR, f"the protected term {term!r} is missing or altered"
                )
            )
    if "<" in translation and (extra := tokens.added_html(source_text, translation)):
        found.append(
            _Found(
                "CS316",
                Severity.ERROR,
                f"HTML that the source does not have: {_names(extra)}",
            )
        )
    return found


def _layout(
    src: _Source,
    source_text: str,
    translation: str,
    same_language: bool,
    flags: frozenset[str],
    plural_form: bool,
) -> list[_Found]:
    """Return whitespace, line-break and equal-to-source findings."""
    found = []
    lead, trail = tokens.edges(translation)
    if (lead, trail) != src.edges:
        found.append(
            _Found(
                "CS317",
                Severity.WARNING,
                "leading or trailing whitespace differs from the source",
            )
        )
    if translation.count("\n") != src.newlines:
        found.append(
            _Found(
                "CS318",
                Severity.ERROR,
                f"{translation.count(chr(10))} line break(s) where the source has {src.newlines}",
            )
        )
    if (
        translation == source_text
        and not same_language
        and src.words > 1
        and SAME_OK not in flags
        and not plural_form
    ):
        found.append(
            _Found(
                "CS319",
                Severity.WARNING,
                f"the translation is the same as the source; translate it, or mark the entry "
                f"'#, {SAME_OK}' if that is right",
            )
        )
    return found


def _placeholders(
    src: _Source, translation: str, python_format: bool, plural_form: bool
) -> Iterator[_Found]:
    mine = tokens.placeholders(translation, python_format)
    extra = mine - src.placeholders
    missing = src.placeholders - mine
    if extra:
        yield _Found(
            "CS310",
            Severity.ERROR,
            f"placeholder(s) not in the source: {_names(extra)}"
            + (" (write a literal % as %%)" if "%" in extra else ""),
        )
    if missing and not plural_form:
        yield _Found(
            "CS310", Severity.WARNING, f"placeholder(s) of the source missing: {_names(missing)}"
        )


def _markdown(src: _Source, translation: str) -> Iterator[_Found]:
    links = tokens.links(translation)
    if len(links) != len(src.links):
        yield _Found(
            "CS311",
            Severity.ERROR,
            f"{len(links)} Markdown link(s) where the source has {len(src.links)}"
            + (" (no space between ']' and '(')" if "] (" in translation else ""),
        )
    elif sorted(links) != sorted(src.links):
        changed = sorted(set(t for _, t in links) - set(t for _, t in src.links))
        yield _Found(
            "CS311",
            Severity.ERROR,
            f"link target(s) differ from the source: {_names(changed)}",
        )
    code = tokens.code_spans(translation)
    if code != src.code:
        yield _Found(
            "CS312",
            Severity.WARNING,
            f"inline code differs from the source: {_names(code - src.code) or 'missing'}",
        )
    if src.emphasis_ok and (odd := tokens.unbalanced_emphasis(translation)):
        yield _Found(
            "CS313",
            Severity.ERROR,
            f"unbalanced emphasis marker(s) {_names(odd)}: the output would show them",
        )


def _addresses(src: _Source, translation: str) -> Iterator[_Found]:
    mine = tokens.addresses(translation)
    if mine != src.addresses:
        missing = src.addresses - mine
        extra = mine - src.addresses
        parts = []
        if missing:
            parts.append(f"missing or altered {_names(missing)}")
        if extra:
            parts.append(f"not in the source {_names(extra)}")
        yield _Found("CS314", Severity.ERROR, "URL or e-mail address " + "; ".join(parts))


def _entry_findings(
    key: Key, entry: Entry, terms: tuple[str, ...], same_language: bool
) -> list[_Found]:
    python_format = "python-format" in entry.flags
    if not entry.forms:
        return compare(key[1], entry.text, python_format, terms, same_language, entry.flags)
    found: list[_Found] = []
    sources = tokens.both(key[1], entry.plural)  # (what the build refuses a form against)
    for n, form in enumerate(entry.forms):
        source = key[1] if n == 0 else (entry.plural or key[1])
        found.extend(compare(source, form, python_format, terms, same_language, entry.flags,
                             n > 0, sources))  # fmt: skip
    return found


@check("CS310", "CS311", "CS312", "CS313", "CS314", "CS315", "CS316", "CS317", "CS318", "CS319")
def translations(data: CheckInput) -> Iterator[Diagnostic]:
    """Compare every usable translation with its source text."""
    config = data.project.config
    for locale in config.locales:
        lookup = data.lookups.get(locale.tag)
        if lookup is not None:
            yield from translations_of(config, lookup, locale.tag, data.memo)


def translations_of(
    config: Config, lookup: Lookup, tag: str, memo: Memo | None
) -> list[Diagnostic]:
    """Return what comparing one locale's translations with their sources finds.

    Kept in ``memo``: a build's render workers find it while rendering
    (``pipeline.workers``), so that the answer ``check`` keeps costs the build nothing
    at its end.
    """
    slot, key = translations_key(config, lookup, tag)
    memo = memo if lookup.digest else None
    known = memo.get(slot, key) if memo else None
    if known is not None:
        return known
    _, _, _, terms, same_language = key
    found = list(_translation_findings(lookup, tag, terms, same_language, memo))
    if memo:
        memo.put(slot, key, found)
    return found


def unfound(config: Config, lookups: Mapping[str, Lookup], memo: Memo) -> list[str]:
    """Return the locales whose translation findings ``memo`` does not hold yet.

    The locales :func:`translations` compares, no other.
    """
    return [
        loc.tag
        for loc in config.locales
        if (lookup := lookups.get(loc.tag)) is not None
        and lookup.digest
        and memo.get(*translations_key(config, lookup, loc.tag)) is None
    ]


def translations_key(
    config: Config, lookup: Lookup, tag: str
) -> tuple[str, tuple[str, str, str, tuple[str, ...], bool]]:
    """Return the memo slot of a locale's translation findings, and what they follow from.

    They are a function of the catalog's bytes and these settings alone.
    """
    same_language = localize.language(tag) == localize.language(config.source_locale.tag)
    key = (lookup.digest, lookup.path, tag, config.protected_terms, same_language)
    return f"translations-{tag}", key


def _translation_findings(
    lookup: Lookup, tag: str, terms: tuple[str, ...], same_language: bool, memo: Memo | None
) -> Iterator[Diagnostic]:
    """Compare each entry with its source; what an entry's content gave is kept in ``memo``.

    After one entry of a catalog changed, only that entry is compared again
    (comparing 7,000 entries took two seconds of a check after a PO edit).
    """
    settings = (lookup.path, tag, terms, same_language)
    slot = f"translation-entries-{tag}"
    kept = memo.recall(slot, settings) if memo else None
    kept = kept if isinstance(kept, dict) else {}
    now = {}
    for key, entry in (*lookup.entries.items(), *lookup.rejected.items()):
        mark = _mark(key, entry)
        known = kept.get(mark)
        found = known if _is_found(known) else _plain_findings(key, entry, terms, same_language)
        now[mark] = found
        for code, severity, text in found:
            message = f"{label(key)}: {text}"
            yield Diagnostic(code, Severity(severity), message, lookup.path, entry.line, tag)
    if memo is not None and now != kept:
        memo.keep(slot, settings, now)


def _mark(key: Key, entry: Entry) -> bytes:
    """Return a digest of what an entry's findings follow from (all but its line)."""
    content = (key, entry.text, entry.forms, entry.plural, sorted(entry.flags))
    return hashlib.blake2b(repr(content).encode(), digest_size=16).digest()


def _plain_findings(
    key: Key, entry: Entry, terms: tuple[str, ...], same_language: bool
) -> tuple[tuple[str, str, str], ...]:
    """Return what is wrong with one entry, as kept: (code, severity, text) each."""
    made = _entry_findings(key, entry, terms, same_language)
    return tuple((f.code, f.severity.value, f.text) for f in made)


def _is_found(found: object) -> TypeGuard[tuple[tuple[str, str, str], ...]]:
    """Return True for kept findings of an entry: (code, severity, text) each."""
    return isinstance(found, tuple) and all(
        isinstance(f, tuple)
        and len(f) == 3
        and isinstance(f[0], str)
        and f[1] in _SEVERITIES
        and isinstance(f[2], str)
        for f in found
    )


_SEVERITIES = frozenset(s.value for s in Severity)
