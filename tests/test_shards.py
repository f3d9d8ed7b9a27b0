"""The render cache: an edit reads no unchanged bytes, a bad file is a miss,
and a process building again reads only what changed since."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke, make_review_repo

from campaignsync.model import Output
from campaignsync.pack import asidezip, bodies, bodyfiles, hits, sealed, shards, unitrows
from campaignsync.pack import cache as unitcache
from campaignsync.pack.gallery import Drawn

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}
#: A unit's span in a body file that is never read (see ``sealed.Span``).
SPAN = (0, 4, bytes(32))


def _row(unit: shards.Unit, where: object) -> tuple[object, ...]:
    """Return a unit's row in a shard, all of it in one part at ``where`` in its body files."""
    rows, _, count = unitrows._new_part(unit.outputs, unit.drawn or ())
    drawn = None if unit.drawn is None else tuple(map(unitrows._plain_drawn, unit.drawn))
    return (tuple(rows), count, unit.members, unit.catalogs, unit.lines, drawn, unit.templates,
            where)  # fmt: skip


def _folder(repo: Path) -> Path:
    return repo / "dist" / unitcache.FOLDER / "2026"


def _retitle(repo: Path, stem: str, title: str) -> None:
    path = next((repo / "content" / "messages").rglob(f"{stem}.md"))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), "utf-8")


def _without_zip(cli_invoke: CliInvoke, repo: Path) -> None:
    """Build the folder alone, and drop the zip it set aside: the next zip is written whole."""
    cli_invoke(["build", "--repo", str(repo), "--no-zip"], env=EPOCH)
    assert asidezip.zip_path(repo / "dist", "2026").is_file()
    asidezip.drop(repo / "dist", "2026")


def _pack(out: Path) -> dict[str, bytes]:
    folder = out / "2026"
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    return {**files, "zip": (out / "2026.zip").read_bytes()}


