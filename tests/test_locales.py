"""The translator's commands: locale add, status and compile, end to end through the CLI."""

from __future__ import annotations

import gettext
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel import Locale

from tests.conftest import CliInvoke


def po_file(repo: Path, tag: str) -> Path:
    return repo / "locales" / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


def assert_plural_rule_means_cldr(po: str, tag: str, nplurals: int) -> None:
    """The written Plural-Forms picks one form per CLDR category, whatever its spelling."""
    header = re.search(r'"Plural-Forms: nplurals=(\d+); plural=(.*?);\\n"', po)
    assert header, "no Plural-Forms header"
    assert int(header.group(1)) == nplurals
    rule = gettext.c2py(header.group(2))
    cldr = Locale.parse(tag).plural_form
    forms: dict[str, set[int]] = {}
    for n in range(1001):
        forms.setdefault(cldr(n), set()).add(rule(n))
    # Every CLDR category maps to exactly one form, and no two categories share one.
    assert all(len(indexes) == 1 for indexes in forms.values()), forms
    assert sorted(i for indexes in forms.values() for i in indexes) == list(range(nplurals))


def test_add_creates_a_catalog_with_cldr_plurals(
    campaign_repo: Path, cli_invoke: CliInvoke
) -> None:
    result = cli_invoke(["locale", "add", "pl"], cwd=campaign_repo)
    assert result.stdout == (
        "Created locales/pl/LC_MESSAGES/messages.po (3 plural forms) "
        "and added 'pl' to campaignsync.toml\n"
        "Next: translate it, and list 'pl' in a partner's 'locales' to publish in it "
        "(a partner without 'required_locales' then requires it complete).\n"
    )
    po = po_file(campaign_repo, "pl").read_text(encoding="utf-8")
    assert '"Language: pl\\n"' in po
    assert_plural_rule_means_cldr(po, "pl", nplurals=3)
    assert 'locales = ["de", "fr", "pl"]' in (campaign_repo / "campaignsync.toml").read_text()
    done = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po_file(campaign_repo, "pl"))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    cli_invoke(["locale", "update", "--check"], cwd=campaign_repo)


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        pytest.param("../x", "'../x' is not a locale tag like 'de' or 'pt-PT'", id="path"),
        pytest.param("xx", "'xx' is not a locale that CLDR knows", id="unknown"),
        pytest.param("de\0", "'de\\x00' is not a locale tag like 'de' or 'pt-PT'", id="nul"),
        pytest.param("iw", "'iw' is not a canonical locale tag; did you mean 'he'?", id="alias"),
        pytest.param(
            "pt_BR",
            "'pt_BR' is not a canonical locale tag; did you mean 'pt-BR'?",
            id="gettext-spelling",
        ),
        pytest.param(
            "PT-br", "'PT-br' is not a canonical locale tag; did you mean 'pt-BR'?", id="case"
        ),
    ],
)
def test_add_rejects_bad_identifiers_before_touching_a_file(
    campaign_repo: Path, cli_invoke: CliInvoke, tag: str, message: str
) -> None:
    before = sorted(p.relative_to(campaign_repo) for p in campaign_repo.rglob("*"))
    config = (campaign_repo / "campaignsync.toml").read_bytes()
    result = cli_invoke(["locale", "add", tag], cwd=campaign_repo, expect=2)
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for 'LOCALE': {message}"
    assert sorted(p.relative_to(campaign_repo) for p in campaign_repo.rglob("*")) == before
    assert (campaign_repo / "campaignsync.toml").read_bytes() == config


def test_add_refuses_a_locale_that_exists(campaign_repo: Path, cli_invoke: CliInvoke) -> None:
    result = cli_invoke(["locale", "add", "de"], cwd=campaign_repo, expect=2)
    assert result.stderr == "error: locale 'de' is already configured\n"


def test_status_table_groups_by_partner(small_repo: Path, cli_invoke: CliInvoke) -> None:
    result = cli_invoke(["locale", "status"], cwd=small_repo)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Source: en. Counts are entries / source words; fuzzy never counts as translated."
    )
    assert lines[2] == "EU partners (eu) - required: en, de, fr, es, it, pl, pt-PT"
    assert lines[3].split() == [
        "locale", "complete", "translated", "via", "fallback", "fuzzy", "untranslated", "obsolete",
    ]  # fmt: skip
    assert any(line.split()[:2] == ["de", "100.0%"] for line in lines)
    us = lines.index("US partners (us) - required: en-US, es-US")
    en_us = next(line for line in lines[us:] if line.strip().startswith("en-US"))
    assert en_us.split()[1] == "100.0%"
    nl = next(line for line in lines if line.strip().startswith("nl "))
    assert nl.endswith("(not required)")


