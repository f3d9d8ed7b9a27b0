"""Reading and validating campaignsync.toml."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke

from campaignsync.errors import ConfigError
from campaignsync.load.config import LocaleError, load_config, parse_locale
from campaignsync.load.partners import parse_hours
from campaignsync.paths import find_root

GOOD = """\
source_locale = "en"
locales = ["de", "pt-PT", "es-US"]

[fallbacks]
es-US = ["de"]

[partners.eu]
name = "EU"
timezone = "Europe/Brussels"
locales = ["en", "de", "pt-PT"]
business_hours = "09:00-18:00"

[partners.us]
timezone = "America/New_York"
locales = ["es-US"]

[channels.x]
limit = 200
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "campaignsync.toml").write_text(text, encoding="utf-8")
    return tmp_path


def messages(tmp_path: Path, text: str) -> list[str]:
    _config, found = load_config(write(tmp_path, text))
    return [f"{d.line}: {d.code} {d.text}" for d in found]


def test_good_config_loads(tmp_path: Path) -> None:
    config, found = load_config(write(tmp_path, GOOD))
    assert found == ()
    assert config is not None
    assert [loc.tag for loc in config.all_locales] == ["en", "de", "pt-PT", "es-US"]
    assert config.locale("pt-PT").gettext == "pt_PT"
    assert config.locale("es-US").fallbacks == ("de",)
    assert config.partner("us").required_locales == ("es-US",)
    assert config.channel("x").limit == 200
    assert config.partner("eu").business_hours[1].hour == 18


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'source_locale = "en"\nlocales = [\n', "1: CS001 invalid TOML", id="toml-syntax"
        ),
        pytest.param("colour = 1\n" + GOOD, "1: CS002 unknown setting 'colour'", id="unknown-top"),
        pytest.param(
            GOOD.replace("business_hours", "busines_hours"),
            "11: CS002 unknown setting 'partners.eu.busines_hours' (did you mean 'business_hours'?)",
            id="did-you-mean",
        ),
        pytest.param(
            GOOD.replace('"Europe/Brussels"', '"Europe/Brusels"'),
            "9: CS005 partners.eu.timezone: unknown time zone 'Europe/Brusels'",
            id="bad-zone",
        ),
        pytest.param(
            GOOD.replace('"pt-PT", "es-US"]', '"pt-PT", "es-US", "xx"]'),
            "2: CS004 locales: 'xx' is not a locale that CLDR knows",
            id="unknown-locale",
        ),
        pytest.param(
            GOOD.replace('"pt-PT", "es-US"]', '"pt-PT", "es-US", "../x"]'),
            "2: CS004 locales: '../x' is not a locale tag",
            id="path-locale",
        ),
        pytest.param(
            GOOD.replace('"pt-PT", "es-US"]', '"pt-PT", "es-US", "iw"]'),
            "2: CS004 locales: 'iw' is not a canonical locale tag; did you mean 'he'?",
            id="alias-locale",
        ),
        pytest.param(
            GOOD.replace('"pt-PT", "es-US"]', '"pt_pt", "es-US"]'),
            "2: CS004 locales: 'pt_pt' is not a canonical locale tag; did you mean 'pt-PT'?",
            id="gettext-spelling",
        ),
        pytest.param(
            GOOD.replace("limit = 200", "limit = 300"),
            "18: CS003 channels.x.limit may only tighten the platform's limit: use 1 to 280, not 300",
            id="loosen-limit",
        ),
        pytest.param(
            GOOD.replace("limit = 200", 'limit = "short"'),
            "18: CS003 'channels.x.limit' must be a whole number, not a string",
            id="wrong-type",
        ),
        pytest.param(
            GOOD.replace("limit = 200", "limit = true"),
            "18: CS003 'channels.x.limit' must be a whole number, not a boolean",
            id="boolean-for-number",
        ),
        pytest.param(
            GOOD.replace('"09:00-18:00"', '"9-6"'),
            "11: CS003 partners.eu.business_hours must look like '09:00-17:00', not '9-6'",
            id="bad-hours",
        ),
        pytest.param(
            GOOD.replace("[channels.x]", "[channels.twitter]"),
            "17: CS002 unknown channel 'twitter'",
            id="unknown-channel",
        ),
        pytest.param(
            GOOD.replace('source_locale = "en"\n', ""),
            "1: CS003 missing setting 'source_locale'",
            id="missing-source",
        ),
        pytest.param(
            GOOD.replace('locales = ["en", "de", "pt-PT"]', 'locales = ["en", "de", "pt_PT"]'),
            "10: CS003 partners.eu.locales: 'pt_PT' is not a configured locale (did you mean "
            "'pt-PT'? Else list it in the top-level 'locales' too)",
            id="partner-locale-spelt-otherwise",
        ),
        pytest.param(
            GOOD.replace('locales = ["en", "de", "pt-PT"]', 'locales = ["en", "de", "ja"]'),
            "10: CS003 partners.eu.locales: 'ja' is not a configured locale (list it in the "
            "top-level 'locales' too)",
            id="partner-locale-not-listed",
        ),
        pytest.param(
            GOOD + '\n[paths]\nout = "content/dist"\n',
            "21: CS003 paths.out 'content/dist' is in content/, which builds read",
            id="out-in-content",
        ),
        pytest.param(
            GOOD.replace('es-US = ["de"]', 'es-US = ["fr"]'),
            "5: CS003 fallbacks.es-US: 'fr' is not a configured locale",
            id="bad-fallback",
        ),
    ],
)
def test_bad_config_is_reported_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    assert any(m.startswith(expected) for m in messages(tmp_path, text)), messages(tmp_path, text)


