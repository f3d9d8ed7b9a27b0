"""The plain-language settings: [readability], [accessibility] and the glossary."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from campaignsync.load import schema
from campaignsync.load.tables import Reader
from campaignsync.model import AccessibilitySettings, ReadabilitySettings

_GLOSSARY = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[^\\\0]+\.tbx$")


def _numbers(data: dict[str, Any], reader: Reader, name: str) -> dict[str, int]:
    """Return the whole numbers of one table, each within its declared bounds."""
    values = reader.table(data, name)
    found = {}
    for setting in schema.CONFIG[name].settings:
        where = f"{name}.{setting.name}"
        value = reader.value(values, setting, where)
        low, high = setting.bounds or (value, value)
        if not low <= value <= high:
            reader.error(where, f"{where} must be {low} to {high}, not {value}")
            value = setting.default
        found[setting.name] = value
    return found


def readability(data: dict[str, Any], reader: Reader) -> ReadabilitySettings:
    """Read ``[readability]``: targets for source texts and the allowance for translations."""
    return ReadabilitySettings(**_numbers(data, reader, "readability"))


def accessibility(data: dict[str, Any], reader: Reader) -> AccessibilitySettings:
    """Read ``[accessibility]``: what the post checks allow."""
    return AccessibilitySettings(**_numbers(data, reader, "accessibility"))


def glossary(translation: Mapping[str, Any], reader: Reader) -> str | None:
    """Read ``translation.glossary``: a ``.tbx`` file inside the repository, or None."""
    value = reader.setting(translation, schema.CONFIG["translation"], "glossary")
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
