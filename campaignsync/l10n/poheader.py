"""A PO file's header (the entry whose msgid is empty): its fields, and those tools parse."""

from __future__ import annotations

import re

_PLURAL_FORMS = re.compile(r"^\s*nplurals\s*=\s*[1-9]\s*;\s*plural\s*=\s*[^;]+;?\s*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9]+)?$")
_TEMPLATE_DATE = "YEAR-MO-DA HO:MI+ZONE"


def fields(text: str) -> tuple[tuple[str, str], ...]:
    """Return the header's fields (name, value), in order, from its msgstr."""
    found = []
    for line in text.split("\n"):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            found.append((name.strip(), value.strip()))
    return tuple(found)


def problems(header: tuple[tuple[str, str], ...]) -> list[str]:
    """Return what is wrong with the header fields that tools parse (dates, language, plurals)."""
    found = []
    named = {name.lower(): value.strip() for name, value in header}
    plural = named.get("plural-forms")
    if plural and not _PLURAL_FORMS.match(plural):
        found.append(f"header Plural-Forms {plural!r} is not 'nplurals=N; plural=EXPRESSION;'")
    language = named.get("language")
    if language and not _LANGUAGE.match(language):
        found.append(f"header Language {language!r} is not a locale name like 'de' or 'pt_PT'")
    for name in ("POT-Creation-Date", "PO-Revision-Date"):
        value = named.get(name.lower())
        if value and value != _TEMPLATE_DATE and not _valid_date(value):
            found.append(f"header {name} {value!r} is not a date like '2026-09-01 12:00+0000'")
    return found


def _valid_date(value: str) -> bool:
    from datetime import datetime

    for pattern in ("%Y-%m-%d %H:%M%z", "%Y-%m-%d %H:%M"):
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            continue
        return True
    return False
