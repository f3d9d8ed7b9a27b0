"""How a message reads: a count ("1 problem", "2 problems", never "1 problem(s)"), a near miss."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def counted(n: int, word: str, words: str | None = None) -> str:
    """Return ``n`` and ``word`` in agreement: ``1 commit``, ``0 commits``, ``2 entries``.

    ``words`` is the plural when it is not ``word`` + "s".
    """
    return f"{n} {word if n == 1 else words or word + 's'}"


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """Return the choice a mistyped ``word`` most likely means (the did-you-mean hints), or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return close[0] if close else None
