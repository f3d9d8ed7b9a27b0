"""A PO file's charset: UTF-8 by any of its names, and a file saved as UTF-8 under another's."""

from __future__ import annotations

import codecs
import unicodedata


def is_utf8(charset: str) -> bool:
    """Say whether a PO header's charset is UTF-8 (in any spelling; an unknown one is not)."""
    try:
        return codecs.lookup(charset).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def saved_as_utf8(data: bytes, charset: str) -> str:
    """Return the problem of a file saved as UTF-8 under another charset ("": none).

    Text in a one-byte charset (ISO-8859-1, windows-1252) is almost never valid UTF-8
    once it holds a letter past ASCII ("é" then "t" is not), so a file that is valid
    UTF-8 with such letters was saved as UTF-8: read as its header says, "ç" would
    be "Ã§" in every output. One or two letters can be valid UTF-8 by chance ("Ці" in
    windows-1251 reads as a Hebrew point): so few must read as Latin-1 letters,
    punctuation or symbols.
    """
    if data.isascii():
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    beyond = [c for c in text if not c.isascii()]
    if len(beyond) < 3 and not all(  # (three or more: valid UTF-8 says enough)
        (unicodedata.category(c)[0] in "LPS" or c == "\xa0")
        and (c <= "\u017f" or "\u2010" <= c <= "\u20cf")
        for c in beyond
    ):
        return ""
    letter = next((c for c in beyond if unicodedata.category(c)[0] == "L"), beyond[0])
    shown = letter.encode("utf-8").decode(charset, "replace")
    return (
        f"the header says charset={charset}, but the file is saved as UTF-8 "
        f"({letter!r} would read as {shown!r}): change the header to charset=UTF-8"
    )
