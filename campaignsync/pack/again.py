"""Whether this process builds again after its build (``preview``): what it keeps for the next.

A build in a process of its own does not keep, for a build it will not make, the
manifest it wrote (61 MB at 500 messages x 26 locales, ``manifestrows.to_hold``) nor the
scheduler CSVs' blocks encoded (39 MB, ``schedulecsv``): the two memos that would hold
bytes to its end. ``live.rebuild`` says so before each build.
"""

from __future__ import annotations


class _Process:
    """What :func:`builds_again` said of this process."""

    again = False


def builds_again() -> None:
    """Say that this process builds again after this build (``preview``, before each one)."""
    _Process.again = True


def building_again() -> bool:
    """Say whether this process builds again after this build."""
    return _Process.again
