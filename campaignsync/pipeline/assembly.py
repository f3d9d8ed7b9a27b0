"""Everything a pack holds, in memory: outputs, the calendar, CSVs, gallery, images, manifest."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from campaignsync import gitrepo, paths
from campaignsync.errors import BuildError, DiagnosticsError
from campaignsync.model import Message, Output, Project
from campaignsync.pack import ZIP_EPOCH, manifest, writer
from campaignsync.paths import input_paths
from campaignsync.pipeline.selection import Selection
from campaignsync.pipeline.workers import Rendered, forks

if TYPE_CHECKING:
    from campaignsync.l10n import catalog
    from campaignsync.pack import gallery, messagepages, outputkeys
    from campaignsync.pack.hits import Whole
    from campaignsync.pack.kept import Kept
    from campaignsync.pack.spilled import Spiller
    from campaignsync.pack.staging import Stager, Staging

MAX_IMAGE_BYTES = 20 * 1024 * 1024


def source_info(project: Project) -> tuple[writer.SourceInfo, int | None]:
    """Return the git commit behind the inputs and its commit time (None outside git).

    The pack counts as dirty only when the campaign's own files differ from
    the commit: an edited README does not change what was built.
    """
    head = gitrepo.head(project.root, input_paths(project.config.paths))
    if head is None:
        return writer.SourceInfo(None, False, "not built from a git commit"), None
    return writer.SourceInfo(head.commit, head.dirty), head.time


@dataclass(frozen=True, slots=True)
class Assembled:
    """Everything a pack holds, in memory, every file hashed and compressed once."""

    outputs: list[Output]
    extras: list[writer.PackFile]  # calendar, CSVs, gallery, images and the manifest
    epoch: int
    source: writer.SourceInfo
    members: dict[str, writer.Member]
    #: The extras written into the staging folder already (their bytes are not held).
    staged: frozenset[str] = frozenset()
    #: The sha256 of the last pack's manifest and the outputs of the messages taken whole
    #: that it holds as they are (``outputkeys.held_by``), and the other outputs
    #: (None: no such message; see :meth:`for_writer`).
    steady: tuple[str, tuple[Output, ...]] = ("", ())
    rest: tuple[Output, ...] | None = None
    #: Where an update's whole-pack files wait until written (:mod:`campaignsync.pack.spilled`).
    aside: Spiller | None = None
    #: An update's manifest, for this process to hold once written (``manifestrows.written``).
    manifest: bytes = b""

    def let_go(self) -> None:
        """Close the file the whole-pack files wait in: the writer is done with them."""
        if self.aside is not None:
            self.aside.close()

    def for_writer(self) -> tuple[list[Output], tuple[str, int]]:
        """Return the outputs as the writer takes them: the steady ones first, and how many.

        The writer need not compare those with the last pack when it is the one written
        with them (:func:`campaignsync.pack.updating.update`).
        """
        written, outputs = self.steady
        if self.rest is None or len(outputs) + len(self.rest) != len(self.outputs):
            return self.outputs, ("", 0)  # (as many as every output, or the writer compares all)
        return [*outputs, *self.rest], (written, len(outputs))

    @property
    def manifest_sha256(self) -> str:
        """Return the sha256 of manifest.json."""
        return self.members["manifest.json"].sha256


def assemble(
    project: Project,
    selection: Selection,
    rendered: Rendered,
    epoch: int | None,
    drawn: dict[str, gallery.Drawn] | None = None,
    kept: Kept | None = None,
    staged: Staging | None = None,
    jobs: int = 1,
) -> Assembled:
    """Return everything a pack holds: outputs, extras with the manifest, the epoch.

    ``epoch`` None means the commit time (outside git: 1980-01-01, the zip minimum).
    ``drawn`` holds gallery cards already drawn, ``kept`` the last pack's files
    (see :func:`pack_extras`). With ``staged`` (a clean build's staging folder), each
    extra is written there as soon as it is made, and only its member is held; with
    ``jobs`` above 1 and enough units rendered now (a clean build, a template edited),
    the scheduler CSVs, the calendar and the readability are made then in a forked
    process, while this one makes the gallery.
    """
    from campaignsync.pack import manifestrows
    from campaignsync.pack.staging import Stager

    source, commit_time = source_info(project)
    epoch = _epoch(epoch, commit_time)
    if any(d.is_error for d in rendered.diagnostics):
        raise DiagnosticsError(rendered.diagnostics)
    outputs = list(rendered.outputs)
    if kept is not None:  # what the email copies and the pieces per message are made from
        kept.outputs = rendered.members
        kept.by_message = _by_message(project, selection, rendered, kept, outputs)
    stager = _stager(staged, kept)
    with _closed_if_stopped(stager):
        try:
            extras, scores = pack_extras(
                project, selection, outputs, epoch, rendered.lookups, drawn, kept, stager,
                rendered.copied, forks(jobs, rendered.fresh), rendered.pages, rendered.wholes,
            )  # fmt: skip
        finally:
            done = stager.finish() if stager is not None else {}
        # Hashed only (the writer compresses what the last zip lacks); kept's have their members.
        known = {**kept.hashed, **kept.members, **done} if kept is not None else done
        fresh = writer.digest_all(f for f in extras if f.path not in known)
        members = {**rendered.members, **known, **fresh}
        head = manifest.head(selection.campaign, source, epoch, _partial(selection), scores)
        document, rows = manifestrows.manifest_of(kept, head, outputs, extras, members,
                                                  rendered.lines)  # fmt: skip
        made = (stager.last if stager is not None else _held)("manifest.json", document)
    extras.append(made[0])
    members["manifest.json"] = made[1]
    manifestrows.note(kept, made[1].sha256, rows)
    staged_now = frozenset(stager.members) if isinstance(stager, Stager) else frozenset()
    steady, rest = _steady(rendered, kept)
    aside = None if stager is None or isinstance(stager, Stager) else stager
    mine = manifestrows.to_hold(kept, document)
    return Assembled(outputs, extras, epoch, source, members, staged_now, steady, rest, aside, mine)


def _by_message(
    project: Project, selection: Selection, rendered: Rendered, kept: Kept, outputs: list[Output]
) -> outputkeys.ByMessage:
    """Return each message's outputs with their digest, what pieces per message are made from."""
    from campaignsync.pack import outputkeys

    apart = ({w.message_id: w.outputs for w in rendered.wholes}, rendered.rest)
    shards = {w.message_id: f"{w.shard} {' '.join(w.tags)}" for w in rendered.wholes if w.shard}
    return outputkeys.by_message(
        kept, [m.id for m in project.messages_of(selection.campaign)], outputs, rendered.lines,
        rendered.lookups, [x.tag for x in selection.locales], apart, shards,
    )  # fmt: skip


@contextmanager
def _closed_if_stopped(stager: Stager | Spiller | None) -> Iterator[None]:
    """Close the files an update set aside if assembling stops (else the build closes them).

    Not left to a finalizer: a Ctrl-C that lands in one is printed and lost.
    """
    from campaignsync.pack.spilled import Spiller

    try:
        yield
    except BaseException:
        if isinstance(stager, Spiller):
            stager.close()
        raise


def _steady(
    rendered: Rendered, kept: Kept | None
) -> tuple[tuple[str, tuple[Output, ...]], tuple[Output, ...] | None]:
    """Return the outputs of the messages taken whole that the last pack holds as they are.

    With its manifest's sha256 (as the last build kept it), and the other outputs.
    """
    from campaignsync.pack.outputkeys import held_by

    last = (kept.hashes or {}).get("manifest.json", "") if kept is not None else ""
    if kept is None or kept.by_message is None or not last or rendered.rest is None:
        return ("", ()), rendered.rest
    held, key = held_by(kept, last), kept.by_message.key
    steady: list[Output] = []
    rest = list(rendered.rest)
    for whole in rendered.wholes:
        (steady if key(whole.message_id) in held else rest).extend(whole.outputs)
    return (last, tuple(steady)), tuple(rest)


def _stager(staged: Staging | None, kept: Kept | None) -> Stager | Spiller | None:
    """Return where the whole-pack files go as they are made, their bytes not held.

    A clean build stages them in the new pack; an update sets them aside until it
    knows which changed (:mod:`campaignsync.pack.spilled`).
    """
    from campaignsync.pack.spilled import Spiller
    from campaignsync.pack.staging import Stager

    if staged is not None:
        return Stager(staged)
    return Spiller(kept.index.parent, kept.hashed) if kept is not None else None


def _held(rel: str, parts: writer.Parts) -> tuple[writer.PackFile, writer.Member]:
    """Return a whole-pack file held with its bytes (joined from ``parts``), and its member."""
    data = writer.joined(parts)
    return writer.PackFile(rel, data), writer.digest(data)


def _partial(selection: Selection) -> dict[str, list[str]] | None:
    """Return what the manifest records of a partial pack's selection (None: a whole one)."""
    if not selection.partial:
        return None
    return {"locales": [x.tag for x in selection.locales], "channels": list(selection.channels)}


def pack_epoch(project: Project, epoch: int | None) -> int:
    """Return the timestamp of a pack: SOURCE_DATE_EPOCH when set, else the commit time."""
    return _epoch(epoch, source_info(project)[1])


def _epoch(epoch: int | None, commit_time: int | None) -> int:
    # Outside git, 1980-01-01: the earliest time a zip can store.
    if epoch is not None:
        return epoch
    return commit_time if commit_time is not None else ZIP_EPOCH


def pack_extras(
    project: Project,
    selection: Selection,
    outputs: list[Output],
    epoch: int,
    lookups: Mapping[str, catalog.Lookup] | None = None,
    drawn: dict[str, gallery.Drawn] | None = None,
    kept: Kept | None = None,
    stager: Stager | Spiller | None = None,
    copied: Mapping[str, writer.Member] | None = None,
    fork: bool = False,
    pages: messagepages.Staged | None = None,
    wholes: Sequence[Whole] = (),
) -> tuple[list[writer.PackFile], dict[str, object]]:
    """Return the calendar, CSVs, gallery and images of the outputs, and their readability.

    The readability is the manifest's part (:func:`campaignsync.pack.manifest.readability`).

    ``lookups`` (the catalogs the outputs were rendered with) let the gallery
    name untranslated and stale segments. ``drawn`` holds the gallery cards
    already drawn, by output path; the cards drawn now are added to it.
    ``kept`` takes the last pack's message pages, email copies and calendar by
    reference where what they are made from is unchanged (:mod:`campaignsync.pack.kept`):
    they are returned empty, their members are ``kept.members``. A file handed to
    ``stager`` is returned without its bytes held (its member is the stager's).
    ``copied`` holds the email copies a clean build's workers staged (their members),
    ``pages`` its message pages (:mod:`campaignsync.pack.messagepages`): ``stager`` takes
    those the gallery takes. With ``fork`` (many units rendered now: a clean build, a
    template edited), the scheduler CSVs, the calendar and the readability part are made
    in a forked process meanwhile (:func:`_beside`). ``wholes``: the messages taken whole
    from the render cache (:attr:`campaignsync.pipeline.workers.Rendered.wholes`).
    """
    from campaignsync.pack import attention, gallery
    from campaignsync.pack.staging import Stager
    from campaignsync.pipeline.forking import aside

    campaign = selection.campaign
    messages = project.messages_of(campaign)
    schedule = attention.schedule_problems(project, campaign, tuple(outputs), kept)
    extras: list[writer.PackFile] = []
    clean = isinstance(stager, Stager)
    ahead = (pages or {}) if clean else {}  # what a clean build's workers staged
    staged = {**(copied or {}), **{rel: m for rel, (_, m) in ahead.items()}} if clean else {}
    if isinstance(stager, Stager):
        stager.expect(staged)

    def add(rel: str, data: bytes) -> None:
        extras.append(writer.PackFile(rel, data) if stager is None else stager.add(rel, data))

    context = (project, campaign, outputs, epoch, kept)
    with aside(_beside, context, fork) as beside:
        made = gallery.pages(project, campaign, outputs, lookups, schedule, drawn, kept,
                             staged, ahead, wholes)  # fmt: skip
        for rel, page in made:
            add(rel, page)
        files, scores = _noting(kept, beside())
    for rel, data in (*files, *_images(project, messages)):
        add(rel, data)
    return extras, scores


def _images(project: Project, messages: Iterable[Message]) -> list[tuple[str, bytes]]:
    """Return the messages' images, by their path in the pack (and in the content folder)."""
    found = []
    for src in sorted({m.image.src for m in messages if m.image is not None}):
        try:
            data = paths.read_bytes(
                project.root, f"{project.config.paths.content}/{src}", MAX_IMAGE_BYTES
            )
        except ValueError as exc:
            raise BuildError(str(exc)) from None
        found.append((src, data))
    return found


#: What :func:`_beside` made: the files, the readability part, and what each of
#: :func:`_noted` gained meanwhile.
Beside = tuple[list[tuple[str, bytes]], dict[str, object], tuple[dict[str, Any], ...]]


def _beside(context: tuple[Project, str, list[Output], int, Kept | None]) -> Beside:
    """Return the calendar, the scheduler CSVs, the readability and what ``kept`` noted.

    The readability is the manifest's part. The gallery is made meanwhile: in a build
    with more than one process and many units rendered, this runs in a forked one, so
    what it notes is handed back to be noted there.
    """
    from campaignsync.pack import schedulecsv

    project, campaign, outputs, epoch, kept = context
    before = [set(noted) for noted in _noted(kept)] if kept is not None else []
    files = [("calendar.ics", _calendar(project, campaign, epoch, kept))]
    messages = project.messages_of(campaign)
    for partner in project.config.partners:
        if any(partner.id in m.partners for m in messages):
            csv = schedulecsv.schedule_csv(
                project, campaign, partner.id, outputs, kept, kept.by_message if kept else None
            )
            files.append((schedulecsv.file_name(partner.id), csv))
    scores = manifest.readability(project, campaign, outputs, kept)
    if kept is None:
        return files, scores, ()
    noted = zip(_noted(kept), before, strict=True)
    gained = tuple({k: v for k, v in now.items() if k not in was} for now, was in noted)
    return files, scores, gained


def _noting(kept: Kept | None, made: Beside) -> tuple[list[tuple[str, bytes]], dict[str, object]]:
    """Note in ``kept`` what making :func:`_beside`'s files noted there; return what it made."""
    files, scores, gained = made
    if kept is not None:  # (in the forked process, if it was one: not in this one's kept)
        for mine, theirs in zip(_noted(kept), gained, strict=True):
            mine.update(theirs)
    return files, scores


def _noted(kept: Kept) -> tuple[dict[str, Any], ...]:
    """Return what ``kept`` notes as files and pieces are made or taken."""
    return kept.used, kept.made, kept.hashed, kept.members


def _calendar(project: Project, campaign: str, epoch: int, kept: Kept | None) -> bytes:
    """Return calendar.ics: the last pack's while what it shows of the messages is unchanged.

    Else made again, with the slots of each message whose part is unchanged taken from the
    last build's (a kept piece under a digest of what they show, kept while the calendar
    is taken too). The calendar is named with them: the kept files' key holds only what
    units read of it (not the blackout days nor the observances); the rest of what it
    reads (the config's partners, name and address, the tool) is in that key.
    """
    from campaignsync.pack import ical, keys

    if kept is None:
        return ical.ics(project, campaign, epoch)
    named = {
        m.id: "calendar slots "
        + keys.digest((campaign, m.id, m.title, m.summary, m.link, m.channels, m.publish))
        for m in project.messages_of(campaign)
    }  # (not the time: ical.ics stamps the slots it is given)
    inputs = keys.digest((project.calendar, epoch, *named.values()))  # (the slots in order)
    if kept.take("calendar.ics", inputs):
        for name in named.values():  # kept for the next calendar made again
            kept.piece(name)
        return b""  # taken by reference: its member is in kept.members

    def slots(message: Message, make: Callable[[], bytes]) -> bytes:
        found = kept.piece(named[message.id])
        if found is None:
            found = make().decode("utf-8")
            kept.put_piece(named[message.id], found)
        return found.encode("utf-8")

    data = ical.ics(project, campaign, epoch, slots=slots)
    kept.put("calendar.ics", inputs, data)
    return data
