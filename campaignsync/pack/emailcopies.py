"""The gallery's copies of the HTML emails: their images taken from the pack, not the live site.

The email template points images at the live site (``base_url``); a copy of each
email, shown in the gallery, points them into the pack, so the gallery works offline.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from campaignsync.model import Message, Output
from campaignsync.pack.kept import Kept
from campaignsync.pack.writer import Member


@dataclass(frozen=True, slots=True)
class EmailCopies:
    """How the gallery copies an HTML email: its images from the pack, not the live site.

    The email template points images at the live site (base_url), which a preview
    must not. Made for a campaign's messages, in the parent or in a worker (a clean
    build's workers copy the emails they render: the gallery takes those), once per
    process for the same images.
    """

    live: re.Pattern[bytes]
    #: The digest of the images' names: part of what each copy is made from.
    pattern: str

    @staticmethod
    def of(messages: Iterable[Message]) -> EmailCopies:
        """Return the copier of emails whose images are those of ``messages``."""
        return _email_copies(tuple(sorted({m.image.src for m in messages if m.image is not None})))

    @staticmethod
    def path(output: Output) -> str:
        """Return the pack path of an email's copy."""
        return f"preview/email/{output.locale}/{output.message}.html"

    def copy(self, content: bytes) -> bytes:
        """Return an email's copy (outputs are UTF-8: their bytes match as their text would)."""
        return self.live.sub(rb'src="../../../\1"', content)


@cache
def _email_copies(images: tuple[str, ...]) -> EmailCopies:
    names = b"|".join(re.escape(src).encode("utf-8") for src in images) or b"(?!)"
    live = re.compile(rb'src="https?://[^"]*?/(' + names + rb')"')
    return EmailCopies(live, hashlib.sha256(names).hexdigest())


def emails(
    emails: list[Output],
    messages: Mapping[str, Message],
    kept: Kept | None,
    copied: Mapping[str, Member],
) -> Iterator[tuple[str, bytes]]:
    """Yield a copy of each HTML email whose image comes from the pack, not the live site.

    A copy is empty when the last pack's is taken (made from the same email, with the
    same images: see :meth:`Kept.take`), or when a worker made it already (its member is
    in ``copied``).
    """
    copies = EmailCopies.of(messages.values())
    known = kept.outputs if kept is not None else {}
    for output in emails:
        rel = copies.path(output)
        made = known.get(output.path)
        inputs = f"{made.sha256} {copies.pattern}" if made is not None else ""
        if kept is not None and kept.take(rel, inputs):
            yield rel, b""  # taken by reference: its member is in kept.members
            continue
        member = copied.get(rel)
        if member is not None:
            if kept is not None:
                kept.note(rel, inputs, member)
            yield rel, b""
            continue
        copy = copies.copy(output.content)
        if kept is not None:
            kept.put(rel, inputs, copy)
        yield rel, copy
