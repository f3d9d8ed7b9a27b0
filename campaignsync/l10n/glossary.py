"""Approved terms: a TBX glossary (ISO 30042), read safely, and how a term is found in text.

Reads TBX-Basic and TBX-Core as IATE and translation tools export them: TBX 2008
(``martif``/``termEntry``/``langSet``/``tig`` or ``ntig``) and TBX 2019
(``tbx``/``conceptEntry``/``langSec``/``termSec``), with or without namespaces. A term's
status is its ``administrativeStatus`` (or the older ``normativeAuthorization``) term
note. The file is untrusted XML: defusedxml refuses entity declarations, nothing external
is loaded, and the size is bounded. Only this module imports defusedxml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from campaignsync import paths

#: Glossaries larger than this are refused (an IATE export of one domain is far smaller).
MAX_BYTES = 8 * 1024 * 1024
#: ... and so are glossaries with more terms than this.
MAX_TERMS = 100_000
PREFERRED, ADMITTED, DEPRECATED = "preferred", "admitted", "deprecated"
#: TBX picklist values (TBX-Basic ``administrativeStatus``, older ``normativeAuthorization``,
#: TBX-Min) and what campaignsync makes of them; a term without one is admitted.
_STATUS = {
    "preferredterm-admn-sts": PREFERRED,
    "preferredterm": PREFERRED,
    "preferred": PREFERRED,
    "standardizedterm": PREFERRED,
    "admittedterm-admn-sts": ADMITTED,
    "admittedterm": ADMITTED,
    "admitted": ADMITTED,
    "deprecatedterm-admn-sts": DEPRECATED,
    "supersededterm-admn-sts": DEPRECATED,
    "deprecatedterm": DEPRECATED,
    "supersededterm": DEPRECATED,
    "deprecated": DEPRECATED,
    "superseded": DEPRECATED,
    "notrecommended": DEPRECATED,
    "obsolete": DEPRECATED,
    "forbidden": DEPRECATED,
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class GlossaryError(ValueError):
    """The glossary cannot be used: the reason, and the line when the parser knows it."""

    def __init__(self, text: str, line: int = 1) -> None:
        super().__init__(text)
        self.line = line


@dataclass(frozen=True, slots=True)
class Term:
    """One term of one language in a concept, with its status."""

    text: str
    status: str


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept: its terms by language tag (as written in the file, lower-cased)."""

    id: str
    terms: tuple[tuple[str, tuple[Term, ...]], ...]

    def in_language(self, tag: str) -> tuple[Term, ...]:
        """Return the terms for a BCP 47 tag: its own (``pt-pt``), else its language's (``pt``)."""
        wanted = tag.lower()
        found = dict(self.terms)
        if wanted in found:
            return found[wanted]
        return found.get(wanted.split("-", 1)[0], ())


@dataclass(frozen=True, slots=True)
class Glossary:
    """The approved terms of a campaign."""

    path: str
    concepts: tuple[Concept, ...]


def read(root: Path, rel: str) -> Glossary:
    """Read the TBX glossary at ``rel``; raise GlossaryError saying why it cannot be used."""
    try:
        data = paths.read_bytes(root, rel, MAX_BYTES)
    except ValueError as exc:
        raise GlossaryError(str(exc)) from None
    return parse(data, rel)


def parse(data: bytes, rel: str) -> Glossary:
    """Parse TBX bytes (no DTD is loaded, entity declarations are refused)."""
    try:
        tree = SafeTree.fromstring(data, forbid_dtd=False)
    except DefusedXmlException:
        at = data.find(b"<!ENTITY")
        line = data.count(b"\n", 0, at) + 1 if at >= 0 else 1
        raise GlossaryError("declares XML entities, which are refused for safety", line) from None
    except ParseError as exc:
        line, _column = exc.position
        raise GlossaryError(f"not well-formed XML: {_reason(exc)}", line) from None
    if _local(tree.tag) not in ("martif", "tbx"):
        raise GlossaryError(f"not a TBX file: the root element is <{_local(tree.tag)}>")
    concepts = tuple(_concepts(tree))
    if sum(len(terms) for c in concepts for _tag, terms in c.terms) > MAX_TERMS:
        raise GlossaryError(f"has more than {MAX_TERMS:,} terms")
    return Glossary(rel, concepts)


def _reason(exc: ParseError) -> str:
    return re.sub(r":? line \d+, column \d+$", "", str(exc))


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _children(element: Element, *names: str) -> Iterator[Element]:
    return (child for child in element.iter() if _local(child.tag) in names)


def _concepts(tree: Element) -> Iterator[Concept]:
    for number, entry in enumerate(_children(tree, "termEntry", "conceptEntry"), start=1):
        languages: dict[str, list[Term]] = {}
        for section in _children(entry, "langSet", "langSec"):
            tag = section.get(_XML_LANG) or section.get("lang") or ""
            for holder in _children(section, "tig", "ntig", "termSec"):
                term = next(_children(holder, "term"), None)
                text = " ".join("".join(term.itertext()).split()) if term is not None else ""
                if text and tag:
                    languages.setdefault(tag.lower(), []).append(Term(text, _status(holder)))
        if languages:
            terms = tuple((tag, tuple(found)) for tag, found in languages.items())
            yield Concept(entry.get("id") or f"#{number}", terms)


def _status(holder: Element) -> str:
    for note in _children(holder, "termNote"):
        if note.get("type") in ("administrativeStatus", "normativeAuthorization"):
            value = "".join(note.itertext()).strip().lower()
            return _STATUS.get(value, ADMITTED)
    return ADMITTED


# How a term is found in text (docs/glossary.md): whole words, ignoring case; each word of
# the term may end differently, so inflected forms count (password managers, Passwort-
# Managers, menedżera haseł), and the words may be joined by a space, a hyphen or nothing.
_SHORT = 4  # words of at most this many letters may only gain up to 2 letters


@cache
def pattern(term: str) -> re.Pattern[str]:
    """Return the regular expression that finds ``term`` and its inflected forms."""
    words = [w for w in re.split(r"[\s\-‐]+", term.casefold()) if w]
    parts = []
    for word in words:
        if len(word) > _SHORT and word[-1].isalpha():
            parts.append(re.escape(word[:-1]) + r"[^\W\d_]{0,6}")
        else:
            parts.append(re.escape(word) + r"[^\W\d_]{0,2}")
    return re.compile(r"(?<![^\W\d_])" + r"(?:[\s\-‐]+|)".join(parts) + r"(?![^\W\d_])")


def occurs(term: str, text: str) -> bool:
    """Return True when ``term`` (or an inflected form of it) occurs in ``text``."""
    folded = text.casefold()
    first = term.casefold()[:3]
    return first in folded and pattern(term).search(folded) is not None


def found(terms: Iterable[Term], text: str) -> list[Term]:
    """Return the terms that occur in ``text``."""
    return [t for t in terms if occurs(t.text, text)]
