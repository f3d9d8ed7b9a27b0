"""The live preview: serve a pack's gallery on localhost and follow the user's saves.

After each save the pack is rebuilt through the normal build (so an incremental
build does only what changed); the pages poll ``/_live/state`` and reload when
the build id moves. A build that fails keeps the server up and the page shows
the diagnostics instead of the previous pack. Nothing outside the pack folder
is served.
"""

from __future__ import annotations

import http.server
import json
import posixpath
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.errors import CampaignsyncError, DiagnosticsError
from campaignsync.pack.gallery import THEME

if TYPE_CHECKING:
    from campaignsync.pipeline import Request

#: Added before ``</body>`` of every HTML page the live server sends.
_HOOK = b'<script src="/_live/live.js"></script>\n</body>'


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one (re)build gave: the problems that stopped it, or the new pack's file hashes."""

    problems: tuple[str, ...] = ()
    hashes: dict[str, str] | None = None
    #: For an update: the manifest's sha256 of the pack it updated, and the paths whose
    #: hashes it changed (those of the others are as they were there).
    updated_from: tuple[str, frozenset[str]] | None = None


@dataclass
class State:
    """What the open pages poll: the build number, problems, and files changed since start.

    ``baseline`` holds the hashes of the pack that was there when the preview
    started: the gallery marks every post whose files differ from it.
    """

    baseline: dict[str, str] = field(default_factory=dict)
    build: int = 0
    problems: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    #: True until the first build is recorded: a page not in the pack yet says it is coming.
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: The manifest's sha256 of the pack whose hashes ``changed`` was last found from.
    _last: str = field(default="", init=False)

    def record(self, outcome: Outcome) -> None:
        """Take in a build's outcome: a new build number so that open pages reload."""
        with self.lock:
            self.building = False
            self.build += 1
            self.problems = outcome.problems
            if outcome.hashes is not None and not self.baseline:
                self.baseline = dict(outcome.hashes)  # no earlier pack: nothing changed yet
            if outcome.hashes is not None:
                self.changed = self._changed(outcome.hashes, outcome.updated_from)
                self._last = outcome.hashes.get("manifest.json", "")

    def _changed(
        self, hashes: Mapping[str, str], update: tuple[str, frozenset[str]] | None
    ) -> tuple[str, ...]:
        """Return the paths whose files differ from the baseline's, in order.

        After an update of the pack last recorded, only the paths it changed are looked at.
        """
        was = self.baseline.get
        if update is None or not self._last or update[0] != self._last:
            return tuple(sorted(p for p, h in hashes.items() if was(p) != h))
        changed = set(self.changed)
        for path in update[1]:
            now = hashes.get(path)
            if now is not None and was(path) != now:
                changed.add(path)
            else:
                changed.discard(path)
        return tuple(sorted(changed))

    def as_json(self) -> bytes:
        """Return the state as the pages read it."""
        with self.lock:
            document = {
                "build": self.build,
                "problems": list(self.problems),
                "changed": list(self.changed),
            }
        return json.dumps(document).encode()


