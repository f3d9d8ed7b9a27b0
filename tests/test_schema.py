"""Each setting is declared once (load/schema.py): validation, hints and docs all follow it."""

from __future__ import annotations

import copy
import dataclasses
import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import tomlkit
import yaml

from campaignsync.load import reference, schema
from campaignsync.load.calendarfile import load_calendar
from campaignsync.load.config import load_config
from campaignsync.load.content import parse_message

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "settings.md"

#: A small valid config that every case below adds one setting to.
BASE: dict[str, Any] = {
    "source_locale": "en",
    "locales": ["de"],
    "partners": {"eu": {"timezone": "Europe/Brussels", "locales": ["en"]}},
}
#: What a placeholder in a table path stands for in BASE.
PLACEHOLDERS = {"<id>": "eu", "<channel>": "sms", "<locale>": "de"}
#: A valid value for each setting whose default cannot be written (required or computed).
EXAMPLES: dict[str, Any] = {
    "source_locale": "en",
    "locales": ["de", "fr"],
    "partners.<id>.locales": ["en", "de"],
    "default_campaign": "2026",
    "partners": {"eu": {"timezone": "Europe/Brussels"}},
    "partners.<id>.name": "EU partners",
    "partners.<id>.timezone": "America/New_York",
    "partners.<id>.required_locales": ["en"],
    "fallbacks.<locale>": ["en"],
    "channels.<channel>.enabled": False,
    "channels.<channel>.limit": 100,
    "channels.<channel>.tracking": True,
    "translation.glossary": "locales/glossary.tbx",
    "git.branch": "main",
}


def config_settings() -> list[tuple[schema.Table, schema.Setting]]:
    return [(t, s) for t in schema.CONFIG.tables for s in t.settings]


def dotted(table: schema.Table, setting: schema.Setting) -> str:
    return f"{table.path}.{setting.name}" if table.path else setting.name


def with_setting(table: schema.Table, key: str, value: Any) -> dict[str, Any]:
    """Return BASE with ``key`` set to ``value`` in ``table`` (placeholders filled in)."""
    data = copy.deepcopy(BASE)
    here = data
    for part in filter(None, table.path.split(".")):
        here = here.setdefault(PLACEHOLDERS.get(part, part), {})
    here[PLACEHOLDERS.get(key, key)] = value
    return data


def without(table: schema.Table, key: str) -> dict[str, Any]:
    """Return BASE without ``key`` in ``table``."""
    data = with_setting(table, key, None)
    here = data
    for part in filter(None, table.path.split(".")):
        here = here[PLACEHOLDERS.get(part, part)]
    del here[key]
    return data


def load(tmp_path: Path, data: dict[str, Any]) -> tuple[Any, list[str]]:
    (tmp_path / "campaignsync.toml").write_text(tomlkit.dumps(data), encoding="utf-8")
    config, found = load_config(tmp_path)
    return config, [f"{d.line}: {d.code} {d.text}" for d in found]


def writable(setting: schema.Setting) -> bool:
    """Return True when the declared default can be written in the file as it is."""
    return not (setting.required or setting.shown or setting.default in (None, schema.NO_TABLE))


def sample(table: schema.Table, setting: schema.Setting) -> Any:
    key = dotted(table, setting)
    if key in EXAMPLES:
        return EXAMPLES[key]
    if setting.kind is schema.TABLE:
        return {}
    assert writable(setting), f"add an example value for {key}"
    default = setting.default
    return list(default) if isinstance(default, tuple) else default


IDS = [dotted(t, s) for t, s in config_settings()]


@pytest.mark.parametrize(("table", "setting"), config_settings(), ids=IDS)
def test_every_declared_setting_is_accepted(
    tmp_path: Path, table: schema.Table, setting: schema.Setting
) -> None:
    config, found = load(tmp_path, with_setting(table, setting.name, sample(table, setting)))
    assert found == [] and config is not None


@pytest.mark.parametrize(
    ("table", "setting"),
    [(t, s) for t, s in config_settings() if writable(s) and not t.open],
    ids=[dotted(t, s) for t, s in config_settings() if writable(s) and not t.open],
)
def test_declared_default_is_the_value_used_when_absent(
    tmp_path: Path, table: schema.Table, setting: schema.Setting
) -> None:
    absent, found = load(tmp_path, without(table, setting.name))
    assert found == []
    default = setting.default
    value = list(default) if isinstance(default, tuple) else default
    written, found = load(tmp_path, with_setting(table, setting.name, value))
    assert found == []
    assert written == absent


