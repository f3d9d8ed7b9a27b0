"""CS208 says what NFC changes, truthfully for each kind of change."""

from __future__ import annotations

import unicodedata

import pytest

from campaignsync.checks import nfc

DIFFER = "search and matching treat the two forms as different text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Cafe\u0301",
            "U+0065 U+0301 at column 4 is the single character 'é' (U+00E9) in NFC; platforms "
            f"that do not normalise count it longer, and {DIFFER}",
            id="composes-to-one-character",
        ),
        pytest.param(
            "a\u0323\u0301",
            "U+0061 U+0323 U+0301 at column 1 is U+1EA1 U+0301 ('ạ́') in NFC; platforms that do "
            f"not normalise count it longer, and {DIFFER}",
            id="composes-in-part",
        ),
        pytest.param(
            "\u05d1\u05bc\u05b8",
            "U+05D1 U+05BC U+05B8 at column 1 has its combining marks out of canonical order "
            f"(NFC writes U+05D1 U+05B8 U+05BC); it looks the same, but {DIFFER}",
            id="hebrew-points-reordered",
        ),
        pytest.param(
            "10 \u2126",
            f"U+2126 at column 4 is U+03A9 ('Ω') in NFC; it looks the same, but {DIFFER}",
            id="compatibility-duplicate-replaced",
        ),
        pytest.param(
            "\u0958",
            "U+0958 at column 1 is U+0915 U+093C ('क़') in NFC; platforms that normalise count it "
            f"longer, and {DIFFER}",
            id="decomposition-exclusion",
        ),
    ],
)
def test_change_says_what_nfc_does(text: str, expected: str) -> None:
    assert not unicodedata.is_normalized("NFC", text)
    assert nfc.change(text) == expected
