"""The scheduler CSV files: a partner's posts as rows, and each scheduler's format.

``schedule-<partner>.csv`` goes into every pack; Sprout Social's and Buffer's
formats are written by ``calendar export`` (:mod:`campaignsync.pack.exports`).
The formats are described in docs/calendar.md. Everything here is a pure
function of the project and the rendered outputs.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from campaignsync import channels
from campaignsync.model import (
    Config,
    Diagnostic,
    Measure,
    Message,
    Output,
    Partner,
    Project,
    Severity,
)
from campaignsync.pack import again
from campaignsync.render import links, zones
from campaignsync.wording import counted

if TYPE_CHECKING:
    from campaignsync.pack.kept import Kept
    from campaignsync.pack.outputkeys import ByMessage

#: Sprout Social takes at most this many messages per bulk import.
SPROUT_MAX_ROWS = 350
DATE_ORDERS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}


@dataclass(frozen=True, slots=True)
class Row:
    """One post for a scheduler: a message on one channel in one locale, for one partner."""

    message: Message
    partner: Partner
    channel: str
    locale: str
    instant: datetime  # aware
    local: datetime  # on the partner's wall clock
    text: str
    link: str
    over: Measure | None  # the channel limit the text goes over (None: it fits)


def rows(
    project: Project, campaign_id: str, partner_id: str, outputs: Iterable[Output]
) -> list[Row]:
    """Return the partner's posts, in time order, from the rendered outputs.

    Posts that are not fully translated are left out (see :func:`untranslated`):
    a scheduler would publish the source language to that locale's audience.
    """
    partner = project.config.partner(partner_id)
    if partner is None:
        return []
    rendered = _posts(outputs)
    found = [
        row
        for message in project.messages_of(campaign_id)
        for row in _message_rows(project.config, partner, message, rendered)
    ]
    found.sort(key=lambda r: (r.instant, r.channel, r.locale, r.message.id))
    return found


def _posts(outputs: Iterable[Output]) -> dict[tuple[str, str, str], Output]:
    """Return the translated posts among outputs, by message, locale and channel."""
    posts = set(channels.post_channels())
    return {
        (o.message, o.locale, o.channel): o
        for o in outputs
        if o.channel in posts and o.path.endswith(".txt") and o.translated
    }


def _message_rows(
    config: Config, partner: Partner, message: Message, rendered: dict[tuple[str, str, str], Output]
) -> list[Row]:
    """Return one message's rows for a partner, locale by locale (unsorted)."""
    when = message.publish_for(partner.id)
    if when is None:
        return []
    local = zones.local(when, partner)
    found = []
    for locale in partner.locales:
        for channel in message.channels:
            output = rendered.get((message.id, locale, channel))
            if output is None:
                continue
            found.append(
                Row(
                    message,
                    partner,
                    channel,
                    locale,
                    when,
                    local,
                    output.content.decode("utf-8").rstrip("\n"),
                    links.target(config, message, locale, channel),
                    output.measure.exceeded if output.measure else None,
                )
            )
    return found


CSV_COLUMNS = (
    "date",
    "time",
    "timezone",
    "local",
    "utc",
    "channel",
    "locale",
    "message",
    "text",
    "link",
)
SPROUT_COLUMNS = ("date", "time_24hr", "message_text")
#: The networks of ours that Sprout Social publishes to (it has no SMS or Mastodon profiles).
SPROUT_CHANNELS = ("x", "bluesky", "linkedin", "threads", "instagram")
#: Buffer's bulk-upload template (docs/calendar.md says what was verified, and where).
BUFFER_COLUMNS = ("Text", "Image URL", "Tags", "Posting Time")
#: Buffer takes at most this many posts per channel in one file on paid plans (10 on Free).
BUFFER_MAX_ROWS = 100
#: The networks of ours that Buffer publishes to (it has no SMS).
BUFFER_CHANNELS = ("x", "mastodon", "bluesky", "linkedin", "threads", "instagram")
#: Buffer takes only direct links to these image types.
BUFFER_IMAGES = (".jpg", ".jpeg", ".png")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

