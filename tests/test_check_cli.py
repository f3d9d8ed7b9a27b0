"""`campaignsync check`: exit codes, output formats, --strict, silenced codes, exact messages."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import click
import pytest
from conftest import CliInvoke

from campaignsync.cli._common import NOW_FORMATS, now_or

MESSAGE = "content/messages/2026/passphrase-tip.md"


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(cli_invoke: CliInvoke, repo: Path, *args: str, expect: int = 0):
    return cli_invoke(["check", "--repo", str(repo), "--now", "2026-09-01", *args], expect=expect)


def test_the_shipped_sample_passes_strict_checks(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    result = check(cli_invoke, sample_repo, "--strict")
    assert result.stdout == ""
    assert result.stderr == "No problems found.\n"


@pytest.mark.parametrize(
    ("rel", "old", "new", "expected"),
    [
        pytest.param(
            MESSAGE,
            "title:",
            "titel:",
            f"{MESSAGE}:8: error CS011: unknown key 'titel' (did you mean 'title'?)",
            id="unknown-key",
        ),
        pytest.param(
            MESSAGE,
            "partners: [eu]",
            "partners: [eu, uk]",
            f"{MESSAGE}:5: error CS017: unknown partner 'uk'",
            id="unknown-partner",
        ),
        pytest.param(
            MESSAGE,
            "2026-10-06T12:00:00+02:00",
            "2026-10-06T12:00:00",
            f"{MESSAGE}:7: error CS014: 'publish' has no time zone: write an offset, e.g. 2026-10-06T12:00:00+02:00",
            id="naive-time",
        ),
        pytest.param(
            MESSAGE,
            "id: passphrase-tip",
            "id: passphrase",
            f"{MESSAGE}:2: error CS015: id 'passphrase' does not match the file name passphrase-tip.md",
            id="id-mismatch",
        ),
        pytest.param(
            MESSAGE,
            "theme: passwords",
            "theme: pasword",
            f"{MESSAGE}:4: error CS019: campaign '2026' has no theme 'pasword' (did you mean 'passwords'?)",
            id="unknown-theme",
        ),
        pytest.param(
            MESSAGE,
            "channels: [x,",
            "channels: [twitter,",
            f"{MESSAGE}:6: error CS018: unknown channel 'twitter'",
            id="unknown-channel",
        ),
        pytest.param(
            "campaignsync.toml",
            'timezone = "Europe/Brussels"',
            'timezone = "Europe/Brusels"',
            "campaignsync.toml:18: error CS005: partners.eu.timezone: unknown time zone 'Europe/Brusels'",
            id="config-zone",
        ),
        pytest.param(
            "content/calendar.yaml",
            "start: 2026-10-12, end: 2026-10-18",
            "start: 2026-10-12, end: 2026-10-10",
            "content/calendar.yaml:41: error CS043: theme 'mfa' ends (2026-10-10) before it starts (2026-10-12)",
            id="calendar-dates",
        ),
        pytest.param(
            "templates/x.txt.j2",
            "{{ message.post }}",
            "{{ message.pots }}",
            "templates/x.txt.j2:1: error CS031: 'message' has no attribute 'pots'",
            id="template-undefined",
        ),
        pytest.param(
            "templates/x.txt.j2",
            "{{ message.post }}",
            "{{ message.post }",
            "templates/x.txt.j2:1: error CS030: unexpected '}'",
            id="template-syntax",
        ),
    ],
)
def test_bad_input_is_reported_at_its_file_and_line(
    cli_invoke: CliInvoke, small_repo: Path, rel: str, old: str, new: str, expected: str
) -> None:
    edit(small_repo, rel, old, new)
    result = check(cli_invoke, small_repo, expect=1)
    assert any(line.startswith(expected) for line in result.stdout.splitlines()), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (small_repo / "dist" / "2026").exists()  # no pack; check keeps only its cache


def test_markdown_that_cannot_render_safely_is_an_error(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    path = small_repo / MESSAGE
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, "", "<![CDATA[x]]>", ""]))
    result = check(cli_invoke, small_repo, expect=1)
    assert (
        f"{MESSAGE}:{len(lines) + 2}: error CS021: '<![' (CDATA) cannot be rendered safely; remove it"
        in result.stdout
    )


def test_template_errors_name_locale_and_channel(cli_invoke: CliInvoke, small_repo: Path) -> None:
    path = small_repo / "templates" / "sms.txt.j2"
    path.write_text("{{ nope }}\n" + path.read_text())
    result = check(cli_invoke, small_repo, "--format", "json", expect=1)
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "CS031"]
    assert found and all(d["file"] == "templates/sms.txt.j2" and d["line"] == 1 for d in found)
    assert found[0]["channel"] == "sms" and found[0]["locale"] in {"en", "en-US", "de", "fr"}
    assert found[0]["message"] == "'nope' is undefined"


def test_json_format_lists_every_field(cli_invoke: CliInvoke, small_repo: Path) -> None:
    edit(small_repo, MESSAGE, "title:", "titel:")
    document = json.loads(check(cli_invoke, small_repo, "--format", "json", expect=1).stdout)
    assert document["errors"] >= 1
    first = next(d for d in document["diagnostics"] if d["code"] == "CS011")
    assert set(first) == {"code", "severity", "message", "file", "line", "locale", "channel"}
    assert (first["severity"], first["file"], first["line"]) == ("error", MESSAGE, 8)
    assert (first["locale"], first["channel"]) == (None, None)


def test_github_format_annotates_the_line(cli_invoke: CliInvoke, small_repo: Path) -> None:
    edit(small_repo, MESSAGE, "title:", "titel:")
    result = check(cli_invoke, small_repo, "--format", "github", expect=1)
    assert (
        f"::error file={MESSAGE},line=8,title=CS011::unknown key 'titel' (did you mean 'title'?)"
        in result.stdout.splitlines()
    )


def test_warnings_pass_unless_strict_and_codes_can_be_silenced(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    # Publish a passwords-week message in the MFA week: a CS102 warning.
    edit(sample_repo, MESSAGE, "2026-10-06T12:00:00+02:00", "2026-10-13T12:00:00+02:00")
    result = check(cli_invoke, sample_repo)
    assert f"{MESSAGE}:7: warning CS102: " in result.stdout
    assert result.stderr.startswith("0 errors, ")
    strict = check(cli_invoke, sample_repo, "--strict", expect=1)
    assert f"{MESSAGE}:7: error CS102: " in strict.stdout
    config = sample_repo / "campaignsync.toml"
    config.write_text(config.read_text() + '\n[checks]\nignore = ["CS102"]\n')
    assert "CS102" not in check(cli_invoke, sample_repo, "--strict").stdout


def test_a_bad_ignore_entry_is_a_config_error(cli_invoke: CliInvoke, small_repo: Path) -> None:
    config = small_repo / "campaignsync.toml"
    config.write_text(config.read_text() + '\n[checks]\nignore = ["W0612"]\n')
    result = check(cli_invoke, small_repo, expect=1)
    assert (
        "campaignsync.toml:" in result.stdout
        and "'W0612' is not a check code like 'CS012'" in result.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--format", "xml"], "Invalid value for '--format'", id="format"),
        pytest.param(["--now", "tomorrow"], "Invalid value for '--now'", id="now"),
        pytest.param(["--jobs", "-1"], "Invalid value for '--jobs'", id="jobs"),
    ],
)
def test_usage_errors_exit_2(
    cli_invoke: CliInvoke, small_repo: Path, args: list[str], message: str
) -> None:
    result = cli_invoke(["check", "--repo", str(small_repo), *args], expect=2)
    assert message in result.stderr


def test_a_default_campaign_missing_from_the_calendar_is_reported_at_its_line(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    edit(small_repo, "campaignsync.toml", 'default_campaign = "2026"', 'default_campaign = "2025"')
    result = check(cli_invoke, small_repo, expect=1)
    assert (
        "campaignsync.toml:6: error CS020: default_campaign '2025' is not a campaign in content/calendar.yaml"
        in result.stdout
    )


def test_an_empty_calendar_still_reports_every_message(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    (sample_repo / "content" / "calendar.yaml").write_text("")
    result = check(cli_invoke, sample_repo, expect=1)
    assert result.stdout.count("error CS020: unknown campaign '2026'") == 16


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ("2026-09-01", "2026-09-01T00:00:00+00:00"),
        ("2026-09-01T10:00", "2026-09-01T10:00:00+00:00"),
        ("2026-09-01T10:00:00", "2026-09-01T10:00:00+00:00"),
        ("2026-09-01T10:00:00Z", "2026-09-01T10:00:00+00:00"),
        ("2026-09-01T12:00+02:00", "2026-09-01T10:00:00+00:00"),
    ],
)
def test_now_takes_a_date_or_a_time_with_or_without_offset(value: str, instant: str) -> None:
    parsed = now_or(click.DateTime(NOW_FORMATS).convert(value, None, None))
    assert parsed.astimezone(UTC).isoformat() == instant


def test_now_with_an_offset_on_the_command_line(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    args = ["check", "--repo", str(sample_repo), "--now", "2026-09-01T12:00+02:00"]
    assert cli_invoke(args).stderr == "No problems found.\n"


@pytest.mark.parametrize("name", ["notes.markdown", "kickoff-copy.MD", "tips.mkd"])
def test_a_markdown_file_not_named_md_is_told_not_left_unread(
    cli_invoke: CliInvoke, small_repo: Path, name: str
) -> None:
    folder = small_repo / "content" / "messages" / "2026"
    (folder / name).write_text((folder / "kickoff.md").read_text(encoding="utf-8"))
    (folder / ".hidden.markdown").write_text("not a message")
    result = check(cli_invoke, small_repo, expect=1)
    stem = name.rsplit(".", 1)[0]
    assert (
        f"content/messages/2026/{name}:1: error CS020: not read: a message is a .md file; "
        f"rename it {stem}.md"
    ) in result.stdout
    assert ".hidden" not in result.stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("campaigns:\n", "campaigns:\n  nested:\n", id="campaigns-not-a-list"),
        pytest.param("    end: 2026-10-31\n", "    end: 2026-09-30\n", id="default-campaign-lost"),
        pytest.param(
            "start: 2026-10-12, end: 2026-10-18",
            "start: 2026-10-12, end: 2026-10-01",
            id="a-theme-week-lost",
        ),
        pytest.param("    themes:\n", "    themes:\n      x:\n", id="themes-not-a-list"),
    ],
)
def test_a_calendar_that_loses_the_campaigns_is_its_error_alone(
    cli_invoke: CliInvoke, sample_repo: Path, old: str, new: str
) -> None:
    path = sample_repo / "content" / "calendar.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = check(cli_invoke, sample_repo, expect=1)
    errors = [line for line in result.stdout.splitlines() if ": error " in line]
    assert errors and all(line.startswith("content/calendar.yaml:") for line in errors), errors
    assert "CS020" not in result.stdout and "CS019" not in result.stdout


def test_a_catalog_saved_as_utf_8_under_another_charset_is_its_one_error(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    # An editor saved the catalog as UTF-8 and its header still names ISO-8859-1: read as
    # the header says, every accented letter would be garbled in the pack ("Ã§" for "ç").
    rel = "locales/pt_PT/LC_MESSAGES/messages.po"
    text = (sample_repo / rel).read_text(encoding="utf-8")
    line = text[: text.index("charset=utf-8")].count("\n") + 1
    edit(sample_repo, rel, "charset=utf-8", "charset=ISO-8859-1")
    # After the freeze, pt-PT (required by eu) would also be CS320 with every entry missing.
    result = check(cli_invoke, sample_repo, "--now", "2026-10-05", expect=1)
    assert result.stdout == (
        f"{rel}:{line}: error CS300: cannot read the catalog: the header says "
        "charset=ISO-8859-1, but the file is saved as UTF-8 ('ç' would read as 'Ã§'): "
        "change the header to charset=UTF-8 [pt-PT]\n"
    )
    result = cli_invoke(["build", "--repo", str(sample_repo), "--jobs", "1"], expect=1)
    assert f"{rel}:{line}: error CS300" in result.stderr
    assert result.stderr.endswith("error: stopped: 1 error, 0 warnings; nothing was written\n")
    assert not list((sample_repo / "dist").glob("2026*"))  # (check keeps its cache there)
