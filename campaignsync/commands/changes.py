"""What changed between two revisions: messages, calendar, source text, stale translations."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from math import inf
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync import gitrepo, paths
from campaignsync.errors import GitError
from campaignsync.l10n import poscan
from campaignsync.l10n.catalog import po_rel
from campaignsync.load import content, yamlfile
from campaignsync.load.body import parse_body, split_front_matter
from campaignsync.load.project import message_files
from campaignsync.model import Config

if TYPE_CHECKING:
    from campaignsync.commands.affected import OutputChange

#: Campaign tags are ``campaign/<id>``; `changes` starts from the newest by default.
TAG_PREFIX = "campaign/"
#: How a comparison names the uncommitted state of the files.
_UNTIL_WORK_TREE = "work tree"


@dataclass(frozen=True, slots=True)
class MessageChange:
    """A message added, removed or changed, and which fields or body blocks changed."""

    id: str
    path: str
    change: str  # added | removed | changed
    fields: tuple[str, ...] = ()
    unreadable: str = ""  # "", or which version is not a readable message: before | after | both


@dataclass(frozen=True, slots=True)
class CalendarChange:
    """An observance, campaign or theme week added, removed or changed."""

    kind: str  # event | campaign | theme
    id: str
    change: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceChange:
    """A translatable segment whose source text changed: its catalog entry needs work."""

    context: str  # the msgctxt, <message-id>:<field>
    change: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Stale:
    """A translation older than the last change to its source text (from git history)."""

    locale: str
    file: str
    line: int
    context: str
    source: str  # message file:line of the changed source text


@dataclass(frozen=True, slots=True)
class Changes:
    """Everything that changed between ``since`` and ``until``."""

    since: str
    until: str
    messages: tuple[MessageChange, ...]
    calendar: tuple[CalendarChange, ...]
    sources: tuple[SourceChange, ...]
    stale: tuple[Stale, ...]

    @property
    def empty(self) -> bool:
        """Return True when nothing changed and nothing is stale."""
        return not (self.messages or self.calendar or self.sources or self.stale)


@dataclass(frozen=True, slots=True)
class _Message:
    path: str
    front: dict[str, Any]
    segments: dict[str, tuple[str, int, int]]  # field -> (text, first line, last line)
    unreadable: str | None = None  # the file's text when it is not a readable message


@dataclass(frozen=True, slots=True)
class Report:
    """What ``changes`` shows: the changes and, with ``--outputs``, the outputs that change."""

    changes: Changes
    outputs: tuple[OutputChange, ...] | None = None


def report(
    root: Path, since: str | None, until: str | None, outputs: bool = False, jobs: int = 1
) -> Report:
    """Compare two revisions; with ``outputs``, render both and compare their outputs too."""
    from campaignsync.commands.affected import affected
    from campaignsync.load.config import require_config

    # Only the config: a draft with errors in the work tree must not hide the history.
    config = require_config(root)
    found = compare(root, config, since, until)
    changed = affected(root, config, found.since, until, jobs) if outputs else None
    return Report(found, changed)


def compare(root: Path, config: Config, since: str | None, until: str | None) -> Changes:
    """Compare two revisions (``until`` None: the work tree); ``since`` None: the last tag."""
    if since is None:
        since = gitrepo.last_tag(root, f"{TAG_PREFIX}*")
        if since is None and gitrepo.head_id(root) is None:
            raise GitError(
                "the repository has no commit yet, so nothing to compare with; commit the "
                "campaign first (git add -A && git commit)"
            )
        if since is None:
            raise GitError(
                "no campaign tag yet to compare with; name a revision, "
                "e.g. 'campaignsync changes HEAD~10'"
            )
    before = gitrepo.resolve(root, since)
    after = None if until is None else gitrepo.resolve(root, until)
    old = _snapshot(gitrepo.files_at(root, before, _folders(config)))
    new = _snapshot(_read_tree(root, config) if after is None else
                    gitrepo.files_at(root, after, _folders(config)))  # fmt: skip
    return Changes(
        since=since,
        until=until or _UNTIL_WORK_TREE,
        messages=tuple(_message_changes(old[0], new[0])),
        calendar=tuple(_calendar_changes(old[1], new[1])),
        sources=tuple(_source_changes(old[0], new[0])),
        stale=tuple(stale_translations(root, config, new[0], after)),
    )


def messages_between(
    root: Path, config: Config, before: str, after: str
) -> tuple[MessageChange, ...]:
    """Return the messages added, removed and changed between two commits."""
    folder = [f"{config.paths.content}/messages"]
    old = _snapshot(gitrepo.files_at(root, before, folder))
    new = _snapshot(gitrepo.files_at(root, after, folder))
    return tuple(_message_changes(old[0], new[0]))


def _folders(config: Config) -> tuple[str, ...]:
    return (f"{config.paths.content}/messages", f"{config.paths.content}/calendar.yaml")


def _read_tree(root: Path, config: Config) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for rel in message_files(root, f"{config.paths.content}/messages"):
        try:
            found[rel] = paths.read_bytes(root, rel)
        except ValueError:
            continue
    calendar = f"{config.paths.content}/calendar.yaml"
    with contextlib.suppress(ValueError):
        found[calendar] = paths.read_bytes(root, calendar)
    return found


def _snapshot(files: Mapping[str, bytes]) -> tuple[dict[str, _Message], dict[str, Any]]:
    messages: dict[str, _Message] = {}
    calendar: dict[str, Any] = {}
    for rel, data in sorted(files.items()):
        text = data.decode("utf-8", "replace")
        if rel.endswith("calendar.yaml"):
            try:
                loaded, _ = yamlfile.load(text)
            except yamlfile.YamlError:
                continue
            calendar = loaded if isinstance(loaded, dict) else {}
        elif rel.endswith(".md") and not any(p.startswith(".") for p in rel.split("/")):
            # An unreadable file is still the message its name says (fixed later, it changed).
            parsed = _parse(rel, text)
            message_id = str(parsed.front.get("id") or Path(rel).stem)
            messages.setdefault(message_id, parsed)
    return messages, calendar


def _parse(rel: str, text: str) -> _Message:
    """Read a message leniently: history may hold files today's checks would refuse."""
    try:
        front_text, body, body_line = split_front_matter(text.removeprefix("\ufeff"))
        front, lines = yamlfile.load(front_text, first_line=2)
    except yamlfile.YamlError:
        return _Message(rel, {}, {}, text)
    if not isinstance(front, dict):
        return _Message(rel, {}, {}, text)
    segments: dict[str, tuple[str, int, int]] = {}
    for key in ("title", "summary"):
        if isinstance(front.get(key), str):
            segments[key] = (front[key], lines.get(key, 1), lines.get(key, 1))
    image = front.get("image")
    if isinstance(image, dict) and isinstance(image.get("alt"), str):
        segments["image.alt"] = (image["alt"], lines.get("image.alt", 1), lines.get("image.alt", 1))
    posts = front.get("posts")
    for channel, post in posts.items() if isinstance(posts, dict) else ():
        if isinstance(post, str):
            line = lines.get(f"posts.{channel}", 1)
            segments[f"posts.{channel}"] = (post, line, line)
    file_lines = text.split("\n")
    for number, block in enumerate(parse_body(body, body_line), start=1):
        if block.kind == "code":
            continue
        last = block.line
        while (
            last < len(file_lines) and file_lines[last].strip()
        ):  # file_lines[last] is line last+1
            last += 1
        segments[f"body.{number}"] = (block.text, block.line, max(block.line, last))
    return _Message(rel, front, segments)


