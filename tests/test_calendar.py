"""The calendar file, its recurrences, partners' clocks, date formats and `calendar show`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from conftest import ROOT, CliInvoke

from campaignsync.campaigns import Event
from campaignsync.load import calendarfile
from campaignsync.model import Partner
from campaignsync.pack.ical import offset_weeks
from campaignsync.render import dates, zones

CAL = "content/calendar.yaml"
EU = Partner("eu", "EU partners", "Europe/Brussels", ("en",), ("en",), (time(9), time(18)))
US = Partner("us", "US partners", "America/New_York", ("en",), ("en",), (time(9), time(17)))


def events(path: Path) -> dict[str, Event]:
    cal, problems = calendarfile.load_calendar(CAL, path.read_text(encoding="utf-8"), ("eu", "us"))
    assert problems == ()
    return {e.id: e for e in cal.events}


def starts(event: Event, first: int, last: int) -> list[str]:
    return [
        d.isoformat()
        for d in calendarfile.occurrences(event, date(first, 1, 1), date(last, 12, 31))
    ]


# --- Recurring observances against the known dates (facts/campaigns.md §3) -------------


def test_the_test_calendar_gives_the_known_dates_of_2025_to_2027(calendar_repo: Path) -> None:
    found = events(calendar_repo / CAL)
    assert starts(found["data-protection-day"], 2025, 2027) == [
        "2025-01-28",
        "2026-01-28",
        "2027-01-28",
    ]
    assert starts(found["safer-internet-day"], 2025, 2027) == [
        "2025-02-11",
        "2026-02-10",
        "2027-02-09",
    ]
    assert starts(found["world-password-day"], 2025, 2027) == [
        "2025-05-01",
        "2026-05-07",
        "2027-05-06",
    ]
    assert starts(found["fraud-week-2026"], 2025, 2027) == ["2026-11-15"]
    assert found["fraud-week-2026"].confirmed is False


def test_the_sample_calendar_gives_the_known_dates_of_2026_and_2027() -> None:
    found = events(ROOT / CAL)
    assert starts(found["data-protection-day"], 2026, 2027) == ["2026-01-28", "2027-01-28"]
    assert starts(found["safer-internet-day"], 2026, 2027) == ["2026-02-10", "2027-02-09"]
    assert starts(found["world-password-day"], 2026, 2027) == ["2026-05-07", "2027-05-06"]


def test_safer_internet_day_is_the_tuesday_from_5_to_11_february() -> None:
    rule = "FREQ=YEARLY;BYMONTH=2;BYDAY=TU;BYMONTHDAY=5,6,7,8,9,10,11"
    sid = Event("sid", "Safer Internet Day", date(2019, 2, 5), rrule=rule)
    assert starts(sid, 2019, 2029) == [
        "2019-02-05", "2020-02-11", "2021-02-09", "2022-02-08", "2023-02-07", "2024-02-06",
        "2025-02-11", "2026-02-10", "2027-02-09", "2028-02-08", "2029-02-06",
    ]  # fmt: skip
    # "The second Tuesday" (DESIGN.md's sketch) is wrong in 2019, 2023, 2024 and 2029.
    second = Event(
        "sid", "Safer Internet Day", date(2019, 2, 12), rrule="FREQ=YEARLY;BYMONTH=2;BYDAY=2TU"
    )
    assert [d for d in starts(second, 2019, 2029) if d not in starts(sid, 2019, 2029)] == [
        "2019-02-12", "2023-02-14", "2024-02-13", "2029-02-13",
    ]  # fmt: skip


def test_a_multi_day_event_spans_its_days() -> None:
    month = Event("ecsm", "ECSM", date(2026, 10, 1), date(2026, 10, 31), "FREQ=YEARLY")
    assert calendarfile.spans(month, date(2027, 10, 15), date(2027, 10, 20)) == [
        (date(2027, 10, 1), date(2027, 10, 31))
    ]
    assert calendarfile.spans(month, date(2027, 11, 1), date(2027, 11, 30)) == []


def test_rules_copied_from_an_ics_file_are_accepted() -> None:
    text = "events:\n  - id: dpd\n    name: DPD\n    start: 2026-01-28\n    rrule: 'RRULE:freq=yearly;bymonth=1;bymonthday=28'\n"
    cal, problems = calendarfile.load_calendar(CAL, text)
    assert problems == ()
    assert cal.events[0].rrule == "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28"


# --- Bad calendar files: every problem at its file and line ---------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28",
            "rrule: FREQ=DAILY",
            "content/calendar.yaml:5: error CS042: events.1.rrule 'FREQ=DAILY': FREQ must be one of YEARLY, MONTHLY, WEEKLY",
            id="daily-rule",
        ),
        pytest.param(
            "rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28",
            "rrule: FREQ=YEARLY;BYDAY=XX",
            "content/calendar.yaml:5: error CS042: events.1.rrule 'FREQ=YEARLY;BYDAY=XX': not a valid RRULE (invalid 'BYDAY': XX)",
            id="garbled-rule",
        ),
        pytest.param(
            "rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28",
            "rrule: FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "content/calendar.yaml:5: error CS042: events.1.rrule 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30': the rule never happens",
            id="rule-never-happens",
        ),
        pytest.param(
            "rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28",
            "rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28;BYHOUR=9",
            "content/calendar.yaml:5: error CS042: events.1.rrule 'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28;BYHOUR=9': BYHOUR does not apply to an observance that lasts whole days",
            id="rule-with-hours",
        ),
        pytest.param(
            "rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=28",
            "rrule: FREQ=YEARLY;INTERVAL=0;BYMONTH=1;BYMONTHDAY=28",
            "content/calendar.yaml:5: error CS042: events.1.rrule 'FREQ=YEARLY;INTERVAL=0;BYMONTH=1;BYMONTHDAY=28': INTERVAL must be a whole number from 1 to 100, not '0'",
            id="rule-interval-zero",
        ),
        pytest.param(
            "    end: 2026-11-21\n",
            "    end: 9999-11-21\n",
            "content/calendar.yaml:17: error CS043: events.4: lasts 2912085 days; an observance lasts at most 62 days (a campaign goes under 'campaigns')",
            id="event-too-long",
        ),
        pytest.param(
            "start: 2025-02-11",
            "start: 2025-02-12",
            "content/calendar.yaml:9: error CS042: events.2.rrule 'FREQ=YEARLY;BYMONTH=2;BYDAY=TU;BYMONTHDAY=5,6,7,8,9,10,11': start 2025-02-12 is not one of the rule's days (the first from then is 2026-02-10); start on a day the rule gives",
            id="start-off-the-rule",
        ),
        pytest.param(
            "    end: 2026-11-21\n",
            "    end: 2026-11-01\n",
            "content/calendar.yaml:17: error CS043: events.4: ends (2026-11-01) before it starts (2026-11-15)",
            id="event-ends-first",
        ),
        pytest.param(
            "  - id: world-password-day",
            "  - id: safer-internet-day",
            "content/calendar.yaml:10: error CS044: events.3: a second event with id 'safer-internet-day'",
            id="duplicate-event",
        ),
        pytest.param(
            "end: 2026-10-18}",
            "end: 2026-10-20}",
            "content/calendar.yaml:28: error CS043: theme 'late' overlaps theme 'early' (2026-10-01 to 2026-10-20)",
            id="overlapping-themes",
        ),
        pytest.param(
            "end: 2026-10-31}",
            "end: 2026-11-07}",
            "content/calendar.yaml:28: error CS043: theme 'late' (2026-10-19 to 2026-11-07) lies outside its campaign (2026-10-01 to 2026-10-31)",
            id="theme-outside-campaign",
        ),
        pytest.param(
            "      - 2026-10-02\n",
            "      - 2026-11-02\n",
            "content/calendar.yaml:30: error CS043: campaigns.1.blackout: 2026-11-02 is outside the campaign",
            id="blackout-outside-campaign",
        ),
        pytest.param(
            "partners: [us]",
            "partners: [usa]",
            "content/calendar.yaml:31: error CS041: campaigns.1.blackout.2: unknown partner 'usa' (did you mean 'us'?)",
            id="blackout-unknown-partner",
        ),
        pytest.param(
            "      - 2026-10-02\n",
            "      - next friday\n",
            "content/calendar.yaml:30: error CS041: campaigns.1.blackout: 'next friday' is not a date (or {day: ..., partners: [...]})",
            id="blackout-not-a-date",
        ),
        pytest.param(
            "    freeze: 2026-09-15",
            "    freze: 2026-09-15",
            "content/calendar.yaml:25: error CS041: campaigns.1: unknown key 'freze' (did you mean 'freeze'?)",
            id="unknown-key",
        ),
        pytest.param(
            "    freeze: 2026-09-15",
            "    freeze: 2026-11-15",
            "content/calendar.yaml:25: error CS043: campaigns.1: freeze date 2026-11-15 is after the campaign ends",
            id="freeze-after-the-end",
        ),
        pytest.param(
            "    start: 2026-10-01\n",
            "    start: 2026-10-41\n",
            "content/calendar.yaml:23: error CS040: invalid value for 'campaigns.1.start': day is out of range for month",
            id="impossible-date",
        ),
        pytest.param(
            "campaigns:",
            "campaigns: [",
            "content/calendar.yaml:21: error CS040: invalid YAML: did not find expected node content",
            id="bad-yaml",
        ),
    ],
)
def test_bad_calendar_files_are_reported_at_their_line(
    cli_invoke: CliInvoke, calendar_repo: Path, old: str, new: str, expected: str
) -> None:
    path = calendar_repo / CAL
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = cli_invoke(["check", "--repo", str(calendar_repo), "--now", "2026-09-01"], expect=1)
    assert any(line.startswith(expected) for line in result.stdout.splitlines()), result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    # Not one error more a message whose campaign the broken calendar left out.
    assert "unknown campaign" not in result.stdout


def test_an_unknown_time_zone_is_reported_at_its_line(
    cli_invoke: CliInvoke, calendar_repo: Path
) -> None:
    path = calendar_repo / "campaignsync.toml"
    path.write_text(path.read_text().replace('"America/New_York"', '"America/New_Yrok"'))
    result = cli_invoke(["check", "--repo", str(calendar_repo)], expect=1)
    assert (
        result.stdout
        == "campaignsync.toml:16: error CS005: partners.us.timezone: unknown time zone 'America/New_Yrok'\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('business_days = "mon-fri"', (0, 1, 2, 3, 4), id="weekdays"),
        pytest.param('business_days = "sun-thu"', (0, 1, 2, 3, 6), id="wraps-round"),
        pytest.param('business_days = "sat-sat"', (5,), id="one-day"),
    ],
)
def test_business_days(calendar_repo: Path, text: str, expected: tuple[int, ...]) -> None:
    from campaignsync.load.config import load_config

    path = calendar_repo / "campaignsync.toml"
    path.write_text(
        path.read_text().replace(
            'business_hours = "09:00-17:00"', f'business_hours = "09:00-17:00"\n{text}'
        )
    )
    config, problems = load_config(calendar_repo)
    assert problems == () and config is not None
    assert config.partner("us").business_days == expected  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            'business_hours = "09:00-17:00"',
            'business_hours = "09:00-17:00"\nbusiness_days = "weekdays"',
            "campaignsync.toml:19: error CS003: partners.us.business_days must look like 'mon-fri' or 'sun-thu', not 'weekdays'",
            id="business-days",
        ),
        pytest.param(
            "[schedule]\n",
            "[schedule]\nmin_spacing_minutes = -5\n",
            "campaignsync.toml:21: error CS003: schedule.min_spacing_minutes must be 0 to 10080 (a week), not -5",
            id="spacing",
        ),
        pytest.param(
            'weekly_channels = ["x", "linkedin"]',
            'weekly_channels = ["x", "linkdin"]',
            "campaignsync.toml:21: error CS002: schedule.weekly_channels: unknown channel 'linkdin' (did you mean 'linkedin'?)",
            id="weekly-channel",
        ),
        pytest.param(
            "[schedule]\n",
            "[schedule]\nspacing = 5\n",
            "campaignsync.toml:21: error CS002: unknown setting 'schedule.spacing'",
            id="unknown-key",
        ),
    ],
)
def test_bad_schedule_settings(
    cli_invoke: CliInvoke, calendar_repo: Path, old: str, new: str, expected: str
) -> None:
    path = calendar_repo / "campaignsync.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    result = cli_invoke(["check", "--repo", str(calendar_repo)], expect=1)
    assert any(line.startswith(expected) for line in result.stdout.splitlines()), result.stdout


# --- Partners' clocks: the tz database's changes and the 5-hour weeks (facts §4) ---------


@pytest.mark.parametrize(
    ("year", "brussels", "new_york"),
    [
        pytest.param(
            2025,
            ("2025-03-30T01:00:00+00:00", "2025-10-26T01:00:00+00:00"),
            ("2025-03-09T07:00:00+00:00", "2025-11-02T06:00:00+00:00"),
            id="2025",
        ),
        pytest.param(
            2026,
            ("2026-03-29T01:00:00+00:00", "2026-10-25T01:00:00+00:00"),
            ("2026-03-08T07:00:00+00:00", "2026-11-01T06:00:00+00:00"),
            id="2026",
        ),
        pytest.param(
            2027,
            ("2027-03-28T01:00:00+00:00", "2027-10-31T01:00:00+00:00"),
            ("2027-03-14T07:00:00+00:00", "2027-11-07T06:00:00+00:00"),
            id="2027",
        ),
    ],
)
def test_clock_changes_match_the_tz_database(
    year: int, brussels: tuple[str, str], new_york: tuple[str, str]
) -> None:
    first, last = date(year, 1, 1), date(year, 12, 31)
    assert (
        tuple(c.instant.isoformat() for c in zones.changes("Europe/Brussels", first, last))
        == brussels
    )
    assert (
        tuple(c.instant.isoformat() for c in zones.changes("America/New_York", first, last))
        == new_york
    )
    assert [c.forward for c in zones.changes("Europe/Brussels", first, last)] == [True, False]


@pytest.mark.parametrize(
    ("year", "spring", "autumn"),
    [
        pytest.param(2025, ("2025-03-09", "2025-03-29"), ("2025-10-26", "2025-11-01"), id="2025"),
        pytest.param(2026, ("2026-03-08", "2026-03-28"), ("2026-10-25", "2026-10-31"), id="2026"),
        pytest.param(2027, ("2027-03-14", "2027-03-27"), ("2027-10-31", "2027-11-06"), id="2027"),
    ],
)
def test_the_five_hour_weeks(year: int, spring: tuple[str, str], autumn: tuple[str, str]) -> None:
    found = [(a.isoformat(), b.isoformat(), text) for a, b, text in offset_weeks((EU, US), year)]
    text = "Brussels is 5 h ahead of New York (usually 6 h)"
    assert found == [(*spring, text), (*autumn, text)]
    # With the US partner first, the same weeks read the other way round.
    behind = [text for _, _, text in offset_weeks((US, EU), year)]
    assert behind == ["New York is 5 h behind Brussels (usually 6 h)"] * 2


def test_sixteen_hundred_in_brussels_is_ten_then_eleven_in_new_york() -> None:
    week3 = datetime(2026, 10, 21, 16, tzinfo=ZoneInfo("Europe/Brussels"))
    week4 = datetime(2026, 10, 28, 16, tzinfo=ZoneInfo("Europe/Brussels"))
    assert zones.times(week3, (EU, US)) == "16:00 Brussels (eu) = 10:00 New York (us)"
    assert zones.times(week4, (EU, US)) == "16:00 Brussels (eu) = 11:00 New York (us)"
    assert zones.times(week4, (US, EU)) == "11:00 New York (us) = 16:00 Brussels (eu)"


@pytest.mark.parametrize(
    ("wall", "zone", "expected"),
    [
        pytest.param(
            datetime(2026, 10, 25, 2, 30), "Europe/Brussels", "twice", id="brussels-autumn"
        ),
        pytest.param(
            datetime(2026, 11, 1, 1, 30), "America/New_York", "twice", id="new-york-autumn"
        ),
        pytest.param(
            datetime(2027, 3, 28, 2, 30), "Europe/Brussels", "missing", id="brussels-spring"
        ),
        pytest.param(
            datetime(2027, 3, 14, 2, 30), "America/New_York", "missing", id="new-york-spring"
        ),
        pytest.param(
            datetime(2027, 3, 28, 2, 30), "America/New_York", None, id="an-ordinary-night"
        ),
    ],
)
def test_local_times_at_clock_changes(wall: datetime, zone: str, expected: str | None) -> None:
    assert zones.wall_problem(wall, zone) == expected


# --- Dates in templates: the output's locale, the partner's zone, as CLDR says ---------

KICKOFF = datetime(2026, 10, 1, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))


def names(locale: str, when: date) -> tuple[str, str]:
    """Return CLDR's weekday and month names for ``when`` in ``locale`` (format, wide)."""
    data = Locale.parse(locale)
    return data.days["format"]["wide"][when.weekday()], data.months["format"]["wide"][when.month]


