"""Writing packs: the hand-assembled zip, atomic replacement, reuse of unchanged files."""

from __future__ import annotations

import json
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest

from campaignsync import paths
from campaignsync.errors import BuildError
from campaignsync.model import Measure, Output
from campaignsync.pack import contents, manifest, state, writer

EPOCH = 1790000000  # 2026-09-21 14:13:20 UTC


def output(path: str, text: str, measure: Measure | None = None) -> Output:
    message, locale, channel = (
        path.rsplit("/", 1)[1].split(".")[0],
        path.split("/")[0],
        path.split("/")[1],
    )
    return Output(message, locale, channel, path, text.encode(), True, (), measure)


OUTPUTS = [
    output("de/x/kickoff.txt", "Heute beginnt der Monat. " * 3, Measure(75, 280, "weighted")),
    output("en/x/kickoff.txt", "Today the month starts. " * 3, Measure(72, 280, "weighted")),
    output("en/web/kickoff.html", "<p>" + "Hello. " * 50 + "</p>"),
]
EXTRAS = [writer.PackFile("index.html", b"<!DOCTYPE html>\n")]
SOURCE = writer.SourceInfo(None, False, "not built from a git commit")


def write(out: Path, outputs: list[Output] = OUTPUTS, epoch: int = EPOCH) -> state.PackResult:
    """Write a pack as a build does: the outputs, the extras and their manifest."""
    document = manifest.build_manifest("2026", outputs, EXTRAS, SOURCE, epoch)
    extras = [*EXTRAS, writer.PackFile("manifest.json", document)]
    return writer.write_pack(out, "2026", outputs, extras, epoch)


def test_zip_holds_every_file_sorted_with_fixed_times_and_modes(tmp_path: Path) -> None:
    result = write(tmp_path)
    with zipfile.ZipFile(result.archive) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert (
            names
            == sorted(names)
            == [
                "2026/de/x/kickoff.txt",
                "2026/en/web/kickoff.html",
                "2026/en/x/kickoff.txt",
                "2026/index.html",
                "2026/manifest.json",
            ]
        )
        assert archive.read("2026/en/web/kickoff.html") == OUTPUTS[2].content
        for info in archive.infolist():
            stamp = time.gmtime(EPOCH)
            assert info.date_time == (*stamp[:5], stamp.tm_sec // 2 * 2)
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644
            assert info.flag_bits & 0x800  # names are UTF-8


def test_zip_times_before_1980_are_clamped(tmp_path: Path) -> None:
    result = write(tmp_path, epoch=0)
    with zipfile.ZipFile(result.archive) as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_small_members_are_stored_and_large_ones_deflated() -> None:
    assert writer.prepare(b"ab").method == zipfile.ZIP_STORED
    large = writer.prepare(b"campaign " * 200)
    assert large.method == zipfile.ZIP_DEFLATED and len(large.data) < 1800


def test_more_than_65535_members_use_zip64_end_records(tmp_path: Path) -> None:
    members = [(f"f{i:06d}", writer.prepare(str(i).encode())) for i in range(70_000)]
    path = tmp_path / "big.zip"
    writer._write_zip(path, "c", members, EPOCH)
    with zipfile.ZipFile(path) as archive:
        assert len(archive.infolist()) == 70_000
        assert archive.read("c/f069999") == b"69999"


def test_pack_does_not_depend_on_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        result = write(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE((result.folder / "en/x/kickoff.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((result.folder / "en/x").stat().st_mode) == 0o755
    assert stat.S_IMODE(result.archive.stat().st_mode) == 0o644


def test_unchanged_files_are_linked_not_rewritten(tmp_path: Path) -> None:
    first = write(tmp_path)
    inode = (first.folder / "de/x/kickoff.txt").stat().st_ino
    changed = [output("de/x/kickoff.txt", "Neu."), *OUTPUTS[1:]]
    second = write(tmp_path, changed)
    assert (second.written, second.reused) == (2, 3)  # the changed output and the manifest
    assert (second.folder / "en/x/kickoff.txt").stat().st_nlink == 1  # the old pack is gone
    assert (second.folder / "de/x/kickoff.txt").stat().st_ino != inode
    assert (second.folder / "de/x/kickoff.txt").read_text() == "Neu."


def test_a_failed_write_leaves_the_previous_pack_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(tmp_path)
    before = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    calls = 0

    def failing(path: Path, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        Path(path).write_bytes(data)

    monkeypatch.setattr(paths, "write_new", failing)
    changed = [output(o.path, o.content.decode() + " v2") for o in OUTPUTS]
    with pytest.raises(BuildError) as caught:
        write(tmp_path, changed)
    assert str(caught.value) == (
        f"cannot write the pack in {tmp_path}: No space left on device; the previous pack is unchanged"
    )
    after = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    assert after == before
    assert first.folder.is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".2026.")]


def test_a_failure_after_the_swap_puts_the_previous_pack_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = write(tmp_path)
    before = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in first.folder.rglob("*")
        if p.is_file()
    }
    real = os.replace

    def failing(source: object, target: object) -> None:
        if str(target) == str(first.archive):  # the zip put in place: after the folder swap
            raise IsADirectoryError(21, "Is a directory")
        real(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing)
    changed = [output(o.path, o.content.decode() + " v2") for o in OUTPUTS]
    document = manifest.build_manifest("2026", changed, EXTRAS, SOURCE, EPOCH)
    extras = [*EXTRAS, writer.PackFile("manifest.json", document)]
    with pytest.raises(BuildError, match="cannot write the pack in"):  # (not updated in place)
        writer.write_pack(tmp_path, "2026", changed, extras, EPOCH, reuse=False)
    after = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in first.folder.rglob("*")
        if p.is_file()
    }
    assert after == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".2026.")]