@pytest.mark.parametrize(
    ("table", "setting"),
    [(t, s) for t, s in config_settings() if not t.open],
    ids=[dotted(t, s) for t, s in config_settings() if not t.open],
)
def test_an_unknown_key_is_told_the_declared_one(
    tmp_path: Path, table: schema.Table, setting: schema.Setting
) -> None:
    typo = setting.name + setting.name[-1]
    _, found = load(tmp_path, with_setting(table, typo, sample(table, setting)))
    where = ".".join(PLACEHOLDERS.get(p, p) for p in f"{table.path}.{typo}".split(".") if p)
    assert [m.split(": ", 1)[1] for m in found] == [
        f"CS002 unknown setting {where!r} (did you mean {setting.name!r}?)"
    ]


def test_a_wrong_type_is_named_by_the_declared_kind(tmp_path: Path) -> None:
    text = tomlkit.dumps(BASE) + '\n[readability]\nmin_words = "many"\n[checks]\nignore = "CS102"\n'
    (tmp_path / "campaignsync.toml").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    _, found = load_config(tmp_path)
    assert [(d.line, d.code, d.text) for d in found] == [
        (
            lines.index('ignore = "CS102"') + 1,
            "CS003",
            "'checks.ignore' must be a list of strings, not a string",
        ),
        (
            lines.index('min_words = "many"') + 1,
            "CS003",
            "'readability.min_words' must be a whole number, not a string",
        ),
    ]


def sections(text: str) -> dict[tuple[str, str], str]:
    """Split the page into (file, table heading) -> section text."""
    found: dict[tuple[str, str], str] = {}
    for part in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        file = part.split("\n", 1)[0].strip("`")
        for table in re.split(r"^### ", part, flags=re.MULTILINE)[1:]:
            title, _, body = table.partition("\n")
            found[(file, title)] = body
    return found


ALL = [
    (declared, table, setting)
    for declared in (schema.CONFIG, schema.CALENDAR, schema.FRONT_MATTER)
    for table in declared.tables
    for setting in table.settings
]


@pytest.mark.parametrize(
    ("declared", "table", "setting"),
    ALL,
    ids=[f"{d.file}:{t.path}.{s.name}" for d, t, s in ALL],
)
def test_every_declared_setting_is_documented(
    declared: schema.Schema, table: schema.Table, setting: schema.Setting
) -> None:
    page = sections(PAGE.read_text(encoding="utf-8"))
    toml = declared.file.endswith(".toml")
    body = page[(declared.file, reference.heading(table, toml))]
    row = f"| `{setting.name}` | {setting.kind.name}"
    assert row in body
    line = next(line for line in body.splitlines() if line.startswith(row))
    assert line.endswith(f"| {reference.shown(setting, toml)} | {setting.doc} |")


def test_every_table_is_declared_in_its_parent() -> None:
    for declared in (schema.CONFIG, schema.CALENDAR, schema.FRONT_MATTER):
        for table in declared.tables[1:]:
            parent, _, name = re.sub(r"\.<[a-z]+>$", "", table.path).rpartition(".")
            parent_table = next(
                t for t in declared.tables if parent in (t.path, re.sub(r"\.<[a-z]+>$", "", t.path))
            )
            assert name in parent_table.keys, f"{declared.file}: {table.path}"


def run_cog(page: Path) -> int:
    cogapp = pytest.importorskip("cogapp")
    status: int = cogapp.Cog().main(["cog", "--check", str(page)])
    return status


def test_the_page_goes_stale_when_a_declaration_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "settings.md"
    shutil.copyfile(PAGE, page)
    assert run_cog(page) == 0, "docs/settings.md is out of date: run cog -r docs/settings.md"
    top = schema.CONFIG[""]
    changed = dataclasses.replace(top["base_url"], default="https://campaign.example.org")
    tables = (dataclasses.replace(top, settings=(changed, *top.settings[1:])),)
    monkeypatch.setattr(
        schema,
        "CONFIG",
        dataclasses.replace(schema.CONFIG, tables=tables + schema.CONFIG.tables[1:]),
    )
    assert run_cog(page) != 0
    assert "settings.md" in capsys.readouterr().out


