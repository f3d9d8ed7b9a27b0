"""What the gallery shows of a build, gathered in one pass: as plain comprehensions find it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import CliInvoke
from test_shards import EPOCH, _clean, _folder, _pack, _retitle

from campaignsync import pipeline
from campaignsync.load.project import load_project
from campaignsync.model import Output
from campaignsync.pack import gallery, shown


def _drawn(repo: Path) -> tuple[list[Output], dict[str, gallery.Drawn]]:
    project, _ = load_project(repo)
    assert project is not None
    rendered = pipeline.render_selection(project, pipeline.select(project, "2026", (), ()))
    outputs = list(rendered.outputs)
    drawn: dict[str, gallery.Drawn] = {}
    dict(gallery.pages(project, "2026", outputs, rendered.lookups, (), drawn))
    return outputs, drawn


def test_one_pass_over_the_outputs_finds_what_each_pass_found(small_repo: Path) -> None:
    outputs, _ = _drawn(small_repo)
    at = next(i for i, o in enumerate(outputs) if o.measure is not None)
    measure = outputs[at].measure
    assert measure is not None
    outputs[at] = replace(outputs[at], measure=replace(measure, length=measure.limit + 1))
    seen = shown.scan(outputs)
    assert seen.units == {(o.locale, o.message) for o in outputs}
    assert seen.paths == {o.path for o in outputs}
    assert seen.emails == [o for o in outputs if o.channel == "email" and o.path.endswith(".html")]
    assert seen.over == [o for o in outputs if o.measure and o.measure.exceeded]
    assert seen.emails and seen.over == [outputs[at]]


def test_cards_are_grouped_by_unit_whatever_their_order_stale_ones_left_out(
    small_repo: Path,
) -> None:
    outputs, drawn = _drawn(small_repo)
    paths = {o.path for o in outputs}
    messages = {o.message: None for o in outputs}
    plain: dict[tuple[str, str], list[gallery.Drawn]] = {}
    for card in drawn.values():
        plain.setdefault((card.locale, card.message), []).append(card)
    expected = shown.in_order({unit: list(cards) for unit, cards in plain.items()})
    assert shown.by_unit(shown.cards_by_unit(drawn, paths, messages)) == expected
    # A unit's cards in two runs, a card of an output no longer built, a message not shown:
    # each unit's cards come in channel order all the same.
    cards = list(drawn.values())
    stale = replace(cards[0], path="en/x/gone.txt")
    mixed = {c.path: c for c in [*cards[1::2], stale, *cards[::2]]}
    assert shown.by_unit(shown.cards_by_unit(mixed, paths, messages)) == expected
    gone = cards[0].message
    fewer = {m: None for m in messages if m != gone}
    assert shown.by_unit(shown.cards_by_unit(mixed, paths, fewer)) == {
        unit: cards for unit, cards in expected.items() if unit[1] != gone
    }


def test_a_messages_key_changes_with_any_of_its_cards_and_no_other_messages(
    small_repo: Path,
) -> None:
    _, drawn = _drawn(small_repo)
    made = shown.in_order(
        shown.cards_by_unit(drawn, set(drawn), {c.message: 1 for c in drawn.values()})
    )
    keyed = shown.message_keys(made)
    (tag, message), cards = next(iter(made.items()))
    for change in ({"digest": "another"}, {"title": "Another"}, {"direction": "rtl"}):
        first = replace(cards[0], **change)  # type: ignore[arg-type]
        again = shown.message_keys({**made, (tag, message): [first, *cards[1:]]})
        assert again[message] != keyed[message]
        assert {m: k for m, k in again.items() if m != message} == {
            m: k for m, k in keyed.items() if m != message
        }


def test_the_passes_with_messages_taken_whole_find_what_they_find_without(
    small_repo: Path,
) -> None:
    """Two messages taken whole (their outputs in unit order, not by path), one unit of
    one of them without cards (rendered for ``check`` only, drawn by the gallery): what
    the passes find, then find kept, is what one pass over everything finds."""
    outputs, drawn = _drawn(small_repo)
    messages = {o.message: object() for o in outputs}
    lost = next(c for c in drawn.values() if c.message == sorted(messages)[0])
    unit = (lost.locale, lost.message)
    known = {p: c for p, c in drawn.items() if (c.locale, c.message) != unit}
    wholes: list[Any] = []
    for message in sorted(messages)[:2]:
        mine = sorted((o for o in outputs if o.message == message), key=lambda o: o.channel)
        tags = sorted({o.locale for o in mine})
        units = [  # each unit's cards in any order: the pages show them by channel
            SimpleNamespace(outputs=tuple(o for o in mine if o.locale == tag),
                            drawn=tuple(c for p, c in sorted(known.items(), reverse=True)
                                        if (c.locale, c.message) == (tag, message)))
            for tag in tags
        ]  # fmt: skip
        wholes.append(SimpleNamespace(message_id=message, tags=tuple(tags), units=tuple(units),
                                      outputs=tuple(mine), shown=shown.Found()))  # fmt: skip
    plain = shown.scan(outputs)
    want = shown.in_order(shown.cards_by_unit(drawn, plain.paths, messages))
    keys = shown.message_keys(want)
    taken = {w.message_id for w in wholes}
    for _ in range(2):  # found, then kept
        seen = shown.scan(outputs, wholes)
        assert seen.units == plain.units
        assert seen.paths == {o.path for o in outputs if o.message not in taken}  # the others'
        assert seen.emails == plain.emails and seen.over == plain.over  # in path order
        made = shown.cards_by_unit(known, seen.paths, messages, wholes)
        assert unit not in made
        made[unit] = [c for c in drawn.values() if (c.locale, c.message) == unit]  # drawn
        made = shown.in_order(made)
        assert made == want
        assert shown.message_keys(made, wholes) == keys
    assert [w.shown.key for w in wholes] == [shown.NO_KEY, keys[wholes[1].message_id]]


def test_the_gallery_goes_over_the_outputs_and_cards_of_messages_taken_whole_once(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``preview`` building again: what the gallery reads of a message taken whole from the
    render cache (its units, email copies and posts over a limit, its cards by locale and
    their key) is found once, then kept with it; the pages are a clean build's."""
    read: list[str] = []
    scanned, grouped, keyed = shown._scanned, shown._grouped, shown._keys
    whole_scanned, cards_of = shown._scanned_whole, shown._cards_of

    def scanning(outputs: Any) -> shown.Scan:
        mine = list(outputs)
        read.extend(o.message for o in mine)
        return scanned(mine)

    def grouping(cards: Any, messages: Any) -> Any:
        mine = list(cards)
        read.extend(c.message for c in mine)
        return grouped(mine, messages)

    def scanning_whole(whole: Any) -> shown.Scan:
        read.append(whole.message_id)
        return whole_scanned(whole)

    def cards_of_whole(whole: Any, messages: Any) -> Any:
        read.append(whole.message_id)
        return cards_of(whole, messages)

    def keying(made: Any) -> Any:
        read.extend(message for _, message in made)
        return keyed(made)

    monkeypatch.setattr(shown, "_scanned", scanning)
    monkeypatch.setattr(shown, "_grouped", grouping)
    monkeypatch.setattr(shown, "_keys", keying)
    monkeypatch.setattr(shown, "_scanned_whole", scanning_whole)
    monkeypatch.setattr(shown, "_cards_of", cards_of_whole)
    build = ["build", "--repo", str(small_repo)]
    messages = set()
    for n, title in enumerate(["Once", "Twice", "Thrice"]):
        if n == 0:
            cli_invoke(build, env=EPOCH)
            messages = {p.stem for p in _folder(small_repo).glob("*.units")}
        read.clear()
        _retitle(small_repo, "kickoff", title)
        cli_invoke(build, env=EPOCH)
        if n == 0:  # taken whole for the first time: found
            assert set(read) == messages
        else:  # the others' kept
            assert set(read) == {"kickoff"}
    monkeypatch.undo()
    assert _pack(small_repo / "dist") == _clean(cli_invoke, small_repo, tmp_path)


def test_outputs_by_message_known_apart_are_those_found_among_all(small_repo: Path) -> None:
    """The outputs of the messages taken whole are taken as they are, the others' found among
    the rest: each message's outputs, in path order, as found among every output."""
    from campaignsync.pack.outputkeys import ByMessage

    outputs, _ = _drawn(small_repo)
    messages = sorted({o.message for o in outputs})
    whole = {m: [o for o in outputs if o.message == m][::-1] for m in messages[:2]}
    rest = [o for o in outputs if o.message not in whole][::-1]
    every = ByMessage(outputs, {})
    for asked in (messages, messages[::-1], messages[1:2], messages[-1:]):
        apart = ByMessage(outputs, {}, apart=whole, rest=rest)
        for message in asked:
            assert apart.of(message) == every.of(message), message
        assert apart.of("none") == every.of("none") == []
