"""A template edited renders again the channels that render from it, and no other."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import CliInvoke
from test_incremental import same_as_clean, tree

from campaignsync.cli import cli
from campaignsync.render import engine
from campaignsync.render.templatefiles import channel_digests

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}


def rendered_channels(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the list every channel rendered from now on is added to (one process: --jobs 1)."""
    seen: list[str] = []
    files = engine.Renderer._files

    def noted(self: engine.Renderer, spec: Any, *args: Any) -> Any:
        seen.append(spec.name)
        return files(self, spec, *args)

    monkeypatch.setattr(engine.Renderer, "_files", noted)
    return seen


def rendered_locales(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Return the list every (locale, channel) rendered from now on is added to."""
    seen: list[tuple[str, str]] = []
    files = engine.Renderer._files

    def noted(self: engine.Renderer, spec: Any, values: Any, strings: Any, tag: str,
              *args: Any) -> Any:  # fmt: skip
        seen.append((tag, spec.name))
        return files(self, spec, values, strings, tag, *args)

    monkeypatch.setattr(engine.Renderer, "_files", noted)
    return seen


def checked_messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the list every message checked from now on is added to (one process)."""
    from campaignsync.pipeline import rechecking

    checked: list[str] = []
    real = rechecking.check_message

    def noted(project: Any, campaign: str, outputs: Any, lookups: Any) -> Any:
        checked.extend({o.message for o in outputs})
        return real(project, campaign, outputs, lookups)

    monkeypatch.setattr(rechecking, "check_message", noted)
    return checked


def edit(template: Path) -> None:
    """Change what a template renders: a word before its first line's end."""
    text = template.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if "{%" in first:  # keep an ``extends`` the first thing in it
        first, _, rest = rest.partition("\n")
        text = text.partition("\n")[0] + "\n"
    else:
        text = ""
    template.write_text(f"{text}{first} Edited.\n{rest}", encoding="utf-8")


@pytest.mark.parametrize(
    ("template", "channels"),
    [
        ("x.txt.j2", {"x"}),
        ("bluesky.txt.j2", {"bluesky"}),  # its card is its unit's first: the section's
        ("email.txt.j2", {"email"}),
        ("_base.html.j2", {"web", "press"}),  # both extend it
    ],
)
def test_a_template_edited_renders_its_channels_again_and_the_pack_is_a_clean_builds(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    channels: set[str],
) -> None:
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    edit(small_repo / "templates" / template)
    seen = rendered_channels(monkeypatch)
    cli_invoke(build, env=EPOCH)
    assert set(seen) == channels
    again, seen[:] = list(seen), []
    clean = tmp_path / "clean"
    cli_invoke([*build, "--out", str(clean)], env=EPOCH)
    assert again == [c for c in seen if c in channels]  # in every unit that has them
    assert tree(small_repo / "dist" / "2026") == tree(clean / "2026")
    assert (small_repo / "dist" / "2026.zip").read_bytes() == (clean / "2026.zip").read_bytes()


def test_check_after_a_template_edit_renders_its_channel_and_finds_what_a_clean_check_finds(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = ["check", "--repo", str(small_repo), "--jobs", "1", "--now", "2026-09-01"]
    cli_invoke(check)
    x = small_repo / "templates" / "x.txt.j2"
    x.write_text(x.read_text(encoding="utf-8") + ("Far too long for a post. " * 12), "utf-8")
    seen = rendered_channels(monkeypatch)
    after = cli_invoke(check, expect=1)
    assert set(seen) == {"x"}
    assert "over the X limit of 280" in after.stdout
    as_clean_check(small_repo, tmp_path, check, after)  # (a copy with no cache at all)
    # Then a build from the units the check kept (rendered for it, without cards).
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")


def replaced(path: Path, before: str, after: str) -> None:
    """Replace the first ``before`` in a file (which must hold it) by ``after``."""
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, after, 1), encoding="utf-8")


