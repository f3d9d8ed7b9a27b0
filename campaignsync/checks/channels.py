"""Channel checks (CS2xx), run on the rendered output of every locale.

Each diagnostic points at the message file and the line of the segment to change,
names the locale and channel, and, when the text came from a catalog, the PO file
and line of the translation (``kickoff:summary in locales/de/.../messages.po:42``).
The same problem in many channels of one message x locale is reported once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from campaignsync import channels
from campaignsync.channels import counters, email, post_field, sms
from campaignsync.checks import Check, CheckInput, check, nfc
from campaignsync.load import content
from campaignsync.model import (
    Config,
    Diagnostic,
    Measure,
    Message,
    Output,
    Severity,
    Translated,
)

if TYPE_CHECKING:
    from campaignsync.pack.exports import Row

_HTTP = re.compile(r"\bhttp://[^\s\"'<>()\[\]]+[^\s\"'<>()\[\].,;:!?]", re.IGNORECASE)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)
#: How a message field is named in "shorten the ..." hints.
_FIELD_NAMES = {
    "title": "title",
    "summary": "summary",
    "posts": "channel's post",
    "body": "body",
    "image": "image alt text",
    "hashtags": "hashtags",
    "link": "link",
}
#: All-capital hashtags longer than this are words, not acronyms (#ENISA is fine).
MAX_ACRONYM = 5


@dataclass
class _Context:
    """What the checks of one run share: messages by id, segment lines, field lookups."""

    data: CheckInput
    _lines: dict[str, dict[str, int]] = field(default_factory=dict)
    _fields: dict[int, dict[str, Translated]] = field(default_factory=dict)

    @cached_property
    def messages(self) -> dict[str, Message]:
        return {m.id: m for m in self.data.project.messages}

    @property
    def source(self) -> str:
        return self.data.project.config.source_locale.tag

    @property
    def templates(self) -> str:
        return self.data.project.config.paths.templates

    def fields(self, output: Output) -> dict[str, Translated]:
        """Return the output's localized segments by field (built once per message x locale)."""
        found = self._fields.get(id(output.fields))
        if found is None:
            found = self._fields[id(output.fields)] = dict(output.fields)
        return found

    def line(self, message: Message, field_name: str) -> int:
        """Return the line of a segment (or front-matter key) in the message file."""
        lines = self._lines.get(message.id)
        if lines is None:
            lines = {s.field: s.line for s in content.segments(message)}
            self._lines[message.id] = lines
        return lines.get(field_name) or message.line_of(field_name.partition(".")[0])

    def diagnostic(
        self,
        code: str,
        severity: Severity,
        text: str,
        output: Output,
        field_name: str,
        verb: str = "shorten",
        *,
        locale: bool = True,
        channel: bool = True,
    ) -> Diagnostic:
        """Return a diagnostic at the segment's message line, naming its translation.

        ``locale=False`` reports a problem of the source (the same in every locale);
        ``channel=False`` one seen in several channels (the text names them).
        """
        message = self.messages[output.message]
        found = self.fields(output).get(field_name)
        if verb and locale and found is not None and found.origin:
            text = f"{text}; {verb} {content.msgctxt(message.id, field_name)} in {found.origin}"
        elif verb:
            text = (
                f"{text}; {verb} the {_FIELD_NAMES.get(field_name.partition('.')[0], field_name)}"
            )
        return Diagnostic(
            code,
            severity,
            text,
            message.path,
            self.line(message, field_name),
            output.locale if locale else None,
            output.channel if channel else None,
        )

    def template_of(self, output: Output) -> str:
        """Return the template file that rendered an output."""
        return f"{self.templates}/{output.channel}.{output.path.rpartition('.')[2]}.j2"

    def template_diagnostic(
        self, code: str, severity: Severity, text: str, output: Output, *, locale: bool = True
    ) -> Diagnostic:
        """Return a diagnostic at the template that rendered the output (no message segment)."""
        return Diagnostic(
            code,
            severity,
            f"{text} ({self.messages[output.message].path})",
            self.template_of(output),
            None,
            output.locale if locale else None,
            output.channel,
        )

    def field_with(self, output: Output, test: Callable[[str], bool]) -> str | None:
        """Return the first segment of the output whose text passes ``test``."""
        return next((name for name, t in self.fields(output).items() if test(t.text)), None)


