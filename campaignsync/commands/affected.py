"""Which files of the pack an edit changes: both revisions rendered, outputs compared."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from campaignsync import gitrepo
from campaignsync.model import Config
from campaignsync.paths import input_paths
from campaignsync.wording import counted


@dataclass(frozen=True, slots=True)
class OutputChange:
    """One output added, removed or changed between two revisions."""

    path: str
    message: str
    locale: str
    channel: str
    change: str  # added | removed | changed


def affected(
    root: Path, config: Config, before: str, after: str | None, jobs: int = 1
) -> tuple[OutputChange, ...]:
    """Render the default campaign at ``before`` and ``after`` (None: the work tree); compare.

    Each revision is rendered as a build would, with its own config, messages,
    catalogs and templates; one that cannot be rendered is a BuildError.
    """
    old = _render_at(root, config, before, jobs)
    new = _outputs(root, jobs, "the work tree") if after is None else (
        _render_at(root, config, after, jobs)
    )  # fmt: skip
    found = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a is not None and b is not None and a[0] == b[0]:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        _, message, locale, channel = b or a  # type: ignore[misc]
        found.append(OutputChange(path, message, locale, channel, change))
    return tuple(found)


_Rendered = dict[str, tuple[str, str, str, str]]  # path -> (sha256, message, locale, channel)


def _render_at(root: Path, config: Config, rev: str, jobs: int) -> _Rendered:
    files = gitrepo.files_at(root, gitrepo.resolve(root, rev), input_paths(config.paths))
    with tempfile.TemporaryDirectory(prefix="campaignsync-changes-") as work:
        base = Path(work)
        for rel, data in files.items():
            target = base / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return _outputs(base, jobs, rev)


def _outputs(root: Path, jobs: int, label: str) -> _Rendered:
    from campaignsync import pipeline
    from campaignsync.errors import BuildError, CampaignsyncError
    from campaignsync.load.project import load_project

    def refuse(why: str) -> BuildError:
        return BuildError(f"cannot render {label} to compare its outputs: {why}")

    project, found = load_project(root)
    if project is None:
        raise refuse("its campaignsync.toml cannot be used")
    if errors := sum(1 for d in found if d.is_error):
        raise refuse(f"{counted(errors, 'error')}; 'campaignsync check' lists them")
    try:
        selection = pipeline.select(project, None)
    except CampaignsyncError as exc:
        raise refuse(str(exc)) from None
    rendered = pipeline.render_selection(project, selection, jobs)
    if errors := sum(1 for d in rendered.diagnostics if d.is_error):
        raise refuse(f"{counted(errors, 'error')}; 'campaignsync check' lists them")
    return {
        o.path: (hashlib.sha256(o.content).hexdigest(), o.message, o.locale, o.channel)
        for o in rendered.outputs
    }


def to_text(outputs: tuple[OutputChange, ...], markdown: bool = False) -> str:
    """Return the changed outputs message by message: how many, in which locales and channels."""
    heading = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    code = "`" if markdown else ""
    if not outputs:
        return f"\n{heading}Outputs\n{bullet}none of the pack's outputs change\n"
    lines = ["", f"{heading}Outputs ({len(outputs)} file{'s' if len(outputs) != 1 else ''})"]
    by_message: dict[str, list[OutputChange]] = {}
    for change in outputs:
        by_message.setdefault(change.message, []).append(change)
    for message, found in sorted(by_message.items()):
        counts: dict[str, int] = {}
        for change in found:
            counts[change.change] = counts.get(change.change, 0) + 1
        what = ", ".join(f"{n} {verb}" for verb, n in sorted(counts.items()))
        locales = sorted({c.locale for c in found})
        channels = sorted({c.channel for c in found})
        lines.append(
            f"{bullet}{code}{message}{code}: {what} in {len(locales)} "
            f"locale{'s' if len(locales) != 1 else ''} ({', '.join(locales)}); "
            f"channels: {', '.join(channels)}"
        )
    return "\n".join(lines) + "\n"
