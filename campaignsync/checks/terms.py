"""Approved terms (CS420-CS422): translations against the campaign's TBX glossary.

Where a source text uses a term of the glossary, its translation should use one of the
approved (preferred or admitted) terms of the same concept in its language, and never a
deprecated one. How terms are matched (inflected forms count): docs/glossary.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from campaignsync.checks import CheckInput, check
from campaignsync.l10n import glossary
from campaignsync.l10n.catalog import Key
from campaignsync.l10n.glossary import DEPRECATED, PREFERRED, Concept, GlossaryError, Term
from campaignsync.l10n.localize import language
from campaignsync.model import Diagnostic, Severity

#: One concept as a locale sees it: (concept, source terms, approved and deprecated targets).
_Rule = tuple[Concept, tuple[Term, ...], tuple[Term, ...], tuple[Term, ...]]


@check("CS420", "CS421", "CS422")
def approved_terms(data: CheckInput) -> Iterator[Diagnostic]:
    """Report translations that miss the approved term or use a deprecated one."""
    config = data.project.config
    if config.glossary is None:
        return
    try:
        terms = glossary.read(data.project.root, config.glossary)
    except GlossaryError as exc:
        yield Diagnostic(
            "CS420", Severity.ERROR, f"the glossary cannot be used: {exc}", config.glossary,
            exc.line,
        )  # fmt: skip
        return
    source = config.source_locale.tag
    for locale in config.locales:
        lookup = data.lookups.get(locale.tag)
        if lookup is None or language(locale.tag) == language(source):
            continue
        rules = _rules(terms.concepts, source, locale.tag)
        for key, entry in lookup.entries.items():
            for code, text in _findings(key, entry.text, rules):
                yield Diagnostic(
                    code, Severity.WARNING, f"{_label(key)}: {text}", lookup.path, entry.line,
                    locale.tag,
                )  # fmt: skip


def _rules(concepts: tuple[Concept, ...], source: str, target: str) -> list[_Rule]:
    rules = []
    for concept in concepts:
        theirs, mine = concept.in_language(source), concept.in_language(target)
        if theirs and mine:
            approved = tuple(
                sorted(
                    (t for t in mine if t.status != DEPRECATED), key=lambda t: t.status != PREFERRED
                )
            )
            deprecated = tuple(t for t in mine if t.status == DEPRECATED)
            rules.append((concept, theirs, approved, deprecated))
    return rules


def _findings(key: Key, translation: str, rules: list[_Rule]) -> Iterator[tuple[str, str]]:
    for _concept, theirs, approved, deprecated in rules:
        said = next((t for t in theirs if glossary.occurs(t.text, key[1])), None)
        if said is None:
            continue
        expected = _names(approved)
        bad = glossary.found(deprecated, translation)
        if bad:
            instead = f"; use {expected}" if approved else ""
            yield "CS422", f"{bad[0].text!r} is a deprecated term for {said.text!r}{instead}"
        elif approved and not glossary.found(approved, translation):
            yield (
                "CS421",
                f"the source says {said.text!r} but the translation uses none of the approved "
                f"terms for it: expected {expected}",
            )


def _names(terms: tuple[Term, ...]) -> str:
    named = [
        f"{t.text!r}" + (" (preferred)" if t.status == PREFERRED and len(terms) > 1 else "")
        for t in terms
    ]
    return " or ".join(named)


def _label(key: Key) -> str:
    if key[0]:
        return key[0]
    return f"msgid {key[1] if len(key[1]) <= 40 else key[1][:39] + '…'!r}"
