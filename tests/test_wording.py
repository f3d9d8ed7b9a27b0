"""Counts in messages agree with their noun: "1 problem", "2 problems", never "1 problem(s)"."""

from __future__ import annotations

import pytest

from campaignsync.wording import closest, counted


@pytest.mark.parametrize(
    ("n", "word", "words", "text"),
    [
        pytest.param(1, "problem", None, "1 problem", id="one"),
        pytest.param(0, "problem", None, "0 problems", id="none"),
        pytest.param(2, "new commit", None, "2 new commits", id="two"),
        pytest.param(1, "entry", "entries", "1 entry", id="irregular-one"),
        pytest.param(3, "entry", "entries", "3 entries", id="irregular-many"),
    ],
)
def test_counted(n: int, word: str, words: str | None, text: str) -> None:
    assert counted(n, word, words) == text


@pytest.mark.parametrize(
    ("word", "cutoff", "found"),
    [
        pytest.param("dee", 0.6, "de", id="near-miss"),
        pytest.param("xyz", 0.6, None, id="nothing-near"),
        pytest.param("twiter", 0.8, "twitter", id="strict-cutoff"),
        pytest.param("twtr", 0.8, None, id="too-far-for-strict"),
    ],
)
def test_closest(word: str, cutoff: float, found: str | None) -> None:
    assert closest(word, iter(["de", "fr", "twitter"]), cutoff) == found
