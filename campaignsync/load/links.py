"""The links a message names: its ``link``, and those of its body (CS022).

Every output keeps a link to a full web address and, in the body, a ``mailto:`` one; a
link to anything else shows as its text alone, so it is refused where it is written.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from campaignsync.l10n import tokens
from campaignsync.load.findings import Findings
from campaignsync.model import Block


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


_UNCLOSED = "a link in the body is not closed: add ')' after its address (else shown as written)"
_IMAGE_HINT = "give the message its image in the front matter (image: {src: ..., alt: ...})"


def body_links(body: str, first_line: int, blocks: tuple[Block, ...], found: Findings) -> None:
    """Record CS022 for a link or image of the body that every output would leave out.

    The outputs keep a link to a full web address (as ``link`` must be) or a ``mailto:``
    one, and no image (a message's image is its front matter's): a relative link, an
    anchor, ``javascript:`` and the like show their text without the link, and a link whose
    address is never closed with ``)`` shows as written, brackets and all.
    """
    lines = body.split("\n")

    def line_of(block: Block, part: str) -> int:  # the line of the block that holds it
        at = block.line - first_line
        while at < len(lines) and (at == block.line - first_line or lines[at].strip()):
            if part in lines[at]:
                return at + first_line
            at += 1
        return block.line

    for block in blocks:
        if block.kind == "code" or "](" not in block.text:
            continue
        text = tokens.CODE_SPAN.sub(" ", block.text)
        targets = tokens.links(text)
        rest = tokens.LINK.sub(" ", text)  # what the strict syntax does not read as links
        for at in (m.end() for m in re.finditer(r"\]\(", rest)):
            end = _closing(rest, at)
            if end < 0:
                found.at("CS022", line_of(block, "]("), _UNCLOSED)
                break
            targets.append(("link", rest[at:end].strip()))  # an address holding parentheses
        for kind, target in targets:
            if kind == "image":
                why = f"image {target!r} in the body is left out of every output: {_IMAGE_HINT}"
            elif target.lower().startswith("mailto:") or not (problem := url_problem(target)):
                continue
            else:
                why = f"link {target!r} in the body {problem}: the outputs show its text unlinked"
            found.at("CS022", line_of(block, f"]({target}" if target else "]("), why)


def _closing(text: str, at: int) -> int:
    """Return where the parenthesis open before ``at`` closes (-1: never), as Markdown reads it."""
    depth = 1
    for i in range(at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1