def _message_changes(old: dict[str, _Message], new: dict[str, _Message]) -> Iterator[MessageChange]:
    for message_id in sorted(set(old) | set(new)):
        before, after = old.get(message_id), new.get(message_id)
        broken = _unreadable(before, after)
        if before is None and after is not None:
            yield MessageChange(message_id, after.path, "added", unreadable=broken)
        elif after is None and before is not None:
            yield MessageChange(message_id, before.path, "removed", unreadable=broken)
        elif before is not None and after is not None:
            if broken:  # what changed inside cannot be told, only that the file did
                if before.unreadable != after.unreadable:
                    yield MessageChange(message_id, after.path, "changed", unreadable=broken)
                continue
            fields = _changed_fields(before, after)
            if fields:
                yield MessageChange(message_id, after.path, "changed", fields)


def _unreadable(before: _Message | None, after: _Message | None) -> str:
    """Return which of two versions of a message could not be read ("" for neither)."""
    old = before is not None and before.unreadable is not None
    new = after is not None and after.unreadable is not None
    return "both" if old and new else "before" if old else "after" if new else ""


def _changed_fields(before: _Message, after: _Message) -> tuple[str, ...]:
    fields: list[str] = []
    for key in sorted(set(before.front) | set(after.front)):
        old, new = before.front.get(key), after.front.get(key)
        if key in ("image", "posts") and isinstance(old, dict) and isinstance(new, dict):
            fields.extend(
                f"{key}.{k}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
            )
        elif old != new:
            fields.append(key)
    old_body = [v[0] for k, v in before.segments.items() if k.startswith("body.")]
    new_body = [v[0] for k, v in after.segments.items() if k.startswith("body.")]
    matcher = difflib.SequenceMatcher(a=old_body, b=new_body, autojunk=False)
    for tag, _a1, _a2, b1, b2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            fields.extend(f"body.{n + 1}" for n in range(b1, b2))
        elif tag == "delete":
            fields.append(
                f"body (removed after block {b1})" if b1 else "body (removed at the start)"
            )
    return tuple(fields)


