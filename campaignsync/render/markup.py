"""Markdown to sanitised HTML and to wrapped plain text, once per message and locale."""

from __future__ import annotations

import html
import re
import textwrap
from functools import cache, lru_cache
from html.parser import HTMLParser

import markdown
import nh3

from campaignsync.l10n import tokens
from campaignsync.model import Block

_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong",
    "code", "pre", "blockquote", "br", "hr",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_SCHEMES = {"https", "http", "mailto"}
_ABSOLUTE = re.compile(r"^(?:https?://[^/\s]|mailto:)", re.IGNORECASE)


@cache
def _converter() -> markdown.Markdown:
    # One instance per process, reset between documents: construction costs
    # more than a short conversion.
    return markdown.Markdown(output_format="html")


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Drop links that are relative or protocol-relative (``//host``)."""
    if tag == "a" and name == "href" and not _ABSOLUTE.match(value):
        return None
    return value


@lru_cache(maxsize=4096)
def kept_address(href: str) -> bool:
    """Say whether the outputs keep a link to ``href``, as the sanitiser itself decides.

    (Its schemes, :func:`_keep_attribute`, and the addresses its own parser takes.)
    """
    return "href=" in sanitize(f'<a href="{html.escape(href)}">x</a>')


class _Lost(HTMLParser):
    """What the sanitiser takes out of Markdown's HTML: links' addresses, images; stray ``](``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lost: list[tuple[str, str]] = []
        self.code = 0
        self.stray = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and not kept_address(found.get("href") or ""):
            self.lost.append(("link", found.get("href") or ""))
        elif tag == "img":
            self.lost.append(("image", found.get("src") or ""))
        self.code += tag in ("code", "pre")

    def handle_endtag(self, tag: str) -> None:
        self.code -= tag in ("code", "pre") and self.code > 0

    def handle_data(self, data: str) -> None:
        self.stray += 0 if self.code else data.count("](")


def lost_links(source: str) -> tuple[list[tuple[str, str]], int]:
    """Return what every output loses of Markdown ``source``, as Markdown and the sanitiser read it.

    Each link whose address is not kept (relative, an anchor, ``javascript:``...) and each
    image, as (kind, address) in order; and how many ``](`` are left in the text, out of
    code: links Markdown did not read as such (their address never closed, say), or
    brackets escaped to be read as text. Raw HTML's own links count too: a caller that
    means to pass over them blanks them out first (``tokens.TAG``).
    """
    converter = _converter()
    converter.reset()
    found = _Lost()
    found.feed(converter.convert(source))
    found.close()
    return found.lost, found.stray


def sanitize(fragment: str) -> str:
    """Return HTML with only harmless tags and absolute https/http/mailto links."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
    )


#: Marks a block whose text is in another language than the page (see :func:`mark`).
_MARK = "\ue000"
_MARKED = re.compile("<(p|h[1-6]|li)>" + _MARK + "([\ue001-\uf8ff])")
_STRAY = re.compile(_MARK + "[\ue001-\uf8ff]")


def mark(text: str, language: int) -> str:
    """Return a block's Markdown text marked as written in ``to_html``'s ``language``-th language.

    The mark is two private-use characters that Markdown and the sanitiser keep
    as text; :func:`to_html` turns it into ``lang`` and ``dir`` on the block's element.
    """
    return f"{_MARK}{chr(0xE001 + language)}{text}"


def to_html(source: str, languages: tuple[tuple[str, str], ...] = ()) -> str:
    """Convert Markdown to sanitised HTML (raw HTML, scripts and js: links removed).

    ``languages`` holds the (BCP 47 tag, direction) of each marked block's
    language: its paragraph, heading or list item gets ``lang`` and ``dir``, so a
    paragraph that falls back to another language reads (and is punctuated) as it.
    """
    converter = _converter()
    converter.reset()
    clean = sanitize(converter.convert(source))
    if not languages:
        return clean

    def attributes(match: re.Match[str]) -> str:
        index = ord(match.group(2)) - 0xE001
        if index >= len(languages):
            return f"<{match.group(1)}>"
        tag, direction = languages[index]
        return f'<{match.group(1)} lang="{html.escape(tag)}" dir="{html.escape(direction)}">'

    return _STRAY.sub("", _MARKED.sub(attributes, clean))


# The inline syntax is declared once, in l10n/tokens.py. The reading text reads a link
# leniently (a label up to its first ``]``, an address up to its first ``)``, the rest of
# the text following), the checks strictly.
_LINK = re.compile("!?" + tokens.link_syntax(r"([^\]]*)", r"([^)\s>]*)"))
#: A target in angle brackets, which may hold what a bare one cannot (a space).
_ANGLED = re.compile(
    r"!?\[([^\]]*)\]\(\s*<([^<>\n]*)>(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
#: Emphasis as Python-Markdown reads it: ``_`` inside a word (snake_case) is a letter.
_EMPHASIS = re.compile(r"(\*\*|\*|~~)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")
_TAG = tokens.TAG  # (raw HTML the outputs remove: "5<10 and >2" is text)
_ESCAPE = re.compile("\\\\([" + re.escape(tokens.MARKDOWN_ESCAPABLE) + "])")
#: Where a code span or an address waits while the rest is read (taken as written).
_ASIDE = re.compile("\ufff0(\\d+)\ufff1")


@lru_cache(maxsize=4096)  # (a check looks for a finding's text in each segment)
def inline_text(source: str) -> str:
    """Return the reading text of inline Markdown: links as 'text (url)', no markers.

    A code span's text is taken as written, and so is an address: no emphasis marker,
    escape or entity in either is read as one (``?q=_x_`` keeps its underscores).
    """
    kept: list[str] = []

    def aside(value: str) -> str:
        kept.append(value)
        return f"\ufff0{len(kept) - 1}\ufff1"

    def link(m: re.Match[str]) -> str:
        label, target = m.group(1), m.group(2)
        if m.group(0).startswith("!"):
            return label
        address = html.unescape(_ESCAPE.sub(r"\1", target))
        return label if not target or target == label else f"{label} ({aside(address)})"

    text = source.replace("\ufff0", "").replace("\ufff1", "") if "\ufff0" in source else source
    if "`" in text:
        text = tokens.CODE_SPAN.sub(lambda m: aside(m.group(2)), text)
    text = _ANGLED.sub(link, text)
    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(lambda m: aside(m.group(1)), text)
    text = _TAG.sub("", text)
    if "\\" in text:  # an escaped marker is text, never emphasis (\_not\_)
        text = _ESCAPE.sub(lambda m: aside(m.group(1)), text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text)
    text = html.unescape(text)  # (no value set aside holds another's mark: one pass)
    return _ASIDE.sub(lambda m: kept[int(m.group(1))], text) if kept else text


def to_text(blocks: tuple[Block, ...], texts: tuple[str, ...], width: int = 72) -> str:
    """Return the body as plain text, wrapped at ``width`` (0: one line per paragraph)."""
    out: list[str] = []
    last_group = None
    for block, text in zip(blocks, texts, strict=True):
        if out:
            out.append("\n" if block.group == last_group else "\n\n")
        last_group = block.group
        if block.kind == "code":
            out.append(text)
            continue
        plain = inline_text(text)
        if block.kind == "heading":
            out.append(plain)
            continue
        indent = block.prefix if block.kind in ("item", "quote") else ""
        following = "> " if block.kind == "quote" else " " * len(indent)
        if width <= 0:
            out.append(indent + plain)
            continue
        out.append(
            textwrap.fill(
                plain,
                width=width,
                initial_indent=indent,
                subsequent_indent=following,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "".join(out)
