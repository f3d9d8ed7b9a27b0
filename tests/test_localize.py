"""Localizing along the fallback chain: regional fallbacks count as translated, others do not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from campaignsync.commands import locales
from campaignsync.l10n import catalog, localize
from campaignsync.load.project import require_project
from tests.conftest import CliInvoke


def blank(po: Path, context: str) -> None:
    """Empty one msgstr, as if the translator had not done it yet."""
    text = po.read_text(encoding="utf-8")
    pattern = re.compile(rf'(msgctxt "{re.escape(context)}"\nmsgid "(?:[^"\\]|\\.)*"\n)msgstr ".*"')
    text, count = pattern.subn(r'\1msgstr ""', text)
    assert count == 1
    po.write_text(text, encoding="utf-8")


def po_file(repo: Path, tag: str) -> Path:
    return repo / "locales" / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def localized(repo: Path, tag: str, message_id: str) -> localize.LocalizedMessage:
    project = require_project(repo)[0]
    lookups, problems = catalog.load_lookups(project.root, project.config)
    assert problems == []
    locale = project.config.locale(tag)
    assert locale is not None
    message = next(m for m in project.messages if m.id == message_id)
    return localize.localize(message, locale, project.config, lookups)


def test_a_regional_fallback_counts_as_translated(small_repo: Path) -> None:
    blank(po_file(small_repo, "es-US"), "kickoff:title")
    result = localized(small_repo, "es-US", "kickoff")
    title = dict(result.fields)["title"]
    assert title.locale == "es"
    assert title.origin is not None and title.origin.startswith(
        "locales/es/LC_MESSAGES/messages.po:"
    )
    assert result.translated is True
    assert result.fallbacks == ("es",)


def test_us_english_reads_the_source_where_it_has_no_wording_of_its_own(small_repo: Path) -> None:
    result = localized(small_repo, "en-US", "kickoff")
    assert result.translated is True
    assert result.fallbacks == ("en",)


def test_text_from_the_source_in_another_language_is_untranslated(small_repo: Path) -> None:
    blank(po_file(small_repo, "de"), "kickoff:title")
    result = localized(small_repo, "de", "kickoff")
    assert dict(result.fields)["title"].locale == "en"
    assert result.translated is False
    assert result.fallbacks == ("en",)


def test_a_configured_fallback_to_another_language_is_not_a_translation(
    campaign_repo: Path,
) -> None:
    config = campaign_repo / "campaignsync.toml"
    config.write_text(config.read_text() + '\n[fallbacks]\nfr = ["de"]\n')
    po = po_file(campaign_repo, "de")
    po.write_text(
        po.read_text(encoding="utf-8").replace(
            'msgid "One step a day"\nmsgstr ""',
            'msgid "One step a day"\nmsgstr "Ein Schritt am Tag"',
        ),
        encoding="utf-8",
    )
    result = localized(campaign_repo, "fr", "welcome")
    assert dict(result.fields)["body.1"].text == "Ein Schritt am Tag"
    assert result.translated is False
    assert set(result.fallbacks) == {"de", "en"}


def test_coverage_never_counts_fuzzy_as_translated(small_repo: Path) -> None:
    po = po_file(small_repo, "es-US")
    po.write_text(
        po.read_text(encoding="utf-8").replace(
            'msgctxt "kickoff:title"', '#, fuzzy\nmsgctxt "kickoff:title"'
        ),
        encoding="utf-8",
    )
    blank(po, "kickoff:summary")
    project = require_project(small_repo)[0]
    lookups, _ = catalog.load_lookups(project.root, project.config)
    locale = project.config.locale("es-US")
    assert locale is not None
    needed = localize.needs(
        project.config, project.messages, locale, locales.template_needs(project)
    )
    counted = localize.coverage(locale, project.config, needed, lookups)
    assert (counted.fuzzy.entries, counted.fallback.entries, counted.untranslated.entries) == (
        1,
        1,
        0,
    )
    assert counted.first_missing == ("kickoff:title", "Joint Cyber Awareness Month starts today")
    assert counted.percent < 100


def test_the_manifest_marks_outputs_that_used_a_fallback(
    sample_repo: Path, cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    blank(po_file(sample_repo, "es-US"), "kickoff:posts.sms")
    blank(po_file(sample_repo, "de"), "kickoff:posts.sms")
    out = tmp_path / "out"
    cli_invoke(
        ["build", "--locale", "es-US", "--locale", "de", "--channel", "sms", "--out", str(out)],
        cwd=sample_repo,
    )
    rows = {
        row["path"]: row
        for row in json.loads((out / "2026.partial/manifest.json").read_text(encoding="utf-8"))[
            "files"
        ]
        if "path" in row
    }
    assert (
        rows["es-US/sms/kickoff.txt"]["translated"],
        rows["es-US/sms/kickoff.txt"]["fallback"],
    ) == (
        True,
        ["es"],
    )
    assert (rows["de/sms/kickoff.txt"]["translated"], rows["de/sms/kickoff.txt"]["fallback"]) == (
        False,
        ["en"],
    )
    assert rows["de/sms/what-is-mfa.txt"]["translated"] is True


def test_the_message_variable_reads_as_the_dict_it_was_with_its_body_made_when_read(
    small_repo: Path,
) -> None:
    from dataclasses import replace

    from markupsafe import Markup

    from campaignsync.render import context, engine

    result = localized(small_repo, "de", "kickoff")
    project = require_project(small_repo)[0]
    message = context.template_context(project, result)["message"]
    keys = list(message)
    assert keys.index("image") + 1 == keys.index("body_html")  # where the dict had them
    assert keys[keys.index("body_html") : keys.index("body_html") + 3] == [
        "body_html",
        "body_text",
        "body_plain",
    ]
    whole = dict(message)
    assert whole["body_html"] == Markup(result.body.html) and "<p" in whole["body_html"]
    assert repr(message) == repr(whole) and list(reversed(message)) == keys[::-1]
    env = engine.make_environment(small_repo / "templates")
    shown = env.from_string("{{ message }}|{{ message|length }}|{{ message|last }}")
    assert shown.render(message=message) == env.from_string(
        "{{ message }}|{{ message|length }}|{{ message|last }}"
    ).render(message=whole)
    as_json = json.loads(env.from_string("{{ message|tojson }}").render(message=message))
    assert as_json["body_text"] == result.body.text
    assert as_json["publish"] == message["publish"].isoformat()  # a time json has no form for
    # A misspelt field names the variable; the sandbox's own refusals are its own.
    with pytest.raises(Exception, match="'message' has no attribute 'pots'"):
        env.from_string("{{ message.pots }}").render(message=message)
    with pytest.raises(Exception, match="unsafe"):
        env.from_string("{{ message.__class__ }}").render(message=message)

    class Broken:
        @property
        def html(self) -> str:
            raise KeyError("no such block")

    broken = context.template_context(project, replace(result, body=Broken()))["message"]
    # Not "no attribute body_html" (a KeyError would read so): the conversion failed.
    with pytest.raises(RuntimeError, match="the message's body could not be converted"):
        env.from_string("{{ message.body_html }}").render(message=broken)
