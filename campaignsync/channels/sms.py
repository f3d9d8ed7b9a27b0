"""SMS: GSM 03.38 septets or UCS-2 units, in billed segments; what forced UCS-2.

Segments are counted as the common gateways bill them: 3GPP TS 23.040 allows a
concatenated SMS to be split between any two UTF-16 units and TS 23.038 keeps a GSM
escape sequence whole, but gateways such as Twilio never split a grapheme cluster (a
flag, a family emoji, a letter with its combining marks). A part then ends early and its
last units stay unused, so a text that fits ``max_segments`` by its length alone may
still need one more segment.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from functools import cache

import gsm0338  # noqa: F401  (importing it registers the "gsm03.38" codec)

from campaignsync.channels import ChannelSpec, OutputSpec, counters
from campaignsync.model import ChannelSettings, Measure

#: Units in a single message and in each part of a concatenated one (the 6-octet user
#: data header of a part takes 7 septets or 3 UCS-2 units of its 140 octets).
SIZES = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True, slots=True)
class SmsCount:
    """How an SMS is encoded, how long it is in that encoding and how many parts it bills."""

    encoding: str
    units: int
    segments: int
    #: For UCS-2, each distinct character outside GSM 03.38 and its first 1-based position.
    offenders: tuple[tuple[str, int], ...] = ()
    #: Units left unused at the end of parts because the next character may not be split.
    padding: int = 0
    #: For each part that ends early: the character that moved whole to the next part, its
    #: 1-based column and the units it left unused.
    breaks: tuple[tuple[str, int, int], ...] = ()


@cache
def _septets(char: str) -> int:
    try:
        return len(char.encode("gsm03.38"))
    except UnicodeEncodeError:
        return 0


def _characters(text: str) -> list[str]:
    """Return what a part never splits: grapheme clusters, with CRLF as two (as Twilio does)."""
    found: list[str] = []
    for cluster in counters.clusters(text):
        found.extend(cluster if cluster == "\r\n" else (cluster,))
    return found


def encoding_of(text: str) -> str:
    """Return ``"GSM-7"`` when every character of ``text`` is in GSM 03.38, else ``"UCS-2"``."""
    return "GSM-7" if all(_septets(char) for char in text) else "UCS-2"


def units(text: str, encoding: str) -> int:
    """Return the length of ``text`` in ``encoding``: GSM-7 septets or UTF-16 (UCS-2) units."""
    if encoding == "GSM-7":
        return sum(_septets(char) for char in text)
    return counters.utf16_units(text)


def _layout(text: str, encoding: str) -> list[list[tuple[str, int]]]:
    """Return the parts of a concatenated SMS, each a list of (character, units).

    A part is filled in order and never splits a character (see ``_characters``); a
    character no part could hold (a letter with dozens of marks) is split between its
    code points, as no gateway could do otherwise.
    """
    size = SIZES[encoding][1]
    parts: list[list[tuple[str, int]]] = [[]]
    used = 0
    for character in _characters(text):
        cost = units(character, encoding)
        pieces = (
            [(character, cost)] if cost <= size else [(c, units(c, encoding)) for c in character]
        )
        for piece, piece_cost in pieces:
            if used + piece_cost > size:
                parts.append([])
                used = 0
            parts[-1].append((piece, piece_cost))
            used += piece_cost
    return parts


def sms_count(text: str) -> SmsCount:
    """Count ``text`` as an SMS: GSM-7 septets if it fits GSM 03.38, else UCS-2 units."""
    encoding = encoding_of(text)
    offenders: dict[str, int] = {}
    if encoding == "UCS-2":
        for column, char in enumerate(text, start=1):
            if not _septets(char):
                offenders.setdefault(char, column)
    single, size = SIZES[encoding]
    length = units(text, encoding)
    if length <= single:
        return SmsCount(encoding, length, 1, tuple(offenders.items()))
    parts = _layout(text, encoding)
    breaks = []
    column = 1
    for part, after in itertools.pairwise(parts):
        column += sum(len(piece) for piece, _cost in part)
        unused = size - sum(cost for _piece, cost in part)
        if unused:
            breaks.append((after[0][0], column, unused))
    return SmsCount(
        encoding,
        length,
        len(parts),
        tuple(offenders.items()),
        sum(unused for _piece, _column, unused in breaks),
        tuple(breaks),
    )


def sms_parts(text: str) -> list[str]:
    """Return ``text`` cut where it is split into billed SMS segments (as ``sms_count`` cuts)."""
    encoding = encoding_of(text)
    if units(text, encoding) <= SIZES[encoding][0]:
        return [text]
    return ["".join(piece for piece, _cost in part) for part in _layout(text, encoding)]


def sms_capacity(encoding: str, segments: int) -> int:
    """Return how many units ``segments`` SMS parts hold in ``encoding``."""
    single, part = SIZES[encoding]
    return single if segments <= 1 else part * segments


#: Typographic characters outside GSM 03.38 and the plain characters gateways'
#: "smart encoding" sends instead (an empty string: the character is dropped).
SUBSTITUTES = {
    **dict.fromkeys("‘’‚‛′´`", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−•", "-"),
    "…": "...",
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009", " "),
    **dict.fromkeys("\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufe0e\ufe0f\ufeff", ""),
}


@dataclass(frozen=True, slots=True)
class Ucs2Cause:
    """Characters that force UCS-2 although plain ones would do, and what that costs."""

    #: (character, first 1-based column, what to write instead; "" means drop it).
    characters: tuple[tuple[str, int, str], ...]
    segments: int
    gsm_segments: int


def _avoidable(char: str) -> bool:
    """Return True for punctuation, spaces, symbols and emoji; False for letters and digits."""
    return char in SUBSTITUTES or unicodedata.category(char)[0] not in "LMN"


def avoidable_ucs2(text: str) -> Ucs2Cause | None:
    """Return the characters that alone force ``text`` into UCS-2 at a cost in segments.

    Letters outside GSM 03.38 (Polish ``ł``, Greek ``λ``) are the language and are
    never reported; typographic quotes, dashes, special spaces and emoji are, when
    writing them plainly would make the message GSM-7 and bill fewer segments.
    """
    count = sms_count(text)
    if count.encoding != "UCS-2" or not all(_avoidable(c) for c, _ in count.offenders):
        return None
    plain = text.translate({ord(c): SUBSTITUTES.get(c, "") for c, _ in count.offenders})
    fixed = sms_count(plain)
    if fixed.encoding != "GSM-7" or fixed.segments >= count.segments:
        return None
    characters = tuple((c, column, SUBSTITUTES.get(c, "")) for c, column in count.offenders)
    return Ucs2Cause(characters, count.segments, fixed.segments)


def describe(char: str) -> str:
    """Return a character as a reader can recognise it: itself, or its code point and name."""
    if char.isprintable() and not char.isspace() and unicodedata.category(char) not in ("Mn", "Cf"):
        return char
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed').lower()})"


def describe_piece(piece: str) -> str:
    """Return what a part never splits as a reader can recognise it (see ``describe``)."""
    if len(piece) == 1 or not describe(piece[0]).startswith("U+"):
        return describe(piece[0]) if len(piece) == 1 else piece
    return " ".join(f"U+{ord(c):04X}" for c in piece)


def _sms(text: str, limit: int, settings: ChannelSettings) -> Measure:
    count = sms_count(text)
    # The limit depends on the encoding the text needs, not only on the settings.
    limit = sms_capacity(count.encoding, settings.max_segments)
    return Measure(
        count.units,
        limit,
        "septets" if count.encoding == "GSM-7" else "ucs-2",
        encoding=count.encoding,
        segments=count.segments,
        padding=count.padding,
    )


SPECS = (
    ChannelSpec(
        "sms",
        "SMS",
        (OutputSpec("txt"),),
        10 * 153,
        "septets",
        measure=_sms,
        capacity=lambda settings: sms_capacity("GSM-7", settings.max_segments),
    ),
)
