"""Files taken from the last pack, and hyphenation dictionaries parsed once: a miss unless exact."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pyphen
import pytest
from conftest import CliInvoke
from hypothesis import given, settings
from hypothesis import strategies as st
from test_incremental import EPOCH, change_po_entry, change_title, tree

from campaignsync import pipeline
from campaignsync.l10n import localize, readability
from campaignsync.l10n.catalog import Lookup
from campaignsync.load.project import load_project
from campaignsync.model import Output, Project
from campaignsync.pack import (
    again,
    archive,
    attention,
    gallery,
    hyphenation,
    keys,
    manifest,
    outputkeys,
    overview,
    schedulecsv,
    sealed,
    spilled,
    updating,
    writer,
)
from campaignsync.pack import kept as kept_module
from campaignsync.pack.based import base_of, delta_after, read_based, save_based
from campaignsync.pack.kept import (
    BASE,
    HASHES,
    PIECES,
    Kept,
    open_kept,
    save_kept,
)


def _kept_pack(tmp_path: Path) -> tuple[Path, Path]:
    pack, cache = tmp_path / "2026", tmp_path / ".cache" / "2026"
    (pack / "preview").mkdir(parents=True)
    cache.mkdir(parents=True)
    (pack / "preview" / "a.html").write_bytes(b"<p>a</p>")
    made = open_kept(cache, pack, "key")
    made.put("preview/a.html", "inputs-1", b"<p>a</p>")
    save_kept(made)
    return pack, cache


def _taken(cache: Path, pack: Path, inputs: str, key: str = "key", load: bool = True) -> bool:
    """Return whether the file is taken, the last pack's hashes as its build recorded them."""
    kept = open_kept(cache, pack, key, load)
    kept.hashes = {"preview/a.html": hashlib.sha256(b"<p>a</p>").hexdigest()}
    taken = kept.take("preview/a.html", inputs)
    assert taken == ("preview/a.html" in kept.members)
    return taken


def test_a_kept_file_is_taken_only_for_the_same_inputs_key_and_recorded_hash(
    tmp_path: Path,
) -> None:
    pack, cache = _kept_pack(tmp_path)
    kept = open_kept(cache, pack, "key")
    kept.hashes = {"preview/a.html": hashlib.sha256(b"<p>a</p>").hexdigest()}
    assert kept.take("preview/a.html", "inputs-1")
    # Its member has what the zip needs, not the bytes: they are the last pack's.
    assert kept.members["preview/a.html"] == replace(writer.digest(b"<p>a</p>"), referenced=True)
    assert not _taken(cache, pack, "inputs-2")
    assert not _taken(cache, pack, "inputs-1", key="other key")
    assert not _taken(cache, pack, "inputs-1", load=False)
    # The last pack's hashes unknown, or another file at that path: a miss.
    kept = open_kept(cache, pack, "key")
    assert kept.hashes is None and not kept.take("preview/a.html", "inputs-1")
    kept.hashes = {"preview/a.html": hashlib.sha256(b"<p>b</p>").hexdigest()}
    assert not kept.take("preview/a.html", "inputs-1")
    assert kept.members == {}


def test_a_file_taken_by_reference_is_read_back_only_as_it_was_made(tmp_path: Path) -> None:
    pack, _ = _kept_pack(tmp_path)
    member = replace(writer.digest(b"<p>a</p>"), referenced=True)
    assert writer.read_back(pack, "preview/a.html", member) == b"<p>a</p>"
    (pack / "preview" / "a.html").write_bytes(b"<p>A</p>")  # changed by hand, same size
    with pytest.raises(writer.Stale):
        writer.read_back(pack, "preview/a.html", member)
    (pack / "preview" / "a.html").unlink()
    with pytest.raises(writer.Stale):
        writer.read_back(pack, "preview/a.html", member)


def test_a_damaged_kept_index_is_empty(tmp_path: Path) -> None:
    pack, cache = _kept_pack(tmp_path)
    index = cache / "kept.index"
    index.write_bytes(index.read_bytes()[:-2])
    assert open_kept(cache, pack, "key").known == {}
    sealed.write_sealed(index, "key", {"preview/a.html": ("inputs-1", "sha")})  # not its shape
    assert open_kept(cache, pack, "key").known == {}


WORDS = ("Sicherheitsbewusstsein", "Zwei-Faktor-Authentifizierung", "Passwortmanager", "abend")


def test_kept_dictionaries_count_as_freshly_parsed_ones(tmp_path: Path) -> None:
    fresh = pyphen.Pyphen(lang="de_DE", cache=False)
    expected = [fresh.positions(w) for w in WORDS]
    hyphenation.prime(tmp_path, ["de", "it"])  # Italian's formula counts no syllables
    kept = tmp_path / hyphenation.FOLDER / "de_DE.patterns"
    assert sorted(p.name for p in kept.parent.iterdir()) == ["de_DE.patterns"]
    key = kept.read_bytes().split(b"\n")[2].decode()
    folder = sealed.folder_id(kept.parent)
    assert sealed.read_sealed(kept, folder, key) == readability.parse_dictionary("de_DE")
    assert [pyphen.Pyphen(lang="de_DE").positions(w) for w in WORDS] == expected
    # Damaged: parsed again and kept again, the counts unchanged.
    kept.write_bytes(kept.read_bytes()[:-10])
    hyphenation.prime(tmp_path, ["de"])
    assert sealed.read_sealed(kept, folder, key) == readability.parse_dictionary("de_DE")
    assert [pyphen.Pyphen(lang="de_DE").positions(w) for w in WORDS] == expected


