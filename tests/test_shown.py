"""What the gallery shows of a build, gathered in one pass: as plain comprehensions find it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

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
    assert shown.in_order(shown.cards_by_unit(drawn, paths, messages)) == expected
    # A unit's cards in two runs, a card of an output no longer built, a message not shown.
    cards = list(drawn.values())
    stale = replace(cards[0], path="en/x/gone.txt")
    mixed = {c.path: c for c in [*cards[1::2], stale, *cards[::2]]}
    assert shown.in_order(shown.cards_by_unit(mixed, paths, messages)) == expected
    gone = cards[0].message
    fewer = {m: None for m in messages if m != gone}
    assert shown.in_order(shown.cards_by_unit(mixed, paths, fewer)) == {
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
