"""A clean build's pack written while it renders: the same bytes, and nothing left when it fails."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke
from test_incremental import EPOCH, change_title, messages, same_as_clean, tree

from campaignsync.errors import BuildError
from campaignsync.model import Output
from campaignsync.pack import cache as unitcache
from campaignsync.pack import gallery, schedulecsv, state, writer
from campaignsync.pack.gallery import Drawn
from campaignsync.pack.kept import open_kept
from campaignsync.pipeline import building, keeping, workers


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_pack_written_while_rendering_is_the_one_written_after(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, jobs: str
) -> None:
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--jobs", jobs, "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".2026")) == []
    streamed, shards = tree(out / "2026"), tree(out / unitcache.FOLDER)
    zipped = (out / "2026.zip").read_bytes()
    key = (out / unitcache.FOLDER / "2026" / "kept.index").read_bytes().split(b"\n")[2].decode()
    before = open_kept(out / unitcache.FOLDER / "2026", out / "2026", key).pieces
    count = len(list((small_repo / "content" / "messages").rglob("*.md")))
    # Every unit from the cache the renderers wrote: the pack is written after rendering.
    shutil.rmtree(out / "2026")
    (out / "2026.zip").unlink()
    cli_invoke(build, env=EPOCH)
    assert tree(out / "2026") == streamed
    assert (out / "2026.zip").read_bytes() == zipped
    # All taken, none written again; the kept pieces gain each message's outputs' digest
    # under the shard its units were taken from (as every build taking them does), the
    # same digest as under what they were rendered from.
    pieces = {"2026/kept.pieces", "2026/kept.pieces.base"}
    again = tree(out / unitcache.FOLDER)
    assert {k: v for k, v in again.items() if k not in pieces} == {
        k: v for k, v in shards.items() if k not in pieces
    }
    now = open_kept(out / unitcache.FOLDER / "2026", out / "2026", key).pieces
    assert {name: text for name, text in now.items() if " shard " not in name} == before
    digests = {text for name, text in before.items() if name.startswith("outputs of ")}
    added = [text for name, text in now.items() if " shard " in name]
    assert len(added) == count and set(added) <= digests


@pytest.mark.parametrize(
    ("module", "name"),
    [(building, "assemble"), (schedulecsv, "schedule_csv")],  # after rendering; mid-gallery
)
def test_a_clean_build_stopped_midway_leaves_no_pack_and_no_leftovers(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    module: object,
    name: str,
) -> None:
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]

    def failing(*args: object, **kwargs: object) -> None:
        assert any(p.name.startswith(".2026.tmp-") for p in out.iterdir())  # written meanwhile
        raise BuildError(f"stopped in {name}")

    with monkeypatch.context() as patch:
        patch.setattr(module, name, failing)
        result = cli_invoke(build, env=EPOCH, expect=1)
    assert f"stopped in {name}" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".campaignsync-cache", ".campaignsync.lock"]
    cli_invoke(build, env=EPOCH)  # the lock was released
    assert (out / "2026.zip").is_file()


def test_a_clean_build_holds_none_of_its_gallery_and_manifest_bytes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages, CSVs and manifest are written away as they are made, and only hashed after."""
    out = tmp_path / "out"
    handed: list[writer.PackFile] = []
    real = writer.write_pack

    def noting(*args: Any, **kwargs: Any) -> Any:
        handed.extend(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "write_pack", noting)
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(out)], env=EPOCH)
    paths = {f.path for f in handed}
    assert {"index.html", "manifest.json", "calendar.ics", "preview/gallery.css"} <= paths
    assert [f.path for f in handed if f.content] == []
    manifest = json.loads((out / "2026" / "manifest.json").read_bytes())
    sizes = {row["path"]: row["bytes"] for row in manifest["files"]}
    assert sizes["index.html"] == (out / "2026" / "index.html").stat().st_size > 0


