"""Readability checks (CS401-CS402): long texts against the campaign's target and their source.

The long texts are the bodies of messages published as a web page, an email or a
press release; posts are too short for a stable score. The formulas and why a
translation is compared with its source, not with a fixed band: docs/readability.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from campaignsync.checks import CheckInput, check
from campaignsync.l10n import longtexts
from campaignsync.l10n.longtexts import Text
from campaignsync.l10n.readability import FORMULAS, language_of
from campaignsync.model import Diagnostic, Message, ReadabilitySettings, Severity


@check("CS401")
def source_texts(data: CheckInput) -> Iterator[Diagnostic]:
    """Report source texts harder to read than the campaign's target.

    A check across messages, as CS402 is, though each text is held to the target alone:
    it reads the long texts' counts, and each source text's hardest paragraph, kept with
    each message's findings, so the target edited (``[readability]``) checks no message's
    outputs again, and a build's answer works out no paragraph again.
    """
    settings = data.project.config.readability
    source_tag = data.project.config.source_locale.tag
    messages = {m.id: m for m in data.project.messages}
    texts = data.texts
    if texts is None:
        texts = longtexts.from_outputs(data.outputs, data.project)
    for (message_id, tag), text in sorted(texts.items()):
        misses = _misses(text, settings) if tag == source_tag else []
        if misses:
            if text.hardest is None and not text.blocks and data.blocks is not None:
                text = replace(text, blocks=data.blocks(text.message, text.locale))
            yield _too_hard(messages[message_id], text, misses)


@check("CS402")
def translated_texts(data: CheckInput) -> Iterator[Diagnostic]:
    """Report translations much harder to read than their source, for their locale."""
    config = data.project.config
    settings = config.readability
    source_language = language_of(config.source_locale.tag)
    texts = data.texts
    if texts is None:
        texts = longtexts.from_outputs(data.outputs, data.project)
    # Each text with its ratio, worked out once (13,000 texts at 500 messages x 26 locales).
    by_locale: dict[str, list[tuple[Text, float | None]]] = {}
    for text in texts.values():
        if language_of(text.locale) != source_language and text.counts.words >= settings.min_words:
            by_locale.setdefault(text.locale, []).append((text, text.ratio))
    merged: dict[tuple[str, int], Diagnostic] = {}
    for tag, group in sorted(by_locale.items()):
        usual = longtexts.baseline(ratio for _, ratio in group if ratio is not None)
        if usual is None:
            continue
        allowed = usual * (1 + settings.max_increase / 100)
        for text, ratio in sorted(group, key=lambda pair: pair[0].message):
            if ratio is not None and ratio > allowed:
                if not text.blocks and data.blocks is not None:  # kept without them
                    text = replace(text, blocks=data.blocks(text.message, text.locale))
                found = _harder_than_source(text, usual, allowed)
                key = (found.file or "", found.line or 0)
                if key in merged:  # one catalog read by two locales (es-US reading es)
                    first = merged[key]
                    merged[key] = Diagnostic(
                        first.code, first.severity, first.text, first.file, first.line,
                        f"{first.locale}, {tag}",
                    )  # fmt: skip
                else:
                    merged[key] = found
    yield from merged.values()


def _misses(text: Text, settings: ReadabilitySettings) -> list[str]:
    """Return how a source body misses the campaign's target (none: it meets it)."""
    score = text.score
    if score is None or score.words < settings.min_words:
        return []
    formula = FORMULAS.get(score.language)
    misses = []
    if score.ease is not None and formula is not None and score.ease < settings.min_ease:
        misses.append(f"{formula.name} {score.ease:.1f} (target at least {settings.min_ease})")
    if score.lix > settings.max_lix:
        misses.append(f"LIX {score.lix:.1f} (target at most {settings.max_lix})")
    return misses


def _too_hard(message: Message, text: Text, misses: list[str]) -> Diagnostic:
    """Return CS401 for a source body that misses the target so, at its hardest paragraph."""
    name, words, sentences = longtexts.hardest_block(text)
    line = next((b.line for n, b in enumerate(message.body, start=1) if f"body.{n}" == name), 1)
    return Diagnostic(
        "CS401",
        Severity.WARNING,
        f"the body is harder to read than the campaign's target: {' and '.join(misses)}; "
        f"the hardest paragraph starts here ({words} words in {sentences} "
        f"sentence{'s' if sentences != 1 else ''}): shorter sentences and everyday "
        "words help",
        message.path,
        line,
        text.locale,
    )


def _harder_than_source(text: Text, usual: float, allowed: float) -> Diagnostic:
    """Return CS402 at the PO line of the translation's hardest paragraph."""
    language = language_of(text.locale)
    index = longtexts.hardest(text.blocks, language)
    name, _block, origin = text.blocks[index]
    path, _, line = (origin or "").rpartition(":")
    score = text.score
    assert score is not None and text.ratio is not None
    return Diagnostic(
        "CS402",
        Severity.WARNING,
        f"{text.message}:{name}: the translated body is much harder to read than its "
        f"source: LIX {score.lix:.1f} against {_source_lix(text):.1f}, x{text.ratio:.2f} where "
        f"this locale's texts are usually x{usual:.2f} of their source (allowed up to "
        f"x{allowed:.2f}); the hardest paragraph is this entry: shorter sentences and "
        "everyday words help",
        path or None,
        int(line) if line.isdigit() else None,
        text.locale,
    )


def _source_lix(text: Text) -> float:
    assert text.source is not None
    return text.source.per_sentence + 100 * text.source.long_words / max(1, text.source.words)
