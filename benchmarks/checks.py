"""Measure each check's CPU time per output on a campaign (the build benchmark's, say).

Usage (from the repository root, in the project's virtualenv):

    python benchmarks/build.py --messages 100 --locales 26 --workdir /tmp/csbench
    python benchmarks/checks.py /tmp/csbench/repo

Renders the default campaign once (two processes), then runs every registered check
three times on the same outputs and prints the best CPU time of each (process time, so
that other programs on a shared machine disturb the figures less), per output; then what
counting the long texts costs while rendering (in the workers, once per message x locale)
and what the manifest's readability part costs.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from campaignsync import checks, pipeline
from campaignsync.l10n import longtexts, readability
from campaignsync.load.project import load_project


def cpu(function: object, *args: object) -> float:
    """Return the best of three CPU times of ``function(*args)``, fully consumed."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        result = function(*args)  # type: ignore[operator]
        if result is not None and not isinstance(result, dict):
            list(result)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    args = parser.parse_args()
    project, _ = load_project(args.repo)
    assert project is not None, "the campaign does not load"
    selection = pipeline.select(project, None)
    rendered = pipeline.render_selection(project, selection, jobs=2)
    outputs = rendered.outputs
    data = checks.CheckInput(
        project, selection.campaign, outputs, rendered.lookups, datetime(2026, 6, 1, tzinfo=UTC)
    )
    total = 0.0
    for _codes, function in checks.registered():
        spent = cpu(function, data)
        total += spent
        print(
            f"{function.__module__.rpartition('.')[2]:12} {function.__name__:22} "
            f"{spent * 1000:8.1f} ms  {spent / len(outputs) * 1e6:6.1f} us/output"
        )
    print(
        f"all checks   {total * 1000:8.1f} ms  {total / len(outputs) * 1e6:6.1f} us/output "
        f"({len(outputs):,} outputs)"
    )
    messages = {m.id: m for m in project.messages}
    units = {}
    for o in outputs:
        if o.channel in longtexts.LONG_CHANNELS:
            units.setdefault((o.message, o.locale), o.fields)
    source = readability.language_of(project.config.source_locale.tag)
    readability.count_block.cache_clear()
    start = time.process_time()
    for (message, locale), fields in units.items():
        longtexts.text_of(messages[message], locale, fields, source)
    spent = time.process_time() - start
    print(
        f"counting the long texts while rendering: {spent * 1000:.0f} ms for {len(units):,} "
        f"bodies = {spent / max(1, len(units)) * 1e6:.0f} us each = "
        f"{spent / len(outputs) * 1e6:.1f} us/output (in the workers, cached)"
    )
    spent = cpu(lambda: longtexts.report(longtexts.from_outputs(outputs, project)))
    print(f"the manifest's readability: {spent * 1000:.0f} ms")


if __name__ == "__main__":
    main()
