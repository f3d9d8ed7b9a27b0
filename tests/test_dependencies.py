"""Both ends of every dependency range are tested: each dependency has a lowest version to pin."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def lowest_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lowest", ROOT / ".ci" / "lowest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def declared(extras: tuple[str, ...]) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {re.split(r"[\[<>=!~;\s]", r, maxsplit=1)[0].lower() for r in requirements}


def test_every_runtime_and_test_dependency_is_pinned_at_its_lowest_version() -> None:
    pins = lowest_module().lowest(ROOT / "pyproject.toml", ("test",))
    names = {pin.split("==")[0] for pin in pins}
    assert names == declared(("test",)), "give every dependency a lowest version (name>=X)"
    assert all(re.fullmatch(r"[a-z0-9._-]+==[0-9][0-9A-Za-z.]*", pin) for pin in pins), pins


def test_pins_are_exact_lowest_versions(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "p"\ndependencies = ["Jinja2>=3.1.6", "nh3 >= 0.3.8  # why",'
        ' "a[x]>=1.0,<2", "unbounded"]\n[project.optional-dependencies]\nt = ["pytest>=8.3"]\n',
        encoding="utf-8",
    )
    assert lowest_module().lowest(pyproject, ("t",)) == [
        "a==1.0",
        "jinja2==3.1.6",
        "nh3==0.3.8",
        "pytest==8.3",
    ]
