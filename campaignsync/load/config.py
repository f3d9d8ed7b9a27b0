"""Finding, reading and validating ``campaignsync.toml``."""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from collections.abc import Iterator, Mapping
from datetime import time
from pathlib import Path
from typing import Any

from campaignsync import channels
from campaignsync.errors import ConfigError, DiagnosticsError, UsageError
from campaignsync.load import plain
from campaignsync.load.findings import Findings
from campaignsync.model import (
    ChannelSettings,
    Config,
    Diagnostic,
    LinkSettings,
    Locale,
    Partner,
    Paths,
    ScheduleSettings,
    Severity,
)
from campaignsync.paths import is_inside

CONFIG_NAME = "campaignsync.toml"

_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?$")
_ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_CODE_RE = re.compile(r"^CS[0-9]{3}$")
_HOURS_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


class LocaleError(ValueError):
    """A locale identifier that is not a valid, canonical BCP 47 tag."""


def find_root(start: Path) -> Path:
    """Return the nearest directory at or above ``start`` holding ``campaignsync.toml``.

    The search stops at the top of a git work tree: a stray config above the
    repository (in a home or temporary folder) is never picked up by mistake.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
        if (folder / ".git").exists():
            raise ConfigError(
                f"no {CONFIG_NAME} in {start} or any folder above it up to the top of its "
                f"git repository ({folder}); run the command inside a campaign repository, "
                "pass --repo, or create one with 'campaignsync init DIR'"
            )
    raise ConfigError(
        f"no {CONFIG_NAME} in {start} or any folder above it; "
        "run the command inside a campaign repository, pass --repo, "
        "or create one with 'campaignsync init DIR'"
    )


def parse_locale(text: str) -> Locale:
    """Return the locale for a BCP 47 tag such as ``pt-PT``, validated with Babel.

    Only canonical spellings are accepted: ``iw`` (an alias of ``he``) or
    ``de_DE.utf8`` are rejected rather than silently rewritten, so a path is
    never built from anything but a known, canonical locale.
    """
    from campaignsync.l10n import cldr

    if not isinstance(text, str) or not _LOCALE_RE.match(text):
        raise LocaleError(f"{text!r} is not a locale tag like 'de' or 'pt-PT'")
    try:
        parsed = cldr.parse_tag(text)
    except cldr.UnknownTag:
        raise LocaleError(f"{text!r} is not a locale that CLDR knows") from None
    canonical = str(parsed)
    tag = canonical.replace("_", "-")
    if tag != text or parsed.language in ("und", "root"):
        # An alias such as iw -> he_IL: suggest the tag with as many parts as typed.
        if "-" not in text and "_" not in text:
            tag = parsed.language
        raise LocaleError(f"{text!r} is not a canonical locale tag; did you mean {tag!r}?")
    return Locale(tag=tag, gettext=canonical, direction=parsed.text_direction)


def configured_locale(config: Config, text: str) -> Locale:
    """Return the configured locale ``text`` names; else raise UsageError saying what is meant.

    A tag spelled another way (``pt_PT``, ``DE``) is told its canonical spelling;
    a valid tag the config does not list is told the configured one of the
    same language, or the nearest.
    """
    found = config.locale(text)
    if found is not None:
        return found
    try:
        tag = parse_locale(text).tag
    except LocaleError as exc:
        raise UsageError(str(exc)) from None
    tags = [loc.tag for loc in config.all_locales]
    language = tag.split("-")[0]
    same = [t for t in tags if t.split("-")[0] == language]
    hint = f"; did you mean {(language if language in same else same[0])!r}?" if same else ""
    if not hint and (close := difflib.get_close_matches(tag, tags, n=1, cutoff=0.6)):
        hint = f"; did you mean {close[0]!r}?"
    raise UsageError(f"locale {text!r} is not in {CONFIG_NAME}{hint} (locales: {', '.join(tags)})")


def did_you_mean(word: str, choices: Iterator[str] | tuple[str, ...] | list[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def line_of(root: Path, key: str) -> int:
    """Return the 1-based line of a dotted key in ``campaignsync.toml`` (1 when unknown)."""
    return key_line(root, key) or 1


def key_line(root: Path, key: str) -> int | None:
    """Return the 1-based line of a dotted key in ``campaignsync.toml``, or None."""
    try:
        return _key_lines((root / CONFIG_NAME).read_text(encoding="utf-8")).get(key)
    except (OSError, UnicodeDecodeError):
        return None


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted TOML keys and table headers to their 1-based lines (best effort)."""
    lines: dict[str, int] = {}
    table = ""
    header = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
    key = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")
    for number, raw in enumerate(text.splitlines(), start=1):
        if m := header.match(raw):
            table = ".".join(part.strip().strip("\"'") for part in m.group(1).split("."))
            lines.setdefault(table, number)
        elif m := key.match(raw):
            name = ".".join(part.strip().strip("\"'") for part in m.group(1).split("."))
            lines.setdefault(f"{table}.{name}" if table else name, number)
    return lines