def _per_locale(function: Check) -> Check:
    """Merge a problem that reads the same in several locales into one diagnostic.

    Text that falls back to the source (or to one shared catalog, es-US to es) is
    fixed in one place, so it is reported once, naming the locales it affects.
    """

    @functools.wraps(function)
    def merged(data: CheckInput) -> Iterator[Diagnostic]:
        groups: dict[tuple[object, ...], list[Diagnostic]] = {}
        for d in function(data):
            groups.setdefault((d.code, d.file, d.line, d.text, d.channel), []).append(d)
        for same in groups.values():
            tags = sorted(d.locale for d in same if d.locale)  # en before en-US
            if len(tags) < 2 or len(tags) != len(same):
                yield from same
            else:
                yield replace(
                    same[0], text=f"{same[0].text} (locales {', '.join(tags)})", locale=None
                )

    return merged


def _contains(part: str) -> Callable[[str], bool]:
    return lambda text: part in text


def _spaced_equal(wanted: str) -> Callable[[str], bool]:
    return lambda text: " ".join(text.split()) == wanted


def _text(output: Output) -> str:
    return output.content.decode("utf-8", "replace")


def _measured(output: Output) -> str:
    return _text(output).rstrip("\n")


def _title(channel: str) -> str:
    spec = channels.registry().get(channel)
    return spec.title if spec else channel


@check("CS201")
@_per_locale
def over_limit(data: CheckInput) -> Iterator[Diagnostic]:
    """Report outputs longer than their platform (or configured) limit, in its own units."""
    ctx = _Context(data)
    for output in data.outputs:
        measure = output.measure
        if measure is None:
            continue
        message = ctx.messages[output.message]
        for m in measure.limits:
            if m.over:
                text = _over_text(output, m, data.project.config)
                yield ctx.diagnostic(
                    "CS201", Severity.ERROR, text, output, post_field(message, output.channel)
                )


def scheduler_refuses_length(name: str, row: Row) -> Diagnostic:
    """Return the CS201 error of an export whose post a scheduler would refuse as too long."""
    over = row.over
    assert over is not None
    text = (
        f"the post is {over.over} {over.unit_name} over the "
        f"{channels.registry()[row.channel].title} limit of {over.limit}; a scheduler refuses it"
    )
    if over.segments is not None:  # an SMS: billed in segments, as gateways count them
        text = f"the SMS needs {over.segments} segments, more than channels.sms.max_segments allows"
    return Diagnostic(
        "CS201",
        Severity.ERROR,
        f"{name}: {text}",
        row.message.path,
        row.message.line_of(channels.post_field(row.message, row.channel)),
        row.locale,
        row.channel,
    )


def _over_text(output: Output, m: Measure, config: Config) -> str:
    unit = m.unit_name
    if m.segments is None:
        return f"{m.length} {unit} is {m.over} over the {_title(output.channel)} limit of {m.limit}"
    settings = config.channel(output.channel)
    allowed = settings.max_segments if settings else 1
    if m.length > m.limit or not m.padding:
        text = (
            f"{m.length} {unit} need {m.segments} SMS segments, {m.length - m.limit} {unit} more "
            f"than the {m.limit} that fit in {allowed} (channels.sms.max_segments)"
        )
    else:
        # The text fits by its length, but parts end early where a character may not be split.
        breaks = sms.sms_count(_measured(output)).breaks
        pieces = " or ".join(f"{sms.describe_piece(p)} at column {c}" for p, c, _ in breaks[:3])
        beyond = f" and {len(breaks) - 3} more" if len(breaks) > 3 else ""
        text = (
            f"{m.length} {unit} need {m.segments} SMS segments, {m.segments - allowed} more than "
            f"the {allowed} allowed (channels.sms.max_segments): no segment splits "
            f"{pieces}{beyond}, "
            f"so the text takes the room of {m.length + m.padding} of the {m.limit} that fit"
        )
    if m.encoding == "UCS-2":
        offenders = sms.sms_count(_measured(output)).offenders
        named = [f"{sms.describe(c)} at column {col}" for c, col in offenders[:5]]
        more = f" and {len(offenders) - 5} more" if len(offenders) > 5 else ""
        text += f" (UCS-2 because of {', '.join(named)}{more})"
    return text


