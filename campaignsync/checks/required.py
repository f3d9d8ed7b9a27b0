"""Required locales (CS320): what each locale a partner requires still misses.

Counted per message and locale, and kept (``CheckInput.memo``) by what each count
read: after an edit of one message or one catalog, only the counts that read it
are made again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from campaignsync.checks import CheckInput, check
from campaignsync.checks.catalogs import label
from campaignsync.l10n import localize
from campaignsync.l10n.catalog import Key, Lookup, po_rel
from campaignsync.model import Config, Diagnostic, Locale, Message, Severity


@check("CS320")
def required_locales(data: CheckInput) -> Iterator[Diagnostic]:
    """Report required locales that miss translations (an error once the freeze has passed)."""
    campaign = data.project.calendar.campaign(data.campaign)
    freeze = campaign.freeze if campaign else None
    late = freeze is not None and data.now.date() > freeze
    # What it finds follows from the project (which data.inputs names), the catalogs'
    # bytes and the side of the freeze today is on.
    key = None
    if data.memo is not None and data.inputs is not None:
        read = tuple((t, k.path, k.digest, k.exists) for t, k in sorted(data.lookups.items()))
        key = (data.inputs, data.campaign, late, read)
        known = data.memo.get("required-locales", key)
        if known is not None:
            yield from known
            return
    found = list(_required(data, freeze, late))
    if data.memo is not None and key is not None:
        data.memo.put("required-locales", key, found)
    yield from found


def _required(data: CheckInput, freeze: date | None, late: bool) -> Iterator[Diagnostic]:
    project = data.project
    config = project.config
    required = [
        (locale, [p.id for p in config.partners if locale.tag in p.required_locales])
        for locale in config.locales
    ]
    # A catalog that cannot be read is told as such (CS300), not as every entry missing.
    unreadable = {tag for tag, lookup in data.lookups.items() if lookup.unreadable}
    required = [
        (loc, partners) for loc, partners in required if partners and loc.tag not in unreadable
    ]
    parts = _message_parts(data, [locale for locale, _ in required])
    templates: list[localize.Need] | None = None
    for locale, partners in required:
        mine = parts[locale.tag]
        if not mine:  # no message in this locale: nothing is needed, not even the templates'
            continue
        if templates is None:
            templates = _template_needs(data)
        state = localize.classifier(locale, config, data.lookups)
        coverage = localize.summed(
            locale, [*mine, localize.counted(state, templates)], data.lookups
        )
        if not coverage.missing:
            continue
        yield _incomplete(config, locale, partners, coverage, data.lookups, freeze, late)


def _template_needs(data: CheckInput) -> list[localize.Need]:
    """Return the strings marked in the templates, kept (``data.memo``) by the templates' bytes.

    Babel extracted them from every template at each check after an edit (0.05-0.1 s).
    """
    from campaignsync.commands.locales import template_needs
    from campaignsync.render.templatefiles import folder_digest

    project = data.project
    rel = project.config.paths.templates
    key = (folder_digest(project.root / rel), rel)
    kept = data.memo.recall("template-needs", key) if data.memo else None
    if isinstance(kept, list) and all(_is_need(t) for t in kept):
        return [localize.Need(key, words) for key, words in kept]
    needs = template_needs(project)
    if data.memo is not None:
        data.memo.keep("template-needs", key, [(n.key, n.words) for n in needs])
    return needs


def _is_need(t: Any) -> bool:
    """Return True for a kept template string: ((msgctxt, msgid), words)."""
    if not (isinstance(t, tuple) and len(t) == 2 and isinstance(t[1], int)):
        return False
    key = t[0]
    return isinstance(key, tuple) and len(key) == 2 and all(isinstance(k, str) for k in key)


def _message_parts(data: CheckInput, locales: list[Locale]) -> dict[str, list[localize.Counted]]:
    """Return what each message of the campaign counts towards each locale's coverage, in order.

    A message's part in a locale follows from its catalog keys and the catalogs the
    locale's state reads (its own and its regional fallbacks'): kept in ``data.memo``
    (under the config) by the message's digest and those, a part is counted again only
    when one of them changed.
    """
    from campaignsync.pack import keys

    if not locales:
        return {}
    slot, salt = "coverage-parts", keys.digest(data.project.config)
    kept = data.memo.recall(slot, salt) if data.memo else None
    try:
        parts, now = _counted_parts(data, locales, kept if isinstance(kept, dict) else {})
    except (TypeError, ValueError, IndexError):  # the right shape is part of being intact
        parts, now = _counted_parts(data, locales, {})
    if data.memo is not None and now != kept:
        data.memo.keep(slot, salt, now)
    return parts


def _counted_parts(
    data: CheckInput, locales: list[Locale], kept: dict[Any, Any]
) -> tuple[dict[str, list[localize.Counted]], dict[Any, Any]]:
    """Return each locale's parts, taken from ``kept`` where they still hold; and all of them."""
    from campaignsync.pack.cache import message_digests

    project, lookups = data.project, data.lookups
    config = project.config
    messages = project.messages_of(data.campaign)
    # A message's digest names its keys and their words (both follow from it alone), and
    # the load knows it (``Project.digested``): no message's keys digested again.
    digests = message_digests(project)
    marks = {m.id: digests[m.id] for m in messages}
    needs: dict[str, list[localize.Need]] = {}
    parts: dict[str, list[localize.Counted]] = {}
    # Each message's words, under the locale "", kept while the message is the same.
    now = {(i, ""): kept[(i, "")] for i in marks if _words_hold(kept.get((i, "")), marks[i])}
    for locale in locales:
        state = None
        read = tuple(
            (t, lookups[t].digest if t in lookups else None) for t in localize.regional(locale)
        )
        mine = parts[locale.tag] = []
        for message in localize.published_in(config, messages, locale):
            mark = (marks[message.id], read)
            found = kept.get((message.id, locale.tag))
            if found is None or found[0] != mark:
                if message.id not in needs:
                    catalog_keys = localize.message_keys(message)
                    needs[message.id] = _needs(message, catalog_keys, marks[message.id], now)
                state = state or localize.classifier(locale, config, lookups)
                found = (mark, localize.counted(state, needs[message.id]))
            now[(message.id, locale.tag)] = found
            mine.append(found[1])
    return parts, now