def as_clean_check(repo: Path, tmp_path: Path, check: list[str], said: Result) -> None:
    """Assert that ``said`` (``check`` of ``repo``) is what a copy with no cache is told."""
    fresh = tmp_path / "fresh"
    shutil.copytree(repo, fresh, ignore=shutil.ignore_patterns("dist"))
    clean = CliRunner().invoke(cli, [*check[:2], str(fresh), *check[3:]])
    assert said.stdout.replace(str(repo), "") == clean.stdout.replace(str(fresh), "")
    assert said.exit_code == clean.exit_code


@pytest.mark.parametrize(
    ("before", "after", "channels"),
    [
        ("max_segments = 3", "max_segments = 1", {"sms"}),
        ("[channels.email]\n", "[channels.email]\ntracking = false\n", {"email"}),
        ("[channels.sms]", "[channels.mastodon]\nlimit = 300\n\n[channels.sms]", {"mastodon"}),
    ],
    ids=["sms-segments", "email-tracking", "mastodon-limit"],
)
def test_a_channels_own_settings_edited_render_that_channel_again_as_a_clean_build_and_check_would(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
    channels: set[str],
) -> None:
    """A channel's table in the config (its limits, sender, tracking) is what that channel
    renders from, as its templates are: the other channels' outputs are taken as they were.
    What check finds is what a check with no cache finds (SMS in one segment: over it)."""
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    check = ["check", "--repo", str(small_repo), "--jobs", "1", "--now", "2026-09-01"]
    cli_invoke(build, env=EPOCH)
    checked = CliRunner().invoke(cli, check)
    assert checked.exit_code in (0, 1), checked.output  # (1: errors found)
    replaced(small_repo / "campaignsync.toml", before, after)
    seen = rendered_channels(monkeypatch)
    said = CliRunner().invoke(cli, check)
    assert set(seen) == channels
    seen.clear()
    cli_invoke(build, env=EPOCH)
    assert not seen  # the check rendered them: the build takes them
    as_clean_check(small_repo, tmp_path, check, said)
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")
    assert (small_repo / "dist" / "2026.zip").read_bytes() == (
        tmp_path / "clean" / "2026.zip"
    ).read_bytes()


