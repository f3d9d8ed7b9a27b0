"""Reading declared settings out of TOML tables, recording what is wrong with them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from campaignsync.load import schema
from campaignsync.load.findings import Findings


class Reader(Findings):
    """Reads the settings ``load/schema.py`` declares from TOML tables, recording problems.

    A setting that is absent, or of the wrong type (CS003), reads as its declared
    default; a key the table does not declare is CS002 with a did-you-mean hint.
    """

    def error(self, key: str, text: str, code: str = "CS003") -> None:
        """Record an error at the line of the dotted ``key``."""
        self.add(code, key, text)

    def unknown_name(self, key: str, text: str) -> None:
        """Record a name that nothing declares, such as a channel that does not exist (CS002)."""
        self.error(key, text, "CS002")

    def unknown(self, where: str, values: Mapping[str, Any], table: schema.Table) -> None:
        """Record every key of ``values`` that ``table`` does not declare (CS002)."""
        for name in values:
            if name not in table.keys:
                key = f"{where}.{name}" if where else name
                self.unknown_name(key, f"unknown setting {key!r}{table.hint(name)}")

    def value(self, values: Mapping[str, Any], setting: schema.Setting, where: str) -> Any:
        """Return the setting's value in ``values``, or its default when absent or mistyped.

        Lists come back as tuples; a required setting that is absent reads as None.
        """
        default = None if setting.required else setting.default
        value = values.get(setting.name)
        if value is None:
            return default
        if not setting.kind.accepts(value):
            self.error(where, f"{where!r} must be {setting.kind.noun}, not {describe(value)}")
            return default
        return tuple(value) if isinstance(value, list) else value

    def setting(self, values: Mapping[str, Any], table: schema.Table, name: str) -> Any:
        """Return the value of the setting ``name`` of ``table`` (its path has no ``<...>``)."""
        where = f"{table.path}.{name}" if table.path else name
        return self.value(values, table[name], where)

    def table(self, values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        """Return the sub-table ``name`` of the top level, checked against its declaration."""
        found: Mapping[str, Any] = self.setting(values, schema.CONFIG[""], name)
        found = found if isinstance(found, Mapping) else schema.NO_TABLE
        declared = next((t for t in schema.CONFIG.tables if t.path == name), None)
        if declared is not None and not declared.open:
            self.unknown(name, found, declared)
        return found

    def strings(self, values: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
        """Return a list of strings under a key the user names, or None (absent or wrong)."""
        value = values.get(key)
        if value is None:
            return None
        if not schema.STRINGS.accepts(value):
            self.error(where, f"{where!r} must be a list of strings, not {describe(value)}")
            return None
        return tuple(value)


def describe(value: object) -> str:
    """Return what a TOML value is, as an error message says it ("a string")."""
    if isinstance(value, bool):
        return "a boolean"
    return {
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
