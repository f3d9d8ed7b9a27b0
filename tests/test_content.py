"""Message front matter and Markdown blocks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from campaignsync.campaigns import Calendar, Campaign, Theme
from campaignsync.load import body, content
from campaignsync.load.config import load_config

CAL = Calendar(
    "content/calendar.yaml",
    campaigns=(
        Campaign(
            "2026",
            "Month",
            date(2026, 10, 1),
            date(2026, 10, 31),
            themes=(Theme("mfa", "MFA", date(2026, 10, 12), date(2026, 10, 18)),),
        ),
    ),
)
CONFIG_TEXT = """\
source_locale = "en"
locales = ["de"]
[partners.eu]
timezone = "Europe/Brussels"
locales = ["en", "de"]
[partners.us]
timezone = "America/New_York"
locales = ["en"]
"""
GOOD = """\
---
id: mfa
campaign: "2026"
theme: mfa
partners: [eu, us]
channels: [x, sms]
publish:
  eu: 2026-10-12T10:00:00+02:00
  us: 2026-10-12T10:00:00-04:00
title: Turn on MFA
summary: A second step stops most account takeovers.
link: https://example.org/mfa
hashtags: [CyberSecMonth]
posts:
  sms: Turn it on today.
---
## Why it matters

A password alone is not enough.
It leaks.

