"""A project loaded with its messages kept is the project loaded by parsing every file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignsync.cli import cli
from campaignsync.load import content, parsed
from campaignsync.load.project import load_project
from campaignsync.model import Project
from campaignsync.pack import sealed


def counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the path of every message file parsed from now on."""
    seen: list[str] = []
    real = content.parse_message

    def parse(rel: str, *args: object) -> content.Parsed:
        seen.append(rel)
        return real(rel, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "parse_message", parse)
    return seen


def cold(repo: Path, tmp_path: Path) -> object:
    """Return the project and findings of a copy of ``repo`` loaded with nothing kept."""
    copy = tmp_path / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns("dist"))
    project, found = load_project(copy)
    assert project is not None
    assert not (copy / "dist").exists()  # a load makes no output folder
    return project.messages, found


def test_a_warm_load_is_a_cold_load(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (small_repo / "dist").mkdir()
    first = load_project(small_repo)
    assert (small_repo / "dist" / parsed.FOLDER / parsed.NAME).is_file()
    seen = counting_parses(monkeypatch)
    warm = load_project(small_repo)
    assert seen == []
    assert warm == first
    assert repr(warm) == repr(first)  # the same values, down to the time zones
    assert warm[0] is not None
    assert (warm[0].messages, warm[1]) == cold(small_repo, tmp_path)


@pytest.mark.parametrize(
    ("before", "after", "parsed_again"),
    [
        ("blackout: []", "blackout: [2026-10-14]", False),
        ("freeze: 2026-09-15", "freeze: 2026-09-30", False),
        ("{id: mfa, name:", "{id: second-factor, name:", True),  # (a message names it: CS019)
    ],
    ids=["blackout", "freeze", "theme-id"],
)
def test_a_calendar_edit_parses_the_messages_again_only_when_the_parse_reads_it(
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
    parsed_again: bool,
) -> None:
    """A message is looked up in the calendar by its campaign and theme ids alone."""
    (small_repo / "dist").mkdir()
    load_project(small_repo)
    calendar = small_repo / "content" / "calendar.yaml"
    text = calendar.read_text(encoding="utf-8")
    assert before in text
    calendar.write_text(text.replace(before, after, 1), encoding="utf-8")
    seen = counting_parses(monkeypatch)
    warm = load_project(small_repo)
    assert bool(seen) is parsed_again
    assert warm[0] is not None
    assert (warm[0].messages, warm[1]) == cold(small_repo, tmp_path)


def test_only_an_edited_message_is_parsed_again(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (small_repo / "dist").mkdir()
    load_project(small_repo)
    project = edited_kickoff_alone_parsed(small_repo, tmp_path, monkeypatch)
    assert any(m.title.startswith("New, ") for m in project.messages)


def edited_kickoff_alone_parsed(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Project:
    """Edit kickoff's title; assert the next load parses it alone, and as a cold load does."""
    kickoff = repo / "content/messages/2026/kickoff.md"
    kickoff.write_text(kickoff.read_text().replace("title: ", "title: New, ", 1))
    seen = counting_parses(monkeypatch)
    project, found = load_project(repo)
    assert seen == ["content/messages/2026/kickoff.md"]
    assert project is not None and (project.messages, found) == cold(repo, tmp_path)
    return project


@pytest.mark.parametrize("command", ["build", "check"])
def test_the_command_that_makes_the_output_folder_keeps_what_its_load_parsed(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # A first build (or check) finds no dist/ when it loads; the first edit after it must
    # not parse every message again.
    load_project(small_repo)
    assert not (small_repo / "dist").exists()  # a load alone still makes no output folder
    now = ["--now", "2026-09-01"] if command == "check" else []
    result = CliRunner().invoke(cli, [command, "--repo", str(small_repo), *now])
    assert result.exit_code in (0, 1), result.output  # check: the sample has warnings only
    assert (small_repo / "dist" / parsed.FOLDER / parsed.NAME).is_file()
    edited_kickoff_alone_parsed(small_repo, tmp_path, monkeypatch)


def test_a_load_with_no_output_folder_makes_nothing_to_keep(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Most loads without dist/ (locale update, new, a build into another folder) keep
    # nothing: they do not make the messages plain for a file never written.
    made = []
    real = parsed.plain
    monkeypatch.setattr(parsed, "plain", lambda m: made.append(m.id) or real(m))
    project, _ = load_project(small_repo)
    assert project is not None and project.keep_parsed is not None and made == []
    other = small_repo.parent / "elsewhere"
    result = CliRunner().invoke(cli, ["build", "--repo", str(small_repo), "--out", str(other)])
    assert result.exit_code == 0, result.output
    assert made == [] and not (small_repo / "dist").exists()
    (small_repo / "dist").mkdir()
    project, _ = load_project(small_repo)  # the folder there: kept at once
    assert sorted(made) == sorted(m.id for m in project.messages)
    assert (small_repo / "dist" / parsed.FOLDER / parsed.NAME).is_file()


def test_a_failed_first_build_leaves_no_output_folder(small_repo: Path) -> None:
    kickoff = small_repo / "content/messages/2026/kickoff.md"
    kickoff.write_text(
        kickoff.read_text().replace("partners: [eu, us]", "partners: [eu, nobody]", 1)
    )
    result = CliRunner().invoke(cli, ["build", "--repo", str(small_repo)])
    assert result.exit_code == 1, result.output
    assert not (small_repo / "dist").exists()


def test_a_kept_message_whose_image_is_gone_is_reported(small_repo: Path) -> None:
    (small_repo / "dist").mkdir()
    load_project(small_repo)
    (small_repo / "content/assets/kickoff.png").unlink()
    project, found = load_project(small_repo)
    assert project is not None and "kickoff" not in {m.id for m in project.messages}
    assert [(d.code, d.file) for d in found if d.is_error] == [
        ("CS023", "content/messages/2026/kickoff.md")
    ]


def test_a_new_calendar_or_config_is_parsed_again(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (small_repo / "dist").mkdir()
    load_project(small_repo)
    seen = counting_parses(monkeypatch)
    calendar = small_repo / "content/calendar.yaml"
    calendar.write_text(calendar.read_text() + "\n")  # the same calendar: nothing parsed
    load_project(small_repo)
    assert seen == []
    config = small_repo / "campaignsync.toml"
    config.write_text(config.read_text().replace("campaign.example.org", "other.example.org", 1))
    load_project(small_repo)
    assert len(seen) == len(list((small_repo / "content/messages").rglob("*.md")))


@pytest.mark.parametrize("damage", ["truncated", "copied", "foreign", "misshapen"])
def test_a_damaged_copied_or_foreign_memo_is_a_miss(
    sample_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    (sample_repo / "dist").mkdir()
    project, _ = load_project(sample_repo)
    assert project is not None
    kept = sample_repo / "dist" / parsed.FOLDER / parsed.NAME
    repo = sample_repo
    if damage == "truncated":
        kept.write_bytes(kept.read_bytes()[:-20])
    elif damage == "copied":  # another folder: its device and inode differ
        repo = tmp_path / "elsewhere"
        shutil.copytree(sample_repo, repo)
    else:  # sealed under another key, or under this one with entries of the wrong shape
        memo = parsed.open_memo(sample_repo, project.config, project.calendar)
        assert memo is not None and memo.kept
        key = "another key" if damage == "foreign" else memo.key
        wrong = {rel: (e[0], e[1][:-1], e[2], e[3]) for rel, e in memo.kept.items()}
        sealed.write_sealed(kept, key, wrong)
    seen = counting_parses(monkeypatch)
    project, found = load_project(repo)
    assert len(seen) == 16
    assert project is not None and (project.messages, found) == cold(sample_repo, tmp_path)


def test_a_kept_message_comes_with_the_digest_of_the_message_parsed(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.model import Message
    from campaignsync.pack import cache, keys

    (small_repo / "dist").mkdir()
    load_project(small_repo)
    digested: list[object] = []
    real = keys.digest

    def digest(value: object) -> str:
        if isinstance(value, Message):
            digested.append(value)
        return real(value)

    monkeypatch.setattr(keys, "digest", digest)
    warm, _ = load_project(small_repo)
    assert warm is not None
    known = cache.message_digests(warm)
    assert digested == []  # taken with the messages, not digested again
    messages, _ = cold(small_repo, tmp_path)  # type: ignore[misc]
    assert known == {m.id: real(m) for m in messages}


def test_times_are_kept_only_when_they_read_back_the_same() -> None:
    from datetime import UTC, datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from campaignsync.model import Message

    def message(when: datetime) -> Message:
        return Message("m", "p.md", "2026", ("eu",), ("x",), (("eu", when),), "T", "S")

    for zone in (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-4, minutes=-30))):
        kept = message(datetime(2026, 10, 5, 9, 30, 15, 7, tzinfo=zone))
        back = parsed.message_of(parsed.plain(kept))
        assert back == kept and repr(back) == repr(kept)
    for zone in (ZoneInfo("Europe/Brussels"), timezone(timedelta(hours=2), "CEST")):
        with pytest.raises(ValueError, match="not kept"):
            parsed.plain(message(datetime(2026, 10, 5, 9, tzinfo=zone)))