#: What makes RFC 4180 quote a field (``csv.writer``'s minimal quoting does the same).
_QUOTED = re.compile('[",\r\n]')


def _csv(header: tuple[str, ...], lines: Iterable[tuple[str, ...]]) -> bytes:
    """Return a CSV file: ``csv.writer``'s bytes, each field joined in C (tests compare the two).

    ``csv.writer`` copies each character on its own: 0.6 s for a 12 MB schedule.
    """
    return _joined(header, map(_line, lines))


def _line(fields: tuple[str, ...]) -> str:
    """Return one CSV line, quoted where RFC 4180 says (without its line end)."""
    quoted, needs = '"{}"'.format, _QUOTED.search
    return ",".join(quoted(f.replace('"', '""')) if needs(f) else f for f in fields) or (
        '""' if fields else ""  # one empty field is quoted, as csv.writer does
    )


def _joined(header: tuple[str, ...], lines: Iterable[str]) -> bytes:
    """Return a CSV file from its header and its lines already quoted."""
    text = "\r\n".join((_line(header), *lines))
    return f"{text}\r\n".encode()


def generic_csv(found: Iterable[Row]) -> bytes:
    """Return the generic scheduler CSV (UTF-8, RFC 4180, header row) for some rows."""
    return _csv(CSV_COLUMNS, map(_generic_fields(), found))


def _generic_fields() -> Callable[[Row], tuple[str, ...]]:
    """Return what makes a row's fields in the generic CSV (times formatted once per message)."""
    times: dict[tuple[str, datetime], tuple[str, ...]] = {}

    def when(r: Row) -> tuple[str, ...]:
        # A message's rows share their time: formatted once (strftime per row cost seconds).
        made = times.get((r.partner.timezone, r.instant))
        if made is None:
            made = times[(r.partner.timezone, r.instant)] = (
                f"{r.local:%Y-%m-%d}",
                f"{r.local:%H:%M}",
                r.partner.timezone,
                r.local.isoformat(timespec="minutes"),
                f"{r.instant.astimezone(UTC):%Y-%m-%dT%H:%MZ}",
            )
        return made

    return lambda r: (*when(r), r.channel, r.locale, r.message.id, r.text, r.link)


def sprout_csv(found: Iterable[Row], date_order: str) -> bytes:
    """Return a Sprout Social bulk-import CSV: date, time_24hr, message_text."""
    pattern = DATE_ORDERS[date_order]
    return _csv(
        SPROUT_COLUMNS, ((r.local.strftime(pattern), f"{r.local:%H:%M}", r.text) for r in found)
    )


def buffer_csv(found: Iterable[Row], config: Config) -> bytes:
    """Return a Buffer bulk-upload CSV for one channel: Text, Image URL, Tags, Posting Time.

    The posting time is on the partner's clock (set the Buffer channel to the
    partner's time zone); the image is the message's, as published with the pack.
    """
    return _csv(
        BUFFER_COLUMNS,
        ((r.text, _image_url(r.message, config), "", f"{r.local:%Y-%m-%d %H:%M}") for r in found),
    )


def _image_url(message: Message, config: Config) -> str:
    image = message.image
    if image is None or not image.src.lower().endswith(BUFFER_IMAGES):
        return ""
    return f"{config.base_url}/{message.campaign}/{image.src}"


def untranslated(
    project: Project,
    campaign_id: str,
    partner_id: str,
    outputs: Iterable[Output],
    files: str,
    taken: Iterable[str] | None = None,
) -> Diagnostic | None:
    """Return a warning when some of a partner's posts are left out for want of translation.

    ``files``: the scheduler files they are left out of, which take the posts of the
    channels ``taken`` (None: every channel with posts).
    """
    partner = project.config.partner(partner_id)
    if partner is None:
        return None
    posts = set(channels.post_channels() if taken is None else taken)
    ids = {m.id for m in project.messages_of(campaign_id) if partner_id in m.partners}
    missing = sorted(
        (o.locale, o.message)
        for o in outputs
        if o.channel in posts
        and o.path.endswith(".txt")
        and not o.translated
        and o.locale in partner.locales
        and o.message in ids
    )
    if not missing:
        return None
    locales = sorted({locale for locale, _ in missing})
    return Diagnostic(
        "CS116",
        Severity.WARNING,
        f"left out {counted(len(missing), 'post')} of {partner_id} that "
        f"{'is' if len(missing) == 1 else 'are'} not fully translated ({', '.join(locales)}): "
        "a scheduler would publish the source text to that audience; translate "
        f"{'it' if len(missing) == 1 else 'them'} (campaignsync locale status)",
        files,
    )


