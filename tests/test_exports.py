"""calendar.ics and the scheduler CSVs: the round trip, the formats, what a scheduler refuses."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import hypothesis
import pytest
import vobject
from conftest import CliInvoke
from hypothesis import strategies as st

from campaignsync.load.project import load_project
from campaignsync.pack import exports, ical, schedulecsv
from campaignsync.render import zones

EPOCH = 1790000000  # 2026-09-21 14:13:20 UTC
BRUSSELS = ZoneInfo("Europe/Brussels")
NEW_YORK = ZoneInfo("America/New_York")


def ics_text(repo: Path, partner: str | None = None) -> str:
    project, _ = load_project(repo)
    assert project is not None
    return ical.ics(project, "2026", EPOCH, partner).decode("utf-8")


def parse(text: str) -> dict[str, vobject.base.Component]:
    """Parse with vobject (which reads the VTIMEZONEs itself) and index events by UID."""
    cal = vobject.readOne(text)
    return {event.uid.value: event for event in cal.vevent_list}


def test_the_ics_reads_back_with_an_independent_parser(calendar_repo: Path) -> None:
    text = ics_text(calendar_repo)
    events = parse(text)
    domain = "@campaign.example.org"
    assert sorted(events) == sorted(
        f"{uid}{domain}"
        for uid in (
            "campaign-2026",
            "theme-2026-early",
            "theme-2026-late",
            "blackout-2026-20261002",
            "blackout-2026-20261012",
            "offset-2026-1",
            "offset-2026-2",
            "event-data-protection-day",
            "event-safer-internet-day",
            "event-world-password-day",
            "event-fraud-week-2026",
            "message-2026-accounts-eu",
            "message-2026-accounts-us",
            "message-2026-updates-eu",
            "message-2026-updates-us",
        )
    )
    for event in events.values():
        assert event.dtstamp.value == datetime.fromtimestamp(EPOCH, UTC)
    # Slots: at the partner's local time, with its zone, 30 minutes long; the zone's rules
    # come from the file's own VTIMEZONE, so the offsets below check those too.
    slot = events[f"message-2026-updates-eu{domain}"]
    start = slot.dtstart.value
    assert (start.replace(tzinfo=None), start.tzinfo.tzname(start)) == (
        datetime(2026, 10, 27, 15, 0),
        "CET",
    )
    assert start.utcoffset() == timedelta(hours=1)
    assert slot.dtend.value - start == timedelta(minutes=30)
    assert slot.summary.value == "Update your devices (EU partners)"
    assert slot.description.value == (
        "Updates close the holes that criminals use.\n\n"
        "When: 15:00 Brussels (eu) = 10:00 New York (us)\n"
        "Channels: x, linkedin\nLocales: en"
    )
    assert slot.url.value == "https://campaign.example.org/2026/updates"
    us = events[f"message-2026-accounts-us{domain}"].dtstart.value
    assert us == datetime(2026, 10, 6, 10, tzinfo=NEW_YORK)
    assert us.utcoffset() == timedelta(hours=-4)
    # All-day entries: DTEND is exclusive.
    week = events[f"theme-2026-late{domain}"]
    assert (week.dtstart.value, week.dtend.value) == (date(2026, 10, 19), date(2026, 11, 1))
    assert (
        events[f"blackout-2026-20261012{domain}"].summary.value
        == "No publication for us: Columbus Day"
    )
    gap = events[f"offset-2026-2{domain}"]
    assert (gap.dtstart.value, gap.dtend.value) == (date(2026, 10, 25), date(2026, 11, 1))
    assert gap.summary.value == "Brussels is 5 h ahead of New York (usually 6 h)"
    # Recurring observances expand to the known dates; projected ones are tentative.
    sid = events[f"event-safer-internet-day{domain}"]
    assert [d.date() for d in sid.getrruleset(addRDate=True) if d.year <= 2027] == [
        date(2025, 2, 11),
        date(2026, 2, 10),
        date(2027, 2, 9),
    ]
    assert sid.status.value == "CONFIRMED"
    fraud = events[f"event-fraud-week-2026{domain}"]
    assert fraud.summary.value == "International Fraud Awareness Week (to be confirmed)"
    assert fraud.status.value == "TENTATIVE"
    assert (fraud.dtstart.value, fraud.dtend.value) == (date(2026, 11, 15), date(2026, 11, 22))


def test_the_ics_follows_rfc_5545(calendar_repo: Path) -> None:
    text = ics_text(calendar_repo)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
    assert lines.count("BEGIN:VCALENDAR") == lines.count("END:VCALENDAR") == 1  # slots inside
    assert "VERSION:2.0" in lines
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    # Every TZID used has its VTIMEZONE, in a stable order.
    assert [line for line in lines if line.startswith("TZID:")] == [
        "TZID:America/New_York",
        "TZID:Europe/Brussels",
    ]
    assert "DTSTART;TZID=Europe/Brussels:20261006T100000" in lines
    assert "RRULE:FREQ=YEARLY;BYDAY=TU;BYMONTHDAY=5,6,7,8,9,10,11;BYMONTH=2" in lines


def test_the_ics_for_one_partner(calendar_repo: Path) -> None:
    events = parse(ics_text(calendar_repo, "eu"))
    uids = sorted(uid.split("@")[0] for uid in events)
    assert [u for u in uids if u.startswith(("message", "blackout"))] == [
        "blackout-2026-20261002",
        "message-2026-accounts-eu",
        "message-2026-updates-eu",
    ]


def test_the_sample_ics_round_trips(sample_repo: Path) -> None:
    events = parse(ics_text(sample_repo))
    webinar = events["message-2026-transatlantic-webinar-us@campaign.example.org"].dtstart.value
    # 16:00 in Brussels is 11:00 in New York in the last week of October.
    assert webinar.astimezone(BRUSSELS).strftime("%H:%M") == "16:00"
    assert webinar.strftime("%H:%M %Z") == "11:00 EDT"
    project, _ = load_project(sample_repo)
    assert project is not None
    for message in project.messages:
        for partner, when in message.publish:
            start = events[
                f"message-2026-{message.id}-{partner}@campaign.example.org"
            ].dtstart.value
            assert start == when


# --- The scheduler CSVs ----------------------------------------------------------------

US_CSV = (
    "date,time,timezone,local,utc,channel,locale,message,text,link\r\n"
    '2026-10-06,10:00,America/New_York,2026-10-06T10:00-04:00,2026-10-06T14:00Z,linkedin,en,accounts,"Secure your accounts\n\n'
    "Long, unique passwords keep your accounts safe.\n\nUse a password manager.\n\n"
    'https://campaign.example.org/2026/accounts",https://campaign.example.org/2026/accounts\r\n'
    '2026-10-06,10:00,America/New_York,2026-10-06T10:00-04:00,2026-10-06T14:00Z,x,en,accounts,"Long, unique passwords keep your accounts safe.\n\n'
    'https://campaign.example.org/2026/accounts",https://campaign.example.org/2026/accounts\r\n'
    '2026-10-27,10:00,America/New_York,2026-10-27T10:00-04:00,2026-10-27T14:00Z,linkedin,en,updates,"Update your devices\n\n'
    "Updates close the holes that criminals use.\n\nTurn on automatic updates.\n\n"
    'https://campaign.example.org/2026/updates",https://campaign.example.org/2026/updates\r\n'
    '2026-10-27,10:00,America/New_York,2026-10-27T10:00-04:00,2026-10-27T14:00Z,x,en,updates,"Updates close the holes that criminals use.\n\n'
    'https://campaign.example.org/2026/updates",https://campaign.example.org/2026/updates\r\n'
)


def export(cli_invoke: CliInvoke, repo: Path, *args: str, expect: int = 0, now: str = "2026-09-01"):
    return cli_invoke(
        ["calendar", "export", "--repo", str(repo), "--now", now, *args], expect=expect
    )


def test_the_generic_csv(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = export(cli_invoke, calendar_repo, "--format", "csv", "--partner", "us")
    assert result.stdout_bytes.decode("utf-8") == US_CSV
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert [(r["local"], r["channel"], r["message"]) for r in rows] == [
        ("2026-10-06T10:00-04:00", "linkedin", "accounts"),
        ("2026-10-06T10:00-04:00", "x", "accounts"),
        ("2026-10-27T10:00-04:00", "linkedin", "updates"),
        ("2026-10-27T10:00-04:00", "x", "updates"),
    ]


def test_the_eu_csv_is_in_brussels_time(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = export(cli_invoke, calendar_repo, "--format", "csv", "--partner", "eu")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert {(r["date"], r["time"], r["timezone"], r["utc"]) for r in rows} == {
        ("2026-10-06", "10:00", "Europe/Brussels", "2026-10-06T08:00Z"),
        ("2026-10-27", "15:00", "Europe/Brussels", "2026-10-27T14:00Z"),
    }


def test_export_to_a_folder(cli_invoke: CliInvoke, calendar_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    result = export(cli_invoke, calendar_repo, "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        "calendar.ics",
        "schedule-eu.csv",
        "schedule-us.csv",
    ]
    assert result.stdout.splitlines() == [
        f"Wrote {out / name}" for name in ("calendar.ics", "schedule-eu.csv", "schedule-us.csv")
    ]
    assert (out / "schedule-us.csv").read_bytes().decode("utf-8") == US_CSV
    assert result.stderr == ""


def test_the_pack_has_the_same_files(
    cli_invoke: CliInvoke, calendar_repo: Path, tmp_path: Path
) -> None:
    env = {"SOURCE_DATE_EPOCH": str(EPOCH)}
    cli_invoke(["build", "--repo", str(calendar_repo)], env=env)
    cli_invoke(
        ["calendar", "export", "--repo", str(calendar_repo), "--all", "--out", str(tmp_path / "x")],
        env=env,
    )
    for name in ("calendar.ics", "schedule-eu.csv", "schedule-us.csv"):
        assert (calendar_repo / "dist/2026" / name).read_bytes() == (
            tmp_path / "x" / name
        ).read_bytes(), name


def test_out_that_is_a_file_is_refused_like_other_commands_out(
    cli_invoke: CliInvoke, calendar_repo: Path, tmp_path: Path
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine\n")
    result = cli_invoke(
        ["calendar", "export", "--repo", str(calendar_repo), "--out", str(taken)], expect=2
    )
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--out': Directory {str(taken)!r} is a file."
    )
    assert taken.read_text() == "mine\n"


def test_stdout_takes_one_file(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = export(cli_invoke, calendar_repo, expect=2)
    assert result.stderr == (
        "error: this export can make 3 files (calendar.ics, schedule-eu.csv, schedule-us.csv): "
        "write them to a folder with --out DIR, or choose one with --format and --partner\n"
    )
    assert result.stdout == ""
    ics = export(cli_invoke, calendar_repo, "--format", "ics", "--partner", "us")
    assert ics.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"UID:campaign-2026-us@campaign.example.org\r\n" in ics.stdout_bytes


def test_an_unknown_partner(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = export(cli_invoke, calendar_repo, "--partner", "uk", expect=2)
    assert result.stderr == "error: unknown partner 'uk' (partners: eu, us)\n"


# --- Sprout Social ------------------------------------------------------------------


def test_sprout_needs_the_date_order(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    result = export(cli_invoke, calendar_repo, "--format", "sprout", expect=2)
    assert result.stderr.endswith(
        "Error: Sprout Social reads 01/10/2026 as 1 October or as January 10 depending on its "
        "import preferences: say which with --date-order dmy or --date-order mdy\n"
    )


@pytest.mark.parametrize(
    ("order", "first", "second"),
    [
        pytest.param("dmy", "06/10/2026", "27/10/2026", id="day-first"),
        pytest.param("mdy", "10/06/2026", "10/27/2026", id="month-first"),
    ],
)
def test_sprout_files_one_per_profile(
    cli_invoke: CliInvoke, calendar_repo: Path, tmp_path: Path, order: str, first: str, second: str
) -> None:
    out = tmp_path / "sprout"
    export(
        cli_invoke, calendar_repo, "--format", "sprout", "--date-order", order, "--out", str(out)
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "sprout-eu-en-linkedin.csv",
        "sprout-eu-en-x.csv",
        "sprout-us-en-linkedin.csv",
        "sprout-us-en-x.csv",
    ]
    assert (out / "sprout-eu-en-x.csv").read_bytes().decode("utf-8") == (
        "date,time_24hr,message_text\r\n"
        f'{first},10:00,"Long, unique passwords keep your accounts safe.\n\n'
        'https://campaign.example.org/2026/accounts"\r\n'
        f'{second},15:00,"Updates close the holes that criminals use.\n\n'
        'https://campaign.example.org/2026/updates"\r\n'
    )


def _export_x(repo: Path, options: exports.ExportOptions) -> exports.Exported:
    """Export the 2026 campaign's X posts of the project in ``repo``."""
    project, _ = load_project(repo)
    assert project is not None
    from campaignsync import pipeline

    selection = pipeline.select(project, "2026", (), ("x",))
    rendered = pipeline.render_selection(project, selection)
    return exports.export(project, "2026", rendered.outputs, options)


