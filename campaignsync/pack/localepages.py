"""The gallery's locale pages: after an edit, the last pack's page with the changed sections.

A locale page (``preview/<locale>.html``, 7 MB at 500 messages) is its frame, drawn by
Jinja (``theme/locale.html.j2``: the locale's attention list, the filters), with each
message's section joined in as bytes. A section is drawn with the message's cards
(:func:`section`, kept with them in the render cache) and its bytes are fixed by a
digest of what they are made from (:func:`_digest`: the locale, the message's id and
path, the title and direction its heading shows, each card's channel and sha256).

The build that makes a page records, as a kept piece (:mod:`campaignsync.pack.kept`)
named by the page's sha256, where each section lies in it. The next build takes the
sections whose digest is unchanged from the last pack's page, read back and checked
against that sha256 (a page changed or removed by hand is joined from the cards as
before), and joins only the others from their cards: a one-message edit reads the
HTML of no other message's cards. A page whose frame and sections are all unchanged
is taken by reference (:meth:`campaignsync.pack.kept.Kept.take`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from campaignsync.model import Message

if TYPE_CHECKING:
    from campaignsync.pack.attention import Item
    from campaignsync.pack.gallery import Drawn
    from campaignsync.pack.kept import Kept

#: Where locale_section.html.j2 places a message's cards, and locale.html.j2 the sections:
#: escaped text never holds them.
CARDS = "<!--cards-->"
SECTIONS = "<!--sections-->"
#: A section of a page: its digest, the message, its cards (each first in its section).
Shown = tuple[str, Message, Sequence["Drawn"]]


def _render(name: str, **values: Any) -> str:
    from campaignsync.pack.gallery import _render as renderer

    text: str = renderer()(name, **values)
    return text


def section(locale: Any, message: Message, first: Drawn) -> bytes:
    """Return a message's section of a locale page, :data:`CARDS` where its cards go."""
    text = _render("locale_section.html.j2", locale=locale, m=message, first=first, cards=CARDS)
    return text.encode("utf-8")


def sections(
    locales: Sequence[Any],
    listed: Sequence[Message],
    made: Mapping[tuple[str, str], Sequence[Drawn]],
    keyed: Mapping[str, str],
    kept: Kept | None,
) -> dict[str, list[Shown]]:
    """Return each locale page's sections, by locale tag, in the order of ``listed``.

    A message's sections' digests are a kept piece (:mod:`campaignsync.pack.kept`), named
    by the message and its cards' key (``keyed``: what the sections are made from), so
    that only an edited message's are worked out again.
    """
    found: dict[str, list[Shown]] = {locale.tag: [] for locale in locales}
    for message in listed:
        mine = [(loc, shown) for loc in locales if (shown := made.get((loc.tag, message.id)))]
        key = keyed.get(message.id, "")
        inputs = kept.inputs(message.id, ("sections", key)) if kept is not None and key else ""
        text = kept.piece(inputs) if kept is not None and inputs else None
        digests = text.split(" ") if text is not None else []
        if len(digests) != len(mine):
            digests = [_digest(loc, message, shown) for loc, shown in mine]
            if kept is not None and inputs:
                kept.put_piece(inputs, " ".join(digests))
        for (loc, shown), digest in zip(mine, digests, strict=True):
            found[loc.tag].append((digest, message, shown))
    return found


def locale_page(
    locale: Any,
    shown: list[Shown],
    items: list[Item],
    common: dict[str, Any],
    kept: Kept | None,
    shared: str = "",
) -> bytes:
    """Return a locale's page; empty when the last pack's is taken by reference.

    ``shown`` are its sections (:func:`sections`), ``shared`` the digest of ``common``.
    Each comes from the last pack's page when it is unchanged and that page is the one
    recorded, else it is joined from its cards.
    """
    head, foot = _frame(locale, items, common, kept, shared)
    if kept is None:
        return _joined(locale, head, foot, shown, {}, b"")[0]
    rel = f"preview/{locale.tag}.html"
    inputs = hashlib.sha256(b"\0".join([head, foot, *(d.encode() for d, _, _ in shown)]))
    if kept.take(rel, inputs.hexdigest()):
        kept.piece(_name(rel, kept.made[rel][1]))  # its sections, for the next build
        return b""
    layout, old = _last(kept, rel)
    page, spans = _joined(locale, head, foot, shown, layout, old)
    kept.put(rel, inputs.hexdigest(), page)
    kept.put_piece(_name(rel, kept.made[rel][1]), spans)
    return page


