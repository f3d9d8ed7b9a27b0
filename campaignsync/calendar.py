"""The joint calendar: observances (one-off or RRULE), campaigns, theme weeks, blackouts."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from campaignsync import yamlfile
from campaignsync.config import did_you_mean
from campaignsync.findings import Findings
from campaignsync.model import Calendar, Campaign, Diagnostic, Event, Severity, Theme

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY")
_EVENT_KEYS = ("id", "name", "start", "end", "rrule", "confirmed")
_CAMPAIGN_KEYS = ("id", "name", "start", "end", "freeze", "themes", "blackout")
_THEME_KEYS = ("id", "name", "start", "end")


class _Reader(Findings):
    """Reads the calendar's tables, recording what is wrong."""

    def error(self, code: str, key: str, text: str) -> None:
        self.add(code, key, text)

    def table(self, value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(
                "CS041", where, f"{where}: expected a mapping with {', '.join(keys[:3])}, ..."
            )
            return None
        for key in value:
            if key not in keys:
                self.error(
                    "CS041",
                    f"{where}.{key}",
                    f"{where}: unknown key {key!r}{did_you_mean(key, keys)}",
                )
        return value

    def ident(self, spec: dict[str, Any], where: str, what: str) -> str | None:
        value = spec.get("id")
        if value is None:
            self.error("CS041", where, f"{where}: {what} has no 'id'")
            return None
        if not isinstance(value, str):
            self.error(
                "CS041", f"{where}.id", f"{where}.id must be text, not {value!r} (put it in quotes)"
            )
            return None
        if not _ID_RE.match(value):
            self.error(
                "CS041",
                f"{where}.id",
                f"{where}.id {value!r} must be lower-case letters, digits and '-'",
            )
            return None
        return value

    def day(self, spec: dict[str, Any], key: str, where: str, required: bool = True) -> date | None:
        value = spec.get(key)
        if value is None:
            if required:
                self.error("CS041", where, f"{where}: missing {key!r} (a date such as 2026-10-01)")
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.error(
                "CS041",
                f"{where}.{key}",
                f"{where}.{key} must be a date such as 2026-10-01, not {value!r}",
            )
            return None
        return value

    def text(self, spec: dict[str, Any], key: str, where: str, default: str) -> str:
        value = spec.get(key, default)
        if not isinstance(value, str):
            self.error("CS041", f"{where}.{key}", f"{where}.{key} must be text")
            return default
        return value


def load_calendar(rel: str, text: str) -> tuple[Calendar, tuple[Diagnostic, ...]]:
    """Parse ``content/calendar.yaml`` (``rel`` is its path from the repo root)."""
    try:
        data, lines = yamlfile.load(text)
    except yamlfile.YamlError as exc:
        return Calendar(rel), (Diagnostic("CS040", Severity.ERROR, exc.text, rel, exc.line),)
    reader = _Reader(rel, lines)
    data = reader.table(data if data is not None else {}, "calendar", ("events", "campaigns")) or {}
    events = tuple(_events(data.get("events") or [], reader))
    campaigns = tuple(_campaigns(data.get("campaigns") or [], reader))
    return Calendar(rel, events, campaigns), tuple(reader.items)


def _items(value: Any, where: str, reader: _Reader) -> list[Any]:
    if not isinstance(value, list):
        reader.error("CS041", where, f"{where} must be a list")
        return []
    return value


def _events(value: Any, reader: _Reader) -> list[Event]:
    events: list[Event] = []
    for index, raw in enumerate(_items(value, "events", reader), start=1):
        where = f"events.{index}"
        spec = reader.table(raw, where, _EVENT_KEYS)
        if spec is None:
            continue
        event_id = reader.ident(spec, where, "an event")
        start = reader.day(spec, "start", where)
        end = reader.day(spec, "end", where, required=False)
        rule = spec.get("rrule")
        confirmed = spec.get("confirmed", True)
        if not isinstance(confirmed, bool):
            reader.error("CS041", f"{where}.confirmed", f"{where}.confirmed must be true or false")
        if rule is not None and (not isinstance(rule, str) or rrule_problem(rule)):
            problem = rrule_problem(rule) if isinstance(rule, str) else "must be text"
            reader.error("CS042", f"{where}.rrule", f"{where}.rrule {rule!r}: {problem}")
            continue
        if start and end and end < start:
            reader.error(
                "CS043", f"{where}.end", f"{where}: ends ({end}) before it starts ({start})"
            )
            continue
        if event_id in {e.id for e in events}:
            reader.error("CS044", f"{where}.id", f"{where}: a second event with id {event_id!r}")
            continue
        if event_id and start:
            name = reader.text(spec, "name", where, event_id)
            line = reader.lines.get(f"{where}.id", 1)
            events.append(Event(event_id, name, start, end, rule, confirmed is not False, line))
    return events


def rrule_problem(rule: str) -> str | None:
    """Return why an RRULE cannot be used for an annual observance, or None."""
    from dateutil.rrule import rrulestr

    parts = dict(p.partition("=")[::2] for p in rule.upper().split(";") if p)
    if parts.get("FREQ") not in _FREQS:
        return f"FREQ must be one of {', '.join(_FREQS)}"
    try:
        rrulestr(f"RRULE:{rule}", dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        return f"not a valid RRULE ({exc})"
    return None


def occurrences(event: Event, first: date, last: date) -> list[date]:
    """Return the days in [first, last] on which an event starts."""
    if event.rrule is None:
        return [event.start] if first <= event.start <= last else []
    from dateutil.rrule import rrulestr

    rule = rrulestr(
        f"RRULE:{event.rrule}", dtstart=datetime.combine(event.start, datetime.min.time())
    )
    found = rule.between(
        datetime.combine(first, datetime.min.time()),
        datetime.combine(last, datetime.max.time()),
        inc=True,
    )
    return [when.date() for when in found]


def _campaigns(value: Any, reader: _Reader) -> list[Campaign]:
    campaigns: list[Campaign] = []
    for index, raw in enumerate(_items(value, "campaigns", reader), start=1):
        where = f"campaigns.{index}"
        spec = reader.table(raw, where, _CAMPAIGN_KEYS)
        if spec is None:
            continue
        campaign_id = reader.ident(spec, where, "a campaign")
        start = reader.day(spec, "start", where)
        end = reader.day(spec, "end", where)
        freeze = reader.day(spec, "freeze", where, required=False)
        if not (campaign_id and start and end):
            continue
        if end < start:
            reader.error(
                "CS043", f"{where}.end", f"{where}: ends ({end}) before it starts ({start})"
            )
            continue
        if freeze and freeze > end:
            reader.error(
                "CS043",
                f"{where}.freeze",
                f"{where}: freeze date {freeze} is after the campaign ends",
            )
        if campaign_id in {c.id for c in campaigns}:
            reader.error(
                "CS044", f"{where}.id", f"{where}: a second campaign with id {campaign_id!r}"
            )
            continue
        themes = _themes(spec.get("themes") or [], where, start, end, reader)
        blackout = []
        for number, day in enumerate(
            _items(spec.get("blackout") or [], f"{where}.blackout", reader), start=1
        ):
            if isinstance(day, datetime) or not isinstance(day, date):
                reader.error(
                    "CS041",
                    f"{where}.blackout.{number}",
                    f"{where}.blackout: {day!r} is not a date",
                )
            elif not start <= day <= end:
                reader.error(
                    "CS043",
                    f"{where}.blackout.{number}",
                    f"{where}.blackout: {day} is outside the campaign",
                )
            else:
                blackout.append(day)
        name = reader.text(spec, "name", where, campaign_id)
        line = reader.lines.get(f"{where}.id", 1)
        campaigns.append(
            Campaign(campaign_id, name, start, end, freeze, themes, tuple(blackout), line)
        )
    return campaigns


def _themes(value: Any, parent: str, start: date, end: date, reader: _Reader) -> tuple[Theme, ...]:
    themes: list[Theme] = []
    for index, raw in enumerate(_items(value, f"{parent}.themes", reader), start=1):
        where = f"{parent}.themes.{index}"
        spec = reader.table(raw, where, _THEME_KEYS)
        if spec is None:
            continue
        theme_id = reader.ident(spec, where, "a theme")
        first = reader.day(spec, "start", where)
        last = reader.day(spec, "end", where)
        if not (theme_id and first and last):
            continue
        if last < first:
            reader.error(
                "CS043",
                f"{where}.end",
                f"theme {theme_id!r} ends ({last}) before it starts ({first})",
            )
            continue
        if first < start or last > end:
            reader.error(
                "CS043",
                where,
                f"theme {theme_id!r} ({first} to {last}) lies outside its campaign "
                f"({start} to {end})",
            )
            continue
        clash = next((t for t in themes if first <= t.end and t.start <= last), None)
        if clash:
            reader.error(
                "CS043",
                where,
                f"theme {theme_id!r} overlaps theme {clash.id!r} ({clash.start} to {clash.end})",
            )
            continue
        if theme_id in {t.id for t in themes}:
            reader.error("CS044", f"{where}.id", f"a second theme with id {theme_id!r}")
            continue
        name = reader.text(spec, "name", where, theme_id)
        themes.append(Theme(theme_id, name, first, last, reader.lines.get(f"{where}.id", 1)))
    return tuple(themes)