def test_sprout_splits_a_profile_over_its_import_limit(
    calendar_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "SPROUT", replace(exports.SPROUT, max_rows=1))
    options = exports.ExportOptions(formats=("sprout",), partners=("eu",), date_order="dmy")
    result = _export_x(calendar_repo, options)
    assert [f.name for f in result.files] == ["sprout-eu-en-x.csv", "sprout-eu-en-x-2.csv"]
    assert [f.content.count(b"\r\n") for f in result.files] == [
        2,
        2,
    ]  # header + one post of two lines
    assert [f"{d.file}: {d.severity} {d.code}: {d.text}" for d in result.diagnostics] == [
        "sprout-eu-en-x.csv: warning CS115: 2 posts: split into 2 files of at most 1 (Sprout "
        "Social's limit per import; posts already scheduled there count too)"
    ]


# --- Posts a scheduler would refuse -------------------------------------------------


def test_posts_too_soon_are_left_out(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    # 08:05 UTC is five minutes before the EU's 10:00 CEST post.
    result = export(
        cli_invoke, calendar_repo, "--format", "csv", "--partner", "eu", now="2026-10-06T07:55:00"
    )
    assert result.stderr == (
        "schedule-eu.csv: warning CS114: left out 2 posts due before 2026-10-06 08:05 UTC (already "
        "past, or less than 10 minutes away: a scheduler refuses them), from 'accounts' "
        "[en/linkedin] at Tue 6 Oct 10:00 CEST\n"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [r["message"] for r in rows] == ["updates", "updates"]
    kept = export(
        cli_invoke,
        calendar_repo,
        "--format",
        "csv",
        "--partner",
        "eu",
        "--all",
        now="2026-10-06T07:55:00",
    )
    assert kept.stderr == ""
    assert len(list(csv.DictReader(io.StringIO(kept.stdout, newline="")))) == 4
    early = export(
        cli_invoke, calendar_repo, "--format", "csv", "--partner", "eu", now="2026-10-06T07:50:00"
    )
    assert early.stderr == ""


def test_posts_too_close_together_stop_the_export(
    cli_invoke: CliInvoke, calendar_repo: Path, tmp_path: Path
) -> None:
    path = calendar_repo / "content/messages/2026/extra.md"
    path.write_text(
        '---\nid: extra\ncampaign: "2026"\ntheme: early\npartners: [eu]\nchannels: [x]\n'
        "publish: 2026-10-06T10:05:00+02:00\ntitle: Extra\nsummary: One more tip.\n---\nBody.\n"
    )
    out = tmp_path / "out"
    result = export(cli_invoke, calendar_repo, "--out", str(out), expect=1)
    assert result.stderr.splitlines() == [
        "content/messages/2026/extra.md:7: error CS110: schedule-eu.csv: 'extra' is less than 10 minutes after 'accounts' on the same profile; a scheduler refuses it [en/x]",
        "error: stopped: 1 error, 0 warnings; nothing was written",
    ]
    assert not out.exists()


# --- VTIMEZONE: yearly rules that Outlook and dateutil-based readers understand ----------

BRUSSELS_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Brussels\r\n"
    "BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZNAME:CET\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZNAME:CEST\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
)


def test_vtimezones_have_yearly_rules() -> None:
    assert ical.vtimezone("Europe/Brussels", 2025, 2027).to_ical().decode() == BRUSSELS_VTIMEZONE
    new_york = ical.vtimezone("America/New_York", 2025, 2027).to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3\r\n" in new_york
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11\r\n" in new_york


def test_a_zone_without_clock_changes() -> None:
    assert ical.vtimezone("Asia/Kolkata", 2025, 2027).to_ical().decode() == (
        "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZNAME:IST\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def test_a_zone_whose_changes_follow_no_yearly_rule_gets_dates() -> None:
    # Morocco changes its clocks around Ramadan, which moves every year.
    text = ical.vtimezone("Africa/Casablanca", 2025, 2027).to_ical().decode()
    assert "RRULE" not in text
    assert "RDATE:20260322T020000\r\n" in text


@pytest.mark.parametrize("zone", ["Europe/Brussels", "America/New_York", "Australia/Sydney"])
def test_the_vtimezone_reads_back_right_around_every_change(zone: str) -> None:
    # vobject (dateutil's tzical) reads RRULEs but ignores RDATEs, as Outlook does: a zone
    # written with RDATEs only (Africa/Casablanca above) would read back wrong.
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
        + ical.vtimezone(zone, 2025, 2027).to_ical().decode()
        + "END:VCALENDAR\r\n"
    )
    theirs = vobject.readOne(text).vtimezone.gettzinfo()
    ours = ZoneInfo(zone)
    moments = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n) for n in range(2 * 1252)]
    for change in zones.changes(zone, date(2026, 1, 1), date(2027, 12, 31)):
        moments += [change.instant - timedelta(minutes=1), change.instant + timedelta(minutes=1)]
    for moment in moments:
        assert moment.astimezone(theirs).utcoffset() == moment.astimezone(ours).utcoffset(), moment


