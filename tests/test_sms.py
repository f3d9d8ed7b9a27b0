"""SMS segments counted as the common gateways bill them.

3GPP TS 23.040 lets a concatenated SMS split between any two UTF-16 units, and TS 23.038
keeps a GSM escape sequence (``€``, two septets) whole. Twilio's segment calculator
(TwilioDevEd/message-segment-calculator, ``src/libs/SegmentedMessage.ts``) is stricter:
it never splits a grapheme cluster (a flag, a family emoji, a letter with its combining
marks), only CRLF, which it takes as two characters. The cases marked "Twilio" are from
its ``tests/index.test.js``.
"""

from __future__ import annotations

import pytest

from campaignsync.channels import sms
from campaignsync.channels.sms import SmsCount, sms_capacity, sms_count

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 11 UTF-16 units, one grapheme cluster
EU = "🇪🇺"  # two regional indicators, 4 UTF-16 units
E_ACUTE = "e\u0301"  # a letter and its combining accent, 2 UTF-16 units
DIGITS = "1234567890" * 20


@pytest.mark.parametrize(
    ("text", "units", "segments", "padding"),
    [
        # GSM-7: 160 in one message, 153 per part; an escape pair is never split.
        pytest.param("a" * 152 + "€" + "a" * 152, 306, 3, 1, id="escape-straddles-153"),
        pytest.param("a" * 151 + "€" + "a" * 153, 306, 2, 0, id="escape-fits-before-153"),
        pytest.param("{" * 153, 306, 3, 2, id="153-braces"),
        # UCS-2: 70 in one message, 67 per part.
        pytest.param("ą" * 134, 134, 2, 0, id="ucs2-134-in-two"),
        pytest.param("ą" * 135, 135, 3, 0, id="ucs2-135-in-three"),
        # A flag is two code points and one character: it moves whole to the next part.
        pytest.param("ą" * 65 + EU + "ą" * 65, 134, 3, 2, id="flag-straddles-67"),
        pytest.param("ą" * 63 + EU + "ą" * 67, 134, 2, 0, id="flag-ends-part-one"),
        # A family emoji (11 units) and a letter with a combining accent likewise.
        pytest.param("ą" * 60 + FAMILY + "ą" * 63, 134, 3, 7, id="family-straddles-67"),
        pytest.param("ą" * 66 + E_ACUTE + "ą" * 66, 134, 3, 1, id="combining-mark-straddles"),
        # Twilio: a flag and 66 digits fit one message (70 units); one more needs two.
        pytest.param("🇮🇹" + DIGITS[1:67], 70, 1, 0, id="twilio-flag-one-segment"),
        pytest.param("🇮🇹" + DIGITS[1:68], 71, 2, 0, id="twilio-flag-two-segments"),
        pytest.param("🏳️‍🌈" + DIGITS[1:65], 70, 1, 0, id="twilio-rainbow-one-segment"),
        pytest.param("🏳️‍🌈" + DIGITS[1:66], 71, 2, 0, id="twilio-rainbow-two-segments"),
        pytest.param("e\u0301\u0301\u0301" + "a" * 66, 70, 1, 0, id="twilio-triple-accent-one"),
        pytest.param("e\u0301\u0301\u0301" + "a" * 67, 71, 2, 0, id="twilio-triple-accent-two"),
        # Twilio takes CRLF as two characters, so a part may end between them.
        pytest.param("a" * 152 + "\r\n" + "a" * 152, 306, 2, 0, id="crlf-may-be-split"),
    ],
)
def test_segments_never_split_a_character_a_reader_sees(
    text: str, units: int, segments: int, padding: int
) -> None:
    count = sms.sms_count(text)
    assert (count.units, count.segments, count.padding) == (units, segments, padding)


def test_a_character_larger_than_a_part_is_split_between_code_points() -> None:
    # 80 combining marks on one letter: no part holds the cluster, so it is split.
    count = sms.sms_count("a" + "\u0301" * 80)
    assert (count.encoding, count.units, count.segments) == ("UCS-2", 81, 2)


def test_where_a_part_ends_early_is_named() -> None:
    count = sms.sms_count("a" * 152 + "€" + "a" * 152)
    assert count.breaks == (("€", 153, 1),)
    count = sms.sms_count("ą" * 60 + FAMILY + "ą" * 63)
    assert count.breaks == ((FAMILY, 61, 7),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a" * 160, SmsCount("GSM-7", 160, 1), id="160-latin-one-part"),
        pytest.param("a" * 161, SmsCount("GSM-7", 161, 2), id="161-latin"),
        pytest.param("{" * 81, SmsCount("GSM-7", 162, 2, (), 1, (("{", 77, 1),)), id="81-braces"),
        pytest.param(
            "{" * 153,
            SmsCount("GSM-7", 306, 3, (), 2, (("{", 77, 1), ("{", 153, 1))),
            id="153-braces-esc-pair-kept",
        ),
        pytest.param("€", SmsCount("GSM-7", 2, 1), id="euro-two-septets"),
        pytest.param("[€]", SmsCount("GSM-7", 6, 1), id="extension-table"),
        pytest.param("Grüße aus München", SmsCount("GSM-7", 17, 1), id="german"),
        pytest.param("Vérifiez à l'école", SmsCount("GSM-7", 18, 1), id="french-gsm"),
        pytest.param("ΔΦΓΛΩΠΨΣΘΞ", SmsCount("GSM-7", 10, 1), id="greek-capitals-in-gsm"),
        pytest.param("", SmsCount("GSM-7", 0, 1), id="empty"),
        pytest.param("@alice@example.com", SmsCount("GSM-7", 18, 1), id="remote-mention"),
        pytest.param("See example.com/x_y", SmsCount("GSM-7", 19, 1), id="bare-url"),
        pytest.param("ą" * 71, SmsCount("UCS-2", 71, 2, (("ą", 1),)), id="71-polish"),
        pytest.param(
            "🔐" * 36, SmsCount("UCS-2", 72, 2, (("🔐", 1),), 1, (("🔐", 34, 1),)), id="36-emoji"
        ),
        pytest.param(
            "🔐" * 67,
            SmsCount("UCS-2", 134, 3, (("🔐", 1),), 2, (("🔐", 34, 1), ("🔐", 67, 1))),
            id="67-emoji-pair-kept",
        ),
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


def test_the_gallery_names_an_sms_over_its_segments_by_its_segments() -> None:
    from campaignsync.channels import registry
    from campaignsync.model import ChannelSettings, Output
    from campaignsync.pack import attention

    text = "a" * 152 + "€" + "a" * 152  # fits 2 segments by length, needs 3
    measure = registry()["sms"].measure_text(text, ChannelSettings("sms", max_segments=2))
    output = Output("m", "en", "sms", "en/sms/m.txt", text.encode(), True, measure=measure)
    (item,) = attention._over([output], None)
    assert item.text == "3 SMS segments, 306 of 306 GSM-7 septets, 1 over (1 lost at segment ends)"
