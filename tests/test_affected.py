"""`changes` names the old and new text of each changed segment and the outputs it changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CliInvoke, git

KICKOFF = "content/messages/2026/kickoff.md"


@pytest.fixture
def edited_sample(sample_repo: Path) -> Path:
    """The sample committed, then the kickoff title edited in the work tree."""
    git(sample_repo, "init", "-q")
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "Sample")
    message = sample_repo / KICKOFF
    message.write_text(
        message.read_text().replace(
            "title: Joint Cyber Awareness Month starts today",
            "title: Joint Cyber Month starts now",
        )
    )
    return sample_repo


def test_changes_shows_old_and_new_text_word_by_word(
    cli_invoke: CliInvoke, edited_sample: Path
) -> None:
    text = cli_invoke(["changes", "HEAD", "--repo", str(edited_sample)]).stdout
    assert (
        "  changed kickoff:title\n      Joint Cyber[- Awareness-] Month starts [-today-]{+now+}\n"
    ) in text
    markdown = cli_invoke(
        ["changes", "HEAD", "--repo", str(edited_sample), "--format", "markdown"]
    ).stdout
    assert (
        "- changed `kickoff:title`: Joint Cyber ~~Awareness~~ Month starts ~~today~~**now**\n"
        in markdown
    )
    document = json.loads(
        cli_invoke(["changes", "HEAD", "--repo", str(edited_sample), "--format", "json"]).stdout
    )
    assert {
        "context": "kickoff:title",
        "change": "changed",
        "old": "Joint Cyber Awareness Month starts today",
        "new": "Joint Cyber Month starts now",
    } in document["sources"]
    assert "outputs" not in document


def test_changes_outputs_lists_what_the_edit_changes_in_the_pack(
    cli_invoke: CliInvoke, edited_sample: Path
) -> None:
    result = cli_invoke(
        ["changes", "HEAD", "--repo", str(edited_sample), "--outputs", "--format", "json"]
    )
    outputs = json.loads(result.stdout)["outputs"]
    paths = {o["path"] for o in outputs}
    # The title is the web page's, the email's, LinkedIn's and the press release's headline...
    assert {"en/web/kickoff.html", "en/email/kickoff.eml", "de/linkedin/kickoff.txt"} <= paths
    # ...but not part of the X post or the SMS, and other messages are untouched.
    assert not any(p.endswith(("x/kickoff.txt", "sms/kickoff.txt")) for p in paths)
    assert {o["message"] for o in outputs} == {"kickoff"}
    assert {o["change"] for o in outputs} == {"changed"}
    text = cli_invoke(["changes", "HEAD", "--repo", str(edited_sample), "--outputs"]).stdout
    assert (
        f"\nOutputs ({len(outputs)} files)\n  kickoff: {len(outputs)} changed in 10 locales" in text
    )


def test_changes_outputs_refuses_a_work_tree_that_cannot_be_rendered(
    cli_invoke: CliInvoke, edited_sample: Path
) -> None:
    message = edited_sample / KICKOFF
    message.write_text(
        message.read_text().replace("theme: passwords", "theme: passwords\nbogus: 1")
    )
    result = cli_invoke(["changes", "HEAD", "--repo", str(edited_sample), "--outputs"], expect=1)
    assert result.stderr == (
        "error: cannot render the work tree to compare its outputs: 1 error; "
        "'campaignsync check' lists them\n"
    )


def test_build_verbose_names_what_it_wrote(cli_invoke: CliInvoke, small_repo: Path) -> None:
    first = cli_invoke(["build", "--repo", str(small_repo), "--verbose"]).stdout
    assert "\n  added en/x/kickoff.txt\n" in first and "\n  added index.html\n" in first
    message = small_repo / KICKOFF
    message.write_text(message.read_text().replace("theme: passwords", "theme: passwords\n"))
    message.write_text(
        message.read_text().replace("summary: All October", "summary: For all of October")
    )
    second = cli_invoke(["build", "--repo", str(small_repo), "-v"]).stdout
    lines = [line.strip() for line in second.splitlines() if line.startswith("  ")]
    assert "changed en/x/kickoff.txt" in lines and "changed manifest.json" in lines
    assert not any("passphrase-tip" in line for line in lines)
    assert all(line.split()[0] in ("added", "changed", "removed") for line in lines)


def test_build_verbose_after_the_pack_was_deleted_or_touched_by_hand_names_what_it_wrote(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    import shutil

    from campaignsync.pack import manifest

    build = ["build", "--repo", str(small_repo), "-v"]
    cli_invoke(build)
    pack = small_repo / "dist" / "2026"
    every = manifest.hashes(pack)
    shutil.rmtree(pack)
    again = cli_invoke(build).stdout
    lines = [line.strip() for line in again.splitlines() if line.startswith("  ")]
    assert sorted(lines) == sorted(f"added {rel}" for rel in every)
    # The manifest edited by hand: the last build's record no longer holds; it is read.
    listed = pack / "manifest.json"
    other = "en/x/passphrase-tip.txt"  # a file the edit below leaves as it is
    assert listed.read_text().count(every[other]) == 1
    listed.write_text(listed.read_text().replace(every[other], "0" * 64))
    message = small_repo / KICKOFF
    message.write_text(message.read_text().replace("summary: All October", "summary: October"))
    third = cli_invoke(build).stdout
    lines = [line.strip() for line in third.splitlines() if line.startswith("  ")]
    assert f"changed {other}" in lines and "changed en/x/kickoff.txt" in lines
