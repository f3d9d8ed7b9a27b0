"""A unit's row in its shard: one part of a body file, or (a template edited) parts."""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke
from test_partial import edit, units
from test_shards import EPOCH, _clean, _folder, _pack

from campaignsync.model import Output, Translated
from campaignsync.pack import bodies, bodyfiles, sealed, unitrows
from campaignsync.pack import cache as unitcache


def _shard(folder: Path, message_id: str = "kickoff") -> tuple[str, Any]:
    """Return the key a message's shard is sealed under, and what it holds."""
    path = folder / f"{message_id}.units"
    key = path.read_bytes().split(b"\n")[2].decode()
    return key, sealed.read_sealed(path, sealed.folder_id(folder), key)


def _rows(folder: Path) -> list[tuple[Any, ...]]:
    """Return every unit's row in the shards of a render-cache folder."""
    found = []
    for path in sorted(folder.glob("*.units")):
        found.extend(row for _, row in _shard(folder, path.stem)[1][1].values())
    return found


def _named(folder: Path) -> list[str]:
    """Return the body files the shards of a render-cache folder name."""
    return sorted(n for path in folder.glob("*.units") for n, _ in _shard(folder, path.stem)[1][0])


def _parts(row: tuple[Any, ...]) -> int:
    return 1 if len(row) == unitrows.ONE_ROW else len(row[6])


def _edited(cli_invoke: CliInvoke, repo: Path, channel: str) -> None:
    edit(repo / "templates" / f"{channel}.txt.j2")
    cli_invoke(["build", "--repo", str(repo)], env=EPOCH)


@pytest.fixture
def in_parts(cli_invoke: CliInvoke, small_repo: Path) -> Path:
    """Build the small sample, edit X's template, build again: return its render cache."""
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    _edited(cli_invoke, small_repo, "x")
    return _folder(small_repo)