- Start with **email**.
- Then [your bank](https://example.org/bank).

```
code stays
```
"""
REL = "content/messages/2026/mfa.md"


@pytest.fixture
def config(tmp_path: Path):
    (tmp_path / "campaignsync.toml").write_text(CONFIG_TEXT)
    loaded, found = load_config(tmp_path)
    assert found == ()
    return loaded


def parse(config, text: str, rel: str = REL):
    return content.parse_message(rel, text, config, CAL)


@pytest.mark.parametrize(
    ("written", "key", "example"),
    [
        pytest.param("  us: 2026-10-12T10:00:00-04:00", "us: 2026-11-12T10:00:00",
                     "'publish.us' has no time zone: write an offset, e.g. "
                     "2026-11-12T10:00:00-05:00 (America/New_York on that day)", id="us-winter"),
        pytest.param("  eu: 2026-10-12T10:00:00+02:00", "eu: 2026-10-27T10:00:00",
                     "'publish.eu' has no time zone: write an offset, e.g. "
                     "2026-10-27T10:00:00+01:00 (Europe/Brussels on that day)",
                     id="eu-after-the-clock-change"),
    ],
)  # fmt: skip
def test_a_time_without_an_offset_is_told_the_partners_offset(
    config, written: str, key: str, example: str
) -> None:
    # A fixed "+02:00" sent a US author to the wrong hour, and a European one to the
    # summer's offset in late October.
    _, found = parse(config, GOOD.replace(written, "  " + key, 1))
    assert [(d.code, d.text) for d in found] == [("CS014", example)]


def test_good_message(config) -> None:
    message, found = parse(config, GOOD)
    assert found == ()
    assert message.id == "mfa"
    assert message.publish_for("us").utcoffset().total_seconds() == -4 * 3600
    assert message.post("sms") == "Turn it on today."
    kinds = [(b.kind, b.prefix, b.text) for b in message.body]
    assert kinds == [
        ("heading", "## ", "Why it matters"),
        ("paragraph", "", "A password alone is not enough. It leaks."),
        ("item", "- ", "Start with **email**."),
        ("item", "- ", "Then [your bank](https://example.org/bank)."),
        ("code", "", "```\ncode stays\n```"),
    ]
    assert [b.line for b in message.body] == [17, 19, 22, 23, 25]
    fields = [s.field for s in content.segments(message)]
    assert fields == ["title", "summary", "posts.sms", "body.1", "body.2", "body.3", "body.4"]


def test_body_round_trip_keeps_structure(config) -> None:
    message, _ = parse(config, GOOD)
    texts = tuple(b.text for b in message.body)
    assert body.join_body(message.body, texts) == (
        "## Why it matters\n\nA password alone is not enough. It leaks.\n\n"
        "- Start with **email**.\n- Then [your bank](https://example.org/bank).\n\n```\ncode stays\n```\n"
    )


@pytest.mark.parametrize("partners", ["partners: 3", "partners: []"])
def test_partners_unread_are_one_error_not_one_a_publication_time(config, partners: str) -> None:
    message, found = parse(config, GOOD.replace("partners: [eu, us]", partners, 1))
    assert message is None
    assert [d.code for d in found] == ["CS013" if "3" in partners else "CS012"]


UNLINKED = "in the body is not a full web address: the outputs show its text unlinked"
SPACE = (
    "in the body holds a space: the outputs and the platforms cut it there; write the "
    "address without it (a space in an address is %20)"
)
REFERENCE = (
    "a reference definition ('[id]: address') is not kept through translation: write the "
    "address in the link itself, [text](https://...)"
)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            ("(https://example.org/bank)", "(bank.html)"),
            f"23: CS022 link 'bank.html' {UNLINKED}",
            id="relative",
        ),
        pytest.param(
            ("(https://example.org/bank)", "(#bank)"),
            f"23: CS022 link '#bank' {UNLINKED}",
            id="anchor",
        ),
        pytest.param(
            ("(https://example.org/bank)", "(javascript:alert(1))"),
            f"23: CS022 link 'javascript:alert(1)' {UNLINKED}",
            id="javascript",
        ),
        pytest.param(
            ("(https://example.org/bank).", "(https://example.org/bank."),
            "23: CS022 a link in the body is not closed: add ')' after its address (else shown as"
            " written)",
            id="unclosed",
        ),
        pytest.param(
            ("It leaks.", "It [leaks](leaks.html)."),
            f"20: CS022 link 'leaks.html' {UNLINKED}",
            id="second-line-of-a-paragraph",
        ),
        pytest.param(
            ("It leaks.", "It [leaks](/a) and\n[leaks](/a) again."),
            f"20: CS022 link '/a' {UNLINKED}\n21: CS022 link '/a' {UNLINKED}",
            id="the-same-address-on-two-lines",
        ),
        pytest.param(
            ("It leaks.", "It [leaks][why].\n\n[why]: https://example.org/w"),
            f"22: CS022 {REFERENCE}",
            id="a-reference-definition",
        ),
        pytest.param(
            ("It leaks.", "It [leaks][why].\n\n> [why]: why.html"),
            f"22: CS022 {REFERENCE}\n22: CS022 link 'why.html' {UNLINKED}",
            id="a-reference-to-a-relative-address-in-a-quote",
        ),
        pytest.param(
            ("It leaks.", "It leaks.\n\n~~~\n[a](/x)\n~~~"),
            f"23: CS022 link '/x' {UNLINKED}",
            id="a-tilde-fence-is-no-code-here",
        ),
        pytest.param(
            ("It leaks.", "It [leaks](https://example.org/docs)\nand [docs](/docs)."),
            f"21: CS022 link '/docs' {UNLINKED}",
            id="the-address-inside-another",
        ),
        pytest.param(
            (
                "It leaks.",
                "It [leaks](https://en.wikipedia.org/wiki/A_(b))\nand [b](https://x.org/b",
            ),
            "21: CS022 a link in the body is not closed: add ')' after its address (else shown as"
            " written)",
            id="unclosed-after-an-address-with-parentheses",
        ),
        pytest.param(
            ("It leaks.", "It leaks, `[a](` as code, then\nthis [b](https://example.org/b"),
            "21: CS022 a link in the body is not closed: add ')' after its address (else shown as"
            " written)",
            id="unclosed-after-a-code-span",
        ),
        pytest.param(
            ("(https://example.org/bank)", "(https://example.org/top tips)"),
            f"23: CS022 link address 'https://example.org/top tips' {SPACE}",
            id="a-space-in-the-address",
        ),
        pytest.param(
            ("(https://example.org/bank)", "(<https://example.org/top tips>)"),
            f"23: CS022 link address 'https://example.org/top tips' {SPACE}",
            id="a-space-in-an-address-in-angle-brackets",
        ),
        pytest.param(
            ("(https://example.org/bank)", '(https://example.org/top tips "Tips")'),
            f"23: CS022 link address 'https://example.org/top tips' {SPACE}",
            id="a-space-in-an-address-with-a-title",
        ),
        pytest.param(
            ("Then [your bank]", "Then ![your bank]"),
            "23: CS022 image 'https://example.org/bank' in the body is left out of every output:"
            " give the message its image in the front matter (image: {src: ..., alt: ...})",
            id="image",
        ),
    ],
)
def test_a_body_link_every_output_would_leave_out(
    config, change: tuple[str, str], expected: str
) -> None:
    message, found = parse(config, GOOD.replace(*change, 1))
    assert message is None
    assert [f"{d.line}: {d.code} {d.text}" for d in found] == expected.split("\n")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(("(https://example.org/bank)", "(mailto:help@example.org)"), id="mailto"),
        pytest.param(("(https://example.org/bank)", "(http://example.org/bank)"), id="http"),
        pytest.param(
            ("(https://example.org/bank)", "(https://en.wikipedia.org/wiki/Bank_(finance))"),
            id="parentheses-in-the-address",
        ),
        pytest.param(("It leaks.", "Write `[text](page.html)` for a link."), id="code-span"),
        pytest.param(("code stays", "[text](page.html"), id="code-block"),
        pytest.param(("It leaks.", "It leaks (a lot) [sometimes]."), id="no-link"),
        pytest.param(
            ("(https://example.org/bank)", "(https://example.org/it's 'The bank')"),
            id="a-quote-in-the-address-and-a-title",
        ),
        pytest.param(("(https://example.org/bank)", "(<https://example.org/a>)"), id="angle"),
        pytest.param(("It leaks.", "It leaks: \\[not a link\\](page.html)."), id="escaped"),
        pytest.param(("It leaks.", "It leaks: <https://example.org/why>."), id="autolink"),
        pytest.param(("It leaks.", "It leaks <!-- [old](/old) -->."), id="an-html-comment"),
        pytest.param(("It leaks.", 'It <span title="a](b">leaks</span>.'), id="raw-html"),
        pytest.param(("It leaks.", "Press the ` key.\n\nThe ` key."), id="backticks-apart"),
    ],
)
def test_a_body_link_the_outputs_keep_or_no_link(config, change: tuple[str, str]) -> None:
    message, found = parse(config, GOOD.replace(*change, 1))
    assert found == () and message is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            ("title:", "titel:"),
            "10: CS011 unknown key 'titel' (did you mean 'title'?)",
            id="unknown-key",
        ),
        pytest.param(
            ("summary: A second step stops most account takeovers.\n", ""),
            "1: CS012 missing required key 'summary'",
            id="missing",
        ),
        pytest.param(
            ('campaign: "2026"', "campaign: 2026"),
            "3: CS013 'campaign' must be text, not a number (put it in quotes)",
            id="unquoted-number",
        ),
        pytest.param(
            ("2026-10-12T10:00:00+02:00", "2026-10-12 10:00:00"),
            "8: CS014 'publish.eu' has no time zone",
            id="naive",
        ),
        pytest.param(
            ("id: mfa", "id: mfa-2"),
            "2: CS015 id 'mfa-2' does not match the file name mfa.md",
            id="id-mismatch",
        ),
        pytest.param(("id: mfa", "id: MFA"), "2: CS015 id 'MFA' must be lower-case", id="id-case"),
        pytest.param(
            ("partners: [eu, us]", "partners: [eu, uk]"),
            "5: CS017 unknown partner 'uk'",
            id="unknown-partner",
        ),
        pytest.param(
            ("channels: [x, sms]", "channels: [x, smss]"),
            "6: CS018 unknown channel 'smss' (did you mean 'sms'?)",
            id="unknown-channel",
        ),
        pytest.param(
            ("theme: mfa", "theme: mfaa"),
            "4: CS019 campaign '2026' has no theme 'mfaa' (did you mean 'mfa'?)",
            id="unknown-theme",
        ),
        pytest.param(
            ('campaign: "2026"', 'campaign: "2025"'),
            "3: CS020 unknown campaign '2025'",
            id="unknown-campaign",
        ),
        pytest.param(
            ("https://example.org/mfa", "javascript:alert(1)"),
            "12: CS022 link 'javascript:alert(1)' must be a web address",
            id="js-link",
        ),
        pytest.param(
            ("channels: [x, sms]", "channels: 5"),
            "6: CS013 'channels' must be a list of names, like [x, linkedin]",
            id="channels-not-a-list",
        ),
        pytest.param(
            ("partners: [eu, us]", "partners: 3"),
            "5: CS013 'partners' must be a list of names, like [eu, us]",
            id="partners-not-a-list",
        ),
        pytest.param(
            ("hashtags: [CyberSecMonth]", "hashtags: [Cyber Sec]"),
            "13: CS013 hashtag 'Cyber Sec' must be one word",
            id="hashtag-space",
        ),
        pytest.param(
            ("  sms: Turn it on today.", "  web: Turn it on today."),
            "15: CS018 posts.web: 'web' is not one of the message's channels",
            id="post-channel",
        ),
        pytest.param(
            ("title: Turn on MFA", "title: Turn on MFA\ntitle: again"),
            "11: CS010 duplicate key 'title'",
            id="duplicate-key",
        ),
        pytest.param(
            ("title: Turn on MFA", "title: &a Turn on MFA\nsummary2: *a"),
            "11: CS010 YAML anchors and aliases",
            id="alias",
        ),
        pytest.param(
            ("title: Turn on MFA", "title: [unclosed"), "CS010 invalid YAML", id="yaml-syntax"
        ),
        pytest.param(
            ("title: Turn on MFA", "title: !!python/object/apply:os.system [ls]"),
            "CS010 YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
            id="python-tag",
        ),
    ],
)
def test_bad_front_matter(config, change: tuple[str, str], expected: str) -> None:
    message, found = parse(config, GOOD.replace(*change, 1))
    lines = [f"{d.line}: {d.code} {d.text}" for d in found]
    assert message is None
    assert any(
        expected in line if expected.startswith("CS") else line.startswith(expected)
        for line in lines
    ), lines
    assert all(d.file == REL for d in found)


def test_no_front_matter(config) -> None:
    message, found = parse(config, "# Just markdown\n")
    assert message is None
    assert (found[0].code, found[0].line) == ("CS010", 1)
    assert "must start with a '---' line" in found[0].text


def test_unterminated_front_matter(config) -> None:
    _, found = parse(config, "---\nid: mfa\n")
    assert found[0].text == "the front matter has no closing '---' line"


def test_deep_nesting_is_refused_before_parsing(config) -> None:
    _, found = parse(config, "---\nid: " + "[" * 100_000 + "\n---\n")
    assert found[0].code == "CS010"
    assert "nested deeper" in found[0].text


def test_pathological_markdown_is_refused(config) -> None:
    _, found = parse(config, GOOD + "\n" + "[" * 500 + "\n")
    assert [d.code for d in found] == ["CS021"]
    _, found = parse(config, GOOD + "\n<![CDATA[x]]>\n")
    assert found[0].code == "CS021" and found[0].line == 29


def test_image_must_exist_inside_content(config, tmp_path: Path) -> None:
    text = GOOD.replace("hashtags:", "image: {src: ../../etc/passwd, alt: x}\nhashtags:")
    _, found = parse(config, text)
    assert (
        found[0].code == "CS023"
        and found[0].text
        == "image '../../etc/passwd' must be a path inside content/, like assets/photo.png"
    )
    _, found = parse(
        config, GOOD.replace("hashtags:", "image: {src: /etc/passwd, alt: x}\nhashtags:")
    )
    assert (
        found[0].text == "image '/etc/passwd' must be a path inside content/, like assets/photo.png"
    )
    text = GOOD.replace("hashtags:", "image: {src: assets/none.png, alt: x}\nhashtags:")
    _, found = parse(config, text)
    assert found[0].text == "image content/assets/none.png does not exist"


def test_an_image_name_too_long_for_the_file_system_is_an_error(config, tmp_path: Path) -> None:
    (tmp_path / "content" / "assets").mkdir(parents=True)
    text = GOOD.replace(
        "hashtags:", "image: {src: assets/" + "x" * 300 + ".png, alt: x}\nhashtags:"
    )
    _, found = parse(config, text)
    assert found[0].code == "CS023" and found[0].text.startswith("image: content/assets/xxx")
    assert found[0].text.endswith(": File name too long")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        pytest.param("| Device | Setting |\n|---|---|\n| Phone | On |", "a table", id="table"),
        pytest.param("1) Open settings\n2) Turn on updates", "a list numbered '1)'", id="1-paren"),
        pytest.param("##Why update", "a line that starts with '#' and no space", id="heading"),
        pytest.param("#CyberSecMonth starts today.", "a line that starts with '#' and no space",
                     id="a-hashtag-first"),
    ],
)  # fmt: skip
def test_markdown_the_outputs_do_not_read_as_meant_is_a_warning(
    config, written: str, said: str
) -> None:
    message, found = parse(config, GOOD.replace("It leaks.", f"It leaks.\n\n{written}", 1))
    assert message is not None  # (a warning: the message is read)
    assert [(d.code, d.severity.value, d.line) for d in found] == [("CS025", "warning", 22)]
    assert found[0].text.startswith(f"the body has {said}")


def test_markdown_the_outputs_read_is_not_a_warning(config) -> None:
    fine = "1. Open settings\n2. Turn on updates\n\n## Why\n\nPipes | in | prose are text."
    message, found = parse(config, GOOD.replace("It leaks.", f"It leaks.\n\n{fine}", 1))
    assert message is not None and found == ()
