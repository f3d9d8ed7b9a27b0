"""Releasing an annual campaign: strict checks, the pack built from a commit, an annotated tag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaignsync import __version__, gitrepo, pipeline
from campaignsync.commands.changes import TAG_PREFIX
from campaignsync.errors import DiagnosticsError, ReleaseError, UsageError
from campaignsync.load.content import ID_RE
from campaignsync.model import Diagnostic, Output, Project


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a release does, worked out before anything is written."""

    campaign: str
    tag: str
    commit: str
    branch: str
    out: Path
    messages: int
    locales: tuple[str, ...]
    channels: tuple[str, ...]
    outputs: int
    warnings: tuple[Diagnostic, ...]
    #: The shared repository's remote (``[git] remote``), that the tag is pushed to.
    remote: str = "origin"
    #: What could not be checked, to tell (the remote could not be asked for the tag).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Released:
    """What a release did."""

    plan: Plan
    pack: Path
    archive: Path
    manifest_sha256: str
    message: str


def tag_name(campaign: str) -> str:
    """Return the release tag of a campaign id, refusing anything outside the allow-list."""
    # A calendar id: nothing git could read as an option, a range, a reflog or a path,
    # so git always accepts the tag name.
    if not ID_RE.match(campaign):
        raise UsageError(
            f"{campaign!r} cannot be a release tag: campaign ids are lower-case letters, "
            "digits and '-' (like 2026 or 2026-spring)"
        )
    return f"{TAG_PREFIX}{campaign}"


def prepare(
    root: Path, campaign: str, now: datetime, out: Path, jobs: int = 1, sign: bool = False
) -> tuple[Plan, pipeline.Checked]:
    """Check every precondition of a release; raise ReleaseError naming each one that fails.

    The preconditions: the tree is clean, HEAD is on a branch of a full (not
    shallow) clone, the tag does not exist, ``check --strict`` passes, and
    every partner's required locales are fully translated.
    """
    tag = tag_name(campaign)
    state = gitrepo.state(root)
    if state is None or state.commit is None:
        raise ReleaseError(f"{root} is not a git repository with a commit; a release is a tag")
    refusals = _refusals(root, state, tag, sign)
    if refusals:
        raise ReleaseError("cannot release: " + "; ".join(refusals))
    notes = _shared_tag(root, tag)
    checked = pipeline.check(root, campaign, now, jobs, strict=True, prepare=True)
    if not checked.ok or checked.project is None or checked.rendered is None:
        raise DiagnosticsError(
            checked.diagnostics, "cannot release until 'check --strict' passes; nothing was "
            "built or tagged"
        )  # fmt: skip
    missing = incomplete_required(checked.project, checked.rendered.outputs)
    if missing:
        raise ReleaseError(
            "cannot release: required locales are not fully translated: "
            + ", ".join(f"{tag} ({count} outputs)" for tag, count in missing)
            + "; finish them (campaignsync locale status) or change required_locales"
        )
    outputs = checked.rendered.outputs
    if not outputs:
        raise ReleaseError(
            f"cannot release: campaign {campaign} has no messages to publish; a release tag "
            "is permanent, so write the campaign's messages first"
        )
    plan = Plan(
        campaign=campaign,
        tag=tag,
        commit=state.commit,
        branch=state.branch or "",
        out=out,
        messages=len({o.message for o in outputs}),
        locales=tuple(sorted({o.locale for o in outputs})),
        channels=tuple(sorted({o.channel for o in outputs})),
        outputs=len(outputs),
        warnings=checked.diagnostics,
        remote=checked.project.config.git_remote,
        notes=notes,
    )
    return plan, checked


def _shared_tag(root: Path, tag: str) -> tuple[str, ...]:
    """Refuse a tag the shared repository has; return a note when it could not be asked.

    The other team may have released the campaign from its clone: a tag made here too
    could not be pushed, and would name another commit than theirs.
    """
    from campaignsync.load.config import load_config

    config, _ = load_config(root)
    if config is None:  # (what is wrong with it, check says)
        return ()
    remote = config.git_remote
    shared = gitrepo.remote_tag(root, remote, tag)
    if shared is True:
        raise ReleaseError(
            f"cannot release: tag {tag} already exists on {remote} (released from another "
            "clone: 'git fetch --tags' shows it); a released campaign is never re-tagged: "
            "release the changes under a new campaign id"
        )
    if shared is False:
        return ()
    return (f"could not ask {remote} whether {tag} exists there ({shared}); 'git push' will tell",)