def test_status_json_counts_fallback_and_fuzzy(small_repo: Path, cli_invoke: CliInvoke) -> None:
    po = po_file(small_repo, "de")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgctxt "kickoff:title"', '#, fuzzy\nmsgctxt "kickoff:title"'))
    result = cli_invoke(["locale", "status", "--format", "json"], cwd=small_repo)
    data = json.loads(result.stdout)
    rows = {row["locale"]: row for row in data["locales"]}
    de = rows["de"]
    assert de["fuzzy"]["entries"] == 1
    assert de["translated"]["entries"] == de["total"]["entries"] - 1
    assert de["complete"] < 100
    assert de["required_by"] == ["eu"]
    en_us = rows["en-US"]
    assert en_us["fallback"]["entries"] > 0
    assert en_us["untranslated"]["entries"] == 0
    assert en_us["complete"] == 100.0
    assert [p["id"] for p in data["partners"]] == ["eu", "us"]


def test_status_min_exits_1_below_the_bar(small_repo: Path, cli_invoke: CliInvoke) -> None:
    result = cli_invoke(["locale", "status", "--min", "90"], cwd=small_repo, expect=1)
    assert result.stderr.startswith("error: below 90%: nl (")
    cli_invoke(["locale", "status", "--min", "100", "--required"], cwd=small_repo)
    result = cli_invoke(["locale", "status", "--locale", "xx"], cwd=small_repo, expect=2)
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--locale': 'xx' is not a locale that CLDR knows"
    )