def test_untranslated_posts_are_left_out_of_scheduler_files(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    result = export(cli_invoke, small_repo, "--all", "--format", "csv", "--out", str(out))
    # nl is deliberately partial: its untranslated posts would go out in English.
    assert "schedule-eu.csv: warning CS116: left out " in result.stderr
    assert "of eu that are not fully translated (nl)" in result.stderr
    # To standard output, what makes several files is a usage error before any work: no
    # warning about posts the export would have made.
    several = export(cli_invoke, small_repo, "--all", expect=2)
    assert several.stderr == (
        "error: this export can make 3 files (calendar.ics, schedule-eu.csv, schedule-us.csv): "
        "write them to a folder with --out DIR, or choose one with --format and --partner\n"
    )
    lanes = export(cli_invoke, small_repo, "--all", "--format", "buffer", "--partner", "eu",
                   "--format", "ics", expect=2)  # fmt: skip
    assert lanes.stderr.startswith(
        "error: this export can make at least 2 files (calendar-eu.ics, buffer-eu-*.csv): "
    )
    rows = list(csv.DictReader(io.StringIO((out / "schedule-eu.csv").read_text(encoding="utf-8"))))
    nl = {(r["message"], r["channel"]) for r in rows if r["locale"] == "nl"}
    assert ("kickoff", "x") in nl  # translated
    assert ("passphrase-tip", "x") not in nl  # not translated
    assert all(r["locale"] != "nl" or "Long beats complicated" not in r["text"] for r in rows)


def test_sprout_files_only_for_networks_sprout_has(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sprout"
    export(cli_invoke, small_repo, "--all", "--format", "sprout", "--date-order", "dmy",
           "--out", str(out))  # fmt: skip
    names = {p.name for p in out.iterdir()}
    assert "sprout-eu-de-x.csv" in names and "sprout-us-es-US-bluesky.csv" in names
    assert not [n for n in names if n.endswith(("-sms.csv", "-mastodon.csv"))]


PAST = (
    "every post is due before 2026-12-01 00:10 UTC (already past, or less than 10 minutes "
    "away: a scheduler refuses them); --all exports them anyway"
)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--format", "sprout", "--date-order", "dmy"], id="sprout"),
        pytest.param(["--format", "csv"], id="csv"),
        pytest.param([], id="ics-and-csv"),
        pytest.param(["--format", "csv", "--partner", "us"], id="csv-one-partner"),
        pytest.param(
            ["--format", "sprout", "--date-order", "mdy", "--partner", "eu"], id="sprout-eu"
        ),
    ],
)
def test_an_export_after_the_campaign_writes_nothing_and_says_why(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, args: list[str]
) -> None:
    out = tmp_path / "late"
    result = export(cli_invoke, small_repo, *args, "--out", str(out), now="2026-12-01", expect=1)
    alone = ", --format ics the calendar alone" if not args else ""  # (the calendar was asked)
    assert result.stderr.splitlines()[-1] == (
        f"error: nothing to export: {PAST}{alone}; nothing was written"
    )
    assert "CS114" not in result.stderr  # said once, in the error
    assert result.stdout == ""
    assert not out.exists()