def assert_means(text: str, locale: str, local: datetime, zone: str) -> None:
    """Assert ``text`` names the local day, month, year, time and zone in ``locale``'s words.

    Each part is checked, not CLDR's punctuation or spacing, which change between
    CLDR releases (and so between Babel versions).
    """
    weekday, month = names(locale, local.date())
    assert weekday in text and month in text and str(local.year) in text, text
    assert re.search(rf"(?<!\d){local.day}(?!\d)", text), text
    assert re.search(rf"(?<!\d)0?{local.hour % 12 or 12}:{local.minute:02d}|{local:%H:%M}", text)
    assert_names_zone(text.rsplit(" ", 1)[1], local)


def assert_names_zone(name: str, local: datetime) -> None:
    """Assert ``name`` is the zone's abbreviation (CEST, EDT) or its offset (GMT+2, UTC+5:30)."""
    offset = re.fullmatch(r"[A-Z]*([+\-\u2212])(\d{1,2})(?::(\d\d))?", name)
    if not offset:
        assert name.isalpha() and name.isupper(), name
        return
    minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
    sign = -1 if offset.group(1) != "+" else 1
    assert local.utcoffset() == timedelta(minutes=sign * minutes), name


@pytest.mark.parametrize(
    ("locale", "zone", "clock"),
    [
        pytest.param("en_GB", "Europe/Brussels", "10:00", id="en-GB"),
        pytest.param("fr", "Europe/Brussels", "10:00", id="fr"),
        pytest.param("de", "Europe/Brussels", "10:00", id="de"),
        pytest.param("pl", "Europe/Brussels", "10:00", id="pl"),
        pytest.param("en", "Europe/Brussels", "10:00", id="en"),
        pytest.param("en_US", "America/New_York", "04:00", id="en-US"),
        pytest.param("es_US", "America/New_York", "04:00", id="es-US"),
        pytest.param("en_GB", "America/New_York", "04:00", id="en-GB-in-New-York"),
        pytest.param("en_GB", "Asia/Kolkata", "13:30", id="half-hours"),
    ],
)
def test_format_datetime_follows_cldr(locale: str, zone: str, clock: str) -> None:
    local = KICKOFF.astimezone(ZoneInfo(zone))
    assert f"{local:%H:%M}" == clock
    assert_means(dates.format_datetime(KICKOFF, locale, zone), locale, local, zone)


