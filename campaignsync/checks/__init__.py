"""The check registry: small functions with one signature, each owning its CS codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from campaignsync.model import Diagnostic, Output, Project, Severity

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup
    from campaignsync.l10n.longtexts import Text


@dataclass(frozen=True, slots=True)
class CheckInput:
    """What every check reads: the project, the rendered outputs and "today"."""

    project: Project
    campaign: str
    outputs: tuple[Output, ...]
    lookups: dict[str, Lookup]
    now: datetime
    #: Where a check may keep what it found for inputs it has seen byte for byte before.
    memo: Memo | None = None
    #: The long texts of every message x locale, by (message, locale), when ``outputs``
    #: holds only some messages' (None: counted from ``outputs``).
    texts: dict[tuple[str, str], Text] | None = None
    #: A digest of everything the project was loaded from (config, calendar, templates,
    #: messages, the tool), when known: what a check may key its memo on.
    inputs: str | None = None
    #: The body blocks of a long text of ``texts`` kept without them, by message and locale.
    blocks: Callable[[str, str], tuple[tuple[str, str, str | None], ...]] | None = None


class Memo(Protocol):
    """Findings kept by a key that names every input they came from."""

    def get(self, slot: str, key: object) -> list[Diagnostic] | None:
        """Return what was found in ``slot`` (one per check and locale, say) under ``key``."""

    def put(self, slot: str, key: object, found: list[Diagnostic]) -> None:
        """Remember what was found under ``key``, replacing what the slot held."""

    def recall(self, slot: str, key: object) -> Any:
        """Return the plain values kept in ``slot`` under ``key`` (None if none)."""

    def keep(self, slot: str, key: object, value: Any) -> None:
        """Keep plain values (tuples, dicts, strings, numbers) under ``key`` in ``slot``."""


Check = Callable[[CheckInput], Iterator[Diagnostic]]
_REGISTRY: list[tuple[tuple[str, ...], Check]] = []
#: The attribute that marks a :func:`message_check`.
_PER_MESSAGE = "campaignsync_per_message"


def check(*codes: str) -> Callable[[Check], Check]:
    """Register a check function that may report the given codes."""

    def register(function: Check) -> Check:
        _REGISTRY.append((codes, function))
        return function

    return register


def message_check(*codes: str) -> Callable[[Check], Check]:
    """Register a check that reads nothing of a message but its own outputs and the config.

    Run over all outputs it finds what it finds run over each message's outputs
    in turn (every merge it makes, across locales or channels, stays inside one
    message), so what it found for an unchanged message can be kept
    (``pack.findings``).
    """

    def register(function: Check) -> Check:
        setattr(function, _PER_MESSAGE, True)
        return check(*codes)(function)

    return register


def registered() -> list[tuple[tuple[str, ...], Check]]:
    """Return every registered check with its codes."""
    from campaignsync.checks import (  # noqa: F401 - registers checks
        access,
        catalogs,
        channels,
        freeze,
        readability,
        required,
        schedule,
        terms,
        textrules,
    )

    return list(_REGISTRY)


def run_checks(data: CheckInput, per_message: bool | None = None) -> list[Diagnostic]:
    """Run every registered check and collect all diagnostics.

    ``per_message`` True runs only the :func:`message_check` checks, False only the others.
    """
    found: list[Diagnostic] = []
    for _codes, function in registered():
        if per_message is None or getattr(function, _PER_MESSAGE, False) == per_message:
            found.extend(function(data))
    return found


def finish(
    diagnostics: Iterable[Diagnostic], ignore: frozenset[str], strict: bool
) -> list[Diagnostic]:
    """Drop silenced codes and repeats, promote warnings under --strict, sort by place.

    A repeat is a finding made again by another message's checks: one about the text a
    template wrote, say (see ``checks.outputs.OutputContext.in_template``).
    """
    kept = []
    for d in dict.fromkeys(diagnostics):
        if d.code in ignore:
            continue
        if strict and d.severity is Severity.WARNING:
            d = replace(d, severity=Severity.ERROR)
        kept.append(d)
    return sorted(
        kept,
        key=lambda d: (d.file or "", d.line or 0, d.code, d.locale or "", d.channel or "", d.text),
    )


def once_per_place(found: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Return each finding once per place and text (a template error repeats for every unit)."""
    seen: dict[tuple[object, ...], Diagnostic] = {}
    for d in found:
        seen.setdefault((d.code, d.file, d.line, d.text), d)
    return list(seen.values())