class _Reader(Findings):
    """Reads typed settings from TOML tables, recording what is wrong."""

    def error(self, key: str, text: str, code: str = "CS003") -> None:
        self.add(code, key, text)

    def unknown(self, key: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for name in table:
            if name not in known:
                where = f"{key}.{name}" if key else name
                hint = did_you_mean(name, known)
                self.error(where, f"unknown setting {where!r}{hint}", "CS002")

    def get(self, table: Mapping[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
        value = table.get(key, default)
        if value is default:
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.error(where, f"{where!r} must be {_KIND_NAMES[kind]}, not {_describe(value)}")
            return default
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(where, f"{where!r} must be a list of strings, not {_describe(value)}")
            return None
        return tuple(value)


_KIND_NAMES = {str: "a string", int: "a whole number", bool: "true or false", dict: "a table"}


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_TOP_KEYS = (
    "name",
    "source_locale",
    "locales",
    "default_campaign",
    "base_url",
    "fallbacks",
    "partners",
    "channels",
    "paths",
    "checks",
    "translation",
    "schedule",
    "readability",
    "accessibility",
    "git",
    "links",
)
_PARTNER_KEYS = (
    "name",
    "timezone",
    "locales",
    "required_locales",
    "business_hours",
    "business_days",
    "dateline",
)
_CHANNEL_KEYS = ("enabled", "limit", "max_segments", "max_hashtags", "from", "tracking")
_PATH_KEYS = ("content", "locales", "templates", "out")


def load_config(root: Path) -> tuple[Config | None, tuple[Diagnostic, ...]]:
    """Read ``root/campaignsync.toml`` and return the config (None if unusable) and findings."""
    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{CONFIG_NAME}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        return None, (Diagnostic("CS001", Severity.ERROR, "not UTF-8 text", CONFIG_NAME, 1),)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line = int(m.group(1)) if m else 1
        return None, (
            Diagnostic("CS001", Severity.ERROR, f"invalid TOML: {message}", CONFIG_NAME, line),
        )
    reader = _Reader(CONFIG_NAME, _key_lines(text))
    config = _build(root, data, reader)
    if reader.has_errors:
        return None, tuple(reader.items)
    return config, tuple(reader.items)


def require_config(root: Path) -> Config:
    """Return the config of ``root``; DiagnosticsError with the reasons when it is unusable."""
    config, found = load_config(root)
    if config is None:
        raise DiagnosticsError(found)
    return config


def _locale_or_error(reader: _Reader, where: str, tag: object) -> Locale | None:
    try:
        return parse_locale(tag)  # type: ignore[arg-type]
    except LocaleError as exc:
        reader.error(where, f"{where}: {exc}", "CS004")
        return None


def _build(root: Path, data: dict[str, Any], reader: _Reader) -> Config:
    reader.unknown("", data, _TOP_KEYS)
    name = reader.get(data, "name", str, "Awareness campaign", "name")
    source_tag = reader.get(data, "source_locale", str, None, "source_locale")
    if source_tag is None:
        reader.error("source_locale", "missing setting 'source_locale' (for example 'en')", "CS003")
        source_tag = "en"
    source = _locale_or_error(reader, "source_locale", source_tag) or Locale("en", "en")

    locales: list[Locale] = []
    seen = {source.tag}
    for tag in reader.strings(data, "locales", "locales") or ():
        loc = _locale_or_error(reader, "locales", tag)
        if loc is None:
            continue
        if loc.tag in seen:
            reader.error("locales", f"locale {loc.tag!r} is listed twice (or is the source)")
            continue
        seen.add(loc.tag)
        locales.append(loc)

    fallbacks = _fallbacks(data, reader, seen, source)
    locales = [
        Locale(loc.tag, loc.gettext, loc.direction, fallbacks.get(loc.tag, ())) for loc in locales
    ]
    partners = _partners(data, reader, seen)
    channel_settings = _channels(data, reader)
    paths = _paths(data, reader)
    checks = reader.get(data, "checks", dict, {}, "checks")
    reader.unknown("checks", checks, ("ignore",))
    ignore = reader.strings(checks, "ignore", "checks.ignore") or ()
    for code in ignore:
        if not _CODE_RE.match(code):
            reader.error("checks.ignore", f"{code!r} is not a check code like 'CS012'")
    translation = reader.get(data, "translation", dict, {}, "translation")
    reader.unknown("translation", translation, ("protected_terms", "glossary"))
    protected = reader.strings(translation, "protected_terms", "translation.protected_terms") or ()
    base_url = reader.get(data, "base_url", str, "https://example.org", "base_url")
    if not re.match(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s\"'<>]*)?$", base_url):
        reader.error("base_url", f"'base_url' must be an https:// address, not {base_url!r}")
    default_campaign = reader.get(data, "default_campaign", str, None, "default_campaign")
    schedule = _schedule(data, reader, channel_settings)
    git_remote, git_branch = _git(data, reader)
    links = _links(data, reader)
    return Config(
        root=root,
        name=name,
        source_locale=source,
        locales=tuple(locales),
        partners=partners,
        channels=channel_settings,
        paths=paths,
        base_url=base_url.rstrip("/"),
        default_campaign=default_campaign,
        ignore=frozenset(ignore),
        protected_terms=protected,
        schedule=schedule,
        readability=plain.readability(data, reader),
        accessibility=plain.accessibility(data, reader),
        glossary=plain.glossary(translation, reader),
        git_remote=git_remote,
        git_branch=git_branch,
        links=links,
    )


def _links(data: dict[str, Any], reader: _Reader) -> LinkSettings:
    """Return where web pages are published and which tracking links carry (``[links]``)."""
    from campaignsync.render import links

    table = reader.get(data, "links", dict, {}, "links")
    reader.unknown("links", table, ("page_url", "tracking"))
    default = LinkSettings()
    pattern = reader.get(table, "page_url", str, default.page_url, "links.page_url")
    if (problem := links.pattern_problem(pattern)) is not None:
        reader.error("links.page_url", f"links.page_url {problem}, not {pattern!r}")
        pattern = default.page_url
    tracking = reader.get(table, "tracking", str, default.tracking, "links.tracking")
    if tracking not in links.TRACKING:
        choices = ", ".join(repr(t) for t in links.TRACKING)
        reader.error("links.tracking", f"links.tracking must be one of {choices}, not {tracking!r}")
        tracking = default.tracking
    return LinkSettings(page_url=pattern, tracking=tracking)


_GIT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


def _git(data: dict[str, Any], reader: _Reader) -> tuple[str, str | None]:
    """Return the shared remote and branch that ``sync`` follows (``[git]``)."""
    table = reader.get(data, "git", dict, {}, "git")
    reader.unknown("git", table, ("remote", "branch"))
    remote = reader.get(table, "remote", str, "origin", "git.remote")
    branch = reader.get(table, "branch", str, None, "git.branch")
    for key, value in (("remote", remote), ("branch", branch)):
        if value is not None and (not _GIT_NAME_RE.match(value) or ".." in value):
            reader.error(f"git.{key}", f"git.{key} {value!r} is not a git {key} name")
    return remote, branch


def _fallbacks(
    data: dict[str, Any], reader: _Reader, known: set[str], source: Locale
) -> dict[str, tuple[str, ...]]:
    table = reader.get(data, "fallbacks", dict, {}, "fallbacks")
    result: dict[str, tuple[str, ...]] = {}
    for tag in table:
        where = f"fallbacks.{tag}"
        if tag not in known or tag == source.tag:
            reader.error(where, f"fallbacks: {tag!r} is not one of the configured locales")
            continue
        items = reader.strings(table, tag, where)
        if items is None:
            continue
        for item in items:
            if item not in known:
                reader.error(where, f"{where}: {item!r} is not a configured locale")
            elif item == tag:
                reader.error(where, f"{where}: a locale cannot fall back to itself")
        result[tag] = tuple(i for i in items if i in known and i != tag)
    return result


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


def _partners(data: dict[str, Any], reader: _Reader, known: set[str]) -> tuple[Partner, ...]:
    table = reader.get(data, "partners", dict, {}, "partners")
    if not table:
        reader.error("partners", "no partners: add at least one [partners.<id>] table")
    partners = []
    for pid, spec in table.items():
        where = f"partners.{pid}"
        if not _ID_RE.match(pid):
            reader.error(where, f"partner id {pid!r} must be lower-case letters, digits and '-'")
            continue
        if not isinstance(spec, dict):
            reader.error(where, f"{where!r} must be a table")
            continue
        reader.unknown(where, spec, _PARTNER_KEYS)
        tz = reader.get(spec, "timezone", str, "", f"{where}.timezone")
        if not tz:
            reader.error(
                where, f"{where}: missing 'timezone' (an IANA zone such as 'Europe/Brussels')"
            )
        elif not _valid_zone(tz):
            reader.error(
                f"{where}.timezone", f"{where}.timezone: unknown time zone {tz!r}", "CS005"
            )
        locs = reader.strings(spec, "locales", f"{where}.locales") or ()
        for tag in locs:
            if tag not in known:
                reader.error(
                    f"{where}.locales",
                    f"{where}.locales: {tag!r} is not a configured locale "
                    "(list it in the top-level 'locales' too)",
                )
        required = reader.strings(spec, "required_locales", f"{where}.required_locales")
        for tag in required or ():
            if tag not in locs:
                reader.error(
                    f"{where}.required_locales",
                    f"{where}.required_locales: {tag!r} is not one of the partner's locales",
                )
        hours_text = reader.get(
            spec, "business_hours", str, "09:00-17:00", f"{where}.business_hours"
        )
        hours = parse_hours(hours_text)
        if hours is None:
            reader.error(
                f"{where}.business_hours",
                f"{where}.business_hours must look like '09:00-17:00', not {hours_text!r}",
            )
            hours = (time(9), time(17))
        partners.append(
            Partner(
                id=pid,
                name=reader.get(spec, "name", str, pid, f"{where}.name"),
                timezone=tz,
                locales=locs,
                required_locales=locs if required is None else required,
                business_hours=hours,
                dateline=reader.get(spec, "dateline", str, "", f"{where}.dateline"),
                business_days=_business_days(spec, where, reader),
            )
        )
    return tuple(partners)


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> tuple[int, ...] | None:
    """Return weekday numbers (0 = Monday) for ``"mon-fri"`` or ``"sun-thu"``, else None."""
    first, sep, last = text.strip().lower().partition("-")
    if not sep or first not in _DAYS or last not in _DAYS:
        return None
    start, end = _DAYS.index(first), _DAYS.index(last)
    return tuple(sorted((start + i) % 7 for i in range((end - start) % 7 + 1)))


def _business_days(spec: Mapping[str, Any], where: str, reader: _Reader) -> tuple[int, ...]:
    text = reader.get(spec, "business_days", str, "mon-fri", f"{where}.business_days")
    days = parse_days(text)
    if days is None:
        reader.error(
            f"{where}.business_days",
            f"{where}.business_days must look like 'mon-fri' or 'sun-thu', not {text!r}",
        )
        return (0, 1, 2, 3, 4)
    return days


def _schedule(
    data: dict[str, Any], reader: _Reader, channel_settings: tuple[ChannelSettings, ...]
) -> ScheduleSettings:
    table = reader.get(data, "schedule", dict, {}, "schedule")
    reader.unknown("schedule", table, ("min_spacing_minutes", "weekly_channels"))
    default = ScheduleSettings()
    spacing = reader.get(
        table,
        "min_spacing_minutes",
        int,
        default.min_spacing_minutes,
        "schedule.min_spacing_minutes",
    )
    if not 0 <= spacing <= 7 * 24 * 60:
        reader.error(
            "schedule.min_spacing_minutes",
            f"schedule.min_spacing_minutes must be 0 to 10080 (a week), not {spacing}",
        )
        spacing = default.min_spacing_minutes
    weekly = reader.strings(table, "weekly_channels", "schedule.weekly_channels")
    known = tuple(c.name for c in channel_settings)
    for name in weekly or ():
        if name not in known:
            reader.error(
                "schedule.weekly_channels",
                f"schedule.weekly_channels: unknown channel {name!r}"
                f"{channels.did_you_mean(name, known)}",
                "CS002",
            )
    return ScheduleSettings(
        min_spacing_minutes=spacing,
        weekly_channels=default.weekly_channels if weekly is None else weekly,
    )


def _valid_zone(name: str) -> bool:
    if not re.match(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", name):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _channels(data: dict[str, Any], reader: _Reader) -> tuple[ChannelSettings, ...]:
    table = reader.get(data, "channels", dict, {}, "channels")
    specs = channels.registry()
    for name in table:
        if name not in specs:
            hint = channels.did_you_mean(name, specs)
            reader.error(f"channels.{name}", f"unknown channel {name!r}{hint}", "CS002")
    result = []
    for name, spec in specs.items():
        settings = table.get(name, {})
        where = f"channels.{name}"
        if not isinstance(settings, dict):
            reader.error(where, f"{where!r} must be a table")
            settings = {}
        reader.unknown(where, settings, _CHANNEL_KEYS)
        limit = reader.get(settings, "limit", int, None, f"{where}.limit")
        if limit is not None and not (0 < limit <= spec.limit):
            reader.error(
                f"{where}.limit",
                f"{where}.limit may only tighten the platform's limit: "
                f"use 1 to {spec.limit}, not {limit}",
            )
            limit = None
        segments = reader.get(settings, "max_segments", int, 1, f"{where}.max_segments")
        if not 1 <= segments <= 10:
            reader.error(f"{where}.max_segments", f"{where}.max_segments must be 1 to 10")
            segments = 1
        hashtags = reader.get(settings, "max_hashtags", int, 0, f"{where}.max_hashtags")
        if hashtags < 0 or (spec.max_hashtags and hashtags > spec.max_hashtags):
            reader.error(
                f"{where}.max_hashtags",
                f"{where}.max_hashtags may only tighten the platform's cap: "
                f"use {_span(spec.max_hashtags)}, not {hashtags}"
                if spec.max_hashtags
                else f"{where}.max_hashtags must be a positive number, not {hashtags}",
            )
            hashtags = 0
        result.append(
            ChannelSettings(
                name=name,
                enabled=reader.get(
                    settings, "enabled", bool, spec.default_enabled, f"{where}.enabled"
                ),
                limit=limit,
                max_segments=segments,
                sender=reader.get(settings, "from", str, "", f"{where}.from"),
                max_hashtags=hashtags,
                tracking=reader.get(settings, "tracking", bool, None, f"{where}.tracking"),
            )
        )
    return tuple(result)


def read_paths(root: Path) -> Paths:
    """Return the ``[paths]`` of ``campaignsync.toml`` without validating anything else.

    For the quick no-change test before a build; any problem gives the
    defaults, and the full load that follows reports it properly.
    """
    try:
        table = tomllib.loads((root / CONFIG_NAME).read_text(encoding="utf-8")).get("paths", {})
        values = {k: v for k, v in table.items() if k in _PATH_KEYS and isinstance(v, str)}
        return Paths(**{k: v for k, v in values.items() if is_inside(v)})
    except (OSError, ValueError, AttributeError):
        return Paths()


def _span(most: int) -> str:
    return "1" if most == 1 else f"1 to {most}"


def _paths(data: dict[str, Any], reader: _Reader) -> Paths:
    table = reader.get(data, "paths", dict, {}, "paths")
    reader.unknown("paths", table, _PATH_KEYS)
    values = {}
    for key in _PATH_KEYS:
        value = reader.get(table, key, str, getattr(Paths(), key), f"paths.{key}")
        if not is_inside(value):
            reader.error(f"paths.{key}", f"paths.{key} must be a folder inside the repository")
            continue
        values[key] = value
    return Paths(**values)
