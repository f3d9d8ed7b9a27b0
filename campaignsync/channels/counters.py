"""Pure text-length counters for each platform: X, Mastodon, Threads, graphemes, UTF-8/16."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property

import regex

from campaignsync.channels import urlfinder

# Emoji sequences, found as twitter-text's emoji regex finds them (java/src/main/java/com/
# twitter/twittertext/TwitterTextEmojiRegex.java, the regex of twemoji-parser that js/src/
# parseTweet.js uses) but with current Unicode data, so that newer emoji count 2 as X
# documents. Each sequence costs defaultWeight once.
#: Symbols that are text unless U+FE0F follows ("Emoji which default to text must be
#: followed by U+fe0f"): © alone weighs 1 as its range says, ©️ weighs 2.
_TEXT_DEFAULT = "\u00a9\u00ae\u2122\u265f"
#: Emoji shown as emoji by default that take U+FE0F all the same (emoji variation
#: sequences); after any other emoji-presentation character U+FE0F is stray and weighs 2.
_PRESENTATION_VS = (
    "\u231a\u231b\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab"
    "\u26bd\u26be\u26c4\u26c5\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2757\u2b1b"
    "\u2b1c\u2b50\u2b55\U0001f004\U0001f21a\U0001f22f"
)
#: An emoji that is text by default (Emoji but not Emoji_Presentation): ‼ ☝ ❤ 🏳.
_TEXT_EMOJI = (
    rf"(?![{_TEXT_DEFAULT}])(?=\p{{Emoji}})(?!\p{{Emoji_Presentation}})\p{{Extended_Pictographic}}"
)
#: One element of a sequence: qualified as emoji (U+FE0F after a text-default emoji, or a
#: skin tone after a modifier base), or an emoji by default.
_EMOJI_PART = (
    rf"(?:[{_TEXT_DEFAULT}]\ufe0f"
    r"|\p{Emoji_Modifier_Base}\p{Emoji_Modifier}"
    rf"|[{_PRESENTATION_VS}]\ufe0f?"
    rf"|{_TEXT_EMOJI}\ufe0f"
    r"|(?=\p{Emoji_Presentation}|\P{Emoji})\p{Extended_Pictographic})"
)
_EMOJI = regex.compile(
    r"[#*0-9]\ufe0f?\u20e3"
    r"|\p{Regional_Indicator}{2}"
    rf"|{_EMOJI_PART}[\U000e0020-\U000e007e]*\U000e007f?(?:\u200d{_EMOJI_PART})*"
    # A text-default emoji without U+FE0F is an emoji alone (‼ weighs 2), as in twitter-text,
    # but starts no sequence: unqualified ❤ + ZWJ + 🔥 costs 2 + 1 + 2 there too.
    rf"|{_TEXT_EMOJI}"
)
#: Threads counts an emoji as its UTF-8 bytes and documents no more: every pictographic
#: character with its U+FE0F, skin tone or joined sequence is taken as one (conservative).
_PICTOGRAPHIC_PART = r"\p{Extended_Pictographic}(?:\ufe0f|\p{Emoji_Modifier})?"
_PICTOGRAPHIC = regex.compile(
    r"[#*0-9]\ufe0f?\u20e3"
    r"|\p{Regional_Indicator}{2}"
    rf"|{_PICTOGRAPHIC_PART}[\U000e0020-\U000e007e]*\U000e007f?(?:\u200d{_PICTOGRAPHIC_PART})*"
)
_GRAPHEME = regex.compile(r"\X")
_MENTION = regex.compile(r"(?<![/a-z0-9_])(@[a-z0-9_]+)@[a-z0-9.\-]+[a-z0-9]", regex.IGNORECASE)


@dataclass(frozen=True)
class _XConfig:
    scale: int
    default_weight: int
    url_length: int
    emoji_parsing: bool
    ranges: tuple[tuple[int, int, int], ...]

    def weight(self, code_point: int) -> int:
        for start, end, weight in self.ranges:
            if start <= code_point <= end:
                return weight
        return self.default_weight

    @cached_property
    def classes(self) -> tuple[tuple[int, regex.Pattern[str]], ...]:
        """Return (weight, pattern) for each weight the ranges give, to count by class."""
        by_weight: dict[int, list[str]] = {}
        for start, end, weight in self.ranges:
            by_weight.setdefault(weight, []).append(f"\\U{start:08x}-\\U{end:08x}")
        return tuple(
            (weight, regex.compile("[" + "".join(parts) + "]"))
            for weight, parts in sorted(by_weight.items())
        )

    def text_weight(self, text: str) -> int:
        """Return the summed weight of ``text``, character by character."""
        total = self.default_weight * len(text)
        for weight, pattern in self.classes:
            if weight != self.default_weight:
                total += (weight - self.default_weight) * len(pattern.findall(text))
        return total


@cache
def _x_config() -> _XConfig:
    raw = json.loads(urlfinder.data("v3.json"))
    ranges = tuple((int(r["start"]), int(r["end"]), int(r["weight"])) for r in raw["ranges"])
    return _XConfig(
        int(raw["scale"]),
        int(raw["defaultWeight"]),
        int(raw["transformedURLLength"]),
        bool(raw["emojiParsingEnabled"]),
        ranges,
    )


def x_weighted_length(text: str, *, emoji_parsing: bool | None = None) -> int:
    """Return the weighted length that X (twitter-text v3) gives ``text``.

    Every URL costs ``transformedURLLength``; every emoji sequence (ZWJ sequence, flag, tag
    sequence, skin tone, keycap) costs ``defaultWeight`` once. Text-default symbols follow
    twitter-text: ``©`` and ``®`` are text and weigh 1 (their range) unless U+FE0F follows,
    ``‼`` alone is an emoji (2), and U+FE0F after an emoji that takes none weighs 2 on its own.
    Emoji use current Unicode data, so newer sequences such as ❤️‍🔥 and 🐦‍🔥 cost 2 where the
    old twitter-text data says 5. ``emoji_parsing=False`` reproduces config v2, which the
    conformance section ``WeightedTweetsCounterTest`` uses; the default follows
    ``emojiParsingEnabled`` in v3.json.
    """
    config = _x_config()
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    emoji = config.emoji_parsing if emoji_parsing is None else emoji_parsing
    total = index = 0
    # Between URLs, emoji sequences cost defaultWeight each and other characters their
    # range's weight: counted a class at a time rather than a character at a time.
    for start, end in [*sorted(urlfinder.spans(text).items()), (len(text), len(text))]:
        piece = text[index:start]
        if emoji and piece and not piece.isascii():
            found = [(int(m.start()), int(m.end())) for m in _EMOJI.finditer(piece)]
            total += config.default_weight * len(found)
            last = 0
            for emoji_start, emoji_end in found:
                total += config.text_weight(piece[last:emoji_start])
                last = emoji_end
            total += config.text_weight(piece[last:])
        else:
            total += config.text_weight(piece)
        if start < len(text):
            total += config.url_length * config.scale
        index = end
    return -(-total // config.scale)


def urls(text: str, *, bare: bool = True) -> list[tuple[int, int]]:
    """Return the (start, end) of every URL twitter-text finds in ``text``, in order.

    With ``bare=False`` only URLs that start with ``http://`` or ``https://`` count
    (Mastodon's rule); otherwise bare domains with a known TLD count too (X's rule).
    """
    return sorted(urlfinder.spans(text, bare=bare).items())


_HASHTAG = regex.compile(
    r"(?<![&\p{L}\p{M}\p{Nd}_/])[#＃](?!\ufe0f|\u20e3)"
    r"([\p{L}\p{M}\p{Nd}_]*\p{L}[\p{L}\p{M}\p{Nd}_]*)"
)


def hashtags(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, tag without '#') for every hashtag in ``text``, outside URLs."""
    inside: list[tuple[int, int]] | None = None
    found = []
    for match in _HASHTAG.finditer(text):
        start = int(match.start())
        # A URL has no spaces, so a '#' after a space (or at the start) is outside any URL;
        # only the rare other cases pay for finding the URLs.
        if start and not text[start - 1].isspace():
            if inside is None:
                inside = urls(text) if "." in text else []
            if any(a <= start < b for a, b in inside):
                continue
        found.append((start, int(match.end()), str(match.group(1))))
    return found


