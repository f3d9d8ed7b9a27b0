"""Diagnostics as text, JSON and GitHub Actions annotations."""

from __future__ import annotations

import json

from campaignsync.checks import report
from campaignsync.model import Diagnostic, Severity

ERROR = Diagnostic(
    "CS201",
    Severity.ERROR,
    "291 weighted is 11 over the limit of 280",
    "content/messages/2026/a.md",
    9,
    "de",
    "x",
)
WARNING = Diagnostic(
    "CS102", Severity.WARNING, "outside its theme week", "content/messages/2026/b.md", 7
)
BARE = Diagnostic("CS001", Severity.ERROR, "no file")


def test_text_lines_name_file_line_code_and_scope() -> None:
    assert report.render([ERROR, WARNING, BARE], "text") == (
        "content/messages/2026/a.md:9: error CS201: 291 weighted is 11 over the limit of 280 [de/x]\n"
        "content/messages/2026/b.md:7: warning CS102: outside its theme week\n"
        "campaignsync: error CS001: no file\n"
    )


def test_json_has_every_field_and_the_counts() -> None:
    document = json.loads(report.render([ERROR, WARNING], "json"))
    assert document["errors"] == 1 and document["warnings"] == 1
    assert document["diagnostics"][0] == {
        "code": "CS201",
        "severity": "error",
        "message": "291 weighted is 11 over the limit of 280",
        "file": "content/messages/2026/a.md",
        "line": 9,
        "locale": "de",
        "channel": "x",
    }


def test_github_annotations_escape_their_special_characters() -> None:
    tricky = Diagnostic("CS013", Severity.WARNING, "50% done\nnext: a,b", "dir/a:b,c.md", 3)
    assert (
        report.render([tricky], "github")
        == "::warning file=dir/a%3Ab%2Cc.md,line=3,title=CS013::50%25 done%0Anext: a,b\n"
    )


def test_summary_counts_in_words() -> None:
    assert report.summary([ERROR, WARNING, BARE]) == "2 errors, 1 warning"
    assert report.summary([WARNING]) == "0 errors, 1 warning"
