"""The gallery's locale pages: after an edit, the last pack's pages with the changed sections.

A locale's posts are shown :data:`PAGE` messages a page (``preview/<locale>.html``, then
``preview/<locale>.2.html``...), each message on the same page number in every locale
(:func:`numbered`): at 500 messages a locale has ten pages of 700 KB, and an edit
rewrites the one that shows the message, not 7 MB a locale. A page is its frame, drawn
by Jinja (``theme/locale.html.j2``: the links to the locale's pages, on the first the
attention list, the filters), with each message's section joined in as bytes. A section
is drawn with the message's cards (:func:`section`, kept with them in the render cache)
and its bytes are fixed by a digest of what they are made from (:func:`_digest`: the
locale, the message's id and path, the title and direction its heading shows, each
card's channel and sha256).

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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
#: How many messages a locale page shows.
PAGE = 50


def numbered(listed: Sequence[Message]) -> dict[str, int]:
    """Return the number of the page that shows each message, the same in every locale."""
    return {message.id: at // PAGE + 1 for at, message in enumerate(listed)}


def page_of(numbers: Mapping[str, int] | None, message_id: str) -> int:
    """Return the number of the page that shows a message (1 where pages are not numbered)."""
    return numbers[message_id] if numbers is not None else 1


def page_name(tag: str, number: int) -> str:
    """Return the file name, in ``preview/``, of a locale's page ``number`` (the first: 1)."""
    return f"{tag}.html" if number == 1 else f"{tag}.{number}.html"


def page_path(tag: str, number: int) -> str:
    """Return the pack path of a locale's page ``number``."""
    return f"preview/{page_name(tag, number)}"


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


def locale_pages(
    locale: Any,
    shown: list[Shown],
    items: list[Item],
    common: dict[str, Any],
    kept: Kept | None,
    shared: str,
    numbers: Mapping[str, int],
) -> Iterator[tuple[str, bytes]]:
    """Yield each page of a locale and its pack path (see :func:`locale_page`).

    ``shown`` are the locale's sections (:func:`sections`), ``numbers`` the page of each
    message (:func:`numbered`). Every locale has as many pages, a page with none of its
    messages saying so. The attention list is on the first page (of several, even when
    empty), the others link to it.
    """
    by_page: dict[int, list[Shown]] = {}
    for part in shown:
        by_page.setdefault(numbers[part[1].id], []).append(part)
    count = max(numbers.values(), default=1)
    last = _Last(kept, locale.tag) if kept is not None else None
    for number in range(1, count + 1):
        mine = by_page.get(number, [])
        paging = Paging(number, count, not mine)
        noted = items if number == 1 else []  # the others' frames do not change with them
        page = locale_page(locale, mine, noted, (common, shared), kept, paging, last)
        yield page_path(locale.tag, number), page


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a locale page is among the locale's pages, as its frame shows it."""

    number: int
    #: How many pages each locale has.
    count: int = 1
    #: Whether the page shows any message of the locale (each page number is there).
    empty: bool = False

    def links(self, tag: str) -> list[tuple[int, str, bool]]:
        """Return each page of the locale as its link shows it: number, address, this one."""
        return [(n, page_name(tag, n), n == self.number) for n in range(1, self.count + 1)]


def locale_page(
    locale: Any,
    shown: list[Shown],
    items: list[Item],
    common: tuple[dict[str, Any], str],
    kept: Kept | None,
    paging: Paging,
    last: _Last | None,
) -> bytes:
    """Return a page of a locale; empty when the last pack's is taken by reference.

    ``shown`` are its sections (:func:`sections`), ``common`` what every page shows and
    its digest. Each section comes from the last pack's pages (``last``) when it is
    unchanged and its page is the one recorded, else it is joined from its cards.
    """
    head, foot = _frame(locale, items, common[0], kept, common[1], paging)
    if kept is None:
        return _joined(locale, head, foot, shown, None)[0]
    rel = page_path(locale.tag, paging.number)
    inputs = hashlib.sha256(b"\0".join([head, foot, *(d.encode() for d, _, _ in shown)]))
    if kept.take(rel, inputs.hexdigest()):
        kept.piece(_name(rel, kept.made[rel][1]))  # its sections, for the next build
        return b""
    page, spans = _joined(locale, head, foot, shown, last)
    kept.put(rel, inputs.hexdigest(), page)
    kept.put_piece(_name(rel, kept.made[rel][1]), spans)
    return page


