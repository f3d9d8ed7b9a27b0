"""Press release: an HTML page in the house layout, dated in the partner's locale."""

from __future__ import annotations

from campaignsync.channels import ChannelSpec, OutputSpec

SPECS = (ChannelSpec("press", "Press release", (OutputSpec("html", html=True),)),)
