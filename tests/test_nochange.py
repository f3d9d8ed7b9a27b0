"""With nothing changed, ``build`` and ``check`` answer from file metadata, importing none of
what loading, rendering or writing needs.

The figures live in benchmarks/; what these tests keep is the cause of the speed:
the modules (and libraries) a command with nothing to do loads. Each runs the
command in a fresh Python, as a user does, and lists what that Python imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from campaignsync.pipeline import lastcheck
from tests.conftest import CliInvoke

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}

#: Libraries and campaignsync modules that loading, rendering or writing a pack needs.
HEAVY = (
    "babel",
    "jinja2",
    "git",
    "yaml",
    "markdown",
    "icalendar",
    "regex",
    "nh3",
    "pyphen",
    "dateutil",
    "filelock",
    "zipfile",
    "campaignsync.model",
    "campaignsync.load.config",
    "campaignsync.load.project",
    "campaignsync.l10n",
    "campaignsync.render",
    "campaignsync.channels",
    "campaignsync.checks",
    "campaignsync.pack.writer",
    "campaignsync.pack.cache",
    "campaignsync.pipeline.building",
    "campaignsync.pipeline.workers",
)
#: What ``check`` giving its last answer again may not import (a full check of the fresh
#: repository imports them all): no check runs, though the answer is diagnostics
#: (``model``) printed by ``checks.report``.
CHECK_HEAVY = (
    "babel",
    "jinja2",
    "yaml",
    "markdown",
    "regex",
    "nh3",
    "pyphen",
    "dateutil",
    "zipfile",
    "campaignsync.load.config",
    "campaignsync.load.project",
    "campaignsync.l10n",
    "campaignsync.render",
    "campaignsync.channels",
    "campaignsync.checks.access",
    "campaignsync.checks.terms",
    "campaignsync.pack.writer",
    "campaignsync.pack.cache",
    "campaignsync.pipeline.rechecking",
    "campaignsync.pipeline.workers",
)

#: Runs the command line as ``campaignsync ARGS`` would, then prints every module imported.
PROBE = """
import json, sys
from campaignsync.cli import main
sys.argv[0] = "campaignsync"
try:
    main()
except SystemExit as exc:
    print("EXIT", exc.code)
print("MODULES", json.dumps(sorted(sys.modules)))
"""


def run_fresh(*args: str) -> tuple[str, set[str]]:
    """Return what ``campaignsync ARGS`` printed in a new Python, and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    printed, _, listed = done.stdout.rpartition("MODULES ")
    return printed, set(json.loads(listed))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Return the names (or packages) of ``names`` that ``modules`` holds."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def first_built(cli_invoke: CliInvoke, repo: Path) -> tuple[Path, str, list[str]]:
    """Build ``repo`` once; return one of its message files, that file's text, the command."""
    message = repo / "content" / "messages" / "2026" / "authenticator-app.md"
    build = ["build", "--repo", str(repo)]
    cli_invoke(build, env=EPOCH)
    return message, message.read_text(encoding="utf-8"), build


def test_the_probe_sees_what_a_real_build_imports(tmp_path: Path, committed_repo: Path) -> None:
    printed, modules = run_fresh("build", "--repo", str(committed_repo))
    assert printed.startswith("Built ")
    assert loaded(modules, HEAVY) == list(HEAVY)


