"""Stage 2: a message in one locale, its segments looked up along the fallback chain."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from campaignsync.l10n import tokens
from campaignsync.l10n.catalog import Lookup
from campaignsync.load import body, content
from campaignsync.model import Config, Locale, LocalizedMessage, Message, Translated
from campaignsync.render import markup


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


def language(tag: str) -> str:
    """Return the language part of a BCP 47 tag (``es`` for ``es-US``)."""
    return tag.split("-", 1)[0].lower()


def regional(locale: Locale) -> tuple[str, ...]:
    """Return the locale and the fallbacks of its own language: text from them is translated.

    ``es-US`` reading ``es`` (or ``en-US`` reading the ``en`` source) is a
    regional fallback; a fallback to another language is allowed by the
    config, but what it supplies is not a translation into this locale.
    """
    own = language(locale.tag)
    return tuple(tag for tag in chain(locale) if language(tag) == own)


def reaches_source(locale: Locale, config: Config) -> bool:
    """Return True when the source text counts as translated for this locale."""
    return config.source_locale.tag in regional(locale) or locale == config.source_locale


def localize(
    message: Message, locale: Locale, config: Config, lookups: Mapping[str, Lookup]
) -> LocalizedMessage:
    """Translate every segment of a message into ``locale`` and render its body once.

    A segment missing from the locale's catalog is looked up along the
    configured fallback chain, then taken from the source. The result is
    ``translated`` only when every segment came from the locale itself or
    from a regional fallback (a configured fallback of the same language).
    """
    source = config.source_locale.tag
    allowed = chain(locale)
    same = set(regional(locale))
    fields: list[tuple[str, Translated]] = []
    used: set[str] = set()
    complete = True
    for segment in content.segments(message):
        found = _find(message.id, segment.field, segment.text, allowed, source, lookups)
        if found is None:
            found = Translated(segment.text, source)
        if found.locale not in same:
            complete = False
        if found.locale != locale.tag:
            used.add(found.locale)
        fields.append((segment.field, found))
    texts = dict(fields)
    block_texts = tuple(
        texts[f"body.{n}"].text if block.kind != "code" else block.text
        for n, block in enumerate(message.body, start=1)
    )
    return LocalizedMessage(
        message=message,
        locale=locale,
        partner=partner_for(config, message, locale),
        fields=tuple(fields),
        body=_Body(message, locale, config, texts, block_texts),
        translated=complete,
        fallbacks=tuple(sorted(used)),
    )


class _Body:
    """A message's body in one locale, each form converted the first time it is read.

    Three quarters of localizing a message is its Markdown: a channel whose templates
    show no body (an X post, after X's template was edited) converts none.
    """

    def __init__(
        self,
        message: Message,
        locale: Locale,
        config: Config,
        texts: Mapping[str, Translated],
        blocks: tuple[str, ...],
    ) -> None:
        self._source = (message, locale, config, texts)
        self._blocks = blocks

    @functools.cached_property
    def html(self) -> str:
        return markup.to_html(*_marked_body(*self._source))

    @functools.cached_property
    def text(self) -> str:
        return markup.to_text(self._source[0].body, self._blocks)

    @functools.cached_property
    def plain(self) -> str:
        return markup.to_text(self._source[0].body, self._blocks, width=0)


def foreign(tag: str, locale: Locale, config: Config) -> tuple[str, str] | None:
    """Return (tag, direction) when text from locale ``tag`` is in another language than ``locale``.

    A regional fallback (``es`` for ``es-US``) is the same language: None.
    """
    if language(tag) == language(locale.tag):
        return None
    other = config.locale(tag)
    return tag, other.direction if other else "ltr"


def _marked_body(
    message: Message, locale: Locale, config: Config, texts: Mapping[str, Translated]
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Return the body's Markdown with each block in another language marked, and the languages."""
    languages: list[tuple[str, str]] = []
    marked = []
    for number, block in enumerate(message.body, start=1):
        if block.kind == "code":
            marked.append(block.text)
            continue
        found = texts[f"body.{number}"]
        other = foreign(found.locale, locale, config)
        if other is None:
            marked.append(found.text)
            continue
        if other not in languages:
            languages.append(other)
        marked.append(markup.mark(found.text, languages.index(other)))
    return body.join_body(message.body, tuple(marked)), tuple(languages)


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


Key = tuple[str, str]  # (msgctxt or "", msgid), as in catalog.Lookup


@dataclass(frozen=True, slots=True)
class Need:
    """An entry a locale needs: its catalog key and the words of its source text."""

    key: Key
    words: int


@dataclass(frozen=True, slots=True)
class Tally:
    """A number of entries and the source words in them."""

    entries: int = 0
    words: int = 0


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of what a locale needs is translated; fuzzy never counts as translated."""

    locale: Locale
    translated: Tally
    fallback: Tally  # supplied by a regional fallback (same language)
    fuzzy: Tally
    untranslated: Tally
    obsolete: int
    first_missing: Key | None = None

    @property
    def total(self) -> Tally:
        """Return every needed entry and its words."""
        parts = (self.translated, self.fallback, self.fuzzy, self.untranslated)
        return Tally(sum(p.entries for p in parts), sum(p.words for p in parts))

    @property
    def missing(self) -> int:
        """Return the number of entries that are fuzzy or untranslated."""
        return self.fuzzy.entries + self.untranslated.entries

    @property
    def percent(self) -> float:
        """Return the complete share in per cent, rounded down to 0.1 (never 100 too soon)."""
        total = self.total.entries
        if not total:
            return 100.0
        done = self.translated.entries + self.fallback.entries
        return math.floor(done * 1000 / total) / 10


def message_keys(message: Message) -> list[Key]:
    """Return the catalog keys of one message's segments."""
    return [(content.msgctxt(message.id, s.field), s.text) for s in content.segments(message)]


def message_needs(message: Message) -> list[Need]:
    """Return the catalog entries of one message's segments."""
    return [Need(key, tokens.words(key[1])) for key in message_keys(message)]


def published_in(config: Config, messages: Iterable[Message], locale: Locale) -> Iterator[Message]:
    """Yield the messages published in ``locale``, in the order given."""
    # Whether a message is published in the locale follows from its partners alone.
    reach: dict[tuple[str, ...], bool] = {}
    for message in messages:
        if message.partners not in reach:
            tags = (loc.tag for loc in locales_for(config, message))
            reach[message.partners] = locale.tag in tags
        if reach[message.partners]:
            yield message


def needs(
    config: Config,
    messages: Iterable[Message],
    locale: Locale,
    template_needs: Iterable[Need],
    memo: dict[str, list[Need]] | None = None,
) -> list[Need]:
    """Return what ``locale`` needs: its messages' segments, then the template strings.

    Pass the same ``memo`` for every locale: a message's segments are counted once.
    """
    memo = {} if memo is None else memo
    found: list[Need] = []
    for message in published_in(config, messages, locale):
        if message.id not in memo:
            memo[message.id] = message_needs(message)
        found.extend(memo[message.id])
    if found:
        found.extend(template_needs)
    return found


def classifier(
    locale: Locale, config: Config, lookups: Mapping[str, Lookup]
) -> Callable[[Key], str]:
    """Return how ``locale`` has a catalog entry: translated, fuzzy, fallback or untranslated.

    Fallback means a regional fallback (or the source, for ``en-US``) supplies it.
    """
    own = lookups.get(locale.tag) or Lookup("")
    others = [lookups[tag] for tag in regional(locale)[1:] if tag in lookups]
    source_counts = reaches_source(locale, config)

    def state(key: Key) -> str:
        if key in own.entries:
            return "translated"
        if key in own.fuzzy:
            return "fuzzy"
        if source_counts or any(key in other.entries for other in others):
            return "fallback"
        return "untranslated"

    return state


def classifier_reads(locale: Locale, lookups: Mapping[str, Lookup]) -> tuple[str, ...]:
    """Return the digest of each catalog :func:`classifier` reads for ``locale`` ("-": none).

    Empty when a catalog has no digest (not read from a file): what it says cannot be kept.
    """
    found = [lookups.get(tag) for tag in regional(locale)]
    if any(lookup is not None and not lookup.digest for lookup in found):
        return ()
    return tuple("-" if lookup is None else lookup.digest for lookup in found)


def coverage(
    locale: Locale, config: Config, needed: Iterable[Need], lookups: Mapping[str, Lookup]
) -> Coverage:
    """Count what a locale needs by state: translated, via fallback, fuzzy, untranslated."""
    return summed(locale, [counted(classifier(locale, config, lookups), needed)], lookups)


#: Entries then words of each state (in the order of :data:`STATES`), and the first key
#: fuzzy or untranslated: what some needs of a locale count, as plain values.
Counted = tuple[tuple[int, ...], Key | None]
STATES = ("translated", "fallback", "fuzzy", "untranslated")


def counted(state: Callable[[Key], str], needed: Iterable[Need]) -> Counted:
    """Return the entries and words of ``needed`` by the state :func:`classifier` gives each."""
    # Counted as plain ints (a Tally per need was most of the time).
    counts = {kind: [0, 0] for kind in STATES}
    first: Key | None = None
    for need in needed:
        kind = state(need.key)
        count = counts[kind]
        count[0] += 1
        count[1] += need.words
        if first is None and kind in ("fuzzy", "untranslated"):
            first = need.key
    return tuple(n for kind in STATES for n in counts[kind]), first


def summed(locale: Locale, parts: Iterable[Counted], lookups: Mapping[str, Lookup]) -> Coverage:
    """Return the coverage of a locale's needs counted in parts, in the order of the needs."""
    totals = [0] * 2 * len(STATES)
    first: Key | None = None
    for counts, missing in parts:
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        first = first or missing
    tallies = {kind: Tally(*totals[2 * n : 2 * n + 2]) for n, kind in enumerate(STATES)}
    obsolete = lookups[locale.tag].obsolete if locale.tag in lookups else 0
    return Coverage(locale, **tallies, obsolete=obsolete, first_missing=first)