@check("CS202", "CS203")
@_per_locale
def hashtags_and_links(data: CheckInput) -> Iterator[Diagnostic]:
    """Report posts with more hashtags or links than their platform takes."""
    ctx = _Context(data)
    config = data.project.config
    specs = channels.registry()
    for output in data.outputs:
        spec = specs.get(output.channel)
        settings = config.channel(output.channel)
        if spec is None or settings is None or output.measure is None:
            continue
        cap = spec.effective_max_hashtags(settings)
        if not cap and not spec.max_links:
            continue
        text = _measured(output)
        message = ctx.messages[output.message]
        tags = counters.hashtags(text) if cap else []
        if cap and len(tags) > cap:
            refused = spec.hashtags_refused or bool(settings.max_hashtags)
            added = any(tag not in message.hashtags for _s, _e, tag in tags)
            where = post_field(message, spec.name) if added else "hashtags"
            names = " ".join(f"#{tag}" for _s, _e, tag in tags)
            if refused:
                why = f"{len(tags)} hashtags ({names}), {len(tags) - cap} more than {cap} allowed"
            else:
                why = (
                    f"{len(tags)} hashtags ({names}): {spec.title} makes only the first the "
                    "post's topic and leaves the others as plain text"
                )
            severity = Severity.ERROR if refused else Severity.WARNING
            yield ctx.diagnostic("CS202", severity, why, output, where, "trim")
        if spec.max_links:
            links = counters.urls(text)
            if len(links) > spec.max_links:
                why = (
                    f"{len(links)} links, {len(links) - spec.max_links} more than "
                    f"{spec.title} allows ({spec.max_links})"
                )
                yield ctx.diagnostic(
                    "CS203", Severity.ERROR, why, output, post_field(message, spec.name), "trim"
                )


@check("CS204", "CS205", "CS210")
@_per_locale
def images(data: CheckInput) -> Iterator[Diagnostic]:
    """Report images without alt text, alt text too long, and image channels without one."""
    ctx = _Context(data)
    specs = channels.registry()
    seen: set[tuple[object, ...]] = set()
    for output in data.outputs:
        message = ctx.messages[output.message]
        spec = specs.get(output.channel)
        if spec is None or output.path.endswith((".eml", ".json")):
            continue
        if spec.needs_image and message.image is None and (message.id, spec.name) not in seen:
            seen.add((message.id, spec.name))
            yield ctx.diagnostic(
                "CS210",
                Severity.ERROR,
                f"{spec.title} cannot publish a post without an image: add one with its alt "
                f"text (image: {{src: ..., alt: ...}}) or remove {spec.name} from the channels",
                output,
                "channels",
                "",
                locale=False,
            )
        alt = ctx.fields(output).get("image.alt")
        if message.image is not None and alt is not None:
            key = (message.id, output.locale)
            if not alt.text.strip() and key not in seen:
                seen.add(key)
                yield ctx.diagnostic(
                    "CS204",
                    Severity.ERROR,
                    "the image has no alt text",
                    output,
                    "image.alt",
                    "fill",
                )
            # Never fewer code points than graphemes: most alt texts are counted for free.
            if spec.max_alt and len(alt.text) > spec.max_alt < counters.graphemes(alt.text):
                size = counters.graphemes(alt.text)
                yield ctx.diagnostic(
                    "CS205",
                    Severity.ERROR,
                    f"image alt text of {size} characters is {size - spec.max_alt} over the "
                    f"{spec.title} limit of {spec.max_alt}",
                    output,
                    "image.alt",
                )
        if b"<img" in output.content:
            yield from _img_without_alt(ctx, output, seen)


