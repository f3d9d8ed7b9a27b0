"""The strings templates mark for translation (``_()``), looked up for one locale.

A template string is looked up in the locale's catalog, then along its
fallback chain, then taken from the source; what was missed and what came
from another language is noted, so the output can say it is not fully
translated and mark the foreign text's language.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable, Mapping

from campaignsync.l10n import localize, tokens
from campaignsync.l10n.catalog import Lookup, cldr_plurals
from campaignsync.model import Config, Locale

Language = tuple[str, str]  # (BCP 47 tag, "ltr" or "rtl")


class TemplateStrings:
    """Translations of strings marked in templates, for one locale, noting misses.

    ``languages`` gives, for each lookup and then for the source, the language
    its text is in when that is not the locale's own (None when it is); the
    strings used from such a language are noted in ``foreign``.
    """

    def __init__(
        self,
        lookups: tuple[Lookup, ...],
        is_source: bool,
        languages: tuple[Language | None, ...] = (),
        locales: tuple[Locale | None, ...] = (),
    ) -> None:
        self.lookups = lookups
        self.is_source = is_source
        self.languages = languages
        #: Each lookup's locale: its plural rule picks which ``msgstr[i]`` a count takes.
        self.locales = locales
        self.missed: list[str] = []
        self.foreign: dict[str, Language] = {}

    def get(self, source: str, context: str = "") -> str:
        """Return the translation of ``source`` (or ``source`` itself, noting the miss)."""
        for number, lookup in enumerate(self.lookups):
            entry = lookup.get(context, source)
            if entry is not None and formats_as(source, entry.text):
                self._note(entry.text, number)
                return entry.text
        if not self.is_source:
            self.missed.append(source)
        self._note(source, len(self.lookups))
        return source

    def plural(self, one: str, many: str, n: object, context: str = "") -> str:
        """Return the form of ``one`` (``many``) that the count ``n`` takes, as :meth:`get` does.

        A translation's forms are chosen by its catalog's language (es-US taking es's: es's
        rule); the source's by ``n == 1``.
        """
        for number, lookup in enumerate(self.lookups):
            entry = lookup.get(context, one)
            locale = self.locales[number] if number < len(self.locales) else None
            if entry is None or not entry.forms or locale is None:
                continue
            text = entry.forms[min(_form(locale, n), len(entry.forms) - 1)]
            if text and formats_as(many, text):
                self._note(text, number)
                return text
        if not self.is_source:
            self.missed.append(one)
        text = one if n == 1 else many
        self._note(text, len(self.lookups))
        return text

    def _note(self, text: str, number: int) -> None:
        other = self.languages[number] if number < len(self.languages) else None
        if other is not None:
            self.foreign[text] = other


@functools.lru_cache(maxsize=4096)
def formats_as(source: str, text: str) -> bool:
    """Say whether a translation formats as its source: no placeholder that the source lacks.

    A template string is formatted with its named values (``%(campaign)s``): a stray ``%``
    (``100% als``) or a misspelt name would print garbage or stop the build. Such a
    translation is not used (``check`` says where it is: CS310); the next in the chain is.
    """
    return not set(tokens.placeholders(text, True)) - set(tokens.placeholders(source, True))


def template_strings(
    locale: Locale, config: Config, lookups: Mapping[str, Lookup]
) -> TemplateStrings:
    """Return the template strings of ``locale``: its catalog, its fallbacks', the source."""
    tags = tuple(tag for tag in localize.chain(locale) if tag in lookups)
    languages = tuple(
        localize.foreign(tag, locale, config) for tag in (*tags, config.source_locale.tag)
    )
    return TemplateStrings(
        tuple(lookups[tag] for tag in tags),
        localize.reaches_source(locale, config),
        languages,
        tuple(config.locale(tag) for tag in tags),
    )


def _form(locale: Locale, n: object) -> int:
    """Return which form a count takes in a locale's language (not a whole number: 0, 1)."""
    if isinstance(n, bool) or not isinstance(n, int):
        return 0 if n == 1 else 1
    return int(_rule(locale)(n))


@functools.lru_cache(maxsize=64)
def _rule(locale: Locale) -> Callable[[int], int]:
    """Return the locale's gettext plural rule as a function (Babel's, not a catalog header's)."""
    return gettext.c2py(cldr_plurals(locale)[1])
