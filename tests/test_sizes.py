"""Sizes that fit in a head: no module over 400 lines, no function over 60 (tools/sizes.py),
unless its docstring says why it must be longer."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _sizes() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sizes", ROOT / "tools" / "sizes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("sizes", module)
    spec.loader.exec_module(module)
    return module


def test_campaignsync_fits_the_limits() -> None:
    assert _sizes().over_limits() == []


def _function(name: str, lines: int, doc: str = "") -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 2 - bool(doc)))
    head = f'    """{doc}"""\n' if doc else ""
    return f"def {name}() -> None:\n{head}{body}    return None\n"


def test_a_long_function_or_module_is_reported(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "short.py").write_text(_function("fits", 60), encoding="utf-8")
    (package / "long.py").write_text(_function("too_long", 61), encoding="utf-8")
    (package / "big.py").write_text("x = 1\n" * 401, encoding="utf-8")
    assert sorted(_sizes().over_limits(package)) == [
        "pkg/big.py: 401 lines (limit 400)",
        "pkg/long.py:too_long: 61 lines (limit 60)",
    ]


def test_a_docstring_that_says_why_is_accepted(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    reason = "Longer than 60 lines because the table reads best whole."
    (package / "long.py").write_text(_function("table", 70, reason), encoding="utf-8")
    (package / "big.py").write_text(f'"""{reason}"""\n' + "x = 1\n" * 401, encoding="utf-8")
    assert _sizes().over_limits(package) == []
