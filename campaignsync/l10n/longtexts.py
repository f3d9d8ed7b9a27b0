"""The long texts of a campaign: each message's body per locale, counted, and what they add up to.

The bodies of web pages, emails and press releases are counted while rendering
(:func:`counted`, in the worker processes, kept by the render cache); checks,
``locale status`` and the manifest read those counts. Scoring: l10n/readability.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from campaignsync.l10n.readability import Counts, Score, count, language_of, score
from campaignsync.model import Config, Message, Output, Project, Translated

#: The channels whose outputs carry a message's whole body: the long texts that are scored.
LONG_CHANNELS = ("web", "email", "press")
#: A locale's usual ratio to the source needs this many texts to mean something.
MIN_BASELINE = 3
#: The fewest words of a locale's long texts whose LIX is compared with the source's in its
#: summary: a locale with a paragraph or two translated gave "x1.51 of the source" from
#: 14 words, which says nothing.
MIN_RATIO_WORDS = 100


#: A text's hardest body block: its field, and its words and sentences.
Hardest = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Text:
    """A message's body in one locale: the blocks written in that language, counted."""

    message: str
    locale: str
    #: (field, text, origin) of each body block in the locale's language; origin is the
    #: PO file and line of a translation (None for the source).
    blocks: tuple[tuple[str, str, str | None], ...]
    counts: Counts
    #: The same blocks of the source text, counted (None for a text in the source language).
    source: Counts | None = None
    #: Its hardest block (:func:`hardest_block`), when kept without ``blocks``.
    hardest: Hardest | None = None

    @property
    def score(self) -> Score | None:
        """Return the text's readability (None without words)."""
        return score(self.counts, language_of(self.locale))

    @property
    def ratio(self) -> float | None:
        """Return how much harder than its source the text is, LIX over LIX (None: no source)."""
        return ratio(self.counts, self.source)


def ratio(counts: Counts, source: Counts | None) -> float | None:
    """Return LIX over the source's LIX (None without a source or words)."""
    mine = _lix(counts)
    theirs = _lix(source) if source is not None else None
    if mine is None or not theirs:
        return None
    return mine / theirs


def _lix(counts: Counts) -> float | None:
    if not counts.words or not counts.sentences:
        return None
    return counts.per_sentence + 100 * counts.long_words / counts.words


def body_blocks(
    fields: Iterable[tuple[str, Translated]], tag: str
) -> tuple[tuple[str, str, str | None], ...]:
    """Return the body blocks of localized fields that are written in ``tag``'s language."""
    language = language_of(tag)
    return tuple(
        (name, t.text, t.origin)
        for name, t in fields
        if name.startswith("body.") and language_of(t.locale) == language
    )


def text_of(
    message: Message,
    tag: str,
    fields: Iterable[tuple[str, Translated]],
    source_language: str,
) -> Text:
    """Count a message's body in ``tag`` and, for another language, the same source blocks."""
    blocks = body_blocks(fields, tag)
    language = language_of(tag)
    counts = count((text for _f, text, _o in blocks), language)
    source = None
    if language != source_language:
        texts = source_blocks(message)
        same = (texts[f] for f, _t, _o in blocks if f in texts)
        source = count(same, source_language)
    return Text(message.id, tag, blocks, counts, source)


def source_blocks(message: Message) -> dict[str, str]:
    """Return the source text of each translatable body block, by field name."""
    return {
        f"body.{n}": block.text
        for n, block in enumerate(message.body, start=1)
        if block.kind != "code"
    }


def counted(
    outputs: Iterable[Output],
    message: Message,
    fields: Iterable[tuple[str, Translated]],
    config: Config,
) -> tuple[Output, ...]:
    """Return a unit's outputs, its long texts carrying their body's readability counts.

    Counted while rendering (in the worker processes, kept by the render cache), so that
    checks and the manifest do not count every text again.
    """
    made = tuple(outputs)
    if not message.body or not any(o.channel in LONG_CHANNELS for o in made):
        return made
    tag = made[0].locale if made else config.source_locale.tag
    text = text_of(message, tag, fields, language_of(config.source_locale.tag))
    counts = plain_counts(text.counts) + (plain_counts(text.source) if text.source else ())
    return tuple(replace(o, readability=counts) if o.channel in LONG_CHANNELS else o for o in made)


def plain_counts(counts: Counts) -> tuple[int, ...]:
    """Return the counts as a plain tuple, as outputs and kept findings hold them."""
    return (
        counts.words,
        counts.sentences,
        counts.syllables,
        counts.letters,
        counts.long_words,
        counts.longest,
    )