def test_bad_config_yields_no_config(tmp_path: Path) -> None:
    config, found = load_config(write(tmp_path, "colour = 1\n" + GOOD))
    assert config is None
    assert found[0].file == "campaignsync.toml"


def test_find_root_walks_up(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    deep = tmp_path / "content" / "messages"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()


def test_find_root_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a").mkdir()
    with pytest.raises(ConfigError) as caught:
        find_root(tmp_path / "a")
    assert str(caught.value).startswith(
        f"no campaignsync.toml in {(tmp_path / 'a').resolve()} or any folder above it up to the "
        f"top of its git repository ({tmp_path.resolve()}); run the command inside"
    )


def test_find_root_does_not_leave_a_git_repository(tmp_path: Path) -> None:
    """A stray config above a repository (in a home or temp folder) is never used."""
    write(tmp_path, GOOD)
    repo = tmp_path / "project"
    (repo / ".git").mkdir(parents=True)
    with pytest.raises(ConfigError, match="up to the top of its git repository"):
        find_root(repo)


@pytest.mark.parametrize("tag", ["../x", "xx", "de\x00", "", "de_DE.utf8", "und", "EN-us-x"])
def test_parse_locale_rejects(tag: str) -> None:
    with pytest.raises(LocaleError):
        parse_locale(tag)


@pytest.mark.parametrize(
    ("tag", "gettext", "direction"),
    [
        ("pt-PT", "pt_PT", "ltr"),
        ("en-US", "en_US", "ltr"),
        ("ar", "ar", "rtl"),
        ("de", "de", "ltr"),
    ],
)
def test_parse_locale_accepts(tag: str, gettext: str, direction: str) -> None:
    locale = parse_locale(tag)
    assert (locale.tag, locale.gettext, locale.direction) == (tag, gettext, direction)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("09:00-17:00", True),
        ("00:00-24:00", True),
        ("18:00-09:00", False),
        ("9-5", False),
        ("09:00-25:00", False),
    ],
)
def test_parse_hours(text: str, ok: bool) -> None:
    assert (parse_hours(text) is not None) is ok


@pytest.mark.parametrize("kept", ["this Babel's", "another Babel's", "damaged"])
def test_text_directions_are_kept_beside_the_packs_under_babels_version(
    sample_repo: Path, kept: str
) -> None:
    from campaignsync.load import textdirections
    from campaignsync.pack import sealed

    assert load_config(sample_repo)[0] is not None
    assert not (sample_repo / "dist").exists()  # nothing kept without an output folder
    (sample_repo / "dist").mkdir()
    config, _ = load_config(sample_repo)
    assert config is not None and {loc.direction for loc in config.all_locales} == {"ltr"}
    path = sample_repo / "dist" / textdirections.FOLDER / textdirections.NAME
    directions = textdirections.open_directions(sample_repo / "dist")
    assert directions is not None and directions.kept["de"] == "ltr"
    # An answer kept under this Babel's version is taken as it is (here a wrong one, to see
    # it taken); under another version, or damaged, it is a miss and Babel is asked again.
    key = directions.key if kept == "this Babel's" else "text-directions babel 0.0"
    sealed.write_sealed(path, key, {**directions.kept, "de": "rtl"})
    if kept == "damaged":
        path.write_bytes(path.read_bytes()[:-3])
    config, _ = load_config(sample_repo)
    assert config is not None
    de = next(loc for loc in config.locales if loc.tag == "de")
    assert de.direction == ("rtl" if kept == "this Babel's" else "ltr")