def test_an_export_to_stdout_after_the_campaign_prints_nothing(
    cli_invoke: CliInvoke, calendar_repo: Path
) -> None:
    result = export(
        cli_invoke, calendar_repo, "--format", "csv", "--partner", "us", now="2026-12-01",
        expect=1,
    )  # fmt: skip
    assert result.stderr == f"error: nothing to export: {PAST}; nothing was written\n"
    assert result.stdout == ""


def test_the_ics_alone_keeps_past_events(cli_invoke: CliInvoke, calendar_repo: Path) -> None:
    # A calendar app shows past events; only schedulers refuse past posts.
    result = export(cli_invoke, calendar_repo, "--format", "ics", now="2026-12-01")
    assert result.stdout.count("BEGIN:VEVENT") > 4


def test_a_partner_with_no_post_left_gets_no_file(
    cli_invoke: CliInvoke, calendar_repo: Path, tmp_path: Path
) -> None:
    path = calendar_repo / "content/messages/2026/updates.md"
    path.write_text(path.read_text().replace("us: 2026-10-27T10:00", "us: 2026-10-20T10:00"))
    out = tmp_path / "out"
    result = export(
        cli_invoke, calendar_repo, "--format", "csv", "--out", str(out), now="2026-10-21"
    )
    assert sorted(p.name for p in out.iterdir()) == ["schedule-eu.csv"]
    assert result.stdout == f"Wrote {out / 'schedule-eu.csv'}\n"
    assert result.stderr.splitlines() == [
        "schedule-eu.csv: warning CS114: left out 2 posts due before 2026-10-21 00:10 UTC (already "
        "past, or less than 10 minutes away: a scheduler refuses them), from 'accounts' "
        "[en/linkedin] at Tue 6 Oct 10:00 CEST",
        "schedule-us.csv: warning CS117: not written: all 4 of its posts are due before "
        "2026-10-21 00:10 UTC (already past, or less than 10 minutes away: a scheduler refuses "
        "them); --all exports them anyway",
    ]