def test_a_channels_tracking_edited_changes_the_schedule_csvs_links_where_its_posts_print_none(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    """A scheduler CSV's row names the channel's link (tracked or not) even where the post
    does not print it: the rows kept from the last build are not taken then."""
    replaced(small_repo / "templates" / "mastodon.txt.j2", "{{ message.link }}", "")
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    config = small_repo / "campaignsync.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "\n[channels.mastodon]\ntracking = false\n", encoding="utf-8")
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")
    csv = (small_repo / "dist" / "2026" / "schedule-eu.csv").read_text(encoding="utf-8")
    assert "mastodon" in csv and "utm_source=mastodon" not in csv


class _Unread:
    """A setting's value that fails the test as soon as anything reads it."""

    def _read(self, *_: object) -> Any:
        raise AssertionError("a setting left out of the render cache's key was read")

    __getattr__ = __iter__ = __bool__ = __eq__ = __hash__ = __len__ = __contains__ = _read
    __str__ = __repr__ = __format__ = __lt__ = __getitem__ = _read


def test_no_unit_reads_the_settings_left_out_of_the_render_caches_key(small_repo: Path) -> None:
    """What ``keys.NOT_RENDERED`` and ``PARTNER_NOT_RENDERED`` name, and the calendar but
    what ``keys.rendered_calendar`` keeps of the campaign built, each replaced by a value
    that fails when read: every unit of the sample renders all the same (its outputs
    hashed, deflated and drawn on cards, as a build's). The catalogs are read with the real
    config."""
    from dataclasses import replace

    from campaignsync.l10n.localize import localize
    from campaignsync.load.project import load_project
    from campaignsync.pack import keys
    from campaignsync.pipeline.catalogs import read_catalogs
    from campaignsync.pipeline.selection import select
    from campaignsync.pipeline.workers import render_selection, units_of
    from campaignsync.render.context import template_context

    project, _ = load_project(small_repo)
    selection = select(project, None)
    catalogs = read_catalogs(project, selection, None)
    config = _unread_config(project.config, keys.NOT_RENDERED)
    blind = replace(project, config=config, calendar=_unread_calendar(project, selection.campaign))
    rendered = render_selection(blind, select(blind, None), prepare=True, loaded=catalogs)
    for message in blind.messages:  # all a template may print of the calendar, printed
        localized = localize(message, config.source_locale, config, catalogs[0])
        values = template_context(blind, localized)
        assert message.campaign in repr((values["campaign"], values["theme"]))
    assert not rendered.halted and not [d for d in rendered.diagnostics if d.is_error]
    assert len({(o.locale, o.message) for o in rendered.outputs}) == len(
        units_of(project, selection)
    )
    assert rendered.drawn and len(rendered.members) >= len(rendered.outputs)


def _unread_config(config: Any, names: tuple[str, ...]) -> Any:
    """Return the config with the settings ``names`` and each partner's of
    ``keys.PARTNER_NOT_RENDERED`` replaced by values that fail when read."""
    from dataclasses import replace

    from campaignsync.pack import keys

    partners = tuple(replace(p, **dict.fromkeys(keys.PARTNER_NOT_RENDERED, _Unread()))
                     for p in config.partners)  # fmt: skip
    return replace(config, partners=partners, **{name: _Unread() for name in names})


def _unread_calendar(project: Any, campaign: str) -> Any:
    """Return the calendar but what ``keys.rendered_calendar`` keeps of ``campaign``, each
    value replaced by one that fails when read."""
    from dataclasses import replace

    gone = dict.fromkeys(("line", "start", "end"), _Unread())  # (of a theme week)
    campaigns = tuple(
        replace(c, freeze=_Unread(), blackouts=_Unread(), line=_Unread(),
                themes=tuple(replace(t, **gone) for t in c.themes))
        if c.id == campaign  # (another campaign's all but its id)
        else replace(c, name=_Unread(), start=_Unread(), end=_Unread(), freeze=_Unread(),
                     blackouts=_Unread(), line=_Unread(), themes=_Unread())
        for c in project.calendar.campaigns
    )  # fmt: skip
    return replace(project.calendar, path=_Unread(), events=_Unread(), campaigns=campaigns)


def test_the_message_checks_read_none_of_what_their_findings_are_not_keyed_on(
    small_repo: Path,
) -> None:
    """Their findings are kept under the calendar as units read it and the config but
    ``keys.NOT_CHECKED_PER_MESSAGE`` (``keys.PackKeys.pack``): run with the rest replaced
    by values that fail when read, they find what they find with the real ones, and find
    something (the sample's text messages held to one segment)."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from campaignsync import checks
    from campaignsync.load.project import load_project
    from campaignsync.pack import keys
    from campaignsync.pipeline.selection import select
    from campaignsync.pipeline.workers import render_selection

    replaced(small_repo / "campaignsync.toml", "max_segments = 3", "max_segments = 1")
    project, _ = load_project(small_repo)
    selection = select(project, None)
    rendered = render_selection(project, selection, prepare=True)
    now = datetime(2026, 9, 20, tzinfo=UTC)
    found = []
    config = _unread_config(project.config, keys.NOT_CHECKED_PER_MESSAGE)
    blind = replace(project, config=config, calendar=_unread_calendar(project, "2026"))
    for seen in (project, blind):
        data = checks.CheckInput(seen, "2026", rendered.outputs, rendered.lookups, now)
        found.append(checks.run_checks(data, per_message=True))
    assert found[0] and found[1] == found[0]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("[links]", '[schedule]\nweekly_channels = ["sms", "x"]\n\n[links]'),
        ("[links]", "[schedule]\nmin_spacing_minutes = 20160\n\n[links]"),  # (errors)
        ("[links]", "[readability]\nmin_words = 20\nmin_ease = 95\n\n[links]"),
        ("[links]", '[checks]\nignore = ["CS111"]\n\n[links]'),
        ('"campaign.example.org"]', '"campaign.example.org", "password"]'),
        ('business_hours = "09:00-17:00"', 'business_hours = "13:00-14:00"'),
        ('required_locales = ["en", "de", "fr"', 'required_locales = ["en", "nl", "de", "fr"'),
        (
            'business_hours = "09:00-17:00"',
            'business_hours = "09:00-17:00"\nbusiness_days = "sat-sun"',
        ),
    ],
    ids=[
        "weekly",
        "spacing",
        "readability",
        "ignore",
        "protected-terms",
        "hours",
        "required",
        "days",
    ],
)
def test_the_checks_settings_edited_render_nothing_again_and_check_and_build_do_as_clean_ones(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
) -> None:
    """No unit reads the checks' settings as it renders (``keys.NOT_RENDERED``): edited,
    every unit is taken from the render cache, and what check says and the pack (whose
    gallery lists what needs attention) are those of a repository with no cache."""
    edit = ("campaignsync.toml", before, after)
    assert unrendered_edit(cli_invoke, small_repo, tmp_path, monkeypatch, edit, "2026-10-01")


def unrendered_edit(
    cli_invoke: CliInvoke,
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str, str] | Callable[[], object],
    now: str,
) -> bool:
    """Build, edit a file (its path, a text and what replaces it), check and build again.

    Assert that nothing rendered again, that no message was checked again, and that what
    check says and the pack are those of a repository with no cache. Return whether the
    edit changed what check says. ``edit`` may be a call that edits instead (a command).
    """
    build = ["build", "--repo", str(repo), "--jobs", "1"]
    check = ["check", "--repo", str(repo), "--jobs", "1", "--now", now]
    cli_invoke(build, env=EPOCH)
    was = CliRunner().invoke(cli, check)
    if callable(edit):
        edit()
    else:
        replaced(repo / edit[0], *edit[1:])
    seen = rendered_channels(monkeypatch)
    checked = checked_messages(monkeypatch)
    said = CliRunner().invoke(cli, check)
    built = CliRunner().invoke(cli, build, env=EPOCH)
    monkeypatch.undo()  # (the clean check and build below render and check every message)
    assert seen == []
    assert checked == []
    as_clean_check(repo, tmp_path, check, said)
    again = CliRunner().invoke(cli, [*build, "--out", str(tmp_path / "clean")], env=EPOCH)
    assert built.exit_code == again.exit_code
    if again.exit_code == 0:
        assert tree(repo / "dist" / "2026") == tree(tmp_path / "clean" / "2026")
    else:  # (errors the checks find: no pack either way, and the same said)
        assert built.output == again.output
    return said.stdout != was.stdout


def test_a_locale_no_partner_publishes_yet_renders_nothing_again_and_check_and_build_do_as_clean_ones(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``locale add`` lists a locale and makes its catalog for its translators; no message
    is published in it until a partner is, and no unit reads it meanwhile: nothing renders
    again, and no message is checked again. Once a partner publishes in it, its units
    render, and of the others only the channel whose template lists each page's language
    versions (web); the pack is a clean build's, and so after the locale is dropped."""
    added = ["locale", "add", "sv", "--repo", str(small_repo)]
    unrendered_edit(
        cli_invoke, small_repo, tmp_path, monkeypatch, lambda: cli_invoke(added), "2026-09-20"
    )
    config = small_repo / "campaignsync.toml"
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    for step, (before, after) in enumerate((('"pt-PT"]', '"pt-PT", "sv"]'),
                                             ('"pt-PT", "sv"]', '"pt-PT"]'))):  # fmt: skip
        replaced(config, before, after)
        seen = rendered_locales(monkeypatch)
        cli_invoke(build, env=EPOCH)
        monkeypatch.undo()
        assert {channel for tag, channel in seen if tag != "sv"} == {"web"}
        if "sv" in after:  # (its units are new: each renders whole)
            assert {channel for tag, channel in seen if tag == "sv"} >= {"x", "email", "web"}
        same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / f"clean{step}")
        published = {p.name for p in (small_repo / "dist" / "2026").iterdir()}
        assert ("sv" in published) is ("sv" in after)


