"""Markdown to sanitised HTML and to plain text."""

from __future__ import annotations

import re

import pytest

from campaignsync.load.body import parse_body
from campaignsync.render import markup


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        pytest.param("<script>alert(1)</script>", "alert", id="script"),
        pytest.param('<img src=x onerror="alert(1)">', "onerror", id="event-handler"),
        pytest.param("[click](javascript:alert(1))", "javascript", id="js-link"),
        pytest.param("[click](jav&#x09;ascript:alert(1))", "ascript", id="obfuscated-js"),
        pytest.param("[click](data:text/html;base64,PHNjcmlwdD4=)", "data:", id="data-url"),
        pytest.param("[click](//evil.example/x)", "evil.example", id="protocol-relative"),
        pytest.param(
            '<a href="https://x.example" style="color:red">x</a>', "style", id="style-attr"
        ),
        pytest.param("<style>body{display:none}</style>", "display", id="style-tag"),
        pytest.param('<iframe src="https://evil.example"></iframe>', "iframe", id="iframe"),
        pytest.param("[rel](../../etc/passwd)", "passwd", id="relative-link"),
    ],
)
def test_dangerous_html_never_reaches_an_output(source: str, forbidden: str) -> None:
    assert forbidden not in markup.to_html(f"Before.\n\n{source}\n\nAfter.")


def test_safe_markdown_is_kept() -> None:
    html = markup.to_html(
        "## Tips\n\nUse **strong** and *long* [passwords](https://example.org/p).\n\n- one\n- two\n"
    )
    assert "<h2>Tips</h2>" in html
    assert "<strong>strong</strong>" in html and "<em>long</em>" in html
    assert '<a href="https://example.org/p" rel="noopener noreferrer">passwords</a>' in html
    assert "<li>one</li>" in html


def test_plain_text_keeps_link_targets_and_wraps() -> None:
    body = "## Tips\n\nUse a **password manager**: see [our guide](https://example.org/guide) today, please read it all.\n\n- First `item`\n- Second\n"
    blocks = parse_body(body, 1)
    text = markup.to_text(blocks, tuple(b.text for b in blocks), width=40)
    assert text == (
        "Tips\n\n"
        "Use a password manager: see our guide\n"
        "(https://example.org/guide) today,\n"
        "please read it all.\n\n"
        "- First item\n"
        "- Second"
    )
    unwrapped = markup.to_text(blocks, tuple(b.text for b in blocks), width=0)
    assert (
        "Use a password manager: see our guide (https://example.org/guide) today, please read it all."
        in unwrapped
    )


def test_conversion_is_the_same_every_time() -> None:
    source = "Hello [a](https://a.example) *b*\n"
    assert markup.to_html(source) == markup.to_html(source) == markup.to_html(source)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(markup.mark("Hello.", 0), '<p lang="en" dir="ltr">Hello.</p>', id="paragraph"),
        pytest.param(
            "## " + markup.mark("Why", 1), '<h2 lang="ar" dir="rtl">Why</h2>', id="heading"
        ),
        pytest.param(
            "- One\n- " + markup.mark("Two", 0),
            '<ul>\n<li>One</li>\n<li lang="en" dir="ltr">Two</li>\n</ul>',
            id="list-item",
        ),
        pytest.param(
            markup.mark("**Bold** start.", 0),
            '<p lang="en" dir="ltr"><strong>Bold</strong> start.</p>',
            id="inline-first",
        ),
        pytest.param(
            "> " + markup.mark("Quoted.", 0),
            '<blockquote>\n<p lang="en" dir="ltr">Quoted.</p>\n</blockquote>',
            id="quote",
        ),
        pytest.param(markup.mark("Unknown.", 7), "<p>Unknown.</p>", id="no-such-language"),
    ],
)
def test_marked_blocks_carry_their_language(source: str, expected: str) -> None:
    assert markup.to_html(source, (("en", "ltr"), ("ar", "rtl"))) == expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("Run `make` now.", id="simple"),
        pytest.param("Type ``a`b`` here.", id="backtick-inside"),
        pytest.param("Say a`` b to it.", id="stray-run"),
        pytest.param(
            "See [the guide](https://example.org/g) and [`x`](https://example.org/x).", id="links"
        ),
    ],
)
def test_reading_text_reads_inline_markdown_as_the_html_shows_it(source: str) -> None:
    _reads_as_the_html(source)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        pytest.param("Set `mfa_required = true` in your_admin_console.",
                     "Set mfa_required = true in your_admin_console.", id="snake-case"),
        pytest.param("Use snake_case_names, _this_ and __that__.",
                     "Use snake_case_names, this and that.", id="underscores-around-words"),
        pytest.param("Code `a *b* \\_ _c_` as written.", "Code a *b* \\_ _c_ as written.",
                     id="a-code-span-as-written"),
        pytest.param("See [NCSC](<https://example.org/x>).", "See NCSC (https://example.org/x).",
                     id="angle-brackets"),
        pytest.param("a*b*c and **d** e", "abc and d e", id="stars-inside-words"),
        # An address is taken as written: no marker in it is read as emphasis.
        pytest.param("[x](https://e.org/?q=_x_) and *[y](https://e.org/a*b)*",
                     "x (https://e.org/?q=_x_) and y (https://e.org/a*b)", id="markers-in-addresses"),
        pytest.param("<https://e.org/_a_/b>", "https://e.org/_a_/b", id="an-autolink"),
        pytest.param("[x](<https://e.org/a> 't')", "x (https://e.org/a)", id="a-title-in-quotes"),
        pytest.param("a \ufff00\ufff1 b `x`", "a 0 b x", id="the-marks-it-uses-in-the-text"),
        pytest.param("ages 5<10 and >2, a <b>tag</b>", "ages 5<10 and >2, a tag", id="not-a-tag"),
        pytest.param("\\_not\\_ and \\*not\\*", "_not_ and *not*", id="escaped-markers"),
    ],
)  # fmt: skip
def test_reading_text_keeps_what_markdown_shows_as_text(source: str, text: str) -> None:
    # The plain outputs (LinkedIn, the text email) lost the underscores of snake_case and of
    # code, as emphasis, and an address in angle brackets with the link.
    assert markup.inline_text(source) == text
    _reads_as_the_html(source)


def _reads_as_the_html(source: str) -> None:
    # The plain text and the checks read code spans and links from one declaration
    # (l10n/tokens.py): the text of each code span is what the HTML shows in <code>.
    from campaignsync.l10n import tokens

    html = markup.to_html(source)
    shown = [m.group(1) for m in re.finditer(r"<code>(.*?)</code>", html)]
    assert sorted(shown) == sorted(tokens.code_spans(source).elements())
    text = markup.inline_text(source)
    assert all(code in text for code in shown)
    # A backtick the HTML shows as text is kept; the ones that make a code span are not.
    assert text.count("`") == re.sub(r"<[^>]+>", "", html).count("`")
    for _kind, target in tokens.links(source):
        assert target in text