def file_name(partner_id: str) -> str:
    """Return the name of a partner's generic scheduler CSV (in the pack, and exported)."""
    return f"schedule-{partner_id}.csv"


def schedule_csv(
    project: Project,
    campaign_id: str,
    partner_id: str,
    outputs: list[Output],
    kept: Kept | None = None,
    keyed: ByMessage | None = None,
) -> bytes:
    """Return schedule-<partner>.csv, the generic CSV with every post of the campaign.

    With ``kept`` and ``keyed`` (a build), the lines of the messages published at one
    instant are taken from the last build's while those messages' outputs are the
    same (:mod:`campaignsync.pack.outputkeys`), and so is each channel's link tracking
    (a row's link is the channel's, which a post may not print): after an edit, only the
    edited message's rows are made again, and no other message's posts are read.
    """
    partner = project.config.partner(partner_id)
    if kept is None or keyed is None or partner is None:
        return generic_csv(rows(project, campaign_id, partner_id, outputs))
    at: dict[int, list[Message]] = defaultdict(list)  # the messages published at each instant
    for message in project.messages_of(campaign_id):
        when = message.publish_for(partner_id)
        if when is not None:
            at[(when - _EPOCH) // _MICROSECOND].append(message)  # sorts as the instants do
    fields, blocks = _generic_fields(), []
    config = project.config
    tracked = "".join(str(int(links.tracking_on(config, c.name))) for c in config.channels)
    for instant in sorted(at):
        shown = sorted(at[instant], key=lambda m: m.id)
        name = _block_name(f"{partner_id} {tracked}", [keyed.key(m.id) for m in shown])
        block = kept.piece(name) if name else None
        if block is None:
            made = [(r.channel, r.locale, r.message.id, _line(fields(r))) for m in shown
                    for r in _message_rows(config, partner, m, _posts(keyed.of(m.id)))]  # fmt: skip
            block = "\r\n".join(line for *_, line in sorted(made))
            if name:
                kept.put_piece(name, block)
        if block:
            blocks.append(block)
    return _Encoded.joined(partner_id, blocks)


class _Encoded:
    """The blocks of lines of each partner's CSV this process joined last, encoded.

    A process that builds again (``preview``, ``pack.again``) joins the same blocks (the
    same text) after an edit, but for the edited message's: encoding two CSVs of 20 MB
    again, and joining them as text first, took 0.07 s a save at 500 messages x 26 locales.
    """

    last: Mapping[str, Mapping[str, bytes]] = {}

    @classmethod
    def joined(cls, partner_id: str, blocks: list[str]) -> bytes:
        """Return the CSV of ``blocks`` (as :func:`_joined` gives it), kept for the next."""
        known, now = cls.last.get(partner_id, {}), {}
        for block in blocks:  # (a block's hash is kept with its text: each is read once)
            data = known.get(block)
            now[block] = data if data is not None else block.encode()
        if again.building_again():  # (else held to the process's end for nothing)
            cls.last = {**cls.last, partner_id: now}
        return b"\r\n".join((_line(CSV_COLUMNS).encode(), *map(now.__getitem__, blocks), b""))


def _block_name(partner: str, keys: list[str]) -> str:
    """Return the name the lines of messages published at one instant are kept under.

    ``partner``: its id and each channel's link tracking (on or off, in the config's order).
    Empty when a message's outputs have no digest: then they are not kept.
    """
    if not all(keys):
        return ""
    if len(keys) == 1:
        return f"csv {partner} {keys[0]}"
    joined = hashlib.sha256("\0".join(keys).encode()).hexdigest()
    return f"csv {partner} of {len(keys)} {joined}"
