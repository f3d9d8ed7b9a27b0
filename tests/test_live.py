"""The live preview: serving the pack only, rebuilding on saves, problems instead of a crash."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke

from campaignsync import pipeline
from campaignsync.pack import live, watch


@pytest.fixture
def served(review_pack: Path) -> Iterator[tuple[int, live.State]]:
    state = live.State(baseline=live.hashes(review_pack))
    server = live.serve(review_pack, 0, state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], state
    finally:
        server.shutdown()
        server.server_close()


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """Send the path exactly as written (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_serves_pages_with_the_reload_hook_on_localhost(served: tuple[int, live.State]) -> None:
    port, _ = served
    status, body = raw_get(port, "/preview/de.html")
    assert status == 200
    assert body.rstrip().endswith(b'<script src="/_live/live.js"></script>\n</body>\n</html>')
    status, body = raw_get(port, "/_live/state")
    assert json.loads(body) == {"build": 0, "problems": [], "changed": []}
    assert raw_get(port, "/_live/live.js")[0] == 200
    assert raw_get(port, "/")[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../campaignsync.toml",
        "/../../campaignsync.toml",
        "/%2e%2e/campaignsync.toml",
        "/preview/..%2f..%2fcampaignsync.toml",
        "/..%5c..%5ccampaignsync.toml",
        "//etc/passwd",
        "/%00",
    ],
)
def test_serves_nothing_outside_the_pack(served: tuple[int, live.State], path: str) -> None:
    port, _ = served
    status, body = raw_get(port, path)
    assert status == 404 and b"[paths]" not in body and b"root:" not in body


