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

    As Markdown reads the body and the sanitiser keeps its links (``markup.lost_links``):
    a link to anything but a full web address or ``mailto:`` (relative, an anchor,
    ``javascript:``, a reference to such an address) shows as its text alone, and an
    image is left out (a message's image is its front matter's). A ``](`` Markdown did
    not read as a link (its address never closed) shows as written; one escaped on
    purpose (``\\](``) is not told. Each is reported at the line that holds it.
    """
    from campaignsync.render import markup

    prose = _prose(body)
    if _all_kept(prose, markup.kept_address):
        return  # (most bodies: Markdown need not read them again here)
    lost, stray = markup.lost_links(body)
    at = 0
    for kind, address in lost:
        where = prose.find(address or "]()", at)
        at = where + 1 if where >= 0 else at
        line = first_line + body.count("\n", 0, max(where, 0))
        found.at("CS022", line, (_IMAGE if kind == "image" else _UNLINKED).format(address))
    if stray > prose.count("\\]("):  # more than the brackets escaped to read as text
        rest = tokens.LINK.sub(lambda m: " " * len(m.group(0)), prose)  # (links: as long)
        unread = _STRAY.search(rest) or _STRAY.search(prose)
        where = unread.start() if unread is not None else 0
        found.at("CS022", first_line + body.count("\n", 0, where), _UNCLOSED)


_UNLINKED = "link {!r} in the body is not a full web address: the outputs show its text unlinked"
_IMAGE = "image {!r} in the body is left out of every output: give the message its image in the "
_IMAGE += "front matter (image: {{src: ..., alt: ...}})"
_UNCLOSED = "a link in the body is not closed: add ')' after its address (else shown as written)"
#: A ``](`` no backslash escapes.
_STRAY = re.compile(r"(?<!\\)\]\(")
_FENCE = re.compile(r"(?m)^ {0,3}(`{3,}|~{3,})")


def _all_kept(prose: str, kept: Callable[[str], bool]) -> bool:
    """Say whether every link of the body's ``prose`` is plainly one the outputs keep.

    Each ``](`` ends a link's text, written plainly (``tokens.LINK``), to an address kept;
    no image, and no reference definition (``[id]: address``) for a link to name.
    """
    plain = list(tokens.LINK.finditer(prose))
    return (
        len(plain) == prose.count("](")
        and not _DEFINITION.search(prose)
        and all(not m.group(1) and kept(m.group(3)) for m in plain)
    )


#: A reference definition, which links written ``[text][id]`` or ``[id]`` lead to.
_DEFINITION = re.compile(r"(?m)^ {0,3}\[[^\]\n]+\]:")


def _prose(body: str) -> str:
    """Return the body with its code (spans, fenced blocks) blanked out, every offset kept."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    parts = _FENCE.split(body)  # text, fence, text, fence...: the odd texts are code
    for i in range(2, len(parts), 4):
        parts[i] = re.sub(r"[^\n]", " ", parts[i])
    return tokens.CODE_SPAN.sub(blank, "".join(parts))