def from_outputs(
    outputs: Iterable[Output], project: Project, blocks: bool = True
) -> dict[tuple[str, str], Text]:
    """Return the long texts among rendered outputs, by (message, locale), counted once each.

    Counts made while rendering (``Output.readability``) are used as they are;
    ``blocks=False`` then leaves the text's blocks out (the manifest reads only counts).
    """
    messages = {m.id: m for m in project.messages}
    source_language = language_of(project.config.source_locale.tag)
    found: dict[tuple[str, str], Text] = {}
    for output in outputs:
        key = (output.message, output.locale)
        # A clean build's parent gets its outputs' counts without their fields; one taken
        # from the render cache has its counts in its row, its fields read only if it has none.
        if (
            output.channel not in LONG_CHANNELS
            or key in found
            or not (output.readability or output.fields)
        ):
            continue
        message = messages[output.message]
        if not message.body:
            continue
        known = output.readability
        if len(known) in (6, 12):
            shown = body_blocks(output.fields, output.locale) if blocks else ()
            source = Counts(*known[6:]) if len(known) == 12 else None
            found[key] = Text(message.id, output.locale, shown, Counts(*known[:6]), source)
        else:
            found[key] = text_of(message, output.locale, output.fields, source_language)
    return found


#: A locale's long texts added up: their counts, their sources' (None: none), how many.
Totals = tuple[Counts, Counts | None, int]


def summary(texts: Iterable[Text]) -> dict[str, dict[str, object]]:
    """Return each locale's readability over all its long texts, as JSON-ready objects.

    ``ratio`` is the locale's LIX over the source's LIX for the same blocks (absent
    for the source language, and under :data:`MIN_RATIO_WORDS` words).
    """
    totals: dict[str, Totals] = {}
    for text in texts:
        counts, source, number = totals.get(text.locale, (Counts(), None, 0))
        if text.source is not None:
            source = (source or Counts()) + text.source
        totals[text.locale] = (counts + text.counts, source, number + 1)
    return summarised(totals)


def summarised(totals: Mapping[str, Totals]) -> dict[str, dict[str, object]]:
    """Return each locale's readability from its long texts added up (see :func:`summary`)."""
    report: dict[str, dict[str, object]] = {}
    for tag, (counts, source, number) in sorted(totals.items()):
        found = score(counts, language_of(tag))
        if found is None:
            continue
        entry = {**found.as_json(), "texts": number}
        value = ratio(counts, source) if counts.words >= MIN_RATIO_WORDS else None
        if value is not None:
            entry["ratio"] = round(value, 2)
        report[tag] = entry
    return report


def hardest(blocks: tuple[tuple[str, str, str | None], ...], language: str) -> int:
    """Return the index of the block with the highest LIX (of those with 10 words or more).

    LIX needs no syllables, so no hyphenation dictionary is loaded.
    """
    best, worst = 0, -1.0
    for index, (_field, text, _origin) in enumerate(blocks):
        found = score(count((text,), language, with_syllables=False), language)
        if found is not None and found.words >= 10 and found.lix > worst:
            best, worst = index, found.lix
    return best


def hardest_block(text: Text) -> Hardest:
    """Return the field, words and sentences of a text's hardest block (see :func:`hardest`)."""
    if text.hardest is not None:
        return text.hardest
    language = language_of(text.locale)
    name, block, _origin = text.blocks[hardest(text.blocks, language)]
    counts = count((block,), language, with_syllables=False)
    return name, counts.words, counts.sentences


def baseline(ratios: Iterable[float]) -> float | None:
    """Return the median of a locale's ratios to the source (None with too few texts)."""
    ordered = sorted(ratios)
    if len(ordered) < MIN_BASELINE:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def report(texts: dict[tuple[str, str], Text]) -> dict[str, object]:
    """Return the readability part of a pack's manifest: per locale, and per message x locale."""
    per_text: dict[str, dict[str, object]] = {}
    for (message, tag), text in sorted(texts.items()):
        entry = scored(text)
        if entry is not None:
            per_text.setdefault(message, {})[tag] = entry
    return {"locales": summary(texts.values()), "messages": per_text}


def scored(text: Text) -> dict[str, object] | None:
    """Return what the manifest says of one long text's readability (None: no words)."""
    found = text.score
    if found is None:
        return None
    entry = {k: v for k, v in found.as_json().items() if k != "language"}
    if (value := text.ratio) is not None:
        entry["ratio"] = round(value, 2)
    return entry