def _needs(
    message: Message, keys: list[Key], mark: str, now: dict[Any, Any]
) -> list[localize.Need]:
    """Return a message's needed entries, their words as kept in ``now`` (else counted, kept)."""
    kept = now.get((message.id, ""))
    if kept is None:
        kept = now[(message.id, "")] = (
            mark,
            tuple(n.words for n in localize.message_needs(message)),
        )
    return [localize.Need(key, words) for key, words in zip(keys, kept[1], strict=True)]


def _words_hold(kept: Any, mark: str) -> bool:
    """Return True for kept words of a message's entries under its keys' digest ``mark``."""
    return (
        isinstance(kept, tuple)
        and len(kept) == 2
        and kept[0] == mark
        and isinstance(kept[1], tuple)
        and all(type(w) is int for w in kept[1])
    )


def _incomplete(
    config: Config,
    locale: Locale,
    partners: list[str],
    coverage: localize.Coverage,
    lookups: dict[str, Lookup],
    freeze: object,
    late: bool,
) -> Diagnostic:
    rel = po_rel(config, locale)
    lookup = lookups.get(locale.tag)
    first = coverage.first_missing
    line = lookup.lines.get(first, 0) if lookup is not None and first else 0
    if line:
        todo = "translate them" + (
            ", and review the fuzzy ones (remove 'fuzzy' once checked)"
            if coverage.fuzzy.entries
            else ""
        )
    elif lookup is not None and lookup.broken:  # left out as broken, not missing
        todo = "fix the catalog's errors (CS301-CS303) first: a broken entry counts as missing"
    else:  # not in the catalog yet: the new text has not been merged into it
        todo = "run 'campaignsync locale update', then translate them"
    if freeze is None:
        when = "the campaign has no freeze date"
    elif late:
        when = f"the translation freeze was {freeze}"
    else:
        when = f"the translation freeze is {freeze}"
    total = coverage.total.entries
    return Diagnostic(
        "CS320",
        Severity.ERROR if late else Severity.WARNING,
        f"{locale.tag} is required by {', '.join(partners)} but {coverage.missing} of {total} "
        f"entries are not translated ({coverage.fuzzy.entries} fuzzy, "
        f"{coverage.untranslated.entries} untranslated; first: {label(first or ('', ''))}); "
        f"{when}: {todo}",
        rel,
        line or 1,
        locale.tag,
    )
