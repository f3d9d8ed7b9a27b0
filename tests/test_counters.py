"""Platform length counters: twitter-text conformance, sample counts and SMS splitting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from campaignsync.channels.counters import (
    SmsCount,
    _parts,
    graphemes,
    mastodon_length,
    sms_capacity,
    sms_count,
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
        pytest.param("©", 2, id="copyright-emoji"),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a" * 160, SmsCount("GSM-7", 160, 1), id="160-latin-one-part"),
        pytest.param("a" * 161, SmsCount("GSM-7", 161, 2), id="161-latin"),
        pytest.param("{" * 81, SmsCount("GSM-7", 162, 2), id="81-braces"),
        pytest.param("{" * 153, SmsCount("GSM-7", 306, 3), id="153-braces-esc-pair-kept"),
        pytest.param("€", SmsCount("GSM-7", 2, 1), id="euro-two-septets"),
        pytest.param("[€]", SmsCount("GSM-7", 6, 1), id="extension-table"),
        pytest.param("Grüße aus München", SmsCount("GSM-7", 17, 1), id="german"),
        pytest.param("Vérifiez à l'école", SmsCount("GSM-7", 18, 1), id="french-gsm"),
        pytest.param("ΔΦΓΛΩΠΨΣΘΞ", SmsCount("GSM-7", 10, 1), id="greek-capitals-in-gsm"),
        pytest.param("", SmsCount("GSM-7", 0, 1), id="empty"),
        pytest.param("@alice@example.com", SmsCount("GSM-7", 18, 1), id="remote-mention"),
        pytest.param("See example.com/x_y", SmsCount("GSM-7", 19, 1), id="bare-url"),
        pytest.param("ą" * 71, SmsCount("UCS-2", 71, 2, (("ą", 1),)), id="71-polish"),
        pytest.param("🔐" * 36, SmsCount("UCS-2", 72, 2, (("🔐", 1),)), id="36-emoji"),
        pytest.param("🔐" * 67, SmsCount("UCS-2", 134, 3, (("🔐", 1),)), id="67-emoji-pair-kept"),
        pytest.param("It’s", SmsCount("UCS-2", 4, 1, (("’", 3),)), id="curly-apostrophe"),
        pytest.param("ça va", SmsCount("UCS-2", 5, 1, (("ç", 1),)), id="french-c-cedilla"),
        pytest.param(
            "Zażółć",
            SmsCount("UCS-2", 6, 1, (("ż", 3), ("ó", 4), ("ł", 5), ("ć", 6))),
            id="polish",
        ),
        pytest.param(
            "Ασφάλεια",
            SmsCount("UCS-2", 8, 1, tuple((c, i) for i, c in enumerate("Ασφάλεια", start=1))),
            id="greek-all-distinct",
        ),
        pytest.param(
            "Да да", SmsCount("UCS-2", 5, 1, (("Д", 1), ("а", 2), ("д", 4))), id="bulgarian"
        ),
        pytest.param(
            f"Hi {FAMILY}",
            SmsCount("UCS-2", 14, 1, (("👨", 4), ("\u200d", 5), ("👩", 6), ("👧", 8), ("👦", 10))),
            id="zwj-family",
        ),
    ],
)
def test_sms_count(text: str, expected: SmsCount) -> None:
    assert sms_count(text) == expected


@pytest.mark.parametrize(
    ("costs", "size", "expected"),
    [
        pytest.param([1] * 161, 153, [153, 8], id="161-latin"),
        pytest.param([2] * 81, 153, [76, 5], id="81-braces"),
        pytest.param([1] * 152 + [2] + [1] * 10, 153, [152, 11], id="esc-pair-at-border"),
        pytest.param([1] * 71, 67, [67, 4], id="71-ucs2"),
        pytest.param([2] * 36, 67, [33, 3], id="36-surrogate-pairs"),
    ],
)
def test_sms_parts_never_split_a_character(
    costs: list[int], size: int, expected: list[int]
) -> None:
    assert _parts(costs, size) == expected


@pytest.mark.parametrize(
    ("encoding", "segments", "expected"),
    [
        pytest.param("GSM-7", 1, 160, id="gsm-single"),
        pytest.param("GSM-7", 3, 459, id="gsm-three"),
        pytest.param("UCS-2", 1, 70, id="ucs2-single"),
        pytest.param("UCS-2", 2, 134, id="ucs2-two"),
    ],
)
def test_sms_capacity(encoding: str, segments: int, expected: int) -> None:
    assert sms_capacity(encoding, segments) == expected
