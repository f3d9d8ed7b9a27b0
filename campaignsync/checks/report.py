"""Diagnostics as text, JSON or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from campaignsync.model import Diagnostic


def _where(d: Diagnostic) -> str:
    if d.file is None:
        return "campaignsync"
    return f"{d.file}:{d.line}" if d.line else d.file


def _scope(d: Diagnostic) -> str:
    parts = [p for p in (d.locale, d.channel) if p]
    return f" [{'/'.join(parts)}]" if parts else ""


def text_line(d: Diagnostic) -> str:
    """Return ``file:line: severity CS000: message [locale/channel]``."""
    return f"{_where(d)}: {d.severity.value} {d.code}: {d.text}{_scope(d)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    """Return a GitHub Actions workflow command that annotates the file and line."""
    props = []
    if d.file:
        props.append(f"file={_escape_property(d.file)}")
        if d.line:
            props.append(f"line={d.line}")
    props.append(f"title={_escape_property(d.code)}")
    level = "error" if d.is_error else "warning"
    return f"::{level} {','.join(props)}::{_escape_data(d.text + _scope(d))}"


def render(diagnostics: Sequence[Diagnostic], fmt: str) -> str:
    """Return every diagnostic in the chosen format (text lines end with a newline)."""
    if fmt == "json":
        rows = [
            {
                "code": d.code,
                "severity": d.severity.value,
                "message": d.text,
                "file": d.file,
                "line": d.line,
                "locale": d.locale,
                "channel": d.channel,
            }
            for d in diagnostics
        ]
        summary = counts(diagnostics)
        return json.dumps({"diagnostics": rows, **summary}, ensure_ascii=False, indent=1) + "\n"
    line = github_line if fmt == "github" else text_line
    return "".join(line(d) + "\n" for d in diagnostics)


def counts(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    """Return the number of errors and warnings."""
    errors = sum(1 for d in diagnostics if d.is_error)
    return {"errors": errors, "warnings": len(diagnostics) - errors}


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """Return '2 errors, 1 warning' style text."""
    c = counts(diagnostics)
    e, w = c["errors"], c["warnings"]
    return f"{e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
