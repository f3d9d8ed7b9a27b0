"""Links in every language: page addresses from one pattern, tracking per channel, no leaks."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from campaignsync.channels.social import bluesky_text, short_url
from campaignsync.load.config import load_config
from campaignsync.model import ChannelSettings, Config, LinkSettings, Locale, Message
from campaignsync.render import links
from tests.conftest import CliInvoke

PAGE = "https://campaign.example.org/2026/de/web/kickoff.html"


def config(tracking: str = "utm", **channel_tracking: bool) -> Config:
    names = ("x", "bluesky", "sms", "email", "press", "web")
    return Config(
        root=Path(),
        name="Test",
        source_locale=Locale("en", "en"),
        locales=(Locale("de", "de"),),
        partners=(),
        channels=tuple(ChannelSettings(n, tracking=channel_tracking.get(n)) for n in names),
        base_url="https://campaign.example.org",
        links=LinkSettings(tracking=tracking),
    )


def message(
    link: str | None = "https://campaign.example.org/2026/kickoff", *channels: str
) -> Message:
    return Message(
        id="kickoff",
        path="content/messages/2026/kickoff.md",
        campaign="2026",
        partners=("eu",),
        channels=channels or ("x", "sms", "email", "web"),
        publish=(("eu", datetime(2026, 10, 1, 8, tzinfo=UTC)),),
        title="T",
        summary="S",
        link=link,
    )


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        pytest.param(
            "x",
            f"{PAGE}?utm_source=x&utm_medium=social&utm_campaign=2026&utm_content=de_kickoff",
            id="social",
        ),
        pytest.param(
            "email",
            f"{PAGE}?utm_source=email&utm_medium=email&utm_campaign=2026&utm_content=de_kickoff",
            id="email",
        ),
        pytest.param("sms", PAGE, id="sms-off-by-default"),
        pytest.param("web", "https://campaign.example.org/2026/kickoff", id="web-keeps-link"),
    ],
)
def test_each_channel_links_to_the_page_in_its_locale(channel: str, expected: str) -> None:
    assert links.target(config(), message(), "de", channel) == expected


def test_tracking_is_switched_per_channel() -> None:
    on_sms = config(sms=True, x=False)
    assert links.target(on_sms, message(), "de", "sms") == (
        f"{PAGE}?utm_source=sms&utm_medium=sms&utm_campaign=2026&utm_content=de_kickoff"
    )
    assert links.target(on_sms, message(), "de", "x") == PAGE
    assert links.target(config("none"), message(), "de", "x") == PAGE


def test_matomo_parameters() -> None:
    assert links.target(config("matomo"), message(), "pt-PT", "press") == (
        "https://campaign.example.org/2026/pt-PT/web/kickoff.html?mtm_source=press"
        "&mtm_medium=press&mtm_campaign=2026&mtm_content=pt-PT_kickoff"
    )


def test_a_message_without_a_web_page_keeps_its_link() -> None:
    own = message("https://campaign.example.org/mfa?lang=de&utm_source=poster", "x")
    assert links.target(config(), own, "de", "x") == (
        "https://campaign.example.org/mfa?lang=de&utm_source=poster"
        "&utm_medium=social&utm_campaign=2026&utm_content=de_kickoff"
    )
    # Another site's analytics is not the campaign's: its address is left as written.
    other = message("https://www.cisa.gov/mfa", "x")
    assert links.target(config(), other, "de", "x") == "https://www.cisa.gov/mfa"
    assert links.target(config(), message(None, "x"), "de", "x") == ""


def test_web_disabled_means_no_page_to_link_to() -> None:
    off = replace(
        config(),
        channels=tuple(replace(c, enabled=c.name != "web") for c in config().channels),
    )
    assert links.target(off, message(), "de", "x").startswith(
        "https://campaign.example.org/2026/kickoff?utm_source=x"
    )


def test_untracked_drops_only_tracking() -> None:
    url = "https://a.example/p?id=3&utm_source=x&mtm_medium=social#top"
    assert links.untracked(url) == "https://a.example/p?id=3#top"
    assert links.untracked("https://a.example/p?id=3") == "https://a.example/p?id=3"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.org", "example.org"),
        ("https://example.org/", "example.org"),
        ("https://example.org/2026/test", "example.org/2026/test"),
        (
            "https://example.org/2026/de/web/kickoff.html?utm_source=x",
            "example.org/2026/de/web/...",
        ),
        ("http://Example.org:8080/a?b=c#d", "example.org:8080/a?b=c#d"),
        ("example.org/a/very/long/path/here", "example.org/a/very/long/path/here"),
    ],
)
def test_bluesky_shortens_links_as_its_app_does(url: str, shown: str) -> None:
    assert short_url(url) == shown


def test_bluesky_text_keeps_the_full_address_for_the_facet() -> None:
    text = f"Lies mehr: {PAGE}?utm_source=bluesky #Sicher"
    shown, found = bluesky_text(text)
    assert shown == "Lies mehr: campaign.example.org/2026/de/web/... #Sicher"
    assert shown[found[0].start : found[0].end] == "campaign.example.org/2026/de/web/..."
    assert found[0].uri == f"{PAGE}?utm_source=bluesky"


CONFIG = """\
source_locale = "en"
base_url = "https://campaign.example.org"