def test_leftovers_of_an_interrupted_build_are_cleaned_up(tmp_path: Path) -> None:
    first = write(tmp_path)
    first.folder.rename(tmp_path / ".2026.old-999")  # crashed between the two renames
    (tmp_path / ".2026.tmp-998").mkdir()
    (tmp_path / ".2026.zip.tmp-998").write_bytes(b"partial")
    second = write(tmp_path)
    assert second.reused == 5  # the restored previous pack was reused
    assert sorted(p.name for p in tmp_path.iterdir()) == [".campaignsync.lock", "2026", "2026.zip"]


def test_a_second_build_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    from filelock import FileLock

    tmp_path.mkdir(exist_ok=True)
    with FileLock(str(tmp_path / ".campaignsync.lock")), pytest.raises(BuildError) as caught:
        write(tmp_path)
    assert (
        str(caught.value)
        == f"another campaignsync build is writing to {tmp_path}; wait for it to finish"
    )


def test_output_folder_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(BuildError, match=r"cannot create the output folder .*/file/out"):
        write(tmp_path / "file" / "out")


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        pytest.param("2026", lambda p: p.write_text("notes"), "a file, not the campaign pack's folder",
                     id="file-for-folder"),
        pytest.param("2026", lambda p: p.symlink_to(p.parent.parent), "a symbolic link, not the "
                     "campaign pack's folder", id="link-for-folder"),
        pytest.param("2026.zip", lambda p: p.mkdir(), "a folder, not the campaign pack's zip",
                     id="folder-for-zip"),
        pytest.param("2026.zip", lambda p: p.symlink_to(p.parent.parent / "elsewhere.zip"),
                     "a symbolic link, not the campaign pack's zip", id="link-for-zip"),
    ],
)  # fmt: skip
def test_something_else_where_the_pack_goes_is_left_as_it_is(
    tmp_path: Path, name: str, make: object, what: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    make(out / name)  # type: ignore[operator]
    before = sorted((p.name, p.is_symlink(), p.is_dir()) for p in out.iterdir())
    with pytest.raises(BuildError) as caught:
        write(out)
    assert str(caught.value) == (
        f"{out / name} is {what}: a build writes it whole; move it away or choose another "
        "--out (nothing was written)"
    )
    assert sorted((p.name, p.is_symlink(), p.is_dir()) for p in out.iterdir()) == before
    if name == "2026" and not (out / name).is_symlink():
        assert (out / name).read_text() == "notes"


def test_manifest_lists_every_file_with_hash_size_and_length(tmp_path: Path) -> None:
    source = writer.SourceInfo("abc123", dirty=True)
    document = json.loads(manifest.build_manifest("2026", OUTPUTS, EXTRAS, source, EPOCH))
    assert document["source"] == {"commit": "abc123", "dirty": True}
    assert document["source_date_epoch"] == EPOCH
    assert [row["path"] for row in document["files"]] == sorted(
        row["path"] for row in document["files"]
    )
    row = next(r for r in document["files"] if r["path"] == "de/x/kickoff.txt")
    assert row["length"] == 75 and row["limit"] == 280 and row["unit"] == "weighted"
    assert row["bytes"] == len(OUTPUTS[0].content)
    assert row["sha256"] == writer.prepare(OUTPUTS[0].content).sha256
    assert {
        "message": "kickoff",
        "locale": "de",
        "channel": "x",
        "translated": True,
    }.items() <= row.items()


def test_fingerprint_covers_all_of_campaignsync_not_only_the_pack_stage() -> None:
    assert (contents.TOOL / "render" / "engine.py").is_file()
    assert (contents.TOOL / "pack" / "state.py").is_file()


def test_fingerprint_follows_inputs_and_settings(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("one")
    first = state.fingerprint(tmp_path, ["content"], {"commit": "x"})
    assert state.fingerprint(tmp_path, ["content"], {"commit": "x"}) == first
    assert state.fingerprint(tmp_path, ["content"], {"commit": "y"}) != first
    (tmp_path / "content" / "a.md").write_text("one!")
    assert state.fingerprint(tmp_path, ["content"], {"commit": "x"}) != first
    before = state.fingerprint(tmp_path, ["content", "templates"], {})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.txt.j2").write_text("")
    assert state.fingerprint(tmp_path, ["content", "templates"], {}) != before


def test_fingerprint_reads_every_folder_below_an_input_but_pycache(tmp_path: Path) -> None:
    nested = tmp_path / "content" / "messages" / "2026"
    nested.mkdir(parents=True)
    (nested / "a.md").write_text("one")
    first = state.fingerprint(tmp_path, ["content"], {})
    (tmp_path / "content" / "__pycache__").mkdir()
    (tmp_path / "content" / "__pycache__" / "x.pyc").write_bytes(b"")
    assert state.fingerprint(tmp_path, ["content"], {}) == first
    (nested / "b.md").write_text("two")
    assert state.fingerprint(tmp_path, ["content"], {}) != first


def test_a_recorded_pack_is_current_until_it_is_touched(tmp_path: Path) -> None:
    result = write(tmp_path)
    state.remember(tmp_path, state.Stamp("print-1"), result)
    again = state.current(tmp_path, state.Stamp("print-1"))
    assert again is not None and (again.files, again.written) == (5, 0)
    assert state.current(tmp_path, state.Stamp("print-2")) is None
    result.archive.write_bytes(b"tampered")
    assert state.current(tmp_path, state.Stamp("print-1")) is None


def rewrite_in_place(path: Path, text: str) -> None:
    """Rewrite a file keeping its size, inode and time: a change within one clock tick."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    with path.open("r+b") as handle:
        handle.write(text.encode())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def test_a_file_changed_within_its_clock_tick_is_told_by_its_content(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    fresh, settled = tmp_path / "content" / "fresh.md", tmp_path / "content" / "settled.md"
    fresh.write_text("one")
    settled.write_text("old")
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(settled, ns=(hour_ago, hour_ago))
    first = state.fingerprint(tmp_path, ["content"], {}, time.time_ns())
    # Only the file changed just now is hashed: the settled one is told by its signature.
    assert [Path(p).name for p, _ in first.unsettled] == ["fresh.md"]
    assert first.holds()
    out = tmp_path / "out"
    state.remember(out, first, write(out))
    assert (
        state.current(out, state.fingerprint(tmp_path, ["content"], {}, time.time_ns())) is not None
    )
    rewrite_in_place(fresh, "two")
    again = state.fingerprint(tmp_path, ["content"], {}, time.time_ns())
    assert again.digest == first.digest  # size, time and inode alike
    assert not first.holds()
    assert state.current(out, again) is None
    # Without the clock (a caller that has none), no file is taken as unsettled.
    assert state.fingerprint(tmp_path, ["content"], {}).unsettled == ()


def test_an_unsettled_link_or_pipe_is_named_never_read(tmp_path: Path) -> None:
    # A link to /dev/zero or a FIFO among the inputs is refused by the loader; the
    # fingerprint, taken first, must not read it without end or wait on it.
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "content" / "pipe.md")
    found = dict(state.fingerprint(tmp_path, ["content"], {}, time.time_ns()).unsettled)
    assert found == {
        str(tmp_path / "content" / "pipe.md"): "special",
        str(tmp_path / "content" / "zero.md"): "link:/dev/zero",
    }


def test_files_settled_since_are_no_longer_read_by_the_no_change_test(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("one")
    out = tmp_path / "out"
    first = state.fingerprint(tmp_path, ["content"], {}, time.time_ns())
    assert first.unsettled
    state.remember(out, first, write(out))
    later = state.fingerprint(tmp_path, ["content"], {}, time.time_ns() + 60 * 10**9)
    assert later.unsettled == () and later.digest == first.digest
    assert state.current(out, later) is not None
    assert state.recorded(out)["2026"]["unsettled"] == []


def test_an_unsettled_record_that_is_not_pairs_is_not_trusted(tmp_path: Path) -> None:
    result = write(tmp_path)
    state.remember(tmp_path, state.Stamp("print-1"), result)
    states = json.loads((tmp_path / state.STATE_NAME).read_text())
    for damaged in ("x", [["only-a-path"]], [[1, 2]]):
        states["2026"]["unsettled"] = damaged
        (tmp_path / state.STATE_NAME).write_text(json.dumps(states))
        assert state.current(tmp_path, state.Stamp("print-1")) is None


def test_zip_times_are_clamped_to_what_a_zip_can_hold(tmp_path: Path) -> None:
    # A commit dated after 2107 (git allows it) still gives a valid archive.
    for epoch, expected in ((0, (1980, 1, 1)), (10**11, (2107, 12, 31))):
        archive = tmp_path / f"{epoch}.zip"
        writer._write_zip(archive, "2026", [("a.txt", writer.prepare(b"a\n"))], epoch)
        with zipfile.ZipFile(archive) as opened:
            assert opened.infolist()[0].date_time[:3] == expected
