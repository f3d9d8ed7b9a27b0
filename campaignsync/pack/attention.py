"""What a reviewer of a pack must look at first, each item pointing at its post or message.

Posts over a limit, missing or stale translations and schedule problems.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from campaignsync.l10n import localize
from campaignsync.l10n.catalog import Lookup
from campaignsync.load import content
from campaignsync.model import Diagnostic, Locale, Message, Output, Project, Severity
from campaignsync.pack import keys
from campaignsync.pack.localepages import page_of, page_path

if TYPE_CHECKING:
    from campaignsync.pack.kept import Kept

#: The kinds of item, in the order the overview lists them, with their headings.
KINDS = {
    "over": "Over a limit",
    "untranslated": "Not translated",
    "fuzzy": "Stale translations (source changed, translation awaits review)",
    "schedule": "Schedule problems",
}


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to look at: what, where, and the gallery page (by pack path) that shows it."""

    kind: str
    message: str
    locale: str
    channel: str
    text: str
    href: str

    @property
    def noted(self) -> str:
        """Return every field of the item: what a piece drawn from items is keyed by."""
        fields = (self.kind, self.message, self.locale, self.channel, self.text, self.href)
        return "\0".join(fields) + "\1"


def items(
    project: Project,
    campaign: str,
    outputs: Iterable[Output],
    lookups: Mapping[str, Lookup],
    schedule: Iterable[Diagnostic] = (),
    kept: Kept | None = None,
    built: Set[tuple[str, str]] | None = None,
    numbers: Mapping[str, int] | None = None,
    only: str | None = None,
) -> list[Item]:
    """Return everything that needs attention, kind by kind, in a stable order.

    With ``kept`` (a build), each message's translation state in a locale is taken
    from the last build's while the message and the catalogs it is read from are
    unchanged. ``built``: the (locale, message) pairs of the outputs, if known;
    ``numbers``: the locale page that shows each message (1 if not given). ``only``: the
    items about that message alone, in the same order (a message page's, made with the
    message: pass its outputs and :func:`schedule_by_message`'s share, the others are
    passed over).
    """
    if only is not None:
        outputs = [o for o in outputs if o.message == only]
    found = _over(outputs, numbers)
    if built is None:
        built = {(o.locale, o.message) for o in outputs}
    found += _translations(project, campaign, built, lookups, kept, numbers, only)
    found += [i for i in _schedule(project, campaign, schedule) if only in (None, i.message)]
    order = list(KINDS)
    return sorted(found, key=lambda i: (order.index(i.kind), i.message, i.locale, i.channel))


def _over(outputs: Iterable[Output], numbers: Mapping[str, int] | None) -> list[Item]:
    found = []
    for output in outputs:
        measure = output.measure
        exceeded = measure.exceeded if measure else None
        if exceeded is None:
            continue
        text = (
            f"{exceeded.length:,} of {exceeded.limit:,} {exceeded.unit_name}, "
            f"{exceeded.over:,} over"
        )
        if exceeded.segments is not None:  # an SMS is over when it needs too many segments
            text = f"{exceeded.segments} SMS segments, {text}"
            if exceeded.padding:
                text += f" ({exceeded.padding:,} lost at segment ends)"
        page = page_path(output.locale, page_of(numbers, output.message))
        href = f"{page}#{output.message}-{output.channel}"
        found.append(Item("over", output.message, output.locale, output.channel, text, href))
    return found


