"""The gallery in a real browser: Debian's chromium, driven headless by Playwright.

Nothing here downloads a browser: Playwright is pointed at /usr/bin/chromium.
Without it these tests skip (saying how to install it), except under CI=true,
where a missing browser fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import CHROMIUM, launched
from conftest import ARABIC, make_review_repo

from campaignsync import pipeline
from campaignsync.pack import live, watch
from campaignsync.paths import input_paths, read_paths

HOW = "install Debian's chromium (apt-get install chromium) and `pip install -e '.[test]'`"


def _missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"no browser at {CHROMIUM}; {HOW}"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError:
        return f"Playwright or axe-playwright-python is not installed; {HOW}"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole session."""
    problem = _missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser tests: {problem}")
        pytest.skip(problem)
    with launched() as browser:
        yield browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.errors = errors
    yield opened
    context.close()


PAGES = ["index.html", "preview/de.html", "preview/ar.html", "preview/messages/kickoff.html"]


@pytest.mark.parametrize("rel", PAGES)
def test_pages_open_without_console_errors(page: Any, review_pack: Path, rel: str) -> None:
    page.goto((review_pack / rel).as_uri())
    page.wait_for_load_state("load")
    page.select_option("select[name=channel]", "x") if rel != PAGES[-1] else None
    assert page.errors == []


@pytest.mark.parametrize("rel", PAGES)
def test_no_horizontal_overflow_on_a_phone(page: Any, review_pack: Path, rel: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((review_pack / rel).as_uri())
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{rel} is {width} px wide at 390 px"


def test_attention_summary_links_to_the_over_limit_post(page: Any, review_pack: Path) -> None:
    page.goto((review_pack / "index.html").as_uri())
    link = page.locator(".attention .group-over a", has_text="de · x · kickoff")
    assert link.is_visible()
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/preview/de.html#kickoff-x")
    card = page.locator("#kickoff-x")
    assert card.is_visible()
    assert "over the limit" in card.locator(".gauge-over .figure").inner_text()


def test_filters_keep_only_the_chosen_posts(page: Any, review_pack: Path) -> None:
    page.goto((review_pack / "preview" / "de.html").as_uri())
    page.select_option("select[name=status]", "over")
    visible = page.locator(".card:visible")
    assert visible.count() >= 1
    assert set(visible.evaluate_all("cs => cs.map(c => c.dataset.channel)")) == {"x"}


def test_a_shortened_link_shows_as_the_app_posts_it_and_copies_whole(
    page: Any, review_pack: Path
) -> None:
    page.goto((review_pack / "preview" / "de.html").as_uri())
    text = page.locator("#kickoff-bluesky .post-text")
    record = json.loads((review_pack / "de" / "bluesky" / "kickoff.json").read_text())
    assert "campaign.example.org/2026/de/web/..." in record["text"]
    # What a reader sees: the record's text. The rest of the address takes no room...
    hidden = page.locator("#kickoff-bluesky .post-text .invisible")
    assert hidden.count() == 2 and hidden.first.inner_text() == "https://"
    assert all(
        box is None or box["width"] == 0
        for box in map(lambda i: hidden.nth(i).bounding_box(), range(2))
    )
    mark = page.locator("#kickoff-bluesky .post-text .ellipsis")
    assert mark.inner_text() == "campaign.example.org/2026/de/web/"
    assert mark.evaluate("e => getComputedStyle(e, '::after').content") == '"..."'
    # ...and is still there when the post is copied, by the button or by selecting it.
    post = (review_pack / "de" / "bluesky" / "kickoff.txt").read_text().rstrip("\n")
    assert text.evaluate("e => e.textContent") == post
    selected = text.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " const s = getSelection(); s.removeAllRanges(); s.addRange(r); return s.toString(); }"
    )
    assert "https://campaign.example.org/2026/de/web/kickoff.html?utm_source=bluesky" in selected


def test_right_to_left_post_is_laid_out_right_to_left(page: Any, review_pack: Path) -> None:
    page.goto((review_pack / "preview" / "ar.html").as_uri())
    text = page.locator("#kickoff-bluesky .post-text")
    assert ARABIC["kickoff:summary"] in text.inner_text()
    assert text.evaluate("e => getComputedStyle(e).direction") == "rtl"
    fallback = page.locator("#passphrase-tip-x .post-text")
    assert fallback.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # An address in a right-to-left post reads left to right, its "…" after it.
    link = page.locator("#kickoff-mastodon .post-text .ent-link").first
    assert link.evaluate("e => getComputedStyle(e).direction") == "ltr"


@pytest.mark.parametrize("rel", ["index.html", "preview/ar.html"])
def test_no_serious_accessibility_violations(page: Any, review_pack: Path, rel: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto((review_pack / rel).as_uri())
    page.wait_for_load_state("load")
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_the_live_page_reloads_after_a_save(page: Any, tmp_path: Path) -> None:
    repo = make_review_repo(tmp_path / "repo")
    out = repo / "dist"
    request = pipeline.Request()
    state = live.State()
    state.record(live.rebuild(repo, out, request))
    server = live.serve(out / "2026", 0, state)
    stop = threading.Event()
    batches = watch.changes(repo, input_paths(read_paths(repo)), stop)
    follower = threading.Thread(
        target=live.follow, args=(batches, lambda _: live.rebuild(repo, out, request), state)
    )
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    follower.start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/preview/en.html")
        assert page.locator("#h-kickoff").inner_text() == "Joint Cyber Awareness Month starts today"
        message = repo / "content" / "messages" / "2026" / "kickoff.md"
        message.write_text(
            message.read_text().replace("Joint Cyber Awareness Month starts today", "Edited live")
        )
        page.wait_for_function(
            "() => document.querySelector('#h-kickoff')?.textContent === 'Edited live'",
            timeout=20000,
        )
        page.wait_for_selector("#kickoff-web.is-changed", timeout=20000)  # after the first poll
        assert page.locator("#kickoff-x.is-changed").count() == 0  # the title is not in X posts
        message.write_text(message.read_text().replace("theme: passwords", "theme: [broken"))
        page.wait_for_selector("#live-problems", timeout=20000)
        assert "kickoff.md" in page.locator("#live-problems").inner_text()
        assert page.errors == []
    finally:
        stop.set()
        follower.join(10)
        server.shutdown()
        server.server_close()
        shutil.rmtree(out, ignore_errors=True)


def test_a_locale_shown_a_page_at_a_time_reads_well_on_a_phone(
    page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from click.testing import CliRunner

    from campaignsync.cli import cli
    from campaignsync.pack import localepages

    monkeypatch.setattr(localepages, "PAGE", 2)  # the review campaign's messages on pages of two
    repo = make_review_repo(tmp_path / "repo")
    result = CliRunner().invoke(cli, ["build", "--repo", str(repo)], env={"SOURCE_DATE_EPOCH": ""})
    assert result.exit_code == 0, result.output
    pack = repo / "dist" / "2026"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((pack / "preview" / "de.html").as_uri())
    page.wait_for_load_state("load")
    nav = page.locator("nav.page-nav").first
    assert nav.locator("[aria-current=page]").inner_text().startswith("Page 1 of ")
    nav.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/preview/de.2.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="What needs attention in de").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/preview/de.html#attention-heading")
    assert page.locator("#attention-heading").is_visible()
    assert page.errors == []
    for _ in ("the first page", "the second"):  # (axe's own requests fail from a file: URL)
        results = Axe().run(page)
        impacts = ("serious", "critical")
        assert [v["id"] for v in results.response["violations"] if v["impact"] in impacts] == []
        page.go_back()
        page.wait_for_load_state("load")
