"""Text rules of rendered outputs (CS206-CS208): https links, CamelCase hashtags, NFC text.

A finding seen in several channels of one message x locale is reported once,
naming the channels; one in the front matter (the link, the hashtags) once for
every locale.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from campaignsync.channels import counters
from campaignsync.checks import CheckInput, message_check, nfc
from campaignsync.checks.outputs import OutputContext, contains, per_locale, text_of
from campaignsync.model import Diagnostic, Output, Severity

_HTTP = re.compile(r"\bhttp://[^\s\"'<>()\[\]]+[^\s\"'<>()\[\].,;:!?]", re.IGNORECASE)
#: All-capital hashtags longer than this are words, not acronyms (#ENISA is fine).
MAX_ACRONYM = 5


@dataclass
class _Seen:
    """One finding seen in several channels of one message x locale, reported once."""

    code: str
    value: str
    output: Output
    field: str | None  # None: the text comes from the channel's template
    everywhere: bool  # from the front matter, so the same in every locale
    channels: list[str]


@message_check("CS206", "CS207", "CS208")
@per_locale
def text_rules(data: CheckInput) -> Iterator[Diagnostic]:
    """Report non-https links, hashtags not in CamelCase, and text not in Unicode NFC."""
    ctx = OutputContext(data)
    found: dict[tuple[str, ...], _Seen] = {}

    def note(code: str, value: str, output: Output, field_name: str | None) -> None:
        everywhere = field_name in ("link", "hashtags")
        # What the template wrote is its channel's own: reported for each template.
        key = (code, output.message, "" if everywhere else output.locale, value,
               "" if field_name else output.channel)  # fmt: skip
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
        text = text_of(output)
        message = ctx.messages[output.message]
        for url in _HTTP.findall(text) if plain else ():
            where = "link" if message.link == url else ctx.field_with(output, contains(url))
            note("CS206", url, output, where)
        if output.path.endswith(".txt") and b"#" in raw:
            for _start, _end, tag in counters.hashtags(text):
                if not camel_case(tag):
                    where = (
                        "hashtags"
                        if tag in message.hashtags
                        else ctx.field_with(output, contains(f"#{tag}"))
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


def _text_rule(ctx: OutputContext, seen: _Seen) -> Diagnostic:
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
        source = ctx.fields(seen.output)[seen.field].text if seen.field else text_of(seen.output)
        text = f"text not in Unicode NFC: {nfc.change(source, seen.field is not None)}{where}"
        verb = "normalise"
    if seen.field is None:  # the template wrote it, or one of its strings' translations
        part = {"CS206": seen.value, "CS207": f"#{seen.value}"}.get(seen.code, "")
        test = None if seen.code != "CS208" else lambda t: not _is_nfc(t)
        return ctx.in_template(seen.code, Severity.WARNING, text, seen.output, part, verb,
                               test=test)  # fmt: skip
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
