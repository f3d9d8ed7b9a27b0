"""check keeps each message's findings (pack.findings): after every edit, a clean check's answer."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke

from campaignsync.l10n import localize
from campaignsync.model import Message
from campaignsync.pack import findings, unitrows
from campaignsync.pack.cache import FOLDER

NOW = ["--now", "2026-09-01"]
ALT = re.compile(
    r'\n#\. Image description[^\n]*\n#: [^\n]*\nmsgctxt "kickoff:image\.alt"\n[^\n]*\n[^\n]*\n'
)


def clean_answer(cli_invoke: CliInvoke, repo: Path, tmp: Path) -> str:
    """Return what check says about a copy of ``repo`` that has no cache at all.

    Also asked without any cache at all (every output rendered, every check run over
    them in one go): the same answer.
    """
    from campaignsync import pipeline
    from campaignsync.checks import report

    copy = tmp / "clean"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns("dist"))
    said = cli_invoke(["check", "--repo", str(copy), *NOW]).stdout
    now = datetime(2026, 9, 1, tzinfo=UTC)
    uncached = pipeline.check(copy, None, now, 1, cached=False).diagnostics
    assert report.render(uncached, "text") == said
    return said


def kept_files(repo: Path, suffix: str = ".found") -> dict[str, int]:
    """Return each kept findings file (or look-ups file) and when it was written."""
    folder = repo / "dist" / FOLDER / findings.FOLDER
    return {p.name: p.stat().st_mtime_ns for p in folder.rglob(f"*{suffix}")}


def test_kept_findings_are_a_clean_checks_after_each_edit(
    cli_invoke: CliInvoke, sample_repo: Path, tmp_path: Path
) -> None:
    check = ["check", "--repo", str(sample_repo), *NOW]
    po = sample_repo / "locales/de/LC_MESSAGES/messages.po"
    message = sample_repo / "content/messages/2026/kickoff.md"
    fr = sample_repo / "locales/fr/LC_MESSAGES/messages.po"
    first = cli_invoke(check).stdout
    assert first == clean_answer(cli_invoke, sample_repo, tmp_path)
    assert len(kept_files(sample_repo)) == 16  # one per message

    def alt_untranslated_last(text: str) -> str:
        entry = ALT.search(text)
        assert entry is not None
        moved = re.sub(r'msgstr "[^"]*"', 'msgstr ""', entry.group())
        return text.replace(entry.group(), "\n") + moved

    def edit_message(text: str) -> str:
        return text + "\nSee http://example.org for MORE DETAILS TODAY.\n"

    def shout(text: str) -> str:
        return re.sub(
            r'(msgctxt "kickoff:title"\nmsgid "[^"]*"\nmsgstr ")', r"\1TOUS LES MOTS ", text
        )

    def move_line(text: str) -> str:
        return text.replace('msgctxt "kickoff:image.alt"', '# moved\nmsgctxt "kickoff:image.alt"')

    edits = [
        (po, alt_untranslated_last, "CS414"),
        # Only the untranslated entry's line moves: every unit is still taken from the
        # render cache, but CS414 names the new line.
        (po, move_line, "CS414"),
        (message, edit_message, "CS206"),
        (fr, shout, "CS412"),
    ]
    for path, edit, code in edits:
        before = kept_files(sample_repo)
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        said = cli_invoke(check).stdout
        assert said == clean_answer(cli_invoke, sample_repo, tmp_path)
        if code is not None:
            assert code in said
        after = kept_files(sample_repo)
        assert after.keys() == before.keys()
        assert any(after[name] == before[name] for name in after)  # not all found again
    line = re.search(r"translate kickoff:image\.alt in (\S+)", said)
    assert line is not None and line.group(1).startswith("locales/de/")


def test_a_message_edit_finds_that_message_alone_again(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    check = ["check", "--repo", str(small_repo), *NOW]
    cli_invoke(check)
    before = kept_files(small_repo)
    message = small_repo / "content/messages/2026/kickoff.md"
    message.write_text(message.read_text(encoding="utf-8") + "\nOne more line.\n")
    cli_invoke(check)
    after = kept_files(small_repo)
    assert [name for name in after if after[name] != before[name]] == ["kickoff.found"]


def test_a_check_after_a_build_reads_no_output(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build checks each message it renders whole and keeps what it found."""
    message = small_repo / "content/messages/2026/kickoff.md"
    message.write_text(message.read_text(encoding="utf-8") + "\nSee http://example.org NOW.\n")
    cli_invoke(["build", "--repo", str(small_repo)])

    def refuse(*args: object) -> object:
        raise AssertionError("a render-cache shard was read")

    monkeypatch.setattr(unitrows, "units_of", refuse)
    said = cli_invoke(["check", "--repo", str(small_repo), *NOW]).stdout
    assert "CS206" in said and said == clean_answer(cli_invoke, small_repo, tmp_path)


