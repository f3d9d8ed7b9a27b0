"""Press release: an HTML page in the house layout, datelined in the partner's locale."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from campaignsync.channels import ChannelSpec, OutputSpec
from campaignsync.render import dates


@cache
def dateline_place(configured: str, timezone: str, locale: str) -> str:
    """Return the partner's dateline place as written in ``locale``.

    When the configured place is the city CLDR names for the partner's time zone
    (``Brussels`` for Europe/Brussels), it is given in the output's language
    (``Brüssel``, ``Bruxelles``); any other place (``Washington, D.C.``) is kept
    as configured.
    """
    if not configured:
        return configured
    try:
        english = dates.city_name(timezone, "en")
        if configured.casefold() != english.casefold():
            return configured
        return dates.city_name(timezone, locale)
    except (LookupError, ValueError):
        return configured


def dateline_date(when: datetime, timezone: str, locale: str) -> str:
    """Return the publication day as the partner's dateline writes it (CLDR's long date)."""
    day = when.astimezone(ZoneInfo(timezone)).date()
    return dates.format_date(day, dates.regional_locale(locale, timezone), timezone, "long")


SPECS = (ChannelSpec("press", "Press release", (OutputSpec("html", html=True),)),)
