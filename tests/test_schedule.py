"""Schedule checks (CS1xx): every check failing and passing, DST changes, the freeze in git."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import CliInvoke, commit, git

from campaignsync.checks import CheckInput, freeze, schedule
from campaignsync.checks.report import text_line
from campaignsync.load.project import load_project

CHECKS = (
    schedule.inside_campaign,
    schedule.business_hours,
    schedule.local_times,
    schedule.joint_times,
    schedule.spacing,
    schedule.theme_coverage,
    freeze.changed_after_freeze,
)
BEFORE_FREEZE = datetime(2026, 9, 1, tzinfo=UTC)
M = "content/messages/2026/m.md"


def write_message(
    repo: Path,
    publish: str,
    partners: str = "[eu]",
    channels: str = "[x]",
    theme: str = "early",
    mid: str = "m",
) -> None:
    """Write a message whose `publish` is on line 7 (or its first partner's time on line 8)."""
    (repo / f"content/messages/2026/{mid}.md").write_text(
        f'---\nid: {mid}\ncampaign: "2026"\ntheme: {theme}\npartners: {partners}\n'
        f"channels: {channels}\npublish: {publish}\ntitle: A tip\nsummary: A short tip.\n"
        "---\nBody.\n",
        encoding="utf-8",
    )


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def widen(repo: Path) -> None:
    """Let the campaign run from 2026 to 2027, so spring clock changes can be scheduled."""
    edit(
        repo,
        "content/calendar.yaml",
        "start: 2026-10-01\n    end: 2026-10-31",
        "start: 2026-01-01\n    end: 2027-12-31",
    )


def found(repo: Path, now: datetime = BEFORE_FREEZE, codes: tuple[str, ...] = ()) -> list[str]:
    """Return the schedule diagnostics of the repo's campaign as text lines."""
    project, problems = load_project(repo)
    assert project is not None and not [d for d in problems if d.is_error], problems
    data = CheckInput(project, "2026", (), {}, now)
    lines = [text_line(d) for check in CHECKS for d in check(data)]
    return sorted(line for line in lines if not codes or any(f" {c}: " in line for c in codes))


def test_the_calendar_test_campaign_is_clean(calendar_repo: Path) -> None:
    assert found(calendar_repo) == []


@pytest.mark.parametrize(
    ("publish", "partners", "theme", "expected"),
    [
        pytest.param(
            "2026-11-02T10:00:00+01:00",
            "[eu]",
            "late",
            [
                f"{M}:7: error CS101: published Mon 2 Nov 2026 in Brussels, outside campaign '2026' (2026-10-01 to 2026-10-31)"
            ],
            id="CS101-after-the-campaign",
        ),
        pytest.param(
            "2026-10-31T23:30:00-04:00",
            "[us]",
            "late",
            [],
            id="CS101-passes-on-the-partners-own-day",
        ),
        pytest.param(
            "2026-10-20T10:00:00+02:00",
            "[eu]",
            "early",
            [
                f"{M}:7: warning CS102: published Tue 20 Oct 2026 in Brussels, outside its theme week 'early' (2026-10-01 to 2026-10-18)"
            ],
            id="CS102-outside-the-theme-week",
        ),
        pytest.param(
            "2026-10-19T10:00:00+02:00", "[eu]", "late", [], id="CS102-passes-inside-the-theme-week"
        ),
        pytest.param(
            "2026-10-02T10:00:00+02:00",
            "[eu]",
            "early",
            [
                f"{M}:7: error CS103: published Fri 2 Oct 2026 in Brussels, a blackout day (content/calendar.yaml:30); choose another day"
            ],
            id="CS103-blackout-for-everyone",
        ),
        pytest.param(
            "2026-10-12T10:00:00-04:00",
            "[us]",
            "early",
            [
                f"{M}:7: error CS103: published Mon 12 Oct 2026 in New York, a blackout day for us: Columbus Day (content/calendar.yaml:31); choose another day"
            ],
            id="CS103-blackout-for-one-partner",
        ),
        pytest.param(
            "2026-10-12T10:00:00+02:00",
            "[eu]",
            "early",
            [],
            id="CS103-passes-for-the-other-partner",
        ),
    ],
)
def test_campaign_theme_and_blackout_days(
    calendar_repo: Path, publish: str, partners: str, theme: str, expected: list[str]
) -> None:
    write_message(calendar_repo, publish, partners, theme=theme)
    assert found(calendar_repo, codes=("CS101", "CS102", "CS103")) == expected


def test_one_instant_is_a_different_day_for_each_partner(calendar_repo: Path) -> None:
    # 23:30 on Saturday 31 October in New York is Sunday 1 November in Brussels.
    write_message(calendar_repo, "2026-10-31T23:30:00-04:00", "[eu, us]", theme="late")
    assert found(calendar_repo, codes=("CS101",)) == [
        f"{M}:7: error CS101: eu: published Sun 1 Nov 2026 in Brussels, outside campaign '2026' (2026-10-01 to 2026-10-31)"
    ]


@pytest.mark.parametrize(
    ("publish", "partners", "expected"),
    [
        pytest.param(
            "2026-10-08T08:00:00-04:00",
            "[us]",
            [
                f"{M}:7: warning CS104: Thu 8 Oct 2026 08:00 in New York is outside business hours 09:00-17:00 of US partners (08:00 New York (us) = 14:00 Brussels (eu))"
            ],
            id="before-hours",
        ),
        pytest.param(
            "2026-10-08T17:00:00-04:00",
            "[us]",
            [
                f"{M}:7: warning CS104: Thu 8 Oct 2026 17:00 in New York is outside business hours 09:00-17:00 of US partners (17:00 New York (us) = 23:00 Brussels (eu))"
            ],
            id="the-end-is-outside",
        ),
        pytest.param("2026-10-08T09:00:00-04:00", "[us]", [], id="the-start-is-inside"),
        pytest.param("2026-10-08T16:59:00-04:00", "[us]", [], id="inside"),
        pytest.param(
            "2026-10-10T10:00:00+02:00",
            "[eu]",
            [
                f"{M}:7: warning CS104: Sat 10 Oct 2026 10:00 in Brussels is a Saturday, not a business day of EU partners (10:00 Brussels (eu) = 04:00 New York (us))"
            ],
            id="weekend",
        ),
        pytest.param("2026-10-08T16:00:00+02:00", "[eu, us]", [], id="joint-instant-inside-both"),
        pytest.param(
            "2026-10-08T09:30:00+02:00",
            "[eu, us]",
            [
                f"{M}:7: warning CS104: us: Thu 8 Oct 2026 03:30 in New York is outside business hours 09:00-17:00 of US partners (03:30 New York (us) = 09:30 Brussels (eu))"
            ],
            id="joint-instant-early-in-new-york",
        ),
    ],
)
def test_business_hours_on_each_partners_clock(
    calendar_repo: Path, publish: str, partners: str, expected: list[str]
) -> None:
    write_message(calendar_repo, publish, partners)
    assert found(calendar_repo) == expected


def test_business_days_come_from_the_config(calendar_repo: Path) -> None:
    edit(
        calendar_repo,
        "campaignsync.toml",
        'business_hours = "09:00-18:00"',
        'business_hours = "09:00-18:00"\nbusiness_days = "sun-thu"',
    )
    write_message(calendar_repo, "2026-10-11T10:00:00+02:00", "[eu]")  # a Sunday
    assert found(calendar_repo) == []
    write_message(calendar_repo, "2026-10-09T10:00:00+02:00", "[eu]")  # a Friday
    assert found(calendar_repo) == [
        f"{M}:7: warning CS104: Fri 9 Oct 2026 10:00 in Brussels is a Friday, not a business day of EU partners (10:00 Brussels (eu) = 04:00 New York (us))"
    ]


@pytest.mark.parametrize(
    ("publish", "expected"),
    [
        pytest.param(
            "2026-10-28T16:00:00+02:00",
            [
                f"{M}:7: error CS105: 2026-10-28T16:00:00+02:00 is 15:00 in Brussels, not 16:00: on Wed 28 Oct 2026 Europe/Brussels is at UTC+01:00 (CET). For 16:00 Brussels time write 2026-10-28T16:00:00+01:00 (16:00 Brussels (eu) = 11:00 New York (us))"
            ],
            id="summer-offset-in-winter",
        ),
        pytest.param("2026-10-28T16:00:00+01:00", [], id="the-right-offset"),
        pytest.param("2026-10-28T15:00:00Z", [], id="utc-is-meant"),
        pytest.param(
            "\n  eu: 2026-10-21T16:00:00+01:00",
            [
                f"{M}:8: error CS105: 2026-10-21T16:00:00+01:00 is 17:00 in Brussels, not 16:00: on Wed 21 Oct 2026 Europe/Brussels is at UTC+02:00 (CEST). For 16:00 Brussels time write 2026-10-21T16:00:00+02:00 (16:00 Brussels (eu) = 10:00 New York (us))"
            ],
            id="winter-offset-in-summer",
        ),
    ],
)
def test_the_written_offset_is_the_partners(
    calendar_repo: Path, publish: str, expected: list[str]
) -> None:
    write_message(calendar_repo, publish, "[eu]", theme="late")
    assert found(calendar_repo, codes=("CS105",)) == expected


def test_an_offset_no_partner_uses_is_taken_as_meant(calendar_repo: Path) -> None:
    # One instant for both partners, written in Brussels time: nothing to say for New York.
    write_message(calendar_repo, "2026-10-21T16:00:00+02:00", "[eu, us]", theme="late")
    assert found(calendar_repo) == []


@pytest.mark.parametrize(
    ("eu", "us", "expected"),
    [
        pytest.param(
            "2026-10-28T15:00:00+01:00",
            "2026-10-28T09:00:00-04:00",
            [
                f"{M}:8: warning CS106: 15:00 Brussels (eu) and 09:00 New York (us) are 6 h apart as usual, but on Wed 28 Oct 2026 Brussels is 5 h ahead of New York: the two publish 1 h apart. For one joint moment write 15:00 Brussels = 10:00 New York"
            ],
            id="autumn-gap",
        ),
        pytest.param(
            "2026-10-28T16:00:00+01:00", "2026-10-28T11:00:00-04:00", [], id="autumn-gap-one-moment"
        ),
        pytest.param(
            "2026-10-21T16:00:00+02:00", "2026-10-21T10:00:00-04:00", [], id="a-normal-week"
        ),
        pytest.param(
            "2026-10-28T10:00:00+01:00", "2026-10-28T10:00:00-04:00", [], id="two-slots-meant"
        ),
        pytest.param(
            "2027-03-17T15:00:00+01:00",
            "2027-03-17T09:00:00-04:00",
            [
                f"{M}:8: warning CS106: 15:00 Brussels (eu) and 09:00 New York (us) are 6 h apart as usual, but on Wed 17 Mar 2027 Brussels is 5 h ahead of New York: the two publish 1 h apart. For one joint moment write 15:00 Brussels = 10:00 New York"
            ],
            id="spring-gap",
        ),
    ],
)
def test_joint_times_in_the_five_hour_weeks(
    calendar_repo: Path, eu: str, us: str, expected: list[str]
) -> None:
    widen(calendar_repo)
    write_message(calendar_repo, f"\n  eu: {eu}\n  us: {us}", "[eu, us]", theme="late")
    assert found(calendar_repo, codes=("CS106",)) == expected


@pytest.mark.parametrize(
    ("partner", "publish", "expected"),
    [
        pytest.param(
            "eu",
            "2027-03-28T02:30:00+01:00",
            f"{M}:8: error CS107: 02:30 on Sun 28 Mar 2027 does not exist in Brussels: clocks go forward from 02:00 to 03:00; as written (+01:00) it is 03:30 CEST. Choose a time outside 02:00-03:00",
            id="spring-brussels-2027",
        ),
        pytest.param(
            "us",
            "2027-03-14T02:30:00-05:00",
            f"{M}:8: error CS107: 02:30 on Sun 14 Mar 2027 does not exist in New York: clocks go forward from 02:00 to 03:00; as written (-05:00) it is 03:30 EDT. Choose a time outside 02:00-03:00",
            id="spring-new-york-2027",
        ),
        pytest.param(
            "eu",
            "2026-03-29T02:30:00+02:00",
            f"{M}:8: error CS107: 02:30 on Sun 29 Mar 2026 does not exist in Brussels: clocks go forward from 02:00 to 03:00; as written (+02:00) it is 01:30 CET. Choose a time outside 02:00-03:00",
            id="spring-brussels-2026",
        ),
        pytest.param(
            "us",
            "2026-03-08T02:30:00-04:00",
            f"{M}:8: error CS107: 02:30 on Sun 8 Mar 2026 does not exist in New York: clocks go forward from 02:00 to 03:00; as written (-04:00) it is 01:30 EST. Choose a time outside 02:00-03:00",
            id="spring-new-york-2026",
        ),
        pytest.param(
            "eu",
            "2026-10-25T02:30:00+02:00",
            f"{M}:8: warning CS108: 02:30 on Sun 25 Oct 2026 happens twice in Brussels (clocks go back from 03:00 to 02:00): a scheduler given the local time may publish an hour early or late. Move the slot out of 02:00-03:00",
            id="autumn-brussels-first",
        ),
        pytest.param(
            "eu",
            "2026-10-25T02:30:00+01:00",
            f"{M}:8: warning CS108: 02:30 on Sun 25 Oct 2026 happens twice in Brussels (clocks go back from 03:00 to 02:00): a scheduler given the local time may publish an hour early or late. Move the slot out of 02:00-03:00",
            id="autumn-brussels-second",
        ),
        pytest.param(
            "us",
            "2026-11-01T01:30:00-04:00",
            f"{M}:8: warning CS108: 01:30 on Sun 1 Nov 2026 happens twice in New York (clocks go back from 02:00 to 01:00): a scheduler given the local time may publish an hour early or late. Move the slot out of 01:00-02:00",
            id="autumn-new-york",
        ),
    ],
)
def test_local_times_at_clock_changes(
    calendar_repo: Path, partner: str, publish: str, expected: str
) -> None:
    widen(calendar_repo)
    write_message(calendar_repo, f"\n  {partner}: {publish}", f"[{partner}]", theme="late")
    assert found(calendar_repo, codes=("CS105", "CS107", "CS108")) == [expected]


@pytest.mark.parametrize(
    "publish",
    [
        pytest.param("2027-03-28T01:59:00+01:00", id="just-before-the-spring-gap"),
        pytest.param("2027-03-28T03:00:00+02:00", id="just-after-the-spring-gap"),
        pytest.param("2026-10-25T01:59:00+02:00", id="just-before-the-autumn-overlap"),
        pytest.param("2026-10-25T03:00:00+01:00", id="just-after-the-autumn-overlap"),
    ],
)
def test_times_next_to_clock_changes_are_fine(calendar_repo: Path, publish: str) -> None:
    widen(calendar_repo)
    write_message(calendar_repo, f"\n  eu: {publish}", "[eu]", theme="late")
    assert found(calendar_repo, codes=("CS105", "CS107", "CS108")) == []


@pytest.mark.parametrize(
    ("publish", "channels", "expected"),
    [
        pytest.param(
            "2026-10-06T10:30:00+02:00",
            "[x]",
            [
                f"{M}:7: warning CS109: eu: 30 minutes after 'accounts' on this channel (Tue 6 Oct 10:00 Brussels); [schedule] min_spacing_minutes asks for 60 [x]"
            ],
            id="CS109-closer-than-the-spacing",
        ),
        pytest.param(
            "2026-10-06T10:05:00+02:00",
            "[x]",
            [
                f"{M}:7: error CS110: eu: 5 minutes after 'accounts' on this channel (Tue 6 Oct 10:00 Brussels); schedulers refuse posts on one profile less than 10 minutes apart [x]"
            ],
            id="CS110-too-close-for-a-scheduler",
        ),
        pytest.param(
            "2026-10-06T10:00:00+02:00",
            "[x, linkedin]",
            [
                f"{M}:7: error CS110: eu: 0 minutes after 'accounts' on this channel (Tue 6 Oct 10:00 Brussels); schedulers refuse posts on one profile less than 10 minutes apart [linkedin]",
                f"{M}:7: error CS110: eu: 0 minutes after 'accounts' on this channel (Tue 6 Oct 10:00 Brussels); schedulers refuse posts on one profile less than 10 minutes apart [x]",
            ],
            id="CS110-the-same-time",
        ),
        pytest.param("2026-10-06T10:00:00+02:00", "[mastodon, web]", [], id="other-channels"),
        pytest.param("2026-10-06T11:00:00+02:00", "[x]", [], id="an-hour-apart"),
    ],
)
def test_spacing_between_posts(
    calendar_repo: Path, publish: str, channels: str, expected: list[str]
) -> None:
    write_message(calendar_repo, publish, "[eu]", channels)
    assert found(calendar_repo) == expected


def test_the_spacing_comes_from_the_config(calendar_repo: Path) -> None:
    edit(
        calendar_repo, "campaignsync.toml", "[schedule]\n", "[schedule]\nmin_spacing_minutes = 20\n"
    )
    write_message(calendar_repo, "2026-10-06T10:30:00+02:00", "[eu]")
    assert found(calendar_repo) == []


def test_spacing_is_per_partner(calendar_repo: Path) -> None:
    # 10:00 in New York is 16:00 in Brussels: the EU's 10:05 post is far from it.
    write_message(calendar_repo, "2026-10-06T10:05:00-04:00", "[us]")
    assert found(calendar_repo, codes=("CS110",)) == [
        f"{M}:7: error CS110: us: 5 minutes after 'accounts' on this channel (Tue 6 Oct 10:00 New York); schedulers refuse posts on one profile less than 10 minutes apart [x]"
    ]


def test_a_theme_week_without_a_message_for_a_partner(calendar_repo: Path) -> None:
    edit(calendar_repo, "content/messages/2026/updates.md", "partners: [eu, us]", "partners: [eu]")
    edit(calendar_repo, "content/messages/2026/updates.md", "  us: 2026-10-27T10:00:00-04:00\n", "")
    assert found(calendar_repo) == [
        "content/calendar.yaml:28: warning CS111: theme week 'late' (2026-10-19 to 2026-10-31) has no message for us (US partners)"
    ]


def test_a_theme_week_without_one_of_a_partners_channels(calendar_repo: Path) -> None:
    edit(
        calendar_repo,
        "content/messages/2026/updates.md",
        "channels: [x, linkedin]",
        "channels: [x, mastodon]",
    )
    assert found(calendar_repo) == [
        "content/calendar.yaml:28: warning CS112: theme week 'late' (2026-10-19 to 2026-10-31) has no message for eu on linkedin (channels eu posts on in this campaign)",
        "content/calendar.yaml:28: warning CS112: theme week 'late' (2026-10-19 to 2026-10-31) has no message for us on linkedin (channels us posts on in this campaign)",
    ]
    edit(
        calendar_repo,
        "campaignsync.toml",
        'weekly_channels = ["x", "linkedin"]',
        'weekly_channels = ["x"]',
    )
    assert found(calendar_repo) == []


def test_a_partner_without_messages_takes_no_part(calendar_repo: Path) -> None:
    for name in ("accounts", "updates"):
        edit(
            calendar_repo,
            f"content/messages/2026/{name}.md",
            "partners: [eu, us]",
            "partners: [eu]",
        )
        text = (calendar_repo / f"content/messages/2026/{name}.md").read_text()
        lines = [line for line in text.splitlines() if not line.startswith("  us:")]
        (calendar_repo / f"content/messages/2026/{name}.md").write_text("\n".join(lines) + "\n")
    assert found(calendar_repo) == []


# --- The freeze (CS113), from git -----------------------------------------------------


@pytest.fixture
def frozen_repo(calendar_repo: Path) -> Path:
    """The calendar campaign in git, committed before the freeze on 15 September."""
    git(calendar_repo, "init", "-q", "-b", "main")
    commit(calendar_repo, "Start", "2026-09-01T10:00:00+00:00")
    return calendar_repo


OCTOBER = datetime(2026, 10, 5, 12, tzinfo=UTC)


def test_no_change_after_the_freeze(frozen_repo: Path) -> None:
    assert found(frozen_repo, OCTOBER) == []


def test_a_message_committed_after_the_freeze(frozen_repo: Path) -> None:
    edit(
        frozen_repo,
        "content/messages/2026/accounts.md",
        "keep your accounts safe",
        "keep your accounts secure",
    )
    sha = commit(frozen_repo, "Reword", "2026-09-20T14:03:00+00:00")
    assert found(frozen_repo, OCTOBER) == [
        f"content/messages/2026/accounts.md:1: warning CS113: changed after the freeze on 2026-09-15 (in commit {sha[:10]}, 2026-09-20 14:03 UTC); tell the partners, who may have scheduled it already"
    ]
    # Before the freeze has passed, after the campaign, or "as of" a day before the commit:
    # nothing to say.
    assert found(frozen_repo, BEFORE_FREEZE) == []
    assert found(frozen_repo, datetime(2026, 11, 5, tzinfo=UTC)) == []
    assert found(frozen_repo, datetime(2026, 9, 18, tzinfo=UTC)) == []


def test_the_freeze_day_lasts_until_midnight_in_new_york(frozen_repo: Path) -> None:
    edit(
        frozen_repo,
        "content/messages/2026/accounts.md",
        "keep your accounts safe",
        "keep your accounts secure",
    )
    commit(frozen_repo, "Late on the freeze day in New York", "2026-09-15T23:30:00-04:00")
    assert found(frozen_repo, OCTOBER) == []
    edit(frozen_repo, "content/messages/2026/updates.md", "criminals use", "criminals abuse")
    sha = commit(frozen_repo, "Just after", "2026-09-16T00:01:00-04:00")
    assert found(frozen_repo, OCTOBER) == [
        f"content/messages/2026/updates.md:1: warning CS113: changed after the freeze on 2026-09-15 (in commit {sha[:10]}, 2026-09-16 04:01 UTC); tell the partners, who may have scheduled it already"
    ]


def test_uncommitted_and_deleted_messages_after_the_freeze(frozen_repo: Path) -> None:
    edit(
        frozen_repo,
        "content/messages/2026/accounts.md",
        "keep your accounts safe",
        "keep them safe",
    )
    assert found(frozen_repo, OCTOBER) == [
        "content/messages/2026/accounts.md:1: warning CS113: changed after the freeze on 2026-09-15 (not yet committed); tell the partners, who may have scheduled it already"
    ]
    git(frozen_repo, "checkout", "-q", "--", ".")
    (frozen_repo / "content/messages/2026/updates.md").unlink()
    edit(
        frozen_repo,
        "content/calendar.yaml",
        "      - {id: late, name: Updates, start: 2026-10-19, end: 2026-10-31}\n",
        "",
    )
    sha = commit(frozen_repo, "Drop a message", "2026-09-25T09:00:00+00:00")
    assert found(frozen_repo, OCTOBER) == [
        f"content/calendar.yaml:21: warning CS113: content/messages/2026/updates.md was deleted after the freeze on 2026-09-15 (in commit {sha[:10]}, 2026-09-25 09:00 UTC); tell the partners, who may have scheduled it already"
    ]


def test_outside_git_there_is_nothing_to_compare(calendar_repo: Path) -> None:
    assert found(calendar_repo, OCTOBER) == []


def test_check_takes_today_from_now_or_source_date_epoch(
    cli_invoke: CliInvoke, frozen_repo: Path
) -> None:
    edit(
        frozen_repo,
        "content/messages/2026/accounts.md",
        "keep your accounts safe",
        "keep them safe",
    )
    expected = "content/messages/2026/accounts.md:1: warning CS113: changed after the freeze on 2026-09-15 (not yet committed); tell the partners, who may have scheduled it already\n"
    args = ["check", "--repo", str(frozen_repo)]
    assert cli_invoke([*args, "--now", "2026-10-05"]).stdout == expected
    assert cli_invoke([*args, "--now", "2026-09-01"]).stdout == ""
    october = str(int(OCTOBER.timestamp()))
    assert cli_invoke(args, env={"SOURCE_DATE_EPOCH": october}).stdout == expected
    result = cli_invoke([*args, "--strict", "--now", "2026-10-05"], expect=1)
    assert result.stdout == expected.replace("warning", "error")


def test_the_schedule_findings_key_is_digested_again_only_when_its_inputs_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from campaignsync.pack import attention, keys

    digested: list[object] = []
    digest = keys.digest

    def noted(value: object) -> str:
        digested.append(value)
        return digest(value)

    monkeypatch.setattr(keys, "digest", noted)
    monkeypatch.setattr(attention._Keyed, "last", None)

    def inputs(hour: int) -> tuple[object, ...]:
        slot = (("eu", datetime(2026, 10, 1, hour, tzinfo=UTC)),)
        return ("schedule", "2026", 0, (("m", "m.md", slot, (), None, ("x",)),))

    first = attention._Keyed.of(inputs(9))
    assert first == digest(inputs(9)) and len(digested) == 1
    assert attention._Keyed.of(inputs(9)) == first and len(digested) == 1  # equal: kept
    moved = attention._Keyed.of(inputs(10))
    assert moved == digest(inputs(10)) != first and len(digested) == 2
    # The same time written in another zone: equal, but the findings may differ (CS-local).
    berlin = ("eu", datetime(2026, 10, 1, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    same = ("schedule", "2026", 0, (("m", "m.md", (berlin,), (), None, ("x",)),))
    assert same == inputs(10) and attention._Keyed.of(same) == digest(same) != moved
