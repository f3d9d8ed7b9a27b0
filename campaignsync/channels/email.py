"""Email: an HTML part, a text part and the multipart ``.eml`` that joins them."""

from __future__ import annotations

import hashlib
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from campaignsync.channels import ChannelSpec, OutputSpec
from campaignsync.model import ChannelSettings, LocalizedMessage


def _assemble(
    rendered: dict[str, str], localized: LocalizedMessage, settings: ChannelSettings
) -> dict[str, bytes]:
    """Return the ``.eml``: text first, HTML last (the preferred part), deterministic."""
    message = localized.message
    mail = EmailMessage(policy=policy.SMTP)
    mail["Subject"] = localized.text("title")
    mail["From"] = settings.sender
    when = message.publish_for(localized.partner)
    if when is not None:
        mail["Date"] = format_datetime(when)
    domain = settings.sender.rpartition("@")[2].rstrip(">") or "campaignsync.invalid"
    mail["Message-ID"] = f"<{message.campaign}.{message.id}.{localized.locale.tag}@{domain}>"
    mail.set_content(rendered["txt"], subtype="plain", charset="utf-8")
    mail.add_alternative(rendered["html"], subtype="html", charset="utf-8")
    # set_content() drops earlier Content-* headers, so the language goes last.
    mail["Content-Language"] = localized.locale.tag
    digest = hashlib.sha256((rendered["txt"] + rendered["html"]).encode()).hexdigest()[:32]
    mail.set_boundary(f"=_campaignsync_{digest}")
    return {"eml": mail.as_bytes()}


SPECS = (
    ChannelSpec(
        "email",
        "Email",
        (OutputSpec("html", html=True), OutputSpec("txt")),
        assemble=_assemble,
    ),
)
