"""The preview gallery: an overview page and one page per locale showing every post."""

from __future__ import annotations

import html
import http.client
import threading
from pathlib import Path

from conftest import CliInvoke

from campaignsync import preview


def build(cli_invoke: CliInvoke, repo: Path) -> Path:
    cli_invoke(["build", "--repo", str(repo)])
    return repo / "dist" / "2026"


def test_overview_links_every_message_and_locale(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    pack = build(cli_invoke, sample_repo)
    index = (pack / "index.html").read_text()
    for message in (sample_repo / "content" / "messages" / "2026").glob("*.md"):
        assert f"<th>{message.stem}</th>" in index
    for tag in ("en", "de", "fr", "es", "it", "pl", "nl", "pt-PT", "en-US", "es-US"):
        assert f'<a href="preview/{tag}.html">{tag}</a>' in index
        assert (pack / "preview" / f"{tag}.html").is_file()
    # nl is partial on purpose: the overview says where.
    assert 'href="preview/nl.html#passphrase-tip"><span class="warn">not translated</span>' in index
    assert 'href="preview/de.html#passphrase-tip"><span class="ok">translated</span>' in index


def test_locale_page_shows_posts_with_their_counts(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    pack = build(cli_invoke, sample_repo)
    page = (pack / "preview" / "de.html").read_text()
    assert '<html lang="de">' in page
    post = (pack / "de" / "x" / "kickoff.txt").read_text()
    assert f"<pre>{html.escape(post)}</pre>" in page
    assert 'href="../de/x/kickoff.txt">kickoff.txt</a> <small><span class="meta">' in page
    assert "/280 weighted</span>" in page
    assert 'href="../de/web/kickoff.html">kickoff.html</a>' in page


def test_titles_and_posts_are_escaped(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    path = sample_repo / "content" / "messages" / "2026" / "passphrase-tip.md"
    path.write_text(
        path.read_text().replace(
            "title: Make your password a passphrase", 'title: "<script>alert(1)</script> & more"'
        )
    )
    pack = build(cli_invoke, sample_repo)
    page = (pack / "preview" / "en.html").read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


def test_preview_serves_the_pack_on_localhost_only(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    pack = build(cli_invoke, sample_repo)
    server = preview.serve(pack, 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/preview/de.html")
        response = connection.getresponse()
        assert response.status == 200 and b'<html lang="de">' in response.read()
        connection.request("GET", "/../../etc/passwd")
        assert connection.getresponse().status == 404
    finally:
        server.shutdown()
        server.server_close()


def test_preview_without_a_pack_says_to_build_first(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    result = cli_invoke(["preview", "--repo", str(sample_repo)], expect=1)
    assert (
        result.stderr
        == f"error: no pack in {sample_repo / 'dist' / '2026'}; run 'campaignsync build' first\n"
    )