def _translations(
    project: Project,
    campaign: str,
    built: Set[tuple[str, str]],
    lookups: Mapping[str, Lookup],
    kept: Kept | None,
    numbers: Mapping[str, int] | None,
    only: str | None = None,
) -> list[Item]:
    """Return what each message lacks in each locale it is built in, kept per message.

    With ``kept``, a message's piece (under its digest) names the catalogs the classifier
    read in each locale and what it found there: the locales whose catalogs are the same
    are taken from it, the others classified again (:func:`_lacking`).
    """
    config = project.config
    reads: dict[str, str] = {}  # a locale's catalogs as a piece names them ("": not kept)
    for locale in config.locales:
        found = localize.classifier_reads(locale, lookups) if kept is not None else ()
        reads[locale.tag] = f"{locale.tag}={','.join(found)}" if found else ""
    classifiers: dict[str, Callable[[tuple[str, str]], str]] = {}

    def state(locale: Locale) -> Callable[[tuple[str, str]], str]:
        if locale.tag not in classifiers:
            classifiers[locale.tag] = localize.classifier(locale, config, lookups)
        return classifiers[locale.tag]

    items: list[Item] = []
    for message in project.messages_of(campaign):
        if only is not None and message.id != only:
            continue
        tags = [loc for loc in config.locales if (loc.tag, message.id) in built]
        name = kept.inputs(message.id, ("attention",)) if kept is not None else ""
        text = kept.piece(name) if kept is not None and name else None
        signed = [reads[t.tag] for t in tags]  # all kept, and as the piece names them: taken
        head, lacking = _read(text)
        if lacking is None or not all(signed) or head != " ".join(signed):
            text = _lacking(message, tags, reads, (head, lacking or {}), state)
            if kept is not None and name:
                kept.put_piece(name, text)
            lacking = _read(text)[1] or {}
        for locale in tags:
            href = f"{page_path(locale.tag, page_of(numbers, message.id))}#{message.id}"
            items.extend(
                Item(kind, message.id, locale.tag, "", said, href)
                for kind, said in lacking.get(locale.tag, ())
            )
    return items


def _read(piece: str | None) -> tuple[str, dict[str, Any] | None]:
    """Return a message's piece as the catalogs named, and what it lacks (None: no piece)."""
    if piece is None:
        return "", None
    head, _, body = piece.partition("\n")
    try:
        found = json.loads(body)
    except ValueError:
        return "", None
    return (head, found) if isinstance(found, dict) else ("", None)


def _lacking(
    message: Message,
    tags: list[Locale],
    reads: Mapping[str, str],
    last: tuple[str, dict[str, Any]],
    state: Callable[[Locale], Callable[[tuple[str, str]], str]],
) -> str:
    """Return a message's piece: the catalogs read in each locale, then what it lacks in each.

    A locale that the ``last`` piece (:func:`_read`) names with the same catalogs keeps
    what was found then.
    """
    same = set(last[0].split(" ")) - {""}
    lacking: dict[str, Any] = {}
    keyed = None
    for locale in tags:
        if reads[locale.tag] in same:
            found = last[1].get(locale.tag, [])
        else:
            keyed = keyed or _keys(message)
            found = _states(keyed, state(locale))
        if found:
            lacking[locale.tag] = found
    head = " ".join(reads[loc.tag] for loc in tags)
    return f"{head}\n{json.dumps(lacking, ensure_ascii=False)}"


def _keys(message: Message) -> list[tuple[str, tuple[str, str]]]:
    """Return a message's segments by field, as catalog keys."""
    return [
        (s.field, (content.msgctxt(message.id, s.field), s.text)) for s in content.segments(message)
    ]


def _states(
    segments: list[tuple[str, tuple[str, str]]], state: Callable[[tuple[str, str]], str]
) -> list[tuple[str, str]]:
    """Return what a message lacks in a locale: (kind, which of its segments), fuzzy last."""
    by_state: dict[str, list[str]] = {"untranslated": [], "fuzzy": []}
    for field, key in segments:
        kind = state(key)
        if kind in by_state:
            by_state[kind].append(field)
    return [
        (kind, f"{len(names)} of {len(segments)}: {_list(names)}")
        for kind, names in by_state.items()
        if names
    ]


