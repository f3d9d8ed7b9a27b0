"""Old and new text side by side, word by word, as release notes and terminals show it."""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def words(old: str, new: str) -> list[tuple[str, str]]:
    """Return (op, text) runs from ``old`` to ``new``: op is "=", "-" (removed) or "+" (added).

    Words, spaces and punctuation are compared as units, so a changed word shows
    as that word removed and its replacement added, not as a run of letters.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("=", "".join(a[a1:a2])))
            continue
        if tag in ("replace", "delete"):
            runs.append(("-", "".join(a[a1:a2])))
        if tag in ("replace", "insert"):
            runs.append(("+", "".join(b[b1:b2])))
    return runs


def plain(old: str, new: str) -> str:
    """Return a word diff as git's ``--word-diff=plain``: ``[-removed-]{+added+}``."""
    marks = {"=": ("", ""), "-": ("[-", "-]"), "+": ("{+", "+}")}
    return "".join(f"{marks[op][0]}{text}{marks[op][1]}" for op, text in words(old, new))


def markdown(old: str, new: str) -> str:
    """Return a word diff for Markdown: removed words struck through, added ones in bold."""
    out = []
    for op, text in words(old, new):
        if op == "=" or not text.strip():
            out.append(_escape(text))
        else:
            core = text.strip()
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            mark = "~~" if op == "-" else "**"
            out.append(f"{lead}{mark}{_escape(core)}{mark}{trail}")
    return "".join(out)


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_~\[\]<>|])", r"\\\1", text)