#: A calendar that uses every declared key, and where each table of it is.
CALENDAR: dict[str, Any] = {
    "events": [
        {"id": "day", "name": "Day", "start": date(2026, 10, 2), "end": date(2026, 10, 2)},
        {"id": "yearly", "start": date(2026, 1, 28), "rrule": "FREQ=YEARLY", "confirmed": False},
    ],
    "campaigns": [
        {
            "id": "2026",
            "name": "Month",
            "start": date(2026, 10, 1),
            "end": date(2026, 10, 31),
            "freeze": date(2026, 9, 15),
            "themes": [
                {"id": "t", "name": "T", "start": date(2026, 10, 1), "end": date(2026, 10, 7)}
            ],
            "blackout": [{"day": date(2026, 10, 3), "partners": ["eu"], "reason": "A holiday"}],
        }
    ],
}
WHERE = {
    "": ("calendar", lambda d: d),
    "events.<n>": ("events.1", lambda d: d["events"][0]),
    "campaigns.<n>": ("campaigns.1", lambda d: d["campaigns"][0]),
    "campaigns.<n>.themes.<n>": ("campaigns.1.themes.1", lambda d: d["campaigns"][0]["themes"][0]),
    "campaigns.<n>.blackout.<n>": (
        "campaigns.1.blackout.1",
        lambda d: d["campaigns"][0]["blackout"][0],
    ),
}


def calendar_findings(data: dict[str, Any]) -> list[str]:
    _, found = load_calendar("content/calendar.yaml", yaml.safe_dump(data), ("eu", "us"))
    return [f"{d.code} {d.text}" for d in found]


def test_a_calendar_with_every_declared_key_is_accepted() -> None:
    assert calendar_findings(CALENDAR) == []
    for table in schema.CALENDAR.tables:
        mapping = WHERE[table.path][1](CALENDAR)
        others = CALENDAR["events"][1:] if table.path == "events.<n>" else []
        used = set(mapping).union(*(set(m) for m in others))
        assert used == set(table.keys), table.path


CALENDAR_KEYS = [(t, s) for t in schema.CALENDAR.tables for s in t.settings]


@pytest.mark.parametrize(
    ("table", "setting"), CALENDAR_KEYS, ids=[dotted(t, s) for t, s in CALENDAR_KEYS]
)
def test_an_unknown_calendar_key_is_told_the_declared_one(
    table: schema.Table, setting: schema.Setting
) -> None:
    data = copy.deepcopy(CALENDAR)
    where, find = WHERE[table.path]
    typo = setting.name + setting.name[-1]
    find(data)[typo] = "x"
    assert calendar_findings(data) == [
        f"CS041 {where}: unknown key {typo!r} (did you mean {setting.name!r}?)"
    ]


def test_a_calendar_default_is_the_value_used_when_absent() -> None:
    event = schema.CALENDAR["events.<n>"]["confirmed"]
    written = copy.deepcopy(CALENDAR)
    written["events"][0]["confirmed"] = event.default
    absent, _ = load_calendar("c.yaml", yaml.safe_dump(CALENDAR))
    present, found = load_calendar("c.yaml", yaml.safe_dump(written))
    assert found == ()
    assert [dataclasses.replace(e, line=0) for e in present.events] == [
        dataclasses.replace(e, line=0) for e in absent.events
    ]


FRONT = {
    "id": "mfa",
    "campaign": "2026",
    "theme": "t",
    "partners": ["eu"],
    "channels": ["x", "sms"],
    "publish": datetime(2026, 10, 2, 10, tzinfo=timezone(timedelta(hours=2))),
    "title": "Turn on MFA",
    "summary": "A second step stops most account takeovers.",
    "link": "https://example.org/mfa",
    "hashtags": ["CyberSecMonth"],
    "image": {"src": "assets/mfa.png", "alt": "A phone"},
    "posts": {"sms": "Turn it on today."},
}