def _img_without_alt(
    ctx: _Context, output: Output, seen: set[tuple[object, ...]]
) -> Iterator[Diagnostic]:
    """Report ``<img>`` elements of an HTML output whose alt text is missing or blank."""
    for tag in _IMG.findall(_text(output)):
        alt = _ALT.search(tag)
        if alt is not None and (alt.group(1) or alt.group(2) or "").strip():
            continue
        message = ctx.messages[output.message]
        if message.image is not None and message.image.src in tag:
            continue  # the message's own image: reported above from its alt text
        template = ctx.template_of(output)
        if (template, output.message) in seen:
            continue
        seen.add((template, output.message))
        text = f"an image in the template has no alt text: {tag[:80]}"
        yield ctx.template_diagnostic("CS204", Severity.ERROR, text, output, locale=False)


@dataclass
class _Seen:
    """One finding seen in several channels of one message x locale, reported once."""

    code: str
    value: str
    output: Output
    field: str | None  # None: the text comes from the channel's template
    everywhere: bool  # from the front matter, so the same in every locale
    channels: list[str]


@check("CS206", "CS207", "CS208")
@_per_locale
def text_rules(data: CheckInput) -> Iterator[Diagnostic]:
    """Report non-https links, hashtags not in CamelCase, and text not in Unicode NFC."""
    ctx = _Context(data)
    found: dict[tuple[str, ...], _Seen] = {}

    def note(code: str, value: str, output: Output, field_name: str | None) -> None:
        everywhere = field_name in ("link", "hashtags")
        key = (code, output.message, "" if everywhere else output.locale, value)
        seen = found.get(key)
        if seen is None:
            found[key] = _Seen(code, value, output, field_name, everywhere, [output.channel])
        elif output.channel not in seen.channels:
            seen.channels.append(output.channel)

    for output in data.outputs:
        if output.path.endswith((".eml", ".json")):
            continue
        raw = output.content
        plain = _has_http(raw)
        if raw.isascii() and not plain and b"#" not in raw:
            continue  # ASCII is NFC: nothing for these rules to look at
        text = _text(output)
        message = ctx.messages[output.message]
        for url in _HTTP.findall(text) if plain else ():
            where = "link" if message.link == url else ctx.field_with(output, _contains(url))
            note("CS206", url, output, where)
        if output.path.endswith(".txt") and b"#" in raw:
            for _start, _end, tag in counters.hashtags(text):
                if not camel_case(tag):
                    where = (
                        "hashtags"
                        if tag in message.hashtags
                        else ctx.field_with(output, _contains(f"#{tag}"))
                    )
                    note("CS207", tag, output, where)
        if not unicodedata.is_normalized("NFC", text):
            names = [n for n, t in ctx.fields(output).items() if not _is_nfc(t.text)]
            for name in names or [""]:
                note("CS208", name, output, name or None)
    for seen in found.values():
        yield _text_rule(ctx, seen)


def _has_http(raw: bytes) -> bool:
    """Return True when the bytes hold an ``http://`` address (in any letter case)."""
    # Faster than a case-insensitive regex: '://' is rare, and each is checked once.
    at = raw.find(b"://")
    while at >= 0:
        if raw[max(0, at - 4) : at].lower() == b"http":
            return True
        at = raw.find(b"://", at + 3)
    return False


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def _text_rule(ctx: _Context, seen: _Seen) -> Diagnostic:
    several = len(seen.channels) > 1
    where = f" (in {', '.join(seen.channels)})" if several else ""
    if seen.code == "CS206":
        text, verb = f"link {seen.value} is not https{where}", "fix"
    elif seen.code == "CS207":
        text = (
            f"hashtag #{seen.value} is not in CamelCase, so screen readers cannot tell its "
            f"words apart{where}"
        )
        verb = "capitalise"
    else:
        source = ctx.fields(seen.output)[seen.field].text if seen.field else _text(seen.output)
        text = f"text not in Unicode NFC: {nfc.change(source)}{where}"
        verb = "normalise"
    if seen.field is None:
        return ctx.template_diagnostic(seen.code, Severity.WARNING, text, seen.output)
    return ctx.diagnostic(
        seen.code,
        Severity.WARNING,
        text,
        seen.output,
        seen.field,
        verb,
        locale=not seen.everywhere,
        channel=not several,
    )


