"""``preview``: the pack's gallery served on localhost, rebuilt after every save."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from campaignsync.errors import BuildError

if TYPE_CHECKING:
    import socketserver


@dataclass(frozen=True, slots=True)
class Options:
    """Where and how to serve: ``--out``, ``--port``, ``--bind``, ``--watch``, ``--jobs``."""

    campaign: str | None = None
    out: Path | None = None
    port: int = 8000
    bind: str = "127.0.0.1"
    watch: bool = True
    jobs: int = 0  # 0: one process per CPU
    epoch: int | None = None  # SOURCE_DATE_EPOCH
    #: The wall clock (ns), read before each rebuild: see ``pack.state.Stamp``.
    clock: Callable[[], int] | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """A preview ready to serve: call :meth:`serve`, then :meth:`close`."""

    folder: Path
    address: str
    #: Whether saves are followed (``--watch``).
    watching: bool
    server: socketserver.BaseServer
    stop: threading.Event = field(default_factory=threading.Event)
    #: The thread that builds the pack and follows saves (with ``watch``).
    follower: threading.Thread | None = None

    def serve(self) -> None:
        """Serve requests until interrupted."""
        self.server.serve_forever()

    def close(self) -> None:
        """Stop following saves and close the server."""
        self.stop.set()
        self.server.server_close()

    def finished(self, wait: float | None = None) -> bool:
        """Return whether the build of the last save (and its zip) is done, waiting ``wait`` s.

        After :meth:`close`, no save starts another: waiting ends once the one under
        way, if any, is done.
        """
        if self.follower is not None:
            self.follower.join(wait)
        return self.follower is None or not self.follower.is_alive()


def start(
    root: Path,
    options: Options,
    problems: Callable[[tuple[str, ...]], None],
    told: Callable[[str], None] | None = None,
) -> Preview:
    """Return the pack's server; with ``watch``, build the pack and follow saves from now on.

    The server answers at once: with ``watch`` the first build runs beside it
    (a page not in the pack yet says it is being built and reloads when it is).
    ``problems`` receives what stopped each build, the first and each after a save
    (nothing: it worked); the server runs anyway and its pages show them. ``told``
    hears when a build waits for another one writing into the output folder. Without
    ``watch`` the pack must already exist.
    """
    from campaignsync import pipeline
    from campaignsync.load.project import require_project
    from campaignsync.pack import live, watch
    from campaignsync.paths import input_paths

    project, _ = require_project(root)
    selection = pipeline.select(project, options.campaign)
    target = pipeline.output_folder(root, options.out)
    folder = target / selection.name
    request = pipeline.Request(options.campaign, (), (), options.epoch)
    jobs = options.jobs or pipeline.default_jobs()
    state = live.State(baseline=live.hashes(folder), building=True) if options.watch else None
    if state is None and not (folder / "index.html").is_file():
        raise BuildError(f"no pack in {folder}; run 'campaignsync build' first")
    try:
        server = live.serve(folder, options.port, state, options.bind)
    except OSError as exc:
        raise BuildError(
            f"cannot listen on {options.bind}:{options.port}: {exc.strerror}"
        ) from None
    address = f"http://{options.bind}:{server.server_address[1]}/"
    preview = Preview(folder, address, state is not None, server)
    if state is not None:
        batches = watch.changes(root, input_paths(project.config.paths), preview.stop)
        # The folder first (the pages reload), then the zip, as a save's build goes.
        thread = threading.Thread(
            target=live.build_then_follow,
            args=(
                batches,
                lambda _: live.rebuild(root, target, request, jobs, options.clock, folder, told),
                state,
                problems,
                lambda: live.zip_again(root, target, request, jobs, options.clock),
            ),
            daemon=True,
        )
        thread.start()
        preview = replace(preview, follower=thread)
    return preview
