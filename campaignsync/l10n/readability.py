"""Readability of long texts, per language: the language's own formula where one exists, LIX always.

Formulas, their sources and the counting rules are in docs/readability.md.
Syllables come from the hyphenation dictionaries that pyphen ships (LibreOffice's
patterns); nothing is downloaded. Only this module imports pyphen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pyphen

#: What ends a sentence at the end of a token (so 16:00 and 3.5 do not).
_ENDS = (".", "!", "?", ";", ":", "…")
#: What may follow the end of a sentence: closing quotes and brackets.
_CLOSING = "\"'”’»)]*_"
#: What is stripped from both ends of a token before it is read as a word.
_PUNCTUATION = "\"'“”‘’«»„‚()[]{}<>.,;:!?…*_~/|-–—¡¿"
_LINK = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[((?:[^\[\]\\]|\\.)*)\]\([^)]*\)")
#: What is not prose, each with a marker that must be in the text for it to match.
_DROPS = (
    ("`", re.compile(r"`[^`]*`")),
    ("<", re.compile(r"<[^<>]*>")),
    ("://", re.compile(r"\S*://\S*")),
    ("www.", re.compile(r"\S*www\.\S*")),
    ("@", re.compile(r"\S*@\S*")),
    ("#", re.compile(r"#\w+")),
)
_HYPHENS = re.compile(r"['’\-]")
#: LIX counts words of more than six letters as long (Björnsson 1968).
LONG_WORD = 6


@dataclass(frozen=True, slots=True)
class Counts:
    """What the formulas read from a text."""

    words: int = 0
    sentences: int = 0
    syllables: int = 0
    letters: int = 0
    long_words: int = 0
    #: The longest sentence, in words.
    longest: int = 0

    def __add__(self, other: Counts) -> Counts:
        """Return the counts of two texts read one after the other."""
        return Counts(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
            self.letters + other.letters,
            self.long_words + other.long_words,
            max(self.longest, other.longest),
        )

    @property
    def per_sentence(self) -> float:
        """Return the average sentence length in words (ASL)."""
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def per_word(self) -> float:
        """Return the average number of syllables per word (ASW)."""
        return self.syllables / self.words if self.words else 0.0


@dataclass(frozen=True, slots=True)
class Formula:
    """A reading-ease formula made for one language: higher is easier."""

    key: str
    name: str
    compute: Callable[[Counts], float]
    syllables: bool = True


def _flesch(base: float, asl: float, asw: float) -> Callable[[Counts], float]:
    return lambda c: base - asl * c.per_sentence - asw * c.per_word


def _gulpease(c: Counts) -> float:
    return 89 + (300 * c.sentences - 10 * c.letters) / c.words


#: Each language's own formula (constants as in textstat and the sources in docs/readability.md).
FORMULAS = {
    "en": Formula("flesch", "Flesch reading ease", _flesch(206.835, 1.015, 84.6)),
    "de": Formula("flesch-amstad", "Flesch–Amstad", _flesch(180.0, 1.0, 58.5)),
    "fr": Formula("kandel-moles", "Kandel–Moles", _flesch(207.0, 1.015, 73.6)),
    "es": Formula("fernandez-huerta", "Fernández-Huerta", _flesch(206.84, 1.02, 60.0)),
    "it": Formula("gulpease", "Gulpease", _gulpease, syllables=False),
    "nl": Formula("flesch-douma", "Flesch–Douma", _flesch(206.835, 0.93, 77.0)),
}
#: The hyphenation dictionary each language's syllables are counted with.
_DICTIONARIES = {"en": "en_US", "de": "de_DE", "fr": "fr", "es": "es", "nl": "nl_NL"}


@dataclass(frozen=True, slots=True)
class Score:
    """A text's readability in its language: LIX, and the language's formula where it has one."""

    language: str
    words: int
    sentences: int
    longest: int
    lix: float
    formula: str | None = None
    ease: float | None = None

    def as_json(self) -> dict[str, object]:
        """Return the score as a JSON object (rounded to one decimal)."""
        return {
            "language": self.language,
            "words": self.words,
            "sentences": self.sentences,
            "lix": self.lix,
            "formula": self.formula,
            "ease": self.ease,
        }

    def describe(self) -> str:
        """Return the score as a phrase: ``Flesch reading ease 42.0, LIX 51.3``."""
        found = FORMULAS.get(self.language)
        own = f"{found.name} {self.ease:.1f}, " if found and self.ease is not None else ""
        return f"{own}LIX {self.lix:.1f}"


def prose(markdown: str) -> str:
    """Return the words of a Markdown segment: link labels kept; URLs, code and tags dropped."""
    text = markdown
    if "](" in text:
        text = _LINK.sub(lambda m: m.group(1) or " ", text)
    # One pattern each, run only when its marker is there: much faster than one alternation.
    for marker, pattern in _DROPS:
        if marker in text:
            text = pattern.sub(" ", text)
    return text


def count(blocks: Iterable[str], language: str, *, with_syllables: bool = True) -> Counts:
    """Count the words, sentences, syllables and letters of Markdown blocks in one language.

    A word is a run of letters, with inner hyphens or apostrophes (numbers are not words).
    A sentence ends at . ! ? ; : or … at the end of a word, and at the end of each block
    (paragraph, heading, list item), with or without a full stop. Without syllables
    (enough for LIX, words and sentences) no hyphenation dictionary is loaded.
    """
    total = Counts()
    for block in blocks:
        total = total + count_block(block, language, with_syllables)
    return total


@lru_cache(maxsize=1 << 16)
def count_block(block: str, language: str, with_syllables: bool = True) -> Counts:
    """Count one Markdown block (cached: source blocks are read once for every locale)."""
    words: list[str] = []
    ends: list[int] = []
    for token in prose(block).split():
        if token.isalpha():
            words.append(token)
            continue
        word = token.strip(_PUNCTUATION)
        if word and (word.isalpha() or _bare(word).isalpha()):
            words.append(word)
        if words and token.rstrip(_CLOSING).endswith(_ENDS) and (not ends or ends[-1] < len(words)):
            ends.append(len(words))
    if not words:
        return Counts()
    if ends[-1:] != [len(words)]:
        ends.append(len(words))
    sizes = [len(w) if w.isalpha() else len(_bare(w)) for w in words]
    syllables = _syllable_counter(language) if with_syllables else None
    return Counts(
        len(words),
        len(ends),
        sum(map(syllables, words)) if syllables is not None else 0,
        sum(sizes),
        sum(1 for n in sizes if n > LONG_WORD),
        max(b - a for a, b in zip([0, *ends], ends, strict=False)),
    )


def _bare(word: str) -> str:
    return word.replace("-", "").replace("'", "").replace("’", "")


def score(counts: Counts, language: str) -> Score | None:
    """Return the readability of counted text in ``language`` (None for a text without words)."""
    if not counts.words or not counts.sentences:
        return None
    lix = counts.per_sentence + 100 * counts.long_words / counts.words
    formula = FORMULAS.get(language)
    ease = None
    if formula is not None and (counts.syllables or not formula.syllables):
        ease = round(formula.compute(counts), 1)
    return Score(
        language,
        counts.words,
        counts.sentences,
        counts.longest,
        round(lix, 1),
        formula.key if formula and ease is not None else None,
        ease,
    )


@cache
def language_of(tag: str) -> str:
    """Return the language part of a BCP 47 tag (``pt`` for ``pt-PT``)."""
    return tag.split("-", 1)[0].lower()


def dictionaries(tags: Iterable[str]) -> tuple[str, ...]:
    """Return the hyphenation dictionaries that counting syllables in these locales reads."""
    names = set()
    for tag in tags:
        language = language_of(tag)
        formula, name = FORMULAS.get(language), _DICTIONARIES.get(language)
        if formula is not None and formula.syllables and name is not None:
            names.add(name)
    return tuple(sorted(names))


def dictionary_source(name: str) -> bytes:
    """Return a hyphenation dictionary's bytes as pyphen ships them (its patterns' key)."""
    return _dictionary_path(name).read_bytes()


#: A dictionary's patterns as plain values: pattern -> (offset, values).
Patterns = dict[str, tuple[int, tuple[int, ...]]]
#: Marks a dictionary pyphen holds that came from :func:`adopt_dictionary`, plain values only.
_PLAIN = "campaignsync_plain"
_ORIGIN = "campaignsync_origin"


def parse_dictionary(name: str, reuse: bool = False) -> Patterns:
    """Return a dictionary's patterns parsed, as plain values.

    Only the values' parity counts for syllables, so pyphen's nonstandard hyphenation
    data (kept on ``int`` subclasses) is dropped. ``reuse``: take the patterns pyphen
    holds parsed in this process, if it does (a test session, a long-lived preview),
    rather than parse for up to a second.
    """
    path = _dictionary_path(name)
    held = pyphen.hdcache.get(path) if reuse else None
    if held is not None and getattr(held, _PLAIN, False):
        plain: Patterns = held.patterns  # handed over by adopt_dictionary, plain already
        return plain
    parsed = (held or pyphen.HyphDict(path)).patterns
    return {key: (start, tuple(int(v) for v in values)) for key, (start, values) in parsed.items()}


#: Where a dictionary's patterns handed to pyphen came from (a kept file and its identity).
Origin = tuple[Path, tuple[int, ...] | None]


def adopted(name: str) -> Origin | None:
    """Return where the dictionary pyphen holds came from, if :func:`adopt_dictionary` gave it."""
    origin = getattr(pyphen.hdcache.get(_dictionary_path(name)), _ORIGIN, None)
    return origin if isinstance(origin, tuple) else None


def adopt_dictionary(name: str, patterns: Patterns, origin: Origin | None = None) -> None:
    """Give pyphen a dictionary's patterns parsed before (:func:`parse_dictionary`).

    They go into pyphen's own cache of parsed dictionaries, where ``pyphen.Pyphen``
    looks first, so the counts are those of the dictionary parsed afresh. ``origin`` is
    what :func:`adopted` then returns.
    """
    if not patterns:
        raise ValueError("a hyphenation dictionary without patterns")
    made = pyphen.HyphDict.__new__(pyphen.HyphDict)
    made.patterns = patterns
    made.cache = {}
    made.maxlen = max(len(key) for key in patterns)
    setattr(made, _PLAIN, True)
    setattr(made, _ORIGIN, origin)
    pyphen.hdcache[_dictionary_path(name)] = made


def _dictionary_path(name: str) -> Path:
    path: Path = pyphen.LANGUAGES[pyphen.language_fallback(name)]
    return path


@cache
def _syllable_counter(language: str) -> Callable[[str], int] | None:
    """Return a cached syllable counter for the language's formula (None: it needs none).

    Made on first use, once per process: a build or check whose units all come from
    the render cache loads no hyphenation dictionary.
    """
    formula = FORMULAS.get(language)
    name = _DICTIONARIES.get(language)
    if formula is None or not formula.syllables or name is None:
        return None
    hyphenator = pyphen.Pyphen(lang=name)
    known: dict[str, int] = {}

    def syllables(word: str) -> int:
        found = known.get(word)
        if found is None:
            parts = [p for p in _HYPHENS.split(word.lower()) if p]
            found = known[word] = sum(len(hyphenator.positions(p)) + 1 for p in parts)
        return found

    return syllables


#: Björnsson's bands as lix.se gives them, upper bounds.
LIX_BANDS = ((30, "very easy"), (40, "easy"), (50, "medium"), (60, "difficult"))
#: Flesch's bands (1948), lower bounds; Amstad, Kandel–Moles, Fernández-Huerta and Douma
#: keep Flesch's scale.
EASE_BANDS = (
    (90, "very easy"),
    (80, "easy"),
    (70, "fairly easy"),
    (60, "standard"),
    (50, "fairly difficult"),
    (30, "difficult"),
)


def lix_band(lix: float) -> str:
    """Return how Björnsson's scale reads a LIX value (``medium`` for 45)."""
    return next((name for bound, name in LIX_BANDS if lix < bound), "very difficult")
