"""docs/architecture.md stays true: its tree names exactly the package's modules.

The tree in "## The tree" gives each package a line (continued on indented lines):
``name/  summary: module (what it does), module, module ...``. After the first colon
outside parentheses, with the parenthesised notes taken out, the names separated by
commas or semicolons are the package's modules (``__init__`` may be left out). Top-level
modules are written with their ``.py``. Paths in backquotes elsewhere in the page
(``pack/state.py``, ``checks/``, ``tests/...``) must exist too.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "campaignsync"
DOC = ROOT / "docs" / "architecture.md"

_ENTRY = re.compile(r"^  (\S+)(.*)$")
_PARENS = re.compile(r"\([^()]*\)")
_QUOTED_PATH = re.compile(r"`([a-z_0-9]+/(?:[a-z_0-9]+/)*(?:[a-z_0-9]+\.py)?)`")


def tree_block(doc: str) -> str:
    """Return the code block that follows the "## The tree" heading."""
    section = doc.split("\n## The tree\n", 1)[1]
    return section.split("```\n", 2)[1]


def tree_entries(block: str) -> dict[str, str]:
    """Return each entry of the tree (``model.py``, ``load/`` ...) with its text."""
    entries: dict[str, str] = {}
    current = None
    for line in block.splitlines()[1:]:
        found = _ENTRY.match(line)
        if found:
            current = found.group(1)
            entries[current] = found.group(2)
        elif current is not None and line.strip():
            entries[current] += " " + line.strip()
    return entries


def named_modules(text: str) -> list[str]:
    """Return the module names a package's entry lists (after its summary's colon)."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ":" and depth == 0:
            text = text[index + 1 :]
            break
    else:
        return []
    while _PARENS.search(text):
        text = _PARENS.sub("", text)
    return [name.strip() for name in re.split(r"[,;]", text) if name.strip()]


def tree_problems(doc: str, source: Path) -> list[str]:
    """Return where the page's tree and the package under ``source`` disagree."""
    block = tree_block(doc)
    entries = tree_entries(block)
    problems = []
    top_lines = [line for line in block.splitlines() if _ENTRY.match(line)]
    top_named = {name for line in top_lines for name in re.findall(r"\b\w+\.py\b", line)}
    top_real = {p.name for p in source.glob("*.py")} - {"__init__.py"}
    problems += [f"{name} is not in the tree" for name in sorted(top_real - top_named)]
    problems += [
        f"the tree names {name}, which does not exist" for name in sorted(top_named - top_real)
    ]
    packages = {p.name for p in source.iterdir() if (p / "__init__.py").is_file()}
    for entry, text in entries.items():
        if not entry.endswith("/"):
            continue
        folder = source / entry.rstrip("/")
        if not folder.is_dir():
            problems.append(f"the tree names {entry}, which does not exist")
        if entry.rstrip("/") not in packages:
            continue
        named = named_modules(text)
        real = {p.stem for p in folder.glob("*.py")}
        odd = [name for name in named if not name.isidentifier()]
        problems += [f"{entry}: {name!r} is not a module name" for name in odd]
        missing = sorted(real - set(named) - {"__init__"})
        problems += [f"{entry}{name}.py is not in the tree" for name in missing]
        extra = sorted(set(named) - real - set(odd))
        problems += [f"the tree names {entry}{name}, which does not exist" for name in extra]
    listed = {entry.rstrip("/") for entry in entries}
    problems += [f"{name}/ has no line in the tree" for name in sorted(packages - listed)]
    return problems


def quoted_path_problems(doc: str, source: Path) -> list[str]:
    """Return the paths in backquotes (``pack/state.py``, ``checks/``) that do not exist.

    A path is looked for in the package, then in the repository (``tests/...``); a
    bare name (``calendar.py``, as in "not calendar.py") is not a path.
    """
    return [
        f"`{path}` does not exist"
        for path in sorted(set(_QUOTED_PATH.findall(doc)))
        if not (source / path).exists() and not (source.parent / path).exists()
    ]


def test_the_tree_in_the_doc_is_the_package() -> None:
    assert tree_problems(DOC.read_text(encoding="utf-8"), SOURCE) == []


def test_module_paths_the_doc_names_exist() -> None:
    assert quoted_path_problems(DOC.read_text(encoding="utf-8"), SOURCE) == []


def _package(tmp_path: Path) -> Path:
    source = tmp_path / "pkg"
    for name in ("__init__.py", "model.py", "load/__init__.py", "load/config.py", "load/x.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text('"""A module."""\n', encoding="utf-8")
    return source


_DOC = """# Title

## The tree

```
pkg/
  model.py         values
  load/            stage 1: config (the file, more (nested)), x
```

See `load/config.py` and `load/`.
"""


def test_the_tree_check_passes_a_true_tree(tmp_path: Path) -> None:
    source = _package(tmp_path)
    assert tree_problems(_DOC, source) == []
    assert quoted_path_problems(_DOC, source) == []


def test_the_tree_check_fails_on_a_module_added_removed_or_renamed(tmp_path: Path) -> None:
    source = _package(tmp_path)
    (source / "load" / "body.py").write_text('"""New."""\n', encoding="utf-8")
    (source / "load" / "x.py").rename(source / "load" / "y.py")
    (source / "paths.py").write_text('"""New."""\n', encoding="utf-8")
    (source / "pack").mkdir()
    (source / "pack" / "__init__.py").write_text('"""New."""\n', encoding="utf-8")
    assert tree_problems(_DOC, source) == [
        "paths.py is not in the tree",
        "load/body.py is not in the tree",
        "load/y.py is not in the tree",
        "the tree names load/x, which does not exist",
        "pack/ has no line in the tree",
    ]


def test_the_path_check_fails_on_a_module_that_moved(tmp_path: Path) -> None:
    source = _package(tmp_path)
    (source / "load" / "config.py").unlink()
    assert quoted_path_problems(_DOC, source) == ["`load/config.py` does not exist"]
    assert "the tree names load/config, which does not exist" in tree_problems(_DOC, source)
