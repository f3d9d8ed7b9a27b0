"""Channel checks (CS2xx), run on the rendered output of every locale.

Each diagnostic points at the message file and the line of the segment to change,
names the locale and channel, and, when the text came from a catalog, the PO file
and line of the translation (``kickoff:summary in locales/de/.../messages.po:42``).
The same problem in many channels of one message x locale is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from campaignsync import channels
from campaignsync.channels import counters, email, post_field, sms
from campaignsync.checks import CheckInput, message_check
from campaignsync.checks.outputs import OutputContext, contains, measured, per_locale, text_of
from campaignsync.model import (
    Config,
    Diagnostic,
    Measure,
    Output,
    Severity,
)

if TYPE_CHECKING:
    from campaignsync.pack.schedulecsv import Row

_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"\salt\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)


def _spaced_equal(wanted: str) -> Callable[[str], bool]:
    return lambda text: " ".join(text.split()) == wanted


def _title(channel: str) -> str:
    spec = channels.registry().get(channel)
    return spec.title if spec else channel


@message_check("CS201")
@per_locale
def over_limit(data: CheckInput) -> Iterator[Diagnostic]:
    """Report outputs longer than their platform (or configured) limit, in its own units."""
    ctx = OutputContext(data)
    for output in data.outputs:
        measure = output.measure
        if measure is None:
            continue
        message = ctx.messages[output.message]
        for m in measure.limits:
            if m.over:
                text = _overtext_of(output, m, data.project.config)
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


def _overtext_of(output: Output, m: Measure, config: Config) -> str:
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
        breaks = sms.sms_count(measured(output)).breaks
        pieces = " or ".join(f"{sms.describe_piece(p)} at column {c}" for p, c, _ in breaks[:3])
        beyond = f" and {len(breaks) - 3} more" if len(breaks) > 3 else ""
        text = (
            f"{m.length} {unit} need {m.segments} SMS segments, {m.segments - allowed} more than "
            f"the {allowed} allowed (channels.sms.max_segments): no segment splits "
            f"{pieces}{beyond}, "
            f"so the text takes the room of {m.length + m.padding} of the {m.limit} that fit"
        )
    if m.encoding == "UCS-2":
        offenders = sms.sms_count(measured(output)).offenders
        named = [f"{sms.describe(c)} at column {col}" for c, col in offenders[:5]]
        more = f" and {len(offenders) - 5} more" if len(offenders) > 5 else ""
        text += f" (UCS-2 because of {', '.join(named)}{more})"
    return text


@message_check("CS202", "CS203")
@per_locale
def hashtags_and_links(data: CheckInput) -> Iterator[Diagnostic]:
    """Report posts with more hashtags or links than their platform takes."""
    ctx = OutputContext(data)
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
        text = measured(output)
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


@message_check("CS204", "CS205", "CS210")
@per_locale
def images(data: CheckInput) -> Iterator[Diagnostic]:
    """Report images without alt text, alt text too long, and image channels without one."""
    ctx = OutputContext(data)
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
    ctx: OutputContext, output: Output, seen: set[tuple[object, ...]]
) -> Iterator[Diagnostic]:
    """Report ``<img>`` elements of an HTML output whose alt text is missing or blank."""
    for tag in _IMG.findall(text_of(output)):
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


@message_check("CS209")
@per_locale
def sms_encoding(data: CheckInput) -> Iterator[Diagnostic]:
    """Report SMS whose typographic characters or emoji alone force UCS-2 and cost segments."""
    ctx = OutputContext(data)
    for output in data.outputs:
        if output.measure is None or output.measure.encoding != "UCS-2":
            continue
        text = measured(output)
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
        where = ctx.field_with(output, contains(cause.characters[0][0]))
        yield ctx.diagnostic(
            "CS209", Severity.WARNING, why, output, where or post_field(message, "sms"), "fix"
        )


@message_check("CS211", "CS212")
@per_locale
def email_lengths(data: CheckInput) -> Iterator[Diagnostic]:
    """Report email subjects and preheaders longer than inboxes show.

    These are advice, not platform limits: a translation is allowed the usual
    expansion over English (see ``email.recommended``).
    """
    ctx = OutputContext(data)
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
        preview = email.preheader(text_of(output))
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
