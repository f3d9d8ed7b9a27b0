"""Who publishes where and when: ``[partners.<id>]``, ``[channels.<channel>]``, ``[schedule]``."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import time
from typing import Any, TypeVar

from campaignsync import channels
from campaignsync.load import schema
from campaignsync.load.tables import Reader
from campaignsync.model import ChannelSettings, Partner, ScheduleSettings
from campaignsync.wording import closest

_ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_HOURS_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PARTNER = schema.CONFIG["partners.<id>"]
_CHANNEL = schema.CONFIG["channels.<channel>"]
_SCHEDULE = schema.CONFIG["schedule"]
_V = TypeVar("_V")


def parse_hours(text: str) -> tuple[time, time] | None:
    """Return (start, end) for ``"09:00-18:00"``, or None when malformed or empty."""
    m = _HOURS_RE.match(text)
    if not m:
        return None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if (h2, m2) > (24, 0) or (h1, m1) >= (h2, m2):
        return None
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    return time(h1, m1), end


def parse_days(text: str) -> tuple[int, ...] | None:
    """Return weekday numbers (0 = Monday) for ``"mon-fri"`` or ``"sun-thu"``, else None."""
    first, sep, last = text.strip().lower().partition("-")
    if not sep or first not in _DAYS or last not in _DAYS:
        return None
    start, end = _DAYS.index(first), _DAYS.index(last)
    return tuple(sorted((start + i) % 7 for i in range((end - start) % 7 + 1)))


def partners(data: dict[str, Any], reader: Reader, known: set[str]) -> tuple[Partner, ...]:
    """Read every ``[partners.<id>]`` table; ``known`` are the configured locale tags."""
    table = reader.table(data, "partners")
    if not table:
        reader.error("partners", "no partners: add at least one [partners.<id>] table")
    found = []
    for pid, spec in table.items():
        where = f"partners.{pid}"
        if not _ID_RE.match(pid):
            reader.error(where, f"partner id {pid!r} must be lower-case letters, digits and '-'")
            continue
        if not isinstance(spec, dict):
            reader.error(where, f"{where!r} must be a table")
            continue
        reader.unknown(where, spec, _PARTNER)
        found.append(_partner(pid, spec, where, reader, known))
    return tuple(found)


def _partner(
    pid: str, spec: Mapping[str, Any], where: str, reader: Reader, known: set[str]
) -> Partner:
    def read(name: str) -> Any:
        return reader.value(spec, _PARTNER[name], f"{where}.{name}")

    tz = read("timezone") or ""
    if not tz:
        reader.error(where, f"{where}: missing 'timezone' (an IANA zone such as 'Europe/Brussels')")
    elif not _valid_zone(tz):
        reader.error(f"{where}.timezone", f"{where}.timezone: unknown time zone {tz!r}", "CS005")
    locs = read("locales")
    for tag in locs:
        if tag not in known:
            close = closest(tag, known)
            hint = f"did you mean {close!r}? Else list" if close else "list"
            hint = f" ({hint} it in the top-level 'locales' too)"
            reader.error(
                f"{where}.locales", f"{where}.locales: {tag!r} is not a configured locale{hint}"
            )
    required = read("required_locales")
    for tag in required or ():
        if tag not in locs:
            reader.error(
                f"{where}.required_locales",
                f"{where}.required_locales: {tag!r} is not one of the partner's locales",
            )
    hours = _parsed(spec, where, reader, "business_hours", parse_hours, "'09:00-17:00'")
    name, dateline = read("name"), read("dateline")
    days = _parsed(spec, where, reader, "business_days", parse_days, "'mon-fri' or 'sun-thu'")
    return Partner(
        id=pid,
        name=name or pid,
        timezone=tz,
        locales=locs,
        required_locales=locs if required is None else required,
        business_hours=hours,
        dateline=dateline,
        business_days=days,
    )


def _parsed(
    spec: Mapping[str, Any],
    where: str,
    reader: Reader,
    name: str,
    parse: Callable[[str], _V | None],
    shape: str,
) -> _V:
    """Return a partner's text setting parsed, or its default's after an error showing ``shape``."""
    text = reader.value(spec, _PARTNER[name], f"{where}.{name}")
    found = parse(text)
    if found is None:
        reader.error(f"{where}.{name}", f"{where}.{name} must look like {shape}, not {text!r}")
        found = parse(_PARTNER[name].default)
    assert found is not None
    return found


def _valid_zone(name: str) -> bool:
    if not re.match(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", name):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def channel_settings(data: dict[str, Any], reader: Reader) -> tuple[ChannelSettings, ...]:
    """Read ``[channels.<channel>]`` for every built-in channel (absent: the defaults)."""
    table = reader.table(data, "channels")
    specs = channels.registry()
    for name in table:
        if name not in specs:
            hint = channels.did_you_mean(name, specs)
            reader.unknown_name(f"channels.{name}", f"unknown channel {name!r}{hint}")
    result = []
    for name, spec in specs.items():
        settings = table.get(name, {})
        where = f"channels.{name}"
        if not isinstance(settings, dict):
            reader.error(where, f"{where!r} must be a table")
            settings = {}
        reader.unknown(where, settings, _CHANNEL)
        result.append(_channel(name, spec, settings, reader))
    return tuple(result)


def _channel(
    name: str, spec: channels.ChannelSpec, settings: Mapping[str, Any], reader: Reader
) -> ChannelSettings:
    where = f"channels.{name}"

    def read(key: str) -> Any:
        return reader.value(settings, _CHANNEL[key], f"{where}.{key}")

    limit = read("limit")
    if limit is not None and not (0 < limit <= spec.limit):
        reader.error(
            f"{where}.limit",
            f"{where}.limit may only tighten the platform's limit: "
            f"use 1 to {spec.limit}, not {limit}",
        )
        limit = None
    segments = read("max_segments")
    low, high = _bounds(_CHANNEL["max_segments"])
    if not low <= segments <= high:
        reader.error(f"{where}.max_segments", f"{where}.max_segments must be {low} to {high}")
        segments = _CHANNEL["max_segments"].default
    hashtags = read("max_hashtags")
    if hashtags < 0 or (spec.max_hashtags and hashtags > spec.max_hashtags):
        reader.error(
            f"{where}.max_hashtags",
            f"{where}.max_hashtags may only tighten the platform's cap: "
            f"use {_span(spec.max_hashtags)}, not {hashtags}"
            if spec.max_hashtags
            else f"{where}.max_hashtags must be a positive number, not {hashtags}",
        )
        hashtags = _CHANNEL["max_hashtags"].default
    enabled = read("enabled")
    return ChannelSettings(
        name=name,
        enabled=spec.default_enabled if enabled is None else enabled,
        limit=limit,
        max_segments=segments,
        sender=read("from"),
        max_hashtags=hashtags,
        tracking=read("tracking"),
    )


def _bounds(setting: schema.Setting) -> tuple[int, int]:
    """Return a whole-number setting's declared bounds (load/schema.py gives them)."""
    assert setting.bounds is not None, setting.name
    return setting.bounds


def _span(most: int) -> str:
    return "1" if most == 1 else f"1 to {most}"


def schedule(
    data: dict[str, Any], reader: Reader, channel_settings: tuple[ChannelSettings, ...]
) -> ScheduleSettings:
    """Read ``[schedule]``: the spacing of posts and the channels each theme week covers."""
    table = reader.table(data, "schedule")
    spacing = reader.setting(table, _SCHEDULE, "min_spacing_minutes")
    low, high = _bounds(_SCHEDULE["min_spacing_minutes"])
    if not low <= spacing <= high:
        reader.error(
            "schedule.min_spacing_minutes",
            f"schedule.min_spacing_minutes must be {low} to {high} (a week), not {spacing}",
        )
        spacing = _SCHEDULE["min_spacing_minutes"].default
    weekly = reader.setting(table, _SCHEDULE, "weekly_channels")
    known = tuple(c.name for c in channel_settings)
    for name in weekly:
        if name not in known:
            reader.unknown_name(
                "schedule.weekly_channels",
                f"schedule.weekly_channels: unknown channel {name!r}"
                f"{channels.did_you_mean(name, known)}",
            )
    return ScheduleSettings(min_spacing_minutes=spacing, weekly_channels=weekly)
