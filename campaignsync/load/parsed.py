"""Messages as the last load parsed them, kept by their text: an unchanged file is not parsed again.

Parsing the messages (front matter validated, Markdown split into blocks) is most
of loading a project: 0.2-0.4 s at 500 messages, paid by ``locale update``,
``check`` and ``build`` alike after an edit of one message. So each message
parsed without errors is kept, as plain values, in
``<out>/.campaignsync-cache/load/messages.kept`` (sealed: ``pack.sealed``), under
the sha256 of its file's text; the file as a whole is kept under a key made of
the tool, the config and what the parse reads of the calendar (each campaign's id and
its theme weeks' ids: :func:`campaigns_read`). A message is
taken from there only when its text has the same sha256 and its image (the one
thing outside its file the parse looks at) is still a file; anything else is
parsed again, as is every message when the file is missing, damaged or foreign.
Each message is kept with its digest (``pack.keys.digest``, what its units in the
render cache are keyed on), so a check or build after an edit digests one message,
not every one (``model.Project.digested``). A load that finds no output folder
makes none: what it parsed is kept by the build or check that makes the folder
(``model.Project.keep_parsed``), so the first edit after a first build parses one message.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import astuple, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from campaignsync.campaigns import Calendar
from campaignsync.load import content
from campaignsync.model import Block, Config, Diagnostic, Image, Message

FOLDER = ".campaignsync-cache/load"
NAME = "messages.kept"

#: One kept message: the sha256 of its text, the message and its warnings as plain values,
#: and the message's digest.
Kept = tuple[str, tuple[Any, ...], tuple[tuple[Any, ...], ...], str]


class Memo:
    """The messages kept by the last load; :meth:`parse` stands in for ``content.parse_message``."""

    def __init__(self, folder: Path, key: str, kept: dict[str, Kept], later: bool = False) -> None:
        self.folder = folder
        self.key = key
        self.kept = kept
        self.now: dict[str, Kept] = {}  # what this load parsed or took: kept next
        self.changed = False
        #: Each message this load took or parsed and kept, with its digest.
        self.digests: list[tuple[Message, str]] = []
        #: With ``later`` (no output folder at the load: most such loads keep nothing),
        #: each message parsed, as it came: made plain only by a :meth:`save` that writes.
        self.later: dict[str, tuple[str, Message, tuple[Diagnostic, ...]]] | None = (
            {} if later else None
        )

    def parse(self, rel: str, text: str, config: Config, calendar: Calendar) -> content.Parsed:
        """Return the message of a file's text, from the memo when it holds that text."""
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        entry = self.kept.get(rel)
        if isinstance(entry, tuple) and len(entry) == 4 and entry[0] == digest:
            taken = _taken(entry, config)
            if taken is not None and taken[0] is not None:
                self.now[rel] = entry
                self.digests.append((taken[0], entry[3]))
                return taken
        message, found = content.parse_message(rel, text, config, calendar)
        if message is None:  # one with errors is parsed again (they stop most commands)
            return message, found
        if self.later is not None:
            self.later[rel] = (digest, message, found)
            self.changed = True
        elif self._keep(rel, digest, message, found):
            self.digests.append((message, self.now[rel][3]))
        return message, found

    def _keep(self, rel: str, digest: str, message: Message, found: tuple[Diagnostic, ...]) -> bool:
        """Keep a parsed message in :attr:`now`; False if it cannot be kept exactly."""
        from campaignsync.pack import keys, sealed

        try:
            problems = tuple(map(sealed.plain_diagnostic, found))
            self.now[rel] = (digest, plain(message), problems, keys.digest(message))
        except ValueError:  # a time that would not read back the same
            return False
        self.changed = True
        return True

    def save(self) -> None:
        """Keep the messages of this load, when they differ from the last (a failure is a miss).

        With no output folder yet, nothing is written (a load makes no ``dist/`` of its
        own) and :attr:`later` keeps what waits: the build or check that makes the
        folder calls this again (``model.Project.keep_parsed``).
        """
        if not self.changed and self.now.keys() == self.kept.keys():
            return
        if not self.folder.parent.parent.is_dir():
            return
        if self.later:
            for rel, (digest, message, found) in self.later.items():
                self._keep(rel, digest, message, found)
            self.later.clear()
        from campaignsync.pack import sealed

        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            sealed.write_sealed(self.folder / NAME, self.key, self.now)


