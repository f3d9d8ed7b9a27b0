"""What Unicode normalisation (NFC) changes in a text, said so that a translator can act.

CS208 reports text that is not in NFC, naming the first place NFC changes and what it
does there: NFC composes a letter and its accent into one character, puts combining marks
in canonical order, replaces compatibility duplicates and decomposes a few letters. Only
some of these change how long platforms count the text; all of them change how search and
matching see it.
"""

from __future__ import annotations

import unicodedata

from campaignsync.channels import counters


def _first_unnormalized(text: str) -> tuple[int, str]:
    """Return the 1-based column and the first grapheme cluster that NFC would change."""
    column = 1
    for cluster in counters.clusters(text):
        if not unicodedata.is_normalized("NFC", cluster):
            return column, cluster
        column += len(cluster)
    # NFC changed the text across clusters (no known case): name where the two first differ.
    normal = unicodedata.normalize("NFC", text)
    at = next((i for i, (a, b) in enumerate(zip(text, normal, strict=False)) if a != b), 0)
    return at + 1, text[at : at + 1]


def _codes(text: str) -> str:
    return " ".join(f"U+{ord(c):04X}" for c in text)


def change(text: str, column: bool = True) -> str:
    """Say what NFC changes first in ``text`` (which is not in NFC), and why it matters.

    NFC composes a letter and its accent into one character (``e`` + U+0301 is ``é``),
    puts combining marks in canonical order (Hebrew points, Vietnamese tones), replaces
    compatibility duplicates (U+2126 OHM SIGN is ``Ω``) and decomposes a few letters
    (U+0958 is U+0915 U+093C). Only the first changes the length, and none the look.
    ``column=False`` leaves out where it is (in text of which the template wrote a part).
    """
    at, cluster = _first_unnormalized(text)
    normal = unicodedata.normalize("NFC", cluster)
    where = f"{_codes(cluster)} at column {at}" if column else _codes(cluster)
    differ = "search and matching treat the two forms as different text"
    if len(normal) < len(cluster):
        what = (
            f"{where} is the single character {normal!r} ({_codes(normal)}) in NFC"
            if len(normal) == 1
            else f"{where} is {_codes(normal)} ({normal!r}) in NFC"
        )
        return f"{what}; platforms that do not normalise count it longer, and {differ}"
    if sorted(normal) == sorted(cluster):
        return (
            f"{where} has its combining marks out of canonical order (NFC writes "
            f"{_codes(normal)}); it looks the same, but {differ}"
        )
    what = f"{where} is {_codes(normal)} ({normal!r}) in NFC"
    if len(normal) > len(cluster):
        return f"{what}; platforms that normalise count it longer, and {differ}"
    return f"{what}; it looks the same, but {differ}"
