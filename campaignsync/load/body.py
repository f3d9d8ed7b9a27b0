"""A message's Markdown body: split from the front matter, into translatable blocks, checked.

The checks are on the text itself: a body too large or too slow to render safely
(CS021), and text still as ``campaignsync new`` wrote it (CS024).
"""

from __future__ import annotations

import re
from typing import Any

from campaignsync.load import yamlfile
from campaignsync.load.findings import Findings
from campaignsync.model import Block, Severity

MAX_BODY_BYTES = 32 * 1024
#: Python-Markdown's link parser is quadratic in unmatched brackets.
MAX_BRACKETS = 400

WARNING = Severity.WARNING
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_ITEM = re.compile(r"^([ ]{0,12})([-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^[ ]{0,3}>[ ]?(.*)$")


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter, body, first body line); raise ValueError with a line."""
    lines = text.split("\n")
    if lines[0].rstrip("\r") != "---":
        raise yamlfile.YamlError("a message must start with a '---' line and front matter", 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r") in ("---", "..."):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, body, index + 2
    raise yamlfile.YamlError("the front matter has no closing '---' line", 1)


def parse_body(body: str, first_line: int) -> tuple[Block, ...]:
    """Split a Markdown body into blocks; inline markup stays inside each block's text.

    Each block starts a new group, except a list item right after another item.
    """
    lines = body.split("\n")
    blocks: list[Block] = []
    index = 0
    previous_blank = True
    while index < len(lines):
        raw = lines[index].rstrip("\r")
        if not raw.strip():
            previous_blank, index = True, index + 1
            continue
        group = (blocks[-1].group if blocks else 0) + 1
        line_no = first_line + index
        if fence := _FENCE.match(raw):
            text, index = _fenced(lines, index, fence.group(1))
            blocks.append(Block("code", "", text, line_no, group))
        elif previous_blank and raw.startswith("    "):
            text, index = _indented(lines, index)
            blocks.append(Block("code", "", text, line_no, group))
        elif m := _HEADING.match(raw):
            blocks.append(Block("heading", m.group(1) + " ", m.group(2).strip(), line_no, group))
            previous_blank, index = True, index + 1
            continue
        elif m := _ITEM.match(raw):
            if not previous_blank and blocks[-1].kind == "item":
                group -= 1
            text, index = _item(lines, index, m.group(3))
            blocks.append(Block("item", f"{m.group(1)}{m.group(2)} ", text, line_no, group))
        else:
            kind = "quote" if _QUOTE.match(raw) else "paragraph"
            text, index = _paragraph(lines, index, kind)
            blocks.append(Block(kind, "> " if kind == "quote" else "", text, line_no, group))
        previous_blank = False
    return tuple(blocks)


def _fenced(lines: list[str], index: int, fence: str) -> tuple[str, int]:
    """Return a fenced code block from ``index`` (fences included) and the line after it."""
    end = index + 1
    while end < len(lines) and not lines[end].rstrip("\r").lstrip().startswith(fence):
        end += 1
    return "\n".join(line.rstrip("\r") for line in lines[index : end + 1]), end + 1


def _indented(lines: list[str], index: int) -> tuple[str, int]:
    """Return an indented code block from ``index`` and the line after it."""
    end = index
    while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
        end += 1
    while end > index and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[index:end]), end


def _item(lines: list[str], index: int, first: str) -> tuple[str, int]:
    """Return a list item's text (its lines joined) and the line after it."""
    parts = [first.strip()]
    index += 1
    while index < len(lines):
        nxt = lines[index].rstrip("\r")
        if not nxt.strip() or _ITEM.match(nxt) or _HEADING.match(nxt) or _FENCE.match(nxt):
            break
        parts.append(nxt.strip())
        index += 1
    return " ".join(parts), index


def _paragraph(lines: list[str], index: int, kind: str) -> tuple[str, int]:
    """Return a paragraph's or quote's text (its lines joined) and the line after it."""
    parts: list[str] = []
    while index < len(lines):
        nxt = lines[index].rstrip("\r")
        if not nxt.strip() or (
            parts and (_HEADING.match(nxt) or _FENCE.match(nxt) or _ITEM.match(nxt))
        ):
            break
        if kind == "quote":
            q = _QUOTE.match(nxt)
            nxt = q.group(1) if q else nxt
        parts.append(nxt.strip())
        index += 1
    return " ".join(parts), index