def campaigns_read(calendar: Calendar) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return what parsing a message reads of the calendar: each campaign's id, its themes'.

    The campaign and theme a message names are looked up there (CS020, CS019): a blackout
    day, a freeze date or an observance edited parses no message again. So are the
    campaigns the file names but could not be read, whose messages are not told CS020.
    """
    read = tuple((c.id, tuple(t.id for t in c.themes)) for c in calendar.campaigns)
    lost = ("every campaign",) if calendar.lost is None else calendar.lost  # (CS020 left out)
    return (*read, ("lost", lost))


def open_memo(root: Path, config: Config, calendar: Calendar) -> Memo | None:
    """Return the memo of a project's messages, or None when nothing can be kept."""
    from campaignsync.pack import keys, sealed

    out = (root / config.paths.out).resolve()
    try:
        key = keys.digest((keys.tool_digest(), config, campaigns_read(calendar)))
    except TypeError:  # a value with no canonical form: nothing can be kept under it
        return None
    folder = out / FOLDER
    if not out.is_dir():  # nothing kept; kept by the build or check that makes the folder
        return Memo(folder, key, {}, later=True)
    kept = None
    with contextlib.suppress(OSError):
        kept = sealed.read_sealed(folder / NAME, sealed.folder_id(folder), key)
    return Memo(folder, key, kept if isinstance(kept, dict) else {})


def _taken(entry: Kept, config: Config) -> content.Parsed | None:
    """Return a kept message and its findings, or None when its shape or its image is wrong."""
    from campaignsync.pack import sealed

    try:
        message = message_of(entry[1])
        found = tuple(sealed.diagnostic_of(t) for t in entry[2])
        if not (isinstance(entry[3], str) and len(entry[3]) == 64):
            return None
    except Exception:  # the right shape is part of being intact
        return None
    if message.image is not None and content.image_file_problem(config, message.image.src):
        return None  # parsed again: the parse reports the image
    return message, found


def plain(m: Message) -> tuple[Any, ...]:
    """Return a message as plain values, field by field (ValueError: a time not kept exactly)."""
    return tuple(
        _KEPT[f.name][0](getattr(m, f.name)) if f.name in _KEPT else getattr(m, f.name)
        for f in fields(Message)
    )


def message_of(t: tuple[Any, ...]) -> Message:
    """Return the message of :func:`plain`'s values."""
    names = (f.name for f in fields(Message))
    return Message(
        **{n: _KEPT[n][1](v) if n in _KEPT else v for n, v in zip(names, t, strict=True)}
    )


def _plain_time(when: datetime) -> str:
    """Return an aware time as ISO text, when reading it back gives the same value and zone."""
    zone = when.tzinfo
    offset = when.utcoffset()
    if type(zone) is not timezone or offset is None or repr(zone) != repr(timezone(offset)):
        raise ValueError(f"{zone!r} is not kept")
    return when.isoformat()


#: The fields of a message that are not plain values: how each is kept, and read back.
_KEPT: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "publish": (
        lambda v: tuple((partner, _plain_time(when)) for partner, when in v),
        lambda t: tuple((partner, datetime.fromisoformat(when)) for partner, when in t),
    ),
    "image": (
        lambda v: None if v is None else astuple(v),
        lambda t: None if t is None else Image(*t),
    ),
    "body": (lambda v: tuple(map(astuple, v)), lambda t: tuple(Block(*b) for b in t)),
}
