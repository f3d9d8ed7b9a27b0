"""Channel checks (CS2xx), run on the rendered output of every locale."""

from __future__ import annotations

from collections.abc import Iterator

from campaignsync.checks import CheckInput, check
from campaignsync.model import Diagnostic, Severity


@check("CS201")
def over_limit(data: CheckInput) -> Iterator[Diagnostic]:
    """Report outputs longer than their platform (or configured) limit."""
    messages = {m.id: m for m in data.project.messages}
    for output in data.outputs:
        measure = output.measure
        if measure is None or not measure.over:
            continue
        message = messages[output.message]
        unit = measure.unit
        extra = (
            f" ({measure.segments} SMS segments, {measure.encoding})" if measure.segments else ""
        )
        yield Diagnostic(
            "CS201",
            Severity.ERROR,
            f"{measure.length} {unit} is {measure.over} over the limit of {measure.limit}{extra}",
            message.path,
            message.line_of(f"posts.{output.channel}")
            if message.post(output.channel)
            else message.line_of("summary"),
            output.locale,
            output.channel,
        )