def join_body(blocks: tuple[Block, ...], texts: tuple[str, ...]) -> str:
    """Reassemble Markdown from blocks and (translated) block texts."""
    out: list[str] = []
    last_group = None
    for block, text in zip(blocks, texts, strict=True):
        if out:
            out.append("\n" if block.group == last_group else "\n\n")
        out.append(block.prefix + text)
        last_group = block.group
    return "".join(out) + "\n" if out else ""


def check_body(body: str, first_line: int, found: Findings) -> None:
    """Record CS021 for a body too large, or with markup too slow or unsafe to render."""
    size = len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        found.at(
            "CS021",
            first_line,
            f"the body is {size // 1024} KiB; the limit is {MAX_BODY_BYTES // 1024} KiB",
        )
    for number, line in enumerate(body.split("\n"), start=first_line):
        if "<![" in line:
            found.at("CS021", number, "'<![' (CDATA) cannot be rendered safely; remove it")
            break
    if body.count("[") > MAX_BRACKETS:
        found.at(
            "CS021",
            first_line,
            f"more than {MAX_BRACKETS} '[' in the body: too slow to render safely",
        )


#: Markdown that other editors read and the one the outputs use does not: each shows as
#: text (its pipes, its ``1)``), or as a heading on the web and as written in the posts.
#: By the kind of block it is read as here, and the pattern of its marker and text.
_UNREAD = (
    ("paragraph", re.compile(r"^\|[^\n]*\|\s+\|?\s*:?-{3,}"), "a table: Markdown here has no "
     "tables, so its rows show as text with their | and ---; write a list"),
    ("item", re.compile(r"^\d{1,9}\)"), "a list numbered '1)': Markdown here reads only '1.', so "
     "the web page and the email show it as one paragraph; write 1. 2. 3."),
    ("paragraph", re.compile(r"^#{1,6}[^#\s]"), "a line that starts with '#' and no space: the "
     "web page and the email show it as a heading (without the #), the posts as written; for a "
     "heading write '## Heading', for a hashtag start the line with a word"),
)  # fmt: skip


def check_blocks(data: dict[str, Any], blocks: tuple[Block, ...], found: Findings) -> None:
    """Record the warnings of a message's text: placeholders left, Markdown not read."""
    check_placeholders(data, blocks, found)
    check_markdown(blocks, found)


def check_markdown(blocks: tuple[Block, ...], found: Findings) -> None:
    """Record CS025 (a warning) for Markdown that the outputs do not read as it was meant.

    Once per kind and group of blocks (a list's items are one).
    """
    told: set[tuple[str, int]] = set()
    for block in blocks:
        for kind, pattern, what in _UNREAD:
            if block.kind == kind and pattern.search(block.prefix + block.text):
                if (what, block.group) not in told:
                    told.add((what, block.group))
                    found.at("CS025", block.line, f"the body has {what}", WARNING)
                break


#: What ``campaignsync new`` writes for the author to replace (a warning until replaced).
PLACEHOLDER_TITLE = "New message: "
PLACEHOLDER_SUMMARY = "One or two short sentences: the post text on social networks."
PLACEHOLDER_BODY = "Write the message here, in plain language"


def check_placeholders(data: dict[str, Any], blocks: tuple[Block, ...], found: Findings) -> None:
    """Record CS024 (a warning) for a title, summary or body still as ``new`` wrote it."""
    title, summary = data.get("title"), data.get("summary")
    still = "is still the placeholder 'campaignsync new' wrote: write your own"
    if isinstance(title, str) and title.startswith(PLACEHOLDER_TITLE):
        found.add("CS024", "title", f"the title {still}", WARNING)
    if summary == PLACEHOLDER_SUMMARY:
        found.add("CS024", "summary", f"the summary {still}", WARNING)
    for block in blocks:
        if block.text.startswith(PLACEHOLDER_BODY):
            found.at("CS024", block.line, f"the body {still}", WARNING)