def _list(names: list[str], most: int = 4) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def schedule_by_message(
    project: Project, campaign: str, found: Iterable[Diagnostic]
) -> dict[str, list[Diagnostic]]:
    """Return the schedule checks' findings by the message they are about ('': none)."""
    by_path = _message_paths(project, campaign)
    grouped: dict[str, list[Diagnostic]] = {}
    for d in found:
        grouped.setdefault(by_path.get(d.file or "", ""), []).append(d)
    return grouped


def _message_paths(project: Project, campaign: str) -> dict[str, str]:
    """Return each message's id by its path: a schedule finding is about the file it names."""
    return {m.path: m.id for m in project.messages_of(campaign)}


def _schedule(project: Project, campaign: str, found: Iterable[Diagnostic]) -> list[Item]:
    by_path = _message_paths(project, campaign)
    items = []
    for d in found:
        message = by_path.get(d.file or "", "")
        href = f"preview/messages/{message}.html" if message else ""
        where = f"{d.file}:{d.line}" if d.file and d.line else d.file or ""
        text = f"{d.code}: {d.text}" + (f" ({where})" if where else "")
        items.append(Item("schedule", message, d.locale or "", d.channel or "", text, href))
    return items


def schedule_problems(
    project: Project,
    campaign: str,
    outputs: tuple[Output, ...],
    kept: Kept | None = None,
) -> list[Diagnostic]:
    """Return the schedule checks' findings that depend on the pack's input alone.

    The freeze check (CS113) reads git history up to "today" and is left to
    ``campaignsync check``; the others read no clock, so a build at a new time (a new
    commit's) takes them too. Silenced codes are dropped. With ``kept`` (a build),
    the last build's findings are taken while the config, the calendar and what the
    checks read of the messages are unchanged (the kept pieces' key holds only what
    units read of the first two: blackout days and business hours are the checks').
    """
    # What the checks below read of a message: an edit of its text leaves the findings.
    read = tuple((m.id, m.path, m.publish, m.lines, m.theme, m.channels)
                 for m in project.messages_of(campaign))  # fmt: skip
    config = replace(project.config, ignore=frozenset())  # (silenced codes dropped below)
    asked = ("schedule", campaign, read, config, project.calendar)
    inputs = _Keyed.of(asked) if kept is not None else ""
    text = kept.piece(inputs) if kept is not None else None
    if text is not None:
        found = [Diagnostic(c, Severity(s), *rest) for c, s, *rest in json.loads(text)]
    else:
        found = _schedule_checks(project, campaign, outputs)
        if kept is not None:
            kept.put_piece(inputs, json.dumps([astuple(d) for d in found], ensure_ascii=False))
    return [d for d in found if d.code not in project.config.ignore]


class _Keyed:
    """The key of the schedule findings this process worked out last, and its inputs' repr.

    Those inputs are tuples of text, numbers and times, whose repr shows all of them (a
    time's zone too: 10:00+02:00 equals 08:00Z, yet the findings differ): a process that
    builds again (``preview``) does not digest 500 messages' slots again while that text
    is the same (0.04 s a save at full size; the repr takes a few milliseconds).
    """

    last: tuple[str, str] | None = None

    @classmethod
    def of(cls, inputs: tuple[object, ...]) -> str:
        """Return ``keys.digest(inputs)``, the last one again while their repr is the same."""
        text = repr(inputs)
        if cls.last is None or cls.last[0] != text:
            cls.last = (text, keys.digest(inputs))
        return cls.last[1]


#: The "today" the schedule checks the gallery lists are given: none of them reads it.
NO_CLOCK = datetime(1970, 1, 1, tzinfo=UTC)


def _schedule_checks(
    project: Project, campaign: str, outputs: tuple[Output, ...], now: datetime = NO_CLOCK
) -> list[Diagnostic]:
    from campaignsync.checks import CheckInput, schedule

    data = CheckInput(project, campaign, outputs, {}, now)
    checks = (
        schedule.inside_campaign,
        schedule.business_hours,
        schedule.local_times,
        schedule.joint_times,
        schedule.spacing,
        schedule.theme_coverage,
    )
    return [d for check in checks for d in check(data)]
