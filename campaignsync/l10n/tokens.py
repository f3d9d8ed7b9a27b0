"""What a translation must keep from its source: placeholders, links, code, addresses, tags.

Each function reads one string and returns what it found, so a check can
analyse a source text once and compare it with every locale's translation.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_BRACE = re.compile(
    r"\{(?:[A-Za-z_][A-Za-z0-9_.]*|[0-9]*)(?:\[[^\]{}]*\])?(?:![rsa])?(?::[^{}]*)?\}"
)
_NAMED = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_PRINTF = re.compile(r"%(?:\([^()]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_SPACES = re.compile(r"\s+")

# Inline Markdown, declared once: the checks here read it, and render/markup.py derives
# from the same declarations the reading text of a block (docs/architecture.md).
#: The characters Python-Markdown lets a backslash escape (its ESCAPED_CHARS).
MARKDOWN_ESCAPABLE = "\\`*_{}[]()#+-.!>"
#: A code span: a run of backticks, its text, the same run again.
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def link_syntax(label: str, target: str) -> str:
    """Return the pattern of ``[label](target "title")`` around a label and a target pattern.

    An image (``![alt](src)``) is the same with ``!`` before it.
    """
    return rf"\[{label}\]\(\s*<?{target}>?(?:\s+\"[^\"]*\")?\s*\)"


#: ``[label](target "title")`` and ``![alt](src)``, read strictly for the checks: a label
#: may hold escaped brackets, a target holds no parentheses.
LINK = re.compile("(!?)" + link_syntax(r"((?:[^\[\]\\]|\\.)*)", r"([^()\s<>]*)"))
_CODE = CODE_SPAN
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'`]+|\bwww\.[A-Za-z0-9-]+\.[^\s<>\"'`]+")
_URL_END = ".,;:!?)]}*_'\""
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
#: An HTML tag or comment, as raw HTML in Markdown is written.
TAG = re.compile(r"<!--.*?-->|<[!?][^<>]*>|</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])[^<>]*>", re.DOTALL)
#: Escapes dropped before looking for links: Markdown's, and ``\<`` and ``\~`` that
#: other Markdown readers (and translators' tools) escape too.
_ESCAPED = re.compile("\\\\[" + re.escape(MARKDOWN_ESCAPABLE + "<~") + "]")
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = re.compile(r"(?<!\w)[#@][^\W_]\w*")
#: Any character that can start something this module looks for.
_SPECIAL = re.compile(r"[%{}\[\]`*_~<>@#/\\]|www\.")


def has_markup(text: str) -> bool:
    """Return True when the text may hold a placeholder, link, code, URL, address or tag."""
    return _SPECIAL.search(text) is not None


def placeholders(text: str, python_format: bool = False) -> Counter[str]:
    """Return the placeholders: ``{{ var }}``/``{% %}``, ``{name}``, ``%(name)s`` (and ``%s``).

    Plain ``%s``-style placeholders count only in python-format entries: in
    Markdown prose ``100%`` is a number, not a placeholder. An invalid ``%``
    in a python-format entry is returned as ``'%'`` (it breaks formatting).
    """
    found: Counter[str] = Counter()
    for match in _JINJA.finditer(text):
        found[_SPACES.sub("", match.group(0))] += 1
    rest = _JINJA.sub(" ", text)
    found.update(m.group(0) for m in _BRACE.finditer(rest) if m.group(0) != "{}")
    if not python_format:
        found.update(m.group(0) for m in _NAMED.finditer(rest))
        return found
    at = rest.find("%")
    while at >= 0:
        spec = _PRINTF.match(rest, at)
        if spec is None:
            found["%"] += 1
            at = rest.find("%", at + 1)
            continue
        if spec.group(0) != "%%":
            found[spec.group(0)] += 1
        at = rest.find("%", spec.end())
    return found


def links(text: str) -> list[tuple[str, str]]:
    """Return every Markdown link and image as (kind, target), in order."""
    return [
        ("image" if m.group(1) else "link", m.group(3)) for m in LINK.finditer(_unescaped(text))
    ]


def code_spans(text: str) -> Counter[str]:
    """Return the contents of the inline code spans."""
    if "`" not in text:
        return Counter()  # (most texts)
    return Counter(m.group(2).strip() for m in _CODE.finditer(text))


def _unescaped(text: str) -> str:
    return _ESCAPED.sub("", text) if "\\" in text else text


def _as_read(text: str) -> str:
    """Return the text with each Markdown escape as the character it stands for."""
    return _ESCAPED.sub(lambda m: m.group(0)[1:], text)


@lru_cache(maxsize=64)  # a catalog entry's checks ask for the same text in turn
def _without_targets(text: str) -> str:
    """Return the text with code spans and link targets removed (labels kept)."""
    text = _CODE.sub(" ", _unescaped(text))
    return LINK.sub(lambda m: f" {m.group(2)} ", text)


def addresses(text: str) -> Counter[str]:
    """Return the URLs and e-mail addresses written in the text (not link targets)."""
    plain = _without_targets(_as_read(text) if "\\" in text else text)
    if "://" not in plain and "www." not in plain and "@" not in plain:
        return Counter()  # none can match (most texts): the searches would cost more
    found: Counter[str] = Counter(m.group(0).rstrip(_URL_END) for m in _URL.finditer(plain))
    found.update(m.group(0) for m in _EMAIL.finditer(_URL.sub(" ", plain)))
    return found


def html_tags(text: str) -> Counter[str]:
    """Return the HTML tags and comments in the text, normalised."""
    if "<" not in text:
        return Counter()
    return Counter(_SPACES.sub(" ", m.group(0)).lower() for m in TAG.finditer(_CODE.sub(" ", text)))


def added_html(source: str, translation: str) -> list[str]:
    """Return the HTML tags of the translation that the source does not have."""
    extra = html_tags(translation) - html_tags(source)
    return sorted(extra.elements())


def new_addresses(source: str, translation: str) -> list[str]:
    """Return the addresses in the translation that its source does not hold.

    What a reader could be sent to, read as the outputs read the text (HTML entities,
    Markdown escapes and percent-escapes as what they stand for), compared without case:
    a link's target (an autolink's, a reference definition's) must be one of the
    source's link targets, and a URL of any scheme, a ``www.`` host or an e-mail address
    written out one of the source's addresses. So an address the source only shows (a
    fake one, say, to warn of it) cannot become a link. A bare domain (``example.com``,
    which X would link) is not read as one.
    """
    targets, written = _addresses_in(_as_shown(translation))
    if not targets and not written:
        return []
    known_targets, known_written = _source_addresses(source)
    return sorted((targets - known_targets) | (written - known_written - known_targets))


def both(msgid: str, plural: str | None) -> str:
    """Return the source a plural entry's forms are refused against: its two texts."""
    return msgid if plural is None else f"{msgid}\n{plural}"


