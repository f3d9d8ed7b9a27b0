"""Web page: a standalone HTML page per message and locale, with its language alternates."""

from __future__ import annotations

from campaignsync.channels import ChannelSpec, OutputSpec

SPECS = (ChannelSpec("web", "Web page", (OutputSpec("html", html=True),)),)
