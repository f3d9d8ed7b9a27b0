"""The hyphenation dictionaries' patterns, parsed once and kept sealed beside the render cache.

Counting syllables for the readability formulas reads pyphen's dictionaries;
parsing one takes a tenth of a second to most of a second (German), more than
rendering the few units an edit touches. Each dictionary's parsed patterns are
kept in ``<out>/.campaignsync-cache/hyphenation/<name>.patterns``, keyed by the
tool (pyphen's version among it) and the dictionary's own bytes, so a new
pyphen or a changed dictionary is a miss; so is anything unreadable.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from campaignsync.l10n import readability
from campaignsync.pack import keys, sealed

FOLDER = "hyphenation"


def prime(cache_root: Path, tags: Iterable[str]) -> None:
    """Hand the readability counts the dictionaries these locales need, parsed before if kept.

    ``cache_root`` is ``<out>/.campaignsync-cache``. A dictionary not kept
    (or not trusted) is parsed, unless pyphen holds it in this process already,
    and kept for the next build. One this process handed over from the same file
    (``preview`` building again) is not read again.
    """
    folder = cache_root / FOLDER
    for name in readability.dictionaries(tags):
        path = folder / f"{name}.patterns"
        seen = sealed.identity(path)
        if seen is not None and readability.adopted(name) == (path, seen):
            continue
        key = _key(name)
        patterns = _patterns(sealed.read_sealed(path, _folder_id(folder), key))
        if patterns is None:
            patterns = readability.parse_dictionary(name, reuse=True)
            # A cache that cannot be written is only slower next time.
            with contextlib.suppress(OSError):
                sealed.write_sealed(path, key, patterns)
        readability.adopt_dictionary(name, patterns, (path, sealed.identity(path)))


def _key(name: str) -> str:
    source = hashlib.sha256(readability.dictionary_source(name)).hexdigest()
    return hashlib.sha256(f"{keys.tool_digest()}\0{name}\0{source}".encode()).hexdigest()


def _folder_id(folder: Path) -> bytes:
    try:
        return sealed.folder_id(folder)
    except OSError:
        return b"-"  # no folder yet: nothing in it to trust


def _patterns(plain: Any) -> dict[str, tuple[int, tuple[int, ...]]] | None:
    """Return kept patterns if they look like parsed ones (else a miss).

    Only the container and one entry are looked at: a file that passed its
    checksum under this key was written by :func:`prime` of this very tool, and
    looking at each of a dictionary's 66,000 patterns cost more than parsing it.
    """
    if not isinstance(plain, dict) or not plain:
        return None
    key, value = next(iter(plain.items()))
    if not (isinstance(key, str) and isinstance(value, tuple) and len(value) == 2):
        return None
    return plain
