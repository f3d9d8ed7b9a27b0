"""Catalogs: extraction, merging, round trips through Babel and GNU msgfmt, lookups, MO files."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from campaignsync.commands import locales
from campaignsync.l10n import catalog, pomerge
from campaignsync.load.config import parse_locale
from campaignsync.load.project import require_project
from tests.conftest import NOW, CliInvoke

LATER = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def msgfmt_check(path: Path) -> None:
    """Assert that GNU gettext accepts the file (`msgfmt --check`)."""
    done = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def translate(po: Path, context: str, text: str, fuzzy: bool = False) -> None:
    """Fill in one msgstr as a translator would in a text editor."""
    source = po.read_text(encoding="utf-8")
    pattern = re.compile(rf'(msgctxt "{re.escape(context)}"\nmsgid "(?:[^"\\]|\\.)*"\n)msgstr ".*"')
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    updated, count = pattern.subn(lambda m: f'{m.group(1)}msgstr "{escaped}"', source)
    assert count == 1, f"no entry {context} in {po}"
    if fuzzy:
        updated = updated.replace(f'msgctxt "{context}"', f'#, fuzzy\nmsgctxt "{context}"')
    po.write_text(updated, encoding="utf-8")


def babel_round_trip(path: Path) -> None:
    """Assert that Babel reads the file as written and campaignsync writes it back unchanged."""
    data = path.read_bytes()
    plain = read_po(io.BytesIO(data), abort_invalid=True)
    mine = catalog.read_catalog(path.parent, path.name, None)
    assert [(m.context, m.id, m.string, m.fuzzy) for m in plain] == [
        (m.context, m.id, m.string, m.fuzzy) for m in mine
    ]
    assert catalog.render_po(mine) == data


def set_message_text(repo: Path, old: str, new: str) -> None:
    path = repo / "content/messages/2026/welcome.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def project(repo: Path):  # type: ignore[no-untyped-def]
    return require_project(repo)[0]


def po_file(repo: Path, tag: str = "de") -> Path:
    return repo / "locales" / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


# --- extract ---------------------------------------------------------------------------


def test_extract_is_byte_for_byte_stable(sample_repo: Path) -> None:
    pot = sample_repo / "locales/messages.pot"
    first = locales.extract(project(sample_repo), NOW)
    before = pot.read_bytes()
    second = locales.extract(project(sample_repo), LATER)
    assert second.changed is False
    assert pot.read_bytes() == before
    assert first.entries == second.entries


def test_the_pot_has_contexts_references_limits_and_template_strings(campaign_repo: Path) -> None:
    pot = (campaign_repo / "locales/messages.pot").read_text(encoding="utf-8")
    assert (
        "#. Post text on: x, mastodon, bluesky, linkedin, email, web, press\n"
        "#. Limits: X: 280, Mastodon: 500, Bluesky: 300, LinkedIn: 3000\n"
        "#: content/messages/2026/welcome.md:11\n"
        'msgctxt "welcome:summary"\n'
    ) in pot
    assert re.search(r'#: templates/press\.html\.j2:\d+\nmsgid "For immediate release"\n', pot)
    assert "POT-Creation-Date: 2026-06-01 12:00+0000" in pot


def test_extraction_errors_in_templates_are_not_silenced(campaign_repo: Path) -> None:
    from campaignsync.errors import DiagnosticsError

    (campaign_repo / "templates/x.txt.j2").write_text("{% trans %}Hi {{ a.b }}{% endtrans %}\n")
    with pytest.raises(DiagnosticsError) as caught:
        locales.extract(project(campaign_repo), NOW)
    (d,) = caught.value.diagnostics
    assert (d.code, d.file, d.line) == ("CS030", "templates/x.txt.j2", 1)


@pytest.mark.parametrize("name", ["messages.pot", "de/LC_MESSAGES/messages.po"])
def test_written_catalogs_pass_msgfmt_and_read_back_unchanged(
    campaign_repo: Path, name: str
) -> None:
    path = campaign_repo / "locales" / name
    msgfmt_check(path)
    babel_round_trip(path)


# --- merge (locale update) ------------------------------------------------------------


def test_update_keeps_marks_fuzzy_obsoletes_and_reuses(campaign_repo: Path) -> None:
    po = po_file(campaign_repo)
    translate(po, "welcome:title", "Unser Aktionsmonat beginnt heute")
    translate(po, "welcome:body.1", "Ein Schritt am Tag")
    translate(po, "welcome:body.5", "Installiere Updates, wenn dein Gerät fragt.")
    # The source changes: a title edit, a removed list item.
    set_message_text(campaign_repo, "starts today\n", "begins today\n")
    set_message_text(campaign_repo, "- Install updates when your device asks.\n", "")
    locales.extract(project(campaign_repo), LATER)
    locales.update(project(campaign_repo), LATER)
    text = po.read_text(encoding="utf-8")
    # Unchanged text keeps its translation, not fuzzy.
    assert 'msgctxt "welcome:body.1"\nmsgid "One step a day"\nmsgstr "Ein Schritt am Tag"' in text
    # Changed text under the same msgctxt: fuzzy, with the previous msgid for the diff.
    assert (
        "#, fuzzy\n"
        '#| msgid "Our awareness month starts today"\n'
        'msgctxt "welcome:title"\n'
        'msgid "Our awareness month begins today"\n'
        'msgstr "Unser Aktionsmonat beginnt heute"\n'
    ) in text
    # Removed text is kept as obsolete, never lost.
    assert (
        '#~ msgctxt "welcome:body.5"\n'
        '#~ msgid "Install updates when your device asks."\n'
        '#~ msgstr "Installiere Updates, wenn dein Gerät fragt."\n'
    ) in text
    msgfmt_check(po)
    babel_round_trip(po)
    assert not any(r.changed for r in locales.update(project(campaign_repo), LATER).catalogs)
    # The text comes back: the obsolete translation is reused as it was.
    set_message_text(
        campaign_repo, "your email.\n", "your email.\n- Install updates when your device asks.\n"
    )
    locales.extract(project(campaign_repo), LATER)
    locales.update(project(campaign_repo), LATER)
    text = po.read_text(encoding="utf-8")
    assert (
        'msgctxt "welcome:body.5"\n'
        'msgid "Install updates when your device asks."\n'
        'msgstr "Installiere Updates, wenn dein Gerät fragt."\n'
    ) in text
    assert "#~" not in text


def test_fuzzy_matching_never_crosses_contexts() -> None:
    de = parse_locale("de")
    old = Catalog(locale="de")
    old.add("Donate now", "Jetzt spenden", context="banner:title")
    pot = Catalog()
    pot.add("Donate today", context="cta:title")
    merged = pomerge.merge(pot, old)
    entry = merged.get("Donate today", context="cta:title")
    assert entry is not None
    assert (entry.string, entry.fuzzy) == ("", False)
    assert [m.string for m in merged.obsolete.values()] == ["Jetzt spenden"]
    assert catalog.cldr_plurals(de)[0] == 2


def test_merge_keeps_a_translators_flags_and_reshapes_plurals() -> None:
    old = Catalog(locale="pl")
    old.add("Read more", "Czytaj dalej", flags=["ignore-same"], context=None)
    old.add("one file", "jeden plik", context="files")
    pot = Catalog()
    pot.add("Read more")
    pot.add(("one file", "%(n)s files"), context="files", flags=["python-format"])
    merged = pomerge.merge(pot, old)
    assert merged.num_plurals == 3
    read_more = merged.get("Read more")
    assert read_more is not None and "ignore-same" in read_more.flags
    files = merged.get("one file", context="files")
    assert files is not None
    assert files.string == ("jeden plik", "", "")
    assert files.fuzzy


def test_update_check_works_with_msgctxt(campaign_repo: Path, cli_invoke: CliInvoke) -> None:
    result = cli_invoke(["locale", "update", "--check"], cwd=campaign_repo)
    assert "locales/de/LC_MESSAGES/messages.po: up to date" in result.stdout
    set_message_text(campaign_repo, "One step a day", "One small step a day")
    cli_invoke(["locale", "extract"], cwd=campaign_repo)
    before = po_file(campaign_repo).read_bytes()
    result = cli_invoke(["locale", "update", "--check"], cwd=campaign_repo, expect=1)
    assert "locales/de/LC_MESSAGES/messages.po: out of date" in result.stdout
    assert result.stderr == ("error: 2 catalogs out of date; run 'campaignsync locale update'\n")
    assert po_file(campaign_repo).read_bytes() == before
    cli_invoke(["locale", "update"], cwd=campaign_repo)
    cli_invoke(["locale", "update", "--check"], cwd=campaign_repo)


def test_update_refuses_a_catalog_babel_would_truncate(
    campaign_repo: Path, cli_invoke: CliInvoke
) -> None:
    po = po_file(campaign_repo)
    text = po.read_text(encoding="utf-8").replace(
        'msgid "One step a day"\nmsgstr ""', 'msgid "One step a day"\nmsgstr "Ein Schritt'
    )
    po.write_text(text, encoding="utf-8")
    line = text.split("\n").index('msgstr "Ein Schritt') + 1
    result = cli_invoke(["locale", "update"], cwd=campaign_repo, expect=1)
    assert result.stderr == (
        f"error: locales/de/LC_MESSAGES/messages.po:{line}: cannot read: "
        "unterminated string: the closing '\"' is missing\n"
    )
    assert po.read_text(encoding="utf-8") == text


def test_a_catalog_edited_as_a_translator_would(campaign_repo: Path) -> None:
    """Poedit-style: wrapped strings, its own headers, comments, an entry left fuzzy."""
    po = po_file(campaign_repo)
    text = po.read_text(encoding="utf-8")
    text = text.replace(
        '"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"',
        '"Last-Translator: Anna Schmidt <anna@example.org>\\n"\n"X-Generator: Poedit 3.4.2\\n"',
    )
    text = text.replace(
        'msgid "All October we share one simple step a day to keep your accounts and devices '
        'safe."\nmsgstr ""',
        'msgid "All October we share one simple step a day to keep your accounts and devices '
        'safe."\nmsgstr ""\n"Den ganzen Oktober teilen wir jeden Tag einen einfachen Schritt, "\n'
        '"damit deine Konten und Geräte sicher bleiben."',
    )
    text = text.replace(
        '#: content/messages/2026/welcome.md:17\nmsgctxt "welcome:body.1"',
        "# Anna: kurz halten, es ist eine Überschrift\n"
        '#: content/messages/2026/welcome.md:17\n#, fuzzy\nmsgctxt "welcome:body.1"',
    )
    text = text.replace(
        'msgid "One step a day"\nmsgstr ""', 'msgid "One step a day"\nmsgstr "Ein Schritt täglich"'
    )
    po.write_text(text, encoding="utf-8")
    msgfmt_check(po)
    # Nothing to merge: the translator's wrapping and headers are left alone.
    results = locales.update(project(campaign_repo), LATER).catalogs
    assert [r.changed for r in results] == [False, False]
    assert po.read_text(encoding="utf-8") == text
    lookup, problems = catalog.load_lookup(
        campaign_repo, project(campaign_repo).config, parse_locale("de")
    )
    assert problems == ()
    summary = lookup.get(
        "welcome:summary",
        "All October we share one simple step a day to keep your accounts and devices safe.",
    )
    assert summary is not None
    assert summary.text == (
        "Den ganzen Oktober teilen wir jeden Tag einen einfachen Schritt, "
        "damit deine Konten und Geräte sicher bleiben."
    )
    assert lookup.get("welcome:body.1", "One step a day") is None  # fuzzy: never used
    assert ("welcome:body.1", "One step a day") in lookup.fuzzy


# --- lookups --------------------------------------------------------------------------


def test_lookup_reports_syntax_errors_at_the_po_line(campaign_repo: Path) -> None:
    po = po_file(campaign_repo)
    text = po.read_text(encoding="utf-8")
    text += '\nmsgctxt "welcome:title"\nmsgid "Our awareness month starts today"\nmsgstr "x"\n'
    po.write_text(text, encoding="utf-8")
    first = text.split("\n").index('msgctxt "welcome:title"') + 1
    second = len(text.split("\n")) - 3
    _, problems = catalog.load_lookup(
        campaign_repo, project(campaign_repo).config, parse_locale("de")
    )
    assert [(d.code, d.file, d.line, d.text, d.locale) for d in problems] == [
        (
            "CS302",
            "locales/de/LC_MESSAGES/messages.po",
            second,
            "duplicate entry (msgctxt 'welcome:title', msgid 'Our awareness month starts "
            f"today'): first defined at line {first}",
            "de",
        )
    ]


def test_lookup_refuses_html_the_source_does_not_have(campaign_repo: Path) -> None:
    po = po_file(campaign_repo)
    translate(po, "welcome:body.1", "Ein Schritt <script>alert(1)</script>")
    lookup, _ = catalog.load_lookup(
        campaign_repo, project(campaign_repo).config, parse_locale("de")
    )
    assert lookup.get("welcome:body.1", "One step a day") is None
    assert ("welcome:body.1", "One step a day") in lookup.rejected


def test_plural_forms_header_must_match_cldr(tmp_path: Path) -> None:
    from campaignsync.model import Config

    po = tmp_path / "locales/pl/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "one file"\nmsgid_plural "files"\nmsgstr[0] "plik"\nmsgstr[1] "pliki"\n',
        encoding="utf-8",
    )
    config = Config(tmp_path, "t", parse_locale("en"), (parse_locale("pl"),), (), ())
    lookup, problems = catalog.load_lookup(tmp_path, config, parse_locale("pl"))
    assert [(d.code, d.line, d.text) for d in problems] == [
        (
            "CS303",
            7,
            "the Plural-Forms header says nplurals=2, but pl has 3 plural form(s) in CLDR; "
            "fix the header and the msgstr[n] lines",
        )
    ]
    assert lookup.entries == {}


# --- compile --------------------------------------------------------------------------


def test_compiled_mo_has_translations_but_not_fuzzy_ones(campaign_repo: Path) -> None:
    po = po_file(campaign_repo)
    translate(po, "welcome:title", "Unser Aktionsmonat beginnt heute")
    translate(po, "welcome:body.1", "Ein Schritt am Tag", fuzzy=True)
    results = locales.compile_catalogs(project(campaign_repo))
    assert [(r.path, r.translated, r.fuzzy) for r in results] == [
        ("locales/de/LC_MESSAGES/messages.mo", 1, 1),
        ("locales/fr/LC_MESSAGES/messages.mo", 0, 0),
    ]
    mo = po.with_suffix(".mo")
    with mo.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    assert translations.pgettext("welcome:title", "Our awareness month starts today") == (
        "Unser Aktionsmonat beginnt heute"
    )
    assert translations.pgettext("welcome:body.1", "One step a day") == "One step a day"
    first = mo.read_bytes()
    locales.compile_catalogs(project(campaign_repo))
    assert mo.read_bytes() == first


def test_a_long_previous_msgid_stays_one_valid_line(campaign_repo: Path) -> None:
    """Babel wraps "#|" comments at 76 even with width=0, which msgfmt rejects."""
    po = po_file(campaign_repo)
    old = "All October we share one simple step a day to keep your accounts and devices safe."
    translate(
        po, "welcome:summary", "Den ganzen Oktober teilen wir jeden Tag einen einfachen Schritt."
    )
    set_message_text(campaign_repo, "one simple step a day", "one simple safety step a day")
    locales.extract(project(campaign_repo), LATER)
    locales.update(project(campaign_repo), LATER)
    text = po.read_text(encoding="utf-8")
    assert f'#, fuzzy\n#| msgid "{old}"\nmsgctxt "welcome:summary"\n' in text
    msgfmt_check(po)
    assert not any(r.changed for r in locales.update(project(campaign_repo), LATER).catalogs)
