"""Bluesky post records: links and tags detected as the Bluesky client detects them.

The cases are those of bluesky-social/atproto ``packages/api/tests/rich-text-detection.test.ts``
(the test suite of ``detectFacets`` in ``@atproto/api``, MIT), links and tags only:
mentions need a handle resolved to a DID, which a pack cannot do.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaignsync.channels import richtext
from campaignsync.channels.social import bluesky_record
from campaignsync.model import Locale


class Localized:  # the attributes bluesky_record reads
    locale = Locale("en", "en")
    partner = "eu"

    class message:
        @staticmethod
        def publish_for(partner: str) -> datetime:
            return datetime(2026, 10, 1, 8, tzinfo=UTC)


def facets(text: str) -> list[tuple[str, str]]:
    """Return (covered text, uri or #tag) for each facet the client finds in ``text``.

    The record shows each link shortened (tests/test_links.py); detection is tested
    on the text as written, as the client detects it before shortening.
    """
    data = text.encode("utf-8")
    found = []
    for facet in richtext.facets(text):
        (feature,) = facet["features"]
        covered = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
        if feature["$type"] == "app.bsky.richtext.facet#link":
            found.append((covered, feature["uri"]))
        else:
            assert feature["$type"] == "app.bsky.richtext.facet#tag"
            found.append((covered, "#" + feature["tag"]))
    return found


MIDDLE = "https://middle.com"
HASHED = "/foo/bar?baz=bux#hash"
ARTICLE = "https://socket3.wordpress.com/2018/02/03/designing-windows-95s-user-interface/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start https://middle.com end", [(MIDDLE, MIDDLE)]),
        ("start https://middle.com/foo/bar end", [(f"{MIDDLE}/foo/bar",) * 2]),
        ("start https://middle.com/foo/bar?baz=bux end", [(f"{MIDDLE}/foo/bar?baz=bux",) * 2]),
        (f"start {MIDDLE}{HASHED} end", [(f"{MIDDLE}{HASHED}",) * 2]),
        (f"https://start.com{HASHED} middle end", [(f"https://start.com{HASHED}",) * 2]),
        (f"start middle https://end.com{HASHED}", [(f"https://end.com{HASHED}",) * 2]),
        (
            "https://newline1.com\nhttps://newline2.com",
            [("https://newline1.com",) * 2, ("https://newline2.com",) * 2],
        ),
        ("👨‍👩‍👧‍👧 https://middle.com 👨‍👩‍👧‍👧", [(MIDDLE, MIDDLE)]),
        ("start middle.com end", [("middle.com", MIDDLE)]),
        ("start middle.com/foo/bar end", [("middle.com/foo/bar", f"{MIDDLE}/foo/bar")]),
        (f"start middle.com{HASHED} end", [(f"middle.com{HASHED}", f"{MIDDLE}{HASHED}")]),
        (f"start.com{HASHED} middle end", [(f"start.com{HASHED}", f"https://start.com{HASHED}")]),
        (f"start middle end.com{HASHED}", [(f"end.com{HASHED}", f"https://end.com{HASHED}")]),
        (
            "newline1.com\nnewline2.com",
            [("newline1.com", "https://newline1.com"), ("newline2.com", "https://newline2.com")],
        ),
        (
            "a example.com/index.php php link",
            [("example.com/index.php", "https://example.com/index.php")],
        ),
        ("a trailing bsky.app: colon", [("bsky.app", "https://bsky.app")]),
        ("not.. a..url ..here", []),
        ("e.g.", []),
        ("something-cool.jpg", []),
        ("website.com.jpg", []),
        ("e.g./foo", []),
        ("website.com.jpg/foo", []),
        (f"Classic article {ARTICLE}", [(ARTICLE, ARTICLE)]),
        (f"Classic article {ARTICLE} ", [(ARTICLE, ARTICLE)]),
        (
            "https://foo.com https://bar.com/whatever https://baz.com",
            [("https://foo.com",) * 2, ("https://bar.com/whatever",) * 2, ("https://baz.com",) * 2],
        ),
        (
            "punctuation https://foo.com, https://bar.com/whatever; https://baz.com.",
            [("https://foo.com",) * 2, ("https://bar.com/whatever",) * 2, ("https://baz.com",) * 2],
        ),
        ("parenthentical (https://foo.com)", [("https://foo.com",) * 2]),
        ("except for https://foo.com/thing_(cool)", [("https://foo.com/thing_(cool)",) * 2]),
    ],
)
def test_links_as_the_bluesky_client_detects_them(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert facets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A scheme makes a link whatever the top-level domain: a new gTLD, a name that is no
        # TLD at all, a Greek path that runs to the next space.
        ("see https://cyber.security/tips now", [("https://cyber.security/tips",) * 2]),
        ("see https://intranet.corp/x now", [("https://intranet.corp/x",) * 2]),
        ("see https://localhost:8000/a now", [("https://localhost:8000/a",) * 2]),
        (
            "δείτε https://example.gr/ασφάλεια.",
            [("https://example.gr/ασφάλεια",) * 2],
        ),
        # A bare domain needs a top-level domain in IANA's list.
        ("see cyber.security/tips now", [("cyber.security/tips", "https://cyber.security/tips")]),
        ("see intranet.corp/x now", []),
        ("see cisa.gov.", [("cisa.gov", "https://cisa.gov")]),
        # The client's rules, not twitter-text's: hyphenated names, capitals, "(" and "@".
        ("see cyber-month.eu now", []),
        ("see EXAMPLE.ORG now", []),
        ("HTTPS://EXAMPLE.ORG", []),
        ("(example.org)", [("example.org", "https://example.org")]),
        ("mail info@example.org", []),
        # A bare domain is checked even when it starts with "http".
        ("try httpie.io now", [("httpie.io", "https://httpie.io")]),
        ("try httpie.notatld now", []),
    ],
)
def test_a_scheme_makes_a_link_a_bare_domain_needs_a_known_tld(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert facets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#a", ["#a"]),
        ("#a #b", ["#a", "#b"]),
        ("#1", []),
        ("#1a", ["#1a"]),
        ("body #tag body", ["#tag"]),
        ("body #1", []),
        ("body #a1", ["#a1"]),
        ("#", []),
        ("#?", []),
        ("text # text", []),
        ("body #thisisa64characterstring_" + "a" * 39, ["#thisisa64characterstring_" + "a" * 39]),
        ("body #thisisa65characterstring_" + "a" * 39 + "b", []),
        ("its a #double#rainbow", ["#double#rainbow"]),
        ("##hashash", ["##hashash"]),
        ("##", []),
        ("some #n0n3s@n5e!", ["#n0n3s@n5e"]),
        ("works #with,punctuation", ["#with,punctuation"]),
        ("strips trailing #punctuation, #like. #this!", ["#punctuation", "#like", "#this"]),
        ("strips #multi_trailing___...", ["#multi_trailing"]),
        ("works with #🦋 emoji, and #butter🦋fly", ["#🦋", "#butter🦋fly"]),
        ("this #️⃣tag should not be a tag", []),
        ("this ##️⃣tag should be a tag", ["##️⃣tag"]),
        ("this #t\nag should be a tag", ["#t"]),
        ("no match (\\u200B): #\u200b", []),
        ("no match (\\u200Ba): #\u200ba", []),
        ("match (a\\u200Bb): #a\u200bb", ["#a"]),
        ("no match (\\u20e2tag): #\u20e2tag", []),
        ("no match (a\\u20e2b): #a\u20e2b", ["#a"]),
        ("match full width number sign (tag): ＃tag", ["＃tag"]),
        ("no match 1?: #1?", []),
        # Not after a space: no tag (twitter-text would take it).
        ("(#CyberMonth)", []),
        ("see #Cyber-Month now", ["#Cyber-Month"]),
    ],
)
def test_tags_as_the_bluesky_client_detects_them(text: str, expected: list[str]) -> None:
    assert [covered for covered, _tag in facets(text)] == expected


def test_tag_features_drop_the_sign_and_trailing_punctuation() -> None:
    assert facets("Join #CyberMonth! ＃Ασφάλεια.") == [
        ("#CyberMonth", "#CyberMonth"),
        ("＃Ασφάλεια", "#Ασφάλεια"),
    ]


def test_facets_are_utf8_byte_ranges_in_order() -> None:
    text = "Ασφάλεια 🔐 campaign.example.org/el #Ασφάλεια https://example.org/a"
    record = bluesky_record(text, Localized())  # type: ignore[arg-type]
    # The record shows "https://example.org/a" as the app does: "example.org/a".
    assert record["text"] == text.replace("https://", "")
    assert [f["index"] for f in record["facets"]] == [  # type: ignore[attr-defined]
        {"byteStart": 22, "byteEnd": 45},
        {"byteStart": 46, "byteEnd": 63},
        {"byteStart": 64, "byteEnd": 77},
    ]
