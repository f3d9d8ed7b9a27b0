"""The plain-language settings: [readability], [accessibility] and the glossary."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from campaignsync.model import AccessibilitySettings, ReadabilitySettings

if TYPE_CHECKING:
    from campaignsync.load.config import _Reader

#: Each whole-number setting: (table, key, lowest, highest).
_BOUNDS = {
    ("readability", "min_ease"): (0, 100),
    ("readability", "max_lix"): (10, 100),
    ("readability", "min_words"): (20, 10_000),
    ("readability", "max_increase"): (0, 1_000),
    ("accessibility", "max_emoji"): (0, 100),
}
_GLOSSARY = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[^\\\0]+\.tbx$")


def _numbers(data: dict[str, Any], reader: _Reader, table: str, default: object) -> dict[str, int]:
    values = reader.get(data, table, dict, {}, table)
    keys = tuple(key for t, key in _BOUNDS if t == table)
    reader.unknown(table, values, keys)
    found = {}
    for key in keys:
        where = f"{table}.{key}"
        value = reader.get(values, key, int, getattr(default, key), where)
        low, high = _BOUNDS[(table, key)]
        if not low <= value <= high:
            reader.error(where, f"{where} must be {low} to {high}, not {value}")
            value = getattr(default, key)
        found[key] = value
    return found


def readability(data: dict[str, Any], reader: _Reader) -> ReadabilitySettings:
    """Read ``[readability]``: targets for source texts and the allowance for translations."""
    return ReadabilitySettings(**_numbers(data, reader, "readability", ReadabilitySettings()))


def accessibility(data: dict[str, Any], reader: _Reader) -> AccessibilitySettings:
    """Read ``[accessibility]``: what the post checks allow."""
    return AccessibilitySettings(**_numbers(data, reader, "accessibility", AccessibilitySettings()))


def glossary(translation: dict[str, Any], reader: _Reader) -> str | None:
    """Read ``translation.glossary``: a ``.tbx`` file inside the repository, or None."""
    value = reader.get(translation, "glossary", str, None, "translation.glossary")
    if value is None:
        return None
    if not _GLOSSARY.match(value):
        reader.error(
            "translation.glossary",
            f"translation.glossary must be a .tbx file inside the repository, such as "
            f"'locales/glossary.tbx', not {value!r}",
        )
        return None
    return str(value)
