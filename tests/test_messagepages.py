"""The gallery's message pages: made by a clean build's workers, checked and taken by the parent."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke
from test_build import EPOCH, build

from campaignsync.load.project import load_project
from campaignsync.pack import attention, keys, messagepages
from campaignsync.pipeline import workers

ENV = {"SOURCE_DATE_EPOCH": EPOCH}


def _drawn_in(monkeypatch: pytest.MonkeyPatch, marks: Path) -> None:
    """Leave a file "<message> <pid>" in ``marks`` for each message page drawn, in any process."""
    marks.mkdir()
    real = messagepages.draw

    def draw(message: Any, *args: Any) -> bytes:
        (marks / f"{message.id} {os.getpid()}").touch()
        return real(message, *args)

    monkeypatch.setattr(messagepages, "draw", draw)


def _files(folder: Path) -> dict[str, bytes]:
    """Return every file of a pack folder by its path there."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def _one_process_then(
    cli_invoke: CliInvoke, repo: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *flags: str
) -> None:
    """Build ``repo`` in one process into ``out/one``; let the sample fork from then on."""
    build(cli_invoke, repo, "--out", str(out / "one"), "--jobs", "1", *flags, env=ENV)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)  # the sample, as a big campaign


def _in_processes_the_same(cli_invoke: CliInvoke, repo: Path, out: Path, *flags: str) -> None:
    """Build ``repo`` in two processes into ``out/two``: the same files (and zip) as ``one``."""
    build(cli_invoke, repo, "--out", str(out / "two"), "--jobs", "2", *flags, env=ENV)
    assert _files(out / "one" / "2026") == _files(out / "two" / "2026")
    one, two = (out / name / "2026.zip" for name in ("one", "two"))
    zipped = "--no-zip" not in flags
    assert (one.exists(), two.exists()) == (zipped, zipped)
    if zipped:
        assert one.read_bytes() == two.read_bytes()


def _made(marks: Path) -> dict[str, set[str]]:
    """Return the processes that drew each message's page."""
    found: dict[str, set[str]] = {}
    for mark in marks.iterdir():
        message, pid = mark.name.split(" ")
        found.setdefault(message, set()).add(pid)
    return found


@pytest.mark.parametrize("flags", [(), ("--no-zip",)])
def test_a_clean_build_in_processes_draws_each_message_page_where_its_message_was_rendered(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
) -> None:
    _one_process_then(cli_invoke, small_repo, tmp_path, monkeypatch, *flags)
    _drawn_in(monkeypatch, tmp_path / "drawn")
    _in_processes_the_same(cli_invoke, small_repo, tmp_path, *flags)
    project, _ = load_project(small_repo)
    made = _made(tmp_path / "drawn")
    assert made.keys() == {m.id for m in project.messages_of("2026")}
    # Each once, by a worker: the parent took every page as the worker staged it.
    assert all(len(pids) == 1 and str(os.getpid()) not in pids for pids in made.values())
    # And noted it: the next build after an edit draws the edited message's page alone.
    shutil.rmtree(tmp_path / "drawn")
    _drawn_in(monkeypatch, tmp_path / "drawn")
    message = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    message.write_text(message.read_text(encoding="utf-8").replace("title: ", "title: New ", 1),
                       encoding="utf-8")  # fmt: skip
    build(cli_invoke, small_repo, "--out", str(tmp_path / "two"), "--jobs", "1", *flags, env=ENV)
    assert _made(tmp_path / "drawn").keys() == {"kickoff"}


def test_a_page_drawn_from_a_wrong_forecast_is_drawn_again_by_the_parent(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_process_then(cli_invoke, small_repo, tmp_path, monkeypatch)
    real = messagepages.plan

    def wrong(*args: Any) -> messagepages.Plan:  # as if a partner showed on every page
        plan = real(*args)
        common = {**plan.common, "site": "Another site"}
        return dataclasses.replace(plan, common=common, shared=keys.digest(common))

    monkeypatch.setattr(messagepages, "plan", wrong)
    _drawn_in(monkeypatch, tmp_path / "drawn")
    _in_processes_the_same(cli_invoke, small_repo, tmp_path)
    made = _made(tmp_path / "drawn")
    assert made and all(str(os.getpid()) in pids and len(pids) == 2 for pids in made.values())


def test_a_page_staged_by_a_worker_that_the_gallery_has_not_is_left_out_of_the_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_process_then(cli_invoke, small_repo, tmp_path, monkeypatch)
    real = messagepages.ahead

    def ahead(*args: Any) -> list[messagepages.Made]:  # and a page of no message shown
        ghost = (messagepages.path_of("ghost"), "0" * 64, b"<p>ghost</p>")
        return [*real(*args), ghost]

    monkeypatch.setattr(messagepages, "ahead", ahead)
    _in_processes_the_same(cli_invoke, small_repo, tmp_path)


def test_one_messages_items_are_those_of_all_items_about_it(small_repo: Path) -> None:
    from campaignsync import pipeline
    from campaignsync.pipeline.selection import select

    project, _ = load_project(small_repo)
    rendered = pipeline.render_selection(project, select(project, None), prepare=True)
    over = [o for o in rendered.outputs if o.over_limit]
    schedule = attention.schedule_problems(project, "2026", ())
    built = {(o.locale, o.message) for o in rendered.outputs}
    every = attention.items(project, "2026", over, rendered.lookups, schedule, None, built)
    assert {i.kind for i in every} >= {"untranslated", "schedule"}  # something to compare
    shares = attention.schedule_by_message(project, "2026", schedule)
    for message_id in {o.message for o in rendered.outputs}:
        mine = attention.items(project, "2026", over, rendered.lookups, shares.get(message_id, ()),
                               None, built, only=message_id)  # fmt: skip
        assert mine == [i for i in every if i.message == message_id]
        assert mine == attention.items(project, "2026", over, rendered.lookups, schedule, None,
                                       built, only=message_id)  # fmt: skip