def _frame(
    locale: Any, items: list[Item], common: dict[str, Any], kept: Kept | None, shared: str
) -> tuple[bytes, bytes]:
    """Return the page before its sections and after them.

    With ``kept`` and ``shared`` (the digest of ``common``), the frame is a kept piece,
    named by the locale, its items and what every page shows.
    """
    inputs = ""
    if kept is not None and shared:
        noted = "".join(f"{i.kind}\0{i.message}\0{i.channel}\0{i.text}\0{i.href}\1" for i in items)
        text = f"frame\0{locale.tag}\0{shared}\0{noted}"
        inputs = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    found = kept.piece(inputs) if kept is not None and inputs else None
    frame = found.split(SECTIONS) if found is not None else []
    if len(frame) != 2:  # not kept, or a piece that does not read back
        text = _render(
            "locale.html.j2", root="../", locale=locale, items=items, sections=SECTIONS, **common
        )
        frame = text.split(SECTIONS)
        if len(frame) != 2:
            raise RuntimeError(f"locale.html.j2 placed the sections {len(frame) - 1} times")
        if kept is not None and inputs:
            kept.put_piece(inputs, text)
    return frame[0].encode("utf-8"), frame[1].encode("utf-8")


def _digest(locale: Any, message: Message, mine: Sequence[Drawn]) -> str:
    """Return the digest of what a section's bytes are made from (its template reads no more).

    The cards by their sha256: their HTML is not read.
    """
    first = mine[0]
    head = (locale.tag, locale.direction, message.id, message.path, first.title, first.direction)
    text = "\0".join(map(str, head)) + "".join([f"\1{c.channel}\0{c.digest}" for c in mine])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _name(rel: str, sha256: str) -> str:
    """Return the name the sections of the page ``rel`` with that sha256 are kept under."""
    return f"sections of {rel} {sha256}"


def _last(kept: Kept, rel: str) -> tuple[dict[str, tuple[int, int]], bytes]:
    """Return the sections of the last pack's page (digest: start, end) and its bytes.

    Nothing when its sections were not kept, or the page is not the one they were kept
    for (changed or removed by hand, or another build's).
    """
    found = kept.known.get(rel)
    text = kept.pieces.get(_name(rel, found[1])) if found is not None else None
    if found is None or text is None:
        return {}, b""
    try:
        old = (kept.pack / rel).read_bytes()
    except OSError:
        return {}, b""
    if len(old) != found[3] or hashlib.sha256(old).hexdigest() != found[1]:
        return {}, b""
    layout: dict[str, tuple[int, int]] = {}
    try:
        for line in text.splitlines():
            digest, start, end = line.split(" ")
            layout[digest] = (int(start), int(end))
    except ValueError:
        return {}, b""
    if not all(0 <= start <= end <= len(old) for start, end in layout.values()):
        return {}, b""
    return layout, old


def _joined(
    locale: Any,
    head: bytes,
    foot: bytes,
    shown: Sequence[Shown],
    layout: Mapping[str, tuple[int, int]],
    old: bytes,
) -> tuple[bytes, str]:
    """Return the page and where its sections lie (one "digest start end" line each).

    A section in ``layout`` is taken from ``old``; the others are joined from their cards.
    """
    parts: list[bytes | memoryview] = [head]
    at, spans, view = len(head), [], memoryview(old)
    for digest, message, mine in shown:
        span = layout.get(digest)
        made = [view[span[0] : span[1]]] if span is not None else _drawn(locale, message, mine)
        size = sum(map(len, made))
        spans.append(f"{digest} {at} {at + size}\n")
        parts += made
        at += size
    parts.append(foot)
    return b"".join(parts), "".join(spans)


def _drawn(locale: Any, message: Message, mine: Sequence[Drawn]) -> list[bytes | memoryview]:
    """Return a section's bytes, in parts: its own, with its cards' HTML where they go."""
    head, found, foot = (mine[0].section or section(locale, message, mine[0])).partition(
        CARDS.encode()
    )
    if not found:
        raise RuntimeError(f"a section of {message.id} in {locale.tag} has no place for its cards")
    made: list[bytes | memoryview] = [head]
    for card in mine:
        made += (card.html, b"\n")
    made.append(foot)
    return made
