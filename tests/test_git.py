"""sync, changes and release against real repositories: a bare shared remote and two clones."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import NOW, CliInvoke, git

from campaignsync.commands import release as releasing
from campaignsync.errors import UsageError
from campaignsync.gitrepo.repo import _open

WELCOME = "content/messages/{year}/welcome.md"


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def teams(committed_repo: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A bare shared repository with the EU team's campaign, and clones for both teams."""
    shared = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(shared))
    git(committed_repo, "remote", "add", "origin", str(shared))
    git(committed_repo, "push", "-q", "-u", "origin", "main")
    eu = committed_repo
    us = tmp_path / "us"
    git(tmp_path, "clone", "-q", str(shared), str(us))
    return shared, eu, us


def welcome(repo: Path) -> str:
    return next((repo / "content" / "messages").rglob("welcome.md")).relative_to(repo).as_posix()


def test_sync_fast_forwards_and_lists_the_translators_work(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    rel = welcome(eu)
    edit(eu, rel, "one simple step a day", "one short safety step a day")
    head = commit(eu, "Reword the welcome")
    git(eu, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(us)])
    assert result.stdout.startswith("Fast-forwarded to origin/main: 1 new commit, ")
    assert "  message changed: welcome: summary\n" in result.stdout
    assert git(us, "rev-parse", "HEAD") == head
    # The catalogs were refreshed from the new text.
    assert "one short safety step a day" in (us / "locales" / "messages.pot").read_text()
    assert result.stdout.endswith(
        "The catalogs changed: review and commit them before the next sync.\n"
    )
    commit(us, "Refresh the catalogs")
    again = cli_invoke(["sync", "--repo", str(us), "--format", "json"])
    document = json.loads(again.stdout)
    assert document["pulled"]["commits"] == 0 and document["branch"] == "main"


def german_summary(repo: Path) -> str:
    """Translate the welcome's summary into German and commit it; return the catalog's path."""
    po = "locales/de/LC_MESSAGES/messages.po"
    summary = "All October we share one simple step a day to keep your accounts and devices safe."
    edit(
        repo,
        po,
        f'msgid "{summary}"\nmsgstr ""',
        f'msgid "{summary}"\nmsgstr "Den ganzen Oktober teilen wir jeden Tag einen einfachen Schritt."',
    )
    commit(repo, "German summary")
    return po


def test_sync_reports_translations_that_became_fuzzy(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    po = german_summary(eu)
    edit(eu, welcome(eu), "one simple step a day", "one simple safety step a day")
    commit(eu, "Reword the welcome")
    git(eu, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(us)])
    assert f"{po}: 1 to review (fuzzy), 0 to translate\n  welcome:summary\n" in result.stdout
    text = (us / po).read_text()
    assert '#, fuzzy\n#| msgid "All October we share one simple step a day' in text
    assert "Den ganzen Oktober teilen wir" in text  # the translation was kept


def test_sync_lists_what_became_fuzzy_when_the_other_team_updated_the_catalogs_first(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    po = german_summary(eu)
    git(eu, "push", "-q")
    cli_invoke(["sync", "--repo", str(us)])
    edit(eu, welcome(eu), "one simple step a day", "one simple safety step a day")
    cli_invoke(["locale", "update"], cwd=eu)  # the catalogs come with the edit, fuzzy already
    commit(eu, "Reword the welcome, refresh the catalogs")
    git(eu, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(us)])
    assert f"{po}: 1 to review (fuzzy), 0 to translate\n  welcome:summary\n" in result.stdout
    assert "no entry became fuzzy" not in result.stdout
    assert "The catalogs changed" not in result.stdout  # (they came so)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            "dirty",
            "error: the work tree has uncommitted changes (campaignsync.toml); commit or stash them yourself, then sync again",
            id="dirty",
        ),
        pytest.param(
            "detached",
            "error: HEAD is detached and campaignsync.toml names no [git] branch; switch to your branch first (git switch main)",
            id="detached",
        ),
        pytest.param(
            "no-remote",
            "error: no git remote named 'origin' (remotes: none); add it with 'git remote add origin URL' or set [git] remote in campaignsync.toml",
            id="missing-remote",
        ),
        pytest.param(
            "diverged",
            "error: your branch and origin/main have diverged (1 local and 1 remote commits); merge or rebase them yourself, then sync again",
            id="diverged",
        ),
        pytest.param(
            "unreachable",
            "error: cannot fetch 'main' from 'origin': '/nonexistent/shared.git' does not appear "
            "to be a git repository",
            id="unreachable-remote",
        ),
        pytest.param(  # (HEAD is detached then, and switching branch is not the fix)
            "rebasing",
            "error: a rebase is not finished: finish it (git rebase --continue) or abort it "
            "(git rebase --abort) first, then sync again",
            id="rebase-stopped-on-a-conflict",
        ),
    ],
)
def test_sync_refuses_and_changes_nothing(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path], case: str, message: str
) -> None:
    _, eu, us = teams
    if case == "dirty":
        (us / "campaignsync.toml").write_text(
            (us / "campaignsync.toml").read_text() + "\n# local note\n"
        )
    elif case == "detached":
        git(us, "checkout", "-q", "--detach")
    elif case == "no-remote":
        git(us, "remote", "remove", "origin")
    elif case == "unreachable":
        git(us, "remote", "set-url", "origin", "/nonexistent/shared.git")
    elif case in ("diverged", "rebasing"):
        (eu / "NOTES.md").write_text("eu\n")
        commit(eu, "EU note")
        git(eu, "push", "-q")
        (us / "NOTES.md").write_text("us\n")
        commit(us, "US note")
        if case == "rebasing":
            stopped = subprocess.run(["git", "pull", "-q", "--rebase"], cwd=us, capture_output=True)
            assert stopped.returncode != 0 and (us / ".git" / "rebase-merge").is_dir()
    before = (git(us, "rev-parse", "HEAD"), git(us, "status", "--porcelain"))
    result = cli_invoke(["sync", "--repo", str(us)], expect=1)
    assert result.stderr.startswith(message), result.stderr
    assert (git(us, "rev-parse", "HEAD"), git(us, "status", "--porcelain")) == before