def test_a_locales_fallbacks_edited_render_its_units_again_and_the_pack_is_a_clean_builds(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit reads its own locale's settings and those of the locales it falls back to
    (``keys.locale_views``): US Spanish no longer reading Spain's renders the US Spanish
    units again, whole, and no other; what the pack lists of them (the manifest, the
    scheduler files) is made again too (``keys.PackKeys.kept``)."""
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    po = small_repo / "locales" / "es_US" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")  # a title US Spanish takes from Spain's Spanish
    title = re.search(r'msgctxt "kickoff:title"\nmsgid ".*"\nmsgstr "(.+)"', text)
    assert title is not None
    po.write_text(text[: title.start(1)] + text[title.end(1) :], encoding="utf-8")
    cli_invoke(build, env=EPOCH)
    replaced(small_repo / "campaignsync.toml", 'es-US = ["es"]\n', "")
    seen = rendered_locales(monkeypatch)
    cli_invoke(build, env=EPOCH)
    monkeypatch.undo()
    assert {tag for tag, _ in seen} == {"es-US"}
    assert {channel for _, channel in seen} >= {"x", "email", "web"}
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")


def test_a_locale_another_partner_publishes_in_renders_its_units_as_that_partners(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit reads the partner that publishes its message in its locale (its time zone,
    its dateline): Dutch moved from the EU partners to the US ones renders the Dutch units
    again whole, and of the others only the web pages (their language versions)."""
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    config = small_repo / "campaignsync.toml"
    replaced(config, '"nl", "pt-PT"]', '"pt-PT"]')
    replaced(config, 'locales = ["en-US", "es-US"]', 'locales = ["en-US", "es-US", "nl"]')
    seen = rendered_locales(monkeypatch)
    cli_invoke(build, env=EPOCH)
    monkeypatch.undo()
    assert {channel for tag, channel in seen if tag != "nl"} == {"web"}
    assert {channel for tag, channel in seen if tag == "nl"} >= {"x", "email", "web"}
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")


@pytest.mark.parametrize(
    ("before", "after", "found"),
    [
        ("blackout: []", "blackout: [2026-10-14]", True),  # (a message published then)
        ("freeze: 2026-09-15", "freeze: 2026-09-30", False),
        ("start: 2026-10-12, end: 2026-10-18", "start: 2026-10-15, end: 2026-10-18", True),
        (
            "events:\n",
            "events:\n  - id: test-day\n    name: Test Day\n    start: 2026-10-05\n",
            True,  # (the lines after it move)
        ),
        ("# The joint", "# Kept in git.\n# The joint", True),  # (the lines findings name move)
        ("Month 2027\n", "Month 2027 (draft)\n", False),  # (another campaign's)
        (
            "themes: []",
            "themes:\n      - {id: scams, name: Scams, start: 2027-10-01, end: 2027-10-10}",
            False,
        ),
    ],
    ids=["blackout", "freeze", "theme-dates", "observance", "lines", "2027-name", "2027-theme"],
)
def test_a_calendar_edit_no_unit_reads_renders_nothing_again_and_check_and_build_do_as_clean_ones(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
    found: bool,
) -> None:
    """A unit reads its campaign's name and dates and its theme's name
    (``keys.rendered_calendar``); blackout days, freeze dates, observances and theme weeks'
    dates are the checks', the calendar file's and the gallery's."""
    edit = ("content/calendar.yaml", before, after)
    assert (
        unrendered_edit(cli_invoke, small_repo, tmp_path, monkeypatch, edit, "2026-09-20") is found
    )


@pytest.mark.parametrize(
    ("edit", "again"),
    [
        (("campaignsync.toml", "[links]", '[checks]\nignore = ["CS111"]\n\n[links]'), False),
        (("campaignsync.toml", 'business_hours = "09:00-17:00"', 'business_hours = "13:00-14:00"'),
         False),
        (("campaignsync.toml", "[links]", "[schedule]\nmin_spacing_minutes = 600\n\n[links]"),
         False),
        (("campaignsync.toml", '"campaign.example.org"]', '"campaign.example.org", "password"]'),
         False),
        (("content/calendar.yaml", "blackout: []", "blackout: [2026-10-14]"), False),
        (("campaignsync.toml", "[links]", "[readability]\nmin_words = 20\n\n[links]"), False),
        (("campaignsync.toml", "[links]", "[accessibility]\nmax_emoji = 0\n\n[links]"), True),
    ],
    ids=["ignore", "hours", "spacing", "protected-terms", "blackout", "readability", "emoji"],
)  # fmt: skip
def test_check_after_an_edit_the_message_checks_do_not_read_checks_no_message_again(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str, str],
    again: bool,
) -> None:
    """The message checks' findings are kept under what they read (``keys.checked_part``):
    silencing a code, a partner's business hours, the schedule's spacing, a protected term,
    a blackout day or the plain-language bar (CS401 and CS402 read the long texts' counts
    kept with each message's findings) edited checks across messages alone; the emoji a
    post may carry, which they read, checks every message again. What check says is a clean
    check's."""
    check = ["check", "--repo", str(small_repo), "--jobs", "1", "--now", "2026-09-20"]
    CliRunner().invoke(cli, check)
    replaced(small_repo / edit[0], *edit[1:])
    checked = checked_messages(monkeypatch)
    said = CliRunner().invoke(cli, check)
    assert said.exit_code in (0, 1), said.output
    assert bool(checked) is again
    if again:
        assert sorted(checked) == sorted(p.stem for p in small_repo.glob("content/**/*.md"))
    as_clean_check(small_repo, tmp_path, check, said)


