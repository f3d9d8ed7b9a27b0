"""PO entries written plainly, as gettext, Babel and Poedit write them: one match each.

:mod:`poscan` reads a catalog line by line, which says what is wrong and where. Most
catalogs have nothing wrong, so it first takes the entries from the top that one
regular expression matches (comments, then msgctxt, msgid and msgstr, or msgid_plural
and msgstr[n], each a string and its continuation lines), up to the first that it
does not (an obsolete entry, stray spaces, a mistake), and reads on line by line from
there. Each entry taken ends where the line-by-line reading ends one (a blank line, a
comment, the next msgctxt or msgid), so that reading goes on as it would have. A
7,000-entry catalog reads in 68 ms this way, not 174 ms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

ESCAPE = re.compile(r"\\(.)")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}

#: A string's text between its quotes, on one line: any character but a quote or a
#: backslash, or a backslash and the character it escapes (:mod:`poscan` reads a line so).
TEXT = r'[^"\\\n]*(?:\\[^\n][^"\\\n]*)*'
_ONE = rf'"{TEXT}"'
_STRINGS = rf"({_ONE}(?:\n{_ONE})*)\n"
_MORE = rf"{_ONE}(?:\n{_ONE})*\n"
_ENTRY = re.compile(
    r"((?:#(?!~)[^\n]*\n)*)"
    rf"(?:msgctxt[ \t]+{_STRINGS})?"
    rf"msgid[ \t]+{_STRINGS}"
    rf"(?:msgstr[ \t]+{_STRINGS}"
    rf"|msgid_plural[ \t]+{_STRINGS}((?:msgstr\[\d{{1,2}}\][ \t]+{_MORE})+))"
    r"(?:\n+|(?=#(?!~)|msgctxt[ \t]|msgid[ \t]|\Z))"
)
_FORM = re.compile(rf"msgstr\[(\d{{1,2}})\][ \t]+{_STRINGS}")
_PIECE = re.compile(rf'"({TEXT})"')
_NO_FLAGS: frozenset[str] = frozenset()

#: An entry's fields in :class:`poscan.PoEntry`'s order: its line, its first msgstr's
#: line, msgctxt, msgid, msgid_plural, the msgstr texts and the flags.
Fields = tuple[int, int, str | None, str, str | None, tuple[str, ...], frozenset[str]]


def entries(text: str) -> Iterator[tuple[Fields, int, int]]:
    """Yield each entry from the top written plainly, with the offset and line after it."""
    at, line, match, count = 0, 1, _ENTRY.match, text.count
    while (found := match(text, at)) is not None and (fields := _fields(found, line)):
        at, line = found.end(), line + count("\n", at, found.end())
        yield fields, at, line


def _fields(found: re.Match[str], line: int) -> Fields | None:
    """Return the fields of the entry ``found`` at ``line`` (None: to be read line by line)."""
    comments, context, msgid, msgstr, plural, forms = found.groups()
    try:
        if plural is None:
            strings: tuple[str, ...] = (_joined(msgstr),)
            first = found.start(4)
        else:
            numbered: list[Any] = _FORM.findall(forms)
            if [int(n) for n, _ in numbered] != list(range(len(numbered))):
                return None  # msgstr[n] out of order: said at its line
            strings = tuple([_joined(text) for _, text in numbered])
            first = found.start(6)
        return (
            line + comments.count("\n"),
            line + found.string.count("\n", found.start(), first),
            None if context is None else _joined(context),
            _joined(msgid),
            None if plural is None else _joined(plural),
            strings,
            flags(comments) if "#," in comments else _NO_FLAGS,
        )
    except ValueError:  # an escape that is not one: said at its line
        return None


def _joined(strings: str) -> str:
    """Return the text of a string and its continuation lines; raise ValueError on a bad escape."""
    body = strings[1:-1] if "\n" not in strings else "".join(_PIECE.findall(strings))
    if "\\" not in body:
        return body
    if bad_escape(body) is not None:
        raise ValueError("an escape sequence that is not one")
    return unescaped(body)


def bad_escape(body: str) -> str | None:
    """Return the first character a backslash escapes in ``body`` that no escape has."""
    return next((m.group(1) for m in ESCAPE.finditer(body) if m.group(1) not in ESCAPES), None)


def unescaped(body: str) -> str:
    """Return a string's text, every escape in it one of :data:`ESCAPES`, resolved."""
    return ESCAPE.sub(lambda m: ESCAPES[m.group(1)], body)


def unescape(text: str) -> str:
    """Return a PO string's text with its escapes (``\\n``, ``\\"``...) resolved."""
    return ESCAPE.sub(lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def flags(comments: str) -> frozenset[str]:
    """Return the flags of the ``#,`` lines among ``comments`` (one line or several)."""
    return frozenset(
        flag
        for text in comments.split("\n")
        if text[1:2] == ","
        for flag in map(str.strip, text[2:].split(","))
        if flag
    )