def test_format_date_and_time() -> None:
    late = datetime(2026, 10, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    # The same instant is 1 November in Brussels and 31 October in New York.
    assert dates.format_date(late, "fr", "Europe/Brussels").split() == ["1", "novembre", "2026"]
    assert dates.format_date(late, "fr", "America/New_York").split() == [
        "31",
        "octobre",
        "2026",
    ]
    full = dates.format_date(date(2026, 10, 1), "de", "UTC", "full")
    assert all(part in full for part in ("Donnerstag", "Oktober", "2026"))
    assert dates.format_time(late, "de", "Europe/Brussels").startswith("04:30 ")
    assert dates.format_time(late, "de", "Europe/Brussels", "HH:mm") == "04:30"
    # A pattern of our own is followed exactly (only the zone's name is CLDR's).
    assert (
        dates.format_datetime(late, "en_GB", "Europe/London", "d MMM y, HH:mm")
        == "1 Nov 2026, 03:30"
    )


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a date and time with a time zone"):
        dates.format_datetime(datetime(2026, 10, 1, 10), "en", "UTC")


def test_the_filters_in_a_template(calendar_repo: Path, cli_invoke: CliInvoke) -> None:
    template = calendar_repo / "templates" / "x.txt.j2"
    template.write_text(
        "{{ message.post }} {{ message.publish|format_datetime }} / "
        "{{ message.publish|format_time(tz='America/New_York') }}\n"
    )
    cli_invoke(["build", "--repo", str(calendar_repo), "--channel", "x"])
    post = (calendar_repo / "dist/2026.partial/en/x/updates.txt").read_text()
    # "en" has no territory: the EU partner's readers get en_BE's conventions (not US ones),
    # on the EU partner's clock unless tz= asks for another.
    assert (
        post
        == "Updates close the holes that criminals use. Tuesday, 27 October 2026, 15:00 CET / 10:00 GMT-4\n"
    )


# --- calendar show ------------------------------------------------------------------

OCTOBER_US = """\
October 2026: US partners (us), times in America/New_York first

    Mon   Tue   Wed   Thu   Fri   Sat   Sun
                        1     2!    3     4     early
      5     6*    7     8     9    10    11     early
     12!   13    14    15    16    17    18     early
     19    20    21    22    23    24    25~    late
     26~   27*~  28~   29~   30~   31~          late

  * a message   ! a blackout day   ~ New York is 5 h behind Brussels (usually 6 h)

Thu 1 Oct
  campaign 2026 starts: Awareness Month 2026 (to Sat 31 Oct)
  theme week early (to Sun 18 Oct): Accounts

Fri 2 Oct
  blackout day: no publication

Tue 6 Oct
  10:00 EDT New York = 16:00 CEST Brussels  us  accounts
      Secure your accounts [x, linkedin]

Mon 12 Oct
  blackout day for us: no publication (Columbus Day)

Mon 19 Oct
  theme week late (to Sat 31 Oct): Updates

Sun 25 Oct
  clocks go back in Brussels: 03:00 CEST becomes 02:00 CET; Brussels is now 5 h ahead of New York

Tue 27 Oct
  10:00 EDT New York = 15:00 CET Brussels  us  updates
      Update your devices [x, linkedin]

Sat 31 Oct
  campaign 2026 ends
"""

NOVEMBER = """\
November 2026: Calendar test campaign (eu Europe/Brussels, us America/New_York)

    Mon   Tue   Wed   Thu   Fri   Sat   Sun
                                          1
      2     3     4     5     6     7     8
      9    10    11    12    13    14    15+
     16+   17+   18+   19+   20+   21+   22
     23    24    25    26    27    28    29
     30

  + an observance

Sun 1 Nov
  clocks go back in New York: 02:00 EDT becomes 01:00 EST; New York is now 6 h behind Brussels

Sun 15 Nov
  International Fraud Awareness Week, to Sat 21 Nov (to be confirmed)
"""


def test_calendar_show_a_month_for_one_partner(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = cli_invoke(
        ["calendar", "show", "--repo", str(calendar_repo), "--month", "2026-10", "--partner", "us"]
    )
    assert result.stdout == OCTOBER_US


def test_calendar_show_a_month_without_messages(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = cli_invoke(["calendar", "show", "--repo", str(calendar_repo), "--month", "2026-11"])
    assert result.stdout == NOVEMBER


def test_calendar_show_every_partner_with_its_own_clock_first(
    cli_invoke: CliInvoke, calendar_repo: Path
) -> None:
    result = cli_invoke(["calendar", "show", "--repo", str(calendar_repo), "--month", "2026-10"])
    assert "  10:00 CEST Brussels = 04:00 EDT New York  eu  accounts\n" in result.stdout
    assert "  10:00 EDT New York = 16:00 CEST Brussels  us  accounts\n" in result.stdout
    assert (
        "  * a message   ! a blackout day   ~ Brussels is 5 h ahead of New York (usually 6 h)\n"
        in result.stdout
    )


@pytest.mark.parametrize(
    ("now", "title"),
    [
        pytest.param("2026-06-01", "October 2026", id="before-the-campaign"),
        pytest.param("2026-10-20", "October 2026", id="during"),
        pytest.param("2027-01-10", "October 2026", id="after"),
    ],
)
def test_calendar_show_defaults_to_the_campaigns_month(
    cli_invoke: CliInvoke, calendar_repo: Path, now: str, title: str
) -> None:
    result = cli_invoke(["calendar", "show", "--repo", str(calendar_repo), "--now", now])
    assert result.stdout.startswith(title)


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        pytest.param(
            ["--month", "2026-13"],
            2,
            "Error: Invalid value for --month: '2026-13' is not a month like 2026-10\n",
            id="bad-month",
        ),
        pytest.param(
            ["--month", "Oct"],
            2,
            "Error: Invalid value for --month: 'Oct' is not a month like 2026-10\n",
            id="not-a-month",
        ),
        pytest.param(
            ["--month", "9999-12"], 1, "error: no such month: 9999-12\n", id="month-past-9998"
        ),
        pytest.param(
            ["--month", "0000-10"], 1, "error: no such month: 0000-10\n", id="month-before-0001"
        ),
        pytest.param(
            ["--partner", "uk"],
            2,
            "error: unknown partner 'uk' (partners: eu, us)\n",
            id="unknown-partner",
        ),
        pytest.param(
            ["--campaign", "2025"],
            2,
            "error: unknown campaign '2025' (campaigns: 2026)\n",
            id="unknown-campaign",
        ),
    ],
)
def test_calendar_show_refuses_bad_options(
    cli_invoke: CliInvoke, calendar_repo: Path, args: list[str], code: int, expected: str
) -> None:
    result = cli_invoke(["calendar", "show", "--repo", str(calendar_repo), *args], expect=code)
    assert result.stderr.endswith(expected)
    assert result.stdout == ""


def test_calendar_show_on_the_sample(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    result = cli_invoke(
        ["calendar", "show", "--repo", str(sample_repo), "--month", "2026-10", "--partner", "us"]
    )
    assert "  11:00 EDT New York = 16:00 CET Brussels  us  transatlantic-webinar\n" in result.stdout
    assert "  09:00 EDT New York = 15:00 CEST Brussels  us  kickoff\n" in result.stdout


def test_month_view_is_a_function_of_the_project(calendar_repo: Path) -> None:
    from campaignsync.commands import month as monthview
    from campaignsync.load.project import load_project

    project, _ = load_project(calendar_repo)
    assert project is not None
    assert monthview.default_month(project, "2026", datetime(2026, 10, 9, tzinfo=UTC)) == (2026, 10)
    assert monthview.month_view(project, 2026, 10, "us") == OCTOBER_US


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["calendar", "show", "--month", "2026-10"], id="calendar-show"),
        pytest.param(["links"], id="links"),
        pytest.param(["locale", "status"], id="locale-status"),
    ],
)
def test_a_command_that_shows_says_nothing_is_shown_not_nothing_written(
    cli_invoke: CliInvoke, calendar_repo: Path, command: list[str]
) -> None:
    path = calendar_repo / CAL
    path.write_text(path.read_text(encoding="utf-8").replace("campaigns:", "campaigns: [", 1))
    result = cli_invoke([*command, "--repo", str(calendar_repo)], expect=1)
    assert result.stderr.endswith(
        "error: stopped: 1 error, 0 warnings; nothing is shown until they are fixed\n"
    ), result.stderr


def test_a_calendar_error_elsewhere_hides_no_unknown_campaign(
    cli_invoke: CliInvoke, calendar_repo: Path
) -> None:
    path = calendar_repo / CAL
    text = path.read_text(encoding="utf-8")
    assert "rrule: FREQ=YEARLY" in text
    path.write_text(text.replace("rrule: FREQ=YEARLY", "rrule: FREQ=SOMETIMES", 1))
    folder = next((calendar_repo / "content" / "messages").iterdir())
    typo = calendar_repo / "content" / "messages" / "2072" / "typo.md"
    typo.parent.mkdir()
    message = next(folder.glob("*.md")).read_text(encoding="utf-8")
    typo.write_text(
        re.sub(r"(?m)^id: .*$", "id: typo", message).replace(
            f'campaign: "{folder.name}"', 'campaign: "2072"', 1
        )
    )
    result = cli_invoke(["check", "--repo", str(calendar_repo), "--now", "2026-09-01"], expect=1)
    assert "error CS042" in result.stdout
    assert "content/messages/2072/typo.md:3: error CS020: unknown campaign '2072'" in result.stdout
