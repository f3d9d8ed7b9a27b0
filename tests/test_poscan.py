"""The strict PO reader: exact 1-based lines for what Babel's read_po silently repairs."""

from __future__ import annotations

import io
from pathlib import Path

import hypothesis
import pytest
from babel.messages.pofile import read_po
from hypothesis import strategies as st

from campaignsync.l10n import poplain, poscan

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "po"

HEADER = (
    'msgid ""\n'
    'msgstr ""\n'
    '"Language: de\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    "\n"
)  # 6 lines: the first entry below starts on line 7


def scan(body: str) -> poscan.PoFile:
    return poscan.scan((HEADER + body).encode("utf-8"))


def problems(body: str) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.text) for p in scan(body).problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            'msgctxt "a:title"\nmsgid "Hello"\nmsgstr "Hallo\n',
            [("CS301", 9, "unterminated string: the closing '\"' is missing")],
            id="unterminated-msgstr",
        ),
        pytest.param(
            'msgctxt "a:title"\nmsgid "Hello"\nmsgstr ""\n"Hal\\"\n',
            [("CS301", 10, "unterminated string: the closing '\"' is missing")],
            id="unterminated-continuation-escaped-quote",
        ),
        pytest.param(
            'msgctxt "a:title"\nmsgid "Hello"\nmsgstr "Hallo"\n\n'
            'msgctxt "a:title"\nmsgid "Hello"\nmsgstr "Servus"\n',
            [
                (
                    "CS302",
                    11,
                    "duplicate entry (msgctxt 'a:title', msgid 'Hello'): first defined at line 7",
                )
            ],
            id="duplicate-entry",
        ),
        pytest.param(
            'msgid "Hello"\nmsgstr "Hallo"\nmsgid "Hello"\nmsgstr "Servus"\n',
            [("CS302", 9, "duplicate entry (msgid 'Hello'): first defined at line 7")],
            id="duplicate-without-blank-line",
        ),
        pytest.param(
            'msgid "one file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "eine Datei"\n',
            [("CS303", 9, "1 plural form(s) but the Plural-Forms header says nplurals=2")],
            id="missing-plural-form",
        ),
        pytest.param(
            'msgid "one file"\nmsgid_plural "files"\nmsgstr[0] "a"\nmsgstr[2] "b"\n',
            [("CS301", 10, "msgstr[2] out of order: expected msgstr[1]")],
            id="plural-index-gap",
        ),
        pytest.param(
            'msgid "one file"\nmsgid_plural "files"\nmsgstr "Dateien"\n',
            [
                (
                    "CS301",
                    9,
                    "an entry with msgid_plural needs msgstr[0], msgstr[1]... not msgstr",
                )
            ],
            id="plural-with-plain-msgstr",
        ),
        pytest.param(
            'msgid "Hello"\n\nmsgid "World"\nmsgstr "Welt"\n',
            [("CS301", 7, "entry without msgstr")],
            id="msgid-without-msgstr",
        ),
        pytest.param(
            'msgstr "Hallo"\n',
            [("CS301", 7, "msgstr without a msgid before it")],
            id="msgstr-without-msgid",
        ),
        pytest.param(
            'msgid "Hello"\nmsgtsr "Hallo"\n',
            [
                (
                    "CS301",
                    8,
                    "unexpected 'msgtsr': expected msgctxt, msgid, msgstr or a string",
                )
            ],
            id="misspelt-keyword",
        ),
        pytest.param(
            'msgid "Hello"\nmsgstr "Hal\\lo"\n',
            [("CS301", 8, "unsupported escape sequence '\\l'")],
            id="bad-escape",
        ),
        pytest.param(
            'msgid "Hello"\nmsgstr "Hallo" Welt\n',
            [("CS301", 8, "text after the closing '\"' of a string")],
            id="text-after-string",
        ),
        pytest.param(
            'msgid "Hello"\nmsgstr Hallo\n',
            [("CS301", 8, "expected a string in double quotes")],
            id="unquoted",
        ),
        pytest.param(
            '"stray"\nmsgid "Hello"\nmsgstr "Hallo"\n',
            [("CS301", 7, "a string outside an entry")],
            id="string-outside-entry",
        ),
        pytest.param(
            'msgctxt "a"\nmsgctxt "b"\nmsgid "Hello"\nmsgstr "Hallo"\n',
            [("CS301", 7, "entry without msgid")],
            id="two-contexts",
        ),
    ],
)
def test_malformed_entries_are_reported_at_their_line(
    body: str, expected: list[tuple[str, int, str]]
) -> None:
    assert problems(body) == expected


