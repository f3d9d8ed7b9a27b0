"""SMS: GSM 03.38 septets or UCS-2 units, in billed segments; what forced UCS-2."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from campaignsync.channels import ChannelSpec, OutputSpec, counters
from campaignsync.model import ChannelSettings, Measure

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
    count = counters.sms_count(text)
    if count.encoding != "UCS-2" or not all(_avoidable(c) for c, _ in count.offenders):
        return None
    plain = text.translate({ord(c): SUBSTITUTES.get(c, "") for c, _ in count.offenders})
    fixed = counters.sms_count(plain)
    if fixed.encoding != "GSM-7" or fixed.segments >= count.segments:
        return None
    characters = tuple((c, column, SUBSTITUTES.get(c, "")) for c, column in count.offenders)
    return Ucs2Cause(characters, count.segments, fixed.segments)


def describe(char: str) -> str:
    """Return a character as a reader can recognise it: itself, or its code point and name."""
    if char.isprintable() and not char.isspace() and unicodedata.category(char) not in ("Mn", "Cf"):
        return char
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed').lower()})"


def _sms(text: str, limit: int, settings: ChannelSettings) -> Measure:
    count = counters.sms_count(text)
    # The limit depends on the encoding the text needs, not only on the settings.
    limit = counters.sms_capacity(count.encoding, settings.max_segments)
    return Measure(
        count.units,
        limit,
        "septets" if count.encoding == "GSM-7" else "ucs-2",
        encoding=count.encoding,
        segments=count.segments,
    )


SPECS = (
    ChannelSpec(
        "sms",
        "SMS",
        (OutputSpec("txt"),),
        10 * 153,
        "septets",
        measure=_sms,
        capacity=lambda settings: counters.sms_capacity("GSM-7", settings.max_segments),
    ),
)