def test_compile_writes_mo_files_and_refuses_broken_catalogs(
    small_repo: Path, cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    out = tmp_path / "mo"
    # A translation a build never uses (an address its source has not got) is left out.
    de = po_file(small_repo, "de")
    title = 'msgstr "Der Joint Cyber Awareness Month startet heute"'
    de.write_text(de.read_text(encoding="utf-8").replace(title, title[:-1] + ' www.x.example"'))
    result = cli_invoke(["locale", "compile", "--out", str(out)], cwd=small_repo)
    assert (out / "de/LC_MESSAGES/messages.mo").is_file()
    assert (out / "pt_PT/LC_MESSAGES/messages.mo").is_file()
    assert f"Wrote {out}/de/LC_MESSAGES/messages.mo: " in result.stdout
    with (out / "de/LC_MESSAGES/messages.mo").open("rb") as mo:
        german = gettext.GNUTranslations(mo)
    source = "Joint Cyber Awareness Month starts today"
    assert german.pgettext("kickoff:title", source) == source  # (the English: not translated)
    assert german.gettext("Read more") == "Weiterlesen"  # (the others are)
    po = po_file(small_repo, "fr")
    lines = po.read_text(encoding="utf-8").split("\n")
    at = next(
        i for i, line in enumerate(lines) if line.startswith('msgstr "') and line != 'msgstr ""'
    )
    lines[at] = lines[at][:-1]
    po.write_text("\n".join(lines), encoding="utf-8")
    result = cli_invoke(["locale", "compile"], cwd=small_repo, expect=1)
    assert result.stderr.splitlines()[0] == (
        f"locales/fr/LC_MESSAGES/messages.po:{at + 1}: error CS301: "
        "unterminated string: the closing '\"' is missing [fr]"
    )
    assert not list((small_repo / "locales").rglob("*.mo"))


def test_add_keeps_the_configs_comments_and_layout(
    campaign_repo: Path, cli_invoke: CliInvoke
) -> None:
    config = campaign_repo / "campaignsync.toml"
    listed = 'locales = [\n  "de",  # German\n  "fr"  # French\n]'
    before = config.read_text().replace('locales = ["de", "fr"]', listed)
    config.write_text(before)
    cli_invoke(["locale", "add", "es"], cwd=campaign_repo)
    expected = 'locales = [\n  "de",  # German\n  "fr",  # French\n  "es"\n]'
    assert config.read_text() == before.replace(listed, expected)
    assert (campaign_repo / "locales" / "es").exists()


def test_add_says_so_when_it_cannot_edit_the_config(campaign_repo: Path) -> None:
    from campaignsync.commands import locales
    from campaignsync.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        locales._with_locale('locales = ["de"]\nlocales = ["fr"]\n', "es")
    assert str(raised.value) == (
        "could not add 'es' to campaignsync.toml; add it to 'locales' by hand"
    )


def test_update_follows_the_english_without_a_separate_extract(
    campaign_repo: Path, cli_invoke: CliInvoke
) -> None:
    pot = campaign_repo / "locales" / "messages.pot"
    de, fr = po_file(campaign_repo, "de"), po_file(campaign_repo, "fr")
    message = next((campaign_repo / "content" / "messages").rglob("welcome.md"))
    message.write_text(
        message.read_text(encoding="utf-8").replace("One step a day", "One small step a day"),
        encoding="utf-8",
    )
    before = {path: path.read_bytes() for path in (pot, de, fr)}
    # The committed POT is stale: --check says so and changes nothing.
    result = cli_invoke(["locale", "update", "--check"], cwd=campaign_repo, expect=1)
    assert result.stdout == (
        "locales/messages.pot: out of date (11 entries)\n"
        "locales/de/LC_MESSAGES/messages.po: out of date (0 fuzzy, 11 empty)\n"
        "locales/fr/LC_MESSAGES/messages.po: out of date (0 fuzzy, 11 empty)\n"
    )
    assert result.stderr == "error: 3 catalogs out of date; run 'campaignsync locale update'\n"
    assert {path: path.read_bytes() for path in before} == before
    # No 'locale extract' first: update rewrites the POT and merges the new English.
    result = cli_invoke(["locale", "update"], cwd=campaign_repo)
    assert result.stdout == (
        "locales/messages.pot: updated (11 entries)\n"
        "locales/de/LC_MESSAGES/messages.po: updated (0 fuzzy, 11 empty)\n"
        "locales/fr/LC_MESSAGES/messages.po: updated (0 fuzzy, 11 empty)\n"
    )
    for path in (pot, de, fr):
        text = path.read_text(encoding="utf-8")
        assert 'msgid "One small step a day"' in text and '"One step a day"' not in text, path
    # A second run has nothing to do and writes nothing.
    after = {path: path.read_bytes() for path in before}
    result = cli_invoke(["locale", "update"], cwd=campaign_repo)
    assert result.stdout == (
        "locales/messages.pot: up to date (11 entries)\n"
        "locales/de/LC_MESSAGES/messages.po: up to date (0 fuzzy, 11 empty)\n"
        "locales/fr/LC_MESSAGES/messages.po: up to date (0 fuzzy, 11 empty)\n"
    )
    assert {path: path.read_bytes() for path in before} == after
    cli_invoke(["locale", "extract"], cwd=campaign_repo)
    assert pot.read_bytes() == after[pot]


def test_add_derives_a_missing_pot(campaign_repo: Path, cli_invoke: CliInvoke) -> None:
    pot = campaign_repo / "locales" / "messages.pot"
    expected = pot.read_bytes()
    pot.unlink()
    result = cli_invoke(["locale", "add", "es"], cwd=campaign_repo)
    first, second, _ = result.stdout.split("\n", 2)
    assert first == "Wrote locales/messages.pot (11 entries)"
    assert second.startswith("Created locales/es/LC_MESSAGES/messages.po (")
    dated = (b'"POT-Creation-Date:', b'"PO-Revision-Date:')
    assert [line for line in pot.read_bytes().splitlines() if not line.startswith(dated)] == [
        line for line in expected.splitlines() if not line.startswith(dated)
    ]
    assert 'msgctxt "welcome:title"' in po_file(campaign_repo, "es").read_text(encoding="utf-8")


def test_derived_catalogs_carry_the_commit_time_not_the_clock(
    committed_repo: Path, cli_invoke: CliInvoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two clones deriving the POT from the same commit write the same bytes."""
    from babel.messages.pofile import read_po

    pot = committed_repo / "locales" / "messages.pot"
    message = next((committed_repo / "content" / "messages").rglob("welcome.md"))
    message.write_text(
        message.read_text(encoding="utf-8").replace("One step a day", "One small step a day"),
        encoding="utf-8",
    )
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-05-01T10:00:00Z")
    subprocess.run(["git", "commit", "-qam", "Reword"], cwd=committed_repo, check=True)
    cli_invoke(["locale", "update"], cwd=committed_repo)
    when = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    for path in (pot, po_file(committed_repo, "de")):
        with path.open("rb") as file:
            assert read_po(file).creation_date == when, path
    # SOURCE_DATE_EPOCH, when set, wins (as for a build).
    message.write_text(message.read_text(encoding="utf-8").replace("small", "tiny"))
    cli_invoke(["locale", "update"], cwd=committed_repo, env={"SOURCE_DATE_EPOCH": "1789999980"})
    with pot.open("rb") as file:
        assert read_po(file).creation_date == datetime.fromtimestamp(1789999980, UTC)


def test_one_problem_in_the_catalogs_is_told_in_the_singular(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    po = small_repo / "locales/de/LC_MESSAGES/messages.po"
    lines = len(po.read_text().splitlines())
    po.write_text(po.read_text() + '\nmsgid "broken\n')
    result = cli_invoke(["locale", "status", "--repo", str(small_repo)], expect=1)
    assert result.stderr == (
        f"locales/de/LC_MESSAGES/messages.po:{lines + 2}: error CS301: unterminated string: "
        "the closing '\"' is missing [de]\n"
        "error: 1 problem in the catalogs; see above\n"
    )


def test_update_reads_every_catalog_before_writing_any(
    small_repo: Path, cli_invoke: CliInvoke
) -> None:
    """One unreadable catalog stops the update at its file and line, and no file changes."""
    message = sorted((small_repo / "content" / "messages").rglob("*.md"))[0]
    text = message.read_text(encoding="utf-8")
    message.write_text(re.sub(r"(?m)^title: .*$", "title: A new title", text, count=1))
    de = po_file(small_repo, "de")
    lines = de.read_bytes().count(b"\n")
    with de.open("ab") as handle:
        handle.write(b"\xff\xfe garbage")
    files = sorted(p for p in (small_repo / "locales").rglob("*") if p.is_file())
    before = {path: path.read_bytes() for path in files}
    result = cli_invoke(["locale", "update", "--jobs", "2"], cwd=small_repo, expect=1)
    assert result.stdout == ""
    assert result.stderr == (
        f"error: locales/de/LC_MESSAGES/messages.po:{lines + 1}: cannot read: "
        "not valid utf-8 text\n"
    )
    assert sorted(p for p in (small_repo / "locales").rglob("*") if p.is_file()) == files
    assert {path: path.read_bytes() for path in files} == before


def test_status_counts_a_locale_just_added_as_untranslated(
    small_repo: Path, cli_invoke: CliInvoke
) -> None:
    """A locale no partner publishes yet still needs every entry of its catalog."""
    cli_invoke(["locale", "add", "pt-BR"], cwd=small_repo)
    extract = cli_invoke(["locale", "extract"], cwd=small_repo).stdout
    entries = int(re.fullmatch(r"Unchanged: locales/messages.pot \((\d+) entries\)\n", extract)[1])
    result = cli_invoke(["locale", "status", "--format", "json"], cwd=small_repo)
    row = next(r for r in json.loads(result.stdout)["locales"] if r["locale"] == "pt-BR")
    assert row["partners"] == [] and row["exists"]
    assert row["translated"]["entries"] == row["fuzzy"]["entries"] == 0
    assert row["untranslated"]["entries"] == row["total"]["entries"] == entries > 0
    assert row["untranslated"]["words"] > 0
    table = cli_invoke(["locale", "status", "--locale", "pt-BR"], cwd=small_repo).stdout
    untranslated = f"{entries} / {row['untranslated']['words']}"
    assert re.search(rf"(?m)^  pt-BR +- +0 / 0 +0 / 0 +0 / 0 +{untranslated}  0", table), table


def test_a_catalog_saved_with_a_byte_order_mark_is_updated_as_any(
    campaign_repo: Path, cli_invoke: CliInvoke
) -> None:
    # Some editors (Notepad) put a byte-order mark before UTF-8 text: every command reads
    # the file as if it were not there, as `check` does.
    de = po_file(campaign_repo, "de")
    de.write_bytes(b"\xef\xbb\xbf" + de.read_bytes())
    result = cli_invoke(["locale", "update", "--check"], cwd=campaign_repo)
    assert "locales/de/LC_MESSAGES/messages.po: up to date" in result.stdout
    message = next((campaign_repo / "content" / "messages").rglob("welcome.md"))
    message.write_text(
        message.read_text(encoding="utf-8").replace("One step a day", "One small step a day"),
        encoding="utf-8",
    )
    result = cli_invoke(["locale", "update"], cwd=campaign_repo)
    assert "locales/de/LC_MESSAGES/messages.po: updated (0 fuzzy, 11 empty)" in result.stdout
    text = de.read_bytes()
    assert not text.startswith(b"\xef\xbb\xbf") and b'msgid "One small step a day"' in text
    cli_invoke(["locale", "compile"], cwd=campaign_repo)


def test_status_of_the_source_locale_says_it_has_nothing_to_translate(
    small_repo: Path, cli_invoke: CliInvoke
) -> None:
    result = cli_invoke(["locale", "status", "--locale", "en"], cwd=small_repo, expect=2)
    assert result.stderr == "error: en is the source locale: it has nothing to translate\n"
    assert result.stdout == ""


def test_status_counts_the_campaign_a_build_builds_unless_told(
    small_repo: Path, cli_invoke: CliInvoke
) -> None:
    def totals(*args: str) -> tuple[str, dict[str, int]]:
        found = cli_invoke(["locale", "status", "--format", "json", *args], cwd=small_repo)
        data = json.loads(found.stdout)
        return data["campaign"], {row["locale"]: row["total"]["entries"] for row in data["locales"]}

    campaign, before = totals()
    assert campaign == "2026"  # the config's default_campaign, as --help says
    # A message of next year's campaign, written early, is not this year's work.
    source = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    later = small_repo / "content" / "messages" / "2027" / "kickoff-2027.md"
    later.parent.mkdir()
    text = source.read_text(encoding="utf-8").replace("id: kickoff", "id: kickoff-2027", 1)
    text = text.replace("theme: passwords\n", "", 1)
    later.write_text(
        text.replace('campaign: "2026"', 'campaign: "2027"', 1).replace("2026-10-", "2027-10-")
    )
    assert totals() == ("2026", before)
    campaign, next_year = totals("--campaign", "2027")
    assert campaign == "2027" and 0 < next_year["de"] < before["de"]


def test_update_writes_a_catalog_in_another_charset_as_utf_8(
    sample_repo: Path, cli_invoke: CliInvoke
) -> None:
    # A translator's catalog in ISO-8859-1; the English then gains a dash that charset
    # cannot hold. As msgmerge does, the merged catalog is written in UTF-8 (Babel alone
    # would write "\u2014", which no PO reader takes).
    pt = po_file(sample_repo, "pt-PT")
    text = pt.read_text(encoding="utf-8").replace("charset=utf-8", "charset=ISO-8859-1", 1)
    pt.write_bytes(text.encode("latin-1", "replace"))  # (its few curly quotes become "?")
    translated = "Aplicação de autenticação ou código por SMS?"
    assert translated.encode("latin-1") in pt.read_bytes()
    assert "error" not in cli_invoke(["check", "--repo", str(sample_repo)]).stdout
    # Found up to date, the file is kept as read (``commands.pomemo``): the next update must
    # still write it whole, not its old blocks under a UTF-8 header.
    result = cli_invoke(["locale", "update", "--repo", str(sample_repo)])
    assert "locales/pt_PT/LC_MESSAGES/messages.po: up to date" in result.stdout
    message = sample_repo / "content" / "messages" / "2026" / "report-phishing.md"
    source = message.read_text(encoding="utf-8")
    assert "It only takes a few seconds." in source
    message.write_text(source.replace("a few seconds.", "a few seconds — really."), "utf-8")
    result = cli_invoke(["locale", "update", "--repo", str(sample_repo)])
    assert "locales/pt_PT/LC_MESSAGES/messages.po: updated (1 fuzzy, 0 empty)" in result.stdout
    written = pt.read_bytes().decode("utf-8")  # (raises if it is not UTF-8)
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in written
    assert "a few seconds — really." in written and "\\u2014" not in written
    assert translated in written
    result = cli_invoke(["check", "--repo", str(sample_repo), "--now", "2026-09-01"])
    assert "CS30" not in result.stdout  # (CS300-CS303: it reads back as written)
