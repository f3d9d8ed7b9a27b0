"""The preview gallery: an overview page and one page per locale showing every post."""

from __future__ import annotations

import html
import http.client
import shutil
import socket
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, CliInvoke

from campaignsync.cli import cli
from campaignsync.pack import gallery as preview


def build(cli_invoke: CliInvoke, repo: Path) -> Path:
    cli_invoke(["build", "--repo", str(repo)])
    return repo / "dist" / "2026"


@pytest.fixture(scope="module")
def sample_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's pack, built once for the tests that only read it."""
    repo = tmp_path_factory.mktemp("sample")
    shutil.copy2(ROOT / "campaignsync.toml", repo)
    for folder in ("content", "locales", "templates"):
        shutil.copytree(ROOT / folder, repo / folder)
    result = CliRunner().invoke(cli, ["build", "--repo", str(repo)], env={"SOURCE_DATE_EPOCH": ""})
    assert result.exit_code == 0, result.output
    return repo / "dist" / "2026"


def test_overview_links_every_message_and_locale(sample_pack: Path) -> None:
    pack = sample_pack
    index = (pack / "index.html").read_text()
    for message in (ROOT / "content" / "messages" / "2026").glob("*.md"):
        assert f"<th>{message.stem}</th>" in index
    for tag in ("en", "de", "fr", "es", "it", "pl", "nl", "pt-PT", "en-US", "es-US"):
        assert f'<a href="preview/{tag}.html">{tag}</a>' in index
        assert (pack / "preview" / f"{tag}.html").is_file()
    # nl is partial on purpose: the overview says where.
    assert 'href="preview/nl.html#passphrase-tip"><span class="warn">not translated</span>' in index
    assert 'href="preview/de.html#passphrase-tip"><span class="ok">translated</span>' in index


def test_locale_page_shows_posts_with_their_counts(sample_pack: Path) -> None:
    pack = sample_pack
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


def test_preview_serves_the_pack_on_localhost_only(sample_pack: Path) -> None:
    server = preview.serve(sample_pack, 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/preview/de.html")
        response = connection.getresponse()
        assert response.status == 200 and b'<html lang="de">' in response.read()
        # http.server itself keeps paths inside the folder; a guard against regressions.
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


def test_preview_on_a_port_in_use_says_so(cli_invoke: CliInvoke, sample_pack: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        repo = sample_pack.parent.parent
        result = cli_invoke(["preview", "--repo", str(repo), "--port", str(port)], expect=1)
    assert result.stderr == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
