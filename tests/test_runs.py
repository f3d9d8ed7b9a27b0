"""Big members deflated in runs: one stream any unzip reads, unchanged runs copied, never trusted blind."""

from __future__ import annotations

import itertools
import random
import threading
import zipfile
import zlib
from pathlib import Path

import pytest

from campaignsync.pack import archive, localepages, runs, writer

STAMP = (0, (46 << 9) | (1 << 5) | 1)


def schedule(rows: int, edited: int | None = None) -> bytes:
    """Return a CSV of ``rows`` rows, one of them longer when ``edited``."""
    lines = ["date,time,text"]
    for n in range(rows):
        text = f"Post {n} says something about message {n // 40}"
        lines.append(f"2026-01-{n // 40 % 28 + 1:02d},09:{n % 60:02d},{text}")
        if n == edited:
            lines[-1] += " and now a good deal more about it than before"
    return ("\r\n".join(lines) + "\r\n").encode()


def manifest(rows: int, edited: tuple[int, ...] = ()) -> bytes:
    """Return a manifest of ``rows`` files, the ``edited`` ones of another hash and size."""
    lines = []
    for n in range(rows):
        sha = f"{n * 7919 % 1000003:064x}" if n not in edited else "e" * 64
        size = 100 + n % 900 + (n in edited)
        lines.append(f'{{"bytes": {size}, "path": "bg/email/m{n:05d}.html", "sha256": "{sha}"}}')
    return ('{"campaign": "2026", "files": [\n' + ",\n".join(lines) + "\n]}\n").encode()


def zipped(path: Path, rel: str, content: bytes, old: runs.Previous | None = None) -> writer.Member:
    member = writer.prepare(content, rel, old)
    archive.write_zip(path, "2026", [(rel, member)], STAMP)
    return member


def updated_from(
    path: Path, rel: str, old: writer.Member, content: bytes, monkeypatch: pytest.MonkeyPatch
) -> tuple[writer.Member, int]:
    """Return ``content`` prepared with the zip at ``path`` as the previous one, and the deflates."""
    index = archive.read_zip_index(path, "2026")
    assert index is not None
    deflated: list[int] = []
    real = zlib.compressobj

    def counting(*args: object, **kwargs: object) -> object:
        deflated.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zlib, "compressobj", counting)
    previous = runs.Previous(path, "2026", index, runs.tables([(rel, old)]))
    try:
        updated = writer.prepare(content, rel, previous)
    finally:
        previous.close()
    monkeypatch.undo()
    return updated, len(deflated)


def test_a_big_file_is_deflated_in_runs_that_unzip_as_one_stream(tmp_path: Path) -> None:
    content = schedule(40_000)
    member = zipped(tmp_path / "a.zip", "schedule-eu.csv", content)
    assert member.runs is not None and len(member.runs) > 3
    assert zlib.decompress(member.data or b"", -15) == content
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert z.read("2026/schedule-eu.csv") == content
    # Within a hundredth of the file deflated whole.
    assert len(member.data or b"") < len(zlib.compress(content, 6)) * 1.01
    # Small files, and files of kinds with no place to cut, are deflated whole as before.
    assert writer.prepare(content[:1000], "schedule-eu.csv").runs is None
    assert writer.prepare(content, "logo.png").runs is None


def test_runs_deflated_in_threads_are_the_bytes_one_thread_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    content = manifest(60_000)
    threads: set[int] = set()
    real = zlib.compressobj

    def noting(*args: object, **kwargs: object) -> object:
        threads.add(threading.get_ident())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zlib, "compressobj", noting)
    alone = writer.prepare(content, "manifest.json")
    assert alone.runs is not None and len(content) > runs.SHARED
    assert threads == {threading.get_ident()}  # one thread unless offered more: this one
    threads.clear()
    shared = writer.prepare(content, "manifest.json", threads=3)
    # Handed to a pool: none deflated in this thread (how many the pool's threads are, a
    # thread done with its stretch taking the next, is the pool's business).
    assert threads and threading.get_ident() not in threads
    assert (shared.data, shared.runs, shared.crc) == (alone.data, alone.runs, alone.crc)
    assert zlib.decompress(shared.data or b"", -15) == content
    # Less than that to deflate: in this thread, however many are offered.
    threads.clear()
    monkeypatch.setattr(runs, "SHARED", len(content) + 1)
    assert writer.prepare(content, "manifest.json", threads=3).data == alone.data
    assert threads == {threading.get_ident()}


def test_after_an_edit_only_the_changed_runs_are_deflated_and_the_bytes_are_a_clean_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = schedule(40_000), schedule(40_000, edited=20_000)
    rel, path = "schedule-eu.csv", tmp_path / "old.zip"
    old_member = zipped(path, rel, before)
    updated, deflated = updated_from(path, rel, old_member, after, monkeypatch)
    assert updated.data == writer.prepare(after, rel).data
    assert updated.runs is not None and 0 < deflated <= 3 < len(updated.runs)
    # Cut again only around the edit: the other runs were found whole, not scanned.
    assert old_member.runs is not None
    _, _, known = runs._cut(rel, after, old_member.runs)
    assert len(known) >= len(old_member.runs) - 2


