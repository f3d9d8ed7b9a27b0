"""The templates folder's files: their names, and what each channel renders from.

A channel renders from its own templates (``<channel>.<ext>.j2``) and from those
they extend, include or import, to the end. :func:`channel_digests` digests
these files for each channel, so that the render cache re-renders only the
channels whose templates changed (``pack.cache``); :func:`channel_sources` says
too whether they read some variables (each page's language versions: a locale a
partner starts publishing in renders again only the channels that print them).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from campaignsync.errors import ConfigError


def names(templates: Path) -> list[str]:
    """Return every template file below the templates folder, as loader names.

    Raise ConfigError for one whose name is not UTF-8 (no template could name it).
    """
    if not templates.is_dir():
        return []
    found = []
    for folder, dirs, files in os.walk(templates):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if file.endswith(".j2"):
                name = (Path(folder) / file).relative_to(templates).as_posix()
                try:
                    name.encode("utf-8")
                except UnicodeEncodeError:
                    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    raise ConfigError(
                        f"{templates.name}/{shown}: a template's file name must be UTF-8; "
                        "rename the file"
                    ) from None
                found.append(name)
    return found


def folder_digest(templates: Path) -> str:
    """Return a digest of every file in the templates folder (names and bytes)."""
    sha = hashlib.sha256()
    if not templates.is_dir():
        return "none"
    for current, dirs, files in os.walk(templates):
        dirs[:] = sorted(dirs)
        for name in sorted(files):
            path = Path(current) / name
            rel = path.relative_to(templates).as_posix()
            sha.update(f"\0{rel}\0".encode("utf-8", "surrogateescape"))
            sha.update(_bytes(path))
    return sha.hexdigest()


def _bytes(path: Path) -> bytes:
    """Return a template folder file's bytes; what it is, for a link or a special file."""
    if path.is_symlink():
        return b"link"
    if not path.is_file():  # a pipe is never read: it could wait for ever
        return b"special"
    try:
        return path.read_bytes()
    except OSError:
        return b"unreadable"


def channel_digests(templates: Path, wanted: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Return, by channel, a digest of the template files it renders from.

    ``wanted`` gives each channel's own templates. A channel one of whose templates
    names another as it renders (``{% include name %}`` with a variable), or cannot
    be parsed, renders from every file of the folder (:func:`folder_digest`).
    """
    return {c: digest for c, (digest, _) in channel_sources(templates, wanted).items()}


def channel_sources(
    templates: Path, wanted: Mapping[str, Iterable[str]], watched: Iterable[str] = ()
) -> dict[str, tuple[str, bool]]:
    """Return, by channel, :func:`channel_digests`'s digest and whether it reads ``watched``.

    A channel reads one of the variables ``watched`` when one of its template files
    names it (``jinja2.meta.find_undeclared_variables``), or when its files cannot all
    be known (then it renders from every file, and may read anything).
    """
    from campaignsync.render.engine import references

    looked_for = frozenset(watched)
    every = names(templates)
    read = references(templates, every, looked_for)
    found: dict[str, tuple[str, bool]] = {}
    for channel, own in wanted.items():
        todo, seen, known, reads = list(own), set(), True, False
        while todo and known:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name not in read:  # not a ``.j2`` file, or not there
                read.update(references(templates, [name], looked_for))
            parsed = read[name]
            known = parsed is not None and None not in parsed.templates
            reads = reads or (parsed is not None and not looked_for.isdisjoint(parsed.variables))
            todo.extend(n for n in (parsed.templates if parsed else ()) if n is not None)
        if known:
            found[channel] = (_digest(templates, sorted(seen)), reads)
        else:
            found[channel] = (folder_digest(templates), bool(looked_for))
    return found


def _digest(templates: Path, chosen: list[str]) -> str:
    """Return a digest of some template files: their names and bytes ("missing" if none)."""
    sha = hashlib.sha256()
    for name in chosen:
        path = templates / name
        try:
            data = b"link" if path.is_symlink() else path.read_bytes()
        except OSError:
            data = b"missing"
        sha.update(f"\0{name}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        sha.update(data)
    return sha.hexdigest()
