"""Stage 1: a campaign repository read into a Project; nothing rendered yet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from campaignsync.errors import DiagnosticsError
from campaignsync.load import calendarfile, content, parsed
from campaignsync.load.config import load_config
from campaignsync.model import Diagnostic, Message, Project, Severity

#: What else a Markdown file may be called: a message so named would not be read.
_MARKDOWN = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})


def message_files(root: Path, messages_rel: str, others: list[str] | None = None) -> Iterator[str]:
    """Yield ``content/messages/<campaign>/<id>.md`` paths from the root, sorted.

    ``others`` gets the Markdown files named otherwise (``x.markdown``, ``x.MD``).
    """
    folder = root / messages_rel
    if not folder.is_dir():
        return
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if name.endswith(".md"):
                yield (Path(dirpath) / name).relative_to(root).as_posix()
            elif others is not None and Path(name).suffix.lower() in _MARKDOWN:
                others.append((Path(dirpath) / name).relative_to(root).as_posix())


def load_project(root: Path) -> tuple[Project | None, tuple[Diagnostic, ...]]:
    """Read config, calendar and messages; return the project and every finding.

    The project is None only when the config itself is unusable. Messages
    with errors are left out of the project and reported.
    """
    config, found = load_config(root)
    findings = list(found)
    if config is None:
        return None, tuple(findings)
    calendar_rel = f"{config.paths.content}/calendar.yaml"
    partner_ids = tuple(p.id for p in config.partners)
    cal, problems = calendarfile.read_calendar(root, calendar_rel, partner_ids)
    findings.extend(problems)
    findings.extend(content.default_campaign_problems(root, config, cal))
    messages: list[Message] = []
    first_seen: dict[str, str] = {}
    messages_rel = f"{config.paths.content}/messages"
    memo = parsed.open_memo(root, config, cal)
    parse = None if memo is None else memo.parse
    misnamed: list[str] = []
    for rel in message_files(root, messages_rel, misnamed):
        message, problems = content.read_message(root, rel, messages_rel, config, cal, parse)
        findings.extend(problems)
        if message is None:
            continue
        if message.id in first_seen:
            findings.append(
                Diagnostic(
                    "CS016",
                    Severity.ERROR,
                    f"id {message.id!r} is already used by {first_seen[message.id]}",
                    rel,
                    message.line_of("id"),
                )
            )
            continue
        first_seen[message.id] = rel
        messages.append(message)
    findings.extend(map(content.misnamed, misnamed))
    if memo is not None:
        memo.save()
    digested = tuple(memo.digests) if memo is not None else ()
    keep = memo.save if memo is not None and memo.later else None  # no output folder yet
    return Project(root, config, cal, tuple(messages), digested, keep), tuple(findings)


def require_project(
    root: Path, outcome: str = "nothing was written"
) -> tuple[Project, tuple[Diagnostic, ...]]:
    """Return the project and its warnings; raise DiagnosticsError on any error.

    ``outcome``: what the command did not do for them (a command that only shows: "nothing
    is shown until they are fixed").
    """
    project, found = load_project(root)
    if project is None or any(d.is_error for d in found):
        raise DiagnosticsError(found, outcome)
    return project, found


#: What a command that only shows what it reads did not do, when the project has errors.
SHOWN_NOTHING = "nothing is shown until they are fixed"
