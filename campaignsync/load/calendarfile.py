"""The joint calendar: observances (one-off or RRULE), campaigns, theme weeks, blackouts."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsync.campaigns import Blackout, Calendar, Campaign, Event, Theme
from campaignsync.load import schema, yamlfile
from campaignsync.load.findings import Findings
from campaignsync.load.schema import did_you_mean
from campaignsync.model import Diagnostic, Severity
from campaignsync.paths import read_text

if TYPE_CHECKING:
    from dateutil.rrule import rrule

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_TOP = schema.CALENDAR[""]
_EVENT = schema.CALENDAR["events.<n>"]
_CAMPAIGN = schema.CALENDAR["campaigns.<n>"]
_THEME = schema.CALENDAR["campaigns.<n>.themes.<n>"]
_BLACKOUT = schema.CALENDAR["campaigns.<n>.blackout.<n>"]


class _Reader(Findings):
    """Reads the calendar's tables, recording what is wrong."""

    def error(self, code: str, key: str, text: str) -> None:
        self.add(code, key, text)

    def table(self, value: Any, where: str, declared: schema.Table) -> dict[str, Any] | None:
        keys = declared.keys
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
                    f"{where}: unknown key {key!r}{declared.hint(key)}",
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

    def day(self, spec: dict[str, Any], table: schema.Table, key: str, where: str) -> date | None:
        """Return the date under ``key``; CS041 when it is not a date, or missing but required."""
        value = spec.get(key)
        if value is None:
            if table[key].required:
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


def read_calendar(
    root: Path, rel: str, partners: tuple[str, ...] | None = None
) -> tuple[Calendar, tuple[Diagnostic, ...]]:
    """Read and parse the calendar file; one that cannot be read is CS040 at line 1."""
    try:
        return load_calendar(rel, read_text(root, rel), partners)
    except ValueError as exc:
        return Calendar(rel, lost=None), (Diagnostic("CS040", Severity.ERROR, str(exc), rel, 1),)


def load_calendar(
    rel: str, text: str, partners: tuple[str, ...] | None = None
) -> tuple[Calendar, tuple[Diagnostic, ...]]:
    """Parse ``content/calendar.yaml`` (``rel`` is its path from the repo root).

    ``partners`` are the configured partner ids that blackout days may name;
    None skips that check.
    """
    try:
        data, lines = yamlfile.load(text)
    except yamlfile.YamlError as exc:
        return Calendar(rel, lost=None), (
            Diagnostic("CS040", Severity.ERROR, exc.text, rel, exc.line),
        )
    reader = _Reader(rel, lines)
    top = reader.table(data if data is not None else {}, "calendar", _TOP)
    if top is None:  # not a mapping: nothing of it read
        return Calendar(rel, lost=None), tuple(reader.items)
    data = top
    events = tuple(_events(data.get("events") or [], reader))
    named = _named(data.get("campaigns"))
    themes_lost: list[str] = []
    campaigns = tuple(_campaigns(data.get("campaigns") or [], reader, partners, themes_lost))
    lost: tuple[str, ...] | None = ()
    if named is None:  # campaigns written otherwise than as a list: none could be read
        lost = None
    elif reader.items:
        lost = (*sorted(named - {c.id for c in campaigns}), *themes_lost)
    return Calendar(rel, events, campaigns, lost), tuple(reader.items)


def _named(value: Any) -> set[str] | None:
    """Return the ids a list of campaigns or themes names, read or not (a number as its text).

    None when they are not a list (none of them read).
    """
    if not isinstance(value, list):
        return set() if value is None else None
    ids = (c.get("id") for c in value if isinstance(c, dict))
    return {str(i) for i in ids if isinstance(i, str | int)}


def _items(value: Any, where: str, reader: _Reader) -> list[Any]:
    if not isinstance(value, list):
        reader.error("CS041", where, f"{where} must be a list")
        return []
    return value