def test_binds_to_localhost_by_default(review_pack: Path) -> None:
    server = live.serve(review_pack, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_a_broken_edit_gives_its_diagnostics_and_a_fix_rebuilds(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    out = small_repo / "dist"
    request = pipeline.Request()
    first = live.rebuild(small_repo, out, request)
    assert first.problems == () and first.hashes
    state = live.State()
    state.record(first)
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    good = message.read_text()
    message.write_text(good.replace("theme: passwords", "theme: passwords\nbogus: 1"))
    broken = live.rebuild(small_repo, out, request)
    assert broken.problems == (
        "content/messages/2026/kickoff.md:5: error CS011: unknown key 'bogus'",
    )
    assert broken.hashes is None
    state.record(broken)
    assert state.build == 2 and state.problems == broken.problems
    assert (out / "2026" / "index.html").is_file()  # the previous pack stays
    message.write_text(good.replace("Joint Cyber Awareness Month starts today", "Kickoff day"))
    fixed = live.rebuild(small_repo, out, request)
    state.record(fixed)
    assert state.problems == ()
    assert "en/x/kickoff.txt" not in state.changed  # the X post is the summary, not the title
    assert "en/web/kickoff.html" in state.changed and "index.html" in state.changed


def test_a_save_built_while_another_build_writes_waits_and_says_so(small_repo: Path) -> None:
    """preview's build after a save, a `campaignsync build` writing meanwhile: the preview
    waits for it, tells the terminal, then builds (or finds the pack current)."""
    from filelock import FileLock

    from campaignsync.pack import writelock

    out = small_repo / "dist"
    assert live.rebuild(small_repo, out, pipeline.Request()).problems == ()
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    message.write_text(message.read_text().replace("starts today", "starts now"))
    other = FileLock(str(out / writelock.NAME))  # another process's build, writing
    other.acquire()
    told: list[str] = []
    done: list[live.Outcome] = []
    saved = threading.Thread(
        target=lambda: done.append(
            live.rebuild(small_repo, out, pipeline.Request(), told=told.append)
        )
    )
    saved.start()
    try:
        for _ in range(3000):
            if told:
                break
            threading.Event().wait(0.01)
        assert told == [f"Waiting for another campaignsync build writing to {out}..."]
        assert not done
    finally:
        other.release()
        saved.join(60)
    assert done[0].problems == () and done[0].hashes
    assert "starts now" in (out / "2026" / "en" / "web" / "kickoff.html").read_text()


def test_the_files_changed_since_start_are_found_from_what_each_update_changed(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """After each update of the pack last recorded, only the paths it changed are looked at;
    the files marked are those that differ from the baseline, as comparing all would say:
    through two edits, one undone, a message removed and put back; after a pack built by
    another process, every file is compared."""
    out, request = small_repo / "dist", pipeline.Request()
    first = live.rebuild(small_repo, out, request)
    assert first.hashes is not None and first.updated_from is None  # a clean build
    state = live.State(baseline=dict(first.hashes))
    state.record(first)
    one, two = sorted((small_repo / "content" / "messages").rglob("*.md"))[:2]
    texts = {path: path.read_text(encoding="utf-8") for path in (one, two)}

    def edited(path: Path, word: str) -> Callable[[], object]:
        return lambda: path.write_text(texts[path].replace("\ntitle: ", f"\ntitle: {word} "))

    marked, recorded = [], first.hashes["manifest.json"]
    for edit, elsewhere in (
        (edited(one, "First"), False),
        (edited(two, "Second"), False),
        (lambda: one.write_text(texts[one]), False),
        (two.unlink, True),  # built by another process too, before the preview's build
        (lambda: two.write_text(texts[two]), False),
    ):
        edit()
        if elsewhere:
            cli_invoke(["build", "--repo", str(small_repo)])
            edited(one, "Third")()
        outcome = live.rebuild(small_repo, out, request)
        assert outcome.hashes is not None and outcome.updated_from is not None
        # An update of the pack last recorded (of another, when built elsewhere between).
        assert (outcome.updated_from[0] == recorded) is not elsewhere
        state.record(outcome)
        recorded = outcome.hashes["manifest.json"]
        every = sorted(p for p, h in outcome.hashes.items() if state.baseline.get(p) != h)
        assert state.changed == tuple(every)
        marked.append({Path(p).stem for p in state.changed} & {one.stem, two.stem})
    first_id, second_id = one.stem, two.stem
    assert marked == [
        {first_id},
        {first_id, second_id},
        {second_id},
        {first_id},  # the second's pages gone: none to mark
        {first_id},  # back as they were
    ]


def test_preview_reads_back_no_manifest_it_wrote_at_its_last_save(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild after a save takes the rows of the manifest the last one wrote from the
    bytes it holds; the pack is a clean build's all the same."""
    from campaignsync.pack import manifestrows

    out, request = small_repo / "dist", pipeline.Request(epoch=1790000000)
    read: list[Path] = []
    opened = Path.open
    monkeypatch.setattr(
        Path, "open", lambda p, *a, **k: (p.name == "manifest.json" and read.append(p))
        or opened(p, *a, **k),
    )  # fmt: skip
    spliced: list[bool] = []  # whether each build found the last manifest to splice into
    last = manifestrows._last

    def found(kept: Any) -> Any:
        got = last(kept)
        spliced.append(got[0] is not None)
        return got

    monkeypatch.setattr(manifestrows, "_last", found)
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    text = message.read_text(encoding="utf-8")
    assert live.rebuild(small_repo, out, request).hashes  # clean
    for word in ("Kickoff day", "Kickoff week", "Kickoff month"):
        message.write_text(text.replace("Joint Cyber Awareness Month starts today", word))
        assert live.rebuild(small_repo, out, request).problems == ()
    assert spliced == [False, True, True, True]
    assert len(read) == 1  # the first save's: the clean build's manifest
    clean = small_repo / "clean"
    pipeline.build_pack(small_repo, request, pipeline.Options(out=clean, jobs=1))
    assert (out / "2026" / "manifest.json").read_bytes() == (
        clean / "2026" / "manifest.json"
    ).read_bytes()


def test_watch_reports_saved_input_files(small_repo: Path) -> None:
    stop = threading.Event()
    found: list[set[str]] = []

    def run() -> None:
        for batch in watch.changes(small_repo, ("campaignsync.toml", "content"), stop):
            found.append(batch)
            stop.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    for _ in range(100):  # the watcher may need a moment to start
        message.write_text(message.read_text() + "\n")
        thread.join(0.2)
        if found:
            break
    stop.set()
    thread.join(5)
    assert found and "content/messages/2026/kickoff.md" in found[0]


def test_a_save_made_before_the_changes_are_asked_for_is_reported(small_repo: Path) -> None:
    # preview asks for changes once its first build is done: a save made during that
    # build, even at once, must not be lost (nor the one after it).
    stop = threading.Event()
    batches = watch.changes(small_repo, ("content", "locales"), stop)
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    message.write_text(message.read_text() + "\n")
    catalog = next((small_repo / "locales").rglob("*.po"))
    threading.Event().wait(0.5)  # a second burst, while the first waits
    catalog.write_text(catalog.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    threading.Event().wait(0.5)
    guard = threading.Timer(20, stop.set)  # a watcher that missed them ends, not hangs
    guard.daemon = True
    guard.start()
    found = next(batches, set())
    stop.set()
    guard.cancel()
    assert "content/messages/2026/kickoff.md" in found
    assert catalog.relative_to(small_repo).as_posix() in found  # both bursts as one
    assert list(batches) == []  # and the watching ends with ``stop``


def test_bursts_told_meanwhile_come_as_one_then_the_end_or_what_stopped_the_watching() -> None:
    import queue

    told: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for item in ({"a"}, {"b"}, None):  # the watching ended after two bursts
        told.put(item)
    assert list(watch._bursts(told)) == [{"a", "b"}]
    failing: queue.SimpleQueue[Any] = queue.SimpleQueue()
    failing.put({"c"})
    failing.put(OSError(28, "inotify watch limit reached"))
    bursts = watch._bursts(failing)
    assert next(bursts) == {"c"}
    with pytest.raises(OSError, match="inotify watch limit reached"):
        next(bursts)


def test_preview_without_watch_and_without_a_pack_says_to_build_first(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    result = cli_invoke(["preview", "--repo", str(small_repo), "--no-watch"], expect=1)
    assert (
        result.stderr
        == f"error: no pack in {small_repo / 'dist' / '2026'}; run 'campaignsync build' first\n"
    )


def test_preview_on_a_port_in_use_says_so(cli_invoke: CliInvoke, small_repo: Path) -> None:
    cli_invoke(["build", "--repo", str(small_repo)])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli_invoke(
            ["preview", "--repo", str(small_repo), "--port", str(port), "--no-watch"], expect=1
        )
    assert result.stderr == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_preview_stopped_with_ctrl_c_says_so_and_exits_0(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.commands import preview

    cli_invoke(["build", "--repo", str(small_repo)])

    def ctrl_c(self: preview.Preview) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(preview.Preview, "serve", ctrl_c)
    result = cli_invoke(["preview", "--repo", str(small_repo), "--port", "0", "--no-watch"])
    assert result.stdout.startswith("Serving ")
    assert result.stdout.endswith("(Ctrl-C stops)\nStopped.\n")


def test_problems_page_when_there_is_no_pack(tmp_path: Path) -> None:
    state = live.State()
    state.record(live.Outcome(("campaignsync.toml:1: error CS001: broken",)))
    server = live.serve(tmp_path, 0, state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert response.status == 200
        assert b"The pack could not be built" in response.read()
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_asked_for_during_the_first_build_says_it_is_coming_and_reloads(
    tmp_path: Path,
) -> None:
    state = live.State(building=True)
    server = live.serve(tmp_path, 0, state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        status, body = raw_get(port, "/")
        assert status == 200
        assert b"Building the pack" in body
        assert b'<meta http-equiv="refresh"' in body and b"/_live/live.js" in body
        assert raw_get(port, "/preview/de.html")[0] == 200
        assert raw_get(port, "/manifest.json")[0] == 404  # only pages wait for the build
        state.record(live.Outcome((), {}))
        assert json.loads(raw_get(port, "/_live/state")[1])["build"] == 1
        assert raw_get(port, "/") == (404, b"Not found in the pack\n")
    finally:
        server.shutdown()
        server.server_close()


def _held_builds(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Hold every preview build until the event returned is set."""
    release = threading.Event()
    real = live.rebuild

    def slow(*args: Any) -> live.Outcome:
        assert release.wait(30)
        return real(*args)

    monkeypatch.setattr(live, "rebuild", slow)
    return release


def test_preview_answers_before_its_first_build_is_done(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.commands import preview

    release = _held_builds(monkeypatch)
    seen: list[tuple[str, ...]] = []
    options = preview.Options(out=tmp_path / "out", port=0)
    started = preview.start(small_repo, options, seen.append)
    thread = threading.Thread(target=started.serve, daemon=True)
    thread.start()
    port = int(started.address.rsplit(":", 1)[1].rstrip("/"))
    try:
        status, body = raw_get(port, "/index.html")
        assert status == 200 and b"Building the pack" in body
        release.set()
        for _ in range(600):
            if seen:
                break
            threading.Event().wait(0.1)
        assert seen == [()]
        status, body = raw_get(port, "/index.html")
        assert status == 200 and b"Building the pack" not in body and b"</main>" in body
    finally:
        started.server.shutdown()
        started.close()


def test_a_save_builds_the_folder_first_and_the_zip_after(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pack import asidezip, manifest

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    out = tmp_path / "out"
    folder, request = out / "2026", pipeline.Request(epoch=1790000000)
    first = live.rebuild(small_repo, out, request, 1, None, folder)  # no zip yet: made with it
    assert first.hashes and (out / "2026.zip").is_file()
    before = (out / "2026.zip").read_bytes()
    unchanged = live.rebuild(small_repo, out, request, 1, None, folder)
    assert unchanged.hashes == first.hashes and (out / "2026.zip").read_bytes() == before
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    message.write_text(message.read_text().replace("starts today", "begins today"))
    saved = live.rebuild(small_repo, out, request, 1, None, folder)
    assert (
        saved.hashes and saved.hashes["en/web/kickoff.html"] != first.hashes["en/web/kickoff.html"]
    )
    assert saved.hashes == manifest.hashes(folder)  # as the build wrote them: its manifest's
    assert live.hashes(folder) == saved.hashes  # as the build kept them
    assert not (out / "2026.zip").exists()  # the pages have the folder; the zip waits
    assert asidezip.zip_path(out, "2026").read_bytes() == before

    def no_rendering(*args: object) -> None:
        raise AssertionError("rendered: only the zip was to be made")

    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "render_units", no_rendering)
        assert live.zip_again(small_repo, out, request) == ()
    assert not asidezip.zip_path(out, "2026").exists()
    assert pipeline.build_pack(small_repo, request, pipeline.Options(out=out)).built is None
    clean = tmp_path / "clean"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(clean)])
    assert (out / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_a_save_while_the_folder_was_built_leaves_the_zip_to_its_own_build(
    small_repo: Path, tmp_path: Path
) -> None:
    from campaignsync.pack import asidezip

    out = tmp_path / "out"
    folder, request = out / "2026", pipeline.Request(epoch=1790000000)
    live.rebuild(small_repo, out, request, 1, None, folder)
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    message.write_text(message.read_text().replace("starts today", "begins today"))
    live.rebuild(small_repo, out, request, 1, None, folder)
    message.write_text(message.read_text().replace("begins today", "opens today"))
    assert live.zip_again(small_repo, out, request) == ()  # the next save's build follows
    assert not (out / "2026.zip").exists() and asidezip.zip_path(out, "2026").is_file()


def test_what_stops_a_build_the_zip_or_the_watching_is_shown_and_preview_goes_on() -> None:
    state = live.State()
    outcomes: list[tuple[str, ...]] = []
    calls = iter([RuntimeError("disk gone"), live.Outcome((), {})])

    def rebuild(_: set[str]) -> live.Outcome:
        step = next(calls)
        if isinstance(step, Exception):
            raise step
        return step

    def batches() -> Iterator[set[str]]:
        yield {"a"}
        raise OSError(28, "inotify watch limit reached")

    def record(outcome: live.Outcome) -> None:
        outcomes.append(outcome.problems)

    state.record = record  # type: ignore[method-assign]
    told: list[tuple[str, ...]] = []
    live.build_then_follow(batches(), rebuild, state, told.append, lambda: ("zip: full",))
    assert told == [("the build stopped: disk gone",), ()]  # each build's, as the pages have
    assert outcomes == [
        ("the build stopped: disk gone",),
        (),
        ("zip: full",),
        ("saves are no longer followed: [Errno 28] inotify watch limit reached",),
    ]


@pytest.mark.parametrize("problems", [(), ("a problem",)])
def test_the_zip_comes_after_each_build_is_recorded_and_only_after_one_that_worked(
    problems: tuple[str, ...],
) -> None:
    state = live.State()
    seen: list[int] = []
    done = live.Outcome(problems, None if problems else {})
    live.build_then_follow(
        iter([{"a"}, {"b"}]),
        lambda _: done,
        state,
        lambda _: None,
        lambda: seen.append(state.build) or (),
    )
    assert seen == ([] if problems else [1, 2, 3])


def test_the_hashes_of_a_pack_touched_since_its_build_are_read_from_its_manifest(
    small_repo: Path, tmp_path: Path
) -> None:
    from campaignsync.pack import manifest

    out = tmp_path / "out"
    live.rebuild(small_repo, out, pipeline.Request(epoch=1790000000))
    folder = out / "2026"
    kept = live.hashes(folder)
    assert kept == manifest.hashes(folder)
    listed = folder / "manifest.json"
    text = listed.read_text(encoding="utf-8")
    assert text.count(kept["calendar.ics"]) == 1
    listed.write_text(text.replace(kept["calendar.ics"], "0" * 64), encoding="utf-8")
    touched = hashlib.sha256(listed.read_bytes()).hexdigest()
    assert live.hashes(folder) == {**kept, "calendar.ics": "0" * 64, "manifest.json": touched}


def test_a_stopped_preview_finishes_the_build_under_way_and_its_zip(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.commands import preview

    release = _held_builds(monkeypatch)
    out = tmp_path / "out"
    started = preview.start(small_repo, preview.Options(out=out, port=0), lambda _: None)
    started.close()  # Ctrl-C while the first build runs
    assert not started.finished(0.2)
    release.set()
    assert started.finished(60)
    assert (out / "2026" / "index.html").is_file() and (out / "2026.zip").is_file()


def test_preview_says_in_the_terminal_how_each_build_after_a_save_went(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from campaignsync.cli.build import _Told

    told = _Told()
    told(())  # the first build worked: the "Serving ..." line said enough
    assert capsys.readouterr() == ("", "")
    told(("content/messages/2026/kickoff.md:5: error CS011: unknown key 'bogus'",))
    assert capsys.readouterr() == (
        "",
        "The build after a save stopped (the page shows it too):\n"
        "content/messages/2026/kickoff.md:5: error CS011: unknown key 'bogus'\n",
    )
    told(())
    assert capsys.readouterr() == ("Rebuilt after a save: the open pages reload.\n", "")