@functools.lru_cache(maxsize=4096)
def camel_case(tag: str) -> bool:
    """Return True when a hashtag's words can be told apart (CamelCase, or a script without case).

    ``#CyberSecMonth`` and ``#ENISA`` pass; ``#cybersecmonth`` and ``#CYBERSECMONTH`` do not.
    """
    cased = [c for c in tag if c.isalpha() and c.lower() != c.upper()]
    if not cased:
        return True
    upper = sum(c.isupper() for c in cased)
    if upper == 0:
        return False
    return not (upper == len(cased) and len(cased) > MAX_ACRONYM)


@check("CS209")
@_per_locale
def sms_encoding(data: CheckInput) -> Iterator[Diagnostic]:
    """Report SMS whose typographic characters or emoji alone force UCS-2 and cost segments."""
    ctx = _Context(data)
    for output in data.outputs:
        if output.measure is None or output.measure.encoding != "UCS-2":
            continue
        text = _measured(output)
        cause = sms.avoidable_ucs2(text)
        if cause is None:
            continue
        named = " and ".join(f"{sms.describe(c)} at column {col}" for c, col, _ in cause.characters)
        verb = "forces" if len(cause.characters) == 1 else "force"
        writes = sorted({repl for _c, _col, repl in cause.characters if repl})
        fixes = [f"write {' and '.join(writes)} instead"] if writes else []
        if any(not repl for _c, _col, repl in cause.characters):
            fixes.append("drop the characters that have no GSM-7 equivalent")
        message = ctx.messages[output.message]
        why = (
            f"{named} {verb} UCS-2: {cause.segments} segments instead of {cause.gsm_segments} "
            f"({'; '.join(fixes)})"
        )
        where = ctx.field_with(output, _contains(cause.characters[0][0]))
        yield ctx.diagnostic(
            "CS209", Severity.WARNING, why, output, where or post_field(message, "sms"), "fix"
        )


@check("CS211", "CS212")
@_per_locale
def email_lengths(data: CheckInput) -> Iterator[Diagnostic]:
    """Report email subjects and preheaders longer than inboxes show.

    These are advice, not platform limits: a translation is allowed the usual
    expansion over English (see ``email.recommended``).
    """
    ctx = _Context(data)
    for output in data.outputs:
        if output.channel != "email" or not output.path.endswith(".html"):
            continue
        subject = ctx.fields(output).get("title")
        if subject is not None:
            size = counters.graphemes(subject.text)
            limit = email.recommended(email.SUBJECT_RECOMMENDED, subject.locale != ctx.source)
            if size > limit:
                why = (
                    f"subject of {size} characters is {size - limit} over the recommended "
                    f"{limit}; inboxes cut it"
                )
                yield ctx.diagnostic("CS211", Severity.WARNING, why, output, "title")
        preview = email.preheader(_text(output))
        if preview is None:
            continue
        where = ctx.field_with(output, _spaced_equal(preview))
        found = ctx.fields(output).get(where) if where else None
        translated = found is not None and found.locale != ctx.source
        size = counters.graphemes(preview)
        limit = email.recommended(email.PREHEADER_RECOMMENDED, translated)
        if size > limit:
            why = (
                f"preheader of {size} characters is {size - limit} over the recommended "
                f"{limit}; no inbox shows the rest"
            )
            if where == "summary":
                why += " (posts: {email: ...} gives the email a preheader of its own)"
            yield ctx.diagnostic("CS212", Severity.WARNING, why, output, where or "summary")
