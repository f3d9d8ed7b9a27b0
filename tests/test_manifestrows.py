"""manifest.json after an edit: the last one with the changed rows put in, as a clean build's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke, small_sample
from test_incremental import (
    EPOCH,
    KEEP,
    change_body,
    change_po_entry,
    delete_message,
    rewritten,
    same_as_clean,
    small_build,
    tree,
)

from campaignsync.model import Output
from campaignsync.pack import again, manifest, manifestrows

PATHS = [f"{folder}/{name}" for folder in ("de/x", "fr/x", "preview") for name in ("a", "b", "c")]


def _rows_made(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """Note the messages whose outputs' rows each build makes (not those it copies)."""
    made: list[set[str]] = []
    rows_of = manifest.rows_of

    def noted(outputs: Iterable[Output], *args: Any) -> list[tuple[str, str]]:
        outputs = list(outputs)
        made.append({o.message for o in outputs})
        return rows_of(outputs, *args)

    monkeypatch.setattr(manifest, "rows_of", noted)
    return made


def _by_hand(path: Path, at: int | None = None, byte: bytes = b"D") -> bytes:
    """Change one byte of a file, its size and times kept (only its sha256 tells); return
    its bytes before. By default, the first letter of a German row's path."""
    data, info = path.read_bytes(), path.stat()
    at = data.index(b'"path": "de/') + len(b'"path": "') if at is None else at
    rewritten(path, data[:at] + byte + data[at + 1 :], info)  # (its ctime a tick later)
    return data


