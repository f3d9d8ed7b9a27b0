"""Reading messages: front matter validated against the schema, Markdown split into blocks."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from campaignsync.campaigns import Calendar, Campaign
from campaignsync.channels import did_you_mean as channel_hint
from campaignsync.load import links, schema, yamlfile
from campaignsync.load.body import check_blocks, check_body, parse_body, split_front_matter
from campaignsync.load.config import line_of
from campaignsync.load.findings import Findings
from campaignsync.load.schema import did_you_mean
from campaignsync.model import Config, Diagnostic, Image, Message, Segment, Severity
from campaignsync.paths import CONFIG_NAME, is_inside, read_text, resolve
from campaignsync.render import zones

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_FRONT = schema.FRONT_MATTER[""]
_IMAGE = schema.FRONT_MATTER["image"]
HASHTAG_RE = re.compile(r"^[^\W_][\w]{0,99}$")
Parsed = tuple[Message | None, tuple[Diagnostic, ...]]  # None when the message has errors
Parse = Callable[[str, str, Config, Calendar], Parsed]


def msgctxt(message_id: str, field: str) -> str:
    """Return the gettext context of a message field: ``<message-id>:<field>``."""
    return f"{message_id}:{field}"


def default_campaign_problems(root: Path, config: Config, cal: Calendar) -> tuple[Diagnostic, ...]:
    """Return the CS020 error of a ``default_campaign`` that is not in the calendar."""
    wanted = config.default_campaign
    if not wanted or not cal.campaigns or cal.campaign(wanted) is not None:
        return ()
    if not cal.read_whole(wanted):  # (the calendar's own error says why)
        return ()
    known = [c.id for c in cal.campaigns]
    return (
        Diagnostic(
            "CS020",
            Severity.ERROR,
            f"default_campaign {wanted!r} is not a campaign in {cal.path}"
            f"{did_you_mean(wanted, known)}",
            CONFIG_NAME,
            line_of(root, "default_campaign"),
        ),
    )


def read_message(
    root: Path,
    rel: str,
    messages_rel: str,
    config: Config,
    cal: Calendar,
    parse: Parse | None = None,
) -> Parsed:
    """Read and parse one message file (``rel`` from the root, below ``messages_rel``).

    A file outside ``<messages>/<campaign>/`` is CS020 and one that cannot be
    read is CS023, both at line 1. ``parse`` stands in for :func:`parse_message`.
    """
    if rel.count("/") != messages_rel.count("/") + 2:
        where = f"put messages in {messages_rel}/<campaign>/<id>.md"
        return None, (Diagnostic("CS020", Severity.ERROR, where, rel, 1),)
    try:
        text = read_text(root, rel)
    except ValueError as exc:
        return None, (Diagnostic("CS023", Severity.ERROR, str(exc), rel, 1),)
    return (parse or parse_message)(rel, text, config, cal)


def misnamed(rel: str) -> Diagnostic:
    """Return the CS020 error of a Markdown file in the messages folder not named ``.md``."""
    name = rel.rsplit("/", 1)[-1]
    text = f"not read: a message is a .md file; rename it {name.rsplit('.', 1)[0]}.md"
    return Diagnostic("CS020", Severity.ERROR, text, rel, 1)


def parse_message(rel: str, text: str, config: Config, calendar: Calendar) -> Parsed:
    """Parse one message file (``rel`` is its path from the repo root)."""
    text = text.removeprefix("\ufeff")
    try:
        front, body, body_line = split_front_matter(text)
        data, lines = yamlfile.load(front, first_line=2)
    except yamlfile.YamlError as exc:
        return None, (Diagnostic("CS010", Severity.ERROR, exc.text, rel, exc.line),)
    found = Findings(rel, lines)
    if not isinstance(data, dict):
        found.add("CS010", "", "the front matter must be a mapping of keys to values")
        return None, tuple(found.items)
    for key in data:
        if key not in _FRONT.keys:
            found.add("CS011", key, f"unknown key {key!r}{_FRONT.hint(key)}")
    for key in _FRONT.required:
        if key not in data:
            found.add("CS012", "", f"missing required key {key!r}")
    message = _message(rel, data, found, config, calendar)
    blocks = parse_body(body, body_line)
    check_body(body, body_line, found)
    links.body_links(body, body_line, found)
    check_blocks(data, blocks, found)
    if message is None or found.has_errors:
        return None, tuple(found.items)
    return replace(message, body=blocks, lines=tuple(sorted(lines.items()))), tuple(found.items)


def _message(
    rel: str, data: dict[str, Any], found: Findings, config: Config, calendar: Calendar
) -> Message | None:
    message_id = _identity(rel, data, found)
    campaign_id, campaign = _campaign(rel, data, found, calendar)
    theme = _field(data, "theme", found)
    if (
        theme is not None
        and campaign is not None
        and campaign.theme(theme) is None
        and calendar.read_whole(campaign.id, theme)  # (else its error says why)
    ):
        hint = did_you_mean(theme, [t.id for t in campaign.themes])
        found.add("CS019", "theme", f"campaign {campaign.id!r} has no theme {theme!r}{hint}")
    partners, channel_names = _audience(data, found, config)
    publish = _publish(data.get("publish"), partners, found, config)
    title = _field(data, "title", found)
    summary = _field(data, "summary", found)
    link = links.message_link(_text(data, "link", found), found)
    hashtags = _hashtags(data, found)
    image = _image(data, found, config)
    posts = _posts(data, channel_names, found)
    if None in (message_id, campaign_id, title, summary) or publish is None:
        return None
    return Message(
        id=message_id or "",
        path=rel,
        campaign=campaign_id or "",
        partners=partners,
        channels=channel_names,
        publish=publish,
        title=title or "",
        summary=summary or "",
        theme=theme,
        link=link,
        hashtags=hashtags,
        image=image,
        posts=posts,
    )


def _identity(rel: str, data: dict[str, Any], found: Findings) -> str | None:
    """Return the message's id, checked against its spelling and file name (CS015)."""
    stem = rel.rsplit("/", 1)[-1].removesuffix(".md")
    message_id = _field(data, "id", found)
    if message_id is not None:
        if not ID_RE.match(message_id):
            found.add(
                "CS015", "id", f"id {message_id!r} must be lower-case letters, digits and '-'"
            )
        elif message_id != stem:
            found.add("CS015", "id", f"id {message_id!r} does not match the file name {stem}.md")
    return message_id


