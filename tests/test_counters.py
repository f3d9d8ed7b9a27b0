"""Platform length counters: twitter-text conformance, counts per script, URLs, hashtags."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import yaml
from hypothesis import strategies as st

from campaignsync.channels import counters, urlfinder
from campaignsync.channels.counters import (
    clusters,
    graphemes,
    hashtags,
    mastodon_length,
    threads_length,
    urls,
    utf8_bytes,
    utf16_units,
    x_weighted_length,
)

TWITTER_TEXT = Path(__file__).resolve().parent / "data" / "twitter-text"
CONFORMANCE: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (TWITTER_TEXT / "validate.yml").read_text(encoding="utf-8")
)["tests"]
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
PHOENIX = "🐦\u200d🔥"


def _cases(section: str) -> list[Any]:
    return [
        pytest.param(case["text"], case["expected"]["weightedLength"], id=case["description"])
        for case in CONFORMANCE[section]
    ]


def test_conformance_sections_are_complete() -> None:
    sizes = [
        len(CONFORMANCE[section])
        for section in (
            "WeightedTweetsCounterTest",
            "WeightedTweetsWithDiscountedEmojiCounterTest",
            "UnicodeDirectionalMarkerCounterTest",
        )
    ]
    assert sizes == [20, 22, 2]


# twitter-text runs this section with config v2, which has no emoji parsing.
@pytest.mark.parametrize(("text", "expected"), _cases("WeightedTweetsCounterTest"))
def test_x_conformance_v2(text: str, expected: int) -> None:
    assert x_weighted_length(text, emoji_parsing=False) == expected


@pytest.mark.parametrize(
    ("text", "expected"), _cases("WeightedTweetsWithDiscountedEmojiCounterTest")
)
def test_x_conformance_v3(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("UnicodeDirectionalMarkerCounterTest"))
def test_x_conformance_directional_markers(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


# Symbols that are not emoji on their own weigh as twitter-text v3 weighs them: its emoji
# regex (java/src/main/java/com/twitter/twittertext/TwitterTextEmojiRegex.java at commit
# 30e2430, also the regex of twemoji-parser that js/src/parseTweet.js uses) takes © ® ™ ♟ as
# emoji only with U+FE0F, keycaps with or without it, and a U+FE0F that follows no emoji as
# an emoji of its own. Each value below is what that regex and config/v3.json give.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("©", 1, id="copyright-alone-is-text"),
        pytest.param("©\ufe0f", 2, id="copyright-vs16-is-emoji"),
        pytest.param("©\ufe0e", 3, id="copyright-vs15-is-text-and-a-stray-selector"),
        pytest.param("®", 1, id="registered-alone-is-text"),
        pytest.param("®\ufe0f", 2, id="registered-vs16-is-emoji"),
        pytest.param("™", 2, id="trade-mark-weighs-2-by-its-range"),
        pytest.param("™\ufe0f", 2, id="trade-mark-vs16-is-one-emoji"),
        pytest.param("‼", 2, id="double-exclamation-alone-is-emoji"),
        pytest.param("‼\ufe0f", 2, id="double-exclamation-vs16"),
        pytest.param("‼\ufe0e", 4, id="double-exclamation-vs15-is-text"),
        pytest.param("1", 1, id="digit"),
        pytest.param("1\ufe0f", 3, id="digit-and-stray-vs16"),
        pytest.param("1\u20e3", 2, id="keycap-without-vs16"),
        pytest.param("1\ufe0f\u20e3", 2, id="keycap"),
        pytest.param("🔐\ufe0f", 4, id="stray-vs16-after-an-emoji"),
        pytest.param("⌚\ufe0f", 2, id="emoji-variation-sequence"),
        pytest.param("☝🏽", 2, id="text-default-with-skin-tone"),
        pytest.param("Copyright © 2026 ENISA®", 23, id="copyright-line"),
        # Newer than twitter-text's data (it says 5): 2, as X documents every emoji.
        pytest.param("❤\ufe0f\u200d🔥", 2, id="heart-on-fire-emoji-13.1"),
        pytest.param(PHOENIX, 2, id="phoenix-emoji-15.1"),
        # Unqualified (no U+FE0F after the text-default heart): three pieces, as there.
        pytest.param("❤\u200d🔥", 5, id="unqualified-sequence"),
    ],
)
def test_x_symbols_weigh_as_twitter_text_weighs_them(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Think before you click 🔐 https://cybersecuritymonth.eu/very/long/path/to/page?x=1"
            " #ThinkB4UClick",
            64,
            id="channels-sample",
        ),
        pytest.param(FAMILY, 2, id="zwj-family"),
        pytest.param("🇪🇺", 2, id="flag"),
        pytest.param("👍🏽", 2, id="skin-tone"),
        pytest.param("#️⃣", 2, id="keycap"),
        pytest.param(PHOENIX, 2, id="phoenix-emoji-15.1"),
        pytest.param("🧑\u200d🧑\u200d🧒", 2, id="family-emoji-15.1"),
        pytest.param("日本語", 6, id="cjk"),
        pytest.param("cafe\u0301", 4, id="nfd-normalised"),
        pytest.param("“quote” — test …", 17, id="typographic-punctuation"),
        pytest.param("see example.com and cisa.gov/cybersecurity-awareness-month", 55, id="bare"),
        pytest.param("cisa.gov", 23, id="short-bare-domain"),
        pytest.param("a.de", 4, id="bare-short-cctld-is-text"),
        pytest.param("foo.co", 23, id="bare-short-co-is-url"),
        pytest.param("alice@example.com", 17, id="email-is-text"),
        pytest.param("€ • ™", 8, id="euro-bullet-tm"),
        pytest.param("Việt", 5, id="vietnamese"),
        pytest.param("©", 1, id="copyright-is-text"),
        pytest.param("a\r\nb", 3, id="crlf"),
        pytest.param("a" * 280, 280, id="latin-280"),
        pytest.param("日" * 140, 280, id="cjk-140"),
        pytest.param("🔐" * 140, 280, id="emoji-140"),
        pytest.param("", 0, id="empty"),
    ],
)
def test_x_weighted_length(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a." * 5000, 10000, id="dotted-latin"),
        pytest.param("日本." * 3000, 15000, id="dotted-cjk"),
    ],
)
def test_x_long_label_chains_stay_fast(text: str, expected: int) -> None:
    # A direct port of twitter-text's URL regex takes minutes here (it backtracks per start).
    assert x_weighted_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Grüße aus München", 17, id="german"),
        pytest.param("Sécurité : vérifiez l’expéditeur", 32, id="french"),
        pytest.param("Zażółć gęślą jaźń", 17, id="polish"),
        pytest.param("Ασφάλεια στο διαδίκτυο", 22, id="greek"),
        pytest.param("Киберсигурност за всички", 24, id="bulgarian"),
        pytest.param("cafe\u0301", 4, id="nfd"),
        pytest.param(f"👍🏽 Bravo {FAMILY}", 9, id="emoji-skin-tone-zwj"),
        pytest.param(PHOENIX, 1, id="phoenix"),
        pytest.param("Read https://cybersecuritymonth.eu/very/long/path now", 32, id="url"),
        pytest.param("http://test.co", 23, id="short-url"),
        pytest.param("Read cybersecuritymonth.eu now", 30, id="bare-domain-literal"),
        pytest.param("@alice@example.com", 6, id="remote-mention"),
        pytest.param("Thanks @alice@example.com!", 14, id="remote-mention-in-text"),
        pytest.param("Thanks @alice!", 14, id="local-mention"),
        pytest.param("mail bob@example.com", 20, id="email-literal"),
    ],
)
def test_mastodon_length(text: str, expected: int) -> None:
    assert mastodon_length(text) == expected


def test_mastodon_url_length_is_configurable() -> None:
    assert mastodon_length("See https://example.com/a/long/path", url_length=10) == 14


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Zażółć gęślą jaźń", 17, id="polish"),
        pytest.param("Ασφάλεια", 8, id="greek"),
        pytest.param("България", 8, id="bulgarian"),
        pytest.param("e\u0301", 1, id="combining-accent"),
        pytest.param("नमस्ते", 3, id="devanagari-conjunct"),
        pytest.param("🇪🇺🇺🇸", 2, id="two-flags"),
        pytest.param(f"{FAMILY}👍🏽{PHOENIX}", 3, id="emoji-sequences"),
        pytest.param("", 0, id="empty"),
    ],
)
def test_graphemes(text: str, expected: int) -> None:
    assert graphemes(text) == expected


@pytest.mark.parametrize(
    ("text", "utf8", "utf16"),
    [
        pytest.param("a", 1, 1, id="ascii"),
        pytest.param("https://example.com", 19, 19, id="url"),
        pytest.param("@alice@example.com", 18, 18, id="remote-mention"),
        pytest.param("é", 2, 1, id="latin-1"),
        pytest.param("€", 3, 1, id="euro"),
        pytest.param("Zażółć", 10, 6, id="polish"),
        pytest.param("Grüße", 7, 5, id="german"),
        pytest.param("Ασφάλεια", 16, 8, id="greek"),
        pytest.param("България", 16, 8, id="bulgarian"),
        pytest.param("🔐", 4, 2, id="astral-emoji"),
        pytest.param("👍🏽", 8, 4, id="skin-tone"),
        pytest.param(FAMILY, 25, 11, id="zwj-family"),
    ],
)
def test_utf8_and_utf16(text: str, utf8: int, utf16: int) -> None:
    assert (utf8_bytes(text), utf16_units(text)) == (utf8, utf16)


TLDS: dict[str, list[dict[str, Any]]] = yaml.safe_load(
    (TWITTER_TEXT / "tlds.yml").read_text(encoding="utf-8")
)["tests"]
VALIDATE_HASHTAGS: list[dict[str, Any]] = yaml.safe_load(
    (TWITTER_TEXT / "validate.yml").read_text(encoding="utf-8")
)["tests"]["hashtags"]


def test_packaged_tld_list_is_the_conformance_list() -> None:
    # channels/data/tlds.txt is generated from tlds.yml; both must name the same TLDs.
    packaged = (
        Path(__file__).resolve().parent.parent / "campaignsync" / "channels" / "data" / "tlds.txt"
    )
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in packaged.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        elif line and not line.startswith("#"):
            current.append(line)
    expected = {
        name: [case["text"].removeprefix("https://twitter.") for case in TLDS[name]]
        for name in ("country", "generic")
    }
    assert sections == expected


@pytest.mark.parametrize("section", ["country", "generic"])
def test_url_extractor_knows_every_conformance_tld(section: str) -> None:
    wrong = [
        case["text"]
        for case in TLDS[section]
        if [case["text"][a:b] for a, b in urls(case["text"])] != case["expected"]
    ]
    assert not wrong


@pytest.mark.parametrize(
    ("text", "valid"),
    [pytest.param(c["text"], c["expected"], id=c["description"]) for c in VALIDATE_HASHTAGS],
)
def test_hashtags_conformance(text: str, valid: bool) -> None:
    found = [(start, end) for start, end, _tag in hashtags(text)]
    assert (found == [(0, len(text))]) is valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Stay safe #CyberSecMonth", ["CyberSecMonth"], id="latin"),
        pytest.param("#Ασφάλεια και #Κυβερνοασφάλεια", ["Ασφάλεια", "Κυβερνοασφάλεια"], id="greek"),
        pytest.param("#Киберсигурност!", ["Киберсигурност"], id="bulgarian"),
        pytest.param("#Sécurité, #Grüße.", ["Sécurité", "Grüße"], id="diacritics"),
        pytest.param("#2FA #2026", ["2FA"], id="digits-need-a-letter"),
        pytest.param("https://example.org/page#Section", [], id="url-fragment"),
        pytest.param("see example.org/#Top", [], id="bare-url-fragment"),
        pytest.param("a#b &#39; C#", [], id="inside-words-and-entities"),
        pytest.param("#️⃣ keycap", [], id="keycap-emoji"),
        pytest.param("＃ＦｕｌｌＷｉｄｔｈ", ["ＦｕｌｌＷｉｄｔｈ"], id="full-width-sign"),
    ],
)
def test_hashtags(text: str, expected: list[str]) -> None:
    assert [tag for _s, _e, tag in hashtags(text)] == expected


@pytest.mark.parametrize(
    ("text", "bare", "expected"),
    [
        pytest.param(
            "Read https://example.org/a?b=1.", True, ["https://example.org/a?b=1"], id="scheme"
        ),
        pytest.param("Read example.org/mfa now", True, ["example.org/mfa"], id="bare-path"),
        pytest.param("Read example.org/mfa now", False, [], id="bare-not-a-link-on-mastodon"),
        pytest.param("cisa.gov and a.de", True, ["cisa.gov"], id="bare-short-cctld-is-text"),
        pytest.param(
            "Mehr: https://bsi.bund.de/Passwörter",
            True,
            ["https://bsi.bund.de/Passwörter"],
            id="german-path",
        ),
        # twitter-text's path characters include Cyrillic but not Greek: X counts the rest as text.
        pytest.param(
            "Δείτε https://example.gr/ασφάλεια",
            True,
            ["https://example.gr/"],
            id="greek-path-stops",
        ),
        pytest.param(
            "Вижте https://example.bg/сигурност",
            True,
            ["https://example.bg/сигурност"],
            id="cyrillic-path",
        ),
        pytest.param("mail bob@example.com", True, [], id="email-address"),
    ],
)
def test_urls(text: str, bare: bool, expected: list[str]) -> None:
    assert [text[a:b] for a, b in urls(text, bare=bare)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Grüße aus München", 17, id="latin-diacritics"),
        pytest.param("Ασφάλεια", 8, id="greek"),
        pytest.param("Киберсигурност", 14, id="bulgarian"),
        pytest.param("🔐", 4, id="emoji-utf8-bytes"),
        pytest.param("👍🏽", 8, id="skin-tone-sequence"),
        pytest.param(FAMILY, 25, id="zwj-family"),
        pytest.param("🇪🇺", 8, id="flag"),
        pytest.param("Hi 🔐!", 8, id="mixed"),
        pytest.param("https://example.org/a/very/long/path", 36, id="url-counts-in-full"),
    ],
)
def test_threads_length(text: str, expected: int) -> None:
    assert threads_length(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("e\u0301a", ["e\u0301", "a"], id="combining"),
        pytest.param(f"a{FAMILY}👍🏽", ["a", FAMILY, "👍🏽"], id="emoji"),
        pytest.param("\r\n", ["\r\n"], id="crlf"),
    ],
)
def test_clusters(text: str, expected: list[str]) -> None:
    assert clusters(text) == expected


# The fast paths (URLs looked for only in space-free tokens with a dot, weights counted a
# character class at a time) must give what the plain per-character algorithm gives.
PIECES = [
    *"aZ09 .:/-_#@?=&()!,'\"$\t\n",
    "http://", "https://", "www.", ".com", ".de", ".co", "t.co/", "cisa.gov", ".org/path",
    "🔐", "👍🏽", FAMILY, "🇪🇺", "#️⃣", "©", "日本", "Ασφ", "Кир", "e\u0301", "\r\n", "\u00a0",
    "\u202f", "–", "…", "€", "\u200d", "\ufe0f", "@alice@example.com", "xn--bcher-kva.de",
    "ẞ", "ä", "\u3000", "＠", "🔐https://a.com", "©.com", "®", "\ufe0e", "‼", "⌚", "❤", "1",
]  # fmt: skip


def _reference_x_length(text: str) -> int:
    config = counters._x_config()
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    spans = dict(urlfinder.token_spans(text, True, after_space=False)) if "." in text else {}
    total = index = 0
    while index < len(text):
        if index in spans:
            total, index = total + config.url_length * config.scale, spans[index]
        elif match := counters._EMOJI.match(text, index):
            total, index = total + config.default_weight, int(match.end())
        else:
            total, index = total + config.weight(ord(text[index])), index + 1
    return -(-total // config.scale)


@hypothesis.settings(max_examples=400, deadline=None, database=None)
@hypothesis.given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_fast_counting_matches_the_plain_algorithm(text: str) -> None:
    whole = dict(urlfinder.token_spans(text, True, after_space=False)) if "." in text else {}
    assert urlfinder.spans(text) == whole
    assert x_weighted_length(text) == _reference_x_length(text)
