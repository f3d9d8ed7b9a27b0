"""How a count reads in a message: "1 problem", "2 problems", never "1 problem(s)"."""

from __future__ import annotations


def counted(n: int, word: str, words: str | None = None) -> str:
    """Return ``n`` and ``word`` in agreement: ``1 commit``, ``0 commits``, ``2 entries``.

    ``words`` is the plural when it is not ``word`` + "s".
    """
    return f"{n} {word if n == 1 else words or word + 's'}"
