"""The render cache's hit test in a process that builds again (``pack.hits``, ``pack.shown``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke
from test_shards import EPOCH, _clean, _folder, _pack, _retitle

from campaignsync.pack import cache as unitcache
from campaignsync.pack import hits, shards


@pytest.fixture
def tested(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the message of every unit the render cache's hit test looks at one by one."""
    seen: list[str] = []
    get = unitcache.Cache.get

    def noted(cache: unitcache.Cache, message_id: str, *args: Any) -> shards.Unit | None:
        seen.append(message_id)
        return get(cache, message_id, *args)

    monkeypatch.setattr(unitcache.Cache, "get", noted)
    return seen


@pytest.mark.parametrize("edit", ["message", "catalog", "template"])
def test_a_process_that_builds_again_tests_a_message_taken_whole_once(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, tested: list[str], edit: str
) -> None:
    """As ``preview`` does after each save: a message all of whose units the last build took
    from the cache is taken whole again while its digest, catalogs and templates are the
    same; what an edit changes is tested unit by unit, and the pack is a clean build's."""
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)  # every message's units tested one by one, then kept whole
    messages = {p.name.removesuffix(".units") for p in _folder(small_repo).glob("*.units")}
    assert set(tested) == messages
    tested.clear()
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    if edit == "message":
        _retitle(small_repo, "kickoff", "Kicked off")
    elif edit == "catalog":  # every message reads the German catalog
        text = po.read_text(encoding="utf-8")
        po.write_text(text.replace('msgstr "Teil des', 'msgstr "Ein Teil des', 1), "utf-8")
    else:
        template = small_repo / "templates" / "x.txt.j2"
        template.write_text("New: " + template.read_text(encoding="utf-8"), "utf-8")
    cli_invoke(build, env=EPOCH)
    if edit == "message":  # and the one the last build saved: read again, taken anew
        assert sorted(set(tested)) == ["kickoff", "wrap-up"]
    else:  # a catalog every message read, a template every message renders with
        assert set(tested) == messages
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_units_a_process_took_whole_for_check_are_completed_for_a_build(
    small_repo: Path,
) -> None:
    """Units rendered for ``check`` only lack the assembled files (an email's .eml, a
    Bluesky post's record): taken whole by a check, they are completed for a build in the
    same process, not taken whole as they are."""
    from campaignsync.load.project import load_project
    from campaignsync.pipeline.selection import select
    from campaignsync.pipeline.workers import open_cache, render_selection

    project, _ = load_project(small_repo)
    assert project is not None
    selection, out = select(project, None), small_repo / "dist"
    for _ in range(2):  # rendered for check only, then taken whole so
        cache = open_cache(project, selection, out)
        render_selection(project, selection, cache=cache)
        unitcache.save_cache(cache)
    assert any(cache.taken[m].whole for m in cache.taken)
    built = render_selection(
        project, selection, prepare=True, cache=open_cache(project, selection, out)
    )
    fresh = render_selection(project, selection, prepare=True)
    assert [o.path for o in built.outputs] == [o.path for o in fresh.outputs]
    assert any(o.path.endswith(".eml") for o in built.outputs)


def test_after_a_catalog_edit_no_unit_reads_its_messages_are_taken_whole_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, tested: list[str]
) -> None:
    """A PO entry added that no message looks up: every unit reading that catalog is tested
    on its look-ups once (the catalog's digest changed), then taken whole again."""
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    messages = {p.name.removesuffix(".units") for p in _folder(small_repo).glob("*.units")}
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    unread = '\nmsgctxt "nowhere:title"\nmsgid "Not looked up"\nmsgstr "Nirgends gesucht"\n'
    po.write_text(po.read_text(encoding="utf-8") + unread, encoding="utf-8")
    tested.clear()
    cli_invoke(build, env=EPOCH)
    assert set(tested) == messages  # the catalog's digest changed: each unit's look-ups
    tested.clear()
    _retitle(small_repo, "kickoff", "Kicked off")
    cli_invoke(build, env=EPOCH)
    assert set(tested) == {"kickoff"}  # no shard saved since: the others taken whole
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, set[str]]]:
    """Note, for each update, how many files it has, how many it takes as steady, and those."""
    from campaignsync.pack import updating

    seen: list[tuple[int, int, set[str]]] = []
    changes = updating._changes

    def noted(files: list[Any], members: Any, previous: Any, steady: int = 0, **rest: Any) -> Any:
        seen.append((len(files), steady, {f.path for f in files[:steady]}))
        return changes(files, members, previous, steady, **rest)

    monkeypatch.setattr(updating, "_changes", noted)
    return seen