def test_sync_says_it_fast_forwarded_when_the_new_commits_have_errors(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    edit(eu, welcome(eu), "partners: [", "partners: [nobody, ")
    head = commit(eu, "Break the welcome")
    git(eu, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(us)], expect=1)
    assert "error CS0" in result.stderr
    assert result.stderr.rstrip().endswith(
        "; fast-forwarded to origin/main (1 new commit), but the catalogs were not "
        "updated: fix the errors, then run 'campaignsync locale update'"
    )
    assert git(us, "rev-parse", "HEAD") == head


def test_sync_and_release_need_a_commit(cli_invoke: CliInvoke, campaign_repo: Path) -> None:
    # campaign_repo is `git init`ed but has no commit yet.
    result = cli_invoke(["sync", "--repo", str(campaign_repo)], expect=1)
    assert result.stderr == "error: the repository has no commit yet; nothing to sync onto\n"
    result = cli_invoke(["release", str(NOW.year), "--repo", str(campaign_repo)], expect=1)
    assert result.stderr == (
        f"error: {campaign_repo} is not a git repository with a commit; a release is a tag\n"
    )


def test_sync_when_local_commits_are_ahead(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, _, us = teams
    (us / "NOTES.md").write_text("us\n")
    commit(us, "US note")
    result = cli_invoke(["sync", "--repo", str(us)])
    assert result.stdout.startswith(
        "Nothing new on origin/main; your branch is 1 commit ahead: push it when ready"
    )


def test_release_tags_a_pack_that_rebuilds_identically(
    cli_invoke: CliInvoke, committed_repo: Path, tmp_path: Path
) -> None:
    year = NOW.year
    with (committed_repo / "campaignsync.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[git]\nremote = "shared"\n')
    commit(committed_repo, "The shared repository is 'shared'")
    result = cli_invoke(
        ["release", str(year), "--repo", str(committed_repo), "--now", "2026-09-01"]
    )
    tag = f"campaign/{year}"
    assert f"Tagged {tag} at " in result.stdout
    assert result.stdout.endswith(f"Share it with: git push shared {tag}\n")
    head = git(committed_repo, "rev-parse", "HEAD")
    assert git(committed_repo, "rev-parse", f"{tag}^{{commit}}") == head
    assert git(committed_repo, "cat-file", "-t", tag) == "tag"  # annotated
    body = git(committed_repo, "tag", "-l", "--format=%(contents)", tag)
    manifest = (committed_repo / "dist" / str(year) / "manifest.json").read_bytes()
    import hashlib

    assert f"manifest.json sha256: {hashlib.sha256(manifest).hexdigest()}" in body
    assert json.loads(manifest)["source"] == {"commit": head, "dirty": False}
    released = (committed_repo / "dist" / f"{year}.zip").read_bytes()
    # Anyone can rebuild the identical pack from the tag.
    copy = tmp_path / "later"
    git(tmp_path, "clone", "-q", str(committed_repo), str(copy))
    git(copy, "checkout", "-q", tag)
    cli_invoke(["build", "--repo", str(copy), "--campaign", str(year)])
    assert (copy / "dist" / f"{year}.zip").read_bytes() == released
    with zipfile.ZipFile(copy / "dist" / f"{year}.zip") as archive:
        assert archive.testzip() is None


def test_release_waits_for_a_build_writing_its_folder(
    cli_invoke: CliInvoke, committed_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build writing into the output folder when the release would write: it waits."""
    from filelock import FileLock

    from campaignsync.cli import git as git_commands
    from campaignsync.pack import writelock

    cli_invoke(["build", "--repo", str(committed_repo)])
    out = committed_repo / "dist"
    other = FileLock(str(out / writelock.NAME))  # another process's build, writing
    other.acquire()
    told: list[str] = []

    def tell(text: str) -> None:  # the release waits: that build ends now
        told.append(text)
        other.release()

    monkeypatch.setattr(git_commands, "tell", tell)
    try:
        result = cli_invoke(
            ["release", str(NOW.year), "--repo", str(committed_repo), "--now", "2026-09-01"]
        )
    finally:
        other.release()
    assert told == [f"Waiting for another campaignsync build writing to {out}..."]
    assert f"Tagged campaign/{NOW.year} at " in result.stdout


def test_dry_run_writes_and_tags_nothing(cli_invoke: CliInvoke, committed_repo: Path) -> None:
    year = NOW.year
    result = cli_invoke(
        ["release", str(year), "--repo", str(committed_repo), "--dry-run", "--now", "2026-09-01"]
    )
    assert f"Would tag campaign/{year} at " in result.stdout
    assert result.stdout.rstrip().endswith("Dry run: nothing was written or tagged.")
    assert not (committed_repo / "dist").exists()
    assert git(committed_repo, "tag", "-l") == ""


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param(
            "dirty",
            "the work tree has uncommitted changes (NOTES.md): commit or remove them",
            id="dirty",
        ),
        pytest.param(
            "detached",
            "HEAD is detached: switch to the campaign's branch (git switch main)",
            id="detached",
        ),
        pytest.param(
            "tagged", "already exists: a released campaign is never re-tagged", id="tag-exists"
        ),
        pytest.param(
            "merging",
            "a merge is not finished: finish it (git commit) or abort it (git merge --abort) first",
            id="merge-stopped-on-a-conflict",
        ),
        pytest.param(
            "sign",
            "--sign needs a signing key: set git config user.signingkey (or drop --sign)",
            id="no-signing-key",
        ),
        pytest.param(
            "strict",
            "(us))\nerror: stopped: 1 error, 0 warnings; cannot release until "
            "'check --strict' passes; nothing was built or tagged\n",
            id="check-strict",
        ),
        pytest.param(
            "untranslated", "error CS320: de is required by eu but ", id="required-locale"
        ),
        pytest.param(
            "untranslated-silenced",
            "cannot release: required locales are not fully translated: de (",
            id="required-locale-with-CS320-silenced",
        ),
    ],
)
def test_release_refuses_with_the_reason_and_the_fix(
    cli_invoke: CliInvoke, committed_repo: Path, case: str, message: str
) -> None:
    year = str(NOW.year)
    args = ["release", year, "--repo", str(committed_repo), "--now", "2026-09-01"]
    if case == "dirty":
        (committed_repo / "NOTES.md").write_text("draft\n")
    elif case == "detached":
        git(committed_repo, "checkout", "-q", "--detach")
    elif case == "tagged":
        git(committed_repo, "tag", "-a", "-m", "earlier", f"campaign/{year}")
    elif case == "merging":
        git(committed_repo, "switch", "-q", "-c", "other")
        (committed_repo / "NOTES.md").write_text("other\n")
        commit(committed_repo, "Other note")
        git(committed_repo, "switch", "-q", "main")
        (committed_repo / "NOTES.md").write_text("main\n")
        commit(committed_repo, "Main note")
        merged = subprocess.run(["git", "merge", "-q", "other"], cwd=committed_repo,
                                capture_output=True)  # fmt: skip
        assert merged.returncode != 0 and (committed_repo / ".git" / "MERGE_HEAD").is_file()
    elif case == "sign":
        args.append("--sign")
    elif case == "strict":
        # Publish at night: a warning, which --strict turns into an error.
        edit(committed_repo, welcome(committed_repo), "T10:00:00+02:00", "T03:00:00+02:00")
        commit(committed_repo, "Move the welcome")
    elif case.startswith("untranslated"):
        if case == "untranslated-silenced":
            with (committed_repo / "campaignsync.toml").open("a") as toml:
                toml.write('\n[checks]\nignore = ["CS320"]\n')
        edit(
            committed_repo,
            "campaignsync.toml",
            'required_locales = ["en"]',
            'required_locales = ["en", "de"]',
        )
        commit(committed_repo, "Require German")
    tags = git(committed_repo, "tag", "-l")
    result = cli_invoke(args, expect=1)
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (committed_repo / "dist").exists()
    assert git(committed_repo, "tag", "-l") == tags


def test_release_refuses_a_shallow_clone(
    cli_invoke: CliInvoke, committed_repo: Path, tmp_path: Path
) -> None:
    (committed_repo / "NOTES.md").write_text("second commit\n")
    commit(committed_repo, "Second")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{committed_repo}", str(shallow))
    result = cli_invoke(["release", str(NOW.year), "--repo", str(shallow)], expect=1)
    assert "this is a shallow clone: run 'git fetch --unshallow'" in result.stderr


@pytest.mark.parametrize(
    "name",
    [
        "--help",
        "-f",
        "../evil",
        "2026..2027",
        "2026@{1}",
        "2026 spring",
        "HEAD",
        "a/b",
        "2026.lock",
        "ÄÖ",
        "x" * 70,
        "",
    ],
)
def test_tag_names_outside_the_allow_list_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="cannot be a release tag"):
        releasing.tag_name(name)


def test_release_refuses_a_bad_campaign_name_before_git_sees_it(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    result = cli_invoke(["release", "--repo", str(committed_repo), "--", "--force"], expect=2)
    assert result.stderr.startswith(
        "error: '--force' cannot be a release tag: campaign ids are lower-case letters"
    )
    assert git(committed_repo, "tag", "-l") == ""


def test_two_annual_releases_and_the_changes_between_them(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    repo = committed_repo
    year = NOW.year
    cli_invoke(["release", str(year), "--repo", str(repo), "--now", f"{year}-09-01"])
    # A year later: a new campaign in the calendar, the welcome message reused and reworded.
    calendar = repo / "content" / "calendar.yaml"
    calendar.write_text(
        calendar.read_text()
        + (
            f'  - id: "{year + 1}"\n    name: Awareness Month {year + 1}\n'
            f"    start: {year + 1}-10-01\n    end: {year + 1}-10-31\n"
        )
    )
    old = repo / welcome(repo)
    new = repo / "content" / "messages" / str(year + 1) / "welcome-back.md"
    new.parent.mkdir()
    text = (
        old.read_text()
        .replace("id: welcome", "id: welcome-back")
        .replace(f'campaign: "{year}"', f'campaign: "{year + 1}"')
    )
    text = (
        text.replace(f"{year}-10-", f"{year + 1}-10-")
        .replace("theme: accounts\n", "")
        .replace("one simple step", "one quick step")
    )
    new.write_text(text)
    for command in (["locale", "extract"], ["locale", "update"]):
        cli_invoke([*command, "--repo", str(repo)])
    commit(repo, "Next year's campaign")
    cli_invoke(["release", str(year + 1), "--repo", str(repo), "--now", f"{year + 1}-09-01"])
    result = cli_invoke(
        [
            "changes",
            f"campaign/{year}",
            f"campaign/{year + 1}",
            "--repo",
            str(repo),
            "--format",
            "json",
        ]
    )
    document = json.loads(result.stdout)
    assert document["since"] == f"campaign/{year}" and document["until"] == f"campaign/{year + 1}"
    assert {(m["id"], m["change"]) for m in document["messages"]} == {("welcome-back", "added")}
    assert {"kind": "campaign", "id": str(year + 1), "change": "added", "fields": []} in document[
        "calendar"
    ]
    assert any(
        s["context"] == "welcome-back:summary" and s["change"] == "added"
        for s in document["sources"]
    )
    # With no SINCE, changes starts from the newest campaign tag.
    latest = cli_invoke(["changes", "--repo", str(repo)])
    assert latest.stdout == f"Changes from campaign/{year + 1} to work tree\n\nNothing changed.\n"


def test_changes_reports_changed_fields_blocks_and_stale_translations(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    repo = committed_repo
    po = "locales/de/LC_MESSAGES/messages.po"
    edit(
        repo,
        po,
        'msgctxt "welcome:title"\nmsgid "Our awareness month starts today"\nmsgstr ""',
        'msgctxt "welcome:title"\nmsgid "Our awareness month starts today"\nmsgstr "Unser Aktionsmonat beginnt heute"',
    )
    start = commit(repo, "German title")
    edit(
        repo,
        welcome(repo),
        "title: Our awareness month starts today",
        "title: Our awareness month begins today",
    )
    edit(
        repo,
        welcome(repo),
        "- Install updates when your device asks.",
        "- Install updates as soon as your device asks.",
    )
    commit(repo, "Reword")
    result = cli_invoke(["changes", start, "--repo", str(repo)])
    assert f"  changed welcome ({welcome(repo)}): title, body.5" in result.stdout
    assert "  changed welcome:title" in result.stdout
    stale_line = next(line for line in result.stdout.splitlines() if "welcome:title [de]" in line)
    assert (
        stale_line.startswith(f"  {po}:")
        and f"older than its source ({welcome(repo)}:" in stale_line
    )
    # The title's edit undone (reverted): the translation is of that very text again.
    edit(repo, welcome(repo), "title: Our awareness month begins today",
         "title: Our awareness month starts today")  # fmt: skip
    commit(repo, "Undo the title's rewording")
    undone = cli_invoke(["changes", start, "--repo", str(repo)]).stdout
    assert "welcome:title [de]" not in undone and "Stale translations" not in undone
    edit(repo, welcome(repo), "title: Our awareness month starts today",
         "title: Our awareness month begins today")  # fmt: skip
    commit(repo, "Reword the title again")
    # The translator updates the catalog and reviews the entry: no longer stale.
    cli_invoke(["locale", "extract", "--repo", str(repo)])
    cli_invoke(["locale", "update", "--repo", str(repo)])
    edit(
        repo,
        po,
        '#, fuzzy\n#| msgid "Our awareness month starts today"\nmsgctxt "welcome:title"\nmsgid "Our awareness month begins today"\nmsgstr "Unser Aktionsmonat beginnt heute"',
        'msgctxt "welcome:title"\nmsgid "Our awareness month begins today"\nmsgstr "Unser Aktionsmonat beginnt heute"',
    )
    commit(repo, "Review German")
    assert "Stale translations" not in cli_invoke(["changes", start, "--repo", str(repo)]).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            [],
            "error: no campaign tag yet to compare with; name a revision, e.g. 'campaignsync changes HEAD~10'",
            id="no-tag",
        ),
        pytest.param(["nope"], "error: unknown revision 'nope'\n", id="unknown"),
        pytest.param(
            ["campaign/2025"],
            "error: unknown revision 'campaign/2025' (campaign tags in this clone: none; "
            "'git fetch --tags' gets the shared ones)\n",
            id="missing-campaign-tag",
        ),
        pytest.param(
            ["--", "--output=/tmp/x"],
            "error: '--output=/tmp/x' is not a revision",
            id="option-like",
        ),
    ],
)
def test_changes_refuses_bad_revisions(
    cli_invoke: CliInvoke, committed_repo: Path, args: list[str], message: str
) -> None:
    code = 1 if not args else 2  # no tag yet is the repository's state; the rest is usage
    result = cli_invoke(["changes", "--repo", str(committed_repo), *args], expect=code)
    assert result.stderr.startswith(message)


def test_changes_before_the_first_commit_says_to_commit(
    cli_invoke: CliInvoke, campaign_repo: Path
) -> None:
    # What 'campaignsync init' leaves: a git repository without a commit, so no HEAD~10 either.
    result = cli_invoke(["changes", "--repo", str(campaign_repo)], expect=1)
    assert result.stderr == (
        "error: the repository has no commit yet, so nothing to compare with; commit the "
        "campaign first (git add -A && git commit)\n"
    )


def test_changes_reads_git_revisions_and_ignores_drafts_in_the_work_tree(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    start = git(committed_repo, "rev-parse", "HEAD")
    edit(committed_repo, welcome(committed_repo), "title:", "title: Hello again\nold_title:")
    commit(committed_repo, "Retitle the welcome")
    # An unfinished draft is not part of either commit, and does not stop the comparison.
    draft = committed_repo / "content" / "messages" / str(NOW.year) / "draft.md"
    draft.write_text("---\nid: [unclosed\n---\nText\n")
    for since in (start, "HEAD~1", "HEAD@{1}", "main@{1}"):
        result = cli_invoke(["changes", since, "HEAD", "--repo", str(committed_repo)])
        assert result.stdout.startswith(f"Changes from {since} to HEAD\n"), since
        assert "changed welcome" in result.stdout, since


def test_changes_outside_git_says_so(
    cli_invoke: CliInvoke, campaign_repo: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    shutil.copytree(campaign_repo, plain, ignore=shutil.ignore_patterns(".git"))
    result = cli_invoke(["changes", "--repo", str(plain)], expect=1)
    assert result.stderr == f"error: {plain} is not in a git repository\n"


def test_build_outside_git_and_in_an_empty_repository(
    cli_invoke: CliInvoke, campaign_repo: Path, tmp_path: Path
) -> None:
    # campaign_repo is `git init`ed but has no commit: treated as outside git.
    result = cli_invoke(["build", "--repo", str(campaign_repo)])
    assert "Note: not built from a git commit; the manifest records no commit." in result.stdout
    plain = tmp_path / "plain"
    shutil.copytree(campaign_repo, plain, ignore=shutil.ignore_patterns(".git", "dist"))
    cli_invoke(["build", "--repo", str(plain)])
    assert not (plain / ".git").exists()


def test_git_config_cannot_make_campaignsync_run_programs(
    cli_invoke: CliInvoke, committed_repo: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "monitor.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    git(committed_repo, "config", "core.fsmonitor", str(script))
    cli_invoke(["build", "--repo", str(committed_repo)])
    cli_invoke(
        [
            "release",
            str(NOW.year),
            "--repo",
            str(committed_repo),
            "--dry-run",
            "--now",
            "2026-09-01",
        ]
    )
    assert not marker.exists()
    # git itself would have run it:
    subprocess.run(["git", "status"], cwd=committed_repo, capture_output=True, check=True)
    assert marker.exists()


def test_git_settings_from_the_environment_still_apply(
    committed_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Users set safe.directory this way for a repository another account owns.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "campaignsync.probe")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "kept")
    with _open(committed_repo) as repo:
        assert repo is not None
        assert repo.git.config("--get", "campaignsync.probe") == "kept"
        assert repo.git.config("--get", "core.fsmonitor") == "false"


def test_a_broken_repository_is_an_error_not_a_crash(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    (committed_repo / ".git" / "index").write_bytes(b"junk")
    args = ["--repo", str(committed_repo)]
    for command in (["release", str(NOW.year), "--dry-run"], ["build"]):
        result = cli_invoke([*command, *args], expect=1)
        assert result.stderr.startswith(f"error: git failed in {committed_repo}: "), command
        assert "index file smaller than expected" in result.stderr, command


def test_release_refuses_a_campaign_without_messages(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    calendar = committed_repo / "content" / "calendar.yaml"
    calendar.write_text(
        calendar.read_text()
        + '  - id: "2031"\n    name: Later\n    start: 2031-10-01\n    end: 2031-10-31\n'
    )
    commit(committed_repo, "Plan 2031")
    result = cli_invoke(["release", "2031", "--repo", str(committed_repo), "--dry-run"], expect=1)
    assert (
        result.stderr
        == "error: cannot release: campaign 2031 has no messages to publish; a release tag is permanent, so write the campaign's messages first\n"
    )


def test_sync_lists_only_what_each_locale_publishes(
    cli_invoke: CliInvoke, small_repo: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "sample.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(shared))
    (small_repo / ".gitignore").write_text("dist/\n")
    git(small_repo, "init", "-q", "-b", "main")
    commit(small_repo, "Sample")
    git(small_repo, "remote", "add", "origin", str(shared))
    git(small_repo, "push", "-q", "-u", "origin", "main")
    us = tmp_path / "us-team"
    git(tmp_path, "clone", "-q", str(shared), str(us))
    # The EU team adds an EU-only message.
    source = (small_repo / "content/messages/2026/passphrase-tip.md").read_text()
    (small_repo / "content/messages/2026/passphrase-at-work.md").write_text(
        source.replace("id: passphrase-tip", "id: passphrase-at-work").replace(
            "2026-10-06T12:00", "2026-10-08T12:00"
        )
    )
    commit(small_repo, "EU-only message")
    git(small_repo, "push", "-q")
    document = json.loads(cli_invoke(["sync", "--repo", str(us), "--format", "json"]).stdout)
    todo = {item["locale"]: item for item in document["todo"]}
    assert "passphrase-at-work:title" in todo["de"]["untranslated"]
    # US locales do not publish the message; en-US reads the English source anyway.
    assert "es-US" not in todo and "en-US" not in todo
    assert {m["id"]: m["change"] for m in document["messages"]} == {"passphrase-at-work": "added"}


def test_without_git_installed_build_works_and_git_commands_say_so(
    small_repo: Path, tmp_path: Path
) -> None:
    """GitPython refuses to import when no git program is on PATH."""
    import os
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {**os.environ, "PATH": str(bin_dir)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "campaignsync", *args, "--repo", str(small_repo)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    built = run("build")
    assert built.returncode == 0, built.stderr
    assert "Note: not built from a git commit; the manifest records no commit." in built.stdout
    synced = run("sync")
    assert (synced.returncode, synced.stderr) == (
        1,
        "error: git is not installed (or not on PATH); install git to use this command\n",
    )


def refresh_and_commit(cli_invoke: CliInvoke, repo: Path, team: str) -> str:
    """Run sync as a translator would, and commit the refreshed catalogs."""
    cli_invoke(["sync", "--repo", str(repo)])
    assert git(repo, "status", "--porcelain"), "sync refreshed nothing"
    return commit(repo, f"Refresh the catalogs ({team})")


@pytest.fixture
def both_refreshed(cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]) -> tuple[Path, Path]:
    """The EU team rewords a message and pushes; both teams sync and commit the same catalogs.

    The US team pushes its refresh first, so the EU team's clone has one local
    commit whose changes are already upstream, and is one commit behind.
    """
    _, eu, us = teams
    edit(eu, welcome(eu), "one simple step a day", "one short safety step a day")
    commit(eu, "Reword the welcome")
    git(eu, "push", "-q")
    refresh_and_commit(cli_invoke, eu, "EU")
    refresh_and_commit(cli_invoke, us, "US")
    git(us, "push", "-q")
    return eu, us


def test_sync_moves_past_local_commits_already_upstream(
    cli_invoke: CliInvoke, both_refreshed: tuple[Path, Path]
) -> None:
    eu, us = both_refreshed
    before = git(eu, "rev-parse", "HEAD")
    upstream = git(us, "rev-parse", "HEAD")
    assert git(eu, "show", "--format=", "--stat", "HEAD")  # a real local commit
    result = cli_invoke(["sync", "--repo", str(eu)])
    assert result.stdout.startswith(
        f"Fast-forwarded to origin/main: 1 new commit, {before[:12]}..{upstream[:12]}\n"
        "Your 1 local commit made only changes origin/main already has: "
        "your branch now follows origin/main ('git reflog' still lists them).\n"
    )
    assert git(eu, "rev-parse", "HEAD") == upstream
    assert git(eu, "status", "--porcelain") == ""
    assert "The catalogs changed" not in result.stdout
    again = cli_invoke(["sync", "--repo", str(eu), "--format", "json"])
    assert json.loads(again.stdout)["pulled"]["replaced"] == 0


def test_sync_moves_past_them_when_upstream_built_on_them(
    cli_invoke: CliInvoke, both_refreshed: tuple[Path, Path]
) -> None:
    eu, us = both_refreshed
    # A translator builds on the US refresh upstream: a three-way merge would conflict.
    po = "locales/de/LC_MESSAGES/messages.po"
    edit(
        us,
        po,
        'msgid "Our awareness month starts today"\nmsgstr ""',
        'msgid "Our awareness month starts today"\nmsgstr "Unser Aktionsmonat beginnt heute"',
    )
    upstream = commit(us, "German title")
    git(us, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(eu)])
    assert result.stdout.startswith("Fast-forwarded to origin/main: 2 new commits, ")
    assert "Your 1 local commit made only changes origin/main already has: " in result.stdout
    assert git(eu, "rev-parse", "HEAD") == upstream
    assert "Unser Aktionsmonat beginnt heute" in (eu / po).read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["own-commit", "same-commit"])
def test_sync_still_stops_when_a_local_change_is_not_upstream(
    cli_invoke: CliInvoke, both_refreshed: tuple[Path, Path], where: str
) -> None:
    eu, _ = both_refreshed
    (eu / "NOTES.md").write_text("eu\n")
    if where == "own-commit":
        commit(eu, "EU note")
        local = 2
    else:
        git(eu, "add", "NOTES.md")
        git(eu, "commit", "-q", "--amend", "--no-edit")
        local = 1
    before = git(eu, "rev-parse", "HEAD")
    result = cli_invoke(["sync", "--repo", str(eu)], expect=1)
    assert result.stderr == (
        f"error: your branch and origin/main have diverged ({local} local and 1 remote "
        "commits); merge or rebase them yourself, then sync again\n"
    )
    assert git(eu, "rev-parse", "HEAD") == before
    assert (eu / "NOTES.md").read_text() == "eu\n"


def test_sync_never_overwrites_an_untracked_file_when_moving_past_local_commits(
    cli_invoke: CliInvoke, both_refreshed: tuple[Path, Path]
) -> None:
    eu, us = both_refreshed
    (us / "NOTES.md").write_text("us\n")
    commit(us, "US note")
    git(us, "push", "-q")
    (eu / "NOTES.md").write_text("eu, not committed\n")
    before = git(eu, "rev-parse", "HEAD")
    result = cli_invoke(["sync", "--repo", str(eu)], expect=1)
    # The reason is git's own words (they vary between versions); it names the file.
    assert result.stderr.startswith("error: git refused the fast-forward: ")
    assert "'NOTES.md'" in result.stderr and len(result.stderr.splitlines()) == 1
    assert git(eu, "rev-parse", "HEAD") == before
    assert (eu / "NOTES.md").read_text() == "eu, not committed\n"


def test_a_message_fixed_after_a_broken_commit_is_changed_not_added(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    rel = welcome(eu)
    start = git(eu, "rev-parse", "HEAD")
    edit(eu, rel, "title: Our", "title: [Our")  # the front matter is no longer YAML
    broken = commit(eu, "Reword the welcome (broken)")
    git(eu, "push", "-q")
    # The US team syncs onto the broken commit: HEAD moves, the catalogs stay.
    cli_invoke(["sync", "--repo", str(us)], expect=1)
    assert git(us, "rev-parse", "HEAD") == broken
    edit(eu, rel, "title: [Our", "title: Our")
    edit(eu, rel, "one simple step a day", "one short safety step a day")
    fixed = commit(eu, "Fix the welcome")
    git(eu, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(us)])
    assert "  message changed: welcome: earlier version unreadable\n" in result.stdout
    assert "message added" not in result.stdout
    result = cli_invoke(["changes", broken, fixed, "--repo", str(us)])
    assert f"  changed welcome ({rel}): earlier version unreadable\n" in result.stdout
    assert "  changed welcome:summary\n" in result.stdout
    assert "added" not in result.stdout
    # The other way round it is a change too, not a removal.
    result = cli_invoke(["changes", start, broken, "--repo", str(us)])
    assert f"  changed welcome ({rel}): new version unreadable\n" in result.stdout
    assert "removed" not in result.stdout
    # Across the broken commit, the fields are compared as usual.
    result = cli_invoke(["changes", start, fixed, "--repo", str(us), "--format", "json"])
    document = json.loads(result.stdout)
    assert document["messages"] == [
        {"id": "welcome", "path": rel, "change": "changed", "fields": ["summary"], "unreadable": ""}
    ]


def test_changes_names_the_campaign_tags_there_are_when_one_is_missing(
    cli_invoke: CliInvoke, committed_repo: Path
) -> None:
    git(committed_repo, "tag", "campaign/2026")
    git(committed_repo, "tag", "campaign/2024")
    result = cli_invoke(["changes", "campaign/2025", "--repo", str(committed_repo)], expect=2)
    assert result.stderr == (
        "error: unknown revision 'campaign/2025' (campaign tags in this clone: campaign/2024, "
        "campaign/2026; 'git fetch --tags' gets the shared ones)\n"
    )


def test_sync_names_the_first_entries_of_a_long_to_do_list(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    rel = welcome(eu)
    text = (eu / rel).read_text(encoding="utf-8")
    extra = "".join(f"\nStep {n}: check who is asking before you answer.\n" for n in range(1, 13))
    (eu / rel).write_text(text + extra, encoding="utf-8")
    commit(eu, "Twelve more steps")
    git(eu, "push", "-q")
    result = cli_invoke(["sync", "--repo", str(us)])
    po = "locales/de/LC_MESSAGES/messages.po"
    listed = result.stdout.split(f"{po}: 0 to review (fuzzy), 12 to translate\n", 1)[1]
    lines = listed.splitlines()
    assert all(line.startswith("  welcome:body.") for line in lines[:10]), lines
    assert lines[10] == "  ... and 2 more (the catalog lists them all)"


def test_release_refuses_a_tag_the_shared_repository_has(
    cli_invoke: CliInvoke, teams: tuple[Path, Path, Path]
) -> None:
    _, eu, us = teams
    year = str(NOW.year)
    cli_invoke(["release", year, "--repo", str(eu), "--now", "2026-09-01"])
    git(eu, "push", "-q", "origin", f"campaign/{year}")
    # The US clone has not fetched the tag: its own tags say nothing of it.
    result = cli_invoke(["release", year, "--repo", str(us), "--now", "2026-09-01"], expect=1)
    assert result.stderr == (
        f"error: cannot release: tag campaign/{year} already exists on origin (released from "
        "another clone: 'git fetch --tags' shows it); a released campaign is never re-tagged: "
        "release the changes under a new campaign id\n"
    )
    assert git(us, "tag", "-l") == "" and not (us / "dist").exists()
    # A shared repository it cannot ask is said, and the release goes on.
    git(us, "remote", "set-url", "origin", str(us.parent / "gone.git"))
    result = cli_invoke(["release", year, "--repo", str(us), "--now", "2026-09-01", "--dry-run"])
    assert result.stderr.startswith(
        f"Note: could not ask origin whether campaign/{year} exists there ("
    ) and result.stderr.rstrip().endswith("'git push' will tell")
    assert "Dry run: nothing was written or tagged." in result.stdout
