"""Shared fixtures: a CLI runner that shows what went wrong, real campaign repos, real git."""

from __future__ import annotations

import os
import shutil
import subprocess
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from campaignsync.cli import cli
from campaignsync.commands import init as skeleton

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: A fixed "now" for everything that would otherwise read the clock.
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


#: Where the tests' folders go when the machine has room in memory for them (see pytest_configure).
RAM_FOLDER = Path("/dev/shm")
RAM_NEEDED = 4 << 30


def pytest_configure(config: pytest.Config) -> None:
    """Put the tests' temporary folders in memory, where the machine has a RAM folder with room.

    Most tests write a pack (hundreds of small files) and a git repository: creating a
    file cost 1.5 ms on this project's CI disk against 0.06 ms in /dev/shm, a second or
    two of every build test. Where the folder is missing or small (a container's 64 MiB
    /dev/shm), or the user chose a folder (``--basetemp``, ``PYTEST_DEBUG_TEMPROOT``),
    nothing changes.
    """
    if config.option.basetemp or "PYTEST_DEBUG_TEMPROOT" in os.environ:
        return
    try:
        found = os.statvfs(RAM_FOLDER)
    except OSError:
        return
    if found.f_bavail * found.f_frsize >= RAM_NEEDED and os.access(RAM_FOLDER, os.W_OK):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(RAM_FOLDER)


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
    """Keep tests away from the developer's git identity, clock settings, network and memos."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("CAMPAIGNSYNC_DEBUG", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.org")
    from campaignsync.pack import (
        again,
        archive,
        attention,
        contents,
        lookups,
        manifestrows,
        schedulecsv,
        shards,
    )

    # What a process that builds again keeps of its last builds (tests/test_architecture.py,
    # WRITTEN_GLOBALS): each test starts with none.
    monkeypatch.setattr(again._Process, "again", False)
    monkeypatch.setattr(lookups, "_READ_PO", {})
    monkeypatch.setattr(contents, "_HASHED", {})
    monkeypatch.setattr(schedulecsv._Encoded, "last", {})
    monkeypatch.setattr(shards.Known, "last", None)
    monkeypatch.setattr(archive._Written, "last", None)
    monkeypatch.setattr(attention._Keyed, "last", None)
    for name, value in (("last", None), ("held", b"")):
        monkeypatch.setattr(manifestrows._Checked, name, value)


@pytest.fixture
def sealed_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Note the path of every sealed cache file read (``pack.sealed.read_sealed``), in order."""
    from campaignsync.pack import sealed

    read: list[Path] = []
    reader = sealed.read_sealed

    def noted(path: Path, *args: Any) -> Any:
        read.append(path)
        return reader(path, *args)

    monkeypatch.setattr(sealed, "read_sealed", noted)
    return read


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


def commit(repo: Path, message: str, when: str) -> str:
    """Commit everything with committer and author dates ``when`` (ISO 8601)."""
    git(repo, "add", "-A")
    dates = {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
        cwd=repo,
        check=True,
        env={**os.environ, **dates},
    )
    return git(repo, "rev-parse", "HEAD")


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


#: The messages of :func:`small_sample`: the first and the last of the campaign, an email and a tip.
SMALL = ("kickoff", "mfa-email-first", "passphrase-tip", "wrap-up")


def small_sample(target: Path, keep: tuple[str, ...] = SMALL) -> Path:
    """Copy the sample campaign with only the messages in ``keep`` (all its locales and channels).

    For the tests of what a build keeps and reads again: a quarter of the sample's
    units, so each of their several builds costs half as much.
    """
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "campaignsync.toml", target)
    for folder in ("content", "locales", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    for path in (target / "content" / "messages").rglob("*.md"):
        if path.stem not in keep:
            path.unlink()
    return target


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    """A copy of the sample campaign with four of its messages (see :func:`small_sample`)."""
    return small_sample(tmp_path / "small")


@pytest.fixture
def calendar_repo(tmp_path: Path) -> Path:
    """A two-partner, English-only campaign for the calendar tests (tests/data/calendar/repo)."""
    repo = tmp_path / "calendar"
    shutil.copytree(DATA / "calendar" / "repo", repo)
    shutil.copytree(ROOT / "campaignsync" / "starter" / "templates", repo / "templates")
    return repo


#: Arabic text for the review pack: a translated post that must read right to left.
ARABIC = {
    "kickoff:title": "يبدأ شهر التوعية السيبرانية المشترك اليوم",
    "kickoff:summary": "طوال شهر أكتوبر، يشارك الشركاء أربع عادات بسيطة تحمي حساباتك وأجهزتك.",
}
#: An X post that is over its limit on purpose, so the gallery must flag it.
OVER_LIMIT_X = "A post far too long for X. " * 12


def make_review_repo(repo: Path) -> Path:
    """Copy the sample, add a translated Arabic locale and an over-limit X post (kickoff)."""
    repo.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "campaignsync.toml", repo)
    for folder in ("content", "locales", "templates"):
        shutil.copytree(ROOT / folder, repo / folder)
    result = CliRunner().invoke(cli, ["locale", "add", "ar", "--repo", str(repo)])
    assert result.exit_code == 0, result.output
    config = repo / "campaignsync.toml"
    config.write_text(
        config.read_text().replace(
            'locales = ["en", "de", "fr", "es", "it", "pl", "nl", "pt-PT"]',
            'locales = ["en", "de", "fr", "es", "it", "pl", "nl", "pt-PT", "ar"]',
        )
    )
    po = repo / "locales" / "ar" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    for context, translation in ARABIC.items():
        start = text.index(f'msgctxt "{context}"')
        end = text.index('msgstr ""', start)
        text = text[:end] + f'msgstr "{translation}"' + text[end + len('msgstr ""') :]
    po.write_text(text)
    message = repo / "content" / "messages" / "2026" / "kickoff.md"
    message.write_text(message.read_text().replace("posts:\n", f'posts:\n  x: "{OVER_LIMIT_X}"\n'))
    return repo


@pytest.fixture(scope="session")
def review_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The review repo's pack, built once for the tests that only read it."""
    repo = make_review_repo(tmp_path_factory.mktemp("review") / "repo")
    result = CliRunner().invoke(cli, ["build", "--repo", str(repo)], env={"SOURCE_DATE_EPOCH": ""})
    assert result.exit_code == 0, result.output
    return repo / "dist" / "2026"
