"""What a reviewer of a pack must look at first, each item pointing at its post or message.

Posts over a limit, missing or stale translations and schedule problems.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from campaignsync.l10n import localize
from campaignsync.l10n.catalog import Lookup
from campaignsync.load import content
from campaignsync.model import Diagnostic, Message, Output, Project, Severity
from campaignsync.pack import keys

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


def items(
    project: Project,
    campaign: str,
    outputs: Iterable[Output],
    lookups: Mapping[str, Lookup],
    schedule: Iterable[Diagnostic] = (),
    kept: Kept | None = None,
    built: Set[tuple[str, str]] | None = None,
) -> list[Item]:
    """Return everything that needs attention, kind by kind, in a stable order.

    With ``kept`` (a build), each message's translation state in a locale is taken
    from the last build's while the message and the catalogs it is read from are
    unchanged. ``built``: the (locale, message) pairs of the outputs, if known.
    """
    found = _over(outputs)
    if built is None:
        built = {(o.locale, o.message) for o in outputs}
    found += _translations(project, campaign, built, lookups, kept)
    found += _schedule(project, campaign, schedule)
    order = list(KINDS)
    return sorted(found, key=lambda i: (order.index(i.kind), i.message, i.locale, i.channel))


def _over(outputs: Iterable[Output]) -> list[Item]:
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
        href = f"preview/{output.locale}.html#{output.message}-{output.channel}"
        found.append(Item("over", output.message, output.locale, output.channel, text, href))
    return found


def _translations(
    project: Project,
    campaign: str,
    built: Set[tuple[str, str]],
    lookups: Mapping[str, Lookup],
    kept: Kept | None,
) -> list[Item]:
    config = project.config
    messages = project.messages_of(campaign)
    keyed: dict[str, list[tuple[str, tuple[str, str]]]] = {}  # each message's segments as keys
    items: list[Item] = []
    for locale in config.locales:
        reads = localize.classifier_reads(locale, lookups) if kept is not None else ()
        state: Callable[[tuple[str, str]], str] | None = None
        for message in messages:
            if (locale.tag, message.id) not in built:
                continue
            # Kept only when every catalog the classifier reads has a digest (``reads``).
            keep = kept if reads else None
            inputs = keep.inputs(message.id, ("attention", locale.tag, *reads)) if keep else ""
            text = keep.piece(inputs) if keep is not None and inputs else None
            if text is not None:  # most often "[]": nothing lacks
                found = [(kind, said) for kind, said in json.loads(text)] if text != "[]" else []
            else:
                if message.id not in keyed:
                    keyed[message.id] = _keys(message)
                state = state or localize.classifier(locale, config, lookups)
                found = _states(keyed[message.id], state)
                if keep is not None and inputs:
                    keep.put_piece(inputs, json.dumps(found, ensure_ascii=False))
            href = f"preview/{locale.tag}.html#{message.id}"
            items.extend(Item(kind, message.id, locale.tag, "", said, href) for kind, said in found)
    return items


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


def _schedule(project: Project, campaign: str, found: Iterable[Diagnostic]) -> list[Item]:
    by_path = {m.path: m.id for m in project.messages_of(campaign)}
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
    epoch: int,
    kept: Kept | None = None,
) -> list[Diagnostic]:
    """Return the schedule checks' findings that depend on the pack's input alone.

    The freeze check (CS113) reads git history up to "today" and is left to
    ``campaignsync check``; silenced codes are dropped. With ``kept`` (a build),
    the last build's findings are taken while what the checks read of the messages
    is unchanged (the config and the calendar are in the kept pieces' key).
    """
    # What the checks below read of a message: an edit of its text leaves the findings.
    read = [(m.id, m.path, m.publish, m.lines, m.theme, m.channels)
            for m in project.messages_of(campaign)]  # fmt: skip
    inputs = keys.digest(("schedule", campaign, epoch, read)) if kept is not None else ""
    text = kept.piece(inputs) if kept is not None else None
    if text is not None:
        found = [Diagnostic(c, Severity(s), *rest) for c, s, *rest in json.loads(text)]
    else:
        found = _schedule_checks(project, campaign, outputs, epoch)
        if kept is not None:
            kept.put_piece(inputs, json.dumps([astuple(d) for d in found], ensure_ascii=False))
    return [d for d in found if d.code not in project.config.ignore]


def _schedule_checks(
    project: Project, campaign: str, outputs: tuple[Output, ...], epoch: int
) -> list[Diagnostic]:
    from campaignsync.checks import CheckInput, schedule

    data = CheckInput(project, campaign, outputs, {}, datetime.fromtimestamp(epoch, UTC))
    checks = (
        schedule.inside_campaign,
        schedule.business_hours,
        schedule.local_times,
        schedule.joint_times,
        schedule.spacing,
        schedule.theme_coverage,
    )
    return [d for check in checks for d in check(data)]
