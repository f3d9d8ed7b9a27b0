"""Incremental builds: whatever changed, the pack is byte-identical to a clean build's."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
from click.testing import CliRunner, Result
from conftest import CliInvoke, small_sample
from hypothesis import strategies as st

from campaignsync.cli import cli
from campaignsync.errors import BuildError
from campaignsync.pack import cache as unitcache
from campaignsync.pack import hyphenation, journal, kept, runs, sealed, state

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}
#: The sample campaign cut down to a few messages, so that each example builds quickly.
KEEP = ("kickoff", "mfa-email-first", "passphrase-tip")
WORDS = ("Stay safe", "Nouveau texte", "Ünïcödé", "Back up", "%(x)s")


def small_build(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Return a small sample's repository, an output folder and the build command for them."""
    repo, out = small_sample(tmp_path / "repo", KEEP), tmp_path / "out"
    return repo, out, ["build", "--repo", str(repo), "--jobs", "1", "--out", str(out)]


def same_as_clean(
    cli_invoke: CliInvoke, repo: Path, out: Path, clean: Path, env: dict[str, str] = EPOCH
) -> None:
    """Assert that the pack in ``out`` is byte for byte the one a clean build makes."""
    cli_invoke(["build", "--repo", str(repo), "--jobs", "1", "--out", str(clean)], env=env)
    assert tree(out / "2026") == tree(clean / "2026")
    assert (out / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file below ``folder`` by relative path (the pack as a reader sees it)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def messages(repo: Path) -> list[Path]:
    return sorted((repo / "content" / "messages").rglob("*.md"))


def catalogs(repo: Path) -> list[Path]:
    return sorted((repo / "locales").rglob("*.po"))


def _edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def change_title(repo: Path, n: int, word: str) -> None:
    files = messages(repo)
    _edit(
        files[n % len(files)],
        lambda t: re.sub(r"(?m)^title: .*$", f"title: {word} {n}", t, count=1),
    )


def change_body(repo: Path, n: int, word: str) -> None:
    files = messages(repo)
    _edit(files[n % len(files)], lambda t: t.rstrip("\n") + f"\n\n{word}, paragraph {n}.\n")


def change_po_entry(repo: Path, n: int, word: str) -> None:
    files = catalogs(repo)
    path = files[n % len(files)]
    text = path.read_text(encoding="utf-8")
    filled = [m for m in re.finditer(r'(?m)^msgstr "(.+)"$', text)]
    if filled:
        match = filled[n % len(filled)]
        text = f"{text[: match.start(1)]}{word} {n}{text[match.end(1) :]}"
        path.write_text(text, encoding="utf-8")


def change_template(repo: Path, n: int, word: str) -> None:
    files = sorted((repo / "templates").glob("*.j2"))
    path = files[n % len(files)]
    text = path.read_text(encoding="utf-8")
    if "{{ message.title" in text:
        text = text.replace("{{ message.title", f"{{{{ {word!r} }}}}{{{{ message.title", 1)
    else:
        text = text.replace("{{ message.post }}", f"{word} {{{{ message.post }}}}", 1)
    path.write_text(text, encoding="utf-8")


def change_config(repo: Path, n: int, word: str) -> None:
    _edit(repo / "campaignsync.toml", lambda t: re.sub(r'(?m)^name = ".*"$', f'name = "{word}"', t))


def change_channel(repo: Path, n: int, word: str) -> None:
    """Edit one channel's own settings: SMS's segments, X's limit or the email's sender."""
    path = repo / "campaignsync.toml"
    if n % 3 == 0:
        _edit(path, lambda t: re.sub(r"(?m)^max_segments = \d+$", f"max_segments = {1 + n % 2}", t))
    elif n % 3 == 1:
        table = f"\n[channels.x]\nlimit = {200 + n}\n"  # (X's limit tightened)
        _edit(path, lambda t: re.sub(r"\n\[channels\.x\]\nlimit = \d+\n", "", t) + table)
    else:
        sender = f'from = "{word} <news@campaign.example.org>"'
        _edit(path, lambda t: re.sub(r"(?m)^from = .*$", sender, t))


def change_checks(repo: Path, n: int, word: str) -> None:
    """Edit what the checks allow (no unit reads it as it renders): weekly channels, or codes ignored."""
    table = ('[schedule]\nweekly_channels = ["sms", "x"]', '[checks]\nignore = ["CS111"]')[n % 2]
    path = repo / "campaignsync.toml"
    if table.partition("\n")[0] not in path.read_text(encoding="utf-8"):  # (once: else invalid)
        _edit(path, lambda t: t.replace("[links]", f"{table}\n\n[links]", 1))


def change_calendar(repo: Path, n: int, word: str) -> None:
    path = repo / "content" / "calendar.yaml"
    _edit(path, lambda t: re.sub(r"(?m)^(    name: ).*$", rf"\g<1>{word} {n}", t, count=1))


def delete_message(repo: Path, n: int, word: str) -> None:
    files = messages(repo)
    if len(files) > 1:
        files[n % len(files)].unlink()


def rename_message(repo: Path, n: int, word: str) -> None:
    files = messages(repo)
    path = files[n % len(files)]
    new_id = f"renamed-{n}"
    if (path.parent / f"{new_id}.md").exists():
        return
    text = re.sub(r"(?m)^id: .*$", f"id: {new_id}", path.read_text(encoding="utf-8"), count=1)
    path.unlink()
    (path.parent / f"{new_id}.md").write_text(text, encoding="utf-8")


def delete_catalog(repo: Path, n: int, word: str) -> None:
    files = catalogs(repo)
    if files:
        files[n % len(files)].unlink()


CHANGES = [
    change_title,
    change_body,
    change_po_entry,
    change_template,
    change_config,
    change_channel,
    change_checks,
    change_calendar,
    delete_message,
    rename_message,
    delete_catalog,
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_sample(tmp_path_factory.mktemp("incremental") / "repo", KEEP)


@hypothesis.settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    st.lists(
        st.tuples(
            st.sampled_from(CHANGES), st.integers(0, 50), st.sampled_from(WORDS), st.booleans()
        ),
        min_size=1,
        max_size=2,
    ),
    st.sampled_from(["1", "2"]),
)
def test_an_incremental_pack_is_byte_identical_to_a_clean_one(
    cli_invoke: CliInvoke,
    base: Path,
    edits: list[tuple[Callable[..., None], int, str, bool]],
    jobs: str,
) -> None:
    """With --jobs 2 the sample is taken as a big campaign: every step that forks does."""
    from unittest import mock

    from campaignsync.pipeline import workers

    big = mock.patch.object(
        workers, "PARALLEL_THRESHOLD", 0 if jobs == "2" else workers.PARALLEL_THRESHOLD
    )
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as scratch, big:
        repo = Path(scratch) / "repo"
        shutil.copytree(base, repo)
        out = Path(scratch) / "incremental"
        build = ["build", "--repo", str(repo), "--jobs", jobs]
        cli_invoke([*build, "--out", str(out)], env=EPOCH)
        for number, (change, n, word, folder_first) in enumerate(edits):
            change(repo, n, word)
            clean = Path(scratch) / f"clean-{number}"
            one = [*build[:-1], "1", "--out", str(clean)]
            fresh = CliRunner().invoke(cli, one, env=EPOCH)
            if folder_first:  # the folder alone, then the zip made again
                alone = [*build, "--out", str(out), "--no-zip"]
                step = cli_invoke(alone, env=EPOCH, expect=fresh.exit_code)
                if fresh.exit_code == 0:
                    assert tree(out / "2026") == tree(clean / "2026"), change.__name__
                    # No zip, or (when the edit changed no file) one that still matches.
                    left = out / "2026.zip"
                    assert (
                        not left.exists() or left.read_bytes() == (clean / "2026.zip").read_bytes()
                    )
            step = cli_invoke([*build, "--out", str(out)], env=EPOCH, expect=fresh.exit_code)
            assert step.stderr == fresh.stderr
            if fresh.exit_code != 0:
                continue
            assert tree(out / "2026") == tree(clean / "2026"), change.__name__
            assert (out / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_big_members_updated_run_by_run_give_a_clean_builds_zip(
    cli_invoke: CliInvoke, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample's files are small: every file with a marker is deflated in runs here.
    monkeypatch.setattr(runs, "SMALLEST", 1)
    monkeypatch.setattr(runs, "KINDS", {kind: (m, 1024) for kind, (m, _) in runs.KINDS.items()})
    repo, out = tmp_path / "repo", tmp_path / "incremental"
    shutil.copytree(base, repo)
    build = ["build", "--repo", str(repo), "--jobs", "1"]
    cli_invoke([*build, "--out", str(out)], env=EPOCH)
    cache = out / unitcache.FOLDER / "2026"
    key = next(cache.glob("*.units")).read_bytes().split(b"\n")[2].decode()
    before = kept.open_kept(cache, out / "2026", key).runs
    assert {"schedule-eu.csv", "index.html", "preview/en.html", "manifest.json"} <= set(before)
    change_body(repo, 0, "Stay safe")
    cli_invoke([*build, "--out", str(out)], env=EPOCH)
    cli_invoke([*build, "--out", str(tmp_path / "clean")], env=EPOCH)
    assert (out / "2026.zip").read_bytes() == (tmp_path / "clean" / "2026.zip").read_bytes()
    after = kept.open_kept(cache, out / "2026", key).runs
    assert after["preview/en.html"] != before["preview/en.html"]
    same = set(after["preview/en.html"][2]) & set(before["preview/en.html"][2])
    assert same, "no run of the locale page was the same"


@pytest.mark.parametrize("edit", [False, True])
def test_a_build_at_another_time_copies_the_last_zips_members_given_the_new_time(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: bool,
) -> None:
    """A new commit gives the pack another time (the zip's members carry it): the next
    build updates the last zip, each member copied and given the new time, and the zip is
    a clean build's of that time, with or without an edit in the same build. What reads
    no time is taken: the calendar's slots of the messages not edited, the schedule
    problems the gallery lists (a title edit is not what they read)."""
    from campaignsync.pack import archive, attention, ical

    out, later = tmp_path / "out", {"SOURCE_DATE_EPOCH": "1790086400"}
    build = ["build", "--repo", str(small_repo), "--jobs", "1", "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    if edit:
        change_title(small_repo, 1, "Later")

    def whole(*_: object, **__: object) -> None:
        raise AssertionError("the zip was written whole")

    def checked(*_: object, **__: object) -> None:
        raise AssertionError("the schedule checks ran again")

    slots, made = [], ical._message_slots
    monkeypatch.setattr(archive, "write_zip", whole)
    monkeypatch.setattr(attention, "_schedule_checks", checked)
    monkeypatch.setattr(ical, "_message_slots", lambda *a: slots.append(a[-1].id) or made(*a))
    cli_invoke(build, env=later)
    monkeypatch.undo()
    assert slots == ([messages(small_repo)[1].stem] if edit else [])
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean", later)


def test_no_zip_updates_the_folder_alone_and_never_leaves_a_zip_that_does_not_match(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    assert (out / "2026.zip").is_file()
    change_title(small_repo, 0, "Folder only")
    result = cli_invoke([*build, "--no-zip"], env=EPOCH)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Built {out / '2026'}: ")
    assert lines[0].endswith(" unchanged)")
    assert lines[1] == (
        f"Set {out / '2026.zip'} aside in the cache: it would no longer match the folder "
        "(the next build without --no-zip updates it)."
    )
    assert not (out / "2026.zip").exists()
    again = cli_invoke([*build, "--no-zip"], env=EPOCH)
    assert again.stdout.startswith(f"Up to date: {out / '2026'} (")
    assert again.stdout.endswith(" files); nothing changed since the last build\n")
    zipped = cli_invoke(build, env=EPOCH)
    assert zipped.stdout.startswith(f"Up to date: {out / '2026'} (")
    assert zipped.stdout.endswith(f" files); made {out / '2026.zip'} again from it\n")
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def test_a_damaged_cache_is_a_miss_never_a_wrong_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    shards = sorted((out / unitcache.FOLDER / "2026").glob("*.units"))
    assert shards
    # One shard flipped in its last byte, one truncated, one replaced by another's bytes.
    data = shards[0].read_bytes()
    shards[0].write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    shards[1].write_bytes(shards[1].read_bytes()[:100])
    shards[2].write_bytes(shards[3].read_bytes())
    # The index of the files kept from the last pack, and the parsed dictionaries, damaged too.
    index = out / unitcache.FOLDER / "2026" / kept.INDEX
    index.write_bytes(index.read_bytes()[:-1] + b"\0")
    hashes = out / unitcache.FOLDER / "2026" / kept.HASHES
    hashes.write_bytes(hashes.read_bytes()[:-1] + b"\0")
    patterns = sorted((out / unitcache.FOLDER / hyphenation.FOLDER).glob("*.patterns"))
    assert patterns
    for path in patterns:
        path.write_bytes(path.read_bytes()[:200])
    change_title(small_repo, 0, "Rebuilt")
    result = cli_invoke(build, env=EPOCH)
    assert " written, " in result.stdout
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def update_failing(
    cli_invoke: CliInvoke,
    repo: Path,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    error: OSError,
) -> tuple[list[str], dict[str, bytes], Result]:
    """Build, edit the first message's title, build again with ``journal.<step>`` failing.

    Return the build command, the pack before the edit and the failed build's result,
    the failure undone.
    """
    build = ["build", "--repo", str(repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    before = tree(out / "2026")
    change_title(repo, 0, "Interrupted")

    def failing(*args: object) -> None:
        raise error

    with monkeypatch.context() as patched:
        patched.setattr(journal, step, failing)
        result = cli_invoke(build, env=EPOCH, expect=1)
    return build, before, result


def test_an_update_stopped_after_its_journal_is_finished_by_the_next_build(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    power_cut = OSError(5, "Input/output error")
    build, before, result = update_failing(
        cli_invoke, small_repo, out, monkeypatch, "apply", power_cut
    )
    assert result.stderr == (
        f"error: the pack update in {out} stopped halfway: Input/output error; "
        "the next build finishes it\n"
    )
    assert tree(out / "2026") == before
    assert journal.journal_path(out, "2026").is_file()
    cli_invoke(build, env=EPOCH)
    assert not journal.journal_path(out, "2026").exists()
    assert not list(out.glob(".2026.*tmp*"))
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def test_an_update_finished_by_the_next_build_is_not_taken_for_the_last_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal applied by the next build leaves the pack of an edit never recorded;
    that build reverts the edit: the files are compared with the pack as it is, not as
    the last record says, and the pack is a clean build's."""
    out = tmp_path / "out"
    message = messages(small_repo)[0]
    original = message.read_bytes()
    power_cut = OSError(5, "Input/output error")
    build, _, _ = update_failing(cli_invoke, small_repo, out, monkeypatch, "apply", power_cut)
    message.write_bytes(original)
    cli_invoke(build, env=EPOCH)
    assert not journal.journal_path(out, "2026").exists()
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def edited_after_build(
    cli_invoke: CliInvoke, repo: Path, out: Path
) -> tuple[list[str], Callable[[], None]]:
    """Build into ``out``, then edit a title; return the build command, and what undoes the
    edit as it was (the same bytes, size and time: ``cp -p``)."""
    build = ["build", "--repo", str(repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    message = messages(repo)[0]
    original, times = message.read_bytes(), message.stat()
    change_title(repo, 0, "Interrupted")

    def undo() -> None:
        message.write_bytes(original)
        os.utime(message, ns=(times.st_atime_ns, times.st_mtime_ns))

    return build, undo


class Renaming:
    """``os`` as the journal sees it: ``then`` is called before each rename into the pack,
    with how many came before."""

    def __init__(self, then: Callable[[int], None]) -> None:
        self.then, self.done = then, list[str]()

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    def replace(self, source: str, target: str) -> None:
        self.then(len(self.done))
        self.done.append(str(target))
        os.replace(source, target)


def test_a_pack_left_half_updated_is_never_taken_as_up_to_date(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build killed halfway through its renames leaves its journal and a folder of old and
    new files. The edit undone as it was, the inputs are those the last pack was recorded
    for; the next build still finishes the update and builds, never answering "up to
    date" over the mix."""
    out = tmp_path / "out"
    build, undo = edited_after_build(cli_invoke, small_repo, out)

    def power_cut(before: int) -> None:  # after the first rename
        if before:
            raise OSError(5, "Input/output error")

    renaming = Renaming(power_cut)
    monkeypatch.setattr(journal, "os", renaming)
    cli_invoke(build, env=EPOCH, expect=1)
    monkeypatch.undo()
    assert renaming.done and journal.journal_path(out, "2026").is_file()
    undo()
    result = cli_invoke(build, env=EPOCH)
    assert "Up to date" not in result.stdout
    assert not journal.journal_path(out, "2026").exists()
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")
    assert "Up to date" in cli_invoke(build, env=EPOCH).stdout


def test_a_pack_with_its_update_left_unfinished_is_not_current(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    """Whatever the inputs, a journal left beside the pack makes the next build finish it."""
    from campaignsync.pipeline.nochange import Request, unchanged

    out = tmp_path / "out"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(out)], env=EPOCH)
    request = Request(epoch=int(EPOCH["SOURCE_DATE_EPOCH"]))
    assert unchanged(small_repo, out, request)[1] is not None
    journal.journal_path(out, "2026").write_bytes(b"")
    assert unchanged(small_repo, out, request)[1] is None


def test_ctrl_c_during_the_renames_waits_for_them_and_says_the_new_pack_is_there(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C once the update is committed: the renames go on to the end (the folder is the
    new pack, not a mix), and the message says so, not "nothing was changed"."""
    out = tmp_path / "out"
    build, undo = edited_after_build(cli_invoke, small_repo, out)

    def ctrl_c(before: int) -> None:  # the user presses Ctrl-C at the first rename
        if not before:
            os.kill(os.getpid(), signal.SIGINT)

    renaming = Renaming(ctrl_c)
    monkeypatch.setattr(journal, "os", renaming)
    result = cli_invoke(build, env=EPOCH, expect=130)
    monkeypatch.undo()
    assert result.stderr == (
        f"error: interrupted after the new pack was written to {out / '2026'}; the next "
        "build may take longer (what it reuses was not all kept)\n"
    )
    assert len(renaming.done) > 1 and not journal.journal_path(out, "2026").exists()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert "2026" not in state.recorded(out)  # not taken for the pack recorded before
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")  # folder and zip
    undo()  # built from the pack as it is
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean-undone")


def test_ctrl_c_is_held_only_in_the_main_thread() -> None:
    """``preview`` builds in a thread of its own, where Python takes no signal: there the
    hold changes nothing, and Ctrl-C still reaches the main thread, which stops preview."""
    import threading

    seen: list[object] = []

    def build() -> None:
        with journal.ctrl_c_held() as came:
            seen.extend([came, signal.getsignal(signal.SIGINT)])

    thread = threading.Thread(target=build)
    thread.start()
    thread.join()
    assert seen == [[], signal.default_int_handler]
    with journal.ctrl_c_held() as came:
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        signal.raise_signal(signal.SIGINT)  # held, not raised
        assert came == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_cache_copied_to_another_folder_is_not_trusted(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(out)], env=EPOCH)
    copy = tmp_path / "copy"
    shutil.copytree(out / unitcache.FOLDER, copy / unitcache.FOLDER)
    key = next(iter((out / unitcache.FOLDER / "2026").glob("*.units"))).read_bytes()
    assert unitcache.open_cache(out, "2026", _key_of(key)).units
    assert not unitcache.open_cache(copy, "2026", _key_of(key)).units


def _killed(context: object) -> None:
    os._exit(9)  # as the system kills a process short of memory


@pytest.mark.parametrize("saver", ["returns", "killed", "killed while writing"])
def test_a_template_edit_saves_the_render_cache_beside_the_writer(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, saver: str
) -> None:
    """A template edited renders one channel of every unit again: with --jobs 2 the
    scheduler CSVs and the calendar are made in a forked process while the gallery is
    drawn, and the shards saved in one of their own while the pack is written. That
    process killed, the build saves them itself, and deletes what it was writing. Either
    way the pack is a clean build's, the body files no shard names are deleted (each
    message keeps the file of the channels not edited, and one of the edited channel's
    bytes), and the next build renders only what changed next."""
    from campaignsync.pack import sealed
    from campaignsync.pipeline import forking, workers

    repo, out, build = small_build(tmp_path)
    build = [*build[:-3], "2", *build[-2:]]  # --jobs 2
    cli_invoke(build, env=EPOCH)
    folder = out / unitcache.FOLDER / "2026"
    bodies = len(list(folder.glob("*.body")))
    change_template(repo, 0, "Neu")
    detach, forked, saved_here, parent = forking.detach, [], [], os.getpid()
    save_cache, write = unitcache.save_cache, sealed._write

    def spied(function, context):  # type: ignore[no-untyped-def]
        forked.append(function.__name__)
        killed = saver == "killed" and function.__name__ == "_save_beside"
        return detach(_killed if killed else function, context)

    def saving(cache: unitcache.Cache) -> None:
        saved_here.append(os.getpid())  # (in a forked process: that process's list)
        save_cache(cache)

    def cut_short(path: Path, *parts: bytes) -> None:  # the saver killed while it writes
        if os.getpid() != parent and saver == "killed while writing" and path.suffix == ".body":
            path.with_name(f".{path.name}.{os.getpid()}.tmp").write_bytes(b"half")
            os._exit(9)
        write(path, *parts)

    aside, beside = forking.aside, []

    def spied_aside(function, context, fork):  # type: ignore[no-untyped-def]
        beside.append(fork)
        return aside(function, context, fork)

    with monkeypatch.context() as patched:
        patched.setattr(workers, "PARALLEL_THRESHOLD", 0)  # the sample, as a big campaign
        patched.setattr(forking, "detach", spied)
        patched.setattr(forking, "aside", spied_aside)
        patched.setattr(unitcache, "save_cache", saving)
        patched.setattr(sealed, "_write", cut_short)
        assert "written" in cli_invoke(build, env=EPOCH).stdout
    assert "_save_beside" in forked and beside == [True]  # the CSVs and calendar beside too
    assert saved_here == ([] if saver == "returns" else [os.getpid()])
    named = _named_bodies(folder)
    assert sorted(p.name for p in folder.glob("*.body")) == sorted(named)
    assert bodies < len(named) <= 2 * bodies  # (a message none of whose units changed: one)
    assert sorted(p.name for p in folder.glob(".*")) == []  # nothing half-written, no list
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-after-the-template")

    render_units, rendered = workers.render_units, []

    def noted(context: object, units: list[tuple[str, str]]) -> object:
        rendered.extend(units)
        return render_units(context, units)  # type: ignore[arg-type]

    change_body(repo, 1, "Neu")
    with monkeypatch.context() as patched:
        patched.setattr(workers, "render_units", noted)
        cli_invoke(build, env=EPOCH)
    assert len({message for _, message in rendered}) == 1  # the shards of the others were kept
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-after-the-body")


def test_a_saver_list_the_build_cannot_delete_fails_no_build(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pack is written by then: a file left in the cache folder only takes space."""
    import pathlib

    from campaignsync.pipeline import workers

    repo, out, build = small_build(tmp_path)
    build = [*build[:-3], "2", *build[-2:]]  # --jobs 2
    cli_invoke(build, env=EPOCH)
    change_template(repo, 0, "Neu")
    unlink, refused = pathlib.Path.unlink, []

    def stuck(path: Path, missing_ok: bool = False) -> None:
        if path.name.startswith(".unnamed."):
            refused.append(path.name)
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, missing_ok)

    with monkeypatch.context() as patched:
        patched.setattr(workers, "PARALLEL_THRESHOLD", 0)
        patched.setattr(pathlib.Path, "unlink", stuck)
        result = cli_invoke(build, env=EPOCH)
    assert refused and "written" in result.stdout and result.stderr == ""
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def test_a_build_after_a_check_keeps_the_members_check_left_out(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    # check renders units without zip members or manifest rows; the build that takes them
    # from the cache adds both once, so later builds need not hash every output again.
    cli_invoke(["check", "--repo", str(small_repo), "--now", "2026-09-01"])
    out = small_repo / "dist"

    def units() -> list[unitcache.Unit]:
        key = next(iter((out / unitcache.FOLDER / "2026").glob("*.units"))).read_bytes()
        cache = unitcache.open_cache(out, "2026", _key_of(key))
        return [unit for locales in cache.units.values() for _, unit in locales.values()]

    assert any(None in unit.members for unit in units())
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    kept = units()
    assert kept and not any(None in u.members or None in u.lines for u in kept)


def test_a_units_catalog_look_ups_are_read_only_when_a_catalog_changed(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    from dataclasses import replace
    from types import SimpleNamespace

    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    out = small_repo / "dist"
    shard = next(iter((out / unitcache.FOLDER / "2026").glob("*.units")))
    cache = unitcache.open_cache(out, "2026", _key_of(shard.read_bytes()))
    message_id, locales = next((m, u) for m, u in cache.units.items() if "fr" in u)
    key, unit = locales["fr"]
    asked = {(c, s): entry for (tag, c, s), entry in unit.log if tag == "fr"}
    assert asked and {tag for tag, _ in unit.catalogs} == {"fr"}

    def catalog(digest: str, changed: bool = False) -> dict[str, SimpleNamespace]:
        entries = {k: e for k, e in asked.items() if e is not None}
        if changed:
            first = next(iter(entries))
            entries[first] = replace(entries[first], text=entries[first].text + " !")
        return {"fr": SimpleNamespace(digest=digest, entries=entries)}

    same = dict(unit.catalogs)["fr"]
    junk = replace(unit, packed_log=b"not a log")
    cache.units[message_id]["fr"] = (key, junk)
    # The catalog is byte for byte the same: the look-ups are not even read.
    assert cache.get(message_id, "fr", key, catalog(same)) is junk
    # Another catalog: the look-ups decide; look-ups that cannot be read are a miss.
    assert cache.get(message_id, "fr", key, catalog("edited")) is None
    # A log that holds no look-up in a catalog the unit read is no log of that unit.
    cache.units[message_id]["fr"] = (key, replace(unit, packed_log=sealed.packed(())))
    assert cache.get(message_id, "fr", key, catalog("edited")) is None
    cache.units[message_id]["fr"] = (key, unit)
    assert cache.get(message_id, "fr", key, catalog("edited")) is unit
    assert cache.get(message_id, "fr", key, catalog("edited", changed=True)) is None


def _named_bodies(folder: Path) -> list[str]:
    """Return the body files the shards of a render-cache folder name."""
    names = []
    for shard in sorted(folder.glob("*.units")):
        files, _ = sealed.read_sealed(shard, sealed.folder_id(folder), _key_of(shard.read_bytes()))
        names.extend(name for name, _ in files)
    return names


def _key_of(shard: bytes) -> str:
    return shard.split(b"\n")[2].decode()


def test_check_from_the_cache_says_exactly_what_a_clean_check_says(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    check = ["check", "--repo", str(small_repo), "--format", "json", "--now", "2026-09-01"]
    cache = small_repo / "dist" / unitcache.FOLDER

    def clean() -> str:
        shutil.rmtree(cache, ignore_errors=True)
        return CliRunner().invoke(cli, check).stdout

    first = CliRunner().invoke(cli, check)
    assert cache.is_dir()
    assert CliRunner().invoke(cli, check).stdout == first.stdout == clean()
    # A title too long for X, a PO entry that drops a placeholder, a template edit.
    change_title(small_repo, 0, "A title " * 40)
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    dropped = 'msgstr "Teil des Aktionsmonats %(campaign)s'
    assert dropped in po.read_text(encoding="utf-8")
    _edit(po, lambda t: t.replace(dropped, 'msgstr "Teil des Aktionsmonats (campaign)s', 1))
    change_template(small_repo, 3, "Hello")
    CliRunner().invoke(cli, check)  # fills the cache
    warm = CliRunner().invoke(cli, check)
    assert warm.stdout == clean()
    assert warm.stdout != first.stdout


def test_catalogs_kept_by_their_bytes_read_back_as_read(small_repo: Path, tmp_path: Path) -> None:
    from campaignsync.l10n import catalog
    from campaignsync.load.config import load_config
    from campaignsync.pack.lookups import CatalogMemo

    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    _edit(po, lambda t: t + '\nmsgid "broken\n')  # a problem to keep as well
    config, _ = load_config(small_repo)
    assert config is not None
    fresh = catalog.load_lookups(small_repo, config)
    memo = CatalogMemo(tmp_path, config.paths.locales)
    assert catalog.load_lookups(small_repo, config, memo=memo) == fresh  # fills the memo
    assert sorted(p.name for p in memo.folder.iterdir())[0] == "de.lookup"
    assert catalog.load_lookups(small_repo, config, memo=memo) == fresh  # reads it
    assert fresh[1] and fresh[0]["de"].entries
    damaged = memo.folder / "fr.lookup"
    damaged.write_bytes(damaged.read_bytes()[:-10])
    assert catalog.load_lookups(small_repo, config, memo=memo) == fresh
    assert fresh[0]["de"].broken and not fresh[0]["fr"].broken
    # A file it cannot read at all (UTF-8 under another charset's header) is kept as such:
    # CS320 does not count its entries as missing on top (checks.required).
    _edit(po, lambda t: t.replace("charset=utf-8", "charset=ISO-8859-1"))  # (it has umlauts)
    fresh = catalog.load_lookups(small_repo, config)
    assert fresh[0]["de"].unreadable and [d.code for d in fresh[1]] == ["CS300"]
    assert catalog.load_lookups(small_repo, config, memo=memo) == fresh  # fills the memo
    assert catalog.load_lookups(small_repo, config, memo=memo) == fresh  # reads it


def test_a_process_reads_a_kept_catalog_again_only_once_it_is_written_again(
    small_repo: Path, tmp_path: Path, sealed_reads: list[Path]
) -> None:
    """``preview`` building again: the kept catalogs it read are not read again while they
    are the files it read; a PO file edited is read, kept and read back anew."""
    from campaignsync.l10n import catalog
    from campaignsync.load.config import load_config
    from campaignsync.pack.lookups import CatalogMemo

    config, _ = load_config(small_repo)
    assert config is not None
    memo = CatalogMemo(tmp_path, config.paths.locales)
    catalog.load_lookups(small_repo, config, memo=memo)  # fills the memo
    sealed_reads.clear()
    first = catalog.load_lookups(small_repo, config, memo=memo)
    assert catalog.load_lookups(small_repo, config, memo=memo) == first
    read = [path.name for path in sealed_reads]
    assert sorted(read) == sorted(f"{loc.tag}.lookup" for loc in config.locales)  # once each
    sealed_reads.clear()
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    _edit(po, lambda t: t.replace('msgstr "Teil des', 'msgstr "Ein Teil des', 1))
    edited = catalog.load_lookups(small_repo, config, memo=memo)  # read, then kept
    assert [path.name for path in sealed_reads] == ["de.lookup"]
    assert catalog.load_lookups(small_repo, config, memo=memo) == edited  # read back, once
    assert [path.name for path in sealed_reads] == ["de.lookup", "de.lookup"]
    assert edited == catalog.load_lookups(small_repo, config)  # as read afresh
    assert edited != first


def _io_error(*args: Any) -> Any:
    raise OSError(5, "Input/output error")


def _po_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Note the size of each PO file ``lookups.po_digest`` reads (hashes), in this process."""
    from campaignsync.pack import lookups

    reads: list[int] = []

    def file_digest(file: Any, name: str) -> Any:
        reads.append(os.fstat(file.fileno()).st_size)
        return hashlib.file_digest(file, name)

    monkeypatch.setattr(lookups, "hashlib", SimpleNamespace(file_digest=file_digest))
    return reads


def rewritten(path: Path, data: bytes, times: os.stat_result) -> None:
    """Write ``data`` over ``path`` (the same size), its modification time set back.

    Again until its ctime shows it (a tick of the file times' clock later), as an edit
    made after the file settled would.
    """
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        path.write_bytes(data)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
        if path.stat().st_ctime_ns != times.st_ctime_ns:
            return
        time.sleep(0.01)
    pytest.fail(f"the ctime of {path} did not change in 5 s")


def test_a_process_hashes_a_settled_po_file_once_and_a_changed_one_again(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``preview`` building again: a PO file changed before the build's settled time (its
    clock less ``state.UNSETTLED_NS``) is known by its identity once read."""

    from campaignsync.pack import lookups

    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    reads = _po_reads(monkeypatch)

    def sha(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    data, times = po.read_bytes(), po.stat()
    changed = max(times.st_mtime_ns, times.st_ctime_ns)
    # No clock, or changed after the settled time: read at every build.
    assert lookups.po_digest(po) == lookups.po_digest(po, changed - 1) == sha(data)
    assert reads == [len(data)] * 2
    assert lookups.po_digest(po, changed) == lookups.po_digest(po, changed) == sha(data)
    assert reads == [len(data)] * 3  # settled: read once, then known by its identity
    edited = data.replace(b'msgstr "Teil des', b'msgstr "Teil der', 1)
    assert edited != data and len(edited) == len(data)
    rewritten(po, edited, times)  # the same size and modification time: its ctime tells
    assert lookups.po_digest(po, changed) == sha(edited)
    with monkeypatch.context() as failing:  # a read that fails (an I/O error): no digest
        failing.setattr(lookups, "hashlib", SimpleNamespace(file_digest=_io_error))
        assert lookups.po_digest(po) is None
    po.unlink()
    assert lookups.po_digest(po, changed) is None
    po.symlink_to(small_repo / "locales" / "fr" / "LC_MESSAGES" / "messages.po")
    assert lookups.po_digest(po, changed) is None  # a link is refused (reading it reports it)
    po.unlink()
    os.mkfifo(po)
    before = signal.signal(signal.SIGALRM, lambda *_: pytest.fail("waited on a pipe"))
    signal.alarm(5)
    try:
        assert lookups.po_digest(po, changed) is None  # nor waited on
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def test_a_process_building_again_reads_only_the_po_files_changed_since(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built as a big campaign (catalogs read in processes) with every input settled: the
    next build in the process reads no PO file, and after an edit only that one."""

    from campaignsync.cli import build as build_command
    from campaignsync.pipeline import workers

    later = time.time_ns() + 2 * state.UNSETTLED_NS  # every file changed long enough ago
    monkeypatch.setattr(build_command, "clock", lambda: later)
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)
    reads = _po_reads(monkeypatch)
    build = ["build", "--repo", str(small_repo), "--out", str(tmp_path / "out"), "--jobs", "2"]
    cli_invoke(build, env=EPOCH)
    change_title(small_repo, 0, "Read")
    reads.clear()
    cli_invoke(build, env=EPOCH)
    assert reads == []
    po = catalogs(small_repo)[0]
    change_po_entry(small_repo, 0, "Gelesen")
    cli_invoke(build, env=EPOCH)
    assert reads == [po.stat().st_size]  # that one alone
    same_as_clean(cli_invoke, small_repo, tmp_path / "out", tmp_path / "clean")


def test_locale_shards_built_apart_assemble_into_the_same_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pipeline import workers as pipeline

    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    halves = (["en", "de", "es", "es-US", "fr"], ["en-US", "it", "nl", "pl", "pt-PT"])
    for n, tags in enumerate(halves):
        shard = [arg for tag in tags for arg in ("--locale", tag)]
        cli_invoke([*build, *shard, "--out", str(tmp_path / f"shard-{n}")], env=EPOCH)

    def no_rendering(context: object, units: list[tuple[str, str]]) -> object:
        raise AssertionError(f"rendered again: {units}")

    monkeypatch.setattr(pipeline, "render_units", no_rendering)
    shards = ["--shard", str(tmp_path / "shard-0"), "--shard", str(tmp_path / "shard-1")]
    cli_invoke([*build, "--out", str(tmp_path / "assembled"), *shards], env=EPOCH)
    monkeypatch.undo()
    cli_invoke([*build, "--out", str(tmp_path / "one")], env=EPOCH)
    assert tree(tmp_path / "assembled" / "2026") == tree(tmp_path / "one" / "2026")
    assembled = (tmp_path / "assembled" / "2026.zip").read_bytes()
    assert assembled == (tmp_path / "one" / "2026.zip").read_bytes()


@pytest.mark.parametrize(
    "entry",
    [
        [],
        {"staging": ".2026.tmp-1", "zip": None, "renames": []},
        {"staging": "../outside", "zip": None, "renames": [], "deletes": []},
        {"staging": ".2026.tmp-1", "zip": None, "renames": [], "deletes": ["../../etc/x"]},
        {"staging": ".2026.tmp-1", "zip": None, "renames": [], "deletes": [], "aside": "../x"},
    ],
)
def test_a_journal_naming_paths_outside_the_pack_is_refused(tmp_path: Path, entry: object) -> None:
    path = journal.journal_path(tmp_path, "2026")
    path.write_text(json.dumps(entry), encoding="utf-8")
    (tmp_path / "outside").mkdir()
    with pytest.raises(BuildError) as raised:
        journal.recover(tmp_path, "2026")
    assert str(raised.value) == (
        f"{path}: not a journal campaignsync wrote (it names paths outside the pack);"
        " nothing was changed: delete it and build with --force"
    )
    assert path.exists() and (tmp_path / "outside").is_dir()


def test_a_journal_that_cannot_be_read_was_never_committed(tmp_path: Path) -> None:
    path = journal.journal_path(tmp_path, "2026")
    assert not journal.recover(tmp_path, "2026")  # no journal: nothing to finish
    path.write_bytes(b'{"staging": ".2026.tmp-1", "ren')  # cut short: not JSON
    assert not journal.recover(tmp_path, "2026")
    assert not path.exists()


def test_a_kept_catalog_reads_only_the_groups_asked_for(small_repo: Path, tmp_path: Path) -> None:
    """A catalog taken from the memo unpacks one message's entries when one is looked up."""
    from campaignsync.l10n import catalog
    from campaignsync.load.config import load_config
    from campaignsync.pack.lookups import CatalogMemo

    config, _ = load_config(small_repo)
    assert config is not None
    fresh = catalog.load_lookups(small_repo, config)[0]["de"]
    memo = CatalogMemo(tmp_path, config.paths.locales)
    catalog.load_lookups(small_repo, config, memo=memo)  # fills the memo
    kept = catalog.load_lookups(small_repo, config, memo=memo)[0]["de"]
    groups = kept.entries.groups  # type: ignore[attr-defined]
    assert groups.tables == {}
    key = next(k for k in fresh.entries if k[0] == "kickoff:title")
    assert kept.get(*key) == fresh.get(*key) and kept.lines[key] == fresh.lines[key]
    assert set(groups.tables) == {"kickoff"}
    assert ("kickoff:nothing", "x") not in kept.entries
    assert kept.entries == fresh.entries and kept.lines == fresh.lines  # every group, as read


def change_summary(repo: Path, n: int, word: str) -> None:
    _edit(messages(repo)[n], lambda t: re.sub(r"(?m)^summary: ", f"summary: {word}. ", t))


@pytest.mark.parametrize("edit", [change_summary, delete_message])
@pytest.mark.parametrize("where", ["link", "folder", "file"])
def test_an_update_never_writes_through_a_link_or_past_a_file_in_the_pack(
    cli_invoke: CliInvoke, tmp_path: Path, where: str, edit: Callable[[Path, int, str], None]
) -> None:
    """A link, a folder or a file put into the pack by hand where an update would rename
    or remove a file makes the build write the pack whole: nothing outside the pack is
    written, removed or linked into it, and the pack is a clean build's."""
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    folder = out / "2026" / "de" / "bluesky"
    outside = tmp_path / "outside"
    shutil.copytree(folder, outside)
    page = folder / "kickoff.json"
    other = outside / "passphrase-tip.txt"
    other.write_bytes(b"not the page the pack has")  # a file the edit leaves as it was
    if where == "link":  # the folder of the post, a link to a folder outside
        shutil.rmtree(folder)
        folder.symlink_to(outside, target_is_directory=True)
    elif where == "folder":  # the post, a folder
        page.unlink()
        page.mkdir()
    else:  # the locale's folder, a file
        shutil.rmtree(folder.parent)
        folder.parent.write_bytes(b"not a folder")
    snapshot = tree(outside)
    edit(repo, 0, "Moved")  # kickoff, the first message: its post changed, or it deleted
    cli_invoke(build, env=EPOCH)
    assert tree(outside) == snapshot  # nothing written or removed through the link
    assert all(p.stat().st_nlink == 1 for p in outside.iterdir())  # nor linked into the pack
    assert folder.is_dir() and not folder.is_symlink()
    if edit is change_summary:
        assert page.read_bytes() != snapshot[page.name]  # the edit changed that very post
    else:
        assert not page.exists()
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def test_an_update_whose_journal_cannot_be_written_leaves_the_last_pack_and_no_leftovers(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    handler = signal.getsignal(signal.SIGINT)
    disk_full = OSError(28, "No space left on device")
    build, before, result = update_failing(
        cli_invoke, small_repo, out, monkeypatch, "write_journal", disk_full
    )
    assert result.stderr == (
        f"error: cannot write the pack in {out}: No space left on device; "
        "the previous pack is unchanged\n"
    )
    assert tree(out / "2026") == before
    assert not journal.journal_path(out, "2026").exists()
    assert not list(out.glob(".2026.*tmp*"))  # the staged files and zip removed
    assert signal.getsignal(signal.SIGINT) is handler  # Ctrl-C as it was
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")
