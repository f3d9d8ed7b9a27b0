"""A strict PO reader: every entry at its 1-based line, and what Babel's read_po repairs.

Babel's ``read_po`` truncates an unterminated string, keeps the last of two
entries with the same key and pads missing plural forms, all without a word.
This reader refuses them instead, with the line a translator has to fix, and
is what campaignsync reads translations with (no third-party imports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from campaignsync.l10n import charsets, poheader, poplain

#: The codes of the problems found here (documented in docs/checks.md).
UNREADABLE, SYNTAX, DUPLICATE, PLURALS = "CS300", "CS301", "CS302", "CS303"

_STRING = re.compile(rf'"({poplain.TEXT})"[ \t]*')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d{1,2})\])?)[ \t]+")
_CHARSET = re.compile(rb"charset=([A-Za-z0-9_.:-]+)")
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")
MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PoEntry:
    """One entry as written in the file; ``strings`` holds msgstr or every msgstr[n]."""

    line: int  # the msgctxt line, or the msgid line when there is no msgctxt
    string_line: int  # the first msgstr line
    context: str | None
    msgid: str
    plural: str | None
    strings: tuple[str, ...]
    flags: frozenset[str] = frozenset()

    @property
    def fuzzy(self) -> bool:
        """Return True when a translator (or a merge) marked the entry as needing review."""
        return "fuzzy" in self.flags

    @property
    def complete(self) -> bool:
        """Return True when every form has text (fuzzy or not)."""
        return all(self.strings)

    @property
    def translated(self) -> bool:
        """Return True when any form has text (fuzzy or not)."""
        return any(self.strings)

    @property
    def usable(self) -> bool:
        """Return True when a build may use the entry: complete and not fuzzy."""
        return self.complete and not self.fuzzy


@dataclass(frozen=True, slots=True)
class PoProblem:
    """Something wrong with the file itself, at a 1-based line."""

    code: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class PoFile:
    """A PO/POT file read strictly: entries that parsed, obsolete ones, and every problem."""

    header: tuple[tuple[str, str], ...]
    entries: tuple[PoEntry, ...]
    obsolete: tuple[PoEntry, ...]
    problems: tuple[PoProblem, ...]

    def header_value(self, name: str) -> str | None:
        """Return a header field's value (case-insensitive name), or None."""
        wanted = name.lower()
        return next((v for k, v in self.header if k.lower() == wanted), None)

    @property
    def nplurals(self) -> int | None:
        """Return ``nplurals`` from the Plural-Forms header, or None."""
        value = self.header_value("Plural-Forms")
        match = _NPLURALS.search(value or "")
        return int(match.group(1)) if match else None


class _Pending:
    """The entry being read: its fields in order, each a list of string pieces."""

    def __init__(self, line: int, obsolete: bool, flags: frozenset[str]) -> None:
        self.line = line
        self.obsolete = obsolete
        self.flags = flags
        self.fields: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.string_line = 0
        self.broken = False

    def has_string(self) -> bool:
        return bool(self.order) and self.order[-1].startswith("msgstr")


#: The byte-order mark some editors (Notepad) put before a UTF-8 file: read as nothing.
BOM = b"\xef\xbb\xbf"


def decode(data: bytes) -> tuple[str, PoProblem | None]:
    """Return the file's text in its declared charset (lines end in ``\\n``), or the problem."""
    if len(data) > MAX_BYTES:
        return "", PoProblem(UNREADABLE, 1, f"larger than {MAX_BYTES // 2**20} MiB")
    data = data.removeprefix(BOM)
    match = _CHARSET.search(data[:4096])
    charset = match.group(1).decode("ascii") if match else "utf-8"
    if charset.upper() == "CHARSET":  # the POT placeholder
        charset = "utf-8"
    try:
        text = data.decode(charset)
    except LookupError:
        return "", PoProblem(UNREADABLE, 1, f"unknown charset {charset!r}")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", PoProblem(UNREADABLE, line, f"not valid {charset} text")
    if match is not None and not charsets.is_utf8(charset):
        mislabelled = charsets.saved_as_utf8(data, charset)
        if mislabelled:
            line = data.count(b"\n", 0, match.start()) + 1
            return "", PoProblem(UNREADABLE, line, mislabelled)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, None