def _refusals(root: Path, state: gitrepo.TreeState, tag: str, sign: bool) -> list[str]:
    """Return why git's side of a release cannot go ahead (nothing when it can)."""
    refusals = []
    if state.unfinished is not None:
        refusals.append(state.unfinished)
    if state.changed:
        files = ", ".join(line[3:] for line in state.changed[:3])
        more = f" and {len(state.changed) - 3} more" if len(state.changed) > 3 else ""
        refusals.append(
            f"the work tree has uncommitted changes ({files}{more}): commit or remove them, "
            "so that the tag holds exactly what was released"
        )
    if state.branch is None:
        refusals.append("HEAD is detached: switch to the campaign's branch (git switch main)")
    if state.shallow:
        refusals.append(
            "this is a shallow clone: run 'git fetch --unshallow' so the history is complete"
        )
    if gitrepo.tag_exists(root, tag):
        refusals.append(
            f"tag {tag} already exists: a released campaign is never re-tagged; "
            "release the changes under a new campaign id"
        )
    if sign and not gitrepo.signing_configured(root):
        refusals.append(
            "--sign needs a signing key: set git config user.signingkey (or drop --sign)"
        )
    return refusals


def run(
    root: Path,
    campaign: str,
    now: datetime,
    out: Path | None,
    jobs: int = 0,
    sign: bool = False,
    dry: bool = False,
    told: Callable[[str], None] | None = None,
) -> Released:
    """Check, then release (or with ``dry`` only work out) a campaign: what ``release`` does.

    ``out`` None is the config's output folder; ``jobs`` 0 is one process per CPU.
    ``told`` hears when the release waits for a build writing into that folder.
    """
    target = pipeline.output_folder(root, out)
    plan, checked = prepare(root, campaign, now, target, jobs or pipeline.default_jobs(), sign)
    return dry_run(plan, checked) if dry else release(plan, checked, sign, told)


def incomplete_required(project: Project, outputs: tuple[Output, ...]) -> list[tuple[str, int]]:
    """Return each required locale with outputs that are not fully translated, and how many."""
    required = {
        tag: partner.id for partner in project.config.partners for tag in partner.required_locales
    }
    counts: dict[str, int] = {}
    for output in outputs:
        if output.locale in required and not output.translated:
            counts[output.locale] = counts.get(output.locale, 0) + 1
    return sorted(counts.items())


def tag_message(plan: Plan, project: Project, manifest_sha256: str) -> str:
    """Return the annotated tag's message: what the pack holds, and how to rebuild it."""
    campaign = project.calendar.campaign(plan.campaign)
    title = campaign.name if campaign else plan.campaign
    return (
        f"Campaign {plan.campaign}: {title}\n\n"
        f"Messages: {plan.messages}\n"
        f"Locales:  {', '.join(plan.locales)}\n"
        f"Channels: {', '.join(plan.channels)}\n"
        f"Outputs:  {plan.outputs}\n"
        f"manifest.json sha256: {manifest_sha256}\n\n"
        f"Built by campaignsync {__version__} from {plan.commit}.\n"
        f"Rebuild the identical pack: git checkout {plan.tag} && "
        f"campaignsync build --campaign {plan.campaign}\n"
    )


def dry_run(plan: Plan, checked: pipeline.Checked) -> Released:
    """Work out the pack and the tag message in memory; write nothing."""
    project, selection, rendered = checked.project, checked.selection, checked.rendered
    assert project is not None and selection is not None and rendered is not None
    digest = pipeline.assemble(project, selection, rendered, None).manifest_sha256
    message = tag_message(plan, project, digest)
    folder = plan.out / plan.campaign
    return Released(plan, folder, plan.out / f"{plan.campaign}.zip", digest, message)


def release(
    plan: Plan, checked: pipeline.Checked, sign: bool, told: Callable[[str], None] | None = None
) -> Released:
    """Build the pack from the checked commit, then write the annotated tag.

    A build writing into the output folder is waited for (``told`` hears so), and none
    writes there until the tag is made.
    """
    from campaignsync.pack import writelock

    project, selection, rendered = checked.project, checked.selection, checked.rendered
    assert project is not None and selection is not None and rendered is not None
    with writelock.waited(plan.out, told):
        # The commit time is the pack's timestamp, whatever SOURCE_DATE_EPOCH says, so that
        # anyone can rebuild the identical pack from the tag alone.
        built = pipeline.build(project, selection, plan.out, None, rendered=rendered)
        if built.source.commit != plan.commit or built.source.dirty:
            raise ReleaseError("the work tree changed during the release; nothing was tagged")
        message = tag_message(plan, project, built.result.manifest_sha256)
        gitrepo.create_tag(project.root, plan.tag, message, sign)
    archive = built.result.archive or plan.out / f"{selection.name}.zip"  # always zipped here
    return Released(plan, built.result.folder, archive, built.result.manifest_sha256, message)
