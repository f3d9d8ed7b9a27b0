"""`campaignsync links` and `links --check`, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from campaignsync.commands import linkcheck
from tests.conftest import CliInvoke

MESSAGE = "content/messages/2026/welcome.md"


class Handler(BaseHTTPRequestHandler):
    """/ok 200, /moved 301 to /ok, /missing 404, /slow answers late, /no-head refuses HEAD."""

    requests: list[tuple[str, str]]

    def answer(self, method: str) -> None:
        self.requests.append((method, self.path))
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path in ("/ok", "/slow") or (self.path == "/no-head" and method == "GET"):
            self.send_response(200)
        elif self.path == "/no-head":
            self.send_response(405)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self.answer("HEAD")

    def do_GET(self) -> None:
        self.answer("GET")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    requests: list[tuple[str, str]] = []
    handler = type("Recording", (Handler,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def narrow(repo: Path, channels: str, link: str, body: str = "") -> None:
    """Give the starter message these channels (no SMS text), this link and more body."""
    path = repo / MESSAGE
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"channels: \[[^\]]*\]", f"channels: [{channels}]", text, count=1)
    text = re.sub(r"posts:\n(  .*\n)+", "", text, count=1)
    text = re.sub(r"link: \S+", f"link: {link}", text, count=1)
    path.write_text(text + body, encoding="utf-8")


def message_linking_to(repo: Path, base: str, refused: str) -> None:
    """Make the starter message link to each case: its link, then body links, one a line."""
    narrow(
        repo,
        "x, email",
        f"{base}/ok",
        f"\nRead [our guide]({base}/moved).\n"
        f"\nSee [the list]({base}/missing).\n"
        f"\nAsk [the slow site]({base}/slow).\n"
        f"\nTry [the old site]({refused}/gone).\n"
        f"\nVisit [the form]({base}/no-head).\n",
    )


def line_of(repo: Path, needle: str) -> int:
    lines = (repo / MESSAGE).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


@pytest.fixture
def linked_repo(campaign_repo: Path, tmp_path: Path) -> Path:
    years = list((campaign_repo / "content" / "messages").iterdir())
    assert [y.name for y in years] == ["2026"], "the starter campaign moved; update MESSAGE"
    return campaign_repo


def test_links_lists_every_address_without_the_network(
    cli_invoke: CliInvoke, linked_repo: Path, server: tuple[str, list[tuple[str, str]]]
) -> None:
    base, requests = server
    message_linking_to(linked_repo, base, "http://127.0.0.1:9")
    result = cli_invoke(["links", "--repo", str(linked_repo)])
    assert requests == []
    lines = result.stdout.splitlines()
    ok = lines.index(f"{base}/ok")
    assert (
        lines[ok + 1]
        == f"  welcome [de, en, fr] email, x ({MESSAGE}:{line_of(linked_repo, 'link:')})"
    )
    missing = lines.index(f"{base}/missing")
    assert lines[missing + 1] == (
        f"  welcome [de, en, fr] email ({MESSAGE}:{line_of(linked_repo, '/missing')})"
    )


def test_links_check_reports_redirects_and_broken_links_where_they_are_written(
    cli_invoke: CliInvoke, linked_repo: Path, server: tuple[str, list[tuple[str, str]]]
) -> None:
    base, requests = server
    refused = f"http://127.0.0.1:{closed_port()}"
    message_linking_to(linked_repo, base, refused)
    args = ["links", "--repo", str(linked_repo), "--check", "--timeout", "0.3", "--workers", "4"]
    result = cli_invoke(args, expect=1)
    out = result.stdout

    def at(needle: str) -> str:
        return f"{MESSAGE}:{line_of(linked_repo, needle)}"

    assert (
        f"{at('/missing')}: error CS501: {base}/missing: 404 Not Found "
        "(used by welcome de/email, welcome en/email, welcome fr/email)"
    ) in out
    assert (
        f"{at('/moved')}: warning CS502: {base}/moved: 301 to {base}/ok, then 200 OK "
        "(used by welcome de/email, welcome en/email, welcome fr/email)"
    ) in out
    assert f"{at('/slow')}: error CS501: {base}/slow: no answer within 0.3 s (2 tries)" in out
    assert f"{at('/gone')}: error CS501: {refused}/gone: connection refused (2 tries)" in out
    assert "/ok:" not in out and "/no-head:" not in out
    assert out.endswith("Checked 6 addresses: 2 fine, 1 redirected, 3 broken.\n")
    # HEAD first, GET only where HEAD got an error status; the slow one was tried twice.
    assert requests.count(("HEAD", "/ok")) == 2  # once directly, once after the redirect
    assert ("GET", "/ok") not in requests
    assert requests.count(("HEAD", "/no-head")) == 1 and ("GET", "/no-head") in requests
    assert ("GET", "/missing") in requests
    assert requests.count(("HEAD", "/slow")) == 2 and ("GET", "/slow") not in requests


def test_links_check_passes_when_every_link_works(
    cli_invoke: CliInvoke, linked_repo: Path, server: tuple[str, list[tuple[str, str]]]
) -> None:
    base, _requests = server
    narrow(linked_repo, "x", f"{base}/ok")
    result = cli_invoke(["links", "--repo", str(linked_repo), "--check"])
    assert result.stdout == "Checked 1 address: 1 fine, 0 redirected, 0 broken.\n"


def test_tracked_links_are_checked_without_their_tracking(
    cli_invoke: CliInvoke, linked_repo: Path, server: tuple[str, list[tuple[str, str]]]
) -> None:
    base, requests = server
    site = base.replace("http://", "https://")
    config = linked_repo / "campaignsync.toml"
    text = config.read_text(encoding="utf-8").replace("https://campaign.example.org", site, 1)
    config.write_text(text + '\n[links]\ntracking = "utm"\n', encoding="utf-8")
    narrow(linked_repo, "x", f"{base}/ok")
    cli_invoke(["build", "--repo", str(linked_repo)])
    post = (linked_repo / "dist/2026/de/x/welcome.txt").read_text(encoding="utf-8")
    assert (
        f"{base}/ok?utm_source=x&utm_medium=social&utm_campaign=2026&utm_content=de_welcome" in post
    )
    listing = cli_invoke(["links", "--repo", str(linked_repo)]).stdout
    assert listing.splitlines()[0] == f"{base}/ok"
    cli_invoke(["links", "--repo", str(linked_repo), "--check"])
    assert requests == [("HEAD", "/ok")]  # no tracking: a check is not a visit


def test_a_server_error_is_tried_again_then_reported() -> None:
    calls: list[str] = []

    class Flaky(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            calls.append(self.path)
            self.send_response(503 if len(calls) == 1 else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/page"
        answers = linkcheck.check([url], linkcheck.Options(timeout=2))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert answers[url].status == 200 and not answers[url].broken
    assert calls == ["/page", "/page"]


@pytest.mark.parametrize(
    ("body_host", "hint"),
    [
        pytest.param("example.net", True, id="two-hosts-unresolved"),
        pytest.param("example.org", False, id="one-host-alone: a site not live yet, say"),
    ],
)
def test_no_host_name_resolved_says_the_machine_may_be_offline(
    cli_invoke: CliInvoke,
    linked_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    body_host: str,
    hint: bool,
) -> None:
    def no_dns(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # (as on a machine without a network)
    body = f"\nSee [the list](https://{body_host}/x).\n"
    narrow(linked_repo, "x, email", "https://example.org/ok", body)
    args = ["links", "--repo", str(linked_repo), "--check", "--retries", "0"]
    result = cli_invoke(args, expect=1)
    assert f"error CS501: https://{body_host}/x: unknown host {body_host}" in result.stdout
    assert result.stdout.endswith("Checked 2 addresses: 0 fine, 0 redirected, 2 broken.\n")
    assert result.stderr == (
        "No host name could be resolved: is this machine offline, or its DNS server out of "
        "reach? Nothing says that these pages are gone.\n"
        if hint
        else ""
    )


def test_one_host_unresolved_among_answers_is_a_broken_link_alone(
    cli_invoke: CliInvoke,
    linked_repo: Path,
    server: tuple[str, list[tuple[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, _requests = server
    real = socket.getaddrinfo

    def some_dns(host: object, *args: object, **kwargs: object) -> object:
        if host == "example.net":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", some_dns)
    narrow(linked_repo, "x, email", f"{base}/ok", "\nSee [the list](https://example.net/x).\n")
    args = ["links", "--repo", str(linked_repo), "--check", "--retries", "0"]
    result = cli_invoke(args, expect=1)
    assert "unknown host example.net" in result.stdout and result.stderr == ""