def _as_shown(text: str) -> str:
    """Return the text with HTML entities and Markdown escapes as what they stand for."""
    if "&" in text:
        text = html.unescape(text)
    return _as_read(text) if "\\" in text else text


def _addresses_in(text: str) -> tuple[set[str], set[str]]:
    """Return the link targets and the addresses written of text as shown (normalised)."""
    targets: set[str] = set()
    written: set[str] = set()
    if "](" in text or "]:" in text:
        targets.update(map(_normal, _TARGET.findall(text)))
        targets.update(map(_normal, _DEFINITION.findall(text)))
    if "<" in text:
        targets.update(map(_normal, _AUTOLINK.findall(text)))
    if "://" in text or "ww." in text or "WW." in text or "Ww." in text or "wW." in text:
        written.update(_normal(u.rstrip(_URL_END)) for u in _ANY_URL.findall(text))
    if "@" in text:
        written.update(_normal(m.rstrip(_URL_END)) for m in _ANY_EMAIL.findall(text))
    return targets, written


def _normal(address: str) -> str:
    return unquote(address).lower() if "%" in address else address.lower()


@lru_cache(maxsize=1 << 14)  # every locale's catalog has the same sources, in the same order
def _source_addresses(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return a source's link targets and addresses written (see :func:`new_addresses`)."""
    targets, written = _addresses_in(_as_shown(source))
    return frozenset(targets), frozenset(written)


#: Where a link's target starts, however the label before it is bracketed, up to a space
#: or a parenthesis (a title or a ")" in it ends the target read: what follows counts).
_TARGET = re.compile(r"\]\(\s*<?([^\s<>()]*)")
_DEFINITION = re.compile(r"^[ \t]*\[[^\]\n]+\]:[ \t]*<?([^\s<>]+)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>", re.IGNORECASE)
#: Written addresses, in the characters an address is written in (RFC 3986's, without
#: brackets, parentheses and quotes): a letter of another script, a quotation mark or
#: an invisible character after it ends it.
_ANY_URL = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+", re.IGNORECASE
)
_ANY_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def refused(source: str, translation: str) -> bool:
    """Say whether a translation adds HTML or an address that its source does not have.

    Such a translation is never used (CS316, CS311, CS314): a build takes the text
    from the fallback chain, so neither a translator's markup nor an address of theirs
    (a phishing page, in a campaign that teaches readers to check links) reaches an output.
    """
    return refusal(source, translation) is not None


