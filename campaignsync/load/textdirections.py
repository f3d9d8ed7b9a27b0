"""Each locale's text direction as CLDR gives it, kept beside the packs under Babel's version.

Babel answers ``Locale.text_direction`` by reading and merging the locale's
whole CLDR data with its parents' (about 10 ms a locale, a quarter of a second
for 26 locales at every load). The answer depends only on the locale and the
CLDR data, which a Babel release fixes, so when the output folder exists it is
kept in ``<out>/.campaignsync-cache/load/directions.kept`` (sealed:
``pack.sealed``) under Babel's version; anything else is a miss, asked of Babel.
The renderer keeps its own answers the same way (``render.kept``: each press
dateline's place and day and each locale's name, see ``render.context``), under
the tool's digest too, since the tool asks those questions; what worker processes ask is
handed back to the parent, which keeps it (:meth:`Directions.taken`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

FOLDER = ".campaignsync-cache/load"
NAME = "directions.kept"
#: The renderer's answers (``render.context.Answers``).
RENDER = "render.kept"


class Directions:
    """The text directions kept by the last load; :meth:`get` asks Babel for the others."""

    def __init__(self, folder: Path, key: str, kept: dict[str, str], name: str = NAME) -> None:
        self.folder = folder
        self.name = name
        self.key = key
        self.kept = kept
        self.changed = False
        #: What was asked since :meth:`taken` (a worker's, handed to the process it serves).
        self.asked: dict[str, str] = {}

    def get(self, name: str, ask: Callable[[], str]) -> str:
        """Return the direction of a gettext locale name, kept or asked (and then kept)."""
        found = self.kept.get(name)
        if isinstance(found, str) and found:
            return found
        found = self.kept[name] = self.asked[name] = ask()
        self.changed = True
        return found

    def taken(self) -> dict[str, str]:
        """Return what was asked since the last call (a worker's answers, for its parent)."""
        asked, self.asked = self.asked, {}
        return asked

    def add(self, answers: Mapping[str, str]) -> None:
        """Keep answers asked elsewhere (by the workers: see :meth:`taken`)."""
        for name, found in answers.items():
            if isinstance(found, str) and found and self.kept.get(name) != found:
                self.kept[name] = found
                self.changed = True

    def save(self) -> None:
        """Keep the directions, when one was asked (a failure is a miss next time)."""
        if not self.changed:
            return
        from campaignsync.pack import sealed

        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            sealed.write_sealed(self.folder / self.name, self.key, self.kept)
        self.changed = False


def open_directions(out: Path, name: str = NAME, tool: str = "") -> Directions | None:
    """Return the kept directions of the output folder ``out``; None when it does not exist.

    ``name`` and ``tool`` (a digest of the code that asks) name other answers kept alike.
    """
    from campaignsync.l10n import cldr
    from campaignsync.pack import sealed

    if not out.is_dir():
        return None  # kept only beside packs or checks already there: a load makes no dist/
    folder = out.resolve() / FOLDER
    key = f"text-directions {name} babel {cldr.version()} {tool}".rstrip()
    kept = None
    with contextlib.suppress(OSError):
        kept = sealed.read_sealed(folder / name, sealed.folder_id(folder), key)
    valid = isinstance(kept, dict) and all(isinstance(k, str) for k in kept)
    return Directions(folder, key, kept if valid else {}, name)  # type: ignore[arg-type]


def render_answers(out: Path) -> Directions | None:
    """Return the renderer's answers (``RENDER``) kept in the output folder ``out``, if any."""
    from campaignsync.pack import keys

    return open_directions(out, RENDER, keys.tool_digest()) if out.is_dir() else None
