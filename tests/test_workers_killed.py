"""A render worker killed from outside: one line, the pack as it was, and the next run works."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke

from campaignsync.checks import catalogs
from campaignsync.errors import WorkerError
from campaignsync.pack.cache import FOLDER
from campaignsync.pipeline import forking, workers

STOPPED = (
    "error: a worker process was stopped before it finished (killed, perhaps for lack of "
    "memory); nothing was changed; run the command again, with a lower --jobs if memory is short\n"
)
ENV = {"SOURCE_DATE_EPOCH": "1790000000"}


def _die(_context: object, _item: object) -> None:
    os._exit(9)  # as a worker killed by the system ends: at once, with no word to the parent


def test_a_worker_killed_in_a_pool_of_tasks_is_a_worker_error() -> None:
    with pytest.raises(WorkerError) as raised:
        forking.in_processes(_die, None, [1, 2], jobs=2)
    assert f"error: {raised.value}\n" == STOPPED


def pack_files(repo: Path) -> dict[Path, bytes]:
    """Return every file of the output folder but the caches', with its bytes."""
    out = repo / "dist"
    cache = out / FOLDER
    return {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and cache not in p.parents}


def edit(repo: Path, where: str) -> None:
    """Change what makes a worker do the task ``where``: a message, or one PO entry."""
    if where == "render":
        message = repo / "content/messages/2026/kickoff.md"
        message.write_text(message.read_text(encoding="utf-8") + "\nSee http://example.org NOW.\n")
        return
    po = repo / "locales/de/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    entry = re.search(r'(msgctxt "kickoff:title"\nmsgid "(?:[^"\\]|\\.)*"\nmsgstr ")', text)
    assert entry is not None
    po.write_text(text.replace(entry.group(), entry.group() + "TOUT "), encoding="utf-8")


@pytest.mark.parametrize("where", ["render", "findings"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_killed_worker_is_one_line_and_the_next_run_works(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    where: str,
) -> None:
    """The worker kills itself in a render chunk, or in a catalog's translation findings."""
    args = [command, "--repo", str(small_repo), "--jobs", "2"]
    args += ["--now", "2026-09-01"] if command == "check" else []
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)  # the sample is below the bar
    cli_invoke(args, env=ENV)
    edit(small_repo, where)
    before = pack_files(small_repo)
    parent = os.getpid()
    held = multiprocessing.get_context("fork").Event()  # never set: the other worker waits
    render, find = workers.render_units, catalogs.translations_of

    def render_or_die(*given: Any) -> Any:
        if os.getpid() != parent and where == "render":
            os._exit(9)
        if os.getpid() != parent:  # killed with the pool when the other worker dies
            held.wait(60)
        return render(*given)

    def find_or_die(*given: Any) -> Any:
        if os.getpid() != parent:
            os._exit(9)
        return find(*given)

    with monkeypatch.context() as killing:
        killing.setattr(workers, "render_units", render_or_die)
        killing.setattr(catalogs, "translations_of", find_or_die)
        stopped = cli_invoke(args, expect=1, env=ENV)
    assert (stopped.stdout, stopped.stderr) == ("", STOPPED)
    assert pack_files(small_repo) == before
    again = cli_invoke(args, env=ENV)
    clean = tmp_path / "clean"
    shutil.copytree(small_repo, clean, ignore=shutil.ignore_patterns("dist"))
    fresh = cli_invoke([command, "--repo", str(clean), *args[3:]], env=ENV)
    if command == "check":
        assert again.stdout == fresh.stdout
    else:
        zips = (repo / "dist" / "2026.zip" for repo in (small_repo, clean))
        assert next(zips).read_bytes() == next(zips).read_bytes()


def _wait_forever(pids: Any, _item: object) -> None:
    pids.put(os.getpid())
    threading.Event().wait()  # as a worker blocked on a pipe its parent no longer reads


def _pool_then_wait(pids: Any) -> None:
    """A build's process: two workers busy for good, while it waits for them."""
    forking.in_processes(_wait_forever, pids, [1, 2], jobs=2)


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] in ("Z", "X")  # or reaped
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux: dies with its parent")
def test_workers_die_with_a_build_killed_from_outside() -> None:
    """The build's process killed (SIGKILL, the system short of memory): its workers go
    too, rather than wait for good, holding its output open."""
    import signal
    import time

    forked = multiprocessing.get_context("fork")
    pids = forked.Queue()
    build = forked.Process(target=_pool_then_wait, args=(pids,))
    build.start()
    try:  # (a worker that never started: a failure, not a run that hangs)
        workers_ = [pids.get(timeout=30), pids.get(timeout=30)]
    except BaseException:
        os.kill(build.pid, signal.SIGKILL)  # type: ignore[arg-type]
        raise
    try:
        assert not any(map(_ended, workers_))
        os.kill(build.pid, signal.SIGKILL)  # type: ignore[arg-type]
        build.join()
        for _ in range(100):
            if all(map(_ended, workers_)):
                break
            time.sleep(0.05)
        assert all(map(_ended, workers_)), workers_
    finally:  # left running, they would hold the test run's output open for good
        for pid in workers_:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux: dies with its parent")
@pytest.mark.parametrize("ended", [False, True])
def test_a_forked_process_whose_parent_ended_before_it_asked_dies_at_once(ended: bool) -> None:
    """No signal comes for a parent that ended before the child asked for one: it dies then."""
    import signal

    parent = os.getpid()
    child = os.fork()
    if child == 0:  # the parent it names: its own, or one no process has (it ended)
        forking._dies_with(-1 if ended else parent)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    if ended:
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    else:
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
