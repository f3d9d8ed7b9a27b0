"""Word diffs of changed source text, for the terminal and for release notes."""

from __future__ import annotations

import pytest

from campaignsync.commands import worddiff


@pytest.mark.parametrize(
    ("old", "new", "plain", "markdown"),
    [
        pytest.param(
            "Joint Cyber Awareness Month starts today",
            "Joint Cyber Month starts now",
            "Joint Cyber[- Awareness-] Month starts [-today-]{+now+}",
            "Joint Cyber ~~Awareness~~ Month starts ~~today~~**now**",
            id="words-removed-and-replaced",
        ),
        pytest.param("", "New text.", "{+New text.+}", "**New text.**", id="added"),
        pytest.param("Old.", "", "[-Old.-]", "~~Old.~~", id="removed"),
        pytest.param("Same", "Same", "Same", "Same", id="unchanged"),
        pytest.param(
            "Use *two* steps",
            "Use *three* steps",
            "Use *[-two-]{+three+}* steps",
            r"Use \*~~two~~**three**\* steps",
            id="markdown-in-the-text-is-escaped",
        ),
    ],
)
def test_word_diff(old: str, new: str, plain: str, markdown: str) -> None:
    assert worddiff.plain(old, new) == plain
    assert worddiff.markdown(old, new) == markdown


def test_runs_rebuild_both_texts() -> None:
    old, new = "Spot the red flags, then report.", "Spot red flags and report them!"
    runs = worddiff.words(old, new)
    assert "".join(t for op, t in runs if op != "+") == old
    assert "".join(t for op, t in runs if op != "-") == new