def scan(data: bytes) -> PoFile:
    """Read a PO/POT file strictly; never raises on bad input."""
    text, problem = decode(data)
    if problem is not None:
        return PoFile((), (), (), (problem,))
    return _Scanner().run(text)


class _Scanner:
    def __init__(self) -> None:
        self.problems: list[PoProblem] = []
        self.entries: list[PoEntry] = []
        self.obsolete: list[PoEntry] = []
        self.header: tuple[tuple[str, str], ...] = ()
        self.pending: _Pending | None = None
        self.flags: frozenset[str] = frozenset()
        self.last: str | None = None

    def error(self, line: int, text: str, code: str = SYNTAX) -> None:
        self.problems.append(PoProblem(code, line, text))
        if self.pending is not None:
            self.pending.broken = True

    def run(self, text: str) -> PoFile:
        start, first = self.written_plainly(text)
        lines = text[start:].split("\n")
        for number, line in enumerate(lines, start=first):
            if line[:1] in (" ", "\t") or line[-1:] in (" ", "\t"):
                line = line.strip()
            if not line:
                self.finish(number)
            elif line[0] == "#":
                if line[1:2] != "~":
                    self.comment(line, number)
                    continue
                rest = line[2:].lstrip()
                if rest and rest[0] != "|":  # "#~|" is the previous text of an obsolete entry
                    self.statement(rest, number, obsolete=True)
            elif line[0] == '"':
                self.continuation(line, number)
            else:
                self.statement(line, number, obsolete=False)
        self.finish(first + len(lines))
        self.plural_counts()
        return PoFile(self.header, tuple(self.entries), tuple(self.obsolete), tuple(self.problems))

    def written_plainly(self, text: str) -> tuple[int, int]:
        """Take the entries from the top written plainly (:mod:`poplain`); say where next."""
        where = (0, 1)
        for fields, *after in poplain.entries(text):
            self.record(PoEntry(*fields), False)
            where = (after[0], after[1])
        return where

    def comment(self, text: str, number: int) -> None:
        if self.pending is not None and self.pending.has_string():
            self.finish(number)
        if text[1:2] == ",":
            self.flags = self.flags | poplain.flags(text)

    def statement(self, text: str, number: int, obsolete: bool) -> None:
        if text[0] == '"':
            self.continuation(text, number)
            return
        match = _KEYWORD.match(text)
        if match is None:
            word = (text.split() or [text])[0][:30]  # (a line of a form feed, a lone CR...)
            self.error(number, f"unexpected {word!r}: expected msgctxt, msgid, msgstr or a string")
            self.last = None
            return
        keyword, index = match.group(1), match.group(2)
        rest = text[match.end() :]
        name = "msgstr" if index is not None else keyword
        pending = self.pending
        starts = name == "msgctxt" or (
            name == "msgid" and (pending is None or pending.order != ["msgctxt"])
        )
        if starts:
            self.finish(number)
            pending = self.pending = _Pending(number, obsolete, self.flags)
            self.flags = frozenset()
        if pending is None:
            self.error(number, f"{keyword} without a msgid before it")
            self.last = None
            return
        problem = self.order_problem(pending, keyword, index)
        if problem:
            self.error(number, problem)
        value = self.string(rest, number)
        if value is None:
            pending.broken = True
            self.last = None
            return
        pending.fields[keyword] = [value]
        pending.order.append(keyword)
        if name == "msgstr" and not pending.string_line:
            pending.string_line = number
        self.last = keyword

    def order_problem(self, pending: _Pending, keyword: str, index: str | None) -> str | None:
        fields = pending.order
        if keyword in pending.fields:
            return f"a second {keyword} in one entry (a blank line or msgid is missing)"
        if keyword == "msgid_plural" and fields[-1:] != ["msgid"]:
            return "msgid_plural must follow msgid"
        if keyword.startswith("msgstr"):
            if "msgid" not in pending.fields:
                return f"{keyword} without a msgid before it"
            plural = "msgid_plural" in pending.fields
            if plural and index is None:
                return "an entry with msgid_plural needs msgstr[0], msgstr[1]... not msgstr"
            if not plural and index is not None:
                return f"{keyword} in an entry without msgid_plural"
            if index is not None:
                expected = sum(1 for f in fields if f.startswith("msgstr["))
                if int(index) != expected:
                    return f"{keyword} out of order: expected msgstr[{expected}]"
        return None

    def continuation(self, text: str, number: int) -> None:
        value = self.string(text, number)
        if self.pending is None or self.last is None:
            if value is not None:
                self.error(number, "a string outside an entry")
            return
        if value is None:
            self.pending.broken = True
            return
        self.pending.fields[self.last].append(value)

    def string(self, text: str, number: int) -> str | None:
        match = _STRING.fullmatch(text)
        if match is None:
            if text.startswith('"') and not _STRING.match(text):
                self.error(number, "unterminated string: the closing '\"' is missing")
            elif text.startswith('"'):
                self.error(number, "text after the closing '\"' of a string")
            else:
                self.error(number, "expected a string in double quotes")
            return None
        body = match.group(1)
        if "\\" not in body:
            return body
        bad = poplain.bad_escape(body)
        if bad is not None:
            self.error(number, f"unsupported escape sequence '\\{bad}'")
            return None
        return poplain.unescaped(body)

    def finish(self, number: int) -> None:
        """Close the pending entry (if any) and record it."""
        pending, self.pending, self.last = self.pending, None, None
        if pending is None:
            return
        if not pending.broken and not pending.has_string():
            missing = "msgid" if "msgid" not in pending.fields else "msgstr"
            self.problems.append(PoProblem(SYNTAX, pending.line, f"entry without {missing}"))
            pending.broken = True
        if pending.broken:
            return
        joined = {k: "".join(v) for k, v in pending.fields.items()}
        strings = tuple(joined[k] for k in pending.order if k.startswith("msgstr"))
        entry = PoEntry(
            line=pending.line,
            string_line=pending.string_line,
            context=joined.get("msgctxt"),
            msgid=joined["msgid"],
            plural=joined.get("msgid_plural"),
            strings=strings,
            flags=pending.flags,
        )
        self.record(entry, pending.obsolete)

    def record(self, entry: PoEntry, obsolete: bool) -> None:
        """Keep an entry read whole: the header, an obsolete entry or one to translate."""
        if obsolete:
            self.obsolete.append(entry)
        elif entry.msgid == "" and entry.context is None:
            if self.header or self.entries:
                self.problems.append(PoProblem(DUPLICATE, entry.line, "a second header entry"))
            else:
                self.header = poheader.fields(entry.strings[0] if entry.strings else "")
                self.problems.extend(
                    PoProblem(SYNTAX, entry.string_line, text)
                    for text in poheader.problems(self.header)
                )
        else:
            self.entries.append(entry)

    def plural_counts(self) -> None:
        seen: dict[tuple[str | None, str], int] = {}
        kept: list[PoEntry] = []
        nplurals = PoFile(self.header, (), (), ()).nplurals
        for entry in self.entries:
            key = (entry.context, entry.msgid)
            if key in seen:
                where = f"msgctxt {entry.context!r}, " if entry.context is not None else ""
                self.problems.append(
                    PoProblem(
                        DUPLICATE,
                        entry.line,
                        f"duplicate entry ({where}msgid {_short(entry.msgid)!r}): "
                        f"first defined at line {seen[key]}",
                    )
                )
                continue
            seen[key] = entry.line
            if entry.plural is not None:
                if nplurals is None:
                    self.problems.append(
                        PoProblem(PLURALS, entry.line, "plural entry but no Plural-Forms header")
                    )
                    continue
                if len(entry.strings) != nplurals:
                    self.problems.append(
                        PoProblem(
                            PLURALS,
                            entry.string_line,
                            f"{len(entry.strings)} plural form(s) but the Plural-Forms "
                            f"header says nplurals={nplurals}",
                        )
                    )
                    continue
            kept.append(entry)
        self.entries = kept


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