def test_a_clean_builds_parent_holds_no_cards_html_email_bytes_or_findings(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renderers leave the cards' HTML and the HTML emails in the staging and write the findings.

    The parent reads the HTML back when it draws the pages; it holds none of it.
    """
    out = tmp_path / "out"
    seen: dict[str, Any] = {}
    real = building.assemble

    def noting(project: Any, selection: Any, rendered: Any, *args: Any) -> Any:
        seen.update(drawn=dict(args[1]), outputs=rendered.outputs)
        return real(project, selection, rendered, *args)

    keep = keeping.keep

    def kept(cache: unitcache.Cache, *args: Any) -> None:
        seen["found"] = dict(cache.found)
        keep(cache, *args)

    monkeypatch.setattr(building, "assemble", noting)
    monkeypatch.setattr(keeping, "keep", kept)
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(out)], env=EPOCH)

    def held(value: object, kind: type, name: str) -> bool:  # the value's own slot, set or not
        try:
            getattr(kind, name).__get__(value)
        except AttributeError:
            return False
        return True

    cards = list(seen["drawn"].values())
    assert cards and not any(held(c, Drawn, "html") or held(c, Drawn, "section") for c in cards)
    emails = [o for o in seen["outputs"] if o.channel == "email" and o.path.endswith(".html")]
    assert emails and not any(held(o, Output, "content") for o in emails)
    assert not any(o.fields or o.links for o in seen["outputs"])  # read where they were made
    assert seen["found"] == {}
    messages = {p.stem for p in (small_repo / "content/messages/2026").glob("*.md")}
    found = out / unitcache.FOLDER / "found" / "2026"
    assert {p.stem for p in found.glob("*.found")} == messages


@pytest.mark.parametrize("forked", [False, True])
def test_a_clean_builds_email_copies_are_made_by_the_renderers_and_kept(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forked: bool,
) -> None:
    """The gallery's copies of the HTML emails are made where the emails are rendered.

    The parent's gallery copies none after rendering (the renderers staged them), and
    the next build after an edit copies only the edited message's again: the others
    were noted as made (taken by reference). The copies' bytes are those the gallery
    makes: the first test above compares them with a pack written after rendering.
    """
    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--jobs", "2", "--out", str(out)]
    if forked:  # the sample in two forked workers, as a big campaign is rendered
        monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)
    copied: list[bool] = []  # in this process: whether it was assembling the pack then
    assembling = [False]
    real_copy, real_assemble = gallery.EmailCopies.copy, building.assemble

    def copy(self: gallery.EmailCopies, content: bytes) -> bytes:
        copied.append(assembling[0])
        return real_copy(self, content)

    def assemble(*args: Any) -> Any:
        assembling[0] = True
        try:
            return real_assemble(*args)
        finally:
            assembling[0] = False

    monkeypatch.setattr(gallery.EmailCopies, "copy", copy)
    monkeypatch.setattr(building, "assemble", assemble)
    cli_invoke(build, env=EPOCH)
    pack = out / "2026" / "preview" / "email"
    copies = sorted(p.relative_to(pack).as_posix() for p in pack.rglob("*.html"))
    assert copies
    # Each made once, none after rendering (forked: none in this process at all).
    assert copied == ([] if forked else [False] * len(copies))
    copied.clear()
    message = copies[0].rpartition("/")[2].removesuffix(".html")
    files = messages(small_repo)
    change_title(small_repo, next(n for n, f in enumerate(files) if f.stem == message), "New")
    cli_invoke(build, env=EPOCH)
    assert len(copied) == sum(c.endswith(f"/{message}.html") for c in copies)


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


@pytest.mark.parametrize("what", ["config", "cache deleted"])
def test_a_build_rendering_every_unit_over_a_pack_writes_it_while_rendering_and_links(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:  # fmt: skip
    """With nothing in the render cache to take, a build over a pack is a clean build's.

    Its renderers write the files as they go, and its parent holds none of their HTML (the
    posts' text alone, for the CSVs: a config edit at 104,000 outputs had held 1.8 GB). A file the last pack has as it is
    now is linked from there: unchanged, it keeps its inode. The pack is a clean build's.
    """
    out, clean = tmp_path / "out", tmp_path / "clean"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    old, inodes = tree(out / "2026"), _inodes(out / "2026")
    if what == "config":
        config = small_repo / "campaignsync.toml"
        text = config.read_text(encoding="utf-8")
        assert 'dateline = "Washington, D.C."' in text
        config.write_text(text.replace("Washington, D.C.", "Arlington, VA"), encoding="utf-8")
    else:  # and the record of the last build (else "up to date")
        shutil.rmtree(out / unitcache.FOLDER)
        (out / state.STATE_NAME).unlink()
    handed: list[Output] = []
    real = writer.write_pack

    def noting(*args: Any, **kwargs: Any) -> Any:
        handed.extend(args[2])
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(writer, "write_pack", noting)
        result = cli_invoke(build, env=EPOCH)
    emails = [o for o in handed if o.channel == "email" and o.path.endswith(".html")]
    assert emails and not [o.path for o in emails if "content" in _slots_set(o)]
    now = tree(out / "2026")
    changed = sorted(rel for rel, data in now.items() if old.get(rel) != data)
    if what == "config":
        assert any(c.startswith("en-US/press/") for c in changed)  # the US dateline
        assert not any(c.startswith(("de/", "fr/")) for c in changed)
    else:
        assert changed == []
    assert f"({len(changed)} written, {len(now) - len(changed)} unchanged)" in result.stdout
    after = _inodes(out / "2026")
    assert [r for r in now if (after[r] == inodes.get(r)) == (r in changed)] == []
    assert [p.name for p in out.iterdir() if p.name.startswith(".2026")] == []
    same_as_clean(cli_invoke, small_repo, out, clean)


def _slots_set(value: object) -> set[str]:
    """Return the names of the slots of ``Output`` that ``value`` holds a value in."""
    found = set()
    for name in Output.__slots__:
        try:
            getattr(Output, name).__get__(value)
        except AttributeError:
            continue
        found.add(name)
    return found


def test_an_update_holds_none_of_its_gallery_and_manifest_bytes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit the whole-pack files wait in a temporary file, read back when written.

    Those taken from the last pack by reference are not set aside (their member is the
    last pack's): the pack is a clean build's, no file of it emptied.
    """
    out, clean = tmp_path / "out", tmp_path / "clean"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    change_title(small_repo, 0, "Now")
    handed: list[writer.PackFile] = []
    real = writer.write_pack

    def noting(*args: Any, **kwargs: Any) -> Any:
        handed.extend(args[3])
        result = real(*args, **kwargs)
        aside = [f for f in handed if type(f) is not writer.PackFile]
        assert {"index.html", "manifest.json"} <= {f.path for f in aside}
        for f in aside:  # read back as they were set aside (until the build closes their file)
            written = writer.PackFile(f.path, (out / "2026" / f.path).read_bytes())
            assert f.content == written.content and f.size == len(written.content)
            assert f == written and hash(f) == hash(written)
            assert type(replace(f)) is writer.PackFile and replace(f) == written
            assert pickle.loads(pickle.dumps(f)) == written
        return result

    with monkeypatch.context() as patch:
        patch.setattr(writer, "write_pack", noting)
        cli_invoke(build, env=EPOCH)
    held = [f.path for f in handed if type(f) is writer.PackFile and f.content]
    assert held == []
    assert any(type(f) is not writer.PackFile for f in handed)
    assert [p.name for p in out.iterdir() if p.name.startswith(".2026")] == []
    same_as_clean(cli_invoke, small_repo, out, clean)


@pytest.mark.parametrize("fails", ["no", "writer", "assembly"])
def test_an_updates_files_set_aside_are_closed_once_the_pack_is_written(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    fails: str,
) -> None:  # fmt: skip
    """Closed by the build, not by a finalizer: a Ctrl-C that lands in one is printed and lost.
    So are they when the writer stops, or the assembly after they were set aside; the
    last pack is then as it was."""
    from campaignsync.pack import manifestrows, spilled

    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    change_title(small_repo, 0, "Now")
    made: list[spilled.Spiller] = []
    real = spilled.Spiller.__init__

    def noted(self: spilled.Spiller, *args: Any) -> None:
        real(self, *args)
        made.append(self)

    def failing(*args: Any, **kwargs: Any) -> None:
        raise BuildError("the writer stopped")

    before = tree(out / "2026")
    with monkeypatch.context() as patch:
        patch.setattr(spilled.Spiller, "__init__", noted)
        patch.setattr(spilled, "_ALONE_FROM", 1000)  # the gallery's pages and the manifest too
        if fails == "writer":
            patch.setattr(writer, "write_pack", failing)
        if fails == "assembly":  # (the manifest made last: the others set aside by then)
            patch.setattr(manifestrows, "manifest_of", failing)
        result = cli_invoke(build, env=EPOCH, expect=1 if fails != "no" else 0)
    assert made  # (each held here: a finalizer would not have run)
    held = [h for s in made for h in (s._held, *s._alone)]
    assert len(held) > 2 and [h.handle.closed for h in held] == [True] * len(held)
    assert not any(h._closing.alive for h in held)
    if fails != "no":
        assert result.stderr == "error: the writer stopped\n"  # (a BuildError's own words)
        assert tree(out / "2026") == before


@pytest.mark.parametrize("kernel", ["copies", "refuses", "stops", "absent"])
def test_an_update_copies_the_files_it_set_aside_into_the_pack(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kernel: str,
) -> None:
    """The changed whole-pack files go from the temporary file into the pack in the kernel;
    where it cannot copy them (another file system, a system without ``copy_file_range``),
    or stops halfway, they are read and written: the pack is a clean build's either way."""
    import errno

    from campaignsync.pack import spilled

    out, clean = tmp_path / "out", tmp_path / "clean"
    build = ["build", "--repo", str(small_repo), "--out", str(out), "--no-zip"]
    cli_invoke(build, env=EPOCH)
    change_title(small_repo, 0, "Now")
    copied: list[int] = []
    real = os.copy_file_range

    def copying(source: int, target: int, count: int, *at: Any) -> int:
        if kernel == "refuses" or (kernel == "stops" and copied):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        copied.append(real(source, target, min(count, 1000) if kernel == "stops" else count, *at))
        return copied[-1]

    def unread(held: object, at: int, size: int) -> bytes:
        raise AssertionError("read back, not copied in the kernel")

    with monkeypatch.context() as patch:
        if kernel == "absent":
            patch.delattr(os, "copy_file_range")
        else:
            patch.setattr(os, "copy_file_range", copying)
        if kernel == "copies":  # nothing set aside is read back (--no-zip: none compressed)
            patch.setattr(spilled._Held, "read", unread)
        cli_invoke(build, env=EPOCH)
    assert bool(copied) == (kernel in ("copies", "stops"))
    cli_invoke(build[:-1], env=EPOCH)  # the zip made again
    same_as_clean(cli_invoke, small_repo, out, clean)


@pytest.mark.parametrize("system", ["links", "refuses", "lacks", "unsupported"])
def test_an_update_links_its_big_files_set_aside_into_the_pack(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    system: str,
) -> None:
    """A big file waits alone in a nameless file, which becomes the pack's file: not copied.
    Where it cannot be linked (another file system) or made (no ``O_TMPFILE``, or a file
    system without it), it is copied: the pack is a clean build's either way, and no file
    is left open."""
    import errno

    from campaignsync.pack import spilled

    out, clean = tmp_path / "out", tmp_path / "clean"
    build = ["build", "--repo", str(small_repo), "--out", str(out), "--no-zip"]
    cli_invoke(build, env=EPOCH)
    change_title(small_repo, 0, "Now")
    linked: list[str] = []
    real_link, real_init = os.link, spilled._Held.__init__
    made: list[spilled._Held] = []

    def link(source: str, target: str, **kwargs: Any) -> None:
        if system == "refuses":
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_link(source, target, **kwargs)
        linked.append(target)

    def noted(held: spilled._Held, *args: Any) -> None:
        real_init(held, *args)
        made.append(held)

    real_open = os.open

    def unsupported(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & spilled._TMPFILE == spilled._TMPFILE:  # (a file system without it)
            raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))
        return real_open(path, flags, *args, **kwargs)

    mask = os.umask(0o077)  # (a link keeps the pack's mode, not the umask's)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(spilled, "_ALONE_FROM", 1000)  # the gallery's pages, the manifest
            patch.setattr(spilled, "_ALONE", 3)
            patch.setattr(os, "link", link)
            patch.setattr(spilled._Held, "__init__", noted)
            if system == "lacks":
                patch.setattr(spilled, "_TMPFILE", 0)
            if system == "unsupported":
                patch.setattr(os, "open", unsupported)
            cli_invoke(build, env=EPOCH)
    finally:
        os.umask(mask)
    # The shared file, then as many alone as allowed and the manifest, where they can be.
    alone = 0 if system in ("lacks", "unsupported") else 4
    assert [h.linkable for h in made] == [False, *[True] * alone]
    assert len(linked) == (4 if system == "links" else 0)
    assert "manifest.json" in {Path(p).name for p in linked} or system != "links"
    assert all(h.handle.closed for h in made)
    # Each linked file is the pack's own now: one name, in the pack (its staging name gone).
    staged = [Path(p) for p in linked]
    assert not any(p.exists() for p in staged)
    names = {p.name for p in staged}
    in_pack = [p for p in (out / "2026").rglob("*") if p.name in names]
    assert len(in_pack) == len(names) and all(p.stat().st_nlink == 1 for p in in_pack)
    assert {oct(p.stat().st_mode & 0o777) for p in in_pack} <= {"0o644"}
    cli_invoke(build[:-1], env=EPOCH)  # the zip made again
    same_as_clean(cli_invoke, small_repo, out, clean)


def test_an_update_that_cannot_set_its_files_aside_says_where_and_leaves_the_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk where the cache is: one line naming the folder, the last pack as it was."""
    import errno
    import os

    out = tmp_path / "out"
    build = ["build", "--repo", str(small_repo), "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    before = tree(out / "2026"), (out / "2026.zip").read_bytes()
    change_title(small_repo, 0, "Now")

    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "pwrite", full)  # where the update sets its files aside
    result = cli_invoke(build, env=EPOCH, expect=1)
    folder = out.resolve() / unitcache.FOLDER / "2026"
    assert result.stderr == (
        f"error: cannot set the new pack's files aside in {folder}: No space left on device; "
        "the previous pack is unchanged\n"
    )
    assert (tree(out / "2026"), (out / "2026.zip").read_bytes()) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".2026")] == []


def test_a_spill_file_of_cards_read_by_stretches_gives_the_bytes_at_each_place(
    tmp_path: Path,
) -> None:
    from campaignsync.pack.spilledcards import Spilled

    path = tmp_path / "1.cards"
    data = bytes(range(256)) * 5000  # 1.28 MB: several stretches
    path.write_bytes(data)
    spilled = Spilled(str(path))
    step = 7919  # reads in order, then back, across a stretch's end, past the file's end
    places = [(at, 1000) for at in range(0, len(data), step)]
    places += [(500_000, 10), (10, 300_000), (len(data) - 5, 100), (len(data) + 10, 4)]
    try:
        for at, size in places:
            assert spilled.read(at, size) == data[at : at + size], (at, size)
        with path.open("ab") as handle:  # the process that spilled them draws more cards
            handle.write(b"more cards")
        assert spilled.read(len(data) - 3, 13) == data[-3:] + b"more cards"
    finally:
        os.close(spilled.fd)


def test_a_big_files_member_is_the_one_taken_in_one_go() -> None:
    """Its CRC is taken in a thread while it is hashed (the manifest: 61 MB at full size)."""
    import hashlib
    import zlib

    for size in (0, 1000, writer._SPLIT - 1, writer._SPLIT, 3 * writer._SPLIT + 7):
        data = os.urandom(size)
        member = writer.digest(data)
        assert (member.sha256, member.crc, member.size) == (
            hashlib.sha256(data).hexdigest(),
            zlib.crc32(data),
            size,
        )


def test_the_manifest_set_aside_is_written_while_hashed_and_a_full_disk_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from campaignsync.pack.spilled import Spiller

    data = os.urandom(writer._SPLIT + 5)
    spiller = Spiller(tmp_path, {})
    spiller.finish()
    made, member = spiller.last("manifest.json", data)
    assert (made.path, made.content, member) == ("manifest.json", data, writer.digest(data))

    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "pwrite", full)
    failing = Spiller(tmp_path, {})
    try:
        with pytest.raises(BuildError) as stopped:
            failing.last("manifest.json", data)
    finally:
        monkeypatch.undo()
        failing.finish()
    assert str(stopped.value) == (
        f"cannot set the new pack's files aside in {tmp_path}: No space left on device; "
        "the previous pack is unchanged"
    )


@pytest.mark.parametrize("kernel", [True, False])
def test_a_range_is_copied_at_its_place_and_a_source_cut_short_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    """In the kernel, or read and written a MiB at a time where it cannot."""
    from campaignsync import paths

    if not kernel:
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    data = os.urandom(3 << 20)
    (tmp_path / "source").write_bytes(data)
    source = os.open(tmp_path / "source", os.O_RDONLY)
    target = os.open(tmp_path / "target", os.O_WRONLY | os.O_CREAT)
    try:
        os.write(target, b"head")
        paths.copy_range(source, target, 7, len(data) - 9, "short")
        with pytest.raises(OSError, match=r"^the source ends$"):
            paths.copy_range(source, target, len(data) - 2, 5, "the source ends")
    finally:
        os.close(source)
        os.close(target)
    assert (tmp_path / "target").read_bytes() == b"head" + data[7:-2] + data[-2:]


def test_members_and_cards_cross_processes_as_they_were_made() -> None:
    """What the workers send back (143,000 members, a card a unit and channel) is pickled
    as a call of its constructor with every field, in order: each comes back equal."""
    member = writer.Member("ab" * 32, 7, 120, 8, b"xy", ("w.spill", 4, 2), None, True)
    card = Drawn("de/x/m.txt", "m", "de", "x", "ltr", "T", "X", ((40, "ok"),), b"<p>", "cd", b"s")
    for value in (member, card):
        back = pickle.loads(pickle.dumps(value, protocol=5))
        assert type(back) is type(value) and back == value
        assert [getattr(back, n) for n in value.__slots__] == [
            getattr(value, n) for n in value.__slots__
        ]
        assert value.__reduce__()[0] is type(value)  # not a generic __setstate__ (slow)
