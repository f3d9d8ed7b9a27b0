"""The link check's door to the network: each address asked once, politely and patiently.

The only module that opens network connections (standard library ``http.client``),
and only ``campaignsync links --check`` calls it: ``build`` and ``check`` never
touch the network. Each address gets a HEAD request, then a GET when HEAD is
refused or answered with an error status (some servers answer HEAD wrongly);
redirects are followed one hop at a time so each can be reported; a request
that times out, fails to connect or gets a 5xx or 429 answer is tried again.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Options:
    """How patient the check is and how many addresses it asks at once."""

    timeout: float = 10.0
    retries: int = 1
    workers: int = 8
    max_redirects: int = 10
    user_agent: str = "campaignsync-linkcheck"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the web said about one address: the final status, or why there was none."""

    status: int | None
    reason: str = ""
    #: Each hop: the redirect status and the address it led to.
    redirects: tuple[tuple[int, str], ...] = ()
    error: str | None = None
    #: The host name that could not be resolved, when that is the error.
    unresolved: str = ""

    @property
    def broken(self) -> bool:
        """Return True when the address leads to no page (an error status or no answer)."""
        return self.error is not None or self.status is None or self.status >= 400

    def describe(self) -> str:
        """Return the answer in words: '404 Not Found', '301 to https://b/, then 200 OK'."""
        hops = ", ".join(f"{status} to {location}" for status, location in self.redirects)
        end = self.error or f"{self.status} {self.reason}".rstrip()
        return f"{hops}, then {end}" if hops else end


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int = 0
    reason: str = ""
    location: str | None = None
    error: str | None = None
    unresolved: str = ""


def offline(answers: Mapping[str, Answer]) -> bool:
    """Say whether the answers look like a machine that resolves no host name at all.

    Every address failed so, on two hosts or more: one host alone may be a site not live
    yet, or a mistyped name.
    """
    hosts = {answer.unresolved for answer in answers.values()}
    return len(hosts) >= 2 and "" not in hosts


def check(urls: Iterable[str], options: Options) -> dict[str, Answer]:
    """Return the answer for every address, asking at most ``options.workers`` at once."""
    wanted = sorted(set(urls))
    if not wanted:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(options.workers, len(wanted)))) as pool:
        answers = list(pool.map(lambda url: _follow(url, options), wanted))
    return dict(zip(wanted, answers, strict=True))


def _follow(url: str, options: Options) -> Answer:
    """Ask for ``url`` and follow its redirects, one hop at a time."""
    hops: list[tuple[int, str]] = []
    current = url
    for _ in range(options.max_redirects + 1):
        reply = _ask(current, options)
        if reply.error is not None:
            return Answer(None, "", tuple(hops), reply.error, reply.unresolved)
        if reply.status in _REDIRECTS and reply.location:
            current = urljoin(current, reply.location)
            hops.append((reply.status, current))
            continue
        return Answer(reply.status, reply.reason, tuple(hops))
    return Answer(None, "", tuple(hops), f"more than {options.max_redirects} redirects")


def _ask(url: str, options: Options) -> _Reply:
    """HEAD the address; GET it when HEAD gets an error status."""
    reply = _request("HEAD", url, options)
    if reply.error is None and reply.status >= 400:
        return _request("GET", url, options)
    return reply


def _request(method: str, url: str, options: Options) -> _Reply:
    """Send one request, trying again after a network failure or a 5xx or 429 answer."""
    reply = _Reply()
    tries = options.retries + 1
    for _ in range(tries):
        reply = _once(method, url, options)
        if reply.error is None and reply.status < 500 and reply.status != 429:
            return reply
    if reply.error is not None:
        error = f"{reply.error} ({tries} tries)" if tries > 1 else reply.error
        return _Reply(error=error, unresolved=reply.unresolved)
    return reply


def _once(method: str, url: str, options: Options) -> _Reply:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _Reply(error="not an http(s) address")
    connection: http.client.HTTPConnection
    try:
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port
        if parts.scheme == "https":
            context = ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                host, port, timeout=options.timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=options.timeout)
    except (ValueError, UnicodeError):
        return _Reply(error="not a valid address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": options.user_agent, "Accept": "*/*"}
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        if method == "GET":
            response.read(64 * 1024)
        return _Reply(response.status, response.reason, response.getheader("Location"))
    except TimeoutError:
        return _Reply(error=f"no answer within {options.timeout:g} s")
    except ConnectionRefusedError:
        return _Reply(error="connection refused")
    except ssl.SSLError as exc:
        return _Reply(error=f"TLS failed: {exc.reason or exc}")
    except socket.gaierror:
        return _Reply(error=f"unknown host {host}", unresolved=host)
    except (OSError, http.client.HTTPException) as exc:
        return _Reply(
            error=f"request failed: {exc.strerror or exc}"
            if isinstance(exc, OSError)
            else f"request failed: {type(exc).__name__}"
        )
    finally:
        connection.close()
