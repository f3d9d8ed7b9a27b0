"""The preview gallery: overview, locale and message pages, post cards, gauges, attention."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ARABIC, OVER_LIMIT_X, ROOT, CliInvoke

from campaignsync import pipeline
from campaignsync.channels import sms
from campaignsync.load.project import load_project
from campaignsync.model import Measure
from campaignsync.pack import cards, gallery


def build(cli_invoke: CliInvoke, repo: Path) -> Path:
    cli_invoke(["build", "--repo", str(repo)])
    return repo / "dist" / "2026"


def test_overview_links_every_message_and_locale(review_pack: Path) -> None:
    index = (review_pack / "index.html").read_text()
    for message in (ROOT / "content" / "messages" / "2026").glob("*.md"):
        assert f'<a href="preview/messages/{message.stem}.html">' in index
        assert (review_pack / "preview" / "messages" / f"{message.stem}.html").is_file()
    for tag in ("en", "de", "fr", "es", "it", "pl", "nl", "pt-PT", "en-US", "es-US", "ar"):
        assert f'href="preview/{tag}.html"' in index
        assert (review_pack / "preview" / f"{tag}.html").is_file()
    # nl is partial on purpose: its chip says so and links to the post.
    chip = re.search(
        r'<li class="loc[^"]*" data-locale="nl"[^>]*>\s*<a href="preview/nl.html#passphrase-tip">.*?</li>',
        index,
        re.S,
    )
    assert chip and "not translated" in chip.group(0)
    chip = re.search(
        r'<li class="loc[^"]*" data-locale="de"[^>]*>\s*<a href="preview/de.html#passphrase-tip">.*?</li>',
        index,
        re.S,
    )
    assert chip and "ready" in chip.group(0)


def test_attention_lists_the_over_limit_post_first_and_links_to_it(review_pack: Path) -> None:
    index = (review_pack / "index.html").read_text()
    attention = index[index.index('<section class="attention"') : index.index("</section>")]
    assert attention.index("Over a limit") < attention.index("Not translated")
    # The kickoff X post is over in every locale that publishes the override.
    item = re.search(
        r'<a href="preview/en.html#kickoff-x">en · x · kickoff</a>: ([\d,]+) of 280 weighted '
        r"characters, ([\d,]+) over",
        attention,
    )
    assert item, attention
    length = int(item.group(1).replace(",", ""))
    assert length > len(OVER_LIMIT_X.strip()) and item.group(2) == f"{length - 280:,}"
    page = (review_pack / "preview" / "en.html").read_text()
    card = page[page.index('id="kickoff-x"') :]
    card = card[: card.index("</article>")]
    assert "lvl-over" in page[page.rindex("<article", 0, page.index('id="kickoff-x"')) :][:200]
    assert "over the limit" in card


def test_attention_names_untranslated_segments_per_locale(review_pack: Path) -> None:
    index = (review_pack / "index.html").read_text()
    assert (
        '<a href="preview/nl.html#passphrase-tip">nl · passphrase-tip</a>: 13 of 13: title' in index
    )
    # Arabic has only the kickoff title and summary.
    assert re.search(r"ar · kickoff</a>: \d+ of \d+: image\.alt", index)


def test_locale_page_shows_posts_as_cards_with_gauges(review_pack: Path) -> None:
    page = (review_pack / "preview" / "de.html").read_text()
    assert '<html lang="en">' in page  # the gallery's own words are English...
    start = page.rindex("<article", 0, page.index('id="kickoff-bluesky"'))
    card = page[start : page.index("</article>", start)]
    assert 'lang="de" dir="ltr"' in card.split(">")[0]  # ...the posts are not
    post = (review_pack / "de" / "bluesky" / "kickoff.txt").read_text()
    shown = re.search(r'<p class="post-text" id="kickoff-bluesky-text"[^>]*>(.*?)</p>', card, re.S)
    assert shown and html.unescape(re.sub(r"<[^>]+>", "", shown.group(1))) == post.rstrip("\n")
    assert '<button type="button" class="copy" data-copy="kickoff-bluesky-text">' in card
    assert '<a href="../de/bluesky/kickoff.txt">plain text</a>' in card
    # The post links to the German page, with the channel's tracking, shown as the app
    # posts it (the record's text) and copied whole.
    assert (
        '<span class="ent ent-link" title="https://campaign.example.org/2026/de/web/kickoff.html'
        "?utm_source=bluesky&amp;utm_medium=social&amp;utm_campaign=2026"
        '&amp;utm_content=de_kickoff"><span class="invisible">https://</span><span '
        'class="ellipsis" data-mark="...">campaign.example.org/2026/de/web/</span>' in card
    )
    record = json.loads((review_pack / "de" / "bluesky" / "kickoff.json").read_text())
    assert "campaign.example.org/2026/de/web/..." in record["text"]
    assert '<span class="ent ent-tag">#JointCyberMonth</span>' in card
    assert re.search(r"\d+ of 300 characters: \d+ left", card)
    assert re.search(r"\d+ of 3,000 UTF-8 bytes: [\d,]+ left", card)
    assert '<img src="../assets/kickoff.png" alt="Ein weißes Vorhängeschloss' in card
    assert "<strong>EU partners</strong>" in card
    assert (
        'href="../de/bluesky/kickoff.json"' in card and 'href="../de/bluesky/kickoff.txt"' in card
    )


def test_a_link_preview_shows_where_the_platform_would_show_one(review_pack: Path) -> None:
    # The campaign's own page, without an image: the preview with the message's title.
    page = (review_pack / "preview" / "de.html").read_text()

    def card(anchor: str) -> str:
        start = page.index(f'id="{anchor}"')
        return page[start : page.index("</article>", start)]

    plain = card("authenticator-app-mastodon")
    assert (
        '<div class="linkcard"><span class="domain" dir="ltr">campaign.example.org</span>' in plain
    )
    # With an image attached, the platforms show the image, not a preview.
    pictured = card("kickoff-mastodon")
    assert '<figure class="media">' in pictured and "linkcard" not in pictured


def test_no_preview_mixes_another_pages_domain_with_the_messages_title() -> None:
    page = "https://campaign.example.org/2026/de/web/a.html?utm_source=linkedin"
    external = cards.pieces(f"Read https://www.enisa.europa.eu/x then {page}", "linkedin")
    assert cards._preview(external, page, "") == ""
    shop = cards.pieces("Read https://campaign.example.org/shop", "linkedin")  # (same host)
    assert cards._preview(shop, page, "") == ""
    ours = cards.pieces(f"Read {page}", "linkedin")
    assert cards._preview(ours, page, "") == "campaign.example.org"
    assert cards._preview(ours, page, "assets/a.png") == ""


def test_sms_is_shown_as_bubbles_cut_where_the_phone_cuts(review_pack: Path) -> None:
    page = (review_pack / "preview" / "en.html").read_text()
    start = page.index('id="kickoff-sms"')
    card = page[start : page.index("</article>", start)]
    text = (review_pack / "en" / "sms" / "kickoff.txt").read_text().removesuffix("\n")
    bubbles = re.findall(r'<p class="bubble"[^>]*>(.*?)</p>', card, re.S)
    assert [html.unescape(b) for b in bubbles] == sms.sms_parts(text)
    assert "SMS of 3 allowed" in card  # [channels.sms] max_segments = 3 in the sample


def test_email_preview_loads_its_image_from_the_pack(review_pack: Path) -> None:
    live = (review_pack / "de" / "email" / "kickoff.html").read_text()
    assert 'src="https://campaign.example.org/2026/assets/kickoff.png"' in live  # as sent
    copy = (review_pack / "preview" / "email" / "de" / "kickoff.html").read_text()
    assert 'src="../../../assets/kickoff.png"' in copy
    assert "https://campaign.example.org/2026/assets" not in copy
    page = (review_pack / "preview" / "de.html").read_text()
    assert page.count('<iframe src="../preview/email/de/kickoff.html"') == 2  # desktop and phone


def test_gallery_loads_nothing_from_outside_the_pack(review_pack: Path) -> None:
    pages = [review_pack / "index.html", *sorted((review_pack / "preview").rglob("*.html"))]
    for page in pages:
        text = page.read_text()
        for url in re.findall(r'(?:src|<link[^>]*href)="([^"]+)"', text):
            if url.startswith("data:"):
                continue
            assert "://" not in url, f"{page.name} loads {url}"
            target = (page.parent / url.split("#")[0]).resolve()
            assert target.is_file(), f"{page.name} points at a missing {url}"


def test_right_to_left_locale_renders_right_to_left(review_pack: Path) -> None:
    page = (review_pack / "preview" / "ar.html").read_text()
    start = page.index('id="kickoff-x"')
    article = page[page.rindex("<article", 0, start) : page.index("</article>", start)]
    assert 'dir="rtl"' in article.split(">")[0]
    bluesky = page[page.index('id="kickoff-bluesky"') :]
    bluesky = bluesky[: bluesky.index("</article>")]
    assert (
        f'<p class="post-text" id="kickoff-bluesky-text" dir="rtl" lang="ar">{ARABIC["kickoff:summary"]}'
        in bluesky
    )
    # A post that falls back to the English source keeps its own direction.
    start = page.index('id="passphrase-tip-x"')
    card = page[start : page.index("</article>", start)]
    assert '<p class="post-text" id="passphrase-tip-x-text" dir="ltr" lang="en">' in card


def test_message_page_shows_every_locale_side_by_side_with_the_source(review_pack: Path) -> None:
    page = (review_pack / "preview" / "messages" / "kickoff.html").read_text()
    heads = re.findall(r'<h3 class="col-head"><a href="\.\./([\w-]+)\.html#kickoff-x">', page)
    assert heads[0] == "en" and set(heads) >= {"de", "ar", "en-US", "es-US"}
    assert '<span class="src">source</span>' in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across locales"
    assert 'href="../../de/x/kickoff.txt"' in page


def test_titles_and_posts_are_escaped(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    path = sample_repo / "content" / "messages" / "2026" / "passphrase-tip.md"
    path.write_text(
        path.read_text().replace(
            "title: Make your password a passphrase",
            'title: "<script>alert(1)</script> & more"',
        )
    )
    pack = build(cli_invoke, sample_repo)
    for page in (pack / "index.html", pack / "preview" / "en.html"):
        text = page.read_text()
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text


def test_a_title_like_the_locale_pages_card_marker_leaves_every_section_whole(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    # A locale page is its template's frame with each message's cards joined in where
    # a marker stands; a title spelling the marker must stay text, not become a cut.
    path = sample_repo / "content" / "messages" / "2026" / "passphrase-tip.md"
    path.write_text(
        path.read_text().replace(
            "title: Make your password a passphrase", 'title: "<!--cards--> passphrase"'
        )
    )
    page = (build(cli_invoke, sample_repo) / "preview" / "en.html").read_text()
    assert "<!--cards-->" not in page
    assert "&lt;!--cards--&gt; passphrase" in page
    sections = re.findall(r'<section class="post-group" id="([^"]+)".*?</section>', page, re.S)
    assert "passphrase-tip" in sections
    for found in re.finditer(r'<div class="cards">\n(.*?)</div>\n</section>', page, re.S):
        assert found.group(1).count('<article class="card') >= 1


@pytest.mark.parametrize(
    ("channel", "text", "expected"),
    [
        pytest.param(
            "x",
            "See example.org and https://cisa.gov/x #Tag @someone",
            [
                ("text", "See "),
                ("link", "example.org"),
                ("text", " and "),
                ("link", "https://cisa.gov/x"),
                ("text", " "),
                ("tag", "#Tag"),
                ("text", " "),
                ("mention", "@someone"),
            ],
            id="x-links-bare-domains",
        ),
        pytest.param(
            "mastodon",
            "See example.org or https://cisa.gov/x @ann@social.example.org",
            [
                ("text", "See example.org or "),
                ("link", "https://cisa.gov/x"),
                ("text", " "),
                ("mention", "@ann@social.example.org"),
            ],
            id="mastodon-needs-a-scheme",
        ),
        pytest.param(
            "instagram",
            "https://cisa.gov/x #One #Two",
            [("text", "https://cisa.gov/x "), ("tag", "#One"), ("text", " "), ("tag", "#Two")],
            id="instagram-captions-link-no-urls",
        ),
        pytest.param(
            "threads",
            "Go #One #Two",
            [("text", "Go "), ("tag", "#One"), ("text", " #Two")],
            id="threads-one-topic-tag",
        ),
    ],
)
def test_posts_highlight_what_the_platform_links(
    channel: str, text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(p.kind, p.text) for p in cards.pieces(text, channel)] == expected


LONG = "https://www.campaign.example.org/2026/mfa-at-work?utm_source=m&utm_content=en"


@pytest.mark.parametrize(
    ("channel", "shown"),
    [
        # Mastodon hides the scheme and www., and shows 30 characters and an ellipsis.
        pytest.param("mastodon", "campaign.example.org/2026/mfa-…", id="mastodon"),
        # Bluesky's app posts the link shortened: the text of the record in the pack.
        pytest.param("bluesky", "www.campaign.example.org/2026/mfa-at-...", id="bluesky"),
        pytest.param("x", "", id="x-as-written"),  # (X's display rule is not published)
    ],
)
def test_a_card_shows_a_link_as_the_platform_does(channel: str, shown: str) -> None:
    from campaignsync.render.context import entities

    links = [p for p in cards.pieces(f"Read {LONG} now", channel) if p.kind == "link"]
    assert [p.text for p in links] == [LONG]
    drawn = str(entities(links))
    # What shows: the text without the hidden spans, and the mark CSS draws after it.
    hidden = re.sub(r'<span class="invisible">[^<]*</span>', "", drawn)
    mark = re.search(r'data-mark="([^"]*)"', drawn)
    seen = html.unescape(re.sub(r"<[^>]+>", "", hidden)) + (
        html.unescape(mark.group(1)) if mark else ""
    )
    assert seen == (shown or LONG)
    # What the copy button copies (the element's text): the post's whole address.
    assert html.unescape(re.sub(r"<[^>]+>", "", drawn)) == LONG


@pytest.mark.parametrize(
    ("measure", "level", "words"),
    [
        (Measure(100, 280, "weighted"), "ok", "100 of 280 weighted characters: 180 left"),
        (Measure(270, 280, "weighted"), "near", "270 of 280 weighted characters: 10 left"),
        (
            Measure(1291, 280, "weighted"),
            "over",
            "1,291 of 280 weighted characters: 1,011 over the limit",
        ),
        (
            Measure(190, 306, "septets", encoding="GSM-7", segments=2),
            "ok",
            "2 SMS of 2 allowed, 190 of 306 GSM-7 septets: 116 left",
        ),
        (  # a € on septets 153-154 moves whole to part 2: 306 septets need 3 segments
            Measure(306, 306, "septets", encoding="GSM-7", segments=3, padding=1),
            "over",
            "3 SMS of 2 allowed, 306 of 306 GSM-7 septets: 1 over the limit, 1 lost at segment ends",
        ),
    ],
)
def test_gauge_says_the_share_of_the_limit_in_words(
    measure: Measure, level: str, words: str
) -> None:
    (gauge,) = cards.gauges(measure)
    assert (gauge.level, gauge.words) == (level, words)
    share = (measure.length + measure.padding) / measure.limit
    assert gauge.percent == min(100, round(100 * share))


@pytest.mark.parametrize(
    "text",
    ["a" * 160, "a" * 161, "€" * 100, "ł" * 140, "😀" * 40 + "a", "ł" * 65 + "🇪🇺" + "ł" * 65],
)
def test_sms_parts_are_the_billed_segments(text: str) -> None:
    parts = sms.sms_parts(text)
    assert "".join(parts) == text
    assert len(parts) == sms.sms_count(text).segments
    assert all("🇪" not in part or "🇪🇺" in part for part in parts)  # a flag is never cut


def test_manifest_lists_the_gallery_files(review_pack: Path) -> None:
    rows = json.loads((review_pack / "manifest.json").read_text())["files"]
    paths = {row["path"] for row in rows}
    assert {"index.html", "preview/gallery.css", "preview/gallery.js", "preview/ar.html"} <= paths
    assert "preview/messages/kickoff.html" in paths
    assert "preview/email/de/kickoff.html" in paths


def test_the_gallery_is_the_same_from_cards_drawn_before_or_now(sample_repo: Path) -> None:
    # A build hands the gallery the cards its render cache kept (by output path); a unit's
    # section of its locale page is drawn with its first card, or here if the card has none.
    project, _ = load_project(sample_repo)
    assert project is not None
    rendered = pipeline.render_selection(project, pipeline.select(project, "2026", (), ()))
    outputs, lookups = list(rendered.outputs), rendered.lookups
    drawn: dict[str, gallery.Drawn] = {}
    fresh = dict(gallery.pages(project, "2026", outputs, lookups, (), drawn))
    units = {(o.locale, o.message) for o in cards.shown(outputs)}
    assert len([d for d in drawn.values() if d.section]) == len(units) > 1
    assert dict(gallery.pages(project, "2026", outputs, lookups, (), dict(drawn))) == fresh
    # Cards without their sections, one of an output no longer built, one unit not drawn yet.
    known = {path: replace(d, section=b"") for path, d in drawn.items()}
    stale = replace(next(iter(drawn.values())), path="en/x/gone.txt", html=b"<p>gone</p>")
    known[stale.path] = stale
    locale, message = sorted(units)[0]
    known = {p: d for p, d in known.items() if (d.locale, d.message) != (locale, message)}
    assert dict(gallery.pages(project, "2026", outputs, lookups, (), known)) == fresh
    assert {(d.locale, d.message) for d in known.values()} >= {(locale, message)}
