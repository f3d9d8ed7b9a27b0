"""``campaignsync init``: a new campaign repository that checks and builds as it is."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

from campaignsync import gitrepo
from campaignsync.commands import locales
from campaignsync.errors import ConfigError
from campaignsync.load.project import require_project

_RENAMES = {"gitignore": ".gitignore"}


def _campaign_year(today: date) -> int:
    """Return the year of the next October campaign that has not ended."""
    return today.year if today <= date(today.year, 10, 31) else today.year + 1


def _first_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _safer_internet_day(year: int) -> date:
    """Return the Tuesday from 5 to 11 February."""
    day = date(year, 2, 5)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _values(year: int) -> dict[str, str]:
    kickoff = _first_weekday(date(year, 10, 1))
    slot = time(10, 0)
    return {
        "year": str(year),
        "sid": _safer_internet_day(year).isoformat(),
        "slot_eu": datetime.combine(kickoff, slot, ZoneInfo("Europe/Brussels")).isoformat(),
        "slot_us": datetime.combine(kickoff, slot, ZoneInfo("America/New_York")).isoformat(),
    }


def _copy(source: Traversable, target: Path, values: dict[str, str], count: int = 0) -> int:
    for item in sorted(source.iterdir(), key=lambda t: t.name):
        name = _RENAMES.get(item.name, item.name.replace("YEAR", values["year"]))
        if item.is_dir():
            (target / name).mkdir()
            count = _copy(item, target / name, values, count)
        elif not item.name.endswith((".pyc", ".py")):
            text = item.read_text(encoding="utf-8")
            (target / name).write_text(Template(text).safe_substitute(values), encoding="utf-8")
            count += 1
    return count


def create(directory: Path, now: datetime) -> int:
    """Create the repository (files, git, POT and PO catalogs); return the file count."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is a file; choose a new folder")
    if directory.is_dir() and any(directory.iterdir()):
        raise ConfigError(f"{directory} is not empty; choose a new folder")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {directory}: {exc.strerror}") from None
    values = _values(_campaign_year(now.date()))
    count = _copy(resources.files("campaignsync") / "starter", directory, values)
    gitrepo.init(directory)
    project, _ = require_project(directory.resolve())
    return count + 1 + len(locales.update(project, now).catalogs)
