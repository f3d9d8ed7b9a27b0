"""The zip a build without it sets aside, and the next build with the zip updates from it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke
from test_incremental import (
    EPOCH,
    change_body,
    change_config,
    change_po_entry,
    change_title,
    messages,
    same_as_clean,
    tree,
)

from campaignsync.pack import archive, asidezip, journal, runs, writer
from campaignsync.pack.cache import FOLDER
from campaignsync.pack.kept import pack_hashes
from campaignsync.pack.writer import ZLIB_VERSION


class ZipWrites:
    """The zips a build writes, watched: whole, or updated from which zip."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.whole = 0
        self.sources: list[Path] = []
        write_zip, update_zip = archive.write_zip, archive.update_zip

        def whole(*args: Any, **kwargs: Any) -> Any:
            self.whole += 1
            return write_zip(*args, **kwargs)

        def updated(path: Path, campaign: str, old: Any, source: Path, *rest: Any) -> int:
            self.sources.append(source)
            return update_zip(path, campaign, old, source, *rest)

        monkeypatch.setattr(archive, "write_zip", whole)
        monkeypatch.setattr(archive, "update_zip", updated)


SET_ASIDE = (
    "Set {} aside in the cache: it would no longer match the folder "
    "(the next build without --no-zip updates it).\n"
)
REMOVED = (
    "Removed {}: it would no longer match the folder (build without --no-zip to make it again).\n"
)


def _folder_alone(
    cli_invoke: CliInvoke, repo: Path, out: Path, told: str | None = SET_ASIDE, epoch: str = ""
) -> None:
    """Build the folder alone: the zip leaves the output folder, kept aside in the cache.

    ``told`` is what the build says of the zip (None: nothing, there was none).
    """
    env = {"SOURCE_DATE_EPOCH": epoch or EPOCH["SOURCE_DATE_EPOCH"]}
    result = cli_invoke(["build", "--repo", str(repo), "--out", str(out), "--no-zip"], env=env)
    said = result.stdout.splitlines(keepends=True)[1]
    assert said == (told.format(out / "2026.zip") if told else said)
    assert told is not None or "2026.zip" not in result.stdout
    assert not (out / "2026.zip").exists()


