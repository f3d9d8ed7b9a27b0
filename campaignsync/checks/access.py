"""Accessibility checks of posts (CS410-CS415), on the rendered text of every locale.

What screen-reader users meet in a post: emoji read out by name, emoji used as bullets or
for words, shouted capitals, "click here", an image described by its file name or in the
wrong language, and "fancy" letters read one by one as "mathematical bold small b".
Sources and the per-language lists: docs/accessibility.md. Like the other channel checks,
each finding names the message line and, for a translation, its PO file and line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from campaignsync import channels
from campaignsync.channels import counters, post_field
from campaignsync.checks import CheckInput, message_check
from campaignsync.checks.outputs import OutputContext, per_locale
from campaignsync.l10n.localize import language
from campaignsync.model import Diagnostic, Message, Output, Severity

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup

#: Phrases that say nothing about where a link goes (WCAG 2.4.4; F84), per language.
VAGUE_LINKS = {
    "en": ("click here", "tap here", "click this link", "click the link"),
    "de": ("hier klicken", "klicken sie hier", "klick hier", "hier tippen", "tippen sie hier"),
    "fr": ("cliquez ici", "clique ici", "cliquer ici", "appuyez ici"),
    "es": (
        "haz clic aquí",
        "haga clic aquí",
        "pulsa aquí",
        "pulse aquí",
        "clic aquí",
        "haz click aquí",
    ),
    "it": ("clicca qui", "fai clic qui", "clicca sul link", "tocca qui"),
    "nl": ("klik hier", "tik hier", "klik op de link"),
    "pl": ("kliknij tutaj", "kliknij tu", "kliknij w link", "kliknij link"),
    "pt": ("clique aqui", "clica aqui", "carregue aqui", "toque aqui"),
}
_PHRASES = sorted((p for ps in VAGUE_LINKS.values() for p in ps), key=len, reverse=True)
_VAGUE = re.compile("|".join(re.escape(p) for p in _PHRASES))
#: An all-capital word longer than this is shouting, not an acronym (as for hashtags, CS207).
MAX_ACRONYM = 5
#: Consecutive all-capital words with at least this many letters together are shouting.
SHOUTED_RUN = 5
#: Latin letters that font generators use as "small capitals" (IPA letters, not decomposable).
SMALL_CAPITALS = frozenset("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ")
#: Characters that look like letters but are not, and that NFKC does not fold: none yet
#: beyond the small capitals; kept apart so the rule stays readable.
_ORDINALS = frozenset("ªº")  # 1ª, nº: Spanish, Portuguese and Italian ordinals
#: (code, severity, why, the part of the text it is about, the verb of the fix)
_Finding = tuple[str, Severity, str, str, str]
_PUNCTUATION = "\"'“”‘’«»„‚()[]{}<>.,;:!?…*_~/|-–—¡¿"


@dataclass
class _Found:
    """One finding, seen in one or more channels of one message x locale."""

    code: str
    severity: Severity
    text: str
    output: Output
    #: The segment the text is in (None: in none, the template wrote it).
    where: str | None
    verb: str
    part: str
    channels: list[str] = field(default_factory=list)


def _contains(part: str) -> Callable[[str], bool]:
    """Return a test of a segment holding ``part``, as written or as its reading text shows it.

    A post made from the body shows ``Click [here](...)`` as "Click here (...)".
    """
    from campaignsync.render.markup import inline_text

    return lambda text: part in text or part in inline_text(text)


def _posts(data: CheckInput) -> Iterator[Output]:
    posts = set(channels.post_channels())
    for output in data.outputs:
        if output.channel in posts and output.path.endswith(".txt"):
            yield output


@message_check("CS410", "CS411", "CS412", "CS413", "CS415")
@per_locale
def posts(data: CheckInput) -> Iterator[Diagnostic]:
    """Report emoji, capitals, vague link text and letter look-alikes in every post."""
    ctx = OutputContext(data)
    most = data.project.config.accessibility.max_emoji
    found: dict[tuple[str | None, ...], _Found] = {}
    for output in _posts(data):
        text = output.content.decode("utf-8", "replace").rstrip("\n")
        message = ctx.messages[output.message]
        where = post_field(message, output.channel)
        for code, severity, why, part, verb in _post_findings(text, output.locale, most):
            name = _field_of(ctx, output, message, where, code, part)
            # What the template wrote is its channel's own: reported for each template.
            key = (code, output.message, output.locale, name, why, name or output.channel)
            seen = found.get(key)
            if seen is None:
                found[key] = _Found(code, severity, why, output, name, verb, part)
            seen = found[key]
            if output.channel not in seen.channels:
                seen.channels.append(output.channel)
    for f in found.values():
        several = len(f.channels) > 1
        text = f"{f.text} (in {', '.join(f.channels)})" if several else f.text
        if f.where is None:
            yield ctx.in_template(f.code, f.severity, text, f.output, f.part, f.verb)
            continue
        front = f.where in _FRONT  # the same in every locale
        yield ctx.diagnostic(f.code, f.severity, text, f.output, f.where, f.verb,
                             locale=not front, channel=not several)  # fmt: skip


#: Front-matter fields a post shows that are not segments (not translated).
_FRONT = ("link", "hashtags")


def _field_of(
    ctx: OutputContext, output: Output, message: Message, post: str, code: str, part: str
) -> str | None:
    """Return the segment or front-matter field that holds a finding's text (None: none).

    CS410 counts the whole post's emoji: the post is what to trim, unless the template
    wrote every one of them.
    """
    fields = ctx.fields(output)
    if code == "CS410":
        return post if any(counters.emoji(t.text) for t in fields.values()) else None
    if not part or (post in fields and part in fields[post].text):
        return post
    name = ctx.field_with(output, _contains(part))
    if name is None and message.link and part in message.link:
        return "link"
    if name is None and any(part in f"#{tag}" for tag in message.hashtags):
        return "hashtags"
    return name


def _post_findings(text: str, locale: str, most: int) -> Iterator[_Finding]:
    """Yield (code, severity, why, part of the text, verb) for one post's text."""
    spans = counters.emoji(text)
    if len(spans) > most:
        shown = " ".join(text[a:b] for a, b in spans)
        yield (
            "CS410",
            Severity.WARNING,
            f"{len(spans)} emoji ({shown}), more than the {most} allowed "
            "([accessibility] max_emoji): screen readers read out each one's name",
            text[spans[0][0] : spans[0][1]],
            "trim",
        )
    yield from _emoji_use(text, spans)
    yield from _capitals(text)
    yield from _vague_link(text)
    if not text.isascii():
        yield from _look_alikes(text, locale)