def threads_length(text: str) -> int:
    """Return the length Threads gives ``text``: one per character, an emoji its UTF-8 bytes."""
    total = index = 0
    while index < len(text):
        match = _PICTOGRAPHIC.match(text, index)
        if match:
            total += utf8_bytes(str(match.group()))
            index = int(match.end())
        else:
            total += 1
            index += 1
    return total


def mastodon_length(text: str, url_length: int = 23) -> int:
    """Return the length Mastodon gives ``text``, in grapheme clusters after its rewrites."""
    parts: list[str] = []
    last = 0
    for start, end in sorted(urlfinder.spans(text, bare=False).items()):
        parts += [text[last:start], "x" * url_length]
        last = end
    parts.append(text[last:])
    return graphemes(_MENTION.sub(r"\1", "".join(parts)))


def graphemes(text: str) -> int:
    """Return the number of extended grapheme clusters in ``text``."""
    return len(_GRAPHEME.findall(text))


def clusters(text: str) -> list[str]:
    """Return the extended grapheme clusters of ``text`` (what a reader sees as characters)."""
    return [str(c) for c in _GRAPHEME.findall(text)]


def utf8_bytes(text: str) -> int:
    """Return the length of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_units(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


#: An emoji as people see one: a pictograph shown as emoji (by default or with VS16), a
#: flag or a keycap, with its skin tone, tags and ZWJ parts. Unlike X's count, © ® ™ and
#: other text-style symbols without VS16 are not emoji here.
_SHOWN = r"(?:\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f)\p{Emoji_Modifier}?\ufe0f?"
_SHOWN_EMOJI = regex.compile(
    r"[#*0-9]\ufe0f?\u20e3"
    r"|\p{Regional_Indicator}{2}"
    rf"|{_SHOWN}[\U000e0020-\U000e007e]*\U000e007f?"
    r"(?:\u200d\p{Extended_Pictographic}\ufe0f?\p{Emoji_Modifier}?)*"
)


def emoji(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of every emoji a reader sees in ``text`` (a ZWJ family is one)."""
    if text.isascii():
        return []
    return [(int(m.start()), int(m.end())) for m in _SHOWN_EMOJI.finditer(text)]
