"""The links a message names: its ``link``, and those of its body (CS022).

Every output keeps a link to a full web address and, in the body, a ``mailto:`` one; a
link to anything else shows as its text alone, so it is refused where it is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from campaignsync.l10n import tokens
from campaignsync.load.findings import Findings


def message_link(address: str | None, found: Findings) -> str | None:
    """Return the message's ``link`` (None: none, or CS022 when it is not a web address)."""
    if address is None:
        return None
    problem = url_problem(address)
    if problem:
        found.add("CS022", "link", f"link {address!r} {problem}")
        return None
    return address


def url_problem(url: str) -> str | None:
    """Return why ``url`` cannot be a campaign link, or None when it is fine."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid address"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "must be a web address starting with https://"
    if any(ch.isspace() or ch in "<>\"'`" for ch in url):
        return "contains spaces or quotes"
    return None


def body_links(body: str, first_line: int, found: Findings) -> None:
    """Record CS022 for each link or image of the body that every output would leave out.

    As Markdown reads the body and the sanitiser keeps its links (``markup.lost_links``,
    raw HTML and comments left out: the outputs remove them): a link to anything but a
    full web address or ``mailto:`` (relative, an anchor, ``javascript:``) shows as its
    text alone, and an image is left out (a message's image is its front matter's). A
    reference definition (``[id]: address``) is not kept whole through translation, where
    each paragraph is a segment of its own: the address belongs in the link. A ``](``
    Markdown did not read as a link (its address never closed) shows as written; one
    escaped on purpose (``\\](``) is not told. Each is reported at the line that holds it.
    """
    from campaignsync.render import markup

    def line(at: int) -> int:
        return first_line + body.count("\n", 0, max(at, 0))

    prose = _prose(body)
    for definition in _DEFINITION.finditer(prose):
        found.at("CS022", line(definition.start()), _REFERENCE)
    for spaced in _SPACED.finditer(prose):
        address = _TITLE.sub("", (spaced.group(1) or spaced.group(2)).strip())
        found.at("CS022", line(spaced.start()), _SPACE.format(address))
    if _all_kept(prose, markup.kept_address):
        return  # (most bodies: Markdown need not read them again here)
    lost, stray = markup.lost_links(prose)
    at = 0
    for kind, address in lost:
        where = _place(prose, address, at)
        at = where + 1 if where >= 0 else at
        found.at("CS022", line(where if where >= 0 else at), _message(kind, address))
    if stray > prose.count("\\]("):  # more than the brackets escaped to read as text
        found.at("CS022", line(_unclosed(prose)), _UNCLOSED)


_UNLINKED = "link {!r} in the body is not a full web address: the outputs show its text unlinked"
_IMAGE = "image {!r} in the body is left out of every output: give the message its image in the "
_IMAGE += "front matter (image: {{src: ..., alt: ...}})"
_UNCLOSED = "a link in the body is not closed: add ')' after its address (else shown as written)"
_REFERENCE = "a reference definition ('[id]: address') is not kept through translation: write "
_REFERENCE += "the address in the link itself, [text](https://...)"
#: A reference definition, in a quote or a list item too.
_DEFINITION = re.compile(r"(?m)^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?\[[^\]\n]+\]:[ \t]*\S")
_SPACE = "link address {!r} in the body holds a space: the outputs and the platforms cut it "
_SPACE += "there; write the address without it (a space in an address is %20)"
#: A link's address with a space in it: in angle brackets, or not a title after it.
_SPACED = re.compile(
    r"(?<![\\\]])\[[^\[\]\n]*\]\(\s*(?:<([^<>\n]*\s[^<>\n]*)>"
    r"|([^\s()<>]+[ \t]+[^\s\"'()][^()\n]*?))\s*\)"
)
#: A title after a link's address (what the address reported leaves out).
_TITLE = re.compile(r"\s+(?:\"[^\"]*\"|'[^']*')$")
#: A ``](`` no backslash escapes.
_STRAY = re.compile(r"(?<!\\)\]\(")


def _message(kind: str, address: str) -> str:
    return (_IMAGE if kind == "image" else _UNLINKED).format(address)


def _place(prose: str, address: str, start: int) -> int:
    """Return where a link to ``address`` is written, from ``start`` (-1: not found)."""
    if not address:
        return prose.find("]()", start)
    written = {address, address.replace("&", "&amp;")}  # (as Markdown's HTML unescaped it)
    spots = [
        prose.find(f"{lead}{a}", start) for lead in ("](", "](<", "]: ", "]:") for a in written
    ]
    spots = [spot for spot in spots if spot >= 0]
    return min(spots) if spots else prose.find(address, start)


def _unclosed(prose: str) -> int:
    """Return where the first ``](`` whose parenthesis never closes in its paragraph is."""
    rest = tokens.LINK.sub(lambda m: " " * len(m.group(0)), prose)  # (plain links: as long)
    first = -1
    for match in _STRAY.finditer(rest):
        first = match.start() if first < 0 else first
        end = rest.find("\n\n", match.end())
        if _closing(rest[match.end() : end if end >= 0 else len(rest)]) < 0:
            return match.start()
    return first


def _closing(text: str) -> int:
    """Return where the parenthesis open before ``text`` closes in it (-1: never)."""
    depth = 1
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return i
    return -1


def _all_kept(prose: str, kept: Callable[[str], bool]) -> bool:
    """Say whether every link of the body's ``prose`` is plainly one the outputs keep.

    Each ``](`` ends a link's text, written plainly (``tokens.LINK``), to an address kept;
    no image, and nothing that could be a reference (``]:``, ``][``).
    """
    if "]:" in prose or "][" in prose:
        return False
    plain = list(tokens.LINK.finditer(prose))
    return len(plain) == prose.count("](") and all(
        not m.group(1) and kept(m.group(3)) for m in plain
    )


def _prose(body: str) -> str:
    """Return the body as the outputs read its links: raw HTML and code spans blanked out.

    Blanked keeping every offset and line break. A code span ends with its paragraph, as
    Markdown reads it; fenced code is no code to this Markdown.
    """

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = tokens.TAG.sub(blank, body)
    parts = re.split(r"(\n[ \t]*\n)", text)  # paragraphs, and the blank lines between
    return "".join(tokens.CODE_SPAN.sub(blank, part) for part in parts)
