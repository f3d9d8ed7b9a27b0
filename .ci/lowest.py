"""Print pip constraints that pin every dependency to the lowest version pyproject.toml allows.

CI installs the project twice: once with the newest versions the ranges allow, once with
these constraints, so both ends of every declared range are tested (docs/dependencies.md).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def lowest(pyproject: Path, extras: tuple[str, ...]) -> list[str]:
    """Return `name==minimum` for every `>=` requirement of the project and the extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        if match := REQUIREMENT.match(requirement):
            pins.append(f"{match.group(1).lower()}=={match.group(2)}")
    return sorted(set(pins))


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    print("\n".join(lowest(root / "pyproject.toml", tuple(sys.argv[1:]))))
