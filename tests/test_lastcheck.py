"""check on an unchanged campaign gives its last answer again, exactly, without loading it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke, commit, git

from campaignsync.load import project as loading
from campaignsync.pack import cache as unitcache


def no_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any loading of the project fail the test."""

    def refuse(root: Path) -> object:
        raise AssertionError(f"the project in {root} was loaded")

    monkeypatch.setattr(loading, "load_project", refuse)


def clean_check(cli_invoke: CliInvoke, repo: Path, args: list[str], expect: int = 0) -> str:
    """Return what check says with no cache at all (and keep no answer of it)."""
    shutil.rmtree(repo / "dist" / unitcache.FOLDER, ignore_errors=True)
    said = cli_invoke(["check", "--repo", str(repo), *args], expect=expect).stdout
    shutil.rmtree(repo / "dist" / unitcache.FOLDER, ignore_errors=True)
    return said


def retitle(repo: Path, title: str) -> None:
    message = sorted((repo / "content" / "messages").rglob("*.md"))[0]
    text = message.read_text(encoding="utf-8")
    message.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1))


def test_an_unchanged_campaign_is_answered_without_loading_it(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    retitle(small_repo, "A new title to translate")  # warnings (CS320) for --strict
    args = ["--format", "json", "--now", "2026-09-01"]
    check = ["check", "--repo", str(small_repo), *args]
    clean = clean_check(cli_invoke, small_repo, args)
    assert '"CS320"' in clean
    assert cli_invoke(check).stdout == clean  # keeps its answer
    with monkeypatch.context() as patched:
        no_loading(patched)
        assert cli_invoke(check).stdout == clean
        strict = cli_invoke([*check, "--strict"], expect=1).stdout
        assert '"severity": "error"' in strict and '"severity": "warning"' not in strict
    assert strict == clean_check(cli_invoke, small_repo, [*args, "--strict"], expect=1)
    # An edit is seen: the answer is found again, and is a clean check's.
    message = sorted((small_repo / "content" / "messages").rglob("*.md"))[0]
    message.write_text(message.read_text(encoding="utf-8") + "\nSee http://example.org.\n")
    edited = cli_invoke(check).stdout
    assert '"CS206"' in edited and edited != clean
    assert edited == clean_check(cli_invoke, small_repo, args)


def test_the_answer_is_not_given_again_across_the_freeze(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """CS320 is a warning before the freeze (15 September) and an error after it."""
    retitle(small_repo, "A new title to translate")
    check = ["check", "--repo", str(small_repo), "--now"]
    before = cli_invoke([*check, "2026-09-01"]).stdout
    assert "warning CS320" in before and "error CS320" not in before
    after = cli_invoke([*check, "2026-12-01"], expect=1).stdout
    assert "error CS320" in after and "warning CS320" not in after
    assert after == clean_check(cli_invoke, small_repo, ["--now", "2026-12-01"], expect=1)
    cli_invoke([*check, "2026-12-01"], expect=1)  # keeps the answer after the freeze
    assert cli_invoke([*check, "2026-09-02"]).stdout == before.replace("2026-09-01", "2026-09-02")


def test_changes_after_the_freeze_are_asked_of_git_every_time(
    cli_invoke: CliInvoke, calendar_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Committing an edit changes no input file, but CS113 says where the change now is."""
    repo = calendar_repo
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Start", "2026-09-01T10:00:00+00:00")
    message = repo / "content/messages/2026/accounts.md"
    text = message.read_text(encoding="utf-8")
    message.write_text(text.replace("keep your accounts safe", "keep them safe"))
    check = ["check", "--repo", str(repo), "--now", "2026-10-05"]
    advice = "tell the partners, who may have scheduled it already\n"
    said = (
        "content/messages/2026/accounts.md:1: warning CS113: changed after the freeze on 2026-09-15"
    )
    assert cli_invoke(check).stdout == f"{said} (not yet committed); {advice}"
    sha = commit(repo, "Reword", "2026-09-20T14:03:00+00:00")
    with monkeypatch.context() as patched:
        no_loading(patched)
        again = cli_invoke(check).stdout
    assert again == f"{said} (in commit {sha[:10]}, 2026-09-20 14:03 UTC); {advice}"
    assert again == clean_check(cli_invoke, repo, ["--now", "2026-10-05"])


def test_a_build_keeps_the_answer_check_gives_after_it(
    cli_invoke: CliInvoke, calendar_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build has every message's findings: check right after it loads nothing, and agrees."""
    repo = calendar_repo
    check = ["check", "--repo", str(repo), "--now", "2026-09-01"]
    build = ["build", "--repo", str(repo), "--no-zip"]
    today = {"SOURCE_DATE_EPOCH": "1788220800"}  # 2026-09-01, before the freeze as --now
    cli_invoke(build, env=today)
    with monkeypatch.context() as patched:
        no_loading(patched)
        assert cli_invoke(check).stdout == ""
    assert clean_check(cli_invoke, repo, check[3:]) == ""
    # An edit built: a finding of the message (CS206) and one across messages (CS104).
    message = repo / "content/messages/2026/accounts.md"
    text = message.read_text(encoding="utf-8").replace("T10:00:00+02:00", "T03:00:00+02:00")
    message.write_text(text + "\nSee http://example.org.\n", encoding="utf-8")
    cli_invoke(build, env=today)
    with monkeypatch.context() as patched:
        no_loading(patched)
        edited = cli_invoke(check).stdout
    assert "CS104" in edited and "CS206" in edited
    assert edited == clean_check(cli_invoke, repo, check[3:])


def test_the_answer_is_kept_in_a_process_of_its_own_while_the_pack_is_written(
    cli_invoke: CliInvoke, calendar_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """After a clean build and after an edit: the answer agrees with a clean check.

    The clean build's workers wrote every finding; after the edit, the parent rendered the
    message and wrote its findings before the answer's process started.
    """
    from test_findings import clean_answer

    from campaignsync.pipeline import forking, workers

    repo = calendar_repo
    message = repo / "content/messages/2026/accounts.md"
    text = message.read_text(encoding="utf-8").replace("T10:00:00+02:00", "T03:00:00+02:00")
    message.write_text(text + "\nSee http://example.org.\n", encoding="utf-8")
    check = ["check", "--repo", str(repo), "--now", "2026-09-01"]
    build = ["build", "--repo", str(repo), "--no-zip", "--jobs", "2"]
    detach = forking.detach
    forked: list[str] = []

    def spied(function, context):  # type: ignore[no-untyped-def]
        forked.append(function.__name__)
        return detach(function, context)

    def answered() -> str:
        with monkeypatch.context() as patched:
            no_loading(patched)
            return cli_invoke(check).stdout

    with monkeypatch.context() as patched:
        patched.setattr(workers, "PARALLEL_THRESHOLD", 0)  # the sample, as a big campaign
        patched.setattr(forking, "detach", spied)
        cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1788220800"})
        assert forked == ["keep"]
        said = answered()
        assert "CS104" in said and "CS206" in said
        assert said == clean_answer(cli_invoke, repo, tmp_path)  # on a copy: its cache kept
        message.write_text(text, encoding="utf-8")  # the edit undone: one message rendered
        cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1788220800"})
        assert forked == ["keep", "keep", "_save_beside"]  # the render cache saved beside too
    said = answered()
    assert "CS206" not in said and said == clean_answer(cli_invoke, repo, tmp_path)


#: 2026-09-01, the day the checks after a build are asked about (``--now``).
TODAY = {"SOURCE_DATE_EPOCH": "1788220800"}


def _killed(context: object) -> None:
    os._exit(9)  # as the system kills a process short of memory


def _failing(context: object) -> None:
    raise PermissionError(13, "Permission denied", "dist/.campaignsync-cache/checks")


@pytest.mark.parametrize("end", [_killed, _failing], ids=["killed", "raising"])
def test_the_answers_process_killed_or_failing_fails_no_build_and_keeps_no_answer(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch, end: Any
) -> None:
    """Keeping check's answer is the build's extra: its process lost, the pack is built."""
    from campaignsync.pipeline import forking, workers

    detach = forking.detach
    build = ["build", "--repo", str(small_repo), "--no-zip", "--jobs", "2"]
    check = ["check", "--repo", str(small_repo), "--now", "2026-09-01"]
    with monkeypatch.context() as patched:
        patched.setattr(workers, "PARALLEL_THRESHOLD", 0)
        patched.setattr(forking, "detach", lambda function, context: detach(end, context))
        result = cli_invoke(build, env=TODAY)
    assert "/dist/2026: 344 files (344 written, 0 unchanged)" in result.stdout
    assert result.stderr == ""
    with monkeypatch.context() as patched:
        no_loading(patched)  # no answer kept: check loads the project
        with pytest.raises(AssertionError, match="was loaded"):
            cli_invoke(check)
    assert cli_invoke(check).stdout == clean_check(cli_invoke, small_repo, check[3:])


def test_an_answer_the_build_cannot_write_in_one_process_fails_no_build(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --jobs 1 the build keeps the answer itself, after the pack: a file it cannot
    write there is an answer not kept, not a build that says its written pack was not."""
    from campaignsync.pipeline import lastcheck

    def unwritable(*_args: object) -> bool:
        raise PermissionError(13, "Permission denied", "dist/.campaignsync-cache/checks")

    monkeypatch.setattr(lastcheck, "keep_built", unwritable)
    result = cli_invoke(["build", "--repo", str(small_repo), "--no-zip", "--jobs", "1"])
    assert "/dist/2026: 344 files (344 written, 0 unchanged)" in result.stdout
    assert result.stderr == ""


def test_a_build_that_cannot_fork_the_answers_process_keeps_the_answer_itself(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No process left to fork (the system's limit reached): the build keeps it, after the pack."""
    from campaignsync.pipeline import forking, workers

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    with monkeypatch.context() as patched:  # what the build is given then
        patched.setattr(forking.os, "fork", no_fork)
        assert forking.detach(_killed, None) is None
    build = ["build", "--repo", str(small_repo), "--no-zip", "--jobs", "2"]
    check = ["check", "--repo", str(small_repo), "--now", "2026-09-01"]
    with monkeypatch.context() as patched:
        patched.setattr(workers, "PARALLEL_THRESHOLD", 0)
        patched.setattr(forking, "detach", lambda function, context: None)
        assert "344 written" in cli_invoke(build, env=TODAY).stdout
    with monkeypatch.context() as patched:
        no_loading(patched)
        said = cli_invoke(check).stdout
    assert said == clean_check(cli_invoke, small_repo, check[3:])


def test_a_build_after_a_po_edit_keeps_the_answer_too(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One unit rendered again leaves its message's findings stale: the build checks its outputs."""
    today = {"SOURCE_DATE_EPOCH": "1788220800"}  # 2026-09-01, as --now
    build = ["build", "--repo", str(small_repo), "--no-zip"]
    check = ["check", "--repo", str(small_repo), "--now", "2026-09-01"]
    cli_invoke(build, env=today)
    fr = small_repo / "locales/fr/LC_MESSAGES/messages.po"
    title = r'(msgctxt "kickoff:title"\nmsgid "[^"]*"\nmsgstr ")'
    fr.write_text(re.sub(title, r"\1TOUS LES MOTS ", fr.read_text(encoding="utf-8")))
    cli_invoke(build, env=today)
    with monkeypatch.context() as patched:
        no_loading(patched)
        said = cli_invoke(check).stdout
    assert "CS412" in said and said == clean_check(cli_invoke, small_repo, check[3:])


def test_after_a_template_string_changed_the_messages_are_checked_in_forked_processes(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every message's findings are stale: build and check alike check them in --jobs processes."""
    from campaignsync.pipeline import forking, rechecking, workers

    real = forking.in_processes
    log = tmp_path / "forked"  # the build checks in the answer's own process: told in a file

    def counted(function, context, items, jobs):  # type: ignore[no-untyped-def]
        with log.open("a") as told:
            told.write(f"{len(items)}\n")
        return real(function, context, items, jobs)

    monkeypatch.setattr(forking, "in_processes", counted)
    monkeypatch.setattr(rechecking, "FORK_MESSAGES", 2)  # the sample has four messages
    # And it renders in workers: the answer's own process checks them in processes it forks.
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)
    today = {"SOURCE_DATE_EPOCH": "1788220800"}  # 2026-09-01, as --now
    build = ["build", "--repo", str(small_repo), "--no-zip", "--jobs", "2"]
    check = ["check", "--repo", str(small_repo), "--now", "2026-09-01", "--jobs", "2"]
    cli_invoke(build, env=today)
    fr = small_repo / "locales/fr/LC_MESSAGES/messages.po"
    text = fr.read_text(encoding="utf-8")
    read_more = r'(msgid "Read more:"\nmsgstr ")[^"]*"'
    fr.write_text(re.sub(read_more, r'\1LIRE LA SUITE :"', text))
    log.unlink(missing_ok=True)
    cli_invoke(build, env=today)
    assert log.exists(), "the build checked the messages in this process"
    with monkeypatch.context() as patched:
        no_loading(patched)
        said = cli_invoke(check).stdout
    then = tmp_path / "then"
    shutil.copytree(small_repo, then, ignore=shutil.ignore_patterns("dist"))
    fr.write_text(re.sub(read_more, r'\1LIRE TOUT :"', text))
    log.unlink()
    again = cli_invoke(check).stdout  # no build: check renders and checks them itself
    assert log.exists(), "check checked the messages in this process"
    assert "'LIRE LA SUITE' is written in capitals" in said
    assert said == clean_check(cli_invoke, then, check[3:]).replace(str(then), str(small_repo))
    assert "'LIRE TOUT' is written in capitals" in again
    assert again == clean_check(cli_invoke, small_repo, check[3:])


def test_a_template_string_another_channel_marks_leaves_the_answer_as_a_clean_check_s(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """The LinkedIn post's capitals are its own string's: the email's string changing does not
    change where they are reported, through the caches or not."""
    de = small_repo / "locales/de/LC_MESSAGES/messages.po"

    def translate(source: str, text: str) -> None:
        found = re.sub(f'(msgid "{source}"\\nmsgstr ")[^"]*"', rf'\1{text}"', de.read_text())
        de.write_text(found, encoding="utf-8")

    check = ["check", "--repo", str(small_repo), "--now", "2026-09-01"]
    translate("Read more:", "JETZT LESEN:")
    cli_invoke(["build", "--repo", str(small_repo), "--no-zip"])
    translate("Read more", "JETZT WEITERLESEN")
    said = cli_invoke(check).stdout
    assert "'JETZT LESEN' is written in capitals" in said
    assert "'JETZT WEITERLESEN' is written in capitals" not in said  # the email's is no post
    assert said == clean_check(cli_invoke, small_repo, check[3:])


def test_a_checking_process_killed_after_the_pack_is_written_only_keeps_no_answer(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keeping check's answer is the build's extra: a process lost there does not fail it."""
    from campaignsync.errors import WorkerError
    from campaignsync.pipeline import forking, rechecking

    build = ["build", "--repo", str(small_repo), "--no-zip", "--jobs", "2"]
    check = ["check", "--repo", str(small_repo), "--now", "2026-09-01"]
    cli_invoke(build)
    (small_repo / "templates" / "x.txt.j2").write_text("{{ message.post }} NOW\n")

    def killed(*_args: object) -> object:
        raise WorkerError()

    with monkeypatch.context() as patched:
        patched.setattr(rechecking, "FORK_MESSAGES", 2)
        patched.setattr(forking, "in_processes", killed)
        assert "Built" in cli_invoke(build).stdout
    assert "NOW" in (small_repo / "dist/2026/en/x").joinpath(
        sorted(p.name for p in (small_repo / "dist/2026/en/x").iterdir())[0]
    ).read_text(encoding="utf-8")
    assert cli_invoke(check).stdout == clean_check(cli_invoke, small_repo, check[3:])