def locale_page(edited: int | None = None) -> bytes:
    """Return a gallery locale page of ``localepages.PAGE`` sections, the ``edited`` one longer."""
    parts = ['<!DOCTYPE html>\n<html lang="de"><body><main>']
    for n in range(localepages.PAGE):
        cards = "".join(
            f'<article class="card" data-channel="{c}"><h3>{c}</h3><pre>Nachricht {n}, Kanal {c}: '
            + " ".join(f"Wort{(n * 31 + c * 7 + w) % 997}" for w in range(260))
            + "</pre></article>\n"
            for c in range(8)
        )
        more = " bearbeitet" if n == edited else ""
        parts.append(f'\n<section id="m{n:04d}"><h2>Nachricht {n}{more}</h2>\n{cards}</section>')
    return ("".join(parts) + "\n</main></body></html>\n").encode()


def test_a_locale_page_edited_in_one_section_deflates_a_few_runs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each edit rewrites the page that shows the message in every locale: a campaign's
    # pages of 50 messages are a few hundred KB each, and are cut into runs.
    before, after = locale_page(), locale_page(edited=20)
    assert runs.SMALLEST < len(before) < 1 << 20
    rel, path = "preview/de.html", tmp_path / "old.zip"
    old_member = zipped(path, rel, before)
    updated, deflated = updated_from(path, rel, old_member, after, monkeypatch)
    assert updated.data == writer.prepare(after, rel).data
    assert updated.runs is not None and old_member.runs is not None
    # The runs around the edited section (its cut moved: two or three), and the one after
    # them, whose dictionary is their end; the others are copied from the old zip.
    assert 0 < deflated <= 4 < len(updated.runs)
    known = {sha for sha, *_ in old_member.runs}
    assert 0 < sum(size for sha, _, size, _ in updated.runs if sha not in known) < len(after) / 3
    assert zlib.decompress(updated.data or b"", -15) == after


def test_a_manifest_with_rows_edited_all_over_deflates_a_few_short_runs_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An edited message has a row in every folder of the pack: ten rows far apart here.
    before, after = manifest(40_000), manifest(40_000, edited=tuple(range(500, 40_000, 4000)))
    rel, path = "manifest.json", tmp_path / "old.zip"
    old_member = zipped(path, rel, before)
    assert old_member.runs is not None and len(old_member.runs) > 100
    updated, deflated = updated_from(path, rel, old_member, after, monkeypatch)
    assert updated.data == writer.prepare(after, rel).data
    assert zlib.decompress(updated.data or b"", -15) == after
    # Each edited row's run, the run after it (its dictionary changed), and one more where
    # an edited row moved a cut: a few of the manifest's runs.
    assert updated.runs is not None and 0 < deflated <= 3 * 10 < len(updated.runs) // 5


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="none"),
        pytest.param({"b.txt": b"beta, edited " * 100}, id="one_changed"),
        pytest.param({"a.txt": None, "bb.txt": b"new " * 50, "d.txt": b"delta"}, id="moved"),
        pytest.param({"0.txt": b"first", "c.txt": None}, id="at_both_ends"),
    ],
)
def test_an_updated_zip_is_the_zip_written_whole(
    tmp_path: Path, changes: dict[str, bytes | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {"a.txt": b"alpha " * 100, "b.txt": b"beta " * 100, "c.txt": b"gamma"}
    after = {rel: data for rel, data in {**before, **changes}.items() if data is not None}
    path, again, whole = tmp_path / "old.zip", tmp_path / "again.zip", tmp_path / "whole.zip"
    archive.write_zip(
        path, "2026", [(r, writer.prepare(d)) for r, d in sorted(before.items())], STAMP
    )
    index = archive.read_zip_index(path, "2026")
    assert index is not None and len(index) == 3 and "a.txt" in index and "b" not in index
    assert archive.read_zip_index(path, "2027") is None  # another campaign's zip
    made = [(r, None if d is None else writer.prepare(d)) for r, d in sorted(changes.items())]
    assert archive.update_zip(again, "2026", index, path, made, STAMP) == len(after)
    archive.write_zip(
        whole, "2026", [(r, writer.prepare(d)) for r, d in sorted(after.items())], STAMP
    )
    assert again.read_bytes() == whole.read_bytes()
    with zipfile.ZipFile(again) as unzipped:
        assert {i.filename: unzipped.read(i) for i in unzipped.infolist()} == {
            f"2026/{rel}": data for rel, data in after.items()
        }
    # Read back, its index is the one the update made as it wrote it: the same as read anew.
    written = archive._Written.last
    taken = archive.read_zip_index(again, "2026")
    assert written is not None and taken is not None and taken.starts is written.starts
    assert archive.read_zip_index(again, "2027") is None
    monkeypatch.setattr(archive._Written, "last", None)
    anew = archive.read_zip_index(again, "2026")
    assert anew is not None and anew.starts is not written.starts
    assert (taken.central, taken.starts, taken.end) == (anew.central, anew.starts, anew.end)
    monkeypatch.undo()
    data = bytearray(again.read_bytes())  # its central directory changed: read anew, refused
    data[data.rindex(b"PK\x01\x02") + 28] ^= 0xFF
    again.write_bytes(bytes(data))
    assert archive.read_zip_index(again, "2026") is None


@pytest.mark.parametrize("at", [0, 28, 30, -22, -1])
def test_a_damaged_central_directory_is_not_read(tmp_path: Path, at: int) -> None:
    path = tmp_path / "old.zip"
    zipped(path, "a.txt", b"alpha " * 100)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + at if at >= 0 else len(data) + at] ^= 0xFF  # signature, lengths, end record
    path.write_bytes(bytes(data))
    assert archive.read_zip_index(path, "2026") is None


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda t: (t[0] ^ 1, t[1], t[2]), id="another_crc"),
        pytest.param(lambda t: (t[0], t[1] + 1, t[2]), id="another_size"),
        pytest.param(lambda t: (t[0], t[1], t[2][:-1]), id="runs_missing"),
    ],
)
def test_a_table_that_does_not_describe_the_zip_is_a_miss(tmp_path: Path, damage: object) -> None:
    before, after = schedule(40_000), schedule(40_000, edited=100)
    rel, path = "schedule-eu.csv", tmp_path / "old.zip"
    table = runs.tables([(rel, zipped(path, rel, before))])[rel]
    index = archive.read_zip_index(path, "2026")
    assert index is not None and callable(damage)
    previous = runs.Previous(path, "2026", index, {rel: damage(table)})
    assert previous.runs_of(rel) == {}
    assert writer.prepare(after, rel, previous).data == writer.prepare(after, rel).data
    previous.close()


