"""The documentation keeps up with the code: every check code and command is documented."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from conftest import CliInvoke

from campaignsync.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "campaignsync"
CODE = re.compile(r"\bCS[0-9]{3}\b")


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        found.update(c for c in CODE.findall(path.read_text(encoding="utf-8")) if c != "CS000")
    return found


def codes_in_docs() -> set[str]:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### (CS[0-9]{3}) — ", text, flags=re.MULTILINE))


def test_every_code_the_program_reports_is_documented() -> None:
    missing = codes_in_source() - codes_in_docs()
    assert not missing, f"document these codes in docs/checks.md: {sorted(missing)}"


def test_every_documented_code_exists() -> None:
    stale = codes_in_docs() - codes_in_source()
    assert not stale, f"docs/checks.md lists codes the program never reports: {sorted(stale)}"


def test_codes_are_documented_in_order() -> None:
    text = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    listed = re.findall(r"^### (CS[0-9]{3}) — ", text, flags=re.MULTILINE)
    assert listed == sorted(listed)
    assert len(listed) == len(set(listed))


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize(
    ("name", "command"), all_commands(cli), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_command_has_help_and_is_in_the_reference(name: str, command: click.Command) -> None:
    assert command.help, f"campaignsync {name} has no help text"
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"campaignsync {name} --help" in reference, (
        f"docs/cli.md does not show campaignsync {name}"
    )


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    assert "campaignsync build" in commands[0], "the README's first command builds the sample"
    assert "pytest" in commands[1], "the README's second command runs the tests"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci


def test_the_readme_calendar_tour_works_as_written(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    """Each command of the README's calendar block succeeds on the sample, whatever today is."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("### The joint calendar", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line, comments=True) for line in block.splitlines()]
    assert len(commands) == 5 and all(c[0] == "campaignsync" for c in commands)
    for command in commands:
        cli_invoke(command[1:], cwd=sample_repo)
    assert (sample_repo / "exports" / "schedule-us.csv").is_file()
    assert any((sample_repo / "buffer").iterdir())
    assert sorted(p.name for p in (sample_repo / "sprout").iterdir())[0] == (
        "sprout-us-en-US-bluesky.csv"
    )
