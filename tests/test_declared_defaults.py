"""The model's defaults are the declared ones: a setting's default is written in load/schema.py.

model.py cannot import load/ (it imports nothing of campaignsync but the calendar's
values and the repository's folders, paths.Paths), so its dataclasses still give defaults of their own, for code and tests that
build a value without a config. This test keeps every such default equal to the
declaration in ``load/schema.py``, so changing one without the other fails.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from campaignsync import model, paths
from campaignsync.load import partners, schema

#: model dataclass -> the config table it mirrors, and its fields' names there when
#: they differ (field -> (table, key)).
MIRRORS: dict[type, tuple[str, dict[str, tuple[str, str]]]] = {
    model.Config: (
        "",
        {
            "ignore": ("checks", "ignore"),
            "protected_terms": ("translation", "protected_terms"),
            "glossary": ("translation", "glossary"),
            "git_remote": ("git", "remote"),
            "git_branch": ("git", "branch"),
        },
    ),
    model.Partner: ("partners.<id>", {}),
    model.ChannelSettings: ("channels.<channel>", {"sender": ("channels.<channel>", "from")}),
    paths.Paths: ("paths", {}),
    model.ScheduleSettings: ("schedule", {}),
    model.LinkSettings: ("links", {}),
    model.ReadabilitySettings: ("readability", {}),
    model.AccessibilitySettings: ("accessibility", {}),
}

#: How the loader turns a declared default into the model's value, where they differ in form.
READ = {("partners.<id>", "business_days"): partners.parse_days}


def _model_value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


def default_problems(
    mirrors: dict[type, tuple[str, dict[str, tuple[str, str]]]], declared: schema.Schema
) -> list[str]:
    """Return the dataclass defaults that differ from their declaration.

    A setting whose default the loader computes (``shown``, such as a partner's name
    that defaults to its id) has none to compare.
    """
    problems = []
    for cls, (path, renamed) in mirrors.items():
        for field in dataclasses.fields(cls):
            if field.default is dataclasses.MISSING:
                continue
            table, key = renamed.get(field.name, (path, field.name))
            if key not in declared[table].keys:
                continue
            setting = declared[table][key]
            if setting.shown or setting.required:
                continue
            read = READ.get((table, key), _model_value)
            wanted = read(setting.default)
            if field.default != wanted and not (field.default == frozenset() and wanted == ()):
                problems.append(
                    f"{cls.__name__}.{field.name} = {field.default!r}, "
                    f"declared {table or 'top'}.{key} = {setting.default!r}"
                )
    return problems


def test_the_model_defaults_are_the_declared_ones() -> None:
    assert default_problems(MIRRORS, schema.CONFIG) == []


def test_every_mirror_compares_something() -> None:
    """A renamed table or field cannot quietly leave a dataclass unchecked."""
    for cls, (path, renamed) in MIRRORS.items():
        keys = set(schema.CONFIG[path].keys) | {key for _, key in renamed.values()}
        assert {f.name for f in dataclasses.fields(cls)} & (keys | set(renamed)), cls


def test_a_default_written_twice_and_changed_once_fails() -> None:
    @dataclasses.dataclass(frozen=True)
    class Schedule:
        min_spacing_minutes: int = 30
        weekly_channels: tuple[str, ...] = ("x", "mastodon", "bluesky", "linkedin")

    assert default_problems({Schedule: ("schedule", {})}, schema.CONFIG) == [
        "Schedule.min_spacing_minutes = 30, declared schedule.min_spacing_minutes = 60"
    ]
