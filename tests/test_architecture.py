"""The architecture stays visible: each outside library is used behind one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "campaignsync"

#: Third-party package -> the only modules (paths below campaignsync/) allowed to import it.
OWNERS = {
    "click": ("cli/",),
    "git": ("gitrepo.py",),
    "jinja2": ("render/engine.py",),
    "babel.messages": ("l10n/catalog.py",),
    "markdown": ("render/markup.py",),
    "nh3": ("render/markup.py",),
    "yaml": ("load/yamlfile.py",),
    "icalendar": ("pack/ical.py",),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "starter" not in p.parts)


@pytest.mark.parametrize("package", sorted(OWNERS))
def test_outside_libraries_stay_behind_their_module(package: str) -> None:
    offenders = []
    for path in modules():
        rel = path.relative_to(SOURCE).as_posix()
        if any(rel.startswith(owner) for owner in OWNERS[package]):
            continue
        if any(name == package or name.startswith(package + ".") for name in imports(path)):
            offenders.append(rel)
    assert not offenders, f"{package} is imported outside {OWNERS[package]}: {offenders}"


def test_model_has_no_third_party_imports() -> None:
    allowed = {
        "__future__",
        "dataclasses",
        "datetime",
        "enum",
        "pathlib",
        "collections.abc",
        "typing",
    }
    assert imports(SOURCE / "model.py") <= allowed


def test_core_modules_never_print_or_exit() -> None:
    offenders = []
    for path in modules():
        rel = path.relative_to(SOURCE).as_posix()
        if rel.startswith("cli/") or rel == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("print", "exit")
            ):
                offenders.append(f"{rel}:{node.lineno}")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in (("sys", "exit"), ("os", "_exit"))
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"core code prints or exits: {offenders}"


def test_every_module_has_a_docstring() -> None:
    missing = [
        p.relative_to(SOURCE).as_posix()
        for p in modules()
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert not missing