def test_a_plain_language_bar_raised_names_each_hardest_paragraph_as_kept(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each source text's hardest paragraph is kept with its message's findings: a bar
    that every body misses makes check report CS401 for each at the line a clean check
    names, working out no paragraph again (``longtexts.hardest`` is not called)."""
    from campaignsync.l10n import longtexts

    check = ["check", "--repo", str(small_repo), "--jobs", "1", "--now", "2026-09-20"]
    CliRunner().invoke(cli, check)
    strict = "[readability]\nmin_words = 20\nmin_ease = 95\n\n[links]"
    replaced(small_repo / "campaignsync.toml", "[links]", strict)
    worked_out: list[str] = []
    real = longtexts.hardest

    def noted(blocks: Any, language: str) -> int:
        worked_out.append(language)
        return real(blocks, language)

    monkeypatch.setattr(longtexts, "hardest", noted)
    said = CliRunner().invoke(cli, check)
    assert said.stdout.count("CS401") >= 2, said.output
    assert worked_out == []
    monkeypatch.undo()
    as_clean_check(small_repo, tmp_path, check, said)


@pytest.mark.parametrize(
    ("edit", "drawn"),
    [
        (("content/calendar.yaml", "freeze: 2026-09-15", "freeze: 2026-09-30"), {"calendar.ics"}),
        (
            ("content/calendar.yaml", "blackout: []", "blackout: [2026-10-14]"),
            {"calendar.ics", "preview/messages/mfa-email-first.html"},  # (published that day)
        ),
        (
            (
                "campaignsync.toml",
                'business_hours = "09:00-17:00"',
                'business_hours = "13:00-14:00"',
            ),
            {"preview/messages/kickoff.html", "preview/messages/wrap-up.html"},  # (out of hours)
        ),
        (("campaignsync.toml", "[links]", "[readability]\nmin_words = 20\n\n[links]"), set()),
    ],
    ids=["freeze", "blackout", "hours", "readability"],
)
def test_a_calendar_or_checks_edit_draws_again_only_the_gallery_files_that_show_it(
    cli_invoke: CliInvoke,
    small_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: tuple[str, str, str],
    drawn: set[str],
) -> None:
    """The files kept from the last pack are keyed on what units read of the config and the
    calendar: a blackout day or business hours edited draw again the calendar file and the
    pages of the messages whose schedule findings changed, not every page and email copy."""
    from campaignsync.pack.kept import Kept

    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    replaced(small_repo / edit[0], *edit[1:])
    made: list[str] = []
    put = Kept.put

    def noted(self: Kept, path: str, *args: Any) -> None:
        made.append(path)
        put(self, path, *args)

    monkeypatch.setattr(Kept, "put", noted)
    cli_invoke(build, env=EPOCH)
    assert set(made) == drawn


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("name: Turn on multi-factor authentication", "name: Use a second factor"),
        ("start: 2026-10-01\n    end: 2026-10-31", "start: 2026-09-30\n    end: 2026-10-31"),
    ],
    ids=["theme-name", "campaign-dates"],
)
def test_a_calendar_edit_a_unit_reads_renders_it_again_as_a_clean_build_would(
    cli_invoke: CliInvoke,
    small_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
) -> None:
    """A template may print its campaign's dates and its theme's name: edited, every unit
    renders again."""
    shown = "{{ campaign.start }} {{ campaign.end }} {{ theme.name if theme }}"
    replaced(small_repo / "templates" / "_base.html.j2", "{{ campaign.id }}",
             f"{{{{ campaign.id }}}} {shown}")  # fmt: skip
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    replaced(small_repo / "content" / "calendar.yaml", before, after)
    seen = rendered_channels(monkeypatch)
    cli_invoke(build, env=EPOCH)
    assert {"web", "press"} <= set(seen)
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")


def test_templates_edited_one_after_the_other_each_give_a_clean_builds_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    # The first card of a unit carries its section of the locale page: after X's edit it
    # is a card kept (Bluesky's), after Bluesky's one made again, the X cards kept.
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    # The last edit marks a string no template marked: X's units look up one more (their
    # kept look-ups and the new one are kept together); the others, those they made.
    for number, template in enumerate(("x.txt.j2", "bluesky.txt.j2", "x.txt.j2", "marked")):
        if template == "marked":
            x = small_repo / "templates" / "x.txt.j2"
            marked = '{{ _("Shared by the campaign team") }}\n'
            x.write_text(x.read_text(encoding="utf-8") + marked, encoding="utf-8")
        else:
            edit(small_repo / "templates" / template)
        cli_invoke(build, env=EPOCH)
        clean = tmp_path / f"clean-{number}"
        cli_invoke([*build, "--out", str(clean)], env=EPOCH)
        assert tree(small_repo / "dist" / "2026") == tree(clean / "2026"), template
        assert units(small_repo, small_repo / "dist") == units(small_repo, clean), template


def units(repo: Path, out: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Return what the render cache in ``out`` keeps of each unit, but where its bytes are."""
    from campaignsync.load.project import load_project
    from campaignsync.pipeline.selection import select
    from campaignsync.pipeline.workers import open_cache

    project, _ = load_project(repo.resolve())
    cache = open_cache(project, select(project, None), out)
    return {
        (message_id, tag): (
            [(o.path, o.content, o.fields, o.measure) for o in unit.outputs],
            unit.members,
            unit.lines,
            sorted(unit.log),
            unit.catalogs,
            unit.templates,
            [(d.path, d.digest, d.section, d.html) for d in unit.drawn or ()],
        )
        for message_id, of_message in cache.units.items()
        for tag, (_, unit) in of_message.items()
    }


def test_a_channel_that_shows_no_body_converts_no_markdown_when_it_renders_again(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.render import markup

    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    converted: list[str] = []

    def counted(name: str) -> Any:
        real = getattr(markup, name)

        def noted(*args: Any, **kwargs: Any) -> Any:
            converted.append(name)
            return real(*args, **kwargs)

        return noted

    for name in ("to_html", "to_text"):
        monkeypatch.setattr(markup, name, counted(name))
    edit(small_repo / "templates" / "x.txt.j2")
    cli_invoke(build, env=EPOCH)
    assert converted == []
    edit(small_repo / "templates" / "web.html.j2")  # shows the body's HTML
    cli_invoke(build, env=EPOCH)
    assert set(converted) == {"to_html"}


def test_a_unit_whose_look_ups_cannot_be_read_back_renders_whole_after_a_template_edit(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its look-ups are kept with those of the channel rendered again: unreadable (a part of
    # a body file that passed its checksum, yet holds no log), the unit is rendered whole.
    from test_shards import damage_kickoff_bodies

    from campaignsync.pack import sealed

    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    shard = small_repo / "dist" / ".campaignsync-cache" / "2026" / "kickoff.units"
    key = shard.read_bytes().split(b"\n")[2].decode()
    damage_kickoff_bodies(shard, key, tags={"de"}, log=lambda _: sealed.packed("not a log"))
    edit(small_repo / "templates" / "x.txt.j2")
    seen = rendered_channels(monkeypatch)
    cli_invoke(build, env=EPOCH)
    assert seen.count("mastodon") == 1 and seen.count("x") > 1  # that unit, whole
    same_as_clean(cli_invoke, small_repo, small_repo / "dist", tmp_path / "clean")


def test_a_channel_that_fails_to_render_again_is_reported_by_every_check_after(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The unit of the channel that failed stays as it was rendered before the edit: the
    # check that found the error must not keep that unit's findings as current.
    check = ["check", "--repo", str(small_repo), "--jobs", "1", "--now", "2026-09-01"]
    cli_invoke(check)
    x = small_repo / "templates" / "x.txt.j2"
    x.write_text('{% if message.id == "kickoff" %}{{ nope.nope }}{% endif %}'
                 + x.read_text(encoding="utf-8"), "utf-8")  # fmt: skip
    failed = cli_invoke(check, expect=1)
    error = "templates/x.txt.j2:1: error CS031: 'nope' is undefined [en/x]\n"
    assert error in failed.stdout
    other = small_repo / "content" / "messages" / "2026" / "passphrase-tip.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    assert error in cli_invoke(check, expect=1).stdout


def test_a_build_takes_the_units_of_another_builds_folder_over_its_own_stale_ones(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = ["build", "--repo", str(small_repo), "--jobs", "1"]
    cli_invoke(build, env=EPOCH)
    edit(small_repo / "templates" / "x.txt.j2")
    other = tmp_path / "other"  # another machine of a CI matrix, built since the edit
    cli_invoke([*build, "--out", str(other)], env=EPOCH)
    seen = rendered_channels(monkeypatch)
    cli_invoke([*build, "--shard", str(other)], env=EPOCH)
    assert seen == []
    assert tree(small_repo / "dist" / "2026") == tree(other / "2026")


def test_each_channel_depends_on_the_templates_it_extends_includes_or_imports(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "x.txt.j2").write_text('{% include "part.j2" %}{{ message.post }}\n')
    (folder / "part.j2").write_text('{% import "macros.j2" as m %}Part\n')
    (folder / "macros.j2").write_text("{% macro a() %}A{% endmacro %}\n")
    (folder / "sms.txt.j2").write_text("{{ message.post }}\n")
    wanted = {"x": ["x.txt.j2"], "sms": ["sms.txt.j2"]}
    before = channel_digests(folder, wanted)
    (folder / "macros.j2").write_text("{% macro a() %}B{% endmacro %}\n")
    after = channel_digests(folder, wanted)
    assert after["x"] != before["x"] and after["sms"] == before["sms"]
    # A name worked out as it renders: the channel renders from every template.
    (folder / "x.txt.j2").write_text("{% include message.id ~ '.j2' %}\n")
    dynamic = channel_digests(folder, wanted)
    (folder / "other.j2").write_text("Other\n")
    assert channel_digests(folder, wanted)["x"] != dynamic["x"]
    assert channel_digests(folder, wanted)["sms"] == before["sms"]
    # One that cannot be parsed (its error is the renderer's to report): the same.
    (folder / "x.txt.j2").write_text('{% include "part.j2" %\n')
    broken = channel_digests(folder, wanted)
    (folder / "other.j2").write_text("Other again\n")
    assert channel_digests(folder, wanted)["x"] != broken["x"]
    # A file of any name, named as it renders: the same.
    (folder / "x.txt.j2").write_text('{{ message.post }}{% include "sig-" ~ channel ~ ".txt" %}')
    (folder / "sig-x.txt").write_text("One\n")
    signed = channel_digests(folder, wanted)
    (folder / "sig-x.txt").write_text("Two\n")
    assert channel_digests(folder, wanted)["x"] != signed["x"]
    # A template named but not there yet: it counts once it is.
    (folder / "x.txt.j2").write_text('{% include "later.j2" %}\n')
    missing = channel_digests(folder, wanted)
    (folder / "later.j2").write_text("Later\n")
    assert channel_digests(folder, wanted)["x"] != missing["x"]