def test_catalogs_read_in_processes_keep_their_locales_dictionaries(
    sample_repo: Path, tmp_path: Path
) -> None:
    from campaignsync.pack import cache as unitcache
    from campaignsync.pipeline import catalogs, workers
    from campaignsync.pipeline.selection import select

    project, _ = load_project(sample_repo)
    out = tmp_path / "out"
    units = workers.PARALLEL_THRESHOLD  # enough to read the catalogs in two processes
    lookups, _ = catalogs.read_catalogs(project, select(project, "2026"), out, 2, units)
    assert sorted(lookups) == sorted(loc.tag for loc in project.config.locales)
    # Each process parsed its locales' dictionaries and kept them: the parent parses none.
    wanted = readability.dictionaries(loc.tag for loc in project.config.locales)
    assert len(wanted) > 1
    kept = out / unitcache.FOLDER / hyphenation.FOLDER
    assert sorted(p.stem for p in kept.glob("*.patterns")) == sorted(wanted)


def test_a_dictionary_this_process_holds_is_kept_without_parsing_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = pyphen.Pyphen(lang="de_DE", cache=False)
    expected = [fresh.positions(w) for w in WORDS]
    hyphenation.prime(tmp_path / "one", ["de"])  # parsed here, unless held already

    def no_parsing(self: object, path: object) -> None:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", no_parsing)
    hyphenation.prime(tmp_path / "two", ["de"])  # another pack: nothing kept there yet
    kept = tmp_path / "two" / hyphenation.FOLDER / "de_DE.patterns"
    key = kept.read_bytes().split(b"\n")[2].decode()
    held = sealed.read_sealed(kept, sealed.folder_id(kept.parent), key)
    monkeypatch.undo()
    assert held == readability.parse_dictionary("de_DE")
    assert [pyphen.Pyphen(lang="de_DE").positions(w) for w in WORDS] == expected


def test_a_dictionary_handed_over_from_its_kept_file_is_not_read_again_while_it_is_so(
    tmp_path: Path, sealed_reads: list[Path]
) -> None:
    """``preview`` building again: the kept patterns it handed pyphen are not read again."""
    hyphenation.prime(tmp_path, ["de"])
    kept = tmp_path / hyphenation.FOLDER / "de_DE.patterns"
    read = sealed_reads
    read.clear()
    hyphenation.prime(tmp_path, ["de", "de-AT"])
    assert read == []
    kept.write_bytes(kept.read_bytes())  # written again (by another process, say): read
    hyphenation.prime(tmp_path, ["de"])
    assert read == [kept]
    assert readability.adopted("de_DE") == (kept, sealed.identity(kept))


def _built(cli_invoke: CliInvoke, repo: Path, tmp_path: Path) -> tuple[list[str], Path, Path, str]:
    """Build the sample once; return the build command, the cache and pack folders, the kept key."""
    out = tmp_path / "out"
    build = ["build", "--repo", str(repo), "--out", str(out)]
    cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1790000000"})
    cache = out / ".campaignsync-cache" / "2026"
    key = (cache / "kept.index").read_bytes().split(b"\n")[2].decode()  # the pack key
    return build, cache, out / "2026", key


