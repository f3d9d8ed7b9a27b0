"""Counts in messages agree with their noun: "1 problem", "2 problems", never "1 problem(s)"."""

from __future__ import annotations

import pytest

from campaignsync.wording import counted


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