def front_matter_findings(tmp_path: Path, data: dict[str, Any]) -> list[str]:
    config, _ = load(tmp_path, BASE)
    (tmp_path / "content" / "assets").mkdir(parents=True, exist_ok=True)
    (tmp_path / "content" / "assets" / "mfa.png").write_bytes(b"\x89PNG\r\n")
    calendar, _ = load_calendar("content/calendar.yaml", yaml.safe_dump(CALENDAR))
    text = f"---\n{yaml.safe_dump(data, sort_keys=False)}---\nThe body.\n"
    _, found = parse_message("content/messages/2026/mfa.md", text, config, calendar)
    return [f"{d.code} {d.text}" for d in found]


def test_front_matter_with_every_declared_key_is_accepted(tmp_path: Path) -> None:
    assert front_matter_findings(tmp_path, FRONT) == []
    assert set(FRONT) == set(schema.FRONT_MATTER[""].keys)
    assert set(FRONT["image"]) == set(schema.FRONT_MATTER["image"].keys)


FRONT_KEYS = [(t, s) for t in schema.FRONT_MATTER.tables for s in t.settings]


@pytest.mark.parametrize(
    ("table", "setting"), FRONT_KEYS, ids=[dotted(t, s) for t, s in FRONT_KEYS]
)
def test_an_unknown_front_matter_key_is_told_the_declared_one(
    tmp_path: Path, table: schema.Table, setting: schema.Setting
) -> None:
    data = copy.deepcopy(FRONT)
    typo = setting.name + setting.name[-1]
    (data[table.path] if table.path else data)[typo] = "x"
    where = f"{table.path}.{typo}" if table.path else typo
    assert front_matter_findings(tmp_path, data) == [
        f"CS011 unknown key {where!r} (did you mean {setting.name!r}?)"
    ]


def test_the_tracking_doc_names_every_kind_of_tracking() -> None:
    from campaignsync.render.links import TRACKING

    doc = schema.CONFIG["links"]["tracking"].doc
    assert all(f"`{kind}`" in doc for kind in TRACKING), doc


#: A value of the wrong type for each kind, and how an error names it.
WRONG = {
    schema.STRING: (1, "a number"),
    schema.INTEGER: ("many", "a string"),
    schema.BOOLEAN: ("yes", "a string"),
    schema.STRINGS: ("de", "a string"),
    schema.TABLE: ("x", "a string"),
}


@pytest.mark.parametrize(("table", "setting"), config_settings(), ids=IDS)
def test_a_wrong_type_in_the_config_is_told_the_declared_kind(
    tmp_path: Path, table: schema.Table, setting: schema.Setting
) -> None:
    value, described = WRONG[setting.kind]
    _, found = load(tmp_path, with_setting(table, setting.name, value))
    key = PLACEHOLDERS.get(setting.name, setting.name)
    where = ".".join(PLACEHOLDERS.get(p, p) for p in f"{table.path}.{key}".split(".") if p)
    expected = f"CS003 {where!r} must be {setting.kind.noun}, not {described}"
    assert expected in [m.split(": ", 1)[1] for m in found]


@pytest.mark.parametrize(
    ("table", "setting"), FRONT_KEYS, ids=[dotted(t, s) for t, s in FRONT_KEYS]
)
def test_a_wrong_type_in_the_front_matter_is_an_error_on_that_key(
    tmp_path: Path, table: schema.Table, setting: schema.Setting
) -> None:
    data = copy.deepcopy(FRONT)
    wrong = {schema.MAPPING: "text", schema.DATETIME: [1]}.get(setting.kind, {"a": 1})
    (data[table.path] if table.path else data)[setting.name] = wrong
    where = f"{table.path}.{setting.name}" if table.path else setting.name
    found = front_matter_findings(tmp_path, data)
    assert any(m.startswith(f"CS013 {where!r} must ") for m in found), found


@pytest.mark.parametrize(
    ("table", "setting"), CALENDAR_KEYS, ids=[dotted(t, s) for t, s in CALENDAR_KEYS]
)
def test_a_wrong_type_in_the_calendar_is_an_error_on_that_key(
    table: schema.Table, setting: schema.Setting
) -> None:
    data = copy.deepcopy(CALENDAR)
    where, find = WHERE[table.path]
    find(data)[setting.name] = "text" if setting.kind in (schema.LIST, schema.NAMES) else [1]
    key = f"{where}.{setting.name}" if table.path else setting.name
    found = calendar_findings(data)
    assert any(re.match(rf"CS04[12] {re.escape(key)}\b", m) for m in found), found
