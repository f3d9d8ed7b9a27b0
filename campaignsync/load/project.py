"""Stage 1: a campaign repository read into a Project; nothing rendered yet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from campaignsync.errors import DiagnosticsError
from campaignsync.load import calendarfile as calendar
from campaignsync.load import content
from campaignsync.load.config import CONFIG_NAME, did_you_mean, line_of, load_config
from campaignsync.model import Calendar, Diagnostic, Message, Project, Severity
from campaignsync.paths import read_text


def message_files(root: Path, messages_rel: str) -> Iterator[str]:
    """Yield ``content/messages/<campaign>/<id>.md`` paths from the root, sorted."""
    folder = root / messages_rel
    if not folder.is_dir():
        return
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                yield (Path(dirpath) / name).relative_to(root).as_posix()


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
    try:
        partner_ids = tuple(p.id for p in config.partners)
        cal, problems = calendar.load_calendar(
            calendar_rel, read_text(root, calendar_rel), partner_ids
        )
        findings.extend(problems)
    except ValueError as exc:
        cal = Calendar(calendar_rel)
        findings.append(Diagnostic("CS040", Severity.ERROR, str(exc), calendar_rel, 1))
    wanted = config.default_campaign
    if wanted and cal.campaigns and cal.campaign(wanted) is None:
        known = [c.id for c in cal.campaigns]
        findings.append(
            Diagnostic(
                "CS020",
                Severity.ERROR,
                f"default_campaign {wanted!r} is not a campaign in {calendar_rel}"
                f"{did_you_mean(wanted, known)}",
                CONFIG_NAME,
                line_of(root, "default_campaign"),
            )
        )
    messages: list[Message] = []
    first_seen: dict[str, str] = {}
    messages_rel = f"{config.paths.content}/messages"
    for rel in message_files(root, messages_rel):
        if rel.count("/") != messages_rel.count("/") + 2:
            findings.append(
                Diagnostic(
                    "CS020",
                    Severity.ERROR,
                    f"put messages in {messages_rel}/<campaign>/<id>.md",
                    rel,
                    1,
                )
            )
            continue
        try:
            text = read_text(root, rel)
        except ValueError as exc:
            findings.append(Diagnostic("CS023", Severity.ERROR, str(exc), rel, 1))
            continue
        message, problems = content.parse_message(rel, text, config, cal)
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
    return Project(root, config, cal, tuple(messages)), tuple(findings)


def require_project(root: Path) -> tuple[Project, tuple[Diagnostic, ...]]:
    """Return the project and its warnings; raise DiagnosticsError on any error."""
    project, found = load_project(root)
    if project is None or any(d.is_error for d in found):
        raise DiagnosticsError(found)
    return project, found
