"""twitter-text's TLD matching, looked up in a table instead of one compiled alternation.

The expected spans are what the compiled alternation, ``(?:generic|country)(?=[^0-9a-z@+\\-]|$)
|xn--[\\-0-9a-z]+`` under IGNORECASE, gave for each text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campaignsync.channels import urlfinder


def _urls(text: str, bare: bool = True) -> list[str]:
    return [text[start:end] for start, end in sorted(urlfinder.spans(text, bare=bare).items())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The lookahead after a TLD refuses only [0-9a-z@+-] (and what IGNORECASE folds to them).
        pytest.param("https://example.comé", ["https://example.com"], id="then-latin-letter"),
        pytest.param("see example.comé now", ["example.com"], id="bare-then-latin-letter"),
        pytest.param("https://example.com日本", ["https://example.com"], id="then-cjk"),
        pytest.param("example.comﬁ", ["example.com"], id="then-ligature"),
        pytest.param("https://example.com_x", ["https://example.com"], id="then-underscore"),
        pytest.param("https://example.comx", [], id="then-ascii-letter"),
        pytest.param("https://example.com-x", [], id="then-hyphen"),
        pytest.param("https://example.com+x", [], id="then-plus"),
        pytest.param("https://example.com@x", [], id="then-at"),
        pytest.param("https://example.com\u212a", [], id="then-kelvin-sign-folds-to-k"),
        # Case: IGNORECASE folds ASCII, Cyrillic and Greek, and İ and ſ to i and s.
        pytest.param("EXAMPLE.COM", ["EXAMPLE.COM"], id="uppercase"),
        pytest.param("https://Example.Org/x", ["https://Example.Org/x"], id="title-case"),
        pytest.param("EXAMPLE.CO.UK", ["EXAMPLE.CO.UK"], id="uppercase-co-uk"),
        pytest.param("example.DE/x", ["example.DE/x"], id="uppercase-cctld-with-path"),
        pytest.param("example.İnfo", ["example.İnfo"], id="dotted-capital-i"),
        pytest.param("example.ſite", ["example.ſite"], id="long-s"),
        pytest.param("example.ﬁt", [], id="ligature-is-not-two-letters"),
        pytest.param("example.fit", ["example.fit"], id="fit"),
        # A longer TLD sharing a prefix with a shorter one.
        pytest.param("example.info", ["example.info"], id="info-not-in"),
        pytest.param("example.int", ["example.int"], id="int-not-in"),
        pytest.param("example.in/x", ["example.in/x"], id="in"),
        pytest.param("https://example.comm", [], id="no-tld-comm"),
        pytest.param("a.b.c.com.evil", ["a.b.c.com"], id="backs-off-to-com"),
        # Both of a pair match, and the lookahead holds after both: the first listed wins.
        pytest.param("https://a.嘉里大酒店", ["https://a.嘉里大酒店"], id="listed-first-longer"),
        pytest.param("https://a.嘉里大", ["https://a.嘉里"], id="only-shorter-matches"),
        pytest.param("https://a.भारतम्", ["https://a.भारतम्"], id="bharatam-listed-first"),
        pytest.param("https://a.भारतम", ["https://a.भारत"], id="bharat"),
        pytest.param("https://a.ελλ", ["https://a.ελ"], id="greek-then-greek"),
        # IDN TLDs.
        pytest.param("https://EXAMPLE.РФ", ["https://EXAMPLE.РФ"], id="uppercase-cyrillic"),
        pytest.param("https://example.ΕΥ/x", ["https://example.ΕΥ/x"], id="uppercase-greek"),
        pytest.param("https://пример.рф", ["https://пример.рф"], id="cyrillic-host"),
        pytest.param("example.рф", [], id="bare-idn-cctld-is-text"),
        pytest.param("example.РФ/путь", ["example.РФ/путь"], id="bare-idn-cctld-with-path"),
        pytest.param("пример.рф/x", [], id="bare-needs-latin-labels"),
        pytest.param(
            "example.VERMÖGENSBERATER", ["example.VERMÖGENSBERATER"], id="uppercase-umlaut"
        ),
        # Punycode.
        pytest.param("https://example.XN--P1AI", ["https://example.XN--P1AI"], id="punycode"),
        pytest.param("example.xn--p1ai", ["example.xn--p1ai"], id="bare-punycode"),
        pytest.param("https://a.xn--p1ai-", ["https://a.xn--p1ai-"], id="punycode-hyphen"),
        pytest.param("https://xn--bcher-kva.de", ["https://xn--bcher-kva.de"], id="xn-label"),
        pytest.param("https://xn--a日本.com", [], id="xn-label-not-ascii"),
        pytest.param("a.xn--", [], id="punycode-needs-a-character"),
    ],
)
def test_tld_matches_as_twitter_texts_alternation(text: str, expected: list[str]) -> None:
    assert _urls(text) == expected


@pytest.fixture
def tld_list(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    def clear() -> None:
        urlfinder._url_patterns.cache_clear()
        urlfinder.token_spans.cache_clear()

    clear()
    yield monkeypatch
    monkeypatch.undo()
    clear()


def _use(tld_list: pytest.MonkeyPatch, text: str) -> None:
    tld_list.setattr(urlfinder, "data", lambda name: text)


@pytest.mark.parametrize(
    ("country", "generic", "expected"),
    [
        pytest.param("嘉里大酒店", "嘉里", ["https://a.嘉里", "a.嘉里"], id="shorter-listed-first"),
        pytest.param(
            "嘉里",
            "嘉里大酒店",
            ["https://a.嘉里大酒店", "a.嘉里大酒店/x"],
            id="longer-listed-first",
        ),
    ],
)
def test_list_order_not_length_decides(
    tld_list: pytest.MonkeyPatch, country: str, generic: str, expected: list[str]
) -> None:
    _use(tld_list, f"[country]\n{country}\n[generic]\n{generic}\n")
    assert _urls("https://a.嘉里大酒店") + _urls("a.嘉里大酒店/x") == expected


def test_a_tld_in_both_lists_is_a_country_for_short_domains(tld_list: pytest.MonkeyPatch) -> None:
    # A bare one-label domain under a country TLD is text, whichever list names it first.
    _use(tld_list, "[country]\nab\n[generic]\nabc\nab\n")
    assert (_urls("a.ab"), _urls("a.abc"), _urls("b.ab/x")) == ([], ["a.abc"], ["b.ab/x"])


@pytest.mark.parametrize("space", [" ", "\t", "\n", "\xa0", "\u3000", "\u2028", "\u202f"])
def test_a_url_after_any_space_is_found_where_it_starts(space: str) -> None:
    text = f"See{space}example.org/mfa{space}and{space}https://example.com.{space}Done."
    first, second = text.index("example.org"), text.index("https://")
    assert urlfinder.spans(text) == {first: first + len("example.org/mfa"), second: second + 19}
    # Mastodon's rule: only URLs with their scheme.
    assert urlfinder.spans(text, bare=False) == {second: second + 19}
    assert urlfinder.spans(f"e.g.{space}i.e.{space}etc.") == {}
