"""With nothing changed, ``build`` and ``check`` answer from file metadata, importing none of
what loading, rendering or writing needs.

The figures live in benchmarks/; what these tests keep is the cause of the speed:
the modules (and libraries) a command with nothing to do loads. Each runs the
command in a fresh Python, as a user does, and lists what that Python imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaignsync.pipeline import lastcheck
from tests.conftest import CliInvoke

#: Libraries and campaignsync modules that loading, rendering or writing a pack needs.
HEAVY = (
    "babel",
    "jinja2",
    "git",
    "yaml",
    "markdown",
    "icalendar",
    "regex",
    "nh3",
    "pyphen",
    "dateutil",
    "filelock",
    "zipfile",
    "campaignsync.model",
    "campaignsync.load.config",
    "campaignsync.load.project",
    "campaignsync.l10n",
    "campaignsync.render",
    "campaignsync.channels",
    "campaignsync.checks",
    "campaignsync.pack.writer",
    "campaignsync.pack.cache",
    "campaignsync.pipeline.building",
    "campaignsync.pipeline.workers",
)
#: What ``check`` giving its last answer again may not import (a full check of the fresh
#: repository imports them all): no check runs, though the answer is diagnostics
#: (``model``) printed by ``checks.report``.
CHECK_HEAVY = (
    "babel",
    "jinja2",
    "yaml",
    "markdown",
    "regex",
    "nh3",
    "pyphen",
    "dateutil",
    "zipfile",
    "campaignsync.load.config",
    "campaignsync.load.project",
    "campaignsync.l10n",
    "campaignsync.render",
    "campaignsync.channels",
    "campaignsync.checks.access",
    "campaignsync.checks.terms",
    "campaignsync.pack.writer",
    "campaignsync.pack.cache",
    "campaignsync.pipeline.rechecking",
    "campaignsync.pipeline.workers",
)

#: Runs the command line as ``campaignsync ARGS`` would, then prints every module imported.
PROBE = """
import json, sys
from campaignsync.cli import main
sys.argv[0] = "campaignsync"
try:
    main()
except SystemExit as exc:
    print("EXIT", exc.code)
print("MODULES", json.dumps(sorted(sys.modules)))
"""


def run_fresh(*args: str) -> tuple[str, set[str]]:
    """Return what ``campaignsync ARGS`` printed in a new Python, and the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    printed, _, listed = done.stdout.rpartition("MODULES ")
    return printed, set(json.loads(listed))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Return the names (or packages) of ``names`` that ``modules`` holds."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def test_the_probe_sees_what_a_real_build_imports(tmp_path: Path, committed_repo: Path) -> None:
    printed, modules = run_fresh("build", "--repo", str(committed_repo))
    assert printed.startswith("Built ")
    assert loaded(modules, HEAVY) == list(HEAVY)


def test_build_with_nothing_changed_imports_nothing_heavy(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    cli_invoke(["build", "--repo", str(committed_repo)])
    printed, modules = run_fresh("build", "--repo", str(committed_repo))
    assert printed.startswith("Up to date: ")
    assert loaded(modules, HEAVY) == []


def test_the_probe_sees_what_a_real_check_imports(committed_repo: Path) -> None:
    printed, modules = run_fresh("check", "--repo", str(committed_repo))
    assert "EXIT 0" in printed
    assert loaded(modules, CHECK_HEAVY) == list(CHECK_HEAVY)


def test_check_with_nothing_changed_imports_nothing_heavy(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    first = cli_invoke(["check", "--repo", str(committed_repo)])
    printed, modules = run_fresh("check", "--repo", str(committed_repo))
    assert printed == f"{first.stdout}EXIT 0\n"
    assert loaded(modules, CHECK_HEAVY) == []


def test_a_library_installed_upgraded_or_removed_makes_build_and_check_run_again(
    cli_invoke: CliInvoke, committed_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    libraries = tmp_path / "site-packages"
    (libraries / "somelib-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(libraries))
    args = ["build", "--repo", str(committed_repo)]
    assert cli_invoke(args).stdout.startswith("Built ")
    assert cli_invoke(args).stdout.startswith("Up to date: ")
    checked = lastcheck.stamp(committed_repo, None)
    (libraries / "somelib-1.0.dist-info").rename(libraries / "somelib-1.1.dist-info")
    assert lastcheck.stamp(committed_repo, None) != checked
    assert cli_invoke(args).stdout.startswith("Built ")
    assert cli_invoke(args).stdout.startswith("Up to date: ")