def test_kept_tables_of_another_shape_are_refused() -> None:
    good = {"manifest.json": (1, 2, (("ab", 3, 4, 5),))}
    assert runs.valid(good) == good
    for bad in ([], {"m": (1, 2)}, {"m": (1, "2", ())}, {"m": (1, 2, (("ab", 3),))}, {3: good}):
        assert runs.valid(bad) is None


def test_cuts_follow_the_content_not_the_offsets() -> None:
    before, after = schedule(40_000), schedule(40_000, edited=20_000)
    grown = len(after) - len(before)
    old, new = runs.cuts("s.csv", before), runs.cuts("s.csv", after)
    edited_at = before.index(b"Post 20000 ")
    assert [c for c in old if c < edited_at] == [c for c in new if c < edited_at]
    shifted = {c + grown for c in old if c > edited_at + runs.KINDS[".csv"][1]}
    assert len(shifted & set(new)) >= len(shifted) - 2
    assert new[0] == 0 and new[-1] == len(after)


@pytest.mark.parametrize("seed", range(12))
def test_cut_again_from_the_last_runs_as_a_clean_build_cuts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # Small runs, so that a few KB have many: edits at the start, the end, all over,
    # rows added and removed, the file grown or shrunk enough to change the mask.
    monkeypatch.setattr(runs, "SMALLEST", 1)
    monkeypatch.setattr(runs, "KINDS", {".csv": (b"\r\n", 1 << 9)})
    rng = random.Random(seed)
    rows = [f"{rng.randrange(10**6)},{'x' * rng.randrange(40)}" for _ in range(3000)]
    before = "\r\n".join(rows).encode()
    for _ in range(rng.choice((1, 3, 40))):
        at = rng.choice((0, len(rows) - 1, rng.randrange(len(rows))))
        kind = rng.choice(("edit", "add", "drop", "many"))
        if kind == "edit":
            rows[at] += "y"
        elif kind == "add":
            rows.insert(at, f"{rng.randrange(10**6)},new")
        elif kind == "drop" and len(rows) > 10:
            del rows[at]
        else:
            rows[at:at] = [f"{n},grown" for n in range(rng.choice((5, 2000)))]
    after = "\r\n".join(rows).encode()
    rel, path = "s.csv", tmp_path / "old.zip"
    index = archive.read_zip_index(path, "2026") if zipped(path, rel, before) else None
    table = runs.tables([(rel, writer.prepare(before, rel))])
    assert index is not None and table
    previous = runs.Previous(path, "2026", index, table)
    updated = writer.prepare(after, rel, previous)
    previous.close()
    clean = writer.prepare(after, rel)
    assert (updated.data, updated.runs) == (clean.data, clean.runs)
    assert clean.runs is not None
    starts = [0, *itertools.accumulate(r[2] for r in clean.runs)]
    assert starts == runs.cuts(rel, after)
    assert [after.count(b"\r\n", a, b) for a, b in itertools.pairwise(starts)] == [
        r[3] for r in clean.runs
    ]