def test_a_broken_entry_is_left_out_never_truncated() -> None:
    found = scan('msgid "Hello"\nmsgstr "Hallo\n\nmsgid "World"\nmsgstr "Welt"\n')
    assert [(e.msgid, e.strings) for e in found.entries] == [("World", ("Welt",))]


def test_babel_silently_repairs_what_the_scanner_reports() -> None:
    # Why the scanner exists: Babel keeps a truncated string and one of two duplicates.
    data = HEADER + 'msgid "Hello"\nmsgstr "Hallo\n\nmsgid "x"\nmsgstr "y"\nmsgid "x"\nmsgstr "z"\n'
    babel = {m.id: m.string for m in read_po(io.BytesIO(data.encode()), abort_invalid=True)}
    assert babel["Hello"] == "Hall"
    assert [p.code for p in poscan.scan(data.encode()).problems] == ["CS301", "CS302"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            HEADER.encode() + b'msgid "a"\nmsgstr "caf\xe9"\n',
            ("CS300", 8, "not valid UTF-8 text"),
            id="latin-1-bytes-in-utf-8",
        ),
        pytest.param(
            b'msgid ""\nmsgstr "Content-Type: text/plain; charset=klingon\\n"\n',
            ("CS300", 1, "unknown charset 'klingon'"),
            id="unknown-charset",
        ),
        pytest.param(  # an editor saved it as UTF-8, the header still says otherwise
            HEADER.replace("UTF-8", "ISO-8859-1").encode() + 'msgid "a"\nmsgstr "café"\n'.encode(),
            (
                "CS300",
                5,
                "the header says charset=ISO-8859-1, but the file is saved as UTF-8 "
                "('é' would read as 'Ã©'): change the header to charset=UTF-8",
            ),
            id="utf-8-saved-under-latin-1",
        ),
        pytest.param(
            HEADER.replace("UTF-8", "windows-1252").encode() + 'msgid "a"\nmsgstr "€"\n'.encode(),
            (
                "CS300",
                5,
                "the header says charset=windows-1252, but the file is saved as UTF-8 "
                "('€' would read as 'â‚¬'): change the header to charset=UTF-8",
            ),
            id="utf-8-saved-under-windows-1252",
        ),
        pytest.param(  # three or more: whatever they are (a narrow no-break space, a mark)
            HEADER.replace("UTF-8", "ISO-8859-1").encode()
            + 'msgid "a"\nmsgstr "Pre\u0301fe\u0301rez la façade\u202f!"\n'.encode(),
            (
                "CS300",
                5,
                "the header says charset=ISO-8859-1, but the file is saved as UTF-8 "
                "('ç' would read as 'Ã§'): change the header to charset=UTF-8",
            ),
            id="utf-8-with-marks-and-spaces-saved-under-latin-1",
        ),
    ],
)
def test_undecodable_files(data: bytes, expected: tuple[str, int, str]) -> None:
    found = poscan.scan(data)
    assert [(p.code, p.line, p.text) for p in found.problems] == [expected]
    assert found.entries == ()


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        pytest.param("ISO-8859-1", "Olá, até já", id="latin-1"),
        pytest.param("ISO-8859-1", "plain", id="ascii"),  # (reads alike in both)
        # A few letters that are valid UTF-8 by chance, read as nothing a catalog holds:
        pytest.param("windows-1251", "Ці", id="cyrillic-read-as-a-hebrew-point"),
        pytest.param("windows-1252", "GRUß“", id="read-as-an-nko-letter"),
        pytest.param("utf-8-sig", "Grüße", id="utf-8-by-another-name"),
    ],
)
def test_a_file_in_its_declared_charset_is_not_taken_for_utf_8(charset: str, text: str) -> None:
    body = f'msgid "a"\nmsgstr "{text}"\n'
    encoding = "utf-8" if charset == "utf-8-sig" else charset
    found = poscan.scan((HEADER.replace("UTF-8", charset) + body).encode(encoding))
    assert found.problems == ()
    assert [e.strings for e in found.entries] == [(text,)]


