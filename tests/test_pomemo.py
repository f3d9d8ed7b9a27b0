"""locale update merges only what changed, and writes exactly what a full merge writes."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CliInvoke

from campaignsync.commands import pomemo
from campaignsync.l10n import catalog, pomerge

EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}


def files(repo: Path) -> dict[str, bytes]:
    """Return every file of the locales folder by relative path."""
    base = repo / "locales"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*.po*"))}


def update(cli_invoke: CliInvoke, repo: Path, env: dict[str, str] = EPOCH) -> str:
    return cli_invoke(["locale", "update", "--repo", str(repo), "--jobs", "1"], env=env).stdout


def message(repo: Path, stem: str) -> Path:
    return next((repo / "content" / "messages").rglob(f"{stem}.md"))


def edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def retitle(title: str) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        edit(message(repo, "kickoff"), lambda t: re.sub(r"(?m)^title: .*$", f"title: {title}", t))

    return apply


def add_paragraph(repo: Path) -> None:
    edit(message(repo, "kickoff"), lambda t: t.rstrip("\n") + "\n\nOne more paragraph.\n")


def drop_message(repo: Path) -> None:
    message(repo, "passphrase-tip").unlink()


def restore_message(original: bytes) -> Callable[[Path], None]:
    def apply(repo: Path) -> None:
        (repo / "content" / "messages" / "2026" / "passphrase-tip.md").write_bytes(original)

    return apply


def translate_by_hand(repo: Path) -> None:
    """A translator fills an entry and re-wraps nothing: the file is no longer as written."""
    po = repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    edit(po, lambda t: t.replace('msgstr ""\n\n', 'msgstr "Von Hand"\n\n', 1))


def test_update_from_kept_entries_writes_what_a_full_merge_writes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole"
    shutil.copytree(small_repo, whole)
    tip = message(small_repo, "passphrase-tip").read_bytes()
    (small_repo / "dist").mkdir()  # as a build or check makes it: entries are kept there
    update(cli_invoke, small_repo)
    update(cli_invoke, whole)
    assert files(small_repo) == files(whole)
    real_read = catalog.read_catalog
    steps: list[tuple[Callable[[Path], None], bool]] = [
        (retitle("A new title for the kickoff"), True),
        (add_paragraph, True),
        (drop_message, True),
        (restore_message(tip), True),
        (retitle("Kickoff, again"), True),
        # A file edited by hand is read whole until an update writes it again.
        (translate_by_hand, False),
        (retitle("Kickoff, once more"), False),
        (retitle("Kickoff, the last time"), True),
    ]
    for change, kept in steps:
        change(small_repo)
        change(whole)
        with monkeypatch.context() as patched:
            if kept:

                def no_whole_reads(root: Path, rel: str, locale: object) -> object:
                    assert not rel.endswith(".po"), f"{rel} was read whole"
                    return real_read(root, rel, locale)  # type: ignore[arg-type]

                patched.setattr(catalog, "read_catalog", no_whole_reads)
                # Nor merged whole: only the entries the edit changed are merged again.
                patched.setattr(pomerge, "merge_entries", None)
            said = update(cli_invoke, small_repo)
        shutil.rmtree(whole / "dist", ignore_errors=True)  # no kept entries: every file whole
        assert said == update(cli_invoke, whole)
        assert files(small_repo) == files(whole), change
        if change is translate_by_hand:
            assert "Von Hand" in (small_repo / "locales/de/LC_MESSAGES/messages.po").read_text()
    assert "(1 fuzzy" in said
    for po in sorted((small_repo / "locales").rglob("*.po")):  # what gettext's tools accept
        done = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True
        )
        assert done.returncode == 0, done.stderr


def test_a_new_pot_date_alone_rewrites_no_catalog(cli_invoke: CliInvoke, small_repo: Path) -> None:
    update(cli_invoke, small_repo)
    before = files(small_repo)
    retitle("A new title for the kickoff")(small_repo)
    update(cli_invoke, small_repo)
    changed = files(small_repo)
    assert changed != before
    # Another epoch, same entries: nothing to write, nothing written.
    said = update(cli_invoke, small_repo, {"SOURCE_DATE_EPOCH": "1790003600"})
    assert "updated" not in said
    assert files(small_repo) == changed


def test_a_damaged_memo_is_a_miss(cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    shutil.copytree(small_repo, whole)
    (small_repo / "dist").mkdir()
    update(cli_invoke, small_repo)
    update(cli_invoke, whole)
    kept = small_repo / "dist" / pomemo.FOLDER / "de.entries"
    kept.write_bytes(kept.read_bytes()[:-20])
    for repo in (small_repo, whole):
        retitle("A new title for the kickoff")(repo)
    assert not (whole / "dist").exists()  # so every file of it is read whole
    assert update(cli_invoke, small_repo) == update(cli_invoke, whole)
    assert files(small_repo) == files(whole)


def test_an_update_alone_makes_no_output_folder(cli_invoke: CliInvoke, small_repo: Path) -> None:
    retitle("A new title for the kickoff")(small_repo)
    assert "updated" in update(cli_invoke, small_repo)
    assert not (small_repo / "dist").exists()


def test_catalogs_found_up_to_date_are_kept_for_the_next_update(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update(cli_invoke, small_repo)  # no dist/ yet: written, nothing kept
    (small_repo / "dist").mkdir()  # as a build or check makes it: entries are kept there
    before = files(small_repo)
    said = update(cli_invoke, small_repo)
    assert "updated" not in said and said.count("up to date") == len(before)  # POT and POs
    assert files(small_repo) == before  # nothing written ...
    real_read = catalog.read_catalog

    def no_whole_reads(root: Path, rel: str, locale: object) -> object:
        assert not rel.endswith(".po"), f"{rel} was read whole"
        return real_read(root, rel, locale)  # type: ignore[arg-type]

    retitle("A title edited after an update that wrote nothing")(small_repo)
    whole = small_repo.parent / "whole"
    shutil.copytree(small_repo, whole)
    shutil.rmtree(whole / "dist")  # ... yet kept: the edit is merged from kept entries
    merged: list[str] = []
    real_merge_one = pomerge.merge_one

    def counted(entry: pomerge.Entry, *rest: object) -> pomerge.Entry:
        merged.append(entry.id)
        return real_merge_one(entry, *rest)  # type: ignore[arg-type]

    def no_pot_reads(root: Path, rel: str, locale: object) -> object:
        assert not rel.endswith(".pot"), f"{rel} was read whole"
        return no_whole_reads(root, rel, locale)

    with monkeypatch.context() as patched:
        # The POT too was found as an update writes it: read and written by its entries.
        patched.setattr(catalog, "read_catalog", no_pot_reads)
        patched.setattr(catalog, "render_po", None)
        patched.setattr(pomerge, "merge_entries", None)  # nor merged whole
        patched.setattr(pomerge, "merge_one", counted)
        said = update(cli_invoke, small_repo)
    assert said == update(cli_invoke, whole)
    assert files(small_repo) == files(whole)
    # Only the retitled entry is merged again in each catalog (the POT read from its file
    # and the POT derived now hold the same entries, the one with msgstr "", the other None).
    catalogs = len(before) - 1
    assert merged == ["A title edited after an update that wrote nothing"] * catalogs


def test_a_pot_wrapped_by_another_tool_is_written_whole_after_an_edit(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    (small_repo / "dist").mkdir()
    update(cli_invoke, small_repo)
    pot = small_repo / "locales" / "messages.pot"
    # Wrapped at 40 columns, its blocks apart as an update writes them: only the bytes tell.
    wrapped = subprocess.run(["msgcat", "--width=40", str(pot)], capture_output=True, check=True)
    rewrapped = wrapped.stdout.rstrip(b"\n") + b"\n\n"
    assert rewrapped != pot.read_bytes()
    pot.write_bytes(rewrapped)
    said = update(cli_invoke, small_repo)  # the same entries: up to date, nothing written
    assert "updated" not in said and pot.read_bytes() == rewrapped
    whole = tmp_path / "whole"
    shutil.copytree(small_repo, whole)
    shutil.rmtree(whole / "dist")  # nothing kept there: every file read and written whole
    for repo in (small_repo, whole):
        retitle("A title edited after another tool wrapped the POT")(repo)
    assert update(cli_invoke, small_repo) == update(cli_invoke, whole)
    assert files(small_repo) == files(whole)
