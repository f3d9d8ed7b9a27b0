"""The check registry: small functions with one signature, each owning its CS codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from campaignsync.model import Diagnostic, Output, Project, Severity

if TYPE_CHECKING:
    from campaignsync.l10n.catalog import Lookup


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


class Memo(Protocol):
    """Findings kept by a key that names every input they came from."""

    def get(self, slot: str, key: object) -> list[Diagnostic] | None:
        """Return what was found in ``slot`` (one per check and locale, say) under ``key``."""

    def put(self, slot: str, key: object, found: list[Diagnostic]) -> None:
        """Remember what was found under ``key``, replacing what the slot held."""


Check = Callable[[CheckInput], Iterator[Diagnostic]]
_REGISTRY: list[tuple[tuple[str, ...], Check]] = []


def check(*codes: str) -> Callable[[Check], Check]:
    """Register a check function that may report the given codes."""

    def register(function: Check) -> Check:
        _REGISTRY.append((codes, function))
        return function

    return register


def registered() -> list[tuple[tuple[str, ...], Check]]:
    """Return every registered check with its codes."""
    from campaignsync.checks import (  # noqa: F401 - registers checks
        access,
        catalogs,
        channels,
        freeze,
        readability,
        schedule,
        terms,
        textrules,
    )

    return list(_REGISTRY)


def run_checks(data: CheckInput) -> list[Diagnostic]:
    """Run every registered check and collect all diagnostics."""
    found: list[Diagnostic] = []
    for _codes, function in registered():
        found.extend(function(data))
    return found


def finish(
    diagnostics: Iterable[Diagnostic], ignore: frozenset[str], strict: bool
) -> list[Diagnostic]:
    """Drop silenced codes, promote warnings under --strict, sort by place."""
    kept = []
    for d in diagnostics:
        if d.code in ignore:
            continue
        if strict and d.severity is Severity.WARNING:
            d = replace(d, severity=Severity.ERROR)
        kept.append(d)
    return sorted(
        kept,
        key=lambda d: (d.file or "", d.line or 0, d.code, d.locale or "", d.channel or "", d.text),
    )