def _built_then_edited(cli_invoke: CliInvoke, repo: Path, out: Path) -> list[str]:
    """Build the pack with its zip, then edit a title; return the build command."""
    build = ["build", "--repo", str(repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    change_title(repo, 0, "Folder only")
    return build


def _aside_once(cli_invoke: CliInvoke, repo: Path, out: Path) -> list[str]:
    """Build the pack, edit a title and build the folder alone; return the build command."""
    build = _built_then_edited(cli_invoke, repo, out)
    _folder_alone(cli_invoke, repo, out)
    return build


def _zipped_whole(
    cli_invoke: CliInvoke, build: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Build with the zip: written whole (no zip set aside taken), as a clean build's."""
    repo, out = Path(build[2]), Path(build[4])
    with monkeypatch.context() as patched:
        writes = ZipWrites(patched)
        cli_invoke(build, env=EPOCH)
    assert (writes.whole, writes.sources) == (1, [])
    assert not asidezip.zip_path(out, "2026").exists()
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def up_to_date(cli_invoke: CliInvoke, build: list[str], out: Path) -> None:
    """Assert that building again finds the pack and its zip up to date."""
    again = cli_invoke(build, env=EPOCH)
    assert again.stdout.endswith(
        f" files) and {out / '2026.zip'}; nothing changed since the last build\n"
    )


@pytest.mark.parametrize("in_runs", [False, True])
def test_a_zip_set_aside_by_builds_without_it_is_updated_by_the_next_build_with_it(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    in_runs: bool,
) -> None:
    if in_runs:  # every file with a marker deflated in runs, as big ones are
        monkeypatch.setattr(runs, "SMALLEST", 1)
        kinds = {kind: (marker, 1024) for kind, (marker, _) in runs.KINDS.items()}
        monkeypatch.setattr(runs, "KINDS", kinds)
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    first = (out / "2026.zip").read_bytes()
    change_title(small_repo, 0, "Folder only")
    _folder_alone(cli_invoke, small_repo, out)
    kept = asidezip.zip_path(out, "2026")
    assert kept.read_bytes() == first  # moved, not rewritten
    # More builds without the zip: a body, a translation, and a message gone.
    change_body(small_repo, 1, "Back up")
    change_po_entry(small_repo, 0, "Nouveau texte")
    messages(small_repo)[-1].unlink()
    _folder_alone(cli_invoke, small_repo, out, told=None)
    assert kept.read_bytes() == first
    if in_runs:  # the zip's runs travel with it
        hashes = pack_hashes(out / FOLDER / "2026", out / "2026") or {}
        found = asidezip.taken(out, "2026", hashes["manifest.json"], ZLIB_VERSION)
        assert found is not None and "index.html" in found.tables
    change_title(small_repo, 1, "Zipped")  # and one more edit, built with the zip
    with monkeypatch.context() as patched:
        writes = ZipWrites(patched)
        result = cli_invoke(build, env=EPOCH)
    assert result.stdout.splitlines()[0].endswith(f" and {out / '2026.zip'}")
    assert (writes.whole, writes.sources) == (0, [kept])
    assert sorted(p.name for p in kept.parent.iterdir()) == []  # done with
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


@pytest.mark.parametrize("again", [False, True])
def test_a_build_without_the_zip_that_renders_every_unit_sets_the_zip_aside(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    again: bool,
) -> None:
    """The config edited: the pack is written while it renders, replaced whole, and its zip set
    aside as an update sets it (``preview`` builds the folder first): the next build with the
    zip updates it, not written whole. A second such build notes its changes too."""
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    first = (out / "2026.zip").read_bytes()
    change_config(small_repo, 0, "Renamed")
    left: list[int] = []  # the pack replaced whole: its zip left by asidezip.leave
    leave = asidezip.leave
    with monkeypatch.context() as patched:
        patched.setattr(asidezip, "leave", lambda *a: left.append(len(a[2])) or leave(*a))
        _folder_alone(cli_invoke, small_repo, out)
        kept = asidezip.zip_path(out, "2026")
        assert kept.read_bytes() == first  # moved, not rewritten
        if again:  # every unit renders again, the zip still aside; one put back by hand goes
            change_config(small_repo, 1, "Renamed again")
            (out / "2026.zip").write_bytes(first)  # (not the pack's: its record has none)
            _folder_alone(cli_invoke, small_repo, out)  # (the one set aside goes on with it)
            assert kept.read_bytes() == first
    assert len(left) == (2 if again else 1) and all(left)  # (with the last pack's hashes)
    with monkeypatch.context() as patched:
        writes = ZipWrites(patched)
        cli_invoke(build, env=EPOCH)
    assert (writes.whole, writes.sources) == (0, [kept])
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def test_a_forced_build_without_the_zip_removes_it_and_sets_none_aside(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    """``--force`` takes nothing from the last pack: its zip is removed, not set aside."""
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    result = cli_invoke([*build, "--no-zip", "--force"], env=EPOCH)
    assert REMOVED.format(out / "2026.zip") in result.stdout
    assert not (out / "2026.zip").exists() and not asidezip.zip_path(out, "2026").exists()
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def _damage_record(out: Path) -> None:
    record = asidezip.zip_path(out, "2026").with_suffix(".aside")
    data = record.read_bytes()
    record.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))


def _lengthen_zip(out: Path) -> None:
    with asidezip.zip_path(out, "2026").open("ab") as handle:
        handle.write(b"\0")


def _touch_zip(out: Path) -> None:
    path = asidezip.zip_path(out, "2026")
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def _delete_cache(out: Path) -> None:
    shutil.rmtree(out / FOLDER)


@pytest.mark.parametrize("harm", [_damage_record, _lengthen_zip, _touch_zip, _delete_cache])
def test_a_zip_set_aside_that_does_not_hold_is_a_miss_and_the_zip_is_written_whole(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    harm: Any,
) -> None:
    build = _aside_once(cli_invoke, small_repo, tmp_path / "out")
    harm(tmp_path / "out")
    _zipped_whole(cli_invoke, build, monkeypatch, tmp_path)


def test_a_new_pack_without_the_zip_drops_the_zip_set_aside(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _aside_once(cli_invoke, small_repo, tmp_path / "out")
    change_title(small_repo, 0, "Written anew")
    cli_invoke([*build, "--no-zip", "--force"], env=EPOCH)
    assert not asidezip.zip_path(tmp_path / "out", "2026").exists()
    _zipped_whole(cli_invoke, build, monkeypatch, tmp_path)


def test_a_build_without_the_zip_stopped_after_its_journal_sets_the_zip_aside_as_it_is_finished(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    first = (out / "2026.zip").read_bytes()
    before = tree(out / "2026")
    change_title(small_repo, 0, "Interrupted")

    def power_cut(*args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal, "apply", power_cut)
    cli_invoke([*build, "--no-zip"], env=EPOCH, expect=1)
    assert tree(out / "2026") == before and (out / "2026.zip").read_bytes() == first
    monkeypatch.undo()
    assert journal.recover(out, "2026")  # as the next build does first, under the lock
    assert not (out / "2026.zip").exists()
    assert asidezip.zip_path(out, "2026").read_bytes() == first
    # The build stopped before recording its pack: the next writes a new one, zip and all.
    _zipped_whole(cli_invoke, build, monkeypatch, tmp_path)


def test_the_zip_is_made_again_from_the_folder_when_no_input_changed_since_it_was_set_aside(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync import pipeline

    out = tmp_path / "out"
    build = _aside_once(cli_invoke, small_repo, out)
    writes = ZipWrites(monkeypatch)

    def no_rendering(*args: object) -> None:
        raise AssertionError("rendered: the folder was up to date")

    monkeypatch.setattr(pipeline, "render_units", no_rendering)
    result = cli_invoke(build, env=EPOCH)
    files = len(tree(out / "2026"))
    assert result.stdout == (
        f"Up to date: {out / '2026'} ({files} files); made {out / '2026.zip'} again from it\n"
    )
    assert (writes.whole, writes.sources) == (0, [asidezip.zip_path(out, "2026")])
    assert not asidezip.zip_path(out, "2026").exists()
    up_to_date(cli_invoke, build, out)
    monkeypatch.undo()
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def test_a_folder_file_changed_by_hand_is_not_put_in_the_zip_made_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build = _aside_once(cli_invoke, small_repo, out)
    calendar = out / "2026" / "calendar.ics"  # changed by the edit: not in the zip set aside
    calendar.write_bytes(calendar.read_bytes().replace(b"Folder only", b"By hand"))
    writes = ZipWrites(monkeypatch)
    result = cli_invoke(build, env=EPOCH)
    assert "made" not in result.stdout  # a build, which copies the zip's other members
    assert writes.sources == [asidezip.zip_path(out, "2026")]
    monkeypatch.undo()
    cli_invoke([*build[:-1], str(tmp_path / "clean")], env=EPOCH)
    assert (out / "2026.zip").read_bytes() == (tmp_path / "clean" / "2026.zip").read_bytes()


class _CrossDevice:
    """``os`` as asidezip sees it, on a cache on another disk: no rename reaches it."""

    getpid = staticmethod(os.getpid)

    @staticmethod
    def replace(source: object, target: object) -> None:
        raise OSError(18, "Invalid cross-device link")


def _cache_on_another_disk(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asidezip, "os", _CrossDevice)


def _cache_not_writable(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (out / FOLDER / asidezip.ZIPS).write_bytes(b"not a folder")  # the record cannot be written


@pytest.mark.parametrize("trouble", [_cache_on_another_disk, _cache_not_writable])
def test_a_zip_that_cannot_be_set_aside_is_removed_and_the_next_one_written_whole(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    trouble: Any,
) -> None:
    out = tmp_path / "out"
    build = _built_then_edited(cli_invoke, small_repo, out)
    with monkeypatch.context() as patched:
        trouble(out, patched)
        _folder_alone(cli_invoke, small_repo, out, told=REMOVED)
    assert not asidezip.zip_path(out, "2026").exists()
    _zipped_whole(cli_invoke, build, monkeypatch, tmp_path)


LATER = "1790086400"  # a day after EPOCH: every member of a zip has the pack's time


@pytest.mark.parametrize("edit", [True, False])
def test_a_zip_set_aside_at_another_time_is_copied_from_each_member_given_the_new_time(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: bool,
) -> None:
    out = tmp_path / "out"
    build = _built_then_edited(cli_invoke, small_repo, out)
    # Set aside at the first time; the folder built at the first time, or at the later one.
    _folder_alone(cli_invoke, small_repo, out, epoch="" if edit else LATER)
    if edit:
        change_title(small_repo, 1, "Later")
    writes = ZipWrites(monkeypatch)
    result = cli_invoke(build, env={"SOURCE_DATE_EPOCH": LATER})
    assert "again from it" not in result.stdout
    assert (writes.whole, len(writes.sources)) == (0, 1)  # (only the times in it change)
    monkeypatch.undo()
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean", {"SOURCE_DATE_EPOCH": LATER})


def test_a_zip_set_aside_is_taken_only_for_its_pack_and_zlib(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(out)], env=EPOCH)
    change_title(small_repo, 0, "Folder only")
    _folder_alone(cli_invoke, small_repo, out)
    hashes = pack_hashes(out / FOLDER / "2026", out / "2026")
    assert hashes is not None
    manifest, zlib = hashes["manifest.json"], ZLIB_VERSION
    found = asidezip.taken(out, "2026", manifest, zlib)
    assert found is not None and "manifest.json" in found.changed
    assert asidezip.taken(out, "2026", "another manifest", zlib) is None
    assert asidezip.taken(out, "2026", manifest, "another zlib") is None
    # Added to only for the pack it holds for: else dropped.
    assert not asidezip.extend(out, "2026", "another manifest", ("x", (1, 1)), ["a"])
    assert not asidezip.zip_path(out, "2026").exists()


def test_a_build_without_the_zip_that_changes_nothing_leaves_the_zip_beside_the_folder(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    first = (out / "2026.zip").read_bytes()
    result = cli_invoke([*build, "--no-zip"], env=EPOCH)  # asked for, though nothing changed
    assert result.stdout.splitlines()[0].endswith(f" (0 written, {len(tree(out / '2026'))} "
                                                  f"unchanged) and {out / '2026.zip'}")  # fmt: skip
    assert "aside" not in result.stdout and "Removed" not in result.stdout
    assert (out / "2026.zip").read_bytes() == first  # it still matches the folder
    assert not asidezip.zip_path(out, "2026").exists()
    up_to_date(cli_invoke, build, out)
    same_as_clean(cli_invoke, small_repo, out, tmp_path / "clean")


def test_a_zip_made_again_past_what_a_zip_holds_is_one_line(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build = _aside_once(cli_invoke, small_repo, out)

    def too_big(*args: object) -> int:
        raise OverflowError("the pack is larger than 4 GiB, which its zip cannot hold")

    monkeypatch.setattr(archive, "update_zip", too_big)
    result = cli_invoke(build, env=EPOCH, expect=1)
    assert result.stderr == "error: the pack is larger than 4 GiB, which its zip cannot hold\n"
    assert not (out / "2026.zip").exists() and asidezip.zip_path(out, "2026").is_file()
    assert not list(out.glob(".2026.zip.tmp-*"))  # nothing half-written left


@pytest.mark.parametrize("harm", ["zip touched", "cannot start", "zlib changed"])
def test_a_build_without_the_zip_that_renders_every_unit_removes_a_zip_it_cannot_set_aside(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    harm: str,
) -> None:
    """The config edited, built without the zip: a zip touched since the last build (not
    the one it recorded), one whose record cannot be started, or one another zlib made
    (its members' bytes are not this one's), is removed, none set aside, and the next
    build writes the zip whole."""
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    live = out / "2026.zip"
    if harm == "zip touched":
        info = live.stat()
        os.utime(live, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    change_config(small_repo, 0, "Renamed")
    with monkeypatch.context() as patched:
        if harm == "cannot start":
            patched.setattr(asidezip, "start", lambda *a: False)
        if harm == "zlib changed":
            patched.setattr(writer, "ZLIB_VERSION", f"another {writer.ZLIB_VERSION}")
        _folder_alone(cli_invoke, small_repo, out, told=REMOVED)
    assert not asidezip.zip_path(out, "2026").exists()
    _zipped_whole(cli_invoke, build, monkeypatch, tmp_path)