def _clean(cli_invoke: CliInvoke, repo: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    cli_invoke(["build", "--repo", str(repo), "--out", str(out)], env=EPOCH)
    return _pack(out)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the message of every unit whose bytes (outputs, cards) are read from a body file."""
    seen: list[str] = []
    part = bodies.Bodies._part

    def noted(self: bodies.Bodies, at: sealed.Span, kind: int) -> object:
        seen.append(self.message_id)
        return part(self, at, kind)

    monkeypatch.setattr(bodies.Bodies, "_part", noted)
    return seen


def test_an_edit_reads_no_unchanged_output_s_or_card_s_bytes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, reads: list[str]
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    assert not reads  # a clean build writes the bodies and reads none
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    assert not reads  # the edited message is rendered again; no other unit's bytes are read
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_the_zip_made_again_reads_the_kept_bytes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, reads: list[str]
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    _without_zip(cli_invoke, small_repo)
    cli_invoke(build, env=EPOCH)  # nothing to render: the zip is written whole from the cache
    assert "kickoff" in reads
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_each_message_keeps_only_the_body_files_its_shard_names(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    folder = _folder(small_repo)
    first = sorted(p.name for p in folder.glob("wrap-up.*.body"))
    assert len(first) == 1
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    second = sorted(p.name for p in folder.glob("wrap-up.*.body"))
    assert len(second) == 1 and second != first  # the old one is gone with the units it held
    next((small_repo / "content" / "messages").rglob("wrap-up.md")).unlink()
    cli_invoke(build, env=EPOCH)
    assert not list(folder.glob("wrap-up.*"))


@pytest.mark.parametrize("damage", ["deleted", "rewritten", "truncated"])
def test_a_body_file_gone_or_damaged_is_a_miss(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, damage: str
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    body = next(_folder(small_repo).glob("kickoff.*.body"))
    if damage == "deleted":
        body.unlink()
    elif damage == "rewritten":  # another file of the same cache under the same name
        sealed.write_sealed(body, body.read_bytes().split(b"\n")[2].decode(), ((b"x",),))
    else:
        body.write_bytes(body.read_bytes()[:-10])
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke([*build, "--no-zip"], env=EPOCH)
    cli_invoke(build, env=EPOCH)  # every output's bytes read: kickoff's are rendered again
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def _kickoff_body_gone_once_read(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Delete kickoff's body file right after the render cache is first opened, as another
    build saving its units would; return the list each opening of the cache adds to."""
    opened = unitcache.open_cache
    calls: list[int] = []

    def raced(*args: object, **kwargs: object) -> unitcache.Cache:
        cache = opened(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 1:
            next(_folder(repo).glob("kickoff.*.body")).unlink()
        return cache

    monkeypatch.setattr(unitcache, "open_cache", raced)
    return calls


def test_a_body_file_replaced_while_a_build_reads_it_is_rendered_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    _without_zip(cli_invoke, small_repo)
    calls = _kickoff_body_gone_once_read(small_repo, monkeypatch)
    cli_invoke(build, env=EPOCH)
    assert len(calls) == 2
    monkeypatch.undo()
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_body_file_gone_while_its_look_ups_are_read_is_rendered_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A catalog edited: the hit test reads the look-ups of its locale's units. Kickoff's body
    file gone meanwhile, the build starts once more without its shard: a clean build's pack."""
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"  # a kickoff entry
    text = po.read_text(encoding="utf-8")
    at = text.index('msgstr "', text.index("content/messages/2026/kickoff.md")) + len('msgstr "')
    po.write_text(f"{text[:at]}Neu: {text[at:]}", encoding="utf-8")
    calls = _kickoff_body_gone_once_read(small_repo, monkeypatch)
    cli_invoke(build, env=EPOCH)
    assert len(calls) == 2
    monkeypatch.undo()
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_look_ups_whose_body_file_is_gone_are_unreadable_not_a_miss(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """Unreadable (the build starts again: ``bodyfiles.retried``), not a unit that does not hold:
    a miss of that unit alone would keep its message's other units naming a file gone."""
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    folder = _folder(small_repo)
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    cache = unitcache.open_cache(small_repo / "dist", "2026", key)
    _, unit = cache.units["kickoff"]["de"]
    for body in folder.glob("kickoff.*.body"):
        body.unlink()
    with pytest.raises(bodyfiles.Unreadable):
        _ = unit.plain_log


def test_a_cache_replaced_on_every_read_is_a_clear_error(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    _without_zip(cli_invoke, small_repo)
    opened = unitcache.open_cache
    bodies = {p: p.read_bytes() for p in _folder(small_repo).glob("*.body")}

    def raced(*args: object, **kwargs: object) -> unitcache.Cache:
        for path, data in bodies.items():  # there when the shards are read, gone when used
            path.write_bytes(data)
        cache = opened(*args, **kwargs)  # type: ignore[arg-type]
        for path in bodies:
            path.unlink(missing_ok=True)
        return cache

    monkeypatch.setattr(unitcache, "open_cache", raced)
    result = cli_invoke(build, env=EPOCH, expect=1)
    folder = _folder(small_repo)
    assert result.stderr == (
        f"error: the render cache in {folder} changed while it was read "
        "(another build saving there?); run the command again\n"
    )


def test_a_shard_naming_a_file_outside_its_message_is_a_miss(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    folder = _folder(small_repo)
    shard = folder / "kickoff.units"
    key = shard.read_bytes().split(b"\n")[2].decode()
    files, units = sealed.read_sealed(shard, sealed.folder_id(folder), key)
    (name, checksum), *_ = files
    victim = next(folder.glob("wrap-up.*.body"))
    for named in (f"../{name}", victim.name, f"kickoff.x{bodyfiles.SUFFIX}/../{victim.name}"):
        sealed.write_sealed(shard, key, (((named, checksum),), units))
        assert (
            unitrows.units_of(
                sealed.read_sealed(shard, sealed.folder_id(folder), key),
                folder,
                sealed.folder_id(folder),
                key,
                "kickoff",
            )
            is None
        )


# --- review (branch review): faults found in the body files ---------------------------


def test_an_absorbed_body_that_cannot_be_read_leaves_the_other_build_s_folder_alone(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"  # another machine's output folder (a CI artifact, say)
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(other)], env=EPOCH)
    folder = other / unitcache.FOLDER / "2026"
    body = next(folder.glob("kickoff.*.body"))
    body.write_bytes(body.read_bytes()[:-10])  # head intact, payload cut short (a bad download)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    out = tmp_path / "assembled"
    build = ["build", "--repo", str(small_repo), "--out", str(out), "--shard", str(other)]
    cli_invoke(build, env=EPOCH)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # read, never written
    assert _pack(out) == _clean(cli_invoke, small_repo, tmp_path)


def _built_kickoff(
    cli_invoke: CliInvoke, tmp_path: Path
) -> tuple[Path, Path, list[str], Path, str]:
    """Build a small sample; return its repository, output, build command, kickoff's shard, key."""
    from test_incremental import small_build

    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    shard = out / unitcache.FOLDER / "2026" / "kickoff.units"
    return repo, out, build, shard, shard.read_bytes().split(b"\n")[2].decode()


def _damage_kickoff(shard: Path, key: str, damage: Callable[[Any], Any]) -> Any:
    """Rewrite a shard with each unit damaged (it still passes its checksum); return its units."""
    files, plain = sealed.read_sealed(shard, None, key)
    bad = {tag: (message_key, damage(unit)) for tag, (message_key, unit) in plain.items()}
    assert bad != plain
    sealed.write_sealed(shard, key, (files, bad))
    return bad


def damage_kickoff_bodies(
    shard: Path,
    key: str,
    damage: Callable[[Any], Any] = lambda held: held,
    tags: set[str] | None = None,
    log: Callable[[bytes], bytes] = lambda packed: packed,
) -> None:
    """Write kickoff's units' parts of its body files again, damaged, and its shard so.

    Each unit's bytes, cards and fields (``damage``: a ``bodies.Held``) and look-ups
    (``log``), or those of the locales in ``tags``.
    """
    files, plain = sealed.read_sealed(shard, None, key)
    folder = shard.parent
    old = [bodies.Bodies(folder / name, checksum, None, key, "kickoff") for name, checksum in files]
    helds, logs = [], []
    for tag, (_, unit) in plain.items():
        file, at, cards_at, log_at = unit[-1]
        chosen = tags is None or tag in tags
        contents, fields = old[file].unit(at)
        held = (contents, old[file].cards(cards_at), fields)
        helds.append(damage(held) if chosen else held)
        logs.append(log(old[file].log(log_at)) if chosen else old[file].log(log_at))
    written, *spans = unitrows.write_bodies(folder, "kickoff", key, helds, logs)
    named = ((written.path.name, written.checksum),)
    rows = zip(plain.items(), *spans, strict=True)
    bad = {t: (k, (*u[:-1], (0, *where))) for (t, (k, u)), *where in rows}
    sealed.write_sealed(shard, key, (named, bad))


def _one_value(shard: Path, key: str) -> None:
    """Each translation one value, not three (in the units' parts of the body file)."""

    def damaged(held: Any) -> Any:
        tables = sealed.unpacked(held[2])
        one = sealed.packed(tuple(tuple((n, (t[0],)) for n, t in f) for f in tables))
        return (*held[:2], one)

    damage_kickoff_bodies(shard, key, damaged)


def _fewer(shard: Path, key: str) -> None:
    """One table more counted (in the shard) than packed (in the body file)."""
    _damage_kickoff(shard, key, lambda unit: (unit[0], unit[1] + 1, *unit[2:]))


@pytest.mark.parametrize("damage", [_one_value, _fewer])
def test_absorbed_units_whose_fields_are_not_fields_are_rendered_here(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, damage: Any
) -> None:
    other = tmp_path / "other"  # another machine's output folder
    cli_invoke(["build", "--repo", str(small_repo), "--out", str(other)], env=EPOCH)
    shard = other / unitcache.FOLDER / "2026" / "kickoff.units"
    key = shard.read_bytes().split(b"\n")[2].decode()
    damage(shard, key)
    out = tmp_path / "assembled"
    build = ["build", "--repo", str(small_repo), "--out", str(out), "--shard", str(other)]
    cli_invoke(build, env=EPOCH)  # kickoff rendered here, not failing when its shard is kept
    assert _pack(out) == _clean(cli_invoke, small_repo, tmp_path)


def test_an_output_read_from_the_cache_equals_the_same_output_held_whole(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    import dataclasses

    from campaignsync.model import Output

    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    folder = _folder(small_repo)
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    cache = unitcache.open_cache(small_repo / "dist", "2026", key)
    kept = next(iter(cache.units["kickoff"].values()))[1].outputs[0]
    whole = dataclasses.replace(kept)  # the same fields, bytes held (as pickling gives too)
    assert type(whole) is Output and whole.content == kept.content
    assert kept == whole  # dataclass __eq__ asks for the very same class: False today
    assert hash(kept) == hash(whole) and pickle.loads(pickle.dumps(kept)) == whole
    card = next(u for _, u in cache.units["kickoff"].values() if u.drawn).drawn[0]
    plain = dataclasses.replace(card)
    assert type(plain) is Drawn and (plain.html, plain.section) == (card.html, card.section)
    assert card == plain and hash(card) == hash(plain)
    # Each field is read from its own place in the row: a unit made from a shard's plain
    # values gives them back, field by field, as the build that wrote the shard saw them.
    files, plain_units = sealed.read_sealed(folder / "kickoff.units", sealed.folder_id(folder), key)
    held = [
        bodies.Bodies(folder / name, checksum, None, key, "kickoff") for name, checksum in files
    ]
    for _message_key, plain_unit in plain_units.values():
        unit = unitrows.unit_of(plain_unit, held)
        assert _row(unit, plain_unit[-1]) == plain_unit  # (its fields and look-ups read)
        file, at, cards_at, log_at = plain_unit[-1]
        contents, fields = held[file].unit(at)  # its part of the body file, its cards' part
        made = unitrows._new_part(unit.outputs, unit.drawn or ())[1]
        assert made == (contents, held[file].cards(cards_at), fields)
        assert unit.log_bytes == held[file].log(log_at)  # and its look-ups' part
    # Saved again as read, the units name their parts where they are: the same shard, and
    # no body file written.
    before = sorted(folder.iterdir())
    where = sealed.folder_id(folder)
    units = unitrows.units_of((files, plain_units), folder, where, key, "kickoff")
    assert units is not None
    assert unitrows.plain_shard(folder, key, "kickoff", units) == (tuple(files), plain_units)
    assert sorted(folder.iterdir()) == before


@pytest.mark.parametrize(
    "cut",
    [
        "output",
        "card",
        "fields",
        "fields as a float",
        "member",
        "body -1",
        "place as text",
        "templates",
    ],
)
def test_a_shard_whose_row_is_cut_short_is_a_miss(
    cli_invoke: CliInvoke, small_repo: Path, cut: str
) -> None:
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    folder = _folder(small_repo)
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    where = sealed.folder_id(folder)
    files, plain = sealed.read_sealed(folder / "kickoff.units", where, key)
    assert unitrows.units_of((files, plain), folder, where, key, "kickoff") is not None
    tag, (message_key, unit) = next(iter(plain.items()))
    outputs, drawn, members = list(unit[0]), list(unit[5]), list(unit[2])
    if cut == "output":
        outputs[0] = outputs[0][:-1]
    elif cut == "fields":  # its fields' place past the end of the unit's table (its count)
        outputs[0] = (*outputs[0][:7], unit[1], *outputs[0][8:])
    elif cut == "fields as a float":  # equal to a place, yet not one
        outputs[0] = (*outputs[0][:7], 0.0, *outputs[0][8:])
    elif cut == "member":  # one value more than a member holds
        members[0] = (*members[0], 0)
    elif cut == "card":
        drawn[0] = drawn[0][:-1]
    file, at, cards_at, log_at = unit[7]
    templates = unit[6]
    if cut == "body -1":  # would be the last body file the shard names
        file = -1
    elif cut == "place as text":
        at = str(at)
    elif cut == "templates":  # a channel without its templates' digest
        templates = (*templates[:-1], templates[-1][:1])
    damaged = (tuple(outputs), unit[1], tuple(members), *unit[3:5], tuple(drawn), templates,
               (file, at, cards_at, log_at))  # fmt: skip
    shard = (files, {**plain, tag: (message_key, damaged)})
    assert unitrows.units_of(shard, folder, where, key, "kickoff") is None


def test_a_body_left_by_a_save_cut_short_is_collected_by_the_next_build(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    folder = _folder(small_repo)
    path = next((small_repo / "content" / "messages").rglob("kickoff.md"))
    before = path.read_text(encoding="utf-8")
    _retitle(small_repo, "kickoff", "Kicked off")
    write = sealed.write_sealed

    def cut(at: Path, key: str, value: object) -> str:
        if at.name == "kickoff.units":  # the body is written, the shard not: power lost
            raise KeyboardInterrupt
        return write(at, key, value)

    monkeypatch.setattr(sealed, "write_sealed", cut)
    cli_invoke(build, env=EPOCH, expect=130)  # interrupted
    monkeypatch.undo()
    path.write_text(before, encoding="utf-8")  # the edit taken back: kickoff is a hit again
    cli_invoke(build, env=EPOCH)
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    files, _ = sealed.read_sealed(folder / "kickoff.units", sealed.folder_id(folder), key)
    assert sorted(p.name for p in folder.glob("kickoff.*.body")) == sorted(n for n, _ in files)


def test_units_a_check_rendered_then_completed_and_drawn_by_builds_give_a_clean_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from campaignsync.cli import cli

    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    before = sorted(p.name for p in _folder(small_repo).glob("kickoff.*.body"))
    _retitle(small_repo, "kickoff", "Kicked off")
    CliRunner().invoke(cli, ["check", "--repo", str(small_repo), "--now", "2026-09-01"])
    after = sorted(p.name for p in _folder(small_repo).glob("kickoff.*.body"))
    assert after != before  # kickoff's units kept for check only (no members, no cards)
    cli_invoke([*build, "--no-zip"], env=EPOCH)  # completed, drawn, moved into a new body
    clean = _clean(cli_invoke, small_repo, tmp_path)
    folder = small_repo / "dist" / "2026"
    alone = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
             if p.is_file()}  # fmt: skip
    assert alone == {k: v for k, v in clean.items() if k != "zip"}
    cli_invoke(build, env=EPOCH)  # every output's bytes read back for the zip
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path / "2")


def test_a_body_file_no_shard_names_is_collected_when_older_than_the_shard(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    folder = _folder(small_repo)
    named = next(folder.glob("kickoff.*.body"))
    stray = folder / f"kickoff.{'0' * 24}{bodyfiles.SUFFIX}"  # older than kickoff's shard
    shutil.copy2(named, stray)
    os.utime(stray, ns=(0, 0))
    lone = folder / f"gone-message.{'1' * 24}{bodyfiles.SUFFIX}"  # a message with no shard
    shutil.copy2(named, lone)
    young = folder / f"kickoff.{'2' * 24}{bodyfiles.SUFFIX}"  # newer: a save may be under way
    shutil.copy2(named, young)
    os.utime(young, ns=(2**62, 2**62))
    saved = folder / f"wrap-up.{'3' * 24}{bodyfiles.SUFFIX}"
    shutil.copy2(named, saved)
    os.utime(saved, ns=(2**62, 2**62))
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    assert named.exists() and not stray.exists() and not lone.exists()
    assert young.exists()  # left to kickoff's next save
    assert not saved.exists()  # wrap-up's save keeps only what its shard names


def test_a_body_file_replaced_while_check_reads_it_is_rendered_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_findings import NOW, clean_answer

    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")  # so that check does not give its last answer
    cache = small_repo / "dist" / unitcache.FOLDER
    (cache / "found" / "2026" / "kickoff.found").unlink()  # kickoff checked from its cached units
    opened = unitcache.open_cache
    calls: list[int] = []

    def raced(*args: object, **kwargs: object) -> unitcache.Cache:
        found = opened(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 1:  # another build saves kickoff's units between reading and use
            next(_folder(small_repo).glob("kickoff.*.body")).unlink()
        return found

    monkeypatch.setattr(unitcache, "open_cache", raced)
    said = cli_invoke(["check", "--repo", str(small_repo), *NOW]).stdout
    assert len(calls) == 2
    monkeypatch.undo()
    assert said == clean_answer(cli_invoke, small_repo, tmp_path)


def test_a_cold_check_keeps_units_without_assembled_files_and_a_build_adds_them(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    from test_findings import NOW

    from campaignsync.load.project import load_project
    from campaignsync.pipeline.selection import select
    from campaignsync.pipeline.workers import open_cache

    cli_invoke(["check", "--repo", str(small_repo), *NOW])
    project, _ = load_project(small_repo)
    assert project is not None
    cache = open_cache(project, select(project, None), small_repo / "dist")
    kept = [o.path for units in cache.units.values() for _, u in units.values() for o in u.outputs]
    assert any("/email/" in p for p in kept) and any("/bluesky/" in p for p in kept)
    assert [p for p in kept if p.endswith((".eml", ".json"))] == []  # no check reads them
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)  # assembles them
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


@pytest.fixture
def shards_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note the name of every shard file read (and unpickled) from a render cache."""
    seen: list[str] = []
    read_all = sealed.read_all

    def noted(paths: object, where: bytes, key: str) -> object:
        listed = list(paths)  # type: ignore[call-overload]
        seen.extend(p.name for p in listed)
        return read_all(listed, where, key)

    monkeypatch.setattr(sealed, "read_all", noted)
    return seen


def test_a_process_building_again_reads_only_the_shards_written_since(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, shards_read: list[str]
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    assert not shards_read  # a clean build writes the shards
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)  # as a first build after an edit: every shard is read
    assert len(shards_read) == len(list(_folder(small_repo).glob("*.units")))
    shards_read.clear()
    _retitle(small_repo, "kickoff", "Kicked off")
    cli_invoke(build, env=EPOCH)  # the same process (preview) building again
    assert shards_read == ["wrap-up.units"]  # the one the last build wrote
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


@pytest.mark.parametrize("changed", ["shard", "body"])
def test_a_cache_file_changed_since_this_process_read_it_is_read_again(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    shards_read: list[str],
    changed: str,
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    shards_read.clear()
    folder = _folder(small_repo)
    if changed == "shard":  # another message's shard copied over it: a miss
        shutil.copyfile(folder / "wrap-up.units", folder / "kickoff.units")
    else:  # the same bytes written again by another process
        (body,) = folder.glob("kickoff.*.body")
        body.write_bytes(body.read_bytes())
    _retitle(small_repo, "passphrase-tip", "A new tip")
    cli_invoke(build, env=EPOCH)
    assert sorted(shards_read) == ["kickoff.units", "wrap-up.units"]
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_process_building_again_reads_only_the_findings_written_since(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)  # keeps check's answer: reads every message's findings
    found: list[str] = []
    read_sealed = sealed.read_sealed
    messages = _folder(small_repo).parent / "found" / "2026"
    assert len(list(messages.glob("*.found"))) > 2

    def noted(path: Path, *rest: object) -> object:
        if path.parent == messages:  # the findings about each message
            found.append(path.stem)
        return read_sealed(path, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(sealed, "read_sealed", noted)
    _retitle(small_repo, "kickoff", "Kicked off")
    cli_invoke(build, env=EPOCH)
    # Only the one this build wrote (the last build read its own after writing them).
    assert found == ["kickoff"]
    # The answer this build kept for check is a clean check's.
    kept = cli_invoke(["check", "--repo", str(small_repo)], env=EPOCH, expect=1).stdout
    fresh = small_repo.parent / "fresh"
    shutil.copytree(small_repo, fresh)
    shutil.rmtree(fresh / "dist")
    assert kept == cli_invoke(["check", "--repo", str(fresh)], env=EPOCH, expect=1).stdout


def test_an_output_over_its_limit_is_still_over_when_taken_from_the_cache(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    repo = make_review_repo(tmp_path / "review")  # its kickoff X post is over the limit
    build = ["build", "--repo", str(repo)]
    first = cli_invoke(build, env=EPOCH)
    assert "channel allows; 'campaignsync check' says where to shorten them." in first.stdout
    index = (repo / "dist" / "2026" / "index.html").read_bytes()
    for path in (repo / "dist").iterdir():  # all but the render cache: every unit a hit
        if path.name != unitcache.FOLDER:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in (repo / "dist" / unitcache.FOLDER).iterdir():
        if path.name != "2026":
            shutil.rmtree(path)
    again = cli_invoke(build, env=EPOCH)
    assert again.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]
    assert (repo / "dist" / "2026" / "index.html").read_bytes() == index  # its attention list
    folder = _folder(repo)
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    cache = unitcache.open_cache(repo / "dist", "2026", key)
    kept = [o for _, unit in cache.units["kickoff"].values() for o in unit.outputs]
    assert isinstance(kept[0], bodies.KeptOutput)
    assert any(o.over_limit for o in kept)  # read from its row
    # As the plain output says, over or not, with one limit or more (Bluesky's bytes).
    assert [o.over_limit for o in kept] == [replace(o).over_limit for o in kept]
    assert any(o.measure.also for o in kept if o.measure)


def test_a_measure_of_another_shape_in_a_shard_makes_it_a_miss_when_it_is_read(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    from test_incremental import change_body, same_as_clean

    # The review campaign's kickoff X post is over the limit: the attention list reads its
    # measure (whether a post is over a limit is kept in its row: no measure read for that).
    repo, out = make_review_repo(tmp_path / "review"), tmp_path / "out"
    build = ["build", "--repo", str(repo), "--jobs", "1", "--out", str(out)]
    cli_invoke(build, env=EPOCH)
    shard = out / unitcache.FOLDER / "2026" / "kickoff.units"
    key = shard.read_bytes().split(b"\n")[2].decode()
    bad = _damage_kickoff(  # its measures are not measures
        shard, key, lambda u: (tuple((*r[:6], (1, 2), *r[7:]) if r[6] else r for r in u[0]), *u[1:])
    )
    cache = unitcache.open_cache(out, "2026", key)
    over = [o for _, unit in cache.units["kickoff"].values() for o in unit.outputs if o.over_limit]
    assert over
    with pytest.raises(bodyfiles.Unreadable):
        _ = over[0].measure
    change_body(repo, 1, "Another line")  # not kickoff: its outputs are taken from the shard
    cli_invoke(build, env=EPOCH)
    written = sealed.read_sealed(shard, sealed.folder_id(shard.parent), key)
    assert written is not None and written[1] != bad  # a miss: rendered and kept again
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def test_a_bad_measure_no_page_reads_is_a_miss_when_its_shard_is_kept_again(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    from test_incremental import same_as_clean

    repo, out, build, shard, key = _built_kickoff(cli_invoke, tmp_path)  # no post over a limit
    bad = _damage_kickoff(
        shard, key, lambda u: (tuple((*r[:6], (1, 2), *r[7:]) if r[6] else r for r in u[0]), *u[1:])
    )
    po = repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"  # a kickoff entry in German
    text = po.read_text(encoding="utf-8")
    at = text.index('msgstr "', text.index("content/messages/2026/kickoff.md")) + len('msgstr "')
    po.write_text(f"{text[:at]}Neu: {text[at:]}", encoding="utf-8")
    cli_invoke(build, env=EPOCH)  # kickoff's shard kept again: its other units' measures read
    written = sealed.read_sealed(shard, sealed.folder_id(shard.parent), key)
    assert written is not None and written[1] != bad
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
    fine = unitcache.open_cache(out, "2026", key)  # the shard made again whole
    assert all(o.measure is None or o.measure.limit for _, u in fine.units["kickoff"].values()
               for o in u.outputs)  # fmt: skip


@pytest.mark.parametrize("damage", [_one_value, _fewer])
def test_a_fields_table_of_another_shape_in_a_shard_is_unreadable_when_read(
    cli_invoke: CliInvoke, tmp_path: Path, damage: Any
) -> None:
    from test_incremental import change_body, same_as_clean

    repo, out, build, shard, key = _built_kickoff(cli_invoke, tmp_path)
    damage(shard, key)
    cache = unitcache.open_cache(out, "2026", key)
    kept = [o for _, unit in cache.units["kickoff"].values() for o in unit.outputs]
    assert kept and all(isinstance(o, bodies.KeptOutput) for o in kept)  # made: fields unread
    with pytest.raises(bodyfiles.Unreadable):
        _ = kept[0].fields
    change_body(repo, 1, "Another line")  # not kickoff: its fields are not read
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
    po = repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"  # a kickoff entry in German
    text = po.read_text(encoding="utf-8")
    at = text.index('msgstr "', text.index("content/messages/2026/kickoff.md")) + len('msgstr "')
    po.write_text(f"{text[:at]}Neu: {text[at:]}", encoding="utf-8")
    cli_invoke(build, env=EPOCH)  # kickoff's shard kept again, its kept units as they were
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean2")
    # A template edited: their other channels' outputs are kept as they are with the new
    # ones, their fields not read (the readability takes each output's counts from its row).
    template = repo / "templates" / "x.txt.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean3")


def test_a_cached_units_members_are_those_member_makes(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    from test_incremental import small_build

    from campaignsync.pack.writer import Member

    _, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    key = (out / unitcache.FOLDER / "2026" / "kickoff.units").read_bytes().split(b"\n")[2]
    cache = unitcache.open_cache(out, "2026", key.decode())
    for _, unit in cache.units["kickoff"].values():
        members: dict[str, Member] = {}
        lines: dict[str, str] = {}
        hits.take_rows(unit, members, lines)
        paths = [o.path for o in unit.outputs]
        assert list(members) == paths and list(lines) == paths
        assert [members[p] for p in paths] == [Member(*meta, None) for meta in unit.members]
        assert [repr(members[p]) for p in paths] == [repr(Member(*m, None)) for m in unit.members]
        assert [lines[p] for p in paths] == list(unit.lines)


@pytest.mark.parametrize(
    "measure",
    [
        None,
        (1, 2, "weighted", None, None, (), 0),
        (2, 2, "weighted", None, None, (), 1),  # over by its padding
        (1, 5, "graphemes", None, None, ((9, 8, "utf-8", None, None, (), 0),), 0),
        (9, 5, "graphemes", None, None, ((1, 8, "utf-8", None, None, (), 0),), 0),
        (1, 5, "graphemes", None, None, ((1, 8, "utf-8", None, None, (), 0),), 0),
        (
            1,
            5,
            "septets",
            None,
            1,
            ((1, 8, "a", None, None, (), 0), (3, 2, "b", None, None, (), 0)),
            0,
        ),
        # A further limit with further limits of its own.
        (
            1,
            5,
            "graphemes",
            None,
            None,
            ((1, 8, "utf-8", None, None, ((9, 1, "x", None, None, (), 0),), 0),),
            0,
        ),
    ],
)
def test_an_output_from_the_cache_is_over_its_limits_as_it_was_rendered(
    tmp_path: Path, measure: tuple[object, ...] | None
) -> None:
    made = bodies.measure_of(measure)
    rendered = Output("m", "en", "x", "en/x/m.txt", b"post", True, measure=made)
    unit = shards.Unit((rendered,), (("0" * 64, 0, 4, 0),), b"", (), ("{}",))
    held = bodies.Bodies(tmp_path / "m.0.body", "0" * 64, None, "key", "m")
    [output] = unitrows.unit_of(_row(unit, (0, SPAN, SPAN, SPAN)), [held]).outputs
    assert isinstance(output, bodies.KeptOutput)
    assert output.over_limit is rendered.over_limit
    assert output.over_limit == (made is not None and made.exceeded is not None)
    # The answer is the row's: no measure is made for it (a row saying the other is believed).
    plain = _row(unit, (0, SPAN, SPAN, SPAN))
    flipped = ((*plain[0][0][:-1], not rendered.over_limit),)
    [told] = unitrows.unit_of((flipped, *plain[1:]), [held]).outputs
    assert told.over_limit is not rendered.over_limit
    with pytest.raises(AttributeError):
        _ = told._measured  # type: ignore[attr-defined]


@pytest.mark.parametrize("over", [1, 0, None, "yes"])
def test_a_row_whose_over_is_not_true_or_false_is_not_a_units(tmp_path: Path, over: object) -> None:
    rendered = Output("m", "en", "x", "en/x/m.txt", b"post", True)
    unit = shards.Unit((rendered,), (("0" * 64, 0, 4, 0),), b"", (), ("{}",))
    plain = _row(unit, (0, SPAN, SPAN, SPAN))
    held = bodies.Bodies(tmp_path / "m.0.body", "0" * 64, None, "key", "m")
    assert unitrows.unit_of(plain, [held]).outputs[0].over_limit is False
    row = (*plain[0][0][:-1], over)
    with pytest.raises(ValueError, match="not a unit's outputs"):
        unitrows.unit_of(((row,), *plain[1:]), [held])


@pytest.mark.parametrize("command", ["build", "check"])
def test_holding_no_unit_s_bytes_a_template_edit_is_read_once_and_as_a_clean_one(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    """Holding none of the units' bytes (as a build of a big campaign holds only those read
    last), a template edit reads the cache once, and gives a clean build's pack or answer.

    A build keeps the edited channel's new bytes alone in a new body file of each message,
    the other channels' where they were: each output and card names its part.
    """
    from cachetools import LRUCache
    from test_findings import NOW, clean_answer
    from test_partial import edit

    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    monkeypatch.setattr(bodies, "_RECENT", LRUCache(1, getsizeof=bodies._size))
    opened = unitcache.open_cache
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> unitcache.Cache:
        calls.append(1)
        return opened(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(unitcache, "open_cache", counted)
    edit(small_repo / "templates" / "x.txt.j2")
    said = cli_invoke([command, "--repo", str(small_repo), *(NOW if command == "check" else ())],
                      env=EPOCH).stdout  # fmt: skip
    assert len(calls) == 1
    monkeypatch.undo()
    if command == "check":
        assert said == clean_answer(cli_invoke, small_repo, tmp_path)
        return
    folder = _folder(small_repo)
    found = bodyfiles.by_message(folder)
    assert found and all(len(names) == 2 for names in found.values())
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    cache = unitcache.open_cache(small_repo / "dist", "2026", key)
    assert set(cache.units) == set(found)
    for message_id, units in cache.units.items():
        for _, unit in units.values():
            for value in (*unit.outputs, *(unit.drawn or ())):
                name = value._place[0].path.name  # type: ignore[union-attr]
                assert name in found[message_id]
                # the new file holds the edited channel's bytes, and those alone: the
                # look-ups, the same, are where they were
                old = unit.packed_log[0].path.name  # type: ignore[union-attr]
                assert (name != old) == (value.channel == "x")
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_unit_s_part_of_its_body_file_is_read_alone_and_only_as_written(tmp_path: Path) -> None:
    parts = [sealed.packed(("first",)), sealed.packed(("second" * 100,))]
    path, checksum, spans = sealed.write_parts(tmp_path, lambda c: f"m.{c[:24]}.body", "k", parts)
    where = sealed.folder_id(tmp_path)
    base = sealed.part_base(path, where, "k", checksum)
    assert base is not None
    assert [sealed.read_part(path, base, s) for s in spans] == [("first",), ("second" * 100,)]
    at, length, digest = spans[1]
    for bad in [
        (at, length + 1, digest),  # past the end of the file
        (at, 10**15, digest),  # not read at all: longer than the file
        (at - 1, length, digest),  # another part's bytes
        (at, length, bytes(32)),  # not the bytes written
    ]:
        assert sealed.read_part(path, base, bad) is None
    assert sealed.read_part(path, base - 1, spans[1]) is None  # the head's last byte on
    assert sealed.part_base(path, where, "other key", checksum) is None
    assert sealed.part_base(path, where, "k", "0" * 64) is None  # another file
    assert sealed.part_base(path, b"1:2\n", "k", checksum) is None  # another folder
    assert sealed.part_base(tmp_path / "gone.body", where, "k", checksum) is None


@pytest.mark.parametrize(
    "span",
    [(-1, 4, bytes(32)), (0, 4, b"short"), (0, 4), (0, True, bytes(32)), [0, 4, bytes(32)], 0],
)
def test_a_unit_s_span_that_is_not_one_makes_its_shard_a_miss(tmp_path: Path, span: object) -> None:
    rendered = Output("m", "en", "x", "en/x/m.txt", b"post", True)
    unit = shards.Unit((rendered,), (("0" * 64, 0, 4, 0),), b"", (), ("{}",))
    held = bodies.Bodies(tmp_path / "m.0.body", "0" * 64, None, "key", "m")
    assert unitrows.unit_of(_row(unit, (0, SPAN, SPAN, SPAN)), [held]).outputs
    # its bytes' part, its cards', its look-ups'
    for where in ((0, span, SPAN, SPAN), (0, SPAN, span, SPAN), (0, SPAN, SPAN, span)):
        with pytest.raises(ValueError, match="not a unit's place in its body files"):
            unitrows.unit_of(_row(unit, where), [held])


def test_a_forked_process_holds_none_of_its_parent_s_units() -> None:
    """A renderer starts with no unit held and its own lock (a thread may hold the parent's)."""
    name = ("0" * 64, SPAN)
    bodies._keep_recent((*name, 0), ((b"post",), b""))
    with bodies._RECENT_LOCK:  # held while the process forks
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: its lock is free (else it says so, not hangs), nothing held
            free = bodies._RECENT_LOCK.acquire(timeout=5)
            os.write(write, b"1" if free and (*name, 0) not in bodies._RECENT else b"0")
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert bodies._recent((*name, 0)) == ((b"post",), b"")
    bodies.forget_recent()


@pytest.mark.parametrize("read", ["shard", "part"])
def test_a_cache_file_with_no_line_break_is_a_miss_without_reading_it_whole(
    tmp_path: Path, read: str
) -> None:
    import tracemalloc

    path = tmp_path / "kickoff.units"
    path.write_bytes(b"x" * 32_000_000)  # a head line 32 MB long: never a cache file's
    tracemalloc.start()
    try:
        if read == "shard":
            found = sealed.read_sealed(path, None, "key")
        else:
            found = sealed.part_base(path, None, "key", "0" * 64)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found is None
    assert peak < 1_000_000


def test_a_process_that_builds_again_takes_each_unchanged_unit_once(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``preview`` does after each save: the members, rows and cards of a unit whose shard
    is unchanged are made once, then taken as they were; a message all of whose units are
    taken is taken whole, none of its units alone."""
    taken: list[str] = []
    made = hits.take_rows

    def noted(unit: shards.Unit, *rest: Any) -> None:
        taken.append(unit.outputs[0].message)
        made(unit, *rest)

    def one_by_one(unit: shards.Unit) -> hits.Taken:
        raise AssertionError("a unit taken alone, though its message is taken whole")

    monkeypatch.setattr(hits, "take_rows", noted)
    monkeypatch.setattr(hits, "taken", one_by_one)
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    assert not taken  # a clean build takes no unit from the cache
    _retitle(small_repo, "wrap-up", "Wrapped up")
    cli_invoke(build, env=EPOCH)
    assert taken and "wrap-up" not in taken  # every other unit, once
    taken.clear()
    _retitle(small_repo, "kickoff", "Kicked off")
    cli_invoke(build, env=EPOCH)
    assert taken and set(taken) == {"wrap-up"}  # its shard was saved again: read, taken anew
    monkeypatch.undo()
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_body_file_that_cannot_be_deleted_is_left_to_the_next_open(tmp_path: Path) -> None:
    """Deleting the body files a save replaced is a clean-up: it fails no build."""
    stuck = tmp_path / f"kickoff.{'0' * 24}{bodyfiles.SUFFIX}"
    stuck.mkdir()  # unlink raises (IsADirectoryError), as on a read-only folder
    gone = tmp_path / f"wrap-up.{'1' * 24}{bodyfiles.SUFFIX}"
    gone.write_bytes(b"")
    cache = unitcache.Cache(tmp_path, "key", unnamed={stuck, gone})
    unitcache.let_go(cache)
    assert stuck.is_dir() and not gone.exists() and not cache.unnamed


def test_cards_that_are_not_cards_are_a_miss_when_the_gallery_is_drawn_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    """A cards' part that passes its checksum but holds no cards: kickoff renders again."""
    build = ["build", "--repo", str(small_repo)]
    cli_invoke(build, env=EPOCH)
    shard = _folder(small_repo) / "kickoff.units"
    key = shard.read_bytes().split(b"\n")[2].decode()
    damage_kickoff_bodies(shard, key, lambda held: (held[0], "not cards", held[2]))
    template = small_repo / "templates" / "x.txt.j2"  # every page drawn again from the cards
    template.write_text("Edited. " + template.read_text(encoding="utf-8"), encoding="utf-8")
    cli_invoke(build, env=EPOCH)
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_shard_naming_a_units_part_as_its_cards_reads_no_bytes_as_cards(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """Parts are held by their kind: the unit's part, read first, is not taken for cards."""
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    folder = _folder(small_repo)
    key = (folder / "kickoff.units").read_bytes().split(b"\n")[2].decode()
    files, plain = sealed.read_sealed(folder / "kickoff.units", sealed.folder_id(folder), key)
    held = [
        bodies.Bodies(folder / name, checksum, None, key, "kickoff") for name, checksum in files
    ]
    row = next(u for _, u in plain.values() if u[5])  # a unit with cards
    file, at, _cards_at, log_at = row[-1]
    unit = unitrows.unit_of((*row[:-1], (file, at, at, log_at)), held)
    assert unit.outputs[0].content  # its part read, and held
    with pytest.raises(bodyfiles.Unreadable):
        unit.drawn[0].html  # noqa: B018
