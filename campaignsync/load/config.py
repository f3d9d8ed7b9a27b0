"""Finding, reading and validating ``campaignsync.toml``."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

from campaignsync.errors import ConfigError, DiagnosticsError, UsageError
from campaignsync.load import partners, plain, schema
from campaignsync.load.tables import Reader
from campaignsync.load.textdirections import Directions, open_directions
from campaignsync.model import Config, Diagnostic, LinkSettings, Locale, Severity
from campaignsync.paths import CONFIG_NAME as CONFIG_NAME  # also read from here
from campaignsync.paths import Paths, is_inside, read_by_builds
from campaignsync.wording import closest

_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?$")
_CODE_RE = re.compile(r"^CS[0-9]{3}$")
_TOP = schema.CONFIG[""]


class LocaleError(ValueError):
    """A locale identifier that is not a valid, canonical BCP 47 tag."""


def parse_locale(text: str, directions: Directions | None = None) -> Locale:
    """Return the locale for a BCP 47 tag such as ``pt-PT``, validated with Babel.

    Only canonical spellings are accepted: ``iw`` (an alias of ``he``) or
    ``de_DE.utf8`` are rejected rather than silently rewritten, so a path is
    never built from anything but a known, canonical locale. Its text direction
    is taken from ``directions`` when they hold it (Babel merges the locale's
    CLDR data to answer).
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
    if directions is None:
        return Locale(tag=tag, gettext=canonical, direction=parsed.text_direction)
    direction = directions.get(canonical, lambda: str(parsed.text_direction))
    return Locale(tag=tag, gettext=canonical, direction=direction)


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
    if not hint and (close := closest(tag, tags)):
        hint = f"; did you mean {close!r}?"
    raise UsageError(f"locale {text!r} is not in {CONFIG_NAME}{hint} (locales: {', '.join(tags)})")


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
    reader = Reader(CONFIG_NAME, _key_lines(text))
    # Kept beside the packs: where they are is read first (its errors are told below).
    directions = open_directions(root / _paths(data, Reader(CONFIG_NAME, {})).out)
    config = _build(root, data, reader, directions)
    if directions is not None:
        directions.save()
    if reader.has_errors:
        return None, tuple(reader.items)
    return config, tuple(reader.items)


def require_config(root: Path) -> Config:
    """Return the config of ``root``; DiagnosticsError with the reasons when it is unusable."""
    config, found = load_config(root)
    if config is None:
        raise DiagnosticsError(found)
    return config


def _locale_or_error(
    reader: Reader, where: str, tag: object, directions: Directions | None
) -> Locale | None:
    try:
        return parse_locale(tag, directions)  # type: ignore[arg-type]
    except LocaleError as exc:
        reader.error(where, f"{where}: {exc}", "CS004")
        return None


def _build(root: Path, data: dict[str, Any], reader: Reader, known: Directions | None) -> Config:
    reader.unknown("", data, _TOP)
    name = reader.setting(data, _TOP, "name")
    source_tag = reader.setting(data, _TOP, "source_locale")
    if source_tag is None:
        reader.error("source_locale", "missing setting 'source_locale' (for example 'en')")
        source_tag = "en"
    source = _locale_or_error(reader, "source_locale", source_tag, known) or Locale("en", "en")
    locales: list[Locale] = []
    seen = {source.tag}
    for tag in reader.setting(data, _TOP, "locales"):
        loc = _locale_or_error(reader, "locales", tag, known)
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
    partner_list = partners.partners(data, reader, seen)
    channel_settings = partners.channel_settings(data, reader)
    paths = _paths(data, reader)
    ignore = reader.setting(reader.table(data, "checks"), schema.CONFIG["checks"], "ignore")
    for code in ignore:
        if not _CODE_RE.match(code):
            reader.error("checks.ignore", f"{code!r} is not a check code like 'CS012'")
    translation = reader.table(data, "translation")
    protected = reader.setting(translation, schema.CONFIG["translation"], "protected_terms")
    base_url = reader.setting(data, _TOP, "base_url")
    if not re.match(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s\"'<>]*)?$", base_url):
        reader.error("base_url", f"'base_url' must be an https:// address, not {base_url!r}")
    default_campaign = reader.setting(data, _TOP, "default_campaign")
    schedule = partners.schedule(data, reader, channel_settings)
    git_remote, git_branch = _git(data, reader)
    links = _links(data, reader)
    return Config(
        root=root,
        name=name,
        source_locale=source,
        locales=tuple(locales),
        partners=partner_list,
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


def _links(data: dict[str, Any], reader: Reader) -> LinkSettings:
    """Return where web pages are published and which tracking links carry (``[links]``)."""
    from campaignsync.render import links

    table = reader.table(data, "links")
    declared = schema.CONFIG["links"]
    pattern = reader.setting(table, declared, "page_url")
    if (problem := links.pattern_problem(pattern)) is not None:
        reader.error("links.page_url", f"links.page_url {problem}, not {pattern!r}")
        pattern = declared["page_url"].default
    tracking = reader.setting(table, declared, "tracking")
    if tracking not in links.TRACKING:
        choices = ", ".join(repr(t) for t in links.TRACKING)
        reader.error("links.tracking", f"links.tracking must be one of {choices}, not {tracking!r}")
        tracking = declared["tracking"].default
    return LinkSettings(page_url=pattern, tracking=tracking)


_GIT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")


def _git(data: dict[str, Any], reader: Reader) -> tuple[str, str | None]:
    """Return the shared remote and branch that ``sync`` follows (``[git]``)."""
    table = reader.table(data, "git")
    remote = reader.setting(table, schema.CONFIG["git"], "remote")
    branch = reader.setting(table, schema.CONFIG["git"], "branch")
    for key, value in (("remote", remote), ("branch", branch)):
        if value is not None and (not _GIT_NAME_RE.match(value) or ".." in value):
            reader.error(f"git.{key}", f"git.{key} {value!r} is not a git {key} name")
    return remote, branch


def _fallbacks(
    data: dict[str, Any], reader: Reader, known: set[str], source: Locale
) -> dict[str, tuple[str, ...]]:
    table = reader.table(data, "fallbacks")
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


def _paths(data: dict[str, Any], reader: Reader) -> Paths:
    table = reader.table(data, "paths")
    values = {}
    for setting in schema.CONFIG["paths"].settings:
        where = f"paths.{setting.name}"
        value = reader.value(table, setting, where)
        if not is_inside(value):
            reader.error(where, f"{where} must be a folder inside the repository")
            continue
        values[setting.name] = value
    folders = Paths(**values)
    name = read_by_builds(folders, PurePosixPath(folders.out))
    if name is not None:
        reader.error("paths.out", f"paths.out {folders.out!r} is in {name}/, which builds read")
        return Paths(**{k: v for k, v in values.items() if k != "out"})
    return folders
