"""`campaignsync init` makes a repository that checks and builds; `new` writes a valid message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, CliInvoke


def test_init_makes_a_repository_that_checks_and_builds(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    target = tmp_path / "my-campaign"
    result = cli_invoke(["init", str(target)])
    assert result.stdout.startswith(f"Created a campaign repository in {target} (")
    for rel in (
        "campaignsync.toml",
        "content/calendar.yaml",
        ".gitignore",
        "locales/messages.pot",
        "locales/de/LC_MESSAGES/messages.po",
        "templates/x.txt.j2",
        ".git",
    ):
        assert (target / rel).exists(), rel
    messages = list((target / "content" / "messages").rglob("*.md"))
    assert len(messages) == 1
    cli_invoke(["check", "--repo", str(target)])
    cli_invoke(["build", "--repo", str(target)])
    assert (target / "dist").is_dir()
    assert "dist/" in (target / ".gitignore").read_text()


@pytest.mark.parametrize("kind", ["non-empty", "file"])
def test_init_refuses_a_folder_in_use(cli_invoke: CliInvoke, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "taken"
    if kind == "file":
        target.write_text("notes")
        expected = f"error: {target} is a file; choose a new folder\n"
    else:
        target.mkdir()
        (target / "notes.txt").write_text("keep me")
        expected = f"error: {target} is not empty; choose a new folder\n"
    result = cli_invoke(["init", str(target)], expect=1)
    assert result.stderr == expected
    if kind == "non-empty":
        assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_init_works_from_an_installed_wheel(tmp_path: Path) -> None:
    """The starter files are package data: a wheel alone can create a repository."""
    wheels = tmp_path / "wheels"
    # Build from a copy: setuptools writes build/ and egg-info next to the sources.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "campaignsync", source / "campaignsync", ignore=shutil.ignore_patterns("__pycache__")
    )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("campaignsync-*.whl"))
    # A fresh virtualenv that sees this one's dependencies (a plain path entry, so
    # the editable install's import hook is not loaded) and the wheel installed.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages" and p.is_dir())
    (site / "deps.pth").write_text(f"{deps}\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # installing a pure wheel is unpacking it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = [python, "-c", "import campaignsync; print(campaignsync.__file__)"]
    found = subprocess.run(probe, env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert found.stdout.startswith(str(site))
    repo = tmp_path / "fresh"
    for args in (
        ["init", str(repo)],
        ["check", "--repo", str(repo)],
        ["build", "--repo", str(repo)],
    ):
        done = subprocess.run(
            [python, "-m", "campaignsync", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert (repo / "dist").is_dir()


def test_new_writes_a_message_in_the_next_free_slot(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    result = cli_invoke(
        [
            "new",
            "mfa-at-work",
            "--repo",
            str(sample_repo),
            "--theme",
            "mfa",
            "--partner",
            "eu",
            "--channel",
            "x",
            "--channel",
            "linkedin",
            "--title",
            "MFA at work",
            "--now",
            "2026-06-01",
        ]
    )
    rel = "content/messages/2026/mfa-at-work.md"
    assert result.stdout == f"Wrote {rel}\n"
    text = (sample_repo / rel).read_text()
    assert (
        "id: mfa-at-work\n" in text and "theme: mfa\n" in text and 'title: "MFA at work"\n' in text
    )
    # The EU already publishes on Mon 12 and Wed 14 and Fri 16 October: the 13th is free.
    assert "  eu: 2026-10-13T10:00:00+02:00\n" in text
    # Before the translation freeze, the new untranslated message is only a warning,
    # and so is the placeholder text: a draft passes check, not check --strict.
    result = cli_invoke(["check", "--repo", str(sample_repo), "--now", "2026-06-01"])
    assert (
        f"{rel}:10: warning CS024: the summary is still the placeholder 'campaignsync new' wrote: write your own"
        in result.stdout
    )
    assert f"{rel}:16: warning CS024: the body is still the placeholder" in result.stdout
    cli_invoke(["check", "--repo", str(sample_repo), "--now", "2026-06-01", "--strict"], expect=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["Bad_Id"],
            "error: id 'Bad_Id' must be lower-case letters, digits and '-' (e.g. 'mfa-reminder')",
            id="bad-id",
        ),
        pytest.param(
            ["kickoff"],
            "error: id 'kickoff' is already used by content/messages/2026/kickoff.md",
            id="taken",
        ),
        pytest.param(
            ["x1", "--partner", "uk"],
            "error: unknown partner 'uk' (partners: eu, us)",
            id="partner",
        ),
        pytest.param(
            ["x1", "--theme", "mfaa"],
            "error: campaign '2026' has no theme 'mfaa' (did you mean 'mfa'?)",
            id="theme",
        ),
        pytest.param(
            ["x1", "--theme", "holidays"],
            "error: campaign '2026' has no theme 'holidays' (themes: passwords, mfa, phishing, updates)",
            id="theme-nothing-near",
        ),
        pytest.param(
            ["x1", "--channel", "fax"],
            "Error: Invalid value for '--channel': unknown channel 'fax' (channels: ",
            id="channel",
        ),
        pytest.param(
            ["x1", "--channel", "threads"],
            "error: channel 'threads' is disabled: enable it in campaignsync.toml ([channels.threads] enabled = true)",
            id="disabled-channel",
        ),
        pytest.param(["x1", "--campaign", "2031"], "error: unknown campaign '2031'", id="campaign"),
    ],
)
def test_new_refuses_bad_requests(
    cli_invoke: CliInvoke, sample_repo: Path, args: list[str], message: str
) -> None:
    before = sorted(p.name for p in (sample_repo / "content" / "messages" / "2026").iterdir())
    result = cli_invoke(["new", *args, "--repo", str(sample_repo)], expect=2)
    assert result.stderr.splitlines()[-1].startswith(message)
    assert (
        sorted(p.name for p in (sample_repo / "content" / "messages" / "2026").iterdir()) == before
    )


def test_new_follows_the_partners_business_days_and_hours(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    config = sample_repo / "campaignsync.toml"
    text = config.read_text().replace(
        'business_hours = "09:00-18:00"',
        'business_hours = "12:00-18:00"\nbusiness_days = "tue-fri"',
        1,
    )
    config.write_text(text)
    cli_invoke(
        [
            "new",
            "tuesday-tip",
            "--repo",
            str(sample_repo),
            "--theme",
            "mfa",
            "--partner",
            "eu",
            "--channel",
            "x",
            "--now",
            "2026-06-01",
        ]
    )
    written = (sample_repo / "content/messages/2026/tuesday-tip.md").read_text()
    # Mon 12 Oct is not a business day and 10:00 is before opening: Tue 13 Oct at 12:00.
    assert "  eu: 2026-10-13T12:00:00+02:00\n" in written


NEW_MFA = ["new", "mfa-late", "--theme", "mfa", "--partner", "eu", "--channel", "x"]


def test_new_never_proposes_a_slot_already_past(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    # 13 Oct at 10:00 CEST is 08:00 UTC, gone at 09:00; the EU already has the 14th.
    result = cli_invoke([*NEW_MFA, "--repo", str(sample_repo), "--now", "2026-10-13T09:00:00Z"])
    assert result.stderr == ""
    written = (sample_repo / "content/messages/2026/mfa-late.md").read_text()
    assert "  eu: 2026-10-15T10:00:00+02:00\n" in written


def test_new_says_so_when_every_free_slot_is_past(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    result = cli_invoke([*NEW_MFA, "--repo", str(sample_repo), "--now", "2026-12-02T09:30:00Z"])
    rel = "content/messages/2026/mfa-late.md"
    assert result.stdout == f"Wrote {rel}\n"
    assert result.stderr == (
        "warning: every free slot from 2026-10-12 to 2026-10-18 is already past "
        "(now: 2026-12-02 09:30 UTC), so the message is set for Tue 13 Oct 2026, in the past: "
        f"change 'publish' in {rel}, or choose another --theme or --campaign\n"
    )
    assert "  eu: 2026-10-13T10:00:00+02:00\n" in (sample_repo / rel).read_text()
