"""The guards docs/security.md promises: each bad input is refused with its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliInvoke

KICKOFF = "content/messages/2026/kickoff.md"


def check(cli_invoke: CliInvoke, repo: Path) -> str:
    result = cli_invoke(["check", "--repo", str(repo)], expect=1)
    assert "Traceback" not in result.stderr + result.stdout
    return result.stdout + result.stderr


def test_a_message_that_is_a_symbolic_link_is_refused(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes((small_repo / KICKOFF).read_bytes())
    (small_repo / KICKOFF).unlink()
    (small_repo / KICKOFF).symlink_to(outside)
    assert (
        f"{KICKOFF}:1: error CS023: {KICKOFF} is a symbolic link; campaign files must be "
        "plain files"
    ) in check(cli_invoke, small_repo)


def test_a_message_over_512_kib_is_refused(cli_invoke: CliInvoke, small_repo: Path) -> None:
    with (small_repo / KICKOFF).open("a") as handle:
        handle.write("x" * 600 * 1024)
    assert f"{KICKOFF}:1: error CS023: {KICKOFF} is 601 KiB; the limit is 512 KiB" in check(
        cli_invoke, small_repo
    )


def test_a_template_that_is_a_symbolic_link_is_refused(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    template = small_repo / "templates" / "x.txt.j2"
    outside = tmp_path / "x.txt.j2"
    outside.write_bytes(template.read_bytes())
    template.unlink()
    template.symlink_to(outside)
    assert "templates/x.txt.j2: error CS030: x.txt.j2 (a symbolic link, refused)" in check(
        cli_invoke, small_repo
    )


def test_odd_files_in_the_templates_folder_are_digested_and_an_undecodable_name_refused(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    # A pipe is never read (it would wait for ever), a name with bytes that are not UTF-8
    # is digested as it is; a template named so could be named by no template: refused.
    import os

    folder = os.fsencode(small_repo / "templates")
    os.mkfifo(folder + b"/pipe")
    (small_repo / "templates" / os.fsdecode(b"notes\xff.txt")).write_text("a note")
    build = ["build", "--repo", str(small_repo)]
    assert cli_invoke(build).stdout.startswith("Built ")
    (small_repo / "templates" / os.fsdecode(b"x\xff.txt.j2")).write_text("{{ 1 }}")
    said = cli_invoke(build, expect=1)
    assert said.stderr == (
        "error: templates/x\ufffd.txt.j2: a template's file name must be UTF-8; rename the file\n"
    )


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        pytest.param("{{ 'x' * 200000 }}", "repetition too large", id="repeat-text"),
        pytest.param("{{ [1] * 200000 }}", "repetition too large", id="repeat-list"),
        pytest.param("{{ 2 ** 5000 }}", "exponent too large", id="power"),
    ],
)
def test_templates_cannot_make_huge_values(
    cli_invoke: CliInvoke, small_repo: Path, expression: str, reason: str
) -> None:
    template = small_repo / "templates" / "x.txt.j2"
    lines = template.read_text().count("\n")
    with template.open("a") as handle:
        handle.write(expression + "\n")
    assert f"templates/x.txt.j2:{lines + 1}: error CS031: {reason} [" in check(
        cli_invoke, small_repo
    )


def test_an_output_over_1_mib_is_refused(cli_invoke: CliInvoke, small_repo: Path) -> None:
    with (small_repo / "templates" / "x.txt.j2").open("a") as handle:
        handle.write("{{ 'x' * 99999 }}" * 11)
    assert "templates/x.txt.j2: error CS031: output larger than 1 MiB (" in check(
        cli_invoke, small_repo
    )


def test_a_message_id_used_in_two_campaigns_is_refused(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    calendar = small_repo / "content" / "calendar.yaml"
    calendar.write_text(
        calendar.read_text().replace(
            "    freeze: 2027-09-15\n    themes: []",
            "    freeze: 2027-09-15\n    themes:\n"
            "      - {id: passwords, name: Passwords, start: 2027-10-01, end: 2027-10-31}",
        )
    )
    copy = small_repo / "content" / "messages" / "2027" / "kickoff.md"
    copy.parent.mkdir()
    text = (small_repo / KICKOFF).read_text()
    copy.write_text(
        text.replace('campaign: "2026"', 'campaign: "2027"').replace("2026-10-", "2027-10-")
    )
    assert (
        f"content/messages/2027/kickoff.md:2: error CS016: id 'kickoff' is already used by "
        f"{KICKOFF}"
    ) in check(cli_invoke, small_repo)


def test_a_missing_template_names_the_message_that_needs_it(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    (sample_repo / "templates" / "sms.txt.j2").unlink()
    assert (
        "templates/sms.txt.j2: error CS032: missing template templates/sms.txt.j2 (needed by "
        "content/messages/2026/automatic-updates.md)"
    ) in check(cli_invoke, sample_repo)