def test_a_post_over_its_limit_stops_the_export_at_the_line_to_shorten(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path
) -> None:
    path = sample_repo / "content" / "messages" / "2026" / "smishing-phone-scams.md"
    path.write_text(
        path.read_text().replace(
            '  x: "A text about', '  x: "' + "Very long. " * 25 + "A text about"
        )
    )
    args = ["--all", "--format", "csv", "--out", str(tmp_path / "o")]
    result = export(cli_invoke, sample_repo, *args, expect=1)
    assert (
        "content/messages/2026/smishing-phone-scams.md:13: error CS201: schedule-us.csv: the post is "
        in result.stderr
    )
    assert not (tmp_path / "o").exists()


def test_a_post_over_blueskys_byte_limit_stops_the_export(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path
) -> None:
    # 150 family emoji: 150 graphemes (of 300) but 3,750 UTF-8 bytes (of 3,000).
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    path = sample_repo / "content" / "messages" / "2026" / "smishing-phone-scams.md"
    path.write_text(
        path.read_text().replace("posts:\n", f'posts:\n  bluesky: "{family * 150}"\n', 1),
        encoding="utf-8",
    )
    args = ["--all", "--format", "csv", "--out", str(tmp_path / "o")]
    result = export(cli_invoke, sample_repo, *args, expect=1)
    assert (
        "content/messages/2026/smishing-phone-scams.md:13: error CS201: schedule-us.csv: the "
        "post is 819 UTF-8 bytes over the Bluesky limit of 3000; a scheduler refuses it"
    ) in result.stderr


