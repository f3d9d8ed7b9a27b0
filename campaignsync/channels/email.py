"""Email: an HTML part, a text part and the multipart ``.eml`` that joins them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

from campaignsync.channels import ChannelSpec, OutputSpec
from campaignsync.model import ChannelSettings, LocalizedMessage

#: Recommended most characters (grapheme clusters) of a subject line, beyond which
#: desktop inboxes cut it too (guidance ranges from 35 for phones to 78; see docs/channels.md).
SUBJECT_RECOMMENDED = 60
#: Recommended most characters of the preheader (preview text); mail clients show
#: between about 40 and 140 of it, after the subject.
PREHEADER_RECOMMENDED = 140
#: Translations of text this long run up to 30% longer than English (IBM's globalization
#: guidelines), so advice meant for English text allows them that much more.
TRANSLATION_ALLOWANCE_PERCENT = 30


def recommended(length: int, translated: bool) -> int:
    """Return a recommended length, with the translation allowance when ``translated``."""
    return length * (100 + TRANSLATION_ALLOWANCE_PERCENT) // 100 if translated else length


# The preheader is the first element hidden with display:none (as MJML's <mj-preview> makes).
_PREHEADER = re.compile(
    r"<(div|span)\b[^>]*style=\"[^\"]*display:\s*none[^\"]*\"[^>]*>(.*?)</\1>", re.DOTALL
)
_HIDDEN = re.compile(r"display:\s*none")
_TAG = re.compile(r"<[^>]+>")
#: Longest line a 7bit part may have (RFC 5322 says SHOULD be 78).
_LINE = 78


def preheader(document: str) -> str | None:
    """Return the text of an email's hidden preheader, or None when it has none."""
    hidden = _HIDDEN.search(document)  # a fast scan first: most elements are not hidden
    found = _PREHEADER.search(document, document.rfind("<", 0, hidden.start())) if hidden else None
    if found is None:
        return None
    return " ".join(html.unescape(_TAG.sub("", found.group(2))).split())


def _assemble(
    rendered: dict[str, str], localized: LocalizedMessage, settings: ChannelSettings
) -> dict[str, bytes]:
    """Return the ``.eml``: text first, HTML last (the preferred part), deterministic.

    Written directly rather than with ``email.message.EmailMessage``, which costs ten
    times as much per message; the tests parse the result back with the email package.
    """
    message = localized.message
    headers = [_header("Subject", localized.text("title"))]
    if settings.sender:
        name, address = parseaddr(settings.sender)
        headers.append(f"From: {formataddr((name, address), charset='utf-8')}")
        if address:
            # One-click unsubscribe for mail clients (RFC 2369), matching the footer's advice.
            headers.append(f"List-Unsubscribe: <mailto:{address}?subject=UNSUBSCRIBE>")
    when = message.publish_for(localized.partner)
    if when is not None:
        headers.append(f"Date: {format_datetime(when)}")
    domain = settings.sender.rpartition("@")[2].rstrip(">") or "campaignsync.invalid"
    headers.append(f"Message-ID: <{message.campaign}.{message.id}.{localized.locale.tag}@{domain}>")
    digest = hashlib.sha256((rendered["txt"] + rendered["html"]).encode()).hexdigest()[:32]
    boundary = f"=_campaignsync_{digest}"
    headers += [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"',
        f"Content-Language: {localized.locale.tag}",
    ]
    lines = [*headers, ""]
    for subtype, text in (("plain", rendered["txt"]), ("html", rendered["html"])):
        encoding, body = _body(text)
        lines += [
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            f"Content-Transfer-Encoding: {encoding}",
            "",
            body,
        ]
    lines += [f"--{boundary}--", ""]
    return {"eml": "\r\n".join(lines).encode("ascii")}


def _header(name: str, value: str) -> str:
    """Return ``Name: value``, RFC 2047-encoded when not ASCII and folded at 78.

    A header is one line: each line break in ``value`` (a title written on two lines, in
    the message or its translation) becomes a space, as a mail client unfolds it. Left in,
    the line after it would end the headers, or read as a header of its own.
    """
    value = " ".join(value.splitlines())
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, maxlinelen=78, header_name=name).encode(linesep="\r\n")
    return f"{name}: {folded}"


def _body(text: str) -> tuple[str, str]:
    """Return a part's transfer encoding and body: 7bit when it can, else the shorter encoding.

    The body keeps its last line break: the one before the next boundary belongs to
    the boundary (RFC 2046), so the part's text reads back exactly as rendered.
    """
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if crlf.isascii() and all(len(line) <= _LINE for line in crlf.split("\r\n")):
        return "7bit", crlf
    data = crlf.encode("utf-8")
    quoted = binascii.b2a_qp(data, istext=True).decode("ascii")
    b64 = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    if len(b64) < len(quoted):
        return "base64", b64
    return "quoted-printable", quoted


SPECS = (
    ChannelSpec(
        "email",
        "Email",
        (OutputSpec("html", html=True), OutputSpec("txt")),
        assemble=_assemble,
    ),
)