def _campaign(
    rel: str, data: dict[str, Any], found: Findings, calendar: Calendar
) -> tuple[str | None, Campaign | None]:
    """Return the campaign id and the calendar's campaign; CS020 when they do not fit."""
    campaign_id = _field(data, "campaign", found)
    campaign = calendar.campaign(campaign_id) if campaign_id else None
    # A campaign the calendar names but could not read: its own error says why.
    if campaign_id and campaign is None and calendar.read_whole(campaign_id):
        hint = did_you_mean(campaign_id, [c.id for c in calendar.campaigns])
        found.add("CS020", "campaign", f"unknown campaign {campaign_id!r}{hint}")
    folder = rel.rsplit("/", 2)[-2] if rel.count("/") >= 2 else ""
    if campaign_id and folder and folder != campaign_id:
        found.add(
            "CS020", "campaign", f"campaign {campaign_id!r} does not match the folder {folder!r}"
        )
    return campaign_id, campaign


def _audience(
    data: dict[str, Any], found: Findings, config: Config
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the partners and channels, each known to the config (CS017, CS018)."""
    partners = _names(data, "partners", found) or ()
    for index, pid in enumerate(partners, start=1):
        if config.partner(pid) is None:
            hint = did_you_mean(pid, [p.id for p in config.partners])
            found.add("CS017", f"partners.{index}", f"unknown partner {pid!r}{hint}")
    channel_names = _names(data, "channels", found) or ()
    known_channels = [c.name for c in config.channels]
    for index, name in enumerate(channel_names, start=1):
        if name not in known_channels:
            hint = channel_hint(name, known_channels)
            found.add("CS018", f"channels.{index}", f"unknown channel {name!r}{hint}")
        elif config.channel(name) is None:
            found.add("CS018", f"channels.{index}", f"channel {name!r} is disabled in the config")
    return partners, channel_names


def _text(data: dict[str, Any], key: str, found: Findings, required: bool = False) -> str | None:
    """Return the text under ``key`` (None when absent); CS013 when not text, CS012 if empty."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        hint = " (put it in quotes)" if isinstance(value, int | float | bool | date) else ""
        found.add("CS013", key, f"{key!r} must be text, not {_kind(value)}{hint}")
        return None
    if required and not value.strip():
        found.add("CS012", key, f"{key!r} is empty")
        return None
    return value


def _field(data: dict[str, Any], key: str, found: Findings) -> str | None:
    """Return a text field of the front matter; empty is CS012 when it is declared required."""
    return _text(data, key, found, required=_FRONT[key].required)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {value!r}".lower()
    if isinstance(value, datetime):
        return "a date and time"
    if isinstance(value, date):
        return "a date"
    names = {int: "a number", float: "a number", list: "a list", dict: "a mapping", str: "text"}
    return names.get(type(value), type(value).__name__)


#: What each list of names looks like, in the messages of CS013.
_LIKE = {"partners": "[eu, us]", "channels": "[x, linkedin]", "hashtags": "[CyberSecMonth]"}


def _names(data: dict[str, Any], key: str, found: Findings) -> tuple[str, ...] | None:
    """Return a list of names (one name alone counts as a list), or None when absent or bad."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        like = _LIKE.get(key, "[eu, us]")
        found.add("CS013", key, f"{key!r} must be a list of names, like {like}")
        return None
    if not value:
        found.add("CS012", key, f"{key!r} is empty")
        return None
    return tuple(value)


def _aware(value: Any, key: str, found: Findings, zone: str | None) -> datetime | None:
    """Return an aware date and time; CS014 without an offset: the partner's (``zone``)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            found.add("CS013", key, f"{key!r}: {value!r} is not a date and time")
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            like = f"{value.isoformat()}+02:00"
            with contextlib.suppress(LookupError, TypeError, ValueError, OSError):  # (see config)
                like = f"{value.replace(tzinfo=zones.zone(zone)).isoformat()} ({zone} on that day)"
            found.add("CS014", key, f"{key!r} has no time zone: write an offset, e.g. {like}")
            return None
        return value
    found.add("CS013", key, f"{key!r} must be a date and time with an offset, not {_kind(value)}")
    return None


def _publish(
    value: Any, partners: tuple[str, ...], found: Findings, config: Config
) -> tuple[tuple[str, datetime], ...] | None:
    """Return (partner, aware instant) for each partner: one time for all, or one each."""
    zone = {p.id: p.timezone for p in config.partners}.get  # (for CS014's example)
    if value is None:
        return None
    if isinstance(value, dict):
        result = []
        for pid, when in value.items():
            if partners and pid not in partners:  # (none read: their own error says why)
                found.add(
                    "CS017", f"publish.{pid}", f"publish: {pid!r} is not a partner of this message"
                )
                continue
            aware = _aware(when, f"publish.{pid}", found, zone(pid))
            if aware is not None:
                result.append((pid, aware))
        missing = [p for p in partners if p not in value]
        if missing:
            found.add("CS012", "publish", f"publish has no time for partner {missing[0]!r}")
            return None
        return tuple(result)
    aware = _aware(value, "publish", found, zone(partners[0]) if partners else None)
    return tuple((pid, aware) for pid in partners) if aware else None


def _hashtags(data: dict[str, Any], found: Findings) -> tuple[str, ...]:
    """Return the hashtags without ``#``; CS013 for one that is not a single word."""
    tags = _names(data, "hashtags", found) if data.get("hashtags") != [] else ()
    for index, tag in enumerate(tags or (), start=1):
        if not HASHTAG_RE.match(tag.removeprefix("#")):
            found.add(
                "CS013",
                f"hashtags.{index}",
                f"hashtag {tag!r} must be one word, like CyberSecMonth",
            )
    return tuple(t.removeprefix("#") for t in tags or ())


def _image(data: dict[str, Any], found: Findings, config: Config) -> Image | None:
    """Return the image, its file checked inside the content folder (CS023), or None."""
    value = data.get("image")
    if value is None:
        return None
    if not isinstance(value, dict):
        found.add("CS013", "image", "'image' must be a mapping like {src: assets/x.png, alt: ...}")
        return None
    for key in value:
        if key not in _IMAGE.keys:
            found.add("CS011", f"image.{key}", f"unknown key 'image.{key}'{_IMAGE.hint(key)}")
    src = _text(value, "src", found.nested("image"), _IMAGE["src"].required)
    alt = _text(value, "alt", found.nested("image"), _IMAGE["alt"].required)
    if src is None:
        found.add("CS012", "image", "image has no 'src'")
        return None
    if alt is None:
        found.add("CS012", "image", "image has no 'alt' text (screen readers need it)")
        return None
    if not is_inside(src):
        found.add(
            "CS023",
            "image.src",
            f"image {src!r} must be a path inside {config.paths.content}/, like assets/photo.png",
        )
        return None
    problem = image_file_problem(config, src)
    if problem is not None:
        found.add("CS023", "image.src", problem)
        return None
    return Image(src=src, alt=alt)


def image_file_problem(config: Config, src: str) -> str | None:
    """Return why an image's file is not a plain file in the content folder, or None."""
    try:
        target = resolve(config.root, f"{config.paths.content}/{src}")
    except ValueError as exc:
        return f"image: {exc}"
    return None if target.is_file() else f"image {config.paths.content}/{src} does not exist"


def _posts(
    data: dict[str, Any], channels: tuple[str, ...], found: Findings
) -> tuple[tuple[str, str], ...]:
    """Return (channel, text) for each per-channel post; CS018 for a channel not in use."""
    value = data.get("posts")
    if value is None:
        return ()
    if not isinstance(value, dict):
        found.add("CS013", "posts", "'posts' must map channels to text, like {x: ..., sms: ...}")
        return ()
    result = []
    for channel in value:
        if channel not in channels:
            hint = channel_hint(channel, channels)
            found.add(
                "CS018",
                f"posts.{channel}",
                f"posts.{channel}: {channel!r} is not one of the message's channels{hint}",
            )
            continue
        post = _text(value, channel, found.nested("posts"), required=True)
        if post is not None:
            result.append((channel, post))
    return tuple(result)


def segments(message: Message) -> Iterator[Segment]:
    """Yield the translatable segments of a message, in file order."""
    yield Segment("title", message.title, message.line_of("title"))
    yield Segment("summary", message.summary, message.line_of("summary"))
    if message.image is not None:
        yield Segment("image.alt", message.image.alt, message.line_of("image.alt"))
    for channel, text in message.posts:
        yield Segment(f"posts.{channel}", text, message.line_of(f"posts.{channel}"))
    for number, block in enumerate(message.body, start=1):
        if block.kind != "code":
            yield Segment(f"body.{number}", block.text, block.line)
