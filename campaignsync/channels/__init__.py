"""The channel registry: what each channel outputs and how its platform counts text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from campaignsync.model import ChannelSettings, LocalizedMessage, Measure

#: Measure the rendered text of an output against the effective settings.
MeasureFn = Callable[[str, ChannelSettings], Measure]
#: Build extra files (by extension) from the rendered outputs, e.g. an .eml.
AssembleFn = Callable[[dict[str, str], LocalizedMessage, ChannelSettings], dict[str, bytes]]


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """One file a channel renders: ``<channel>.<ext>.j2`` becomes ``<id>.<ext>``."""

    ext: str
    html: bool = False

    def template(self, channel: str) -> str:
        """Return the template file name for this output of ``channel``."""
        return f"{channel}.{self.ext}.j2"


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A built-in channel: its outputs, its platform limit and how to count."""

    name: str
    title: str
    outputs: tuple[OutputSpec, ...]
    limit: int = 0
    unit: str = ""
    measure: MeasureFn | None = None
    #: The output whose text is measured (the first output by default).
    measured_ext: str = "txt"
    assemble: AssembleFn | None = None

    def effective_limit(self, settings: ChannelSettings) -> int:
        """Return the platform limit, tightened by the config where it says so."""
        return min(self.limit, settings.limit) if settings.limit else self.limit


@cache
def registry() -> dict[str, ChannelSpec]:
    """Return every built-in channel by name, in the order packs list them."""
    from campaignsync.channels import email, press, sms, social, web

    specs = (*social.SPECS, *sms.SPECS, *email.SPECS, *web.SPECS, *press.SPECS)
    return {spec.name: spec for spec in specs}
