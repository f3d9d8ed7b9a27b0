"""Translation checks (CS3xx): every check with a failing and a passing case, and on the sample."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaignsync.checks.catalogs import compare
from campaignsync.cli import cli
from campaignsync.l10n import tokens

TERMS = ("#JointCyberMonth", "campaign.example.org")


def found(source: str, translation: str, python_format: bool = False, **kw: object) -> list[str]:
    return [
        f"{f.code} {f.severity.value}: {f.text}"
        for f in compare(source, translation, python_format, TERMS, False, **kw)  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize(
    ("source", "translation", "python_format", "expected"),
    [
        pytest.param("Part of %(campaign)s.", "Teil von %(kampagne)s.", True, [
            "CS310 error: placeholder(s) not in the source: '%(kampagne)s'",
            "CS310 warning: placeholder(s) of the source missing: '%(campaign)s'",
        ], id="CS310-renamed"),
        pytest.param("Part of %(campaign)s.", "Teil von %(campaign)s.", True, [], id="CS310-ok"),
        pytest.param("Save %(n)s%%", "Spare %(n)s %", True, [
            "CS310 error: placeholder(s) not in the source: '%' (write a literal % as %%)",
        ], id="CS310-stray-percent"),
        pytest.param("We are 100% sure", "Nous sommes sûrs à 100 %", False, [], id="CS310-prose-percent"),
        pytest.param("Hi {name} and {{ user }}", "Hallo {name}", False, [
            "CS310 warning: placeholder(s) of the source missing: '{{user}}'",
        ], id="CS310-jinja-dropped"),
        pytest.param("Hi {name}", "Hallo {{ name.__class__ }} {name}", False, [
            "CS310 error: placeholder(s) not in the source: '{{name.__class__}}'",
        ], id="CS310-injected-expression"),
        pytest.param("See [the guide](https://a.example/x).", "Siehe [den Leitfaden] (https://a.example/x).", False, [
            "CS311 error: 0 Markdown link(s) where the source has 1 (no space between ']' and '(')",
            "CS314 error: URL or e-mail address not in the source 'https://a.example/x'",
        ], id="CS311-broken-link"),
        pytest.param("See [the guide](https://a.example/x).", "Siehe [den Leitfaden](https://evil.example/x).", False, [
            "CS311 error: link target(s) differ from the source: 'https://evil.example/x' "
            "(the translation is not used)",
        ], id="CS311-target-changed"),
        pytest.param("See [a](https://a.example/1) and [b](https://a.example/2).",
                     "Siehe [b](https://a.example/2) und [a](https://a.example/1).", False, [],
                     id="CS311-reordered-ok"),
        pytest.param("Type `passwd` now", "Tippe jetzt `password`", False, [
            "CS312 warning: inline code differs from the source: 'password'",
        ], id="CS312-code-changed"),
        pytest.param("Type `passwd` now", "Tippe jetzt `passwd`", False, [], id="CS312-ok"),
        pytest.param("Use **two** steps", "Nutze **zwei Schritte", False, [
            "CS313 error: unbalanced emphasis marker(s) '**': the output would show them",
        ], id="CS313-unbalanced"),
        pytest.param("Use *two* steps, not snake_case", "Nutze *zwei* Schritte, nicht snake_case", False, [],
                     id="CS313-ok"),
        pytest.param("Write to info@example.org or https://example.org/help.",
                     "Schreib an info@example.de oder https://example.org/help.", False, [
            "CS314 error: URL or e-mail address missing or altered 'info@example.org'; "
            "not in the source 'info@example.de' (the translation is not used)",
        ], id="CS314-address-changed"),
        pytest.param("See [the guide](https://a.example/x).",
                     "Siehe [https://evil.example](https://a.example/x).", False, [
            "CS314 error: URL or e-mail address not in the source 'https://evil.example' "
            "(the translation is not used)",
        ], id="CS314-address-in-a-label"),
        pytest.param("Visit https://a.example today.", "Besuche heute https://evil\\.example.", False, [
            "CS314 error: URL or e-mail address missing or altered 'https://a.example'; "
            "not in the source 'https://evil.example' (the translation is not used)",
        ], id="CS314-escaped-address"),
        pytest.param("Write to info@example.org.", "Schreib an info@example.org.", False, [], id="CS314-ok"),
        pytest.param("Share it with #JointCyberMonth.", "Teile es mit #JointCyberMonat.", False, [
            "CS315 error: the protected term '#JointCyberMonth' is missing or altered",
        ], id="CS315-term-translated"),
        pytest.param("Share it with #JointCyberMonth.", "#JointCyberMonth: teile es!", False, [],
                     id="CS315-ok"),
        pytest.param("Stay safe", 'Bleib sicher<img src=x onerror="alert(1)">', False, [
            "CS316 error: HTML that the source does not have: '<img src=x onerror=\"alert(1)\">' "
            "(the translation is not used)",
        ], id="CS316-injected-tag"),
        pytest.param("Line<br>break", "Zeilen<br>umbruch", False, [], id="CS316-ok"),
        pytest.param("Stay safe", "Bleib sicher ", False, [
            "CS317 warning: leading or trailing whitespace differs from the source",
        ], id="CS317-trailing-space"),
        pytest.param("Stay safe", "Bleib\nsicher", False, [
            "CS318 error: 1 line break(s) where the source has 0",
        ], id="CS318-newline"),
        pytest.param("Quick wins for you", "Quick wins for you", False, [
            "CS319 warning: the translation is the same as the source; translate it, or mark "
            "the entry '#, ignore-same' if that is right",
        ], id="CS319-untranslated"),
        pytest.param("Webinar", "Webinar", False, [], id="CS319-one-word"),
        pytest.param("[ReportFraud.ftc.gov](https://reportfraud.ftc.gov)",
                     "[ReportFraud.ftc.gov](https://reportfraud.ftc.gov)", False, [], id="CS319-address"),
        pytest.param("Follow #JointCyberMonth", "Follow #JointCyberMonth", False, [], id="CS319-terms"),
    ],
)  # fmt: skip
def test_each_check_fails_and_passes(
    source: str, translation: str, python_format: bool, expected: list[str]
) -> None:
    assert found(source, translation, python_format) == expected


NOT_USED = " (the translation is not used)"
DESK = "Write to [the service desk](https://it.example) if in doubt."


@pytest.mark.parametrize(
    ("source", "translation", "added"),
    [
        pytest.param("See the guide.", "Siehe <HTTPS://evil.example/web>",
                     ["https://evil.example/web"], id="autolink-upper-case"),
        pytest.param("See the guide.", "Siehe https&#58;//evil.example/ent",
                     ["https://evil.example/ent"], id="entity-in-the-scheme"),
        pytest.param("See [it](https://a.example/x).", "Siehe [es](HTTPS://evil.example/x).",
                     ["https://evil.example/x"], id="link-upper-case"),
        pytest.param("Write to us.", "Schreib an <evil@localhost>", ["evil@localhost"],
                     id="mail-autolink"),
        pytest.param("Visit us.", "Besuche WWW.evil.example", ["www.evil.example"], id="www"),
        pytest.param("Visit us.", "Besuche _https://evil.example", ["https://evil.example"],
                     id="scheme-after-a-letter"),
        pytest.param("参照：https://good.example。", "参照：https://good.example。", [],
                     id="full-width-stop-after-it"),
        pytest.param("Mail help@good.example", "Mail an HELP@GOOD.EXAMPLE", [],
                     id="upper-case-mail"),
        pytest.param("Read [tips](https://a.example/x).", 'Lies [Tipps](https://a.example/x "T").',
                     [], id="a-title-added"),
        pytest.param("Read [tips](https://a.example/x).", "Lies [Tipps] (https://a.example/x).",
                     [], id="the-same-address-unlinked"),
        # A fake address the source warns of must not become a link:
        pytest.param("Fakes look like `http://paypa1.example/login`: never click them.",
                     "Klick [hier](http://paypa1.example/login).",
                     ["http://paypa1.example/login"], id="a-written-address-made-a-link"),
        pytest.param("Visit https://it.example/reset today.",
                     "[https://it.example/reset](https://it.example/reset)",
                     ["https://it.example/reset"], id="a-written-address-linked-as-itself"),
        # Targets however Markdown reads them, percent-escapes read:
        pytest.param(DESK, "Schreib [uns [hier]](mailto:evil%40x.example).",
                     ["mailto:evil@x.example"], id="nested-brackets"),
        pytest.param(DESK, "Schreib [uns](mailto:evil%40x.example 'T').",
                     ["mailto:evil@x.example"], id="a-title-in-single-quotes"),
        pytest.param(DESK, "Schreib [uns](mailto:evil%40x.example?s=(a)).",
                     ["mailto:evil@x.example?s="], id="parentheses-in-the-target"),
        pytest.param(DESK, "Schreib [uns][r].\n[r]: mailto:evil%40x.example",
                     ["mailto:evil@x.example"], id="a-reference-definition"),
        # What ends a written address: another script, quotation marks, an apostrophe:
        pytest.param("Visit https://it.example/reset for help.",
                     "Besuche „https://it.example/reset“, die’s https://it.example/reset’s.", [],
                     id="quotation-marks-around-it"),
        pytest.param("Visit https://it.example/reset for help.", "访问https://it.example/reset获取帮助",
                     [], id="chinese-around-it"),
        pytest.param("Write to security@it.example", "メールsecurity@it.exampleへ", [],
                     id="japanese-around-a-mail"),
    ],
)  # fmt: skip
def test_an_address_the_source_lacks_keeps_the_translation_out(
    source: str, translation: str, added: list[str]
) -> None:
    # The build's rule (tokens.refused) and the check's word for it are one: a translation
    # refused always has a finding that says so, and one used never does.
    assert tokens.new_addresses(source, translation) == added
    assert tokens.refused(source, translation) == bool(added)
    said = [f for f in found(source, translation, False) if f.endswith(NOT_USED)]
    assert bool(said) == bool(added), found(source, translation, False)


def test_every_address_that_keeps_a_translation_out_is_named() -> None:
    # A finding about another link does not hide the address the translation adds.
    source = "See [desk](https://it.example) and [faq](https://it.example/faq)."
    said = found(source, "Siehe [Desk](https://it.example). HTTPS://EVIL.EXAMPLE/x")
    assert said == [
        "CS311 error: 1 Markdown link(s) where the source has 2" + NOT_USED,
        "CS314 error: URL or e-mail address not in the source 'https://evil.example/x'" + NOT_USED,
    ]


def test_a_plural_entrys_forms_are_refused_against_both_its_texts() -> None:
    # A language of one form translates msgid_plural's address in msgstr[0].
    sources = tokens.both("{n} item", "{n} items: see https://it.example/all")
    assert not tokens.refused(sources, "{n} 件、https://it.example/all を参照")
    assert tokens.refused(sources, "{n} 件、https://evil.example を参照")


def test_equal_to_source_is_fine_for_the_same_language_and_with_the_flag() -> None:
    assert compare("Quick wins for you", "Quick wins for you", False, (), True) == []
    flagged = compare(
        "Quick wins for you", "Quick wins for you", False, (), False, frozenset({"ignore-same"})
    )
    assert flagged == []


def po_file(repo: Path, tag: str) -> Path:
    return repo / "locales" / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def set_translation(po: Path, context: str, text: str) -> int:
    """Replace one msgstr; return its 1-based line."""
    source = po.read_text(encoding="utf-8")
    pattern = re.compile(rf'(msgctxt "{re.escape(context)}"\nmsgid "(?:[^"\\]|\\.)*"\n)msgstr ".*"')
    match = pattern.search(source)
    assert match is not None
    escaped = text.replace('"', '\\"')
    po.write_text(source[: match.end(1)] + f'msgstr "{escaped}"' + source[match.end() :])
    return source[: match.end(1)].count("\n") + 1


def translation_diagnostics(repo: Path, *args: str) -> list[dict]:
    """Run `campaignsync check` and keep the CS3xx diagnostics (any exit code)."""
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--repo", str(repo), *args])
    assert result.exit_code in (0, 1), result.output
    rows = json.loads(result.stdout)["diagnostics"]
    return [d for d in rows if d["code"].startswith("CS3")]


def test_the_sample_translations_pass(sample_repo: Path) -> None:
    assert translation_diagnostics(sample_repo, "--strict", "--now", "2026-10-01") == []


def test_findings_name_the_po_line_and_msgctxt(sample_repo: Path) -> None:
    de = po_file(sample_repo, "de")
    line = set_translation(
        de,
        "kickoff:body.11",
        "Alle Tipps finden Sie auf der [Kampagnenwebsite](https://evil.example/2026/kickoff).",
    )
    rows = translation_diagnostics(sample_repo, "--now", "2026-06-01")
    assert rows[0] == {
        "code": "CS311",
        "severity": "error",
        "message": "kickoff:body.11: link target(s) differ from the source: "
        "'https://evil.example/2026/kickoff' (the translation is not used)",
        "file": "locales/de/LC_MESSAGES/messages.po",
        "line": line,
        "locale": "de",
        "channel": None,
    }
    assert [(d["code"], d["message"]) for d in rows[1:]] == [
        (
            "CS315",
            "kickoff:body.11: the protected term 'campaign.example.org' is missing or altered",
        ),
        (  # not used, the entry is missing from what German readers get
            "CS320",
            "de is required by eu but 1 of 177 entries are not translated (0 fuzzy, "
            "1 untranslated; first: kickoff:body.11); the translation freeze is 2026-09-15: "
            "translate them",
        ),
    ]


def test_required_locale_incomplete_warns_before_the_freeze_and_fails_after(
    sample_repo: Path,
) -> None:
    pl = po_file(sample_repo, "pl")
    line = set_translation(pl, "kickoff:title", "")
    nl = po_file(sample_repo, "nl")
    set_translation(nl, "kickoff:title", "")  # nl is not required: nothing to say
    message = (
        "pl is required by eu but 1 of 177 entries are not translated (0 fuzzy, "
        "1 untranslated; first: kickoff:title); the translation freeze {} 2026-09-15: translate them"
    )
    before = translation_diagnostics(sample_repo, "--now", "2026-09-01")
    assert [(d["code"], d["severity"], d["line"], d["message"]) for d in before] == [
        ("CS320", "warning", line, message.format("is"))
    ]
    after = translation_diagnostics(sample_repo, "--now", "2026-09-16")
    assert [(d["code"], d["severity"], d["message"]) for d in after] == [
        ("CS320", "error", message.format("was"))
    ]


@pytest.mark.parametrize(
    ("case", "todo"),
    [
        pytest.param(
            "fuzzy",
            "translate them, and review the fuzzy ones (remove 'fuzzy' once checked)",
            id="fuzzy-is-reviewed",
        ),
        pytest.param(
            "broken",  # (left out, it is missing; `locale update` refuses the file until fixed)
            "fix the catalog's errors (CS301-CS303) first: a broken entry counts as missing",
            id="broken-is-fixed-first",
        ),
    ],
)
def test_what_a_required_locale_misses_says_what_to_do(
    sample_repo: Path, case: str, todo: str
) -> None:
    pl = po_file(sample_repo, "pl")
    text = pl.read_text(encoding="utf-8")
    at = text.index('msgctxt "kickoff:title"')
    if case == "fuzzy":
        text = text[:at] + "#, fuzzy\n" + text[at:]
    else:
        end = text.index('msgstr "', at) + len('msgstr "')
        text = text[:end] + "\\q" + text[end:]
    pl.write_text(text, encoding="utf-8")
    found = translation_diagnostics(sample_repo, "--now", "2026-09-16")
    required = [d["message"] for d in found if d["code"] == "CS320"]
    assert len(required) == 1 and required[0].startswith("pl is required by eu but 1 of 177 ")
    assert required[0].endswith(f"the translation freeze was 2026-09-15: {todo}")


def test_syntax_errors_reach_check_with_their_line(sample_repo: Path) -> None:
    it = po_file(sample_repo, "it")
    text = it.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = lines.index('msgctxt "kickoff:title"')
    lines[at + 2] = lines[at + 2][:-1]  # drop the closing quote of the msgstr
    it.write_text("\n".join(lines), encoding="utf-8")
    rows = translation_diagnostics(sample_repo, "--now", "2026-06-01")
    assert [(d["code"], d["line"], d["message"]) for d in rows if d["code"] == "CS301"] == [
        ("CS301", at + 3, "unterminated string: the closing '\"' is missing")
    ]
    # The broken entry is left out, so Italian now misses a translation.
    assert [d["code"] for d in rows if d["code"] != "CS301"] == ["CS320"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Read more at https://example.org/mfa.", ["https://example.org/mfa"]),
        ("Visit www.example.org today, or www.example.org", ["www.example.org"] * 2),
        ("Write to help@example.org.", ["help@example.org"]),
        ("[the guide](https://example.org/guide) says so", []),  # a target is not written out
        ("`help@example.org` is code", []),
        ("Use a password manager; turn on MFA: it takes a minute.", []),
    ],
)
def test_the_urls_and_addresses_a_text_writes_out(text: str, written: list[str]) -> None:
    assert tokens.addresses(text) == Counter(written)


@pytest.mark.parametrize(
    ("text", "odd"),
    [
        ("Turn on **two-step login** today.", []),
        ("Turn on **two-step login today.", ["**"]),
        ("A ~~weak~~ strong passphrase, *always*.", []),
        ("A ~~weak strong passphrase, *always.", ["~~", "*"]),
        ("Keep snake_case and 2 * 3 as they are", []),  # inside a word, and spaced
        ("An _underlined word, see https://example.org/a_b_c", ["_"]),  # not in the URL
        ("No marker at all: the most common text.", []),
    ],
)
def test_the_emphasis_markers_a_text_leaves_without_a_pair(text: str, odd: list[str]) -> None:
    assert tokens.unbalanced_emphasis(text) == odd