def _events(value: Any, reader: _Reader) -> list[Event]:
    events: list[Event] = []
    for index, raw in enumerate(_items(value, "events", reader), start=1):
        where = f"events.{index}"
        spec = reader.table(raw, where, _EVENT)
        if spec is None:
            continue
        event_id = reader.ident(spec, where, "an event")
        start = reader.day(spec, _EVENT, "start", where)
        end = reader.day(spec, _EVENT, "end", where)
        rule = spec.get("rrule")
        confirmed = spec.get("confirmed", True)
        if not isinstance(confirmed, bool):
            reader.error("CS041", f"{where}.confirmed", f"{where}.confirmed must be true or false")
        if rule is not None:
            if not isinstance(rule, str):
                reader.error("CS042", f"{where}.rrule", f"{where}.rrule must be text")
                continue
            rule = normalize_rrule(rule)
            problem = rrule_problem(rule, start)
            if problem:
                reader.error("CS042", f"{where}.rrule", f"{where}.rrule {rule!r}: {problem}")
                continue
        if start and end and end < start:
            reader.error(
                "CS043", f"{where}.end", f"{where}: ends ({end}) before it starts ({start})"
            )
            continue
        if start and end and (end - start).days >= MAX_EVENT_DAYS:
            reader.error(
                "CS043",
                f"{where}.end",
                f"{where}: lasts {(end - start).days + 1} days; an observance lasts at most "
                f"{MAX_EVENT_DAYS} days (a campaign goes under 'campaigns')",
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


def normalize_rrule(rule: str) -> str:
    """Return an RRULE without an ``RRULE:`` prefix or spaces, in upper case."""
    rule = "".join(rule.split()).upper()
    return rule.removeprefix("RRULE:")


#: An observance is a day or a week or two; a longer span is a mistake (or a campaign).
MAX_EVENT_DAYS = 62


def rrule_problem(rule: str, start: date | None = None) -> str | None:
    """Return why an RRULE cannot be used for an observance starting on ``start``, or None.

    The rule must be yearly, monthly or weekly, name no hours or minutes (the
    observances are whole days), and ``start`` must be one of its days: in
    iCalendar a DTSTART off the rule is an extra occurrence that other tools
    count and campaignsync would not.
    """
    parts = dict(p.partition("=")[::2] for p in rule.split(";") if p)
    if parts.get("FREQ") not in _FREQS:
        return f"FREQ must be one of {', '.join(_FREQS)}"
    timed = [part for part in _TIME_PARTS if part in parts]
    if timed:
        return f"{timed[0]} does not apply to an observance that lasts whole days"
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 100:
        return f"INTERVAL must be a whole number from 1 to 100, not {interval!r}"
    anchor = start or date(2000, 1, 1)
    try:
        expanded = _rule(rule, anchor)
        first = expanded.after(datetime.combine(anchor, time()), inc=True)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return f"not a valid RRULE ({exc})"
    if first is None:
        return "the rule never happens"
    if start is not None and first.date() != start:
        return (
            f"start {start} is not one of the rule's days (the first from then is "
            f"{first.date()}); start on a day the rule gives"
        )
    return None


@lru_cache(maxsize=256)
def _rule(rule: str, start: date) -> rrule:
    from dateutil.rrule import rrule, rrulestr

    parsed = rrulestr(f"RRULE:{rule}", dtstart=datetime.combine(start, time()))
    assert isinstance(parsed, rrule)
    return parsed


def occurrences(event: Event, first: date, last: date) -> list[date]:
    """Return the days in [first, last] on which an event starts."""
    if event.rrule is None:
        return [event.start] if first <= event.start <= last else []
    found = _rule(event.rrule, event.start).between(
        datetime.combine(first, time()), datetime.combine(last, time()), inc=True
    )
    return [when.date() for when in found]


def spans(event: Event, first: date, last: date) -> list[tuple[date, date]]:
    """Return (first day, last day) of each occurrence that overlaps [first, last]."""
    length = (event.end - event.start) if event.end else timedelta(0)
    return [(day, day + length) for day in occurrences(event, first - length, last)]


def _campaigns(
    value: Any, reader: _Reader, partners: tuple[str, ...] | None, themes_lost: list[str]
) -> list[Campaign]:
    """Return the campaigns; add each theme named, not read, to ``themes_lost`` (campaign/id)."""
    campaigns: list[Campaign] = []
    for index, raw in enumerate(_items(value, "campaigns", reader), start=1):
        where = f"campaigns.{index}"
        spec = reader.table(raw, where, _CAMPAIGN)
        if spec is None:
            continue
        campaign_id = reader.ident(spec, where, "a campaign")
        start = reader.day(spec, _CAMPAIGN, "start", where)
        end = reader.day(spec, _CAMPAIGN, "end", where)
        freeze = reader.day(spec, _CAMPAIGN, "freeze", where)
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
        named = _named(spec.get("themes"))
        left = ["*"] if named is None else sorted(named - {t.id for t in themes})
        themes_lost += [f"{campaign_id}/{theme}" for theme in left]
        blackouts = _blackouts(spec.get("blackout") or [], where, start, end, reader, partners)
        name = reader.text(spec, "name", where, campaign_id)
        line = reader.lines.get(f"{where}.id", 1)
        campaigns.append(Campaign(campaign_id, name, start, end, freeze, themes, blackouts, line))
    return campaigns


def _blackouts(
    value: Any,
    parent: str,
    start: date,
    end: date,
    reader: _Reader,
    partners: tuple[str, ...] | None,
) -> tuple[Blackout, ...]:
    found: list[Blackout] = []
    for number, raw in enumerate(_items(value, f"{parent}.blackout", reader), start=1):
        where = f"{parent}.blackout.{number}"
        line = reader.line(where)
        if isinstance(raw, dict):
            spec = reader.table(raw, where, _BLACKOUT) or {}
            day = reader.day(spec, _BLACKOUT, "day", where)
            names = spec.get("partners", [])
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                reader.error("CS041", f"{where}.partners", f"{where}.partners must be a list")
                continue
            unknown = [n for n in names if partners is not None and n not in partners]
            if unknown:
                hint = did_you_mean(unknown[0], partners or ())
                reader.error(
                    "CS041", f"{where}.partners", f"{where}: unknown partner {unknown[0]!r}{hint}"
                )
                continue
            reason = reader.text(spec, "reason", where, "")
            if day is None:
                continue
        elif isinstance(raw, datetime) or not isinstance(raw, date):
            reader.error(
                "CS041",
                where,
                f"{parent}.blackout: {raw!r} is not a date (or {{day: ..., partners: [...]}})",
            )
            continue
        else:
            day, names, reason = raw, [], ""
        if not start <= day <= end:
            reader.error("CS043", where, f"{parent}.blackout: {day} is outside the campaign")
            continue
        found.append(Blackout(day, tuple(names), reason, line))
    return tuple(found)


def _themes(value: Any, parent: str, start: date, end: date, reader: _Reader) -> tuple[Theme, ...]:
    themes: list[Theme] = []
    for index, raw in enumerate(_items(value, f"{parent}.themes", reader), start=1):
        where = f"{parent}.themes.{index}"
        spec = reader.table(raw, where, _THEME)
        if spec is None:
            continue
        theme_id = reader.ident(spec, where, "a theme")
        first = reader.day(spec, _THEME, "start", where)
        last = reader.day(spec, _THEME, "end", where)
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