def test_an_sms_that_needs_more_segments_than_allowed_stops_the_export(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path
) -> None:
    # 306 septets fit 2 segments by length, but the € (an escape pair) at septets 153-154
    # may not be split, so the SMS needs 3.
    config = sample_repo / "campaignsync.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("max_segments = 3", "max_segments = 2"),
        encoding="utf-8",
    )
    path = sample_repo / "content" / "messages" / "2026" / "smishing-phone-scams.md"
    link = "https://campaign.example.org/2026/smishing-phone-scams"
    post = "a" * 152 + "€" + "b" * (306 - 154 - 1 - len(link))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(text.split("  sms: ", 1)[1].split("\n", 1)[0], f'"{post}"'),
        encoding="utf-8",
    )
    args = ["--all", "--format", "csv", "--out", str(tmp_path / "o")]
    result = export(cli_invoke, sample_repo, *args, expect=1)
    assert (
        "content/messages/2026/smishing-phone-scams.md:14: error CS201: schedule-us.csv: the "
        "SMS needs 3 segments, more than channels.sms.max_segments allows"
    ) in result.stderr
    assert not (tmp_path / "o").exists()


def test_buffer_files_one_per_channel_with_buffers_columns(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "buffer"
    export(cli_invoke, small_repo, "--format", "buffer", "--partner", "eu", "--out", str(out))
    names = sorted(p.name for p in out.iterdir())
    # One file per Buffer channel: a network in one locale (no SMS: Buffer has none).
    assert "buffer-eu-de-x.csv" in names and "buffer-eu-de-mastodon.csv" in names
    assert not [n for n in names if "sms" in n or "email" in n or "-us-" in n]
    data = (out / "buffer-eu-de-x.csv").read_bytes().decode("utf-8")
    assert data.startswith("Text,Image URL,Tags,Posting Time\r\n")
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    assert all(re.fullmatch(r"2026-10-\d\d \d\d:\d\d", r["Posting Time"]) for r in rows)
    assert all(r["Tags"] == "" for r in rows)
    kickoff = next(r for r in rows if r["Text"].startswith("Den ganzen Oktober"))
    # The partner's clock, the German page with the channel's tracking, the published image.
    assert kickoff["Posting Time"] == "2026-10-01 10:00"
    assert (
        "https://campaign.example.org/2026/de/web/kickoff.html?utm_source=x&utm_medium=social"
        "&utm_campaign=2026&utm_content=de_kickoff" in kickoff["Text"]
    )
    assert kickoff["Image URL"] == "https://campaign.example.org/2026/assets/kickoff.png"


def test_buffer_splits_a_channel_over_its_file_limit(
    calendar_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BUFFER", replace(exports.BUFFER, max_rows=1))
    options = exports.ExportOptions(formats=("buffer",), partners=("eu",))
    result = _export_x(calendar_repo, options)
    assert [f.name for f in result.files] == ["buffer-eu-en-x.csv", "buffer-eu-en-x-2.csv"]
    assert [f"{d.file}: {d.severity} {d.code}: {d.text}" for d in result.diagnostics] == [
        "buffer-eu-en-x.csv: warning CS115: 2 posts: split into 2 files of at most 1 (Buffer's "
        "limit per file on paid plans; 10 on the Free plan)"
    ]


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.given(
    st.lists(
        st.lists(st.text(alphabet=st.sampled_from("ab ,\"\r\n\t;é\x00'\\"), max_size=8)),
        max_size=6,
    )
)
def test_the_csv_files_are_what_the_csv_module_writes(lines: list[list[str]]) -> None:
    """schedulecsv joins fields itself, quoting as ``csv.writer`` does, byte for byte."""
    header = ("date", "text")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    assert schedulecsv._csv(header, [tuple(line) for line in lines]) == buffer.getvalue().encode()


@pytest.mark.parametrize(
    ("formats", "named"),
    [
        pytest.param(["buffer"], ["buffer-eu-*.csv"], id="buffer"),
        pytest.param(["sprout", "buffer"], ["sprout-eu-*.csv", "buffer-eu-*.csv"], id="both"),
        pytest.param(["csv", "sprout"], ["schedule-eu.csv", "sprout-eu-*.csv"], id="csv-sprout"),
    ],
)
def test_the_untranslated_posts_warning_names_the_files_written(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, formats: list[str], named: list[str]
) -> None:
    out = tmp_path / "export"
    chosen = [arg for f in formats for arg in ("--format", f)] + ["--date-order", "dmy"]
    result = export(cli_invoke, small_repo, "--all", *chosen, "--partner", "eu", "--out", str(out))
    left = dict(re.findall(r"(?m)^(\S+): warning CS116: left out (\d+) post", result.stderr))
    assert list(left) == named, result.stderr
    if "csv" not in formats:
        assert "schedule-eu.csv" not in result.stderr + result.stdout
        assert not (out / "schedule-eu.csv").exists()
    else:  # Sprout takes fewer channels than the generic CSV: fewer of its posts are left out
        assert 0 < int(left["sprout-eu-*.csv"]) < int(left["schedule-eu.csv"])