def test_after_an_edit_only_the_edited_messages_rows_are_made(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, out, build = small_build(tmp_path)
    made = _rows_made(monkeypatch)
    cli_invoke(build, env=EPOCH)
    assert made == [{"kickoff", "mfa-email-first", "passphrase-tip"}]
    made.clear()
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    assert made == [{"kickoff"}]
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-body")
    # A PO entry: the rows of the messages whose outputs changed (here, one or none).
    made.clear()
    change_po_entry(repo, 1, "Neu")
    cli_invoke(build, env=EPOCH)
    assert len(made) == 1 and len(made[0]) <= 1
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-po")
    # A message removed: every row made again, as a clean build makes them.
    made.clear()
    delete_message(repo, 2, "")
    cli_invoke(build, env=EPOCH)
    assert made == [{"kickoff", "mfa-email-first"}]
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean-removed")


def test_a_manifest_changed_by_hand_is_made_whole_again(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    _by_hand(out / "2026" / "manifest.json")  # a row the edit leaves alone
    made = _rows_made(monkeypatch)
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    assert made == [{"kickoff", "mfa-email-first", "passphrase-tip"}]
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def test_a_partial_pack_with_another_locale_is_made_as_a_clean_build_makes_it(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    repo = small_sample(tmp_path / "repo", KEEP)
    out, clean = tmp_path / "out", tmp_path / "clean"
    build = ["build", "--repo", str(repo), "--jobs", "1", "--out"]
    # The source locale has no catalog: adding it changes no catalog, only the outputs.
    for locales in (["--locale", "de"], ["--locale", "de", "--locale", "en"]):
        cli_invoke([*build, str(out), *locales], env=EPOCH)
    cli_invoke([*build, str(clean), "--locale", "de", "--locale", "en"], env=EPOCH)
    assert tree(out / "2026.partial") == tree(clean / "2026.partial")
    assert b"/en/" in (out / "2026.partial" / "manifest.json").read_bytes()


def _rows(paths: Sequence[str]) -> tuple[bytes, int, int]:
    """Return a manifest's bytes with a row for each path, and where its rows lie."""
    head = b'{"campaign": "2026", "files": [\n'
    rows = ",\n".join(f'{{"bytes": 1, "path": "{p}", "sha256": "{p}"}}' for p in paths).encode()
    return head + rows + manifest.TAIL, len(head), len(head) + len(rows)


@pytest.mark.parametrize(
    "wanted",
    [
        pytest.param(PATHS, id="every-row"),
        pytest.param(PATHS[:1], id="the-first"),
        pytest.param(PATHS[-1:], id="the-last"),
        pytest.param(PATHS[2:5], id="a-run"),
        pytest.param(PATHS[1::3], id="apart"),
    ],
)
def test_rows_are_found_by_their_paths(wanted: list[str]) -> None:
    data, start, end = _rows(PATHS)
    spans = manifestrows._found(data, wanted, start, end)
    assert spans is not None
    found = [data[a:b] for a, b in spans]
    assert found == [f'{{"bytes": 1, "path": "{p}", "sha256": "{p}"}}'.encode() for p in wanted]


@pytest.mark.parametrize(
    "wanted",
    [["de/x/0"], ["zz"], ["preview/c", "preview/d"], ["de/x/b", "de/x/a"]],
    ids=["before-all", "after-all", "one-missing", "out-of-order"],
)
def test_a_path_without_a_row_is_not_found(wanted: list[str]) -> None:
    data, start, end = _rows(PATHS)
    assert manifestrows._found(data, wanted, start, end) is None


def test_an_escaped_path_is_read_as_json() -> None:
    row = b'{"bytes": 1, "path": "de/\\"quoted\\"", "sha256": "x"}'
    assert manifestrows._path_of(row) == 'de/"quoted"'
    assert manifestrows._path_of(b'{"bytes": 1}') is None


def test_a_process_hashes_the_last_manifest_again_only_once_its_file_changed(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``preview`` building again: the manifest it wrote is not hashed again (61 MB at full
    size) while its file is the one written, nor read again once an update wrote it (its
    bytes held); edited by hand with its size and times put back, its ctime tells: it is
    read, hashed, found changed and made whole again."""
    import hashlib
    from types import SimpleNamespace

    hashed: list[int] = []
    read: list[Path] = []
    opened = Path.open

    def reading(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path.name == "manifest.json":
            read.append(path)
        return opened(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", reading)
    monkeypatch.setattr(again._Process, "again", True)  # as preview's process

    def noted(data: bytes) -> Any:
        if data.startswith(b"{"):  # a manifest (not the digest of the other files' paths)
            hashed.append(len(data))
        return hashlib.sha256(data)

    monkeypatch.setattr(manifestrows, "hashlib", SimpleNamespace(sha256=noted))
    monkeypatch.setattr(manifestrows._Checked, "last", None)
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    path = out / "2026" / "manifest.json"
    for n, line in enumerate(("One more line", "And another", "And one more")):
        change_body(repo, 0, line)
        cli_invoke(build, env=EPOCH)
        assert hashed == [], n  # the one the last build wrote
        assert read == [path], n  # read once: the clean build's (then each update's, held)
    # A process of its own (not building again) holds nothing of its update.
    monkeypatch.setattr(again._Process, "again", False)
    change_body(repo, 0, "Built alone")
    cli_invoke(build, env=EPOCH)
    assert read == [path]  # the last one written, held
    change_body(repo, 0, "And after")
    cli_invoke(build, env=EPOCH)
    assert read == [path, path]  # the one written alone, read back
    _by_hand(path)
    made = _rows_made(monkeypatch)
    change_body(repo, 0, "A third line")
    cli_invoke(build, env=EPOCH)
    assert len(hashed) == 1 and made == [{"kickoff", "mfa-email-first", "passphrase-tip"}]
    assert len(read) > 2  # read again (and, the rows not spliced, by whoever reads it)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")


def test_a_manifest_edited_by_hand_and_left_by_a_build_is_not_trusted_after(
    cli_invoke: CliInvoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that changes nothing in the pack leaves a manifest edited by hand as it is
    (its recorded sha256 is the new one's): it must not then be noted as the one written,
    or the next edit would copy the edited rows into a new manifest."""
    monkeypatch.setattr(manifestrows._Checked, "last", None)
    repo, out, build = small_build(tmp_path)
    cli_invoke(build, env=EPOCH)
    change_body(repo, 0, "One more line")
    cli_invoke(build, env=EPOCH)
    path = out / "2026" / "manifest.json"
    row = re.search(
        rb'"path": "de/[^"/]+/passphrase-tip\.[^"]+"[^}]*"sha256": "(.)', path.read_bytes()
    )
    assert row is not None  # a digit of the sha256 in a row the edits below leave (in order)
    data = _by_hand(path, row.start(1), b"0" if row.group(1) != b"0" else b"1")
    config = repo / "campaignsync.toml"  # a comment added: built again, the same pack
    config.write_text(config.read_text(encoding="utf-8") + "# read again\n", encoding="utf-8")
    said = cli_invoke(build, env=EPOCH)  # nothing in the pack changes: the edited file stays
    assert said.stdout.startswith("Built ")
    assert path.read_bytes() != data  # (as before: the writer trusts the recorded sha256)
    change_body(repo, 0, "Another line")
    cli_invoke(build, env=EPOCH)
    same_as_clean(cli_invoke, repo, out, tmp_path / "clean")