def _calendar_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterator[CalendarChange]:
    yield from _by_id("event", _items(old, "events"), _items(new, "events"), ())
    campaigns_old, campaigns_new = _items(old, "campaigns"), _items(new, "campaigns")
    yield from _by_id("campaign", campaigns_old, campaigns_new, ("themes",))
    for campaign_id in sorted(set(campaigns_old) & set(campaigns_new)):
        yield from _by_id(
            "theme",
            _items(campaigns_old[campaign_id], "themes", f"{campaign_id}/"),
            _items(campaigns_new[campaign_id], "themes", f"{campaign_id}/"),
            (),
        )


def _items(table: Any, key: str, prefix: str = "") -> dict[str, dict[str, Any]]:
    items = table.get(key) if isinstance(table, dict) else None
    found: dict[str, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found.setdefault(prefix + item["id"], item)
    return found


def _by_id(
    kind: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], skip: tuple[str, ...]
) -> Iterator[CalendarChange]:
    for item_id in sorted(set(old) | set(new)):
        if item_id not in old:
            yield CalendarChange(kind, item_id, "added")
        elif item_id not in new:
            yield CalendarChange(kind, item_id, "removed")
        else:
            keys = sorted((set(old[item_id]) | set(new[item_id])) - set(skip))
            fields = tuple(k for k in keys if old[item_id].get(k) != new[item_id].get(k))
            if fields:
                yield CalendarChange(kind, item_id, "changed", fields)


def _source_changes(old: dict[str, _Message], new: dict[str, _Message]) -> Iterator[SourceChange]:
    def texts(messages: dict[str, _Message]) -> dict[str, str]:
        return {
            content.msgctxt(message_id, field): value[0]
            for message_id, message in messages.items()
            for field, value in message.segments.items()
        }

    before, after = texts(old), texts(new)
    # A message unreadable in one version: its segments changed, they were not added or removed.
    unknown = {i for m in (old, new) for i, message in m.items() if message.unreadable is not None}
    for context in sorted(set(before) | set(after)):
        a, b = before.get(context), after.get(context)
        if a != b:
            change = "added" if a is None else "removed" if b is None else "changed"
            if context.partition(":")[0] in unknown:
                change = "changed"
            yield SourceChange(context, change, a, b)


def stale_translations(
    root: Path, config: Config, messages: Mapping[str, _Message], rev: str | None
) -> Iterator[Stale]:
    """Yield translations last changed before their source text, by git blame.

    A translation is stale when the lines of its source segment were changed
    by a later commit (or are changed in the work tree) than every line of its
    catalog entry: the translator never saw the new text, whatever the fuzzy
    flag says. Left out: fuzzy and empty entries (already known to need work), and
    an entry whose msgid is the source text as it is now (an edit undone since
    leaves the translation of that very text).
    """
    order = gitrepo.commit_order(root, rev)
    source_ages: dict[str, tuple[float, str, str]] = {}
    for message_id, message in messages.items():
        commits = gitrepo.line_commits(root, message.path, rev) if message.segments else []
        if not commits:
            continue
        for field, (text, first, last) in message.segments.items():
            age = _newest(commits[first - 1 : last], order)
            where = f"{message.path}:{first}"
            source_ages[content.msgctxt(message_id, field)] = (age, where, text)
    for locale in config.locales:
        rel = po_rel(config, locale)
        try:
            data = paths.read_bytes(root, rel, poscan.MAX_BYTES) if rev is None else (
                gitrepo.files_at(root, rev, [rel]).get(rel, b"")
            )  # fmt: skip
        except ValueError:
            continue
        commits = gitrepo.line_commits(root, rel, rev)
        if not data or not commits:
            continue
        po = poscan.scan(data)
        ends = _entry_ends(data.decode("utf-8", "replace").split("\n"))
        for entry in po.entries:
            if entry.context is None or not entry.usable or entry.context not in source_ages:
                continue
            translated = _newest(commits[entry.line - 1 : ends.get(entry.line, entry.line)], order)
            changed, where, text = source_ages[entry.context]
            if changed < translated and entry.msgid != text:
                yield Stale(locale.tag, rel, entry.line, entry.context, where)


def _newest(commits: list[str | None], order: Mapping[str, int]) -> float:
    """Return the age of the newest of some lines' commits: 0 is HEAD, uncommitted is -1."""
    return min(
        (-1.0 if c is None else float(order.get(c, len(order))) for c in commits), default=inf
    )


def _entry_ends(lines: list[str]) -> dict[int, int]:
    """Map each entry's first line (msgctxt or msgid) to its last line, 1-based."""
    ends: dict[int, int] = {}
    start = None
    for number, line in enumerate(lines, start=1):
        if start is None and line.startswith(("msgctxt", "msgid")):
            start = number
        elif start is not None and not line.strip():
            ends[start] = number - 1
            start = None
    if start is not None:
        ends[start] = len(lines)
    return ends