def hashes(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file of the pack in ``folder`` (``kept.folder_hashes``)."""
    from campaignsync.pack import kept

    return kept.folder_hashes(folder)


def rebuild(
    root: Path,
    out: Path,
    request: Request,
    jobs: int = 1,
    clock: Callable[[], int] | None = None,
    folder_first: Path | None = None,
    told: Callable[[str], None] | None = None,
) -> Outcome:
    """Build the pack through the normal build; return its hashes or what stopped it.

    ``clock`` gives the time of each build's start (saves just before are hashed too).
    ``folder_first`` is the pack's folder: when its zip is beside it and an input
    changed, the folder is built alone (``--no-zip``, the zip set aside), so that the
    pages reload sooner; :func:`zip_again` brings the zip back after. ``told`` hears when
    the build waits for another one writing into ``out``.
    """
    from campaignsync import pipeline
    from campaignsync.checks import report
    from campaignsync.pack import again

    again.builds_again()
    try:
        options = pipeline.Options(out=out, jobs=jobs, clock=clock() if clock else None, told=told)
        if folder_first is not None and _zip_waits(root, out, request, options.clock, folder_first):
            request = replace(request, zipped=False)
        done = pipeline.build_pack(root, request, options)
    except DiagnosticsError as exc:
        shown = [report.text_line(d) for d in exc.diagnostics if d.is_error]
        return Outcome(tuple(shown) or (f"{exc}; {exc.outcome}",))
    except CampaignsyncError as exc:
        return Outcome((str(exc),))
    # The build's record of what it wrote, else (nothing built) the manifest's: 61 MB of JSON
    # at 500 messages x 26 locales, 1.2-1.5 s to read back.
    update = done.pack.updated_from
    updated = (update[0].get("manifest.json", ""), update[1]) if update is not None else None
    return Outcome((), dict(done.pack.digests) or hashes(done.pack.folder), updated)


def _zip_waits(root: Path, out: Path, request: Request, clock: int | None, folder: Path) -> bool:
    """Return True when the zip of ``folder`` can wait for the folder: it is there, and old."""
    from campaignsync import pipeline

    if not request.zipped or not (folder.parent / f"{folder.name}.zip").is_file():
        return False  # none to set aside (a first build): made with the folder, as workers go
    return pipeline.unchanged(root, out, request, clock)[1] is None


def zip_again(
    root: Path, out: Path, request: Request, jobs: int = 1, clock: Callable[[], int] | None = None
) -> tuple[str, ...]:
    """Bring the pack's zip up to date after :func:`rebuild` built its folder first.

    Only while the folder is current (no save since its build): the zip alone is made
    from the one set aside (``pipeline.nochange.zip_again``), or else by a build with the
    zip. A save meanwhile is left to its own build. Returns what stopped it (nothing: done).
    """
    from campaignsync import pipeline

    now = clock() if clock else None
    try:
        if pipeline.unchanged(root, out, replace(request, zipped=False), now)[1] is None:
            return ()  # a save since (its build comes next), or the zip made with the folder
        pipeline.build_pack(root, request, pipeline.Options(out=out, jobs=jobs, clock=now))
    except CampaignsyncError as exc:
        return (f"the zip was not made again: {exc}",)
    return ()


def follow(
    batches: Iterable[set[str]],
    rebuild: Callable[[set[str]], Outcome],
    state: State,
    after: Callable[[], tuple[str, ...]] | None = None,
    told: Callable[[tuple[str, ...]], None] | None = None,
) -> None:
    """Rebuild after each burst of saves, recording each outcome for the open pages.

    ``after`` runs once an outcome without problems is recorded (the zip made again); what
    stops it is recorded too. ``told`` receives each build's problems (none: it worked).
    What stops a build or the watching unforeseen is shown as a problem in the pages
    rather than ending this thread unseen.
    """
    try:
        for changed in batches:
            _step(partial(rebuild, changed), state, after, told)
    except Exception as exc:  # the watching failed (too many files to watch, say)
        state.record(Outcome((f"saves are no longer followed: {exc}",)))


def build_then_follow(
    batches: Iterable[set[str]],
    rebuild: Callable[[set[str]], Outcome],
    state: State,
    problems: Callable[[tuple[str, ...]], None],
    after: Callable[[], tuple[str, ...]] | None = None,
) -> None:
    """Make the first build (the server answers already), then follow; each tells its problems."""
    _step(partial(rebuild, set()), state, after, problems)
    follow(batches, rebuild, state, after, problems)


def _step(
    build: Callable[[], Outcome],
    state: State,
    after: Callable[[], tuple[str, ...]] | None,
    told: Callable[[tuple[str, ...]], None] | None = None,
) -> None:
    """Build and record the outcome (handed to ``told``), then ``after`` if it had no problems."""
    try:
        outcome = build()
    except Exception as exc:  # unforeseen: told in the pages, the preview goes on
        outcome = Outcome((f"the build stopped: {exc}",))
    state.record(outcome)
    if told is not None:
        told(outcome.problems)
    if after is None or outcome.problems:
        return
    try:
        stopped = after()
    except Exception as exc:
        stopped = (f"the zip was not made again: {exc}",)
    if stopped:
        state.record(Outcome(stopped))


def serve(
    folder: Path, port: int, state: State | None = None, host: str = "127.0.0.1"
) -> http.server.ThreadingHTTPServer:
    """Return a server of ``folder`` (call serve_forever()); ``state`` makes it live."""
    live = state or State()

    class Handler(_Handler):
        root = folder.resolve()
        status = live
        follows = state is not None

    return http.server.ThreadingHTTPServer((host, port), Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves files of the pack folder only, and the live state."""

    root: Path
    status: State
    follows: bool

    def do_GET(self) -> None:
        """Send a file of the pack, the live script or the live state."""
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if path == "/_live/state":
            return self._send(200, "application/json", self.status.as_json())
        if path == "/_live/live.js":
            return self._send(200, "text/javascript", (THEME / "live.js").read_bytes())
        target = self._inside(path)
        if target is not None and target.is_dir():
            target = target / "index.html"
        if target is None or not target.is_file():
            if self.status.building and path.endswith((".html", "/")):
                return self._send(200, "text/html; charset=utf-8", _building_page())
            if path in ("/", "/index.html") and self.status.problems:
                return self._send(200, "text/html; charset=utf-8", _problems_page())
            return self._send(404, "text/plain; charset=utf-8", b"Not found in the pack\n")
        data = target.read_bytes()
        kind = _TYPES.get(target.suffix, "application/octet-stream")
        if self.follows and target.suffix == ".html" and b"</body>" in data:
            data = data.replace(b"</body>", _HOOK, 1)
        return self._send(200, kind, data)

    def _inside(self, path: str) -> Path | None:
        """Return the file a URL path names inside the pack, or None if it leaves the pack."""
        clean = posixpath.normpath("/" + path.lstrip("/"))
        if "\\" in clean or "\0" in clean:
            return None
        target = (self.root / clean.lstrip("/")).resolve()
        return target if target == self.root or self.root in target.parents else None

    def _send(self, code: int, kind: str, data: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Log nothing: the command prints the address once."""


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".ics": "text/calendar; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".eml": "message/rfc822",
}


def _building_page() -> bytes:
    # Reloaded by the live script when the build is recorded, or by the refresh at worst.
    return (
        b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Building</title>'
        b'<meta name="viewport" content="width=device-width, initial-scale=1">'
        b'<meta http-equiv="refresh" content="2">'
        b'<link rel="icon" href="data:,">'
        b"</head><body><main><h1>Building the pack&#8230;</h1>"
        b"<p>This page shows the gallery as soon as the first build is done.</p></main>\n"
        b"</body></html>\n"
    ).replace(b"</body>", _HOOK, 1)


def _problems_page() -> bytes:
    return (
        b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
        b'<meta name="viewport" content="width=device-width, initial-scale=1">'
        b'<link rel="icon" href="data:,">'
        b"</head><body><main><h1>The pack could not be built</h1></main>\n</body></html>\n"
    ).replace(b"</body>", _HOOK, 1)