def test_declared_charset_crlf_and_bom_are_read() -> None:
    text = HEADER.replace("UTF-8", "ISO-8859-1") + 'msgid "Coffee"\nmsgstr "Café"\n'
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("latin-1")
    found = poscan.scan(data)
    assert found.problems == ()
    assert [(e.msgid, e.strings, e.line, e.string_line) for e in found.entries] == [
        ("Coffee", ("Café",), 7, 8)
    ]


def test_flags_obsolete_entries_multiline_strings_and_header() -> None:
    found = scan(
        "# translator comment\n"
        "#. extracted\n"
        "#: content/messages/2026/a.md:3\n"
        "#, fuzzy, python-format\n"
        '#| msgid "Old"\n'
        'msgctxt "a:summary"\n'
        'msgid ""\n'
        '"Line one "\n'
        '"and two"\n'
        'msgstr "Zeile\\n"\n'
        '"\\"zwei\\"\\t\\\\"\n'
        "\n"
        '#~ msgctxt "a:title"\n'
        '#~ msgid "Gone"\n'
        '#~ msgstr "Weg"\n'
    )
    assert found.problems == ()
    (entry,) = found.entries
    assert entry.context == "a:summary"
    assert entry.msgid == "Line one and two"
    assert entry.strings == ('Zeile\n"zwei"\t\\',)
    assert entry.flags == {"fuzzy", "python-format"}
    assert entry.fuzzy and not entry.usable
    assert (entry.line, entry.string_line) == (12, 16)
    assert [(e.context, e.msgid, e.strings) for e in found.obsolete] == [
        ("a:title", "Gone", ("Weg",))
    ]
    assert found.nplurals == 2
    assert found.header_value("language") == "de"


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "locales").rglob("*.po*")) + sorted(DATA.glob("*.po")),
    ids=lambda p: p.relative_to(p.parents[2]).as_posix(),
)
def test_reads_what_babel_reads_on_valid_catalogs(path: Path) -> None:
    data = path.read_bytes()
    found = poscan.scan(data)
    assert found.problems == ()
    babel = read_po(io.BytesIO(data), abort_invalid=True)
    expected = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): (
            m.string if isinstance(m.string, tuple) else (m.string,),
            m.fuzzy,
        )
        for m in babel
        if m.id
    }
    assert {(e.context, e.msgid): (e.strings, e.fuzzy) for e in found.entries} == expected
    assert len(found.obsolete) == len(babel.obsolete)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "nplurals=2; plural=(n != 1);",
            "nplurals=x; plural=(n != 1);",
            "header Plural-Forms 'nplurals=x; plural=(n != 1);' is not 'nplurals=N; plural=EXPRESSION;'",
            id="plural-forms",
        ),
        pytest.param(
            "Language: de",
            "Language: zz_@@",
            "header Language 'zz_@@' is not a locale name like 'de' or 'pt_PT'",
            id="language",
        ),
        pytest.param(
            "Language: de",
            'Language: de\\n"\n"POT-Creation-Date: soon',
            "header POT-Creation-Date 'soon' is not a date like '2026-09-01 12:00+0000'",
            id="date",
        ),
    ],
)
def test_header_fields_that_tools_parse_are_checked(old: str, new: str, expected: str) -> None:
    """Babel raises ValueError on these when compiling; they are reported at the header instead."""
    po = poscan.scan((HEADER.replace(old, new) + 'msgid "a"\nmsgstr "b"\n').encode("utf-8"))
    assert [(p.code, p.line, p.text) for p in po.problems] == [("CS301", 2, expected)]


def test_the_template_header_defaults_are_accepted() -> None:
    text = HEADER.replace(
        "Language: de", 'Language: de\\n"\n"POT-Creation-Date: YEAR-MO-DA HO:MI+ZONE'
    )
    assert poscan.scan(text.encode("utf-8")).problems == ()


