"""What changed between two revisions, for people: plain text, Markdown or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from campaignsync.commands.changes import Changes, MessageChange, SourceChange

_UNREADABLE_TEXT = {
    "before": "earlier version unreadable",
    "after": "new version unreadable",
    "both": "unreadable in both versions",
}


def describe(change: MessageChange) -> str:
    """Return, for people, what changed in a message: fields and blocks, or what was unreadable."""
    if change.unreadable:
        return _UNREADABLE_TEXT[change.unreadable] if change.change == "changed" else "unreadable"
    return ", ".join(change.fields)


def to_json(changes: Changes) -> str:
    """Return the changes as a JSON document."""
    return json.dumps(asdict(changes), ensure_ascii=False, indent=1) + "\n"


def to_text(changes: Changes, markdown: bool = False) -> str:
    """Return the changes as plain text, or as Markdown for release notes."""
    lines: list[str] = []
    heading = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    code = "`" if markdown else ""
    lines.append(f"{'# ' if markdown else ''}Changes from {changes.since} to {changes.until}")
    if changes.empty:
        return "\n".join([*lines, "", "Nothing changed."]) + "\n"
    if changes.messages:
        lines += ["", f"{heading}Messages"]
        for m in changes.messages:
            text = describe(m)
            lines.append(
                f"{bullet}{m.change} {code}{m.id}{code} ({m.path}){': ' if text else ''}{text}"
            )
    if changes.calendar:
        lines += ["", f"{heading}Calendar"]
        for c in changes.calendar:
            detail = f": {', '.join(c.fields)}" if c.fields else ""
            lines.append(f"{bullet}{c.change} {c.kind} {code}{c.id}{code}{detail}")
    if changes.sources:
        count = len(changes.sources)
        lines += [
            "",
            f"{heading}Text to translate ({count} catalog entr{'y' if count == 1 else 'ies'})",
        ]
        lines += [_source_line(s, bullet, code, markdown) for s in changes.sources]
    if changes.stale:
        lines += ["", f"{heading}Stale translations ({len(changes.stale)})"]
        lines += [
            f"{bullet}{s.file}:{s.line}: {code}{s.context}{code} [{s.locale}] is older than "
            f"its source ({s.source})"
            for s in changes.stale
        ]
    return "\n".join(lines) + "\n"


def _source_line(change: SourceChange, bullet: str, code: str, markdown: bool) -> str:
    """Return a changed segment with its old and new text, word by word."""
    from campaignsync.commands import worddiff

    head = f"{bullet}{change.change} {code}{change.context}{code}"
    diff = worddiff.markdown if markdown else worddiff.plain
    shown = diff(change.old or "", change.new or "")
    return f"{head}: {shown}" if markdown else f"{head}\n      {shown}"
