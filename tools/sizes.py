"""List module and function sizes against the house limits (400 lines a module, 60 a function).

    python tools/sizes.py            # modules over 400 lines, functions over 60
    python tools/sizes.py --all      # every module and function, largest first

A module or function whose docstring says why it is longer ("Longer than 60 lines
because ...") is listed with "(says why)" and does not count against the limit. Exits 1
when something is over a limit without saying why; tests/test_sizes.py keeps it so.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "campaignsync"
MODULE_LIMIT = 400
FUNCTION_LIMIT = 60
REASON = "longer than"


def functions(tree: ast.AST) -> list[tuple[str, int, bool]]:
    """Return (qualified name, lines, says why) for every function and method in a tree."""
    found = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                doc = (ast.get_docstring(child) or "").casefold()
                found.append((name, length, REASON in doc))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def measure(package: Path) -> tuple[list[tuple[int, str, bool]], list[tuple[int, str, bool]]]:
    """Return (lines, name, says why) for every module and every function under a package."""
    modules, funcs = [], []
    for path in sorted(package.rglob("*.py")):
        if "starter" in path.parts:
            continue
        rel = path.relative_to(package.parent).as_posix()
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        why = REASON in (ast.get_docstring(tree) or "").casefold()
        modules.append((len(text.splitlines()), rel, why))
        funcs += [(n, f"{rel}:{name}", why) for name, n, why in functions(tree)]
    return modules, funcs


def over_limits(package: Path = PACKAGE) -> list[str]:
    """Return the modules and functions over a limit whose docstring does not say why."""
    modules, funcs = measure(package)
    return [
        f"{name}: {n} lines (limit {MODULE_LIMIT})"
        for n, name, why in modules
        if n > MODULE_LIMIT and not why
    ] + [
        f"{name}: {n} lines (limit {FUNCTION_LIMIT})"
        for n, name, why in funcs
        if n > FUNCTION_LIMIT and not why
    ]


def _listing(rows: list[tuple[int, str, bool]], limit: int, show_all: bool) -> int:
    """Print the rows over ``limit`` (all with ``show_all``); return those over it unexplained."""
    over = 0
    for n, name, why in sorted(rows, reverse=True):
        if n > limit or show_all:
            mark = "  (says why)" if why else ("  OVER" if n > limit else "")
            print(f"  {n:5d}  {name}{mark}")
            over += n > limit and not why
    return over


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="list everything, not only what is over")
    show_all = parser.parse_args().all
    modules, funcs = measure(PACKAGE)
    print(f"modules ({len(modules)}, {sum(n for n, _, _ in modules)} lines; limit {MODULE_LIMIT}):")
    over = _listing(modules, MODULE_LIMIT, show_all)
    print(f"functions ({len(funcs)}; limit {FUNCTION_LIMIT}):")
    over += _listing(funcs, FUNCTION_LIMIT, show_all)
    print(f"{over} over a limit without saying why")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
