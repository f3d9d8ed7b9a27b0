"""The one door to Babel's CLDR locale data: locale tags, territories, names, directions.

Formatting dates goes through ``render/dates.py`` (Babel's ``babel.dates``) and
gettext catalogs through ``l10n/catalog.py`` (``babel.messages``); everything
else Babel knows about locales is asked here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import babel
from babel import localedata


class UnknownTag(ValueError):
    """A locale tag CLDR does not know."""


@cache
def locale(name: str) -> Any:
    """Return Babel's ``Locale`` for a gettext name such as ``pt_PT`` (cached)."""
    return babel.Locale.parse(name)


def parse_tag(text: str) -> Any:
    """Return Babel's ``Locale`` for a BCP 47 tag (``pt-PT``), or raise ``UnknownTag``."""
    try:
        return babel.Locale.parse(text.replace("_", "-"), sep="-")
    except (ValueError, babel.UnknownLocaleError):
        raise UnknownTag(text) from None


def version() -> str:
    """Return the version of Babel, whose release fixes the CLDR data it ships."""
    return str(babel.__version__)


def global_data(key: str) -> Any:
    """Return one of CLDR's global tables (``likely_subtags``, ``zone_territories``...)."""
    get_global: Any = babel.core.get_global  # typed with a Literal of today's keys
    return get_global(key)


def exists(name: str) -> bool:
    """Return whether CLDR has data for a gettext locale name such as ``en_BE``."""
    return bool(localedata.exists(name))


@cache
def og_locale(gettext_name: str) -> str:
    """Return the Open Graph locale (``language_TERRITORY``) of a locale such as ``de``.

    Open Graph wants an underscore and a territory; a locale without one gets
    the territory CLDR finds most likely for its language (``de`` -> ``de_DE``,
    ``en`` -> ``en_US``, ``pt`` -> ``pt_BR``).
    """
    parsed = locale(gettext_name)
    territory = parsed.territory
    if territory is None:
        subtags = global_data("likely_subtags")
        keys = (f"{parsed.language}_{parsed.script}", parsed.language)
        likely = next((subtags[key] for key in keys if key in subtags), "")
        territory = next((p for p in likely.split("_")[1:] if len(p) == 2 and p.isupper()), None)
    return f"{parsed.language}_{territory}" if territory else parsed.language