def test_after_a_template_edit_what_does_not_depend_on_it_is_taken_and_the_rest_made(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The X template edited: the calendar and the email copies are taken from the last pack
    (they do not show X posts); the scheduler CSVs, manifest rows and tally that do are made
    again, and the pack is a clean build's."""
    from campaignsync.pack import ical

    build, _, pack, _ = _built(cli_invoke, small_repo, tmp_path)
    x = small_repo / "templates" / "x.txt.j2"
    x.write_text(
        x.read_text(encoding="utf-8").replace("{{ message.post }}", "New: {{ message.post }}")
    )
    made: list[str] = []
    ics, copy = ical.ics, gallery.EmailCopies.copy
    monkeypatch.setattr(ical, "ics", lambda *a, **k: made.append("calendar.ics") or ics(*a, **k))
    monkeypatch.setattr(
        gallery.EmailCopies, "copy", lambda self, data: made.append("email") or copy(self, data)
    )
    said = cli_invoke([*build, "--jobs", "1"], env=EPOCH).stdout  # (nothing made beside)
    monkeypatch.undo()
    assert made == []
    clean = tmp_path / "clean"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(clean)], env=EPOCH)
    assert tree(pack) == tree(clean / "2026")
    assert (pack.parent / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()
    assert b"New: " in (pack / "schedule-eu.csv").read_bytes()
    assert (
        said.split("\n", 1)[1]
        == cli_invoke([*build, "--force"], env=EPOCH).stdout.split("\n", 1)[1]
    )


def test_after_a_title_edit_the_calendar_makes_only_that_message_s_slots_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The calendar shows the title: it is made again, with the other messages' slots (an
    event per partner) taken from the last build's as they were (kept while a build took
    the calendar as it was), and is a clean build's."""
    import re

    from campaignsync.pack import ical

    build, _, pack, _ = _built(cli_invoke, small_repo, tmp_path)
    first, edited = sorted((small_repo / "content" / "messages").rglob("*.md"))[:2]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    cli_invoke(build, env=EPOCH)  # the body alone: the calendar is taken as it was
    text = edited.read_text(encoding="utf-8")
    title = re.search(r"^title: .*$", text, re.MULTILINE)
    assert title is not None
    edited.write_text(text.replace(title[0], "title: A title of its own", 1), encoding="utf-8")
    made: list[str] = []
    slots = ical._message_slots
    monkeypatch.setattr(ical, "_message_slots", lambda *a: made.append(a[-1].id) or slots(*a))
    cli_invoke([*build, "--jobs", "1"], env=EPOCH)
    monkeypatch.undo()
    message = re.search(r"^id: (\S+)$", text, re.MULTILINE)
    assert message is not None and made == [message[1]]
    calendar = (pack / "calendar.ics").read_bytes()
    assert b"A title of its own" in calendar
    clean = tmp_path / "clean"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(clean)], env=EPOCH)
    assert calendar == (clean / "2026" / "calendar.ics").read_bytes()
    assert (pack.parent / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_after_a_body_edit_only_that_message_page_is_drawn_again(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path
) -> None:
    build, cache, pack, key = _built(cli_invoke, sample_repo, tmp_path)
    before = open_kept(cache, pack, key).known
    edited = sorted((sample_repo / "content" / "messages").rglob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1790000000"})
    after = open_kept(cache, pack, key).known
    assert "calendar.ics" in before
    changed = {path for path in before if after.get(path) != before[path]}
    # The locale pages that show the message are made again (from the last, see
    # test_localepages), the other pages are taken.
    pages = {
        p.relative_to(pack).as_posix()
        for p in (pack / "preview").glob("*.html")
        if f'id="{edited.stem}"'.encode() in p.read_bytes()
    }
    assert changed == {f"preview/messages/{edited.stem}.html", *pages}


def test_the_last_packs_hashes_are_kept_while_its_manifest_is_the_one_built(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    _, cache, pack, key = _built(cli_invoke, small_repo, tmp_path)
    from_manifest = manifest.hashes(pack)
    assert open_kept(cache, pack, key).hashes == from_manifest
    assert open_kept(cache, pack, key, load=False).hashes is None
    kept_file, manifest_file = cache / HASHES, pack / "manifest.json"
    # The manifest touched (by hand, by another tool): its hashes are read from it again.
    stat = manifest_file.stat()
    os.utime(manifest_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))
    assert open_kept(cache, pack, key).hashes is None
    os.utime(manifest_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert open_kept(cache, pack, key).hashes == from_manifest
    # Damaged, or kept for another manifest: a miss.
    data = kept_file.read_bytes()
    kept_file.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert open_kept(cache, pack, key).hashes is None
    sealed.write_sealed(kept_file, "another manifest", from_manifest)
    assert open_kept(cache, pack, key).hashes is None
    # Intact and for this manifest, but not all text: a miss as well.
    sealed.write_sealed(kept_file, from_manifest["manifest.json"], {**from_manifest, "x": 1})
    assert open_kept(cache, pack, key).hashes is None


def test_the_overviews_messages_are_kept_and_only_an_edited_one_is_made_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    build, cache, pack, key = _built(cli_invoke, small_repo, tmp_path)
    before = _listed(open_kept(cache, pack, key).pieces)
    assert len(before) == len(list((pack / "preview" / "messages").iterdir()))
    assert "".join(before.values()) in (pack / "index.html").read_text(encoding="utf-8")
    edited = sorted((small_repo / "content" / "messages").rglob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    cli_invoke(build, env={"SOURCE_DATE_EPOCH": "1790000000"})
    after = _listed(open_kept(cache, pack, key).pieces)
    assert [after[k] for k in after if k not in before] == [
        t for t in after.values() if f'id="{edited.stem}"' in t
    ]
    # Damaged: no piece is trusted.
    kept_file = cache / PIECES
    kept_file.write_bytes(kept_file.read_bytes()[:-1])
    assert open_kept(cache, pack, key).pieces == {}


def _listed(pieces: dict[str, str]) -> dict[str, str]:
    """Return the pieces that are messages of the overview's list (not JSON, not its attention list)."""
    return {k: t for k, t in pieces.items() if t.startswith('<li class="message"')}


def _rendered_sample(repo: Path) -> tuple[Project, list[Output], dict[str, Lookup]]:
    project, _ = load_project(repo)
    assert project is not None
    rendered = pipeline.render_selection(project, pipeline.select(project, "2026", (), ()))
    return project, list(rendered.outputs), rendered.lookups


def _again(kept: Kept, project: Project) -> Kept:
    """Return the pieces a build kept, as the next build opens them."""
    return Kept(kept.pack, kept.index, kept.key, pieces=dict(kept.used),
                messages={m.id: keys.digest(m) for m in project.messages})  # fmt: skip


def _by_message(
    kept: Kept, project: Project, outputs: list[Output], lookups: dict[str, Lookup]
) -> outputkeys.ByMessage:
    """Give ``kept`` the outputs by message, each row made as a build makes it."""
    lines = {o.path: manifest.manifest_line(o, hashlib.sha256(o.content).hexdigest())
             for o in outputs}  # fmt: skip
    messages = [m.id for m in project.messages]
    locales = sorted({o.locale for o in outputs})
    kept.by_message = outputkeys.by_message(kept, messages, outputs, lines, lookups, locales)
    return kept.by_message


def _poisoned(outputs: list[Output], spared: str) -> list[Output]:
    """Return the outputs, those of messages other than ``spared`` with bytes not their own."""
    return [o if o.message == spared else replace(o, content=b"POISON\n") for o in outputs]


def test_a_process_that_joins_a_partners_csv_again_encodes_only_the_blocks_new_to_it() -> None:
    """``schedulecsv._Encoded``: a CSV's bytes are its blocks joined as text and encoded (any
    script); the blocks joined last time are taken as they were encoded, a new one encoded,
    and a block no longer joined is let go."""
    csv, columns = schedulecsv._Encoded, schedulecsv.CSV_COLUMNS
    assert csv.joined("eu", ["2026-10-05,a,de,m1,b"]) and csv.last == {}  # builds once: none kept
    again.builds_again()
    blocks = [
        '2026-10-05,Σύνθημα,el,m1,"a ""b"""',
        "2026-10-06,Пароль,bg,m2,y\r\n2026-10-06,,bg,m2,z",
    ]
    assert csv.joined("eu", blocks) == schedulecsv._joined(columns, blocks)
    first = csv.last["eu"]
    edited = [blocks[0], "2026-10-06,Ново,bg,m2,w"]
    assert csv.joined("eu", edited) == schedulecsv._joined(columns, edited)
    assert csv.last["eu"][blocks[0]] is first[blocks[0]]  # taken, not encoded again
    assert list(csv.last["eu"]) == edited
    assert csv.joined("us", []) == schedulecsv._joined(columns, []) and "eu" in csv.last


def test_schedule_rows_are_kept_per_message_and_made_again_for_a_changed_post(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, outputs, lookups = _rendered_sample(small_repo)
    made: list[str] = []
    rows_of = schedulecsv._message_rows
    monkeypatch.setattr(
        schedulecsv, "_message_rows", lambda *a: made.append(a[2].id) or rows_of(*a)
    )
    for partner in ("eu", "us"):
        whole = schedulecsv.generic_csv(schedulecsv.rows(project, "2026", partner, outputs))
        assert whole.count(b"\r\n") > 3
        first = _again(Kept(tmp_path, tmp_path / "index", "key"), project)
        made.clear()
        keyed = _by_message(first, project, outputs, lookups)
        assert schedulecsv.schedule_csv(project, "2026", partner, outputs, first, keyed) == whole
        assert len(made) == len(set(made)) > 1
        made.clear()
        second = _again(first, project)
        keyed = _by_message(second, project, outputs, lookups)
        assert schedulecsv.schedule_csv(project, "2026", partner, outputs, second, keyed) == whole
        assert made == [] and keyed.grouped == {}  # no output was even looked at
        # One post changed: only its message's rows are made again, from its outputs alone.
        locales = project.config.partner(partner).locales  # type: ignore[union-attr]
        shown = {m.id for m in project.messages if m.publish_for(partner) is not None}
        at = next(i for i, o in enumerate(outputs)
                  if o.channel == "x" and o.translated and o.locale in locales
                  and o.message in shown)  # fmt: skip
        changed = list(outputs)
        changed[at] = replace(outputs[at], content=b"Changed text\n")
        third = _again(second, project)
        third.messages = {**third.messages, outputs[at].message: "edited"}  # as an edit makes it
        fresh = schedulecsv.generic_csv(schedulecsv.rows(project, "2026", partner, changed))
        keyed = _by_message(third, project, changed, lookups)
        keyed.outputs = _poisoned(changed, outputs[at].message)
        made.clear()
        assert schedulecsv.schedule_csv(project, "2026", partner, changed, third, keyed) == fresh
        assert made == [outputs[at].message] and list(keyed.grouped) == made
        assert b"Changed text" in fresh and b"POISON" not in fresh


def test_schedule_rows_of_messages_published_at_one_instant_are_kept_together(
    small_repo: Path, tmp_path: Path
) -> None:
    project, outputs, lookups = _rendered_sample(small_repo)
    first, second = sorted(m.id for m in project.messages if m.publish_for("eu") is not None)[:2]
    when = next(m.publish for m in project.messages if m.id == first)
    together = replace(project, messages=tuple(replace(m, publish=when) if m.id == second else m
                                               for m in project.messages))  # fmt: skip
    whole = schedulecsv.generic_csv(schedulecsv.rows(together, "2026", "eu", outputs))
    kept = _again(Kept(tmp_path, tmp_path / "index", "key"), together)
    keyed = _by_message(kept, together, outputs, lookups)
    assert schedulecsv.schedule_csv(together, "2026", "eu", outputs, kept, keyed) == whole
    again = _again(kept, together)
    keyed = _by_message(again, together, outputs, lookups)
    keyed.outputs = _poisoned(outputs, "none")
    assert schedulecsv.schedule_csv(together, "2026", "eu", outputs, again, keyed) == whole
    # Their rows interleave (by channel, then locale, then message), as a clean build's.
    rows = schedulecsv.rows(together, "2026", "eu", outputs)
    ids = [r.message.id for r in rows if r.instant == dict(when)["eu"]]
    assert set(ids) == {first, second} and ids != sorted(ids)


def test_readability_and_tally_are_kept_per_message_and_joined_as_a_clean_build_makes_them(
    small_repo: Path, tmp_path: Path
) -> None:
    from campaignsync.l10n import longtexts
    from campaignsync.pipeline import building

    project, outputs, lookups = _rendered_sample(small_repo)
    whole = manifest.readability(project, "2026", outputs, None)
    assert whole == longtexts.report(longtexts.from_outputs(outputs, project, blocks=False))
    tally = building._tally(outputs)
    assert tally[0] and whole["messages"]  # something untranslated, some texts scored
    first = _again(Kept(tmp_path, tmp_path / "index", "key"), project)
    _by_message(first, project, outputs, lookups)

    def written(found: dict[str, object]) -> bytes:
        return manifest.build_manifest("2026", [], [], writer.SourceInfo(None, False), 0,
                                       readability=found)  # fmt: skip

    assert written(manifest.readability(project, "2026", outputs, first)) == written(whole)
    assert building._tally(outputs, first) == tally
    # The next build reads no output of an unchanged message (they are poisoned here).
    second = _again(first, project)
    keyed = _by_message(second, project, outputs, lookups)
    keyed.outputs = [replace(o, readability=(1,) * 6, translated=True) for o in outputs]
    assert written(manifest.readability(project, "2026", outputs, second)) == written(whole)
    assert building._tally(outputs, second) == tally and keyed.grouped == {}
    # An edited message's part is made again from its outputs.
    edited = next(o.message for o in outputs if o.channel == "web" and o.readability)
    third = _again(second, project)
    third.messages = {**third.messages, edited: "edited"}
    changed = [replace(o, translated=True, readability=(9,) * 6) if o.message == edited else o
               for o in outputs]  # fmt: skip
    keyed = _by_message(third, project, changed, lookups)
    fresh = manifest.readability(project, "2026", changed, None)
    assert written(manifest.readability(project, "2026", changed, third)) == written(fresh)
    assert building._tally(changed, third) == building._tally(changed)
    assert list(keyed.grouped) == [edited]


def test_translation_states_are_kept_per_message_and_locale_until_a_catalog_changes(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, outputs, lookups = _rendered_sample(small_repo)
    whole = attention.items(project, "2026", outputs, lookups)
    assert {i.kind for i in whole} & {"untranslated", "fuzzy"}
    asked: list[str] = []
    classify = localize.classifier
    monkeypatch.setattr(
        localize, "classifier", lambda loc, *a: asked.append(loc.tag) or classify(loc, *a)
    )
    first = _again(Kept(tmp_path, tmp_path / "index", "key"), project)
    assert attention.items(project, "2026", outputs, lookups, (), first) == whole
    assert sorted(asked) == sorted(loc.tag for loc in project.config.locales)
    asked.clear()
    assert attention.items(project, "2026", outputs, lookups, (), _again(first, project)) == whole
    assert asked == []
    # One catalog changed (its file's digest): that locale's states are found again.
    tag = project.config.locales[0].tag
    other = {**lookups, tag: replace(lookups[tag], digest="another file")}
    assert attention.items(project, "2026", outputs, other, (), _again(first, project)) == whole
    assert asked == [tag]


def test_a_messages_translation_states_are_taken_per_locale_and_only_while_they_can_be(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, outputs, lookups = _rendered_sample(small_repo)
    whole = attention.items(project, "2026", outputs, lookups)
    asked: list[str] = []
    classify = localize.classifier
    monkeypatch.setattr(
        localize, "classifier", lambda loc, *a: asked.append(loc.tag) or classify(loc, *a)
    )
    first = _again(Kept(tmp_path, tmp_path / "index", "key"), project)
    assert attention.items(project, "2026", outputs, lookups, (), first) == whole
    # One piece a message: its locales' catalogs, then what it lacks in each.
    assert len(first.used) == len({o.message for o in outputs})
    # A piece that names other catalogs for one locale, or does not read back: only that
    # locale, or that message, classified again.
    tag = project.config.locales[0].tag
    name, text = next(iter(first.used.items()))
    pieces = {**first.used, name: text.replace(f"{tag}=", f"{tag}=another,", 1)}
    damaged = next(k for k in pieces if k != name)
    pieces[damaged] = pieces[damaged].partition("\n")[0] + "\n{not json"
    asked.clear()
    again = Kept(tmp_path, tmp_path / "index", "key", pieces=pieces, messages=first.messages)
    assert attention.items(project, "2026", outputs, lookups, (), again) == whole
    assert asked and set(asked) <= {loc.tag for loc in project.config.locales}
    assert again.used[name] == first.used[name] and again.used[damaged] == first.used[damaged]
    # A catalog not read from a file (no digest): what it says is never taken.
    other = {**lookups, tag: replace(lookups[tag], digest="")}
    for _ in range(2):
        asked.clear()
        kept = _again(again, project)
        assert attention.items(project, "2026", outputs, other, (), kept) == whole
        assert asked == [tag]


def test_sealed_files_read_together_come_back_in_order_with_each_miss_in_its_place(
    tmp_path: Path,
) -> None:
    paths = [tmp_path / f"{n:02}.units" for n in range(20)]
    for n, path in enumerate(paths):
        sealed.write_sealed(path, "key", ("value", n))
    paths[3].write_bytes(paths[3].read_bytes()[:-1])  # truncated
    paths[9].unlink()
    sealed.write_sealed(paths[15], "another key", ("value", 15))
    where = sealed.folder_id(tmp_path)
    expected = [None if n in (3, 9, 15) else ("value", n) for n in range(20)]
    read = list(sealed.read_all(paths, where, "key"))
    assert [value for value, _ in read] == expected
    assert [bool(checksum) for _, checksum in read] == [value is not None for value in expected]
    assert len({checksum for _, checksum in read if checksum}) == 17  # each its own contents
    assert [sealed.read_sealed(p, where, "key") for p in paths] == expected
    assert list(sealed.read_all(paths, b"another folder\n", "key")) == [(None, "")] * 20


def test_a_page_taken_by_reference_is_not_read_and_one_changed_by_hand_is_made_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, _, pack, _ = _built(cli_invoke, small_repo, tmp_path)
    ids = [p.stem for p in sorted((small_repo / "content" / "messages").rglob("*.md"))]
    other = pack / "preview" / "messages" / f"{ids[1]}.html"
    read: list[str] = []
    read_back = writer.read_back
    monkeypatch.setattr(
        writer, "read_back", lambda f, rel, m: read.append(rel) or read_back(f, rel, m)
    )

    def clean_pack() -> Path:
        clean = tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}"
        cli_invoke(["build", "--repo", str(small_repo), "--out", str(clean)], env=EPOCH)
        return clean

    # Another message's page changed by hand: the zip's member is copied, the page not read.
    other.write_bytes(other.read_bytes().replace(b"</body>", b"<p>by hand</p></body>"))
    change_title(small_repo, 0, "Edited")
    cli_invoke(build, env=EPOCH)
    assert read == []
    assert (pack.parent / "2026.zip").read_bytes() == (clean_pack() / "2026.zip").read_bytes()
    # Without the last zip to copy from, it is read back, found changed and made again:
    # the pack assembled once more, the file its whole-pack files waited in let go first.
    made, still_open = [0], []  # files set aside; how many were open as each was made
    start, close = spilled._Held.__init__, spilled._Held.close
    open_now: set[spilled._Held] = set()

    def started(held: spilled._Held, *args: object) -> None:
        still_open.append(len(open_now))
        made[0] += 1
        start(held, *args)
        open_now.add(held)

    monkeypatch.setattr(spilled._Held, "__init__", started)
    monkeypatch.setattr(spilled._Held, "close", lambda h: open_now.discard(h) or close(h))
    (pack.parent / "2026.zip").unlink()
    change_title(small_repo, 0, "Edited again")
    cli_invoke(build, env=EPOCH)
    assert f"preview/messages/{ids[1]}.html" in read
    assert made[0] > 1 and still_open == [0] * made[0] and not open_now
    clean = clean_pack()
    assert tree(pack) == tree(clean / "2026")
    assert (pack.parent / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_an_update_interrupted_before_its_journal_leaves_the_last_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, _, pack, _ = _built(cli_invoke, small_repo, tmp_path)
    before, zipped = tree(pack), (pack.parent / "2026.zip").read_bytes()

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(archive, "update_zip", interrupted)
    change_title(small_repo, 0, "Interrupted")
    assert cli_invoke(build, env=EPOCH, expect=130).stderr == (
        "error: interrupted; nothing was changed\n"
    )
    assert tree(pack) == before
    assert (pack.parent / "2026.zip").read_bytes() == zipped
    assert sorted(p.name for p in pack.parent.glob(".2026*")) == []
    monkeypatch.undo()
    cli_invoke(build, env=EPOCH)
    clean = tmp_path / "clean"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(clean)], env=EPOCH)
    assert tree(pack) == tree(clean / "2026")
    assert (pack.parent / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_after_an_edit_only_the_hashes_that_changed_are_written(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path
) -> None:
    build, cache, pack, key = _built(cli_invoke, sample_repo, tmp_path)
    base = (cache / BASE).read_bytes()
    change_po_entry(sample_repo, 0, "Stay safe")
    cli_invoke(build, env=EPOCH)
    assert (cache / BASE).read_bytes() == base
    kept = open_kept(cache, pack, key)
    assert kept.hashes == manifest.hashes(pack)
    where, sha = sealed.folder_id(cache), manifest.hashes(pack)["manifest.json"]
    _, _, changes, gone = sealed.read_sealed(cache / HASHES, where, sha)
    assert 0 < len(changes) < len(kept.hashes) // 8 and gone == ()
    # The base damaged, or not the one the changes were kept against: a miss.
    (cache / BASE).write_bytes(base[:-1])
    assert open_kept(cache, pack, key).hashes is None
    sealed.write_sealed(cache / BASE, "another manifest", kept.hashes)
    assert open_kept(cache, pack, key).hashes is None


def test_an_update_keeps_the_hashes_changes_found_from_the_paths_it_changed(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each update compares only the paths it changed with the base (not 150,000 hashes);
    what it keeps is what comparing every hash gives: an entry edited, a message removed
    (its files gone), then put back (its files as in the base again)."""
    build, cache, pack, _ = _built(cli_invoke, sample_repo, tmp_path)
    found: list[object] = []

    def spied(*args: Any) -> Any:
        found.append(delta_after(*args))
        return found[-1]

    monkeypatch.setattr(kept_module, "delta_after", spied)
    where = sealed.folder_id(cache)
    victim = sorted((sample_repo / "content" / "messages").rglob("*.md"))[3]
    text = victim.read_text(encoding="utf-8")
    for edit in (
        lambda: change_po_entry(sample_repo, 0, "Stay safe"),
        victim.unlink,
        lambda: victim.write_text(text, encoding="utf-8"),
    ):
        edit()
        cli_invoke(build, env=EPOCH)
        now = manifest.hashes(pack)
        kept, (_, _, base), (changes, gone) = read_based(
            cache / HASHES, where, now["manifest.json"]
        )
        assert kept == now
        assert changes == {path: sha for path, sha in now.items() if base.get(path) != sha}
        assert gone == tuple(sorted(base.keys() - now.keys()))
        assert found[-1] is not None and found[-1][0] == changes  # found from the update's paths
    assert len(found) == 3 and found[1][1] and not found[2][1]  # the files gone, then back


def test_an_update_that_changes_no_file_leaves_the_kept_hashes_as_they_were(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comment added to a message's front matter: its build updates the pack with no file
    changed, and the hashes kept (their changes since the base) are not written again."""
    build, cache, pack, key = _built(cli_invoke, sample_repo, tmp_path)
    change_po_entry(sample_repo, 0, "Stay safe")  # so that the hashes hold changes
    cli_invoke(build, env=EPOCH)
    before = (cache / HASHES).stat()
    updates: list[Any] = []
    update = updating.update

    def spied(*args: Any, **kwargs: Any) -> Any:
        updates.append(update(*args, **kwargs))
        return updates[-1]

    monkeypatch.setattr(updating, "update", spied)
    message = sorted((sample_repo / "content" / "messages").rglob("*.md"))[0]
    text = message.read_text(encoding="utf-8")
    message.write_text(text.replace("\n", "\n# a note for the team\n", 1), encoding="utf-8")
    cli_invoke(build, env=EPOCH)
    (result,) = updates
    assert result is not None and result.updated_from is not None
    assert result.updated_from[1] == frozenset()  # an update, of no file
    after = (cache / HASHES).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert open_kept(cache, pack, key).hashes == manifest.hashes(pack)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("xyz")),
    st.lists(
        st.dictionaries(st.sampled_from("abcdefghij"), st.sampled_from(["x", "y", "z", None])),
        max_size=4,
    ),
)
def test_the_changes_to_a_base_found_from_the_paths_changed_are_those_of_every_entry(
    base: dict[str, str], edits: list[dict[str, str | None]]
) -> None:
    """Edit after edit (an entry set, added or removed), the changes and names gone found
    from the changed paths alone are those found by comparing every entry with the base."""
    based = ("key", "checksum", base)
    now, delta = dict(base), ({}, ())
    for edit in edits:
        for name, text in edit.items():
            if text is None:
                now.pop(name, None)
            else:
                now[name] = text
        delta = delta_after(based, delta, now, edit)
        assert delta == (
            {name: text for name, text in now.items() if base.get(name) != text},
            tuple(sorted(base.keys() - now.keys())),
        )


def test_pieces_are_kept_as_what_changed_since_a_base_until_that_is_an_eighth(
    tmp_path: Path,
) -> None:
    path, where = tmp_path / PIECES, sealed.folder_id(tmp_path)
    pieces = {f"piece {n}": f"text {n}" for n in range(80)}
    based, delta = save_based(path, "key", pieces, None)
    base = base_of(path).read_bytes()
    assert delta == ({}, ()) and read_based(path, where, "key") == (pieces, based, delta)
    edited = {**pieces, "piece 3": "changed", "new piece": "made"}
    del edited["piece 7"]
    changed = ({"piece 3": "changed", "new piece": "made"}, ("piece 7",))
    assert save_based(path, "key", edited, based) == (based, changed)  # three of 80: changes
    assert base_of(path).read_bytes() == base
    assert sealed.read_sealed(path, where, "key")[2:] == changed
    assert read_based(path, where, "key") == (edited, based, changed)
    # Changes given that leave out an entry made (here, the new piece) are found again.
    assert save_based(path, "key", edited, based, ({"piece 3": "changed"}, ("piece 7",))) == (
        based,
        changed,
    )
    many = {name: "changed" for name in list(pieces)[:20]}
    delta = delta_after(based, changed, {**edited, **many}, many)
    again, _ = save_based(path, "key", {**edited, **many}, based, delta)  # a quarter: a new base
    assert again != based and read_based(path, where, "key")[:2] == ({**edited, **many}, again)
    # The base damaged, or not the one the changes were kept against: nothing is trusted.
    save_based(path, "key", edited, again)
    base_file = base_of(path)
    whole = base_file.read_bytes()
    base_file.write_bytes(whole[:-1])
    assert read_based(path, where, "key") is None
    sealed.write_sealed(base_file, "key", {"piece 1": "another base"})  # its key, not its sum
    assert read_based(path, where, "key") is None


class _Unread:
    """A "today" that fails when anything reads it: compared, added to, asked for a part."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the clock was read ({name})")

    def _read(self, *_: object) -> object:
        raise AssertionError("the clock was read")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _read  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __hash__ = __bool__ = __str__ = _read


def test_the_schedule_problems_the_gallery_lists_read_no_clock(sample_repo: Path) -> None:
    """They are kept whatever the pack's time (a new commit's): no check of theirs reads it."""
    project, _, _ = _rendered_sample(sample_repo)
    first = project.messages[0]
    late = replace(first, publish=tuple((p, t.replace(hour=3)) for p, t in first.publish))
    project = replace(project, messages=(late, *project.messages[1:]))
    found = attention._schedule_checks(project, "2026", (), cast(datetime, _Unread()))
    assert found == attention._schedule_checks(project, "2026", ())
    assert "CS104" in {d.code for d in found}


def test_schedule_problems_are_kept_until_a_time_they_read_changes(
    sample_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _, _ = _rendered_sample(sample_repo)
    ran: list[int] = []
    checks = attention._schedule_checks
    monkeypatch.setattr(attention, "_schedule_checks", lambda *a: ran.append(1) or checks(*a))
    # A message moved to 03:00 on its partner's clock: outside business hours (CS104).
    first_message = project.messages[0]
    moved = replace(
        first_message,
        publish=tuple((p, t.replace(hour=3)) for p, t in first_message.publish),
    )
    late = replace(project, messages=(moved, *project.messages[1:]))
    whole = attention.schedule_problems(late, "2026", ())
    assert "CS104" in {d.code for d in whole}
    first = _again(Kept(tmp_path, tmp_path / "index", "key"), late)
    ran.clear()
    assert attention.schedule_problems(late, "2026", (), first) == whole
    assert ran == [1]
    # Its text edited: what the checks read is the same, so the findings are kept.
    retitled = replace(late, messages=(replace(moved, title="Another title"), *late.messages[1:]))
    assert attention.schedule_problems(retitled, "2026", (), _again(first, late)) == whole
    assert ran == [1]
    # Moved back: checked again, and nothing is found.
    assert attention.schedule_problems(project, "2026", (), _again(first, project)) == []
    assert ran == [1, 1]


def test_the_overviews_attention_list_is_kept_while_its_items_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [
        attention.Item("schedule", f"m{n}", "", "x", f"CS109: <{n}> too close", "")
        for n in range(20)
    ]
    drawn: list[str] = []
    render = overview._render
    monkeypatch.setattr(overview, "_render", lambda *a, **k: drawn.append(a[0]) or render(*a, **k))
    whole = overview.attention_list(items, None)
    assert whole.count("<li ") == 20 and "&lt;7&gt; too close" in whole
    first = Kept(tmp_path, tmp_path / "index", "key")
    assert overview.attention_list(items, first) == whole
    drawn.clear()
    second = Kept(tmp_path, tmp_path / "index", "key", pieces=dict(first.used))
    assert overview.attention_list(items, second) == whole
    assert drawn == []
    changed = [*items[:-1], replace(items[-1], text="CS110: changed")]
    assert "CS110: changed" in overview.attention_list(changed, second)
    assert drawn == ["overview_attention.html.j2"]
    # An item of another kind: its group alone is drawn, the schedule problems' are kept.
    drawn.clear()
    third = Kept(tmp_path, tmp_path / "index", "key", pieces=dict(second.used))
    also = [attention.Item("untranslated", "m1", "de", "", "1 of 3: body", "preview/de.html#m1")]
    given: list[object] = []
    monkeypatch.setattr(
        overview, "_render", lambda *a, **k: given.append(k["items"]) or render(*a, **k)
    )
    both = overview.attention_list([*also, *changed], third)
    assert given == [also]
    # The same bytes as every kind drawn at once.
    assert both == render("overview_attention.html.j2", items=[*also, *changed],
                          kinds=attention.KINDS, root="")  # fmt: skip
    assert both.index("Not translated") < both.index("CS110: changed")


def test_a_messages_item_of_the_overview_is_made_again_when_a_card_or_flag_of_it_changes(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, outputs, lookups = _rendered_sample(small_repo)
    drawn: dict[str, gallery.Drawn] = {}
    fresh = dict(gallery.pages(project, "2026", outputs, lookups, (), drawn))
    made: dict[tuple[str, str], list[gallery.Drawn]] = {}
    for card in sorted(drawn.values(), key=lambda c: (c.locale, c.message, c.channel)):
        made.setdefault((card.locale, card.message), []).append(card)
    listed = list(project.messages_of("2026"))
    locales = list(project.config.all_locales)
    items = attention.items(project, "2026", outputs, lookups)
    whole = overview.listing(listed, locales, made, items, None)
    assert whole in fresh["index.html"].decode("utf-8")
    drawn_again: list[str] = []
    render = overview._render
    monkeypatch.setattr(
        overview, "_render", lambda *a, **k: drawn_again.append(k["m"].id) or render(*a, **k)
    )
    first = _again(Kept(tmp_path, tmp_path / "index", "key"), project)
    assert overview.listing(listed, locales, made, items, first) == whole
    drawn_again.clear()
    assert overview.listing(listed, locales, made, items, _again(first, project)) == whole
    assert drawn_again == []
    # A card of one unit changed (its digest with it): that message's item alone, anew.
    (tag, message), shown = next(iter(made.items()))
    near = replace(shown[0], gauges=((95, "near"),), digest="another card")
    changed = {**made, (tag, message): [near, *shown[1:]]}
    text = overview.listing(listed, locales, changed, items, _again(first, project))
    assert drawn_again == [message]
    assert f'class="loc is-near" data-locale="{tag}"' in text
    # One locale of another message flagged as not translated: that item alone, anew.
    other = next(m.id for m in listed if m.id != message)
    flag = attention.Item("untranslated", other, tag, "", "1 of 3: body", "")
    drawn_again.clear()
    text = overview.listing(listed, locales, made, [*items, flag], _again(first, project))
    assert drawn_again == [other]
    item = next(t for t in text.split('<li class="message"') if f'id="{other}"' in t)
    before = next(t for t in whole.split('<li class="message"') if f'id="{other}"' in t)
    cell = re.compile(f'<li class="loc([^"]*)" data-locale="{tag}"')
    assert "is-untranslated" in cell.search(item).group(1)  # type: ignore[union-attr]
    assert "is-untranslated" not in cell.search(before).group(1)  # type: ignore[union-attr]


def test_the_pages_made_after_an_edit_are_hashed_once(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, cache, pack, key = _built(cli_invoke, small_repo, tmp_path)
    hashed: list[str] = []
    digest_all = writer.digest_all

    def noted(files: Iterable[writer.PackFile]) -> dict[str, writer.Member]:
        chosen = list(files)
        hashed.extend(f.path for f in chosen)
        return digest_all(chosen)

    monkeypatch.setattr(writer, "digest_all", noted)
    change_title(small_repo, 0, "Hashed once")
    cli_invoke(build, env=EPOCH)
    made = set(open_kept(cache, pack, key).known)
    pages = [p for p in hashed if p.startswith("preview/")]
    assert not [p for p in pages if p in made]  # noted as made: hashed then, not again
    monkeypatch.undo()
    clean = tmp_path / "clean"
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(clean)], env=EPOCH)
    assert tree(pack) == tree(clean / "2026")
    assert (pack.parent / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_a_process_that_builds_again_reads_no_base_it_read_or_wrote(
    cli_invoke: CliInvoke, tmp_path: Path, sealed_reads: list[Path]
) -> None:
    from test_incremental import change_body, same_as_clean, small_build

    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)  # (writes the bases: this process knows them)
    sealed_reads.clear()
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    read = [path.name for path in sealed_reads]
    assert read and not [name for name in read if name.endswith(".base")]
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
    # A base written again by another process (a new file, the same bytes): read again.
    cache = out / ".campaignsync-cache" / "2026"
    for base in [base_of(cache / PIECES), base_of(cache / HASHES)]:
        copy = base.with_name("copy")
        copy.write_bytes(base.read_bytes())
        copy.replace(base)
    sealed_reads.clear()
    change_body(repo, 0, "And another")
    cli_invoke(build, env=EPOCH)
    read = [path.name for path in sealed_reads]
    assert sorted(name for name in read if name.endswith(".base")) == sorted(
        [BASE, f"{PIECES}.base"]
    )
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-again")