@pytest.mark.parametrize("kept", ["this tool's", "another tool's"])
def test_cldr_answers_of_the_renderer_are_kept_under_babel_and_the_tool(
    sample_repo: Path, kept: str
) -> None:
    """The press dateline and the locale's name: asked of Babel once, then taken as kept."""
    from campaignsync.l10n import catalog, localize
    from campaignsync.load.project import load_project
    from campaignsync.load.textdirections import RENDER, open_directions
    from campaignsync.render.engine import Renderer
    from campaignsync.render.strings import template_strings

    project, _ = load_project(sample_repo)
    assert project is not None
    lookups, _ = catalog.load_lookups(project.root, project.config)
    (message,) = [m for m in project.messages if m.id == "kickoff"]
    locale = project.config.locale("de")
    assert locale is not None
    localized = localize.localize(message, locale, project.config, lookups)
    strings = template_strings(locale, project.config, lookups)

    def press(answers: object) -> str:
        outputs, problems = Renderer(project, answers).render(localized, strings, ("press",))  # type: ignore[arg-type]
        assert not problems
        if answers is not None:  # once the units are rendered (workers.render_selection)
            answers.save()  # type: ignore[attr-defined]
        return outputs[0].content.decode()

    (sample_repo / "dist").mkdir()
    asked = press(None)
    answers = open_directions(sample_repo / "dist", RENDER, "tool 1")
    assert answers is not None and answers.kept == {}
    assert press(answers) == asked  # asked of Babel, the same, and kept
    (date,) = [k for k in answers.kept if k.startswith("date\0")]
    assert answers.kept[date] in asked  # and saved
    tool = "tool 1" if kept == "this tool's" else "tool 2"
    again = open_directions(sample_repo / "dist", RENDER, tool)
    assert again is not None
    if kept == "another tool's":  # a miss: Babel is asked again
        assert again.kept == {}
        assert press(again) == asked
        return
    assert again.kept == answers.kept and "name\0de" in again.kept
    again.kept[date] = "Tag X"  # a kept answer is taken as it is (a wrong one, to see it)
    assert "Tag X" in press(again)


def test_the_renderer_s_cldr_answers_are_saved_once_a_run_not_once_a_unit(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check rendering in one process asks Babel for each locale's datelines as it goes,
    and keeps the answers in one write when the units are rendered (a write a unit that
    asked something new took O(units) writes of a growing file)."""
    from campaignsync.load.textdirections import Directions, render_answers

    written: list[int] = []
    save = Directions.save

    def counted(self: Directions) -> None:
        if self.changed and self.name == "render.kept":
            written.append(len(self.kept))
        save(self)

    monkeypatch.setattr(Directions, "save", counted)
    (small_repo / "dist").mkdir()
    cli_invoke(["check", "--repo", str(small_repo), "--jobs", "1"])
    kept = render_answers(small_repo / "dist")
    assert kept is not None and any(name.startswith("date\0") for name in kept.kept)
    assert written == [len(kept.kept)]


def test_the_renderer_s_cldr_answers_are_saved_by_a_run_that_stops(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What was asked before a run stopped (a Ctrl-C while rendering) is kept all the same."""
    from campaignsync.load.textdirections import render_answers
    from campaignsync.pipeline import workers

    chunks: list[int] = []
    render_units = workers.render_units

    def stopping(*args: Any) -> Any:
        chunks.append(1)
        if len(chunks) > 1:
            raise KeyboardInterrupt
        return render_units(*args)

    monkeypatch.setattr(workers, "render_units", stopping)
    (sample_repo / "dist").mkdir()
    cli_invoke(["check", "--repo", str(sample_repo), "--jobs", "1"], expect=130)
    kept = render_answers(sample_repo / "dist")
    assert len(chunks) == 2  # stopped at the second chunk of units
    assert kept is not None and any(name.startswith("date\0") for name in kept.kept)


def test_what_the_workers_asked_cldr_is_kept_as_a_build_in_one_process_keeps_it(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' datelines and locale names are kept too: the next edit asks Babel nothing."""
    from campaignsync.load.textdirections import render_answers
    from campaignsync.pipeline import workers

    alone = tmp_path / "alone"
    shutil.copytree(small_repo, alone)
    cli_invoke(["build", "--repo", str(alone), "--no-zip", "--jobs", "1"])
    with monkeypatch.context() as patched:
        patched.setattr(workers, "PARALLEL_THRESHOLD", 0)  # the sample, as a big campaign
        cli_invoke(["build", "--repo", str(small_repo), "--no-zip", "--jobs", "2"])
    kept, expected = render_answers(small_repo / "dist"), render_answers(alone / "dist")
    assert kept is not None and expected is not None
    assert any(name.startswith("date\0") for name in expected.kept)
    assert kept.kept == expected.kept