def _emoji_use(text: str, spans: list[tuple[int, int]]) -> Iterator[_Finding]:
    """Yield CS411 for emoji that start two or more lines, or stand between two words."""
    if not spans:
        return
    starts = {a for a, _b in spans}
    bullets = [
        a
        for a in starts
        if a == 0 or text[:a].endswith("\n") or text[:a].rstrip(" \t").endswith("\n")
    ]
    if len(bullets) >= 2:
        mark = text[bullets[0] : next(b for a, b in spans if a == bullets[0])]
        yield (
            "CS411",
            Severity.WARNING,
            f"emoji used as bullets ({mark} starts {len(bullets)} lines): screen readers read "
            "the emoji's name before each line; use plain lines or a dash",
            mark,
            "rewrite",
        )
    for a, b in spans:
        before = text[:a].rstrip(" ")
        after = text[b:].lstrip(" \ufe0f")
        if before[-1:].isalpha() and after[:1].isalpha() and after[:1].islower():
            yield (
                "CS411",
                Severity.WARNING,
                f"emoji {text[a:b]} stands in place of a word: screen readers read its name "
                "(and its meaning differs by platform); write the word",
                text[a:b],
                "rewrite",
            )


def _capitals(text: str) -> Iterator[_Finding]:
    """Yield CS412 for words in capitals that are not acronyms."""
    run: list[str] = []
    for token in [*text.split(), ""]:
        # Most words fail isupper() at once: only capital words pay for the rest.
        word = token.strip(_PUNCTUATION) if token.isupper() else ""
        if word and not token.startswith(("#", "@")) and "://" not in token and _letters(word) > 1:
            run.append(word)
            if token[-1:] not in _PUNCTUATION or token[-1:] in "-–—":
                continue
        if run:
            yield from _shouted(run)
            run = []


def _shouted(run: list[str]) -> Iterator[_Finding]:
    sizes = [_letters(w) for w in run]
    if max(sizes) > MAX_ACRONYM or (len(run) > 1 and sum(sizes) >= SHOUTED_RUN):
        shouted = " ".join(run)
        yield (
            "CS412",
            Severity.WARNING,
            f"{shouted!r} is written in capitals: screen readers may spell it letter by "
            "letter and it reads as shouting; write it in lower case (acronyms of up to "
            f"{MAX_ACRONYM} letters are fine)",
            run[0],
            "rewrite",
        )


def _letters(word: str) -> int:
    """Return the letters of the longest part of a word (L'ANSSI: 5; Multi-Faktor: 6)."""
    parts = word.replace("’", "'").replace("-", "'").split("'")
    return max(sum(c.isalpha() for c in part) for part in parts)


def _vague_link(text: str) -> Iterator[_Finding]:
    """Yield CS413 for a phrase such as "click here" (in any language: text may fall back)."""
    lowered = text.lower()
    same = len(lowered) == len(text)  # lower() keeps the length but for a few letters (İ)
    for match in _VAGUE.finditer(lowered):
        at, end = match.span()
        phrase = text[at:end] if same else match.group()
        if not lowered[end : end + 1].isalpha():
            yield (
                "CS413",
                Severity.WARNING,
                f"{phrase!r} does not say where the link goes: screen "
                "reader users list links by their text; say what the reader finds there",
                phrase,
                "rewrite",
            )
            return


