"""Stage 2: a message in one locale, its segments looked up along the fallback chain."""

from __future__ import annotations

from collections.abc import Mapping

from campaignsync import content, markup
from campaignsync.catalog import Lookup
from campaignsync.model import Config, Locale, LocalizedMessage, Message, Translated


def locales_for(config: Config, message: Message) -> tuple[Locale, ...]:
    """Return the locales a message is published in: those of its partners, in config order."""
    wanted = {tag for pid in message.partners if (p := config.partner(pid)) for tag in p.locales}
    return tuple(loc for loc in config.all_locales if loc.tag in wanted)


def partner_for(config: Config, message: Message, locale: Locale) -> str:
    """Return the partner that publishes ``message`` in ``locale``."""
    for pid in message.partners:
        partner = config.partner(pid)
        if partner is not None and locale.tag in partner.locales:
            return pid
    return message.partners[0]


def chain(locale: Locale) -> tuple[str, ...]:
    """Return the locales a translation may come from, best first; the source is implied."""
    return (locale.tag, *locale.fallbacks)


def localize(
    message: Message, locale: Locale, config: Config, lookups: Mapping[str, Lookup]
) -> LocalizedMessage:
    """Translate every segment of a message into ``locale`` and render its body once.

    A segment missing from the locale's catalog is looked up along the
    configured fallback chain, then taken from the source. The result is
    ``translated`` only when no segment had to come from outside the chain.
    """
    source = config.source_locale.tag
    allowed = chain(locale)
    fields: list[tuple[str, Translated]] = []
    used: set[str] = set()
    complete = True
    for segment in content.segments(message):
        found = _find(message.id, segment.field, segment.text, allowed, source, lookups)
        if found is None:
            found = Translated(segment.text, source)
            complete = False
        if found.locale != locale.tag:
            used.add(found.locale)
        fields.append((segment.field, found))
    texts = dict(fields)
    block_texts = tuple(
        texts[f"body.{n}"].text if block.kind != "code" else block.text
        for n, block in enumerate(message.body, start=1)
    )
    body_md = content.join_body(message.body, block_texts)
    return LocalizedMessage(
        message=message,
        locale=locale,
        partner=partner_for(config, message, locale),
        fields=tuple(fields),
        body_html=markup.to_html(body_md),
        body_text=markup.to_text(message.body, block_texts),
        body_plain=markup.to_text(message.body, block_texts, width=0),
        translated=complete,
        fallbacks=tuple(sorted(used)),
    )


def _find(
    message_id: str,
    field: str,
    text: str,
    allowed: tuple[str, ...],
    source: str,
    lookups: Mapping[str, Lookup],
) -> Translated | None:
    context = content.msgctxt(message_id, field)
    for tag in allowed:
        if tag == source:
            return Translated(text, source)
        lookup = lookups.get(tag)
        entry = lookup.get(context, text) if lookup else None
        if entry is not None:
            return Translated(entry.text, tag, f"{lookup.path}:{entry.line}" if lookup else None)
    return None
