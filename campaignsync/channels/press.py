"""Press release: an HTML page in the house layout, datelined in the partner's locale."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from campaignsync.channels import ChannelSpec, OutputSpec


@cache
def dateline_place(configured: str, timezone: str, locale: str) -> str:
    """Return the partner's dateline place as written in ``locale``.

    When the configured place is the city CLDR names for the partner's time zone
    (``Brussels`` for Europe/Brussels), it is given in the output's language
    (``Brüssel``, ``Bruxelles``); any other place (``Washington, D.C.``) is kept
    as configured.
    """
    from babel.dates import get_timezone_location

    if not configured:
        return configured
    try:
        english = get_timezone_location(timezone, locale="en", return_city=True)
        if configured.casefold() != english.casefold():
            return configured
        return str(get_timezone_location(timezone, locale=locale, return_city=True))
    except (LookupError, ValueError):
        return configured


@cache
def dateline_locale(locale: str, timezone: str) -> str:
    """Return the locale that writes the partner's dateline date.

    A locale without a territory (``en``) takes the partner's, from its time zone,
    where CLDR has that combination: an EU partner in Brussels writes English dates
    as ``en_BE`` does (``5 October 2026``), not as ``en`` (US: ``October 5, 2026``).
    """
    import babel
    from babel import localedata

    parsed = babel.Locale.parse(locale)
    territory = babel.core.get_global("zone_territories").get(timezone)
    if parsed.territory or not territory:
        return locale
    candidate = "_".join(p for p in (parsed.language, parsed.script, territory) if p)
    return candidate if localedata.exists(candidate) else locale


def dateline_date(when: datetime, timezone: str, locale: str) -> str:
    """Return the publication day as the partner's dateline writes it (CLDR's long date)."""
    from babel.dates import format_date

    day = when.astimezone(ZoneInfo(timezone)).date()
    return str(format_date(day, "long", locale=dateline_locale(locale, timezone)))


SPECS = (ChannelSpec("press", "Press release", (OutputSpec("html", html=True),)),)
