"""Merging only what changed gives exactly what a whole merge gives, on random catalogs and edits."""

from __future__ import annotations

import random

import pytest

from campaignsync.l10n import podelta, pomerge
from campaignsync.l10n.pomerge import Entry

CONTEXTS = [None, "m1|title", "m1|summary", "m2|title", "m2|body.1"]
TEXTS = ["Lock it", "Update now", "Phish", "Back up", "Lock it %(n)s"]
FLAGS = ["fuzzy", "python-format", "no-python-format", "c-format", "wrap"]


def _string(rng: random.Random, plural: bool) -> object:
    if rng.random() < 0.3:
        return ("", "") if plural and rng.random() < 0.5 else ""
    if plural or rng.random() < 0.1:
        return tuple(rng.choice(["Eins", "Zwei", ""]) for _ in range(rng.randint(1, 3)))
    return rng.choice(["Sperren", "Aktualisieren", "Sichern"])


def _entry(rng: random.Random, key: tuple[str | None, str] | None = None) -> Entry:
    context, text = key or (rng.choice(CONTEXTS), rng.choice(TEXTS))
    plural = rng.random() < 0.15
    source: object = (text, text + "s") if plural else text
    return Entry(
        context,
        source,
        _string(rng, plural),
        tuple(sorted(rng.sample(FLAGS, rng.randint(0, 2)))),
        tuple((f"content/m{rng.randint(1, 2)}.md", rng.randint(1, 9)) for _ in range(2)),
        tuple(rng.sample(["Headline", "Limits: X: 280"], rng.randint(0, 1))),
        tuple(rng.sample(["checked"], rng.randint(0, 1))),
        tuple(rng.sample(["Lock it"], rng.randint(0, 1))),
    )


def _aligned(rng: random.Random, pot: Entry) -> Entry:
    """Return an entry of the POT entry's key, as the POT has it or not quite."""
    e = _entry(rng, pomerge.key_of(pot))._replace(id=pot.id)
    if rng.random() < 0.5:
        e = e._replace(locations=pot.locations, auto_comments=pot.auto_comments)
    return e


def _template(rng: random.Random, size: int) -> list[Entry]:
    found: dict[tuple[str | None, str], Entry] = {}
    for _ in range(size):
        e = _entry(rng)
        e = e._replace(string="", user_comments=(), previous_id=())
        found.setdefault(pomerge.key_of(e), e)
    return list(found.values())


def _edited(rng: random.Random, template: list[Entry]) -> list[Entry]:
    """Return the POT after a few edits: text, place, flags or comments changed, entries gone or new."""
    new = list(template)
    for _ in range(rng.randint(0, 4)):
        if not new:
            break
        p = rng.randrange(len(new))
        what = rng.choice(["text", "place", "flags", "comment", "drop", "add", "move"])
        e = new[p]
        if what == "text":
            new[p] = e._replace(id=rng.choice(TEXTS))
        elif what == "place":
            new[p] = e._replace(locations=(("content/m3.md", rng.randint(1, 9)),))
        elif what == "flags":
            new[p] = e._replace(flags=tuple(sorted(rng.sample(FLAGS[1:], rng.randint(0, 2)))))
        elif what == "comment":
            new[p] = e._replace(auto_comments=("Limits: SMS: 2 segment(s)",))
        elif what == "drop":
            del new[p]
        elif what == "add":
            new.insert(p, _entry(rng)._replace(string="", user_comments=(), previous_id=()))
        else:
            new.append(new.pop(p))
    unique: dict[tuple[str | None, str], Entry] = {}
    for e in new:
        unique.setdefault(pomerge.key_of(e), e)
    return list(unique.values())


@pytest.mark.parametrize("seed", range(300))
def test_merging_what_changed_is_a_whole_merge(seed: int) -> None:
    rng = random.Random(seed)
    plurals = rng.randint(1, 3)
    template = _template(rng, rng.randint(0, 14))
    old = [_entry(rng) for _ in range(rng.randint(0, 10))]
    obsolete = [_entry(rng) for _ in range(rng.randint(0, 4))]
    entries, gone = pomerge.merge_entries(template, old, obsolete, plurals)
    if seed % 2:  # as read whole, or kept by an older update: entries that need a look
        entries = [_aligned(rng, e) for e in template]
    unfixed = podelta.unfixed(template, entries, plurals, range(len(entries)))
    for _ in range(4):  # one update after another, each from what the last one kept
        new = _edited(rng, template)
        change = podelta.change(template, new)
        assert change is not None
        whole = pomerge.merge_entries(new, entries, gone, plurals)
        delta = podelta.merge(change, entries, gone, unfixed, plurals)
        assert (delta.entries, delta.gone) == whole
        counts = podelta.recount(change, pomerge.tally(entries), entries, delta)
        assert counts == pomerge.tally(delta.entries)
        # The positions not merged again merge into themselves: only the others need a look.
        every = podelta.unfixed(new, delta.entries, plurals, range(len(new)))
        assert podelta.unfixed(new, delta.entries, plurals, delta.merged) == every
        template, entries, gone, unfixed = new, delta.entries, delta.gone, every


def test_a_template_that_repeats_a_key_has_no_change() -> None:
    e = Entry("m1|title", "Lock it", "", (), (), (), (), ())
    assert podelta.change([e, e], [e]) is None
    assert podelta.change([e], [e, e]) is None
