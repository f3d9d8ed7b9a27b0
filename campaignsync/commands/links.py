"""``campaignsync links``: every address the pack links to, where it is used and written.

The listing is a pure function of the rendered outputs; ``linkcheck`` asks the
network about each address and this module turns its answers into diagnostics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from campaignsync.commands import linkcheck
from campaignsync.commands.linkcheck import Answer
from campaignsync.model import Config, Diagnostic, Message, Output, Severity
from campaignsync.render import links


@dataclass(frozen=True, slots=True)
class Use:
    """One output that links to an address, and where the text holding the link is."""

    message: str
    locale: str
    channel: str
    source: links.Source


@dataclass(frozen=True, slots=True)
class Target:
    """An address as the link check requests it (tracking parameters dropped), and its uses."""

    url: str
    uses: tuple[Use, ...]


@dataclass(frozen=True, slots=True)
class Found:
    """What ``campaignsync links`` found: the addresses and, with ``--check``, the answers."""

    targets: tuple[Target, ...]
    #: The network's answer per address (None without ``--check``).
    answers: Mapping[str, Answer] | None = None
    #: CS501 and CS502 for the broken and redirected addresses.
    problems: tuple[Diagnostic, ...] = ()

    @property
    def broken(self) -> int:
        """Return how many addresses are broken."""
        return sum(a.broken for a in (self.answers or {}).values())

    @property
    def offline(self) -> bool:
        """Say whether no host name could be resolved (``linkcheck.offline``)."""
        return linkcheck.offline(self.answers or {})

    @property
    def moved(self) -> int:
        """Return how many addresses redirect (and are not broken)."""
        return sum(bool(a.redirects) and not a.broken for a in (self.answers or {}).values())


def find(
    root: Path, campaign: str | None, jobs: int, ask: linkcheck.Options | None = None
) -> Found:
    """Render the campaign and return every address its outputs link to.

    With ``ask``, each address is also requested (the only use of the network).
    """
    from campaignsync import pipeline
    from campaignsync.errors import DiagnosticsError
    from campaignsync.load.config import key_line
    from campaignsync.load.project import SHOWN_NOTHING, require_project

    project, _ = require_project(root, SHOWN_NOTHING)
    selection = pipeline.select(project, campaign)
    rendered = pipeline.render_selection(project, selection, jobs or pipeline.default_jobs())
    if any(d.is_error for d in rendered.diagnostics):
        raise DiagnosticsError(rendered.diagnostics)
    page_line = key_line(project.root, "links.page_url") or key_line(project.root, "base_url")
    messages = project.messages_of(selection.campaign)
    found = tuple(targets(project.config, messages, rendered.outputs, page_line))
    if ask is None:
        return Found(found)
    answers = linkcheck.check([t.url for t in found], ask)
    return Found(found, answers, tuple(diagnostics(found, answers)))


def targets(
    config: Config, messages: Iterable[Message], outputs: Iterable[Output], page_line: int | None
) -> list[Target]:
    """Return every distinct address the outputs link to, sorted, with each use once.

    Addresses that differ only in tracking parameters are one target: they
    lead to the same page, and checking the tracked ones would count visits.
    """
    by_id = {m.id: m for m in messages}
    found: dict[str, dict[tuple[str, str, str, str], Use]] = defaultdict(dict)
    for output in outputs:
        message = by_id.get(output.message)
        if message is None:
            continue
        for url in output.links:
            where = links.sources(config, message, output.fields, output.channel, url, page_line)
            for source in list(where) or [links.Source(message.path, None)]:
                use = Use(output.message, output.locale, output.channel, source)
                found[links.untracked(url)].setdefault(
                    (use.message, use.locale, use.channel, str(source)), use
                )
    return [
        Target(url, tuple(uses[k] for k in sorted(uses))) for url, uses in sorted(found.items())
    ]


def listing(found: Iterable[Target]) -> str:
    """Return the text ``campaignsync links`` prints: each address, then where it is used.

    One line per message, channels and source, naming the locales that share them.
    """
    lines: list[str] = []
    for target in found:
        lines.append(target.url)
        for (message, channels, source), locales in _grouped(target.uses).items():
            lines.append(f"  {message} [{', '.join(locales)}] {', '.join(channels)} ({source})")
    return "\n".join(lines) + "\n" if lines else ""


def _grouped(uses: Iterable[Use]) -> dict[tuple[str, tuple[str, ...], str], list[str]]:
    channels: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for use in uses:
        key = (use.message, str(use.source), use.locale)
        if use.channel not in channels[key]:
            channels[key].append(use.channel)
    grouped: dict[tuple[str, tuple[str, ...], str], list[str]] = defaultdict(list)
    for (message, source, locale), names in channels.items():
        grouped[(message, tuple(names), source)].append(locale)
    return grouped


def diagnostics(found: Iterable[Target], answers: Mapping[str, Answer]) -> list[Diagnostic]:
    """Return a CS501 error for each broken address and a CS502 warning for each redirect.

    Each is reported at every file and line that holds the address, naming
    the messages, locales and channels that use it from there.
    """
    result: list[Diagnostic] = []
    for target in found:
        answer = answers[target.url]
        if answer.broken:
            code, severity = "CS501", Severity.ERROR
        elif answer.redirects:
            code, severity = "CS502", Severity.WARNING
        else:
            continue
        places: dict[links.Source, list[Use]] = defaultdict(list)
        for use in target.uses:
            places[use.source].append(use)
        for source, uses in places.items():
            locales = sorted({u.locale for u in uses})
            used = ", ".join(sorted({f"{u.message} {u.locale}/{u.channel}" for u in uses})[:3]) + (
                f" and {len(uses) - 3} more" if len(uses) > 3 else ""
            )
            result.append(
                Diagnostic(
                    code,
                    severity,
                    f"{target.url}: {answer.describe()} (used by {used})",
                    source.file,
                    source.line,
                    locales[0] if len(locales) == 1 else None,
                    uses[0].channel if len({u.channel for u in uses}) == 1 else None,
                )
            )
    return result