def refusal(source: str, translation: str) -> list[str] | None:
    """Return the addresses that keep a translation out (:func:`refused`; None: it is used).

    Empty when HTML alone does.
    """
    addresses = new_addresses(source, translation)
    if addresses or ("<" in translation and added_html(source, translation)):
        return addresses
    return None


def unbalanced_emphasis(text: str) -> list[str]:
    """Return the emphasis markers (``**``, ``__``, ``*``, ``_``, ``~~``) left without a pair."""
    if "*" not in text and "_" not in text and "~" not in text:
        return []  # no marker at all (most texts): what is removed below adds none
    plain = _URL.sub(" ", _without_targets(text))
    odd = []
    for marker in ("**", "__", "~~"):
        if plain.count(marker) % 2:
            odd.append(marker)
        plain = plain.replace(marker, " ")
    stars = sum(1 for m in re.finditer(r"\*", plain) if not _spaced(plain, m.start()))
    if stars % 2:
        odd.append("*")
    underscores = sum(1 for m in re.finditer(r"_", plain) if _boundary(plain, m.start()))
    if underscores % 2:
        odd.append("_")
    return odd


def _spaced(text: str, at: int) -> bool:
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return before.isspace() and after.isspace()


def _boundary(text: str, at: int) -> bool:
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    return before.isalnum() != after.isalnum()


def edges(text: str) -> tuple[str, str]:
    """Return the leading and trailing whitespace."""
    stripped = text.strip()
    if not stripped:
        return text, ""
    start = text.index(stripped[0])
    return text[:start], text[start + len(stripped) :]


def words(text: str) -> int:
    """Return the number of words a translator reads (link targets and URLs not counted)."""
    if has_markup(text):
        text = _URL.sub(" ", _without_targets(text))
    return len(_WORD.findall(text))


def translatable_words(text: str, terms: Iterable[str] = ()) -> list[str]:
    """Return the words left once names, addresses, tags, code and protected terms are removed."""
    plain = _URL.sub(" ", _without_targets(text))
    plain = TAG.sub(" ", _JINJA.sub(" ", plain))
    plain = _EMAIL.sub(" ", plain)
    for term in terms:
        plain = plain.replace(term, " ")
    plain = _HANDLE.sub(" ", _DOMAIN.sub(" ", plain))
    plain = _NAMED.sub(" ", _BRACE.sub(" ", plain))
    return [w for w in _WORD.findall(plain) if len(w) > 1]
