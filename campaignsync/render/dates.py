"""Dates and times in an output's locale and a partner's time zone, as CLDR says (via Babel).

``Thursday, 1 October 2026, 10:00 CEST`` in en-GB, ``jeudi 1 octobre 2026,
10:00 UTC+2`` in fr: the date in the locale's own pattern, the time in its
short pattern, and the zone as CLDR's short specific name (CEST, EDT) where the
locale has one, else CLDR's short localized GMT format (GMT+2, UTC+2). Babel
falls back to the long zone name instead ("Eastern Daylight Time" in en-GB),
and its ``O`` field gives nothing, so the zone is worked out here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from campaignsync.l10n import cldr
from campaignsync.render import zones

WIDTHS = ("full", "long", "medium", "short")
_NONE = "∅∅∅"  # CLDR's "no value here, and do not inherit one"
_QUOTED = re.compile(r"('(?:[^']|'')*')")


def _locale(name: str) -> Any:
    return cldr.locale(name)


def _local(value: object, tz: str, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{what} needs a date and time, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} needs a date and time with a time zone, not {value}")
    return value.astimezone(zones.zone(tz))


@cache
def regional_locale(locale: str, timezone: str) -> str:
    """Return the locale whose date conventions a partner's readers expect.

    A locale without a territory (``en``) takes the partner's, from its time zone,
    where CLDR has that combination: an EU partner in Brussels writes English dates
    as ``en_BE`` does (``1 October 2026``, 24-hour clock), not as ``en`` (US:
    ``October 1, 2026``, 12-hour clock). Every other locale is kept as it is.
    """
    parsed = _locale(locale)
    territory = cldr.global_data("zone_territories").get(timezone)
    if parsed.territory or not territory:
        return locale
    candidate = "_".join(p for p in (parsed.language, parsed.script, territory) if p)
    return candidate if cldr.exists(candidate) else locale


def zone_name(moment: datetime, locale: str) -> str:
    """Return CLDR's short name for the zone of an aware moment (``CEST``, ``UTC+2``)."""
    loc = _locale(locale)
    key = getattr(moment.tzinfo, "key", None)
    variant = "daylight" if moment.dst() else "standard"
    if key:
        key = cldr.global_data("zone_aliases").get(key, key)
        own = loc.time_zones.get(key, {}).get("short", {}).get(variant)
        if own and own != _NONE:
            return str(own)
        metazone = cldr.global_data("meta_zones").get(key)
        if metazone:
            name = loc.meta_zones.get(metazone, {}).get("short", {}).get(variant)
            if name and name != _NONE:
                return str(name)
    return gmt_name(moment.utcoffset() or timedelta(0), locale)


def gmt_name(offset: timedelta, locale: str) -> str:
    """Return CLDR's short localized GMT format: ``GMT+2``, ``UTC-4``, ``GMT+5:30``, ``GMT``."""
    pattern = str(_locale(locale).zone_formats.get("gmt", "GMT%s"))
    if not offset:
        return pattern % ""
    minutes = int(abs(offset).total_seconds()) // 60
    sign = "-" if offset < timedelta(0) else "+"
    text = f"{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return pattern % text


def _fields(pattern: str) -> list[tuple[bool, str]]:
    """Split a CLDR pattern into (is_literal, text) pieces."""
    return [(i % 2 == 1, part) for i, part in enumerate(_QUOTED.split(pattern)) if part]


@cache
def time_pattern(locale: str) -> str:
    """Return the locale's time pattern with hours, minutes and zone (no seconds).

    CLDR's long time pattern is the short one plus seconds and the zone
    (``HH:mm:ss z``); without the seconds it places the zone where the
    locale puts it. Where seconds cannot be cut out cleanly, the short
    pattern and the zone after it.
    """
    loc = _locale(locale)
    pieces = []
    for literal, text in _fields(loc.time_formats["long"].pattern):
        pieces.append(text if literal else re.sub(r"[:.٫]ss?", "", text))
    cut = "".join(pieces)
    if any(not literal and "s" in text for literal, text in _fields(cut)):
        cut = f"{loc.time_formats['short'].pattern} z"
    return cut


def _with_zone(pattern: str, name: str) -> str:
    literal = "'" + name.replace("'", "''") + "'"
    return "".join(
        text if is_literal else re.sub(r"z+", literal, text)
        for is_literal, text in _fields(pattern)
    )


def city_name(timezone: str, locale: str) -> str:
    """Return the city CLDR names for a time zone, in ``locale`` (``Brüssel`` in de)."""
    from babel.dates import get_timezone_location

    return str(get_timezone_location(timezone, locale=locale, return_city=True))


def format_time(value: object, locale: str, tz: str, format: str = "short") -> str:
    """Return the time on the zone's clock: ``10:00 CEST`` ("short"), or a CLDR width or pattern."""
    from babel.dates import format_time as babel_time

    moment = _local(value, tz, "format_time")
    if format == "short":
        pattern = time_pattern(locale)
    elif format in WIDTHS:
        pattern = _locale(locale).time_formats[format].pattern
    else:
        pattern = format
    return str(
        babel_time(moment, _with_zone(pattern, zone_name(moment, locale)), locale=_locale(locale))
    )


def format_date(value: object, locale: str, tz: str, format: str = "long") -> str:
    """Return the date on the zone's calendar in a CLDR width or pattern."""
    from babel.dates import format_date as babel_date

    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        day = _local(value, tz, "format_date").date()
    return str(babel_date(day, format, locale=_locale(locale)))


def format_datetime(value: object, locale: str, tz: str, format: str = "full") -> str:
    """Return ``Thursday, 1 October 2026, 10:00 CEST``: date of a CLDR width, short time, zone.

    ``format`` is a width (the date's; the time is always hours, minutes
    and zone) or a CLDR pattern, where ``z`` gives the zone as above.
    """
    from babel.dates import format_datetime as babel_datetime

    moment = _local(value, tz, "format_datetime")
    name = zone_name(moment, locale)
    if format not in WIDTHS:
        return str(babel_datetime(moment, _with_zone(format, name), locale=_locale(locale)))
    day = format_date(moment.date(), locale, tz, format)
    clock = format_time(moment, locale, tz)
    joiner = str(_locale(locale).datetime_formats[format]).replace("'", "")
    return joiner.replace("{1}", day).replace("{0}", clock)


def shown_as(show: Callable[[object, str, str, str], str], default: str) -> Callable[..., str]:
    """Return the template filter that shows a time as ``show`` does (``default``: its format).

    It takes the template's context first: in the publishing partner's conventions
    (their region's variant of the locale), on the clock of ``tz=``, else theirs, else UTC.
    """

    def shown(
        ctx: Mapping[str, Any], value: object, format: str = default, tz: str | None = None
    ) -> str:
        zone = ctx.get("partner", {}).get("timezone") or "UTC"
        return show(value, regional_locale(ctx["locale"]["gettext"], zone), tz or zone, format)

    return shown