@pytest.mark.parametrize("fresh", [False, True])
def test_the_writer_compares_only_what_it_did_not_take_whole_as_the_last_pack_holds_it(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    compared: list[tuple[int, int, set[str]]],
    fresh: bool,
) -> None:
    """The outputs of the messages taken whole, noted as held by the last pack (each build
    notes it: ``outputkeys.note_written``), are not compared with it file by file, from the
    first edit after a clean build on, in a process that builds again (``preview``) or in
    a new one each time (``build``)."""
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    for title in ("Once", "Twice", "Thrice"):
        if fresh:  # nothing this process read or took is known
            shards.Known.last = None
        _retitle(small_repo, "kickoff", title)
        cli_invoke(build, env=EPOCH)
    kickoff = sum(1 for p in (small_repo / "dist" / "2026").rglob("kickoff.*") if p.is_file())
    assert len(compared) == 3
    for files, steady, skipped in compared:  # the others', not kickoff's
        assert steady > 0 and files - steady > kickoff
        assert not any("kickoff" in path for path in skipped)
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_outputs_taken_whole_are_compared_unless_the_last_pack_is_noted_as_holding_them(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    compared: list[tuple[int, int, set[str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outputs not noted as held by the last pack (as if another build had written it
    since), or with the notes lost with the kept files, are compared with the last pack,
    file by file, and the pack is still a clean build's."""
    from campaignsync.pack import outputkeys

    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "kickoff", "Once")
    cli_invoke(build, env=EPOCH)
    assert compared[-1][1] > 0
    compared.clear()
    with monkeypatch.context() as patched:
        patched.setattr(outputkeys, "held_by", lambda kept, manifest: set())
        _retitle(small_repo, "kickoff", "Twice")
        cli_invoke(build, env=EPOCH)
    (_folder(small_repo) / "kept.pieces").unlink()
    _retitle(small_repo, "kickoff", "Thrice")
    cli_invoke(build, env=EPOCH)
    assert [steady for _, steady, _ in compared] == [0, 0]
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_the_first_files_are_skipped_only_while_the_last_pack_is_the_one_noted() -> None:
    from campaignsync.pack.updating import _steady

    last = {"manifest.json": "this"}
    assert _steady(("this", 3), last) == 3
    assert _steady(("another", 3), last) == 0
    assert _steady(("", 3), {}) == 0  # noted nowhere, and no last pack known


def test_the_writer_is_given_steady_outputs_only_when_they_and_the_rest_are_all() -> None:
    from campaignsync.model import Output
    from campaignsync.pack import writer
    from campaignsync.pipeline.assembly import Assembled

    def output(path: str) -> Output:
        return Output("m", "de", "x", path, b"", True)

    a, b, c = output("de/x/a.txt"), output("de/x/b.txt"), output("de/x/c.txt")
    source = writer.SourceInfo(None, False)
    made = Assembled([a, b, c], [], 0, source, {}, steady=("sha", (b, c)), rest=(a,))
    assert made.for_writer() == ([b, c, a], ("sha", 2))
    short = Assembled([a, b, c], [], 0, source, {}, steady=("sha", (b,)), rest=(a,))
    assert short.for_writer() == ([a, b, c], ("", 0))  # one left out: every output, compared
    assert Assembled([a], [], 0, source, {}).for_writer() == ([a], ("", 0))


def test_each_build_notes_the_outputs_its_pack_holds_in_one_piece(tmp_path: Path) -> None:
    """One piece per pack, not one a message: the kept pieces change by two a build
    (a piece a message would change 500 at 500 messages, and the pieces kept in full,
    54 MB, would be written again each time; see ``based.save_based``)."""
    from campaignsync.pack import outputkeys
    from campaignsync.pack.kept import Kept

    kept = Kept(tmp_path / "2026", tmp_path / "kept.index", "key")
    keys = {"a": "digest of a", "b": "", "c": "digest of c"}  # b's rows are not all known
    kept.by_message = outputkeys.ByMessage([], {}, keys=keys)
    outputkeys.note_written(kept, "sha of the manifest")
    assert list(kept.used) == ["written sha of the manifest"]
    kept.pieces = dict(kept.used)
    assert outputkeys.held_by(kept, "sha of the manifest") == {"digest of a", "digest of c"}
    assert outputkeys.held_by(kept, "another manifest") == set()
    assert outputkeys.held_by(kept, "") == set()


def test_after_a_catalog_edit_only_the_messages_it_changed_have_their_rows_read_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PO entry of one message edited: the digest of each other message's outputs is
    taken as kept under the shard they are read from (none of their look-ups changed), not
    found again from their rows (see ``outputkeys``); the pack is a clean build's."""
    from campaignsync.pack import outputkeys

    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)  # the others taken whole: their digests kept by shard
    read: list[str] = []
    digest = outputkeys._digest

    def noted(message: str, mine: list[Any], lines: Any) -> str:
        read.extend({output.message for output in mine})
        return digest(message, mine, lines)

    monkeypatch.setattr(outputkeys, "_digest", noted)
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "Der Joint Cyber Awareness Month startet heute"'
    assert old in text
    po.write_text(text.replace(old, 'msgstr "Heute startet der Joint Cyber Awareness Month"'))
    cli_invoke(build, env=EPOCH)
    monkeypatch.undo()
    assert "kickoff" in read  # its German unit rendered again
    assert not {"mfa-email-first", "passphrase-tip"} & set(read)
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_after_a_catalog_edit_a_process_takes_the_rows_of_unchanged_units_as_it_took_them(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``preview`` after a translator's save: every message reads the edited catalog, so
    none is taken whole as it was; those whose look-ups did not change are the same units,
    and what was taken of them (members, rows, cards, what the gallery found) is taken as
    it is, not made again from their rows."""
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "kickoff", "Kicked off")
    cli_invoke(build, env=EPOCH)  # every message but kickoff taken whole in this process
    made: list[str] = []
    rows = hits.take_rows

    def noted(unit: shards.Unit, *rest: Any) -> None:
        made.append(unit.outputs[0].message)
        rows(unit, *rest)

    monkeypatch.setattr(hits, "take_rows", noted)
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "Der Joint Cyber Awareness Month startet heute"'
    po.write_text(text.replace(old, 'msgstr "Heute startet der Joint Cyber Awareness Month"'))
    cli_invoke(build, env=EPOCH)
    monkeypatch.undo()
    assert set(made) == {"kickoff"}  # its German unit rendered: its others taken alone
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_message_taken_whole_names_its_shard_only_as_read(small_repo: Path) -> None:
    """The outputs of a message taken whole follow from its shard as read; once one of its
    units was put or dropped (completed for a build, say), they do not: no shard is named."""
    from campaignsync.load.project import load_project
    from campaignsync.pack.hits import take_hits
    from campaignsync.pipeline.selection import select, units_of
    from campaignsync.pipeline.workers import open_cache, render_selection

    project, _ = load_project(small_repo)
    assert project is not None
    selection, out = select(project, None), small_repo / "dist"
    cache = open_cache(project, selection, out)
    rendered = render_selection(project, selection, prepare=True, cache=cache)
    unitcache.save_cache(cache)
    for touched in ((), ("kickoff",)):
        shards.Known.last = None  # a new process: nothing taken whole yet
        cache = open_cache(project, selection, out)
        for message_id in touched:  # a unit put again, as a build completing it does
            tag, (key, unit) = next(iter(cache.units[message_id].items()))
            cache.put(message_id, tag, key, unit)
        wholes: list[Any] = []
        take_hits(cache, project, units_of(project, selection), rendered.lookups, [], {}, {},
                  True, wholes)  # fmt: skip
        named = {w.message_id: w.shard for w in wholes}
        assert set(named) == {m.id for m in project.messages}
        assert all(len(shard) == 64 for m, shard in named.items() if m not in touched)
        assert all(named[m] == "" for m in touched)
