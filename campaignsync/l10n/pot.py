"""The POT: every translatable segment of the messages, then the strings marked in templates.

Each entry says where it appears and, for posts, the limits of the channels it is
published on, so a translator sees the room they have.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from campaignsync import channels
from campaignsync.l10n import catalog
from campaignsync.load import content
from campaignsync.model import Config, Message, Project


def _limits_comment(config: Config, channel_names: Iterable[str]) -> str:
    specs = channels.registry()
    parts = []
    for name in channel_names:
        spec = specs.get(name)
        settings = config.channel(name)
        if spec is None or settings is None or not spec.limit:
            continue
        if name == "sms":
            parts.append(f"SMS: {settings.max_segments} segment(s)")
        else:
            parts.append(f"{spec.title}: {spec.effective_limit(settings)}")
    return "Limits: " + ", ".join(parts) if parts else ""


def _segment_comments(config: Config, message: Message, field_name: str) -> list[str]:
    """Tell the translator where a segment appears and the limits that apply."""
    if field_name in ("summary",):
        used = [c for c in message.channels if message.post(c) is None]
        comment = _limits_comment(config, used)
        return ["Post text on: " + ", ".join(used), comment] if comment else []
    if field_name.startswith("posts."):
        comment = _limits_comment(config, [field_name.removeprefix("posts.")])
        return [comment] if comment else []
    if field_name == "title":
        return ["Headline and email subject"]
    if field_name == "image.alt":
        return ["Image description for screen readers"]
    return []


def build_template(
    project: Project,
    template_strings: Iterable[catalog.TemplateString],
    created: datetime,
) -> catalog.Catalog:
    """Return the POT: every message segment, then every string marked in templates."""
    config = project.config
    comment = (
        f"# Translations template for {config.name}.\n"
        "# Written by 'campaignsync locale extract' from the messages and templates:\n"
        "# do not edit it; translate the PO file of your locale instead."
    )
    pot = catalog.new_header(
        config.name, config.default_campaign, created, created, comment, holder=config.name
    )
    for message in sorted(project.messages, key=lambda m: m.path):
        for segment in content.segments(message):
            pot.add(
                segment.text,
                locations=[(message.path, segment.line)],
                auto_comments=_segment_comments(config, message, segment.field),
                context=content.msgctxt(message.id, segment.field),
                flags=("no-python-format",) if "%" in segment.text else (),
            )
    for rel, line, text, context, comments in template_strings:
        existing = pot.get(text, context=context)
        if existing is not None:
            existing.locations.append((rel, line))
            continue
        pot.add(text, locations=[(rel, line)], auto_comments=comments, context=context)
    return pot