def test_required_locale_counts_are_kept_per_message_and_a_clean_checks(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CS320 counts each message in each locale once and keeps it: after each edit, a clean answer."""
    check = ["check", "--repo", str(small_repo), *NOW]
    counted: list[str] = []
    needs = localize.message_needs

    def recorded(message: Message) -> list[localize.Need]:
        counted.append(message.id)
        return needs(message)

    monkeypatch.setattr(localize, "message_needs", recorded)
    pl = small_repo / "locales/pl/LC_MESSAGES/messages.po"
    message = small_repo / "content/messages/2026/kickoff.md"
    kept = small_repo / "dist" / FOLDER / "checks" / "coverage-parts.kept"

    def untranslate(context: str) -> None:
        text = pl.read_text(encoding="utf-8")
        entry = re.search(
            rf'msgctxt "{re.escape(context)}"\nmsgid "(?:[^"\\]|\\.)*"\nmsgstr ".*"', text
        )
        assert entry is not None
        emptied = re.sub(r'msgstr ".*"$', 'msgstr ""', entry.group())
        pl.write_text(text.replace(entry.group(), emptied), encoding="utf-8")

    def damage() -> None:
        data = bytearray(kept.read_bytes())
        data[-10] ^= 0xFF
        kept.write_bytes(bytes(data))

    cli_invoke(check)
    assert kept.is_file()
    edits = [
        (lambda: untranslate("kickoff:title"), "1 of"),
        (
            lambda: message.write_text(message.read_text(encoding="utf-8") + "\nOne more line.\n"),
            "2 of",
        ),
        (lambda: untranslate("kickoff:summary"), "3 of"),
        (damage, "3 of"),
    ]
    for edit, missing in edits:
        edit()
        counted.clear()
        said = cli_invoke(check).stdout
        mine = set(counted)
        assert said == clean_answer(cli_invoke, small_repo, tmp_path)
        assert re.search(rf"CS320: pl is required by \S+ but {missing}", said)
        if edit is edits[1][0]:
            assert mine == {"kickoff"}  # the other messages' counts were kept
        if edit is edits[0][0]:
            assert mine == set()  # pl counted again, from each message's words as kept


def test_translation_findings_are_kept_per_entry_and_a_clean_checks(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one PO entry changed, CS310-CS319 compare that entry alone again."""
    from campaignsync.checks import catalogs

    check = ["check", "--repo", str(small_repo), *NOW]
    compared: list[str] = []
    compare = catalogs._entry_findings

    def recorded(key: tuple[str, str], *args: Any) -> list[Any]:
        compared.append(key[0])
        return compare(key, *args)

    monkeypatch.setattr(catalogs, "_entry_findings", recorded)
    pl = small_repo / "locales/pl/LC_MESSAGES/messages.po"
    kept = small_repo / "dist" / FOLDER / "checks" / "translation-entries-pl.kept"
    cli_invoke(check)
    assert kept.is_file() and "kickoff:title" in compared
    text = pl.read_text(encoding="utf-8")
    entry = re.search(r'(msgctxt "kickoff:title"\nmsgid "(?:[^"\\]|\\.)*"\nmsgstr ")', text)
    assert entry is not None
    pl.write_text(text.replace(entry.group(), entry.group() + " "), encoding="utf-8")
    compared.clear()
    said = cli_invoke(check).stdout
    assert compared == ["kickoff:title"]  # pl's other entries and the other catalogs: kept
    assert "CS317" in said and said == clean_answer(cli_invoke, small_repo, tmp_path)
    data = bytearray(kept.read_bytes())  # damaged: a miss, every pl entry compared again
    data[-10] ^= 0xFF
    kept.write_bytes(bytes(data))
    pl.write_text(pl.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    compared.clear()
    assert cli_invoke(check).stdout == said
    assert len(compared) > 1 and "kickoff:title" in compared


def test_template_strings_are_kept_by_the_templates_bytes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CS320 reads the templates' _() strings: extracted again only when a template changed."""
    from campaignsync.l10n import catalog

    check = ["check", "--repo", str(small_repo), *NOW]
    extracted: list[str] = []
    extract = catalog.extract_templates

    def recorded(root: Path, rel: str) -> Any:
        extracted.append(rel)
        return extract(root, rel)

    monkeypatch.setattr(catalog, "extract_templates", recorded)
    cli_invoke(check)
    assert extracted
    message = small_repo / "content/messages/2026/kickoff.md"
    message.write_text(message.read_text(encoding="utf-8") + "\nOne more line.\n")
    extracted.clear()
    cli_invoke(check)
    assert extracted == []
    web = small_repo / "templates/web.html.j2"
    web.write_text(web.read_text(encoding="utf-8") + '{{ _("A new string") }}\n', encoding="utf-8")
    extracted.clear()
    said = cli_invoke(check).stdout
    assert extracted
    assert said == clean_answer(cli_invoke, small_repo, tmp_path)
    missing = re.search(r"CS320: pl is required by \S+ but (\d+) of", said)
    assert missing is not None and int(missing.group(1)) >= 1


def test_look_ups_are_read_only_after_a_catalog_changed_and_a_lost_file_is_a_miss(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    """The look-ups sit beside the findings (<message>.logs): most of the bytes, seldom read."""
    check = ["check", "--repo", str(small_repo), *NOW]
    cli_invoke(check)
    folder = small_repo / "dist" / FOLDER / findings.FOLDER
    logs = sorted(folder.rglob("*.logs"))
    assert len(logs) == len(kept_files(small_repo))
    for path in logs:
        path.unlink()
    message = small_repo / "content/messages/2026/kickoff.md"
    message.write_text(message.read_text(encoding="utf-8") + "\nOne more line.\n")
    before = kept_files(small_repo)
    said = cli_invoke(check).stdout  # no catalog changed: no look-up read
    after = kept_files(small_repo)
    assert [name for name in after if after[name] != before[name]] == ["kickoff.found"]
    assert said == clean_answer(cli_invoke, small_repo, tmp_path)
    po = small_repo / "locales/de/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    said = cli_invoke(check).stdout  # de changed: the messages whose look-ups are lost, again
    again = kept_files(small_repo)
    assert sum(again[name] != after[name] for name in again) > 1  # those that read de
    assert said == clean_answer(cli_invoke, small_repo, tmp_path)


@pytest.mark.parametrize("damaged", ["the other locales'", "de's"])
def test_only_the_look_ups_of_the_units_that_read_a_changed_catalog_are_read(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, damaged: str
) -> None:
    """Each unit's look-ups are found by their place and sha256, kept in the findings file."""
    from campaignsync.pack import sealed

    check = ["check", "--repo", str(small_repo), *NOW]
    cli_invoke(check)
    folder = small_repo / "dist" / FOLDER / findings.FOLDER
    for found in folder.rglob("*.found"):
        key = found.read_bytes().split(b"\n")[2].decode()  # the head's third line
        index = sealed.read_sealed(found, None, key)[1]
        logs = found.with_suffix(".logs")
        data = bytearray(logs.read_bytes())
        for tag, (at, size, _sha) in index.items():
            if (tag == "de") == (damaged == "de's"):
                data[at : at + size] = bytes(size)
        logs.write_bytes(bytes(data))
    before = kept_files(small_repo, ".logs")
    po = small_repo / "locales/de/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same entries
    said = cli_invoke(check).stdout
    after = kept_files(small_repo, ".logs")  # written again only with findings found again
    again = [name for name in after if after[name] != before[name]]
    if damaged == "de's":  # a damaged part is a miss: the messages that read de, again
        assert len(again) > 1
    else:  # only de's parts were read, and they still hold
        assert again == []
    assert said == clean_answer(cli_invoke, small_repo, tmp_path)


def test_after_a_po_edit_the_look_ups_are_compared_once(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The findings that still hold are kept under the catalog's new digest: the next check
    after the edit compares no look-up, as a check after a check."""
    check = ["check", "--repo", str(small_repo), *NOW]
    compared: list[str] = []
    changed = findings._changed

    def recorded(reads: Any, log: Any, *args: Any) -> Any:
        def read(tag: str) -> bytes:
            compared.append(tag)
            return log(tag)

        return changed(reads, read, *args)

    monkeypatch.setattr(findings, "_changed", recorded)
    cli_invoke(check)
    po = small_repo / "locales/de/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    entry = re.search(r'(msgctxt "kickoff:title"\nmsgid "(?:[^"\\]|\\.)*"\nmsgstr ")', text)
    assert entry is not None
    po.write_text(text.replace(entry.group(), entry.group() + " "), encoding="utf-8")
    said = cli_invoke(check).stdout
    assert len(compared) > 1 and set(compared) == {"de"}  # every message that read de
    assert said == clean_answer(cli_invoke, small_repo, tmp_path)
    for name in ("kickoff.md", "wrap-up.md"):  # each edit makes the next check find it again
        message = next((small_repo / "content" / "messages").rglob(name))
        message.write_text(message.read_text(encoding="utf-8") + "\nOne more line.\n")
        compared.clear()
        said = cli_invoke(check).stdout
        assert compared == []
        assert said == clean_answer(cli_invoke, small_repo, tmp_path)


@pytest.mark.parametrize(
    "hardest",
    [("body.2", "12", 3), ("body.2", 12), ["body.2", 12, 3], 12],
    ids=["words-text", "short", "list", "number"],
)
def test_a_kept_text_whose_hardest_paragraph_is_of_another_shape_is_a_miss(
    hardest: object,
) -> None:
    """A findings file of the right seal but another shape is read as no findings."""
    counts = (120, 6, 180, 600, 30, 25)
    good = ({}, {}, (), (("kickoff", "en", counts, None, ("body.2", 12, 3)),), b"")
    assert findings.kept_of(good).texts[0].hardest == ("body.2", 12, 3)
    bad = (*good[:3], (("kickoff", "en", counts, None, hardest),), b"")
    with pytest.raises(ValueError, match="hardest paragraph"):
        findings.kept_of(bad)
