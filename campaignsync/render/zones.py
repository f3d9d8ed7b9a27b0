"""Partners' time zones: local times, clock changes, and the offset between two partners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from campaignsync.model import Partner


@cache
def zone(name: str) -> ZoneInfo:
    """Return the zone for an IANA name (validated by the config)."""
    return ZoneInfo(name)


def city(name: str) -> str:
    """Return the place an IANA zone is named after: ``America/New_York`` -> ``New York``."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def local(instant: datetime, partner: Partner) -> datetime:
    """Return an aware instant on the partner's wall clock."""
    return instant.astimezone(zone(partner.timezone))


def hours(delta: timedelta) -> str:
    """Return ``5 h`` or ``5 h 30`` for an offset between two zones."""
    minutes = int(abs(delta).total_seconds()) // 60
    text = f"{minutes // 60} h" + (f" {minutes % 60:02d}" if minutes % 60 else "")
    return f"-{text}" if delta < timedelta(0) else text


def utc_offset(delta: timedelta | None) -> str:
    """Return ``UTC+02:00`` (``UTC`` for zero) for an offset from UTC."""
    if not delta:
        return "UTC"
    sign = "-" if delta < timedelta(0) else "+"
    minutes = int(abs(delta).total_seconds()) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def clock(moment: datetime) -> str:
    """Return ``Thu 1 Oct 10:00 CEST``: a wall-clock moment with its zone abbreviation."""
    return f"{moment:%a} {moment.day} {moment:%b %H:%M} {moment.tzname()}"


def wall_problem(wall: datetime, name: str) -> str | None:
    """Return "missing" or "twice" when a wall-clock time falls in a clock change, else None.

    ``wall`` is naive. A time in the spring gap (02:30 when clocks jump from
    02:00 to 03:00) does not exist; one in the autumn overlap happens twice.
    """
    tz = zone(name)
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return "missing" if back != wall else "twice"


@dataclass(frozen=True, slots=True)
class Change:
    """A change of a zone's UTC offset: clocks going forward or back."""

    instant: datetime  # aware, UTC
    before: timedelta
    after: timedelta

    @property
    def forward(self) -> bool:
        """Return True when clocks go forward (an hour of wall time is skipped)."""
        return self.after > self.before

    def wall(self) -> tuple[datetime, datetime]:
        """Return the wall-clock times just before and just after the change (naive)."""
        return (
            (self.instant + self.before).replace(tzinfo=None),
            (self.instant + self.after).replace(tzinfo=None),
        )


def changes(name: str, first: date, last: date) -> list[Change]:
    """Return the offset changes of a zone between the starts of ``first`` and ``last + 1``."""
    tz = zone(name)
    found: list[Change] = []
    start = datetime.combine(first, time(), UTC) - timedelta(hours=14)
    end = datetime.combine(last + timedelta(days=1), time(), UTC) + timedelta(hours=14)
    step = timedelta(hours=6)
    moment = start
    while moment < end:
        upper = moment + step
        before, after = moment.astimezone(tz).utcoffset(), upper.astimezone(tz).utcoffset()
        if before != after and before is not None and after is not None:
            low, high = moment, upper
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(tz).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            instant = high.replace(second=0, microsecond=0)
            local_day = instant.astimezone(tz).date()
            if first <= local_day <= last:
                found.append(Change(instant, before, after))
        moment = upper
    return found


def gap(a: str, b: str, instant: datetime) -> timedelta:
    """Return how far zone ``a`` is ahead of zone ``b`` at an instant."""
    offset_a = instant.astimezone(zone(a)).utcoffset() or timedelta(0)
    offset_b = instant.astimezone(zone(b)).utcoffset() or timedelta(0)
    return offset_a - offset_b


def usual_gaps(a: str, b: str, year: int) -> frozenset[timedelta]:
    """Return the offsets between two zones in mid-winter and mid-summer of a year.

    For Brussels and New York both are 6 h; the weeks when the clocks of the
    two have changed on different dates (5 h) are the exceptions.
    """
    return frozenset(gap(a, b, datetime(year, month, 15, 12, tzinfo=UTC)) for month in (1, 7))


def unusual_runs(a: str, b: str, first: date, last: date) -> list[tuple[date, date, timedelta]]:
    """Return the runs of days (``a``'s, at noon) when a and b are not their usual gap apart."""
    usual = usual_gaps(a, b, first.year)
    if len(usual) != 1 or a == b:
        return []
    normal = next(iter(usual))
    runs: list[tuple[date, date, timedelta]] = []
    start: tuple[date, timedelta] | None = None
    day = first
    while day <= last + timedelta(days=1):
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone(a))
        current = gap(a, b, noon) if day <= last else normal
        if current != normal and start is None:
            start = (day, current)
        elif current == normal and start is not None:
            runs.append((start[0], day - timedelta(days=1), start[1]))
            start = None
        day += timedelta(days=1)
    return runs


def apart(a: str, b: str, current: timedelta, normal: timedelta) -> str:
    """Return ``Brussels is 5 h ahead of New York (usually 6 h)``, or ``... behind ...``."""
    if current >= timedelta(0):
        return f"{city(a)} is {hours(current)} ahead of {city(b)} (usually {hours(normal)})"
    return f"{city(a)} is {hours(-current)} behind {city(b)} (usually {hours(-normal)})"


def times(instant: datetime, partners: tuple[Partner, ...]) -> str:
    """Return ``10:00 Brussels (eu) = 04:00 New York (us)`` for one instant.

    A partner whose local date differs from the first partner's gets its
    weekday and day as well, so no one misreads the day.
    """
    parts = []
    first_day: date | None = None
    for partner in partners:
        moment = local(instant, partner)
        label = f"{moment:%H:%M}"
        if first_day is not None and moment.date() != first_day:
            label = f"{moment:%a} {moment.day} {moment:%b} {label}"
        first_day = first_day or moment.date()
        parts.append(f"{label} {city(partner.timezone)} ({partner.id})")
    return " = ".join(parts)
