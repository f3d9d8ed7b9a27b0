"""SMS: GSM 03.38 septets or UCS-2 units, in billed segments."""

from __future__ import annotations

from campaignsync.channels import ChannelSpec, OutputSpec, counters
from campaignsync.model import ChannelSettings, Measure


def _sms(text: str, settings: ChannelSettings) -> Measure:
    count = counters.sms_count(text)
    limit = counters.sms_capacity(count.encoding, settings.max_segments)
    return Measure(
        count.units,
        limit,
        "septets" if count.encoding == "GSM-7" else "ucs-2",
        encoding=count.encoding,
        segments=count.segments,
    )


SPECS = (ChannelSpec("sms", "SMS", (OutputSpec("txt"),), 10 * 153, "septets", _sms),)