def _frame(
    locale: Any,
    items: list[Item],
    common: dict[str, Any],
    kept: Kept | None,
    shared: str,
    paging: Paging,
) -> tuple[bytes, bytes]:
    """Return the page before its sections and after them.

    With ``kept`` and ``shared`` (the digest of ``common``), the frame is a kept piece,
    named by the locale, its items, its place among the pages and what every page shows.
    """
    inputs = ""
    if kept is not None and shared:
        noted = "".join(i.noted for i in items)
        text = f"frame\0{locale.tag}\0{shared}\0{noted}\0{paging}"
        inputs = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    found = kept.piece(inputs) if kept is not None and inputs else None
    frame = found.split(SECTIONS) if found is not None else []
    if len(frame) != 2:  # not kept, or a piece that does not read back
        text = _render(
            "locale.html.j2", root="../", locale=locale, items=items, sections=SECTIONS,
            paging=paging, **common,
        )  # fmt: skip
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


class _Last:
    """The sections of the last pack's pages of a locale, each page read when one is wanted.

    A section is taken from the page it was on: a message added or removed moves those
    after it to other pages. A page is read only if it is the one its record was kept
    for (changed or removed by hand, or another build's: its sections are drawn again).
    """

    def __init__(self, kept: Kept, tag: str) -> None:
        self.kept = kept
        self.where: dict[str, tuple[str, int, int]] = {}  # digest: page, start, end
        self.read: dict[str, memoryview | None] = {}
        number = 1
        while (rel := page_path(tag, number)) in kept.known:
            self.where.update((d, (rel, *span)) for d, span in _layout(kept, rel).items())
            number += 1

    def section(self, digest: str) -> memoryview | None:
        """Return a section's bytes as the last pack's page holds them (None: not there)."""
        found = self.where.get(digest)
        if found is None:
            return None
        rel, start, end = found
        if rel not in self.read:
            self.read[rel] = self._page(rel)
        old = self.read[rel]
        return old[start:end] if old is not None else None

    def _page(self, rel: str) -> memoryview | None:
        found = self.kept.known[rel]
        try:
            old = (self.kept.pack / rel).read_bytes()
        except OSError:
            return None
        if len(old) != found[3] or hashlib.sha256(old).hexdigest() != found[1]:
            return None
        spans = [(start, end) for at, start, end in self.where.values() if at == rel]
        if not all(0 <= start <= end <= len(old) for start, end in spans):
            return None
        return memoryview(old)


def _layout(kept: Kept, rel: str) -> dict[str, tuple[int, int]]:
    """Return where each section lies in the last pack's page ``rel``, as its record says."""
    text = kept.pieces.get(_name(rel, kept.known[rel][1]))
    layout: dict[str, tuple[int, int]] = {}
    try:
        for line in (text or "").splitlines():
            digest, start, end = line.split(" ")
            layout[digest] = (int(start), int(end))
    except ValueError:
        return {}
    return layout


def _joined(
    locale: Any, head: bytes, foot: bytes, shown: Sequence[Shown], last: _Last | None
) -> tuple[bytes, str]:
    """Return the page and where its sections lie (one "digest start end" line each).

    A section the last pack's pages hold (``last``) is taken from there; the others are
    joined from their cards.
    """
    parts: list[bytes | memoryview] = [head]
    at, spans = len(head), []
    for digest, message, mine in shown:
        taken = last.section(digest) if last is not None else None
        made = [taken] if taken is not None else _drawn(locale, message, mine)
        size = sum(map(len, made))
        spans.append(f"{digest} {at} {at + size}\n")
        parts += made
        at += size
    parts.append(foot)
    return b"".join(parts), "".join(spans)


def _drawn(locale: Any, message: Message, mine: Sequence[Drawn]) -> list[bytes | memoryview]:
    """Return a section's bytes, in parts: its own, with its cards' HTML where they go."""
    whole = mine[0].whole_section(mine)
    if whole is not None:  # spilled so by its renderer
        return [whole]
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
