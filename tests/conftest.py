"""Shared fixtures: a CLI runner that shows what went wrong, real campaign repos, real git."""

from __future__ import annotations

import shutil
import subprocess
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from campaignsync.cli import cli
from campaignsync.commands import init as skeleton

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: A fixed "now" for everything that would otherwise read the clock.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep tests away from the developer's git identity, clock settings and network."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("CAMPAIGNSYNC_DEBUG", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.org")


CliInvoke = Callable[..., Result]


@pytest.fixture
def cli_invoke(monkeypatch: pytest.MonkeyPatch) -> CliInvoke:
    """Run the CLI in a folder; echo its output and traceback; assert exit 0 unless told."""

    def invoke(
        args: list[str], cwd: Path | None = None, expect: int = 0, env: dict[str, str] | None = None
    ) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=True)
        print("$ campaignsync", " ".join(args))
        print(result.stdout)
        print(result.stderr)
        if result.exc_info and not isinstance(result.exception, SystemExit):
            traceback.print_exception(*result.exc_info)
        assert result.exit_code == expect, f"exit {result.exit_code}, expected {expect}"
        return result

    return invoke


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` and return its output."""
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@pytest.fixture
def campaign_repo(tmp_path: Path) -> Path:
    """A fresh campaign repository made by `campaignsync init` (git initialised, no commit)."""
    repo = tmp_path / "repo"
    skeleton.create(repo, NOW)
    return repo


@pytest.fixture
def committed_repo(campaign_repo: Path) -> Path:
    """The fresh campaign repository with everything committed."""
    git(campaign_repo, "add", "-A")
    git(campaign_repo, "commit", "-q", "-m", "Start the campaign")
    return campaign_repo


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A copy of the sample campaign at the root of this project (not in git)."""
    repo = tmp_path / "sample"
    repo.mkdir()
    shutil.copy2(ROOT / "campaignsync.toml", repo)
    for folder in ("content", "locales", "templates"):
        shutil.copytree(ROOT / folder, repo / folder)
    return repo


@pytest.fixture
def calendar_repo(tmp_path: Path) -> Path:
    """A two-partner, English-only campaign for the calendar tests (tests/data/calendar/repo)."""
    repo = tmp_path / "calendar"
    shutil.copytree(DATA / "calendar" / "repo", repo)
    shutil.copytree(ROOT / "campaignsync" / "starter" / "templates", repo / "templates")
    return repo
