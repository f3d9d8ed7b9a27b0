"""`campaignsync build` end to end on the sample campaign: layout, manifest, reproducibility."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import CliInvoke, git, make_review_repo

from campaignsync.load import parsed

EPOCH = "1790000000"


def build(
    cli_invoke: CliInvoke,
    repo: Path,
    *args: str,
    expect: int = 0,
    env: dict[str, str] | None = None,
):
    return cli_invoke(["build", "--repo", str(repo), *args], expect=expect, env=env)


def manifest(out: Path) -> dict:
    return json.loads((out / "2026" / "manifest.json").read_text(encoding="utf-8"))


def test_the_sample_builds_into_the_documented_layout(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    result = build(cli_invoke, sample_repo, env={"SOURCE_DATE_EPOCH": EPOCH})
    out = sample_repo / "dist"
    assert result.stdout.startswith(f"Built {out / '2026'}: ")
    assert "Note: not built from a git commit; the manifest records no commit." in result.stdout
    pack = out / "2026"
    for rel in (
        "manifest.json",
        "calendar.ics",
        "index.html",
        "schedule-eu.csv",
        "schedule-us.csv",
    ):
        assert (pack / rel).is_file(), rel
    assert (pack / "de" / "x" / "kickoff.txt").is_file()
    assert (pack / "en-US" / "sms" / "smishing-phone-scams.txt").is_file()
    assert {p.name for p in (pack / "fr" / "email").iterdir()} >= {
        "kickoff.html",
        "kickoff.txt",
        "kickoff.eml",
    }
    # Partners publish only in their locales: the US-only message has no German version.
    assert not (pack / "de" / "sms" / "smishing-phone-scams.txt").exists()
    with zipfile.ZipFile(out / "2026.zip") as archive:
        names = set(archive.namelist())
    files = {p.relative_to(out).as_posix() for p in pack.rglob("*") if p.is_file()}
    assert names == files


def test_manifest_describes_every_file(cli_invoke: CliInvoke, small_repo: Path) -> None:
    build(cli_invoke, small_repo, env={"SOURCE_DATE_EPOCH": EPOCH})
    out = small_repo / "dist"
    document = manifest(out)
    assert document["campaign"] == "2026"
    assert document["tool"]["name"] == "campaignsync"
    assert document["source"] == {
        "commit": None,
        "dirty": False,
        "note": "not built from a git commit",
    }
    assert document["source_date_epoch"] == int(EPOCH)
    rows = {row["path"]: row for row in document["files"]}
    on_disk = {
        p.relative_to(out / "2026").as_posix() for p in (out / "2026").rglob("*") if p.is_file()
    }
    assert set(rows) == on_disk - {"manifest.json"}
    x = rows["de/x/kickoff.txt"]
    data = (out / "2026" / "de/x/kickoff.txt").read_bytes()
    assert x["sha256"] == hashlib.sha256(data).hexdigest() and x["bytes"] == len(data)
    assert (x["message"], x["locale"], x["channel"], x["translated"]) == (
        "kickoff",
        "de",
        "x",
        True,
    )
    assert x["unit"] == "weighted" and x["limit"] == 280 and 0 < x["length"] <= 280
    sms = rows["pl/sms/kickoff.txt"]
    assert sms["encoding"] == "UCS-2" and sms["segments"] in (1, 2, 3)
    # Each output records the addresses it links to: its page in its own locale.
    page = "https://campaign.example.org/2026/pl/web/kickoff.html"
    assert sms["links"] == [page]
    assert x["links"] == [
        "https://campaign.example.org/2026/de/web/kickoff.html"
        "?utm_source=x&utm_medium=social&utm_campaign=2026&utm_content=de_kickoff"
    ]
    # nl is partial on purpose: some outputs fall back to the English source.
    assert any(not r["translated"] for p, r in rows.items() if p.startswith("nl/"))
    assert rows["es-US/x/kickoff.txt"]["translated"] is True


def _subprocess_build(repo: Path, out: Path, **env: str) -> bytes:
    command = [
        sys.executable,
        "-m",
        "campaignsync",
        "build",
        "--repo",
        str(repo),
        "--out",
        str(out),
    ]
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **env}
    done = subprocess.run(command, capture_output=True, env=full_env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return (out / "2026.zip").read_bytes()


def _in_process_build(cli_invoke: CliInvoke, repo: Path, out: Path) -> bytes:
    build(cli_invoke, repo, "--out", str(out), env={"SOURCE_DATE_EPOCH": EPOCH})
    return (out / "2026.zip").read_bytes()


def test_same_input_gives_a_byte_identical_pack_whatever_the_environment(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Here: this process's own string hashing (random unless PYTHONHASHSEED is set), in UTC.
    with monkeypatch.context() as patched:
        patched.setenv("TZ", "UTC")
        time.tzset()
        first = _in_process_build(cli_invoke, small_repo, tmp_path / "a")
    time.tzset()
    second = _subprocess_build(
        small_repo, tmp_path / "b", PYTHONHASHSEED="2", TZ="Pacific/Auckland"
    )
    assert first == second
    for path in (tmp_path / "a" / "2026").rglob("*"):
        if path.is_file():
            twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
            assert path.read_bytes() == twin.read_bytes(), path


def test_file_order_on_disk_does_not_change_the_pack(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    first = _in_process_build(cli_invoke, small_repo, tmp_path / "a")
    # Recreate the messages folder in reverse order: directory listing order changes.
    folder = small_repo / "content" / "messages" / "2026"
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    for path in folder.iterdir():
        path.unlink()
    for name in sorted(files, reverse=True):
        (folder / name).write_bytes(files[name])
    assert _in_process_build(cli_invoke, small_repo, tmp_path / "b") == first


def test_commit_time_is_the_default_timestamp_and_the_commit_is_recorded(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-09-01T12:00:00+00:00")
    git(small_repo, "init", "-q")
    git(small_repo, "add", "-A")
    git(small_repo, "commit", "-q", "-m", "Sample")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    head = git(small_repo, "rev-parse", "HEAD")
    committed = int(git(small_repo, "show", "-s", "--format=%ct", "HEAD"))
    result = build(cli_invoke, small_repo)
    assert "Note:" not in result.stdout
    document = manifest(small_repo / "dist")
    assert document["source"] == {"commit": head, "dirty": False}
    assert document["source_date_epoch"] == committed
    with zipfile.ZipFile(small_repo / "dist" / "2026.zip") as archive:
        assert archive.infolist()[0].date_time[:3] == (2026, 9, 1)
    # An edited message makes the pack dirty; an edited unrelated file does not.
    (small_repo / "NOTES.txt").write_text("not campaign input")
    build(cli_invoke, small_repo)
    assert manifest(small_repo / "dist")["source"]["dirty"] is False
    path = small_repo / "content" / "messages" / "2026" / "kickoff.md"
    path.write_text(path.read_text().replace("starts today", "starts now", 1))
    result = build(cli_invoke, small_repo)
    assert "Note: the work tree has uncommitted changes; the manifest says so." in result.stdout
    assert manifest(small_repo / "dist")["source"]["dirty"] is True


def test_a_second_identical_build_does_nothing(cli_invoke: CliInvoke, small_repo: Path) -> None:
    build(cli_invoke, small_repo)
    zip_path = small_repo / "dist" / "2026.zip"
    stamp = zip_path.stat().st_mtime_ns
    result = build(cli_invoke, small_repo)
    assert result.stdout.startswith("Up to date: ")
    assert zip_path.stat().st_mtime_ns == stamp
    # Any input change, or --force, builds again.
    (small_repo / "templates" / "x.txt.j2").write_text("{{ message.post }}\n")
    result = build(cli_invoke, small_repo)
    assert result.stdout.startswith("Built ")
    assert (small_repo / "dist" / "2026" / "de" / "x" / "kickoff.txt").read_text().count("\n") == 1
    assert build(cli_invoke, small_repo, "--force").stdout.startswith("Built ")


def test_a_partial_build_keeps_the_full_packs_no_change_record(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    build(cli_invoke, small_repo)
    partial = ["--campaign", "2026", "--locale", "de"]
    assert build(cli_invoke, small_repo, *partial).stdout.startswith("Built ")
    assert build(cli_invoke, small_repo, *partial).stdout.startswith("Up to date: ")
    assert build(cli_invoke, small_repo).stdout.startswith("Up to date: ")


def test_a_failing_build_leaves_the_previous_pack_untouched(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    build(cli_invoke, small_repo)
    out = small_repo / "dist"
    # The messages as the load parsed them are kept whatever the build does next.
    loaded = out / parsed.FOLDER
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and loaded not in p.parents}
    (small_repo / "templates" / "x.txt.j2").write_text("{{ message.post }}\n{{ mesage.link }}\n")
    result = build(cli_invoke, small_repo, expect=1)
    assert "templates/x.txt.j2:2: error CS031: 'mesage' is undefined [" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.rstrip().endswith("nothing was written")
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and loaded not in p.parents}
    assert after == before


@pytest.mark.parametrize(
    ("out", "config", "message"),
    [
        pytest.param(
            "templates/out", None, "templates/out is inside templates/", id="in-templates"
        ),
        pytest.param("content", None, "content is content/", id="content-itself"),
        pytest.param(None, 'out = "locales/dist"', "locales/dist is inside locales/", id="config"),
    ],
)
def test_an_output_folder_inside_what_a_build_reads_is_refused(
    cli_invoke: CliInvoke, small_repo: Path, out: str | None, config: str | None, message: str
) -> None:
    if config is not None:
        settings = small_repo / "campaignsync.toml"
        settings.write_text(settings.read_text() + f"\n[paths]\n{config}\n")
    before = sorted(p for p in small_repo.rglob("*") if ".campaignsync" not in p.as_posix())
    args = ["--out", str(small_repo / out)] if out else []
    result = build(cli_invoke, small_repo, *args, expect=2 if out else 1)  # (typed: usage)
    assert result.stderr == (
        f"error: the output folder {message}, which a build reads: choose one outside content/, "
        "locales/ and templates/ (--out, or [paths] out in campaignsync.toml)\n"
    )
    assert sorted(p for p in small_repo.rglob("*") if ".campaignsync" not in p.as_posix()) == before


def test_a_file_where_the_pack_goes_stops_the_build_before_it_renders(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pipeline import workers

    out = small_repo / "out"
    out.mkdir()
    (out / "2026").write_text("my notes\n")
    monkeypatch.setattr(workers, "render_selection", None)  # (rendering would raise)
    result = build(cli_invoke, small_repo, "--out", str(out), expect=1)
    assert result.stderr == (
        f"error: {out / '2026'} is a file, not the campaign pack's folder: a build writes it "
        "whole; move it away or choose another --out (nothing was written)\n"
    )
    assert (out / "2026").read_text() == "my notes\n"
    assert not (out / "2026.zip").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".2026")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--locale", "xx"],
            "Error: Invalid value for '--locale': 'xx' is not a locale that CLDR knows",
            id="locale",
        ),
        pytest.param(
            ["--channel", "tiktok"],
            "Error: Invalid value for '--channel': unknown channel 'tiktok' (channels: ",
            id="channel",
        ),
        pytest.param(
            ["--campaign", "2030"],
            "error: unknown campaign '2030' (campaigns: 2026, 2027)",
            id="campaign",
        ),
    ],
)
def test_unknown_choices_are_refused(
    cli_invoke: CliInvoke, small_repo: Path, args: list[str], message: str
) -> None:
    result = build(cli_invoke, small_repo, *args, expect=2)
    assert result.stderr.splitlines()[-1].startswith(message)
    assert not (small_repo / "dist").exists()


def test_a_selection_builds_a_partial_pack_beside_the_full_one(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "o"
    build(cli_invoke, small_repo, "--out", str(out))
    full = {p: p.read_bytes() for p in (out / "2026").rglob("*") if p.is_file()}
    zipped = (out / "2026.zip").read_bytes()
    result = build(
        cli_invoke,
        small_repo,
        "--locale",
        "de",
        "--channel",
        "x",
        "--channel",
        "sms",
        "--out",
        str(out),
    )
    assert result.stdout.startswith(f"Built {out / '2026.partial'}: ")
    assert (
        "This is a partial pack (only the locales and channels asked for); the full pack is left as it was."
        in result.stdout
    )
    pack = out / "2026.partial"
    locales = {p.name for p in pack.iterdir() if p.is_dir() and p.name not in ("assets", "preview")}
    assert locales == {"de"}
    assert {p.name for p in (pack / "de").iterdir()} == {"x", "sms"}
    assert json.loads((pack / "manifest.json").read_text())["partial"] == {
        "locales": ["de"],
        "channels": ["x", "sms"],
    }
    with zipfile.ZipFile(out / "2026.partial.zip") as archive:
        assert archive.namelist()[0].startswith("2026.partial/")
    # The full pack is untouched, and says it is not partial.
    assert {p: p.read_bytes() for p in (out / "2026").rglob("*") if p.is_file()} == full
    assert (out / "2026.zip").read_bytes() == zipped
    assert "partial" not in json.loads((out / "2026" / "manifest.json").read_text())


@pytest.mark.parametrize("value", ["yesterday", "-1", "4354819200", "99999999999999"])
def test_malformed_source_date_epoch_is_a_usage_error(
    cli_invoke: CliInvoke, small_repo: Path, value: str
) -> None:
    for command in ("build", "check"):
        result = cli_invoke(
            [command, "--repo", str(small_repo)], expect=2, env={"SOURCE_DATE_EPOCH": value}
        )
        assert (
            "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, up to 4354819199 "
            f"(the end of 2107, the last date a zip can hold), not {value!r}"
        ) in result.stderr


def test_build_outside_a_campaign_repository_says_what_to_do(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()  # bounds the search, whatever lies above the test's folder
    result = cli_invoke(["build"], cwd=tmp_path, expect=1)
    assert result.stderr == (
        f"error: no campaignsync.toml in {tmp_path.resolve()} or any folder above it up to the top "
        f"of its git repository ({tmp_path.resolve()}); run the command inside a campaign "
        "repository, pass --repo, or create one with 'campaignsync init DIR'\n"
    )


def test_html_from_markdown_is_sanitised(cli_invoke: CliInvoke, sample_repo: Path) -> None:
    path = sample_repo / "content" / "messages" / "2026" / "backup-your-data.md"
    original = path.read_text()
    path.write_text(original + '\n<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n')
    build(cli_invoke, sample_repo, "--locale", "en", "--channel", "web")
    html = (
        sample_repo / "dist" / "2026.partial" / "en" / "web" / "backup-your-data.html"
    ).read_text()
    assert "<script" not in html and "onerror" not in html and "alert" not in html
    # A javascript: link is refused where it is written, not left in an output unlinked.
    path.write_text(original + "\n[click](javascript:alert(3))\n")
    line = len(original.splitlines()) + 2
    result = build(cli_invoke, sample_repo, "--locale", "en", "--channel", "web", expect=1)
    assert (
        f"{path.relative_to(sample_repo)}:{line}: error CS022: link 'javascript:alert(3)' in the "
        "body is not a full web address: the outputs show its text unlinked"
    ) in result.stderr


def test_progress_shows_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from campaignsync.cli import _common

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert _common.progress() is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    show = _common.progress()
    assert show is not None
    show(40, 120)
    show(120, 120)
    err = capsys.readouterr().err
    assert (
        err
        == "\rRendering 40/120 message × locale units\rRendering 120/120 message × locale units\n"
    )


def test_a_translators_markup_never_reaches_an_output(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    """Jinja marks translations safe: campaignsync refuses translations that add HTML."""
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace(
        'msgid "Read more"\nmsgstr "Weiterlesen"',
        'msgid "Read more"\nmsgstr "Weiterlesen<script>alert(1)</script>"',
    )
    text = text.replace(
        'msgstr "Der Joint Cyber Awareness Month startet heute"',
        'msgstr "Der Joint Cyber Awareness Month startet heute<img src=x onerror=alert(2)>"',
    )
    po.write_text(text, encoding="utf-8")
    checked = cli_invoke(["check", "--repo", str(small_repo), "--now", "2026-09-01"], expect=1)
    assert "error CS316: kickoff:title" in checked.stdout
    assert "error CS316: msgid 'Read more': HTML that the source does not have" in checked.stdout
    build(cli_invoke, small_repo, "--locale", "de")
    pack = small_repo / "dist" / "2026.partial" / "de"
    for path in pack.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script" not in html and "onerror" not in html, path
    # The refused translation is not used: the button falls back to the source text,
    # marked as English on the German page.
    email = (pack / "email" / "kickoff.html").read_text(encoding="utf-8")
    assert 'text-decoration:none;" lang="en" dir="ltr">Read more</a>' in email


def test_a_translators_link_or_address_never_reaches_an_output(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    # A campaign that teaches readers to check links must not publish one that a catalog
    # from outside changed: such a translation is refused, as added HTML is (CS316).
    po = small_repo / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    kept = "Alle Tipps, Bilder und Übersetzungen finden Sie auf der [Kampagnenwebsite]"
    source = "https://campaign.example.org/2026/kickoff"
    assert f'msgstr "{kept}({source})."' in text
    text = text.replace(f"{kept}({source})", f"{kept}(https://kampagne.example.net/2026)", 1)
    title = 'msgstr "Der Joint Cyber Awareness Month startet heute"'
    assert title in text
    text = text.replace(title, title[:-1] + ' — Infos: www.kampagne.example.net"', 1)
    po.write_text(text, encoding="utf-8")
    checked = cli_invoke(["check", "--repo", str(small_repo), "--now", "2026-09-01"], expect=1)
    assert (
        "error CS311: kickoff:body.11: link target(s) differ from the source: "
        "'https://kampagne.example.net/2026' (the translation is not used)"
    ) in checked.stdout
    assert (
        "error CS314: kickoff:title: URL or e-mail address not in the source "
        "'www.kampagne.example.net' (the translation is not used)"
    ) in checked.stdout
    build(cli_invoke, small_repo, "--locale", "de")
    pack = small_repo / "dist" / "2026.partial" / "de"
    for path in pack.rglob("*"):
        if path.is_file():
            assert b"kampagne.example.net" not in path.read_bytes(), path
    # Both fall back to the source text, marked as English on the German page.
    web = (pack / "web" / "kickoff.html").read_text(encoding="utf-8")
    assert f'href="{source}"' in web and 'lang="en"' in web


def test_worker_processes_build_the_same_pack_as_one_process(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pipeline import workers as pipeline

    env = {"SOURCE_DATE_EPOCH": EPOCH}
    build(cli_invoke, small_repo, "--out", str(tmp_path / "one"), "--jobs", "1", env=env)
    # The sample is below the size where forking pays; lower the bar so workers render it.
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 0)
    marks = tmp_path / "workers"
    marks.mkdir()
    adopt = pipeline._adopt

    def adopt_and_mark(context: pipeline.WorkContext) -> None:
        (marks / str(os.getpid())).touch()
        adopt(context)

    monkeypatch.setattr(pipeline, "_adopt", adopt_and_mark)
    build(cli_invoke, small_repo, "--out", str(tmp_path / "two"), "--jobs", "2", env=env)
    one, two = (tmp_path / name / "2026.zip" for name in ("one", "two"))
    assert one.read_bytes() == two.read_bytes()
    # Each worker process received the context; the parent holds none.
    workers = {p.name for p in marks.iterdir()}
    assert workers and str(os.getpid()) not in workers
    assert pipeline._worker_context == []


def test_worker_processes_find_the_catalogs_translation_problems_while_they_render(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.checks import catalogs
    from campaignsync.pipeline import workers as pipeline

    clean = tmp_path / "clean"
    shutil.copytree(small_repo, clean)
    check = ["check", "--now", "2026-09-01"]
    expected = cli_invoke([*check, "--repo", str(clean)])
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 0)
    marks = tmp_path / "marks"
    marks.mkdir()
    find = catalogs._translation_findings

    def find_and_mark(lookup: Any, tag: str, *rest: Any) -> Any:
        (marks / f"{tag}-{os.getpid()}").touch()
        return find(lookup, tag, *rest)

    monkeypatch.setattr(catalogs, "_translation_findings", find_and_mark)
    build(cli_invoke, small_repo, "--jobs", "2", env={"SOURCE_DATE_EPOCH": EPOCH})
    found = [p.name.rpartition("-") for p in marks.iterdir()]
    # Every catalog's, once each, by the workers: the parent only took them from the memo.
    assert sorted(tag for tag, _, _ in found) == sorted(
        p.parent.parent.name.replace("_", "-") for p in (small_repo / "locales").rglob("*.po")
    )
    assert str(os.getpid()) not in {pid for _, _, pid in found}
    replayed = cli_invoke([*check, "--repo", str(small_repo)])
    assert replayed.stdout == expected.stdout
    assert len(list(marks.iterdir())) == len(found)  # the answer kept: nothing found again


def test_a_check_in_processes_keeps_each_message_where_it_was_checked(
    small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from campaignsync import pipeline
    from campaignsync.pack import findings, sealed
    from campaignsync.pack.cache import FOLDER
    from campaignsync.pipeline import workers

    now = datetime(2026, 9, 1, tzinfo=UTC)
    clean = tmp_path / "clean"
    shutil.copytree(small_repo, clean)
    expected = pipeline.check(clean, None, now, jobs=1).diagnostics  # no render cache
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)  # the sample, as a big campaign
    marks = tmp_path / "shards written"
    marks.mkdir()
    write = sealed.write_sealed

    def write_and_mark(path: Path, *args: Any) -> None:
        if path.suffix == ".units":
            (marks / f"{path.stem} {os.getpid()}").touch()
        write(path, *args)

    monkeypatch.setattr(sealed, "write_sealed", write_and_mark)
    checked = pipeline.check(small_repo, None, now, jobs=2, cached=True)
    assert checked.diagnostics == expected
    # Each message's shard written by the worker that checked it: no output came back here.
    assert checked.rendered is not None and checked.rendered.outputs == ()
    written = [p.name.split(" ") for p in marks.iterdir()]
    assert sorted(m for m, _ in written) == sorted(m.id for m in checked.project.messages)
    assert str(os.getpid()) not in {pid for _, pid in written}
    # The shards hold the outputs: without the kept findings, every unit is taken from them.
    shutil.rmtree(small_repo / "dist" / FOLDER / findings.FOLDER)
    again = pipeline.check(small_repo, None, now, jobs=2, cached=True)
    assert again.diagnostics == expected
    assert again.rendered is not None and len(again.rendered.outputs) > 0
    assert len(list(marks.iterdir())) == len(written)  # nothing rendered or written again


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_after_a_check_draws_each_card_once(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from datetime import UTC, datetime

    from campaignsync import pipeline
    from campaignsync.load.project import load_project
    from campaignsync.pack import gallery
    from campaignsync.pipeline import workers
    from campaignsync.pipeline.selection import select

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 0)  # with 2 jobs: in worker processes
    pipeline.check(small_repo, None, datetime(2026, 9, 1, tzinfo=UTC), jobs=jobs, cached=True)
    project, _ = load_project(small_repo)
    cache = workers.open_cache(project, select(project, None), small_repo / "dist")
    # The check drew no card, and its shards say so (not that the units have none).
    assert {u.drawn for units in cache.units.values() for _key, u in units.values()} == {None}
    calls: list[str] = []
    draw = gallery.draw
    monkeypatch.setattr(gallery, "draw", lambda *a: calls.append(a[1].id) or draw(*a))
    for drawn_now in (True, False):  # the second build takes every card from the cache
        calls.clear()
        project, _ = load_project(small_repo)
        pipeline.build(project, select(project, None), small_repo / "dist", 0)
        assert bool(calls) is drawn_now


def test_one_output_over_its_limit_is_told_in_the_singular(
    cli_invoke: CliInvoke, tmp_path: Path
) -> None:
    repo = make_review_repo(tmp_path / "review")  # its kickoff X post is over the limit
    result = cli_invoke(["build", "--repo", str(repo), "--locale", "de", "--channel", "x"])
    assert (
        "1 output is longer than its channel allows; "
        "'campaignsync check' says where to shorten them.\n"
    ) in result.stdout


def test_a_clean_build_in_processes_makes_the_csvs_and_calendar_beside_the_gallery(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pack import kept, sealed
    from campaignsync.pack import schedulecsv as csvs
    from campaignsync.pipeline import workers as pipeline

    env = {"SOURCE_DATE_EPOCH": EPOCH}
    build(cli_invoke, small_repo, "--out", str(tmp_path / "one"), "--jobs", "1", env=env)
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 0)  # the sample, as a big campaign
    marks = tmp_path / "made in"  # a file per process that made a CSV
    marks.mkdir()
    real = csvs.schedule_csv

    def schedule_csv(*args: Any, **kwargs: Any) -> bytes:
        (marks / str(os.getpid())).touch()
        return real(*args, **kwargs)

    monkeypatch.setattr(csvs, "schedule_csv", schedule_csv)
    build(cli_invoke, small_repo, "--out", str(tmp_path / "two"), "--jobs", "2", env=env)
    one, two = (tmp_path / name / "2026.zip" for name in ("one", "two"))
    assert one.read_bytes() == two.read_bytes()
    made_in = {p.name for p in marks.iterdir()}
    assert made_in and str(os.getpid()) not in made_in  # in another process
    # What making them noted there is kept here: the next build takes them.
    cache = tmp_path / "two" / ".campaignsync-cache" / "2026"
    key = (cache / kept.INDEX).read_bytes().split(b"\n")[2].decode()
    where = sealed.folder_id(cache)
    pieces = kept.open_kept(cache, tmp_path / "two" / "2026", key).pieces
    assert any(name.startswith("csv ") for name in pieces)
    assert "calendar.ics" in sealed.read_sealed(cache / kept.INDEX, where, key)


def _interrupt(*_args: object, **_kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("where", "said", "new"),
    [
        pytest.param(
            "campaignsync.pack.writer.write_pack",
            "error: interrupted; nothing was changed\n",
            False,
            id="before the pack is written",
        ),
        pytest.param(
            "campaignsync.pack.cache.save_cache",
            "error: interrupted after the new pack was written to dist/2026; the next build "
            "may take longer (what it reuses was not all kept)\n",
            True,
            id="after",
        ),
    ],
)
def test_ctrl_c_says_whether_the_new_pack_is_in_place(
    cli_invoke: CliInvoke,
    small_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    said: str,
    new: bool,
) -> None:
    """Ctrl-C while the render cache is saved comes after the pack: it is not "nothing"."""
    import importlib

    cli_invoke(["build", "--no-zip"], cwd=small_repo)
    message = next((small_repo / "content" / "messages").rglob("kickoff.md"))
    text = message.read_text(encoding="utf-8")
    message.write_text(text.replace("\ntitle: ", "\ntitle: Renamed ", 1), encoding="utf-8")
    module, name = where.rsplit(".", 1)
    with monkeypatch.context() as patched:
        patched.setattr(importlib.import_module(module), name, _interrupt)
        result = cli_invoke(["build", "--no-zip"], cwd=small_repo, expect=130)
    assert result.stderr == said
    shown = (small_repo / "dist/2026/index.html").read_text(encoding="utf-8")
    assert ("Renamed " in shown) is new
    again = cli_invoke(["build", "--no-zip"], cwd=small_repo)  # and the next build is whole
    assert "Renamed " in (small_repo / "dist/2026/index.html").read_text(encoding="utf-8")
    assert "dist/2026: " in again.stdout or "Up to date" in again.stdout


def test_a_partial_pack_of_a_locale_no_partner_publishes_in_says_so(
    cli_invoke: CliInvoke, small_repo: Path
) -> None:
    cli_invoke(["locale", "add", "pt-BR"], cwd=small_repo)
    result = build(cli_invoke, small_repo, "--locale", "pt-BR", "--jobs", "1")
    assert (
        "No partner publishes in pt-BR: the pack holds none of its outputs (list it in a "
        "partner's 'locales' in campaignsync.toml to publish in it).\n"
    ) in result.stdout
    assert not (small_repo / "dist" / "2026.partial" / "pt-BR").exists()
    result = build(cli_invoke, small_repo, "--locale", "de", "--jobs", "1")
    assert "No partner publishes" not in result.stdout


def test_a_build_says_when_check_finds_errors_in_its_inputs(
    cli_invoke: CliInvoke, sample_repo: Path
) -> None:
    # check's errors that do not stop a build (a post on a blackout day) were told by check
    # alone: a `build && upload` shipped the pack without a word.
    result = build(cli_invoke, sample_repo)
    assert "campaignsync check' finds errors" not in result.stdout
    calendar = sample_repo / "content" / "calendar.yaml"
    text = calendar.read_text(encoding="utf-8")
    assert '    blackout: []\n  - id: "2027"' in text
    calendar.write_text(text.replace("    blackout: []", "    blackout: [2026-10-01]", 1), "utf-8")
    note = (
        "Note: 'campaignsync check' finds errors in these inputs (CS103): fix them before you "
        "publish this pack.\n"
    )
    assert note in build(cli_invoke, sample_repo).stdout
    # Said by a build of some locales, or into another folder, too (not by "Up to date").
    assert note in build(cli_invoke, sample_repo, "--locale", "de", "--channel", "x").stdout
    assert note in build(cli_invoke, sample_repo, "--out", str(sample_repo.parent / "o")).stdout