def _line_by_line(data: bytes) -> poscan.PoFile:
    """Read ``data`` line by line only: the entries written plainly are not taken first."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(poplain, "entries", lambda text: iter(()))
        return poscan.scan(data)


#: Lines a translator's editor, a merge or a hand edit writes, good and bad.
_LINES = [
    "", "  ", "#", "# a translator's note", "#. extracted", "#: content/a.md:3", "#, fuzzy",
    "#, python-format, fuzzy ", "#,", '#| msgid "Old"', '#~ msgctxt "a:x"', '#~ msgid "Gone"',
    '#~ msgstr "Weg"', "#~|", "#~", 'msgctxt "a:title"', 'msgid "Hello"', 'msgid ""',
    'msgid "%(n)s file"', 'msgid_plural "%(n)s files"', 'msgstr "Hallo"', 'msgstr ""',
    'msgstr[0] "eine"', 'msgstr[1] "zwei"', 'msgstr[2] "drei"', 'msgstr[01] "x"',
    '"continued "', '"Zeile\\n"', '"\\"quoted\\"\\t\\\\"', '"bad \\l escape"', '"unterminated',
    'msgstr "x" trailing', '  msgid "indented"', 'msgid "spaced" ', 'msgid\t"tab"',
    'msgid"nospace"', 'msgtsr "typo"', '"Language: de\\n"',
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', 'msgid "Hello\r"', "msgstr",
]  # fmt: skip


@st.composite
def _entries(draw: st.DrawFn) -> str:
    """Return an entry as gettext writes one (flags, context, plurals, continuation lines)."""

    def strings() -> str:
        pieces = draw(
            st.lists(
                st.sampled_from(["", "a", "Zeile\\n", '\\"b\\"', "ü €"]), min_size=1, max_size=3
            )
        )
        return "\n".join(f'"{p}"' for p in pieces)

    lines = draw(st.lists(st.sampled_from(["#, fuzzy", "#: a.md:1", "#. note"]), max_size=2))
    if draw(st.booleans()):
        lines.append(f"msgctxt {strings()}")
    lines.append(f"msgid {strings()}")
    if draw(st.booleans()):
        lines.append(f"msgid_plural {strings()}")
        numbers = [str(n) for n in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):  # out of order, or written another way
            numbers = draw(st.lists(st.sampled_from(["0", "1", "2", "01"]), min_size=1, max_size=3))
        lines += [f"msgstr[{n}] {strings()}" for n in numbers]
    else:
        lines.append(f"msgstr {strings()}")
    return "\n".join(lines) + "\n" * draw(st.integers(0, 2))


@hypothesis.settings(max_examples=400, deadline=None, database=None)
@hypothesis.given(
    parts=st.lists(st.one_of(_entries(), st.sampled_from(_LINES).map(lambda line: line + "\n"))),
    end=st.sampled_from(["", "\n", 'msgid "last"\nmsgstr "letzte"']),
)
def test_entries_written_plainly_are_read_as_line_by_line(parts: list[str], end: str) -> None:
    """Taking plainly written entries first changes nothing: entries, lines, problems."""
    data = (HEADER + "".join(parts) + end).encode("utf-8")
    assert poscan.scan(data) == _line_by_line(data)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "locales").rglob("*.po*")), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_a_catalog_babel_wrote_is_taken_whole_as_written(path: Path) -> None:
    """The sample's catalogs (Babel's layout) are read to their end without going line by line."""
    text, _ = poscan.decode(path.read_bytes())
    scanner = poscan._Scanner()
    assert scanner.written_plainly(text) == (len(text), text.count("\n") + 1)
    assert poscan.scan(path.read_bytes()) == _line_by_line(path.read_bytes())


@pytest.mark.parametrize("blank", ["\f", "\v", "\r\r", "\x1c", "\x85", "\u2028", "\u3000"])
def test_a_line_of_other_white_space_is_a_problem_not_a_crash(blank: str) -> None:
    data = (HEADER + 'msgid "a"\nmsgstr "b"\n' + blank + '\nmsgid "c"\nmsgstr "d"\n').encode()
    found = poscan.scan(data)  # (an IndexError, "internal error" from build, before)
    line = HEADER.count("\n") + 3
    assert [(p.code, p.line) for p in found.problems] == [(poscan.SYNTAX, line)]
    assert [e.msgid for e in found.entries] == ["c"]  # "a" broken, as by any stray line