def test_build_with_nothing_changed_imports_nothing_heavy(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    cli_invoke(["build", "--repo", str(committed_repo)])
    printed, modules = run_fresh("build", "--repo", str(committed_repo))
    assert printed.startswith("Up to date: ")
    assert loaded(modules, HEAVY) == []


def test_the_probe_sees_what_a_real_check_imports(committed_repo: Path) -> None:
    printed, modules = run_fresh("check", "--repo", str(committed_repo))
    assert "EXIT 0" in printed
    assert loaded(modules, CHECK_HEAVY) == list(CHECK_HEAVY)


def test_check_with_nothing_changed_imports_nothing_heavy(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    first = cli_invoke(["check", "--repo", str(committed_repo)])
    printed, modules = run_fresh("check", "--repo", str(committed_repo))
    assert printed == f"{first.stdout}EXIT 0\n"
    assert loaded(modules, CHECK_HEAVY) == []


def test_a_library_installed_upgraded_or_removed_makes_build_and_check_run_again(
    cli_invoke: CliInvoke, committed_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    libraries = tmp_path / "site-packages"
    (libraries / "somelib-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(libraries))
    args = ["build", "--repo", str(committed_repo)]
    assert cli_invoke(args).stdout.startswith("Built ")
    assert cli_invoke(args).stdout.startswith("Up to date: ")
    checked = lastcheck.stamp(committed_repo, None)
    (libraries / "somelib-1.0.dist-info").rename(libraries / "somelib-1.1.dist-info")
    assert lastcheck.stamp(committed_repo, None) != checked
    assert cli_invoke(args).stdout.startswith("Built ")
    assert cli_invoke(args).stdout.startswith("Up to date: ")


def test_an_input_changed_again_within_its_clock_tick_is_not_taken_as_unchanged(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    # A file saved twice within one tick of the file system's clock, same size, keeps its
    # size, time and inode: build and check must still see that the content changed.
    from tests.test_pack import rewrite_in_place

    message = sample_repo / "content" / "messages" / "2026" / "authenticator-app.md"
    soon = time.time_ns() + 60 * 10**9  # as changed "just now" for as long as the test runs
    os.utime(message, ns=(soon, soon))
    build = ["build", "--repo", str(sample_repo)]
    check = ["check", "--repo", str(sample_repo), "--now", "2026-09-01"]
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Up to date: ")
    cli_invoke(check, env=EPOCH)
    assert lastcheck.recall(sample_repo, None, datetime(2026, 9, 1), time.time_ns()) is not None
    text = message.read_text(encoding="utf-8")
    rewrite_in_place(message, text.replace("Every second step", "EVERY second step"))
    assert lastcheck.recall(sample_repo, None, datetime(2026, 9, 1), time.time_ns()) is None
    rebuilt = cli_invoke(build, env=EPOCH)
    assert rebuilt.stdout.startswith("Built ")
    page = sample_repo / "dist" / "2026" / "en" / "linkedin" / "authenticator-app.txt"
    assert "EVERY second step" in page.read_text(encoding="utf-8")
    # Recorded again with the new content: nothing changed since.
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Up to date: ")


def test_preview_rebuilds_after_a_save_within_one_clock_tick(sample_repo: Path) -> None:
    # preview --watch rebuilds on each burst of saves: two saves within one tick of the
    # file system's clock must not leave the second unseen.
    from campaignsync.pack import live
    from campaignsync.pipeline import Request
    from tests.test_pack import rewrite_in_place

    message = sample_repo / "content" / "messages" / "2026" / "authenticator-app.md"
    soon = time.time_ns() + 60 * 10**9
    os.utime(message, ns=(soon, soon))
    out = sample_repo / "dist"
    first = live.rebuild(sample_repo, out, Request(epoch=1790000000), 1, time.time_ns)
    text = message.read_text(encoding="utf-8")
    rewrite_in_place(message, text.replace("Every second step", "EVERY second step"))
    second = live.rebuild(sample_repo, out, Request(epoch=1790000000), 1, time.time_ns)
    assert first.hashes and second.hashes and first.hashes != second.hashes
    changed = {path for path, sha in second.hashes.items() if first.hashes.get(path) != sha}
    assert "en/linkedin/authenticator-app.txt" in changed


def test_a_build_waits_for_the_build_writing_its_folder_and_takes_its_pack(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same edit built twice at once (two terminals, or preview after the save): the
    second build waits for the first, then finds the pack it wanted and builds nothing."""
    from campaignsync import pipeline
    from campaignsync.cli import build as build_command
    from campaignsync.pack import state
    from campaignsync.pipeline import building

    message, text, build = first_built(cli_invoke, sample_repo)
    message.write_text(text.replace("Every second step", "EACH second step"), "utf-8")
    recorded, holding, waiting, builds = state.remember, threading.Event(), threading.Event(), []

    def when_the_other_waits(*args: object) -> None:  # the first build, holding the lock
        if not holding.is_set():
            holding.set()
            assert waiting.wait(60)
        recorded(*args)  # type: ignore[arg-type]

    def told(text: str) -> None:
        build_command.click.echo(text, err=True)
        waiting.set()

    def building_changed(*args: Any, **kwargs: Any) -> Any:
        builds.append(threading.current_thread())
        return changed(*args, **kwargs)

    changed = building.build_changed
    monkeypatch.setattr(building, "build_changed", building_changed)
    monkeypatch.setattr(state, "remember", when_the_other_waits)
    monkeypatch.setattr(build_command, "tell", told)
    first = threading.Thread(
        target=pipeline.build_pack,
        args=(
            sample_repo,
            pipeline.Request(epoch=1790000000),
            pipeline.Options(clock=time.time_ns()),
        ),
    )
    first.start()
    try:
        assert holding.wait(60)
        second = cli_invoke(build, env=EPOCH)
    finally:
        waiting.set()
        first.join(60)
    assert second.stderr == (
        f"Waiting for another campaignsync build writing to {sample_repo / 'dist'}...\n"
    )
    assert second.stdout.startswith("Up to date: "), second.stdout
    assert builds == [first]  # the second loaded nothing
    page = sample_repo / "dist" / "2026" / "en" / "linkedin" / "authenticator-app.txt"
    assert "EACH second step" in page.read_text(encoding="utf-8")


def test_a_build_up_to_date_waits_for_the_build_writing_its_folder(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    """The pack there matches the inputs (an edit undone, say) while another build writes a
    new one: the answer waits for that build, or "Up to date" would name a pack about to go."""
    from filelock import FileLock

    from campaignsync import pipeline
    from campaignsync.pack import writelock

    first_built(cli_invoke, sample_repo)
    other = FileLock(str(sample_repo / "dist" / writelock.NAME))  # another build, writing
    other.acquire()
    told: list[str] = []
    done: list[object] = []
    build = threading.Thread(
        target=lambda: done.append(
            pipeline.build_pack(
                sample_repo,
                pipeline.Request(epoch=1790000000),
                pipeline.Options(clock=time.time_ns(), told=told.append),
            )
        )
    )
    build.start()
    try:
        deadline = time.monotonic() + 30
        while not told and time.monotonic() < deadline:
            time.sleep(0.01)
        assert told == [
            f"Waiting for another campaignsync build writing to {sample_repo / 'dist'}..."
        ]
        assert not done
    finally:
        other.release()
        build.join(60)
    assert done and done[0].built is None  # type: ignore[attr-defined]


def test_a_build_records_its_pack_before_another_build_can_write_one(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Were a build's record written after it let the write lock go, a build that wrote
    # meanwhile would have its pack recorded under the first build's inputs: those inputs
    # again would then be "Up to date" with the other pack in the folder.
    from click.testing import CliRunner

    from campaignsync.cli import cli
    from campaignsync.pack import state

    message, text, build = first_built(cli_invoke, sample_repo)
    recorded, meanwhile = state.remember, []

    def another_build_first(*args: object) -> None:
        if not meanwhile:  # this build's record: another build with other inputs tries now
            message.write_text(text.replace("Every second step", "LATER second step"), "utf-8")
            meanwhile.append(CliRunner().invoke(cli, build, env=EPOCH))
        recorded(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(state, "remember", another_build_first)
    message.write_text(text.replace("Every second step", "FIRST second step"), "utf-8")
    first = message.stat().st_mtime_ns
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert meanwhile[0].exit_code == 1
    assert meanwhile[0].stderr == (
        f"error: another campaignsync build is writing to {sample_repo / 'dist'}; "
        "wait for it to finish\n"
    )
    message.write_text(text.replace("Every second step", "FIRST second step"), "utf-8")
    os.utime(message, ns=(first, first))  # the first build's input exactly, as when undone
    again = cli_invoke(build, env=EPOCH)
    page = sample_repo / "dist" / "2026" / "en" / "linkedin" / "authenticator-app.txt"
    assert "FIRST second step" in page.read_text(encoding="utf-8"), again.stdout


def test_a_build_whose_record_cannot_be_written_is_built_and_built_again_next_time(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pack is in place when its record is written: a full disk then fails nothing.
    from campaignsync.pack import state

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state, "remember", full)
    build = ["build", "--repo", str(sample_repo)]
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    monkeypatch.undo()
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Up to date: ")


def test_a_build_that_another_build_wrote_before_leaves_its_own_pack_whole(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build of campaignsync before 2026-12-07 read the last pack's hashes before it took
    # the write lock (one now holds it throughout, but such a build, or any writer, may
    # still write meanwhile). Were the hashes used as they were read after another build
    # had written, the files that other build changed and this one did not would stay as
    # it left them, under this build's manifest: a pack of both builds, "Up to date" ever
    # after.
    import re
    import shutil
    from collections.abc import Iterator
    from contextlib import contextmanager

    from click.testing import CliRunner

    from campaignsync.cli import cli
    from campaignsync.pack import writelock, writer

    messages = sample_repo / "content" / "messages" / "2026"
    first, second = messages / "authenticator-app.md", messages / "automatic-updates.md"
    texts = {path: path.read_text(encoding="utf-8") for path in (first, second)}

    def inputs(retitled: Path) -> None:
        for path, text in texts.items():
            new = re.sub(r"(?m)^title: (.*)$", r"title: \1 again", text, count=1)
            path.write_text(new if path == retitled else text, encoding="utf-8")

    def pack(out: Path) -> dict[str, bytes]:
        folder = out / "2026"
        files = {p.relative_to(folder).as_posix(): p.read_bytes()
                 for p in folder.rglob("*") if p.is_file()}  # fmt: skip
        return {**files, "zip": (out / "2026.zip").read_bytes()}

    def clean() -> dict[str, bytes]:
        copy = tmp_path / "clean"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(sample_repo, copy, ignore=shutil.ignore_patterns("dist"))
        cli_invoke(["build", "--repo", str(copy)], env=EPOCH)
        return pack(copy / "dist")

    build = ["build", "--repo", str(sample_repo)]
    cli_invoke(build, env=EPOCH)
    write, meanwhile = writer.write_pack, []

    @contextmanager
    def lock_taken_to_write(out: Path, told: object = None) -> Iterator[bool]:
        yield False  # as before a build held the lock throughout (another version's build)

    def another_build_first(*args: object, **kwargs: object) -> object:
        if not meanwhile:  # this build has read the last pack; another one writes now
            meanwhile.append(None)
            inputs(second)
            meanwhile[0] = CliRunner().invoke(cli, build, env=EPOCH)
        return write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writer, "write_pack", another_build_first)
    monkeypatch.setattr(writelock, "waited", lock_taken_to_write)
    inputs(first)
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    monkeypatch.undo()
    assert meanwhile[0].exit_code == 0 and meanwhile[0].stdout.startswith("Built ")
    written = pack(sample_repo / "dist")
    inputs(first)
    assert written == clean()  # this build's pack, whole
    inputs(second)  # the inputs as the other build left them: built again, as they are
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert pack(sample_repo / "dist") == clean()


def test_inputs_written_again_unchanged_are_up_to_date_by_their_content(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An editor saving a file unchanged, git checking files out again, a CI cache restored
    # over a fresh checkout: new signatures (time, inode), the same bytes. Nothing is built
    # then, and once their signatures are recorded the next test hashes no file.
    from campaignsync.pack import contents

    build = ["build", "--repo", str(sample_repo)]
    cli_invoke(build, env=EPOCH)
    manifest = sample_repo / "dist" / "2026" / "manifest.json"
    built = manifest.stat().st_mtime_ns
    hour_ago = time.time_ns() - 3600 * 10**9  # settled: their signature vouches for them
    inputs = [p for name in ("content", "locales", "templates")
              for p in (sample_repo / name).rglob("*") if p.is_file()]  # fmt: skip
    for path in [*inputs, sample_repo / "campaignsync.toml"]:
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)  # a new file of the same bytes
        os.utime(path, ns=(hour_ago, hour_ago))
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Up to date: ")
    assert manifest.stat().st_mtime_ns == built
    hashed: list[str] = []
    real = contents.content
    monkeypatch.setattr(contents, "content", lambda path: hashed.append(path) or real(path))
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Up to date: ")
    assert hashed == []
    message = sample_repo / "content" / "messages" / "2026" / "authenticator-app.md"
    text = message.read_text(encoding="utf-8")
    message.write_text(text.replace("Every second step", "EVERY second step"), encoding="utf-8")
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    page = sample_repo / "dist" / "2026" / "en" / "linkedin" / "authenticator-app.txt"
    assert "EVERY second step" in page.read_text(encoding="utf-8")


def test_an_input_edited_while_a_build_read_it_then_undone_is_built_again(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # That build's pack shows the edit; the file has its old bytes again. The record keeps
    # no content when an input changed while the build ran (what it read is not known),
    # so the next build builds again rather than take the undone file as unchanged.
    from campaignsync.load import project as loading

    messages = sample_repo / "content" / "messages" / "2026"
    message, other = messages / "authenticator-app.md", messages / "automatic-updates.md"
    text = message.read_text(encoding="utf-8")
    build = ["build", "--repo", str(sample_repo)]
    cli_invoke(build, env=EPOCH)
    real = loading.require_project

    def edited_while_read(root: Path) -> object:
        message.write_text(text.replace("Every second step", "EDITED second step"), "utf-8")
        try:
            return real(root)
        finally:
            message.write_text(text, encoding="utf-8")  # undone: the bytes it had

    monkeypatch.setattr(loading, "require_project", edited_while_read)
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    page = sample_repo / "dist" / "2026" / "en" / "linkedin" / "authenticator-app.txt"
    assert "EDITED second step" in page.read_text(encoding="utf-8")
    monkeypatch.undo()
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert "EDITED" not in page.read_text(encoding="utf-8")


def test_check_after_its_inputs_were_written_again_unchanged_gives_its_answer_again(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a build: inputs with new signatures and the same bytes are taken by their content,
    # and the answer is kept under their signatures now (the next check hashes no file).
    from campaignsync.pack import contents

    check = ["check", "--repo", str(sample_repo), "--now", "2026-09-01"]
    first = cli_invoke(check, env=EPOCH)
    hour_ago = time.time_ns() - 3600 * 10**9
    inputs = [p for name in ("content", "locales", "templates")
              for p in (sample_repo / name).rglob("*") if p.is_file()]  # fmt: skip
    for path in [*inputs, sample_repo / "campaignsync.toml"]:
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)
        os.utime(path, ns=(hour_ago, hour_ago))
    now = datetime(2026, 9, 1)
    assert lastcheck.recall(sample_repo, None, now, time.time_ns()) is not None
    hashed: list[str] = []
    real = contents.content
    monkeypatch.setattr(contents, "content", lambda path: hashed.append(path) or real(path))
    assert lastcheck.recall(sample_repo, None, now, time.time_ns()) is not None
    assert hashed == [str(sample_repo / "locales" / "glossary.tbx")]  # (hashed every time)
    monkeypatch.undo()
    again = cli_invoke(check, env=EPOCH)
    assert (again.stdout, again.exit_code) == (first.stdout, first.exit_code)
    message = sample_repo / "content" / "messages" / "2026" / "authenticator-app.md"
    message.write_text(message.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    assert lastcheck.recall(sample_repo, None, now, time.time_ns()) is None


def while_kept(monkeypatch: pytest.MonkeyPatch, name: str, value: object) -> None:
    """Give ``pack.contents`` ``value`` for ``name`` while a build keeps its inputs' contents."""
    from campaignsync.pack import contents

    keep = contents.kept_contents

    def keeping(stamp: object, last: object) -> object:
        with monkeypatch.context() as patched:
            patched.setattr(contents, name, value)
            return keep(stamp, last)  # type: ignore[arg-type]

    monkeypatch.setattr(contents, "kept_contents", keeping)


def test_an_input_saved_while_a_build_keeps_its_contents_is_built_again(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A save landing as the build ends, while it hashes its inputs for the record (a
    # preview's next save, say): the file's signature is then not the one the build's stamp
    # took, so nothing is kept, and the next build builds what the file says now.
    from campaignsync.pack import contents

    message, text, build = first_built(cli_invoke, sample_repo)
    message.write_text(text.replace("Every second step", "SECOND second step"), "utf-8")
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(message, ns=(hour_ago, hour_ago))  # settled: its signature vouches for it
    hash_ = contents.by_content

    def saved_meanwhile(stamp: object, known: object) -> object:
        message.write_text(text.replace("Every second step", "THIRD second step"), "utf-8")
        contents._HASHED.clear()  # (as in a build with no record to test against first)
        return hash_(stamp, known)  # type: ignore[arg-type]

    while_kept(monkeypatch, "by_content", saved_meanwhile)
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    monkeypatch.undo()
    page = sample_repo / "dist" / "2026" / "en" / "linkedin" / "authenticator-app.txt"
    assert "SECOND second step" in page.read_text(encoding="utf-8")
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert "THIRD second step" in page.read_text(encoding="utf-8")


def test_campaignsync_changed_while_a_build_ran_keeps_no_contents(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Upgraded (or pulled) while a build ran: the pack is the old code's, the files the
    # new code's. Kept, their bytes would make the new code's next build "up to date".
    from campaignsync.pack import contents

    build = ["build", "--repo", str(sample_repo)]
    signed = contents.signatures

    def upgraded(root: Path, *args: Any, **kwargs: Any) -> str:
        found = signed(root, *args, **kwargs)
        return f"{found}another module\n" if root == contents.TOOL else found

    while_kept(monkeypatch, "signatures", upgraded)
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    monkeypatch.undo()
    message = sample_repo / "content" / "messages" / "2026" / "authenticator-app.md"
    data = message.read_bytes()
    message.unlink()
    message.write_bytes(data)  # touched: only kept contents would make it up to date
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Built ")
    assert cli_invoke(build, env=EPOCH).stdout.startswith("Up to date: ")


def test_the_lock_probe_answers_for_what_it_can_tell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock file, a link, or a file system without flock: nothing is taken; held: taken."""
    import errno
    import fcntl

    from filelock import FileLock

    from campaignsync.pack import writelock

    assert not writelock.taken(tmp_path)  # no build wrote here yet
    lock = tmp_path / writelock.NAME
    lock.symlink_to(tmp_path / "elsewhere")
    assert not writelock.taken(tmp_path)  # (never followed)
    lock.unlink()
    with FileLock(str(lock)):
        assert writelock.taken(tmp_path)
    assert not writelock.taken(tmp_path)

    def no_flock(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_flock)  # (a network file system without locks)
    assert not writelock.taken(tmp_path)