[partners.eu]
timezone = "Europe/Brussels"
locales = ["en"]

[links]
page_url = "{base_url}/{campaign}/{locale}/{id}"
tracking = "utm"

[channels.sms]
tracking = true
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "campaignsync.toml").write_text(text, encoding="utf-8")
    _config, found = load_config(tmp_path)
    return [f"{d.line}: {d.code} {d.text}" for d in found]


def test_links_settings_load(tmp_path: Path) -> None:
    (tmp_path / "campaignsync.toml").write_text(CONFIG, encoding="utf-8")
    loaded, found = load_config(tmp_path)
    assert found == () and loaded is not None
    assert loaded.links == LinkSettings("{base_url}/{campaign}/{locale}/{id}", "utm")
    assert loaded.channel("sms").tracking is True and loaded.channel("x").tracking is None
    assert links.page_url(loaded, "2026", "de", "mfa") == "https://campaign.example.org/2026/de/mfa"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            '"{base_url}/{campaign}/{locale}/{id}"',
            '"{base_url}/{campaign}/{id}"',
            "9: CS003 links.page_url must contain {locale}: every message and locale needs its "
            "own page, not '{base_url}/{campaign}/{id}'",
            id="no-locale",
        ),
        pytest.param(
            '"{base_url}/{campaign}/{locale}/{id}"',
            '"{base_url}/{lang}/{id}"',
            "9: CS003 links.page_url may only use the placeholders {base_url}, {campaign}, "
            "{locale}, {id}, not '{base_url}/{lang}/{id}'",
            id="unknown-placeholder",
        ),
        pytest.param(
            '"{base_url}/{campaign}/{locale}/{id}"',
            '"{base_url.__class__}/{locale}/{id}"',
            "9: CS003 links.page_url may only use the placeholders {base_url}, {campaign}, "
            "{locale}, {id}, not '{base_url.__class__}/{locale}/{id}'",
            id="attribute",
        ),
        pytest.param(
            '"{base_url}/{campaign}/{locale}/{id}"',
            '"{base_url}/{locale}/{id}?x=1"',
            "9: CS003 links.page_url must make an https:// address without a query, like "
            "'{base_url}/{locale}/{id}', not '{base_url}/{locale}/{id}?x=1'",
            id="query",
        ),
        pytest.param(
            'tracking = "utm"',
            'tracking = "google"',
            "10: CS003 links.tracking must be one of 'none', 'utm', 'matomo', not 'google'",
            id="tracking",
        ),
        pytest.param(
            "tracking = true",
            'tracking = "yes"',
            "13: CS003 'channels.sms.tracking' must be true or false, not a string",
            id="channel-tracking",
        ),
        pytest.param(
            'tracking = "utm"',
            'tracking = "utm"\nutm = true',
            "11: CS002 unknown setting 'links.utm'",
            id="unknown-key",
        ),
    ],
)
def test_bad_links_settings_are_reported_at_their_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert problems(tmp_path, CONFIG.replace(old, new, 1)) == [expected]


def _page(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_built_sample_links_every_locale_to_its_own_page(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    cli_invoke(["build", "--repo", str(sample_repo)])
    pack = sample_repo / "dist" / "2026"
    site = "https://campaign.example.org/2026"
    de = _page(pack / "de/x/kickoff.txt")
    assert f"{site}/de/web/kickoff.html?utm_source=x&utm_medium=social&utm_campaign=2026" in de
    # en-US falls back to the English text, and its readers get the en-US page (their
    # partner's dates and hreflang), which the pack has: the post links there.
    en_us = _page(pack / "en-US/x/kickoff.txt")
    assert f"{site}/en-US/web/kickoff.html?utm_source=x&" in en_us
    assert 'lang="en-US"' in _page(pack / "en-US/web/kickoff.html")
    assert f'<link rel="canonical" href="{site}/en-US/web/kickoff.html">' in _page(
        pack / "en-US/web/kickoff.html"
    )
    # SMS: the page, no tracking (every character is billed).
    assert _page(pack / "de/sms/kickoff.txt").rstrip().endswith(f"{site}/de/web/kickoff.html")
    # Canonical, og:url and hreflang never carry tracking, on any page.
    for page in pack.glob("*/web/*.html"):
        head = _page(page)
        metadata = re.findall(
            r'<link rel="(?:canonical|alternate)"[^>]*>|<meta property="og:url"[^>]*>', head
        )
        assert metadata and not any("utm_" in tag for tag in metadata), page
    rows = {r["path"]: r for r in json.loads(_page(pack / "manifest.json"))["files"]}
    assert rows["de/x/kickoff.txt"]["links"] == [re.search(r"https://\S+", de).group(0)]
    assert rows["de/web/kickoff.html"]["links"] == ["https://campaign.example.org/2026/kickoff"]