def _look_alikes(text: str, locale: str) -> Iterator[_Finding]:
    """Yield CS415 for the first run of letter look-alikes and each mixed-script word."""
    column = next((i for i, c in enumerate(text) if _looks_like_a_letter(c, locale)), None)
    if column is not None:
        end = column
        while end < len(text) and (_looks_like_a_letter(text[end], locale) or text[end] == " "):
            end += 1
        run = text[column:end].rstrip()
        plain = unicodedata.normalize("NFKC", run)
        first = run[0]
        yield (
            "CS415",
            Severity.ERROR,
            f"{run!r} is not made of letters but of look-alike symbols "
            f"(U+{ord(first):04X} {unicodedata.name(first, '?')}): screen readers read them "
            f"one by one by their names and search does not find them; write {plain!r}",
            run,
            "rewrite",
        )
    for token in text.split():
        word = token.strip(_PUNCTUATION)
        if not word.isascii() and _mixed_scripts(word):
            yield (
                "CS415",
                Severity.ERROR,
                f"{word!r} mixes Latin letters with Cyrillic or Greek look-alikes: screen "
                "readers mispronounce it and it looks like a phishing trick; retype it",
                word,
                "rewrite",
            )


def _looks_like_a_letter(char: str, locale: str) -> bool:
    code = ord(char)
    if code < 0x80 or char in _ORDINALS:
        return False
    if 0x1D400 <= code <= 0x1D7FF or char in SMALL_CAPITALS:
        return True
    if 0xFF00 <= code <= 0xFFEF and language(locale) in ("ja", "zh", "ko"):
        return False  # full-width Latin is ordinary in Chinese, Japanese and Korean text
    folded = unicodedata.normalize("NFKC", char)
    return len(folded) == 1 and folded.isascii() and folded.isalpha()


def _mixed_scripts(word: str) -> bool:
    scripts = set()
    for char in word:
        if char.isalpha():
            if char.isascii():
                scripts.add("LATIN")
            else:
                scripts.add(unicodedata.name(char, "").partition(" ")[0])
    return "LATIN" in scripts and bool(scripts & {"CYRILLIC", "GREEK"})


@message_check("CS414")
@per_locale
def image_descriptions(data: CheckInput) -> Iterator[Diagnostic]:
    """Report alt text that is the image's file name, or left untranslated in a translated post."""
    ctx = OutputContext(data)
    seen: set[tuple[str, str]] = set()
    for output in data.outputs:
        message = ctx.messages[output.message]
        fields = ctx.fields(output)
        alt = fields.get("image.alt")
        if message.image is None or alt is None or (message.id, output.locale) in seen:
            continue
        seen.add((message.id, output.locale))
        name = message.image.src.rpartition("/")[2]
        stem = name.rpartition(".")[0] or name
        names = {name, stem, stem.replace("-", " ").replace("_", " ")}
        mine = language(output.locale)
        if alt.text.strip().casefold() in {n.casefold() for n in names}:
            why = (
                f"the image's alt text {alt.text.strip()!r} is its file name: it tells a screen "
                "reader user nothing; describe what the image shows"
            )
            yield ctx.diagnostic(
                "CS414", Severity.WARNING, why, output, "image.alt", "fix", channel=False
            )
        elif language(alt.locale) != mine and any(
            language(fields[f].locale) == mine for f in ("title", "summary") if f in fields
        ):
            yield _untranslated_alt(ctx, data, output, alt.locale)


def _untranslated_alt(
    ctx: OutputContext, data: CheckInput, output: Output, shown: str
) -> Diagnostic:
    message = ctx.messages[output.message]
    where = alt_entry(data.lookups, message, output.locale)
    return Diagnostic(
        "CS414",
        Severity.WARNING,
        f"the image's alt text is not translated: screen readers read the {shown} description "
        f"of a post in {output.locale} with the voice of {output.locale}{where}",
        message.path,
        ctx.line(message, "image.alt"),
        output.locale,
        None,
    )


def alt_entry(lookups: Mapping[str, Lookup], message: Message, locale: str) -> str:
    """Return where CS414 says to translate a message's alt text in a locale ('' if nowhere).

    The one thing a check of outputs reads from the catalogs themselves: ``pack.findings``
    keeps it for each message x locale beside what was found.
    """
    context = f"{message.id}:image.alt"
    lookup = lookups.get(locale)
    line = (
        lookup.lines.get((context, message.image.alt if message.image else "")) if lookup else None
    )
    return f"; translate {context} in {lookup.path}:{line}" if lookup and line else ""
