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
    be "Ã§" in every output. A few letters can be valid UTF-8 by chance ("Ці" in
    windows-1251 reads as a Hebrew point): read so, they must be letters, punctuation
    or symbols, and either three or more, or of the Latin-1 and punctuation blocks.
    """
    if data.isascii():
        return ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    beyond = [c for c in text if not c.isascii()]
    if not all(unicodedata.category(c)[0] in "LPS" or c == "\xa0" for c in beyond):
        return ""
    if len(beyond) < 3 and not all(c <= "\u017f" or "\u2010" <= c <= "\u20cf" for c in beyond):
        return ""
    shown = beyond[0].encode("utf-8").decode(charset, "replace")
    return (
        f"the header says charset={charset}, but the file is saved as UTF-8 "
        f"({beyond[0]!r} would read as {shown!r}): change the header to charset=UTF-8"
    )
