"""The one exception family that core code raises; cli.py turns it into messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from campaignsync.wording import counted

if TYPE_CHECKING:
    from pathlib import Path

    from campaignsync.model import Diagnostic


class CampaignsyncError(Exception):
    """A failure the user can act on: printed as one line, never as a traceback."""


class ConfigError(CampaignsyncError):
    """The campaign repository or its configuration cannot be used."""


class ContentError(CampaignsyncError):
    """A message, the calendar or a catalog is invalid."""


class CatalogError(CampaignsyncError):
    """A gettext catalog cannot be read or written."""


class BuildError(CampaignsyncError):
    """A pack could not be built or written."""


class WorkerError(CampaignsyncError):
    """A worker process died before it finished its share (killed from outside)."""

    def __init__(self) -> None:
        super().__init__(
            "a worker process was stopped before it finished (killed, perhaps for lack of "
            "memory); nothing was changed; run the command again, with a lower --jobs if "
            "memory is short"
        )


class InterruptedAfterWrite(CampaignsyncError):
    """Ctrl-C once the new pack was in place: the pack stays; its caches were not all kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(f"interrupted after the new pack was written to {folder}")


class GitError(CampaignsyncError):
    """A git operation was refused or failed."""


class ReleaseError(CampaignsyncError):
    """A release precondition does not hold."""


class UsageError(CampaignsyncError):
    """A value typed on the command line is not valid (exit status 2, like click's)."""


class DiagnosticsError(CampaignsyncError):
    """Work stopped because of error diagnostics; they say what and where."""

    def __init__(
        self, diagnostics: Iterable[Diagnostic], outcome: str = "nothing was written"
    ) -> None:
        self.diagnostics = tuple(diagnostics)
        self.outcome = outcome  # what was done before work stopped
        super().__init__(counted(len(self.diagnostics), "error"))