def test_units_in_parts_saved_again_as_read_write_no_byte(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """A template edit leaves units in two parts; saved as they were read, each names its
    parts where they are: the same shard, and no body file written."""
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    assert {_parts(row) for row in _rows(_folder(small_repo))} == {1}
    _edited(cli_invoke, small_repo, "x")
    folder = _folder(small_repo)
    assert {_parts(row) for row in _rows(folder)} == {2}
    key, (files, plain) = _shard(folder)
    before = _identities(folder)
    where = sealed.folder_id(folder)
    units = unitrows.units_of((files, plain), folder, where, key, "kickoff")
    assert units is not None
    assert unitrows.plain_shard(folder, key, "kickoff", units) == (tuple(files), plain)
    assert _identities(folder) == before


def _identities(folder: Path) -> list[tuple[str, int, int]]:
    return sorted((p.name, p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir())


def test_a_channel_edited_twice_leaves_no_file_of_its_first_edit(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    for _ in range(2):
        _edited(cli_invoke, small_repo, "x")
        found = bodyfiles.by_message(_folder(small_repo))
        assert found and all(len(names) == 2 for names in found.values())
        assert sorted(chain.from_iterable(found.values())) == _named(_folder(small_repo))
    assert {_parts(row) for row in _rows(_folder(small_repo))} == {2}
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_a_unit_is_written_whole_past_its_most_parts(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    """Each channel edited in turn adds a part, up to MOST_PARTS: one more writes it whole.

    (A unit without that channel, a message not posted there, keeps its parts.)
    """
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    channels = ["x", "mastodon", "bluesky", "linkedin"]
    assert len(channels) == unitrows.MOST_PARTS
    for count, channel in enumerate(channels, start=2):
        _edited(cli_invoke, small_repo, channel)
        parts = {_parts(row) for row in _rows(_folder(small_repo))}
        if count <= unitrows.MOST_PARTS:
            assert max(parts) == count
        else:
            assert 1 in parts and max(parts) <= unitrows.MOST_PARTS
        found = bodyfiles.by_message(_folder(small_repo))
        assert found and all(len(names) <= max(parts) for names in found.values())
        assert sorted(chain.from_iterable(found.values())) == _named(_folder(small_repo))
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)
    clean = tmp_path / "clean"  # (built by _clean: its units each in one part)
    assert units(small_repo, small_repo / "dist") == units(small_repo, clean)


@pytest.mark.parametrize(
    "damage",
    [
        "part past the last",
        "part below zero",
        "index below zero",
        "index as a float",
        "one place short",
        "places as a list",
        "fields past its part's",
        "look-ups in no file",
        "card in no part",
        "cards' places none",
        "outputs' places none",
        "no part",
        "part of no fields",
    ],
)
def test_a_unit_in_parts_whose_places_are_not_such_is_a_miss(in_parts: Path, damage: str) -> None:
    folder = in_parts
    key, (files, plain) = _shard(folder)
    where = sealed.folder_id(folder)
    assert unitrows.units_of((files, plain), folder, where, key, "kickoff") is not None
    tag, (message_key, row) = next(iter(plain.items()))
    outputs, parts, log = list(row[0]), list(row[6]), row[9]
    (of_outputs, indices), (of_cards, card_indices) = row[7], row[8]
    of_outputs, indices, of_cards = list(of_outputs), list(indices), list(of_cards)
    if damage == "part past the last":
        of_outputs[0] = len(parts)
    elif damage == "part below zero":  # (would be the last)
        of_outputs[0] = -1
    elif damage == "index below zero":
        indices[0] = -1
    elif damage == "index as a float":  # equal to an index, yet not one
        indices[0] = float(indices[0])
    elif damage == "one place short":
        of_outputs, indices = of_outputs[:-1], indices[:-1]
    elif damage == "fields past its part's":
        at = bodies.FIELDS_AT
        outputs[0] = (*outputs[0][:at], parts[of_outputs[0]][3], *outputs[0][at + 1 :])
    elif damage == "look-ups in no file":
        log = (len(files), log[1])
    elif damage == "card in no part":
        of_cards[0] = len(parts)
    elif damage == "no part":
        parts = []
    elif damage == "part of no fields":
        parts[0] = (*parts[0][:3], -1)
    at: Any = (tuple(of_outputs), tuple(indices))
    if damage == "places as a list":
        at = (list(of_outputs), tuple(indices))
    elif damage == "outputs' places none":  # (would read them all from its first part)
        at = None
    cards_at: Any = (tuple(of_cards), card_indices)
    if damage == "cards' places none":
        cards_at = None
    damaged = (tuple(outputs), *row[1:6], tuple(parts), at, cards_at, log)
    shard = (files, {**plain, tag: (message_key, damaged)})
    assert unitrows.units_of(shard, folder, where, key, "kickoff") is None


def test_an_index_past_its_part_is_rendered_again(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, in_parts: Path
) -> None:
    """An index past what its part holds (the shard cannot tell) is found when read."""
    folder = in_parts
    key, (files, plain) = _shard(folder)
    bad = {}
    for tag, (message_key, row) in plain.items():
        of_outputs, indices = row[7]
        far = (of_outputs, tuple(index + 1000 for index in indices))
        bad[tag] = (message_key, (*row[:7], far, *row[8:]))
    sealed.write_sealed(folder / "kickoff.units", key, (files, bad))
    assert unitrows.units_of((files, bad), folder, sealed.folder_id(folder), key, "kickoff")
    (small_repo / "dist" / "2026.zip").unlink()  # the zip written whole reads every output
    cli_invoke(["build", "--repo", str(small_repo)], env=EPOCH)
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)
    assert unitcache.open_cache(small_repo / "dist", "2026", key).units["kickoff"]
    assert _shard(folder)[1][1] != bad  # its units rendered again


def test_each_output_reads_its_fields_from_its_own_part_s_table(tmp_path: Path) -> None:
    """Parts with tables of different sizes: a place valid in another part's table but not
    in its own is a miss; a valid one reads its own part's fields."""
    one = ((("title", Translated("One", "en")),),)
    two = ((("title", Translated("Two", "en")),), (("title", Translated("Three", "en")),))

    def made(path: str, fields: Any) -> Output:
        return Output("m", "en", "x", path, path.encode(), True, fields=fields)

    first = unitrows._new_part([made("a", one[0])], [])
    second = unitrows._new_part([made("b", two[0]), made("c", two[1])], [])
    assert (first[2], second[2]) == (1, 2)
    key, where = "key", sealed.folder_id(tmp_path)
    written, spans, cards, logs = unitrows.write_bodies(
        tmp_path, "m", key, [first[1], second[1]], [sealed.packed(())]
    )
    kept = [bodies.Bodies(written.path, written.checksum, where, key, "m")]
    assert kept[0].intact()
    rows = (first[0][0], second[0][1])  # "a" in the first part, "c" (fields 1) in the second
    parts = ((0, spans[0], cards[0], 1), (0, spans[1], cards[1], 2))

    def row(outputs: Any, at: Any) -> tuple[Any, ...]:
        return (outputs, (None,) * 2, (), ("{}",) * 2, None, (), parts, at, None, (0, logs[0]))

    unit = unitrows.unit_of(row(rows, ((0, 1), (0, 1))), kept)
    assert [(o.path, o.content, o.fields) for o in unit.outputs] == [
        ("a", b"a", one[0]),
        ("c", b"c", two[1]),
    ]
    # "c"'s place in its table (1) in the first part, whose table holds one
    with pytest.raises(ValueError, match="not a unit's outputs"):
        unitrows.unit_of(row(rows, ((0, 0), (0, 1))), kept)
