"""Locale and channel options: a near miss is told the canonical tag or the nearest channel.

One helper checks them for every command (cli/_common.py: locale_tags and
channel_names, backed by load.config.parse_locale and channels.check_name); once the
config is read, load.config.configured_locale and channels.check_enabled say whether
the campaign has them. Every refusal is a usage error (exit 2) that writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CliInvoke

from campaignsync import channels

LOCALES = "en, de, fr, es, it, pl, nl, pt-PT, en-US, es-US"
PT_PT = "Error: Invalid value for '--locale': 'pt_PT' is not a canonical locale tag; did you mean 'pt-PT'?"
DE = "Error: Invalid value for '--locale': 'DE' is not a canonical locale tag; did you mean 'de'?"
DEE = (
    "Error: Invalid value for '--locale': 'dee' is not a locale that CLDR knows; did you mean 'de'?"
)
TWITTER = "Error: Invalid value for '--channel': unknown channel 'twitter' (did you mean 'x'?)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--locale", "pt_PT"], PT_PT, id="gettext-spelling"),
        pytest.param(["--locale", "de", "--locale", "DE"], DE, id="upper-case"),
        pytest.param(["--channel", "twitter"], TWITTER, id="former-name"),
        pytest.param(
            ["--channel", "twiter"],
            "Error: Invalid value for '--channel': unknown channel 'twiter' (did you mean 'x'?)",
            id="misspelt-former-name",
        ),
        pytest.param(["--locale", "dee"], DEE, id="configured-near-unknown-tag"),
        pytest.param(
            ["--locale", "zzq"],
            "Error: Invalid value for '--locale': 'zzq' is not a locale that CLDR knows",
            id="unknown-tag-nothing-near",
        ),
        pytest.param(
            ["--channel", "linkdin"],
            "Error: Invalid value for '--channel': unknown channel 'linkdin' (did you mean 'linkedin'?)",
            id="typo",
        ),
        pytest.param(
            ["--channel", "fax"],
            "Error: Invalid value for '--channel': unknown channel 'fax' (channels: "
            f"{', '.join(channels.registry())})",
            id="nothing-near",
        ),
        pytest.param(
            ["--locale", "es-MX"],
            f"error: locale 'es-MX' is not in campaignsync.toml; did you mean 'es'? (locales: {LOCALES})",
            id="same-language",
        ),
        pytest.param(
            ["--locale", "ja"],
            f"error: locale 'ja' is not in campaignsync.toml (locales: {LOCALES})",
            id="not-configured",
        ),
        pytest.param(
            ["--channel", "threads"],
            "error: channel 'threads' is disabled: enable it in campaignsync.toml "
            "([channels.threads] enabled = true)",
            id="disabled",
        ),
    ],
)
def test_build(cli_invoke: CliInvoke, small_repo: Path, args: list[str], message: str) -> None:
    result = cli_invoke(["build", "--repo", str(small_repo), *args], expect=2)
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == ""
    assert not (small_repo / "dist").exists()


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("repo-after", id="repo-typed-after-the-locale"),
        pytest.param("cwd", id="repository-found-from-the-folder"),
    ],
)
def test_an_unknown_tag_is_told_the_configured_locale_near_it(
    cli_invoke: CliInvoke, small_repo: Path, where: str
) -> None:
    if where == "cwd":
        result = cli_invoke(["build", "--locale", "dee"], cwd=small_repo, expect=2)
    else:
        result = cli_invoke(["build", "--locale", "dee", "--repo", str(small_repo)], expect=2)
    assert result.stderr.splitlines()[-1] == DEE
    assert not (small_repo / "dist").exists()


def test_new(cli_invoke: CliInvoke, small_repo: Path) -> None:
    result = cli_invoke(["new", "tip", "--repo", str(small_repo), "--channel", "twitter"], expect=2)
    assert result.stderr.splitlines()[-1] == TWITTER
    assert not (small_repo / "content/messages/2026/tip.md").exists()


def test_locale_add(cli_invoke: CliInvoke, small_repo: Path) -> None:
    config = (small_repo / "campaignsync.toml").read_bytes()
    result = cli_invoke(["locale", "add", "pt_BR", "--repo", str(small_repo)], expect=2)
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for 'LOCALE': 'pt_BR' is not a canonical locale tag; "
        "did you mean 'pt-BR'?"
    )
    assert (small_repo / "campaignsync.toml").read_bytes() == config
    assert not (small_repo / "locales/pt_BR").exists()


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        pytest.param("pt_PT", PT_PT, id="gettext-spelling"),
        pytest.param(
            "pt",
            f"error: locale 'pt' is not in campaignsync.toml; did you mean 'pt-PT'? (locales: {LOCALES})",
            id="language-only",
        ),
    ],
)
def test_locale_status(cli_invoke: CliInvoke, small_repo: Path, tag: str, message: str) -> None:
    result = cli_invoke(["locale", "status", "--repo", str(small_repo), "--locale", tag], expect=2)
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == ""


def test_a_canonical_configured_choice_is_taken(cli_invoke: CliInvoke, small_repo: Path) -> None:
    result = cli_invoke(["locale", "status", "--repo", str(small_repo), "--locale", "pt-PT"])
    assert "pt-PT" in result.stdout and "\n  de " not in result.stdout


@pytest.mark.parametrize(
    ("name", "nearest"),
    [
        pytest.param("twitter", "x", id="former-name"),
        pytest.param("twiter", "x", id="misspelt-former-name"),
        pytest.param("X", "x", id="case"),
        pytest.param("bsky", "bluesky", id="short-form"),
        pytest.param("e-mail", "email", id="spelling"),
        pytest.param("smss", "sms", id="typo"),
        pytest.param("fax", None, id="nothing-near"),
    ],
)
def test_the_nearest_channel(name: str, nearest: str | None) -> None:
    assert channels.nearest(name) == nearest


def test_a_message_naming_twitter_is_told_x(cli_invoke: CliInvoke, small_repo: Path) -> None:
    path = small_repo / "content/messages/2026/kickoff.md"
    path.write_text(path.read_text().replace("channels: [x,", "channels: [twitter,", 1))
    result = cli_invoke(["check", "--repo", str(small_repo), "--now", "2026-06-01"], expect=1)
    assert "error CS018: unknown channel 'twitter' (did you mean 'x'?)" in result.stdout


def test_every_locale_or_channel_option_uses_the_one_check() -> None:
    import click

    from campaignsync.cli import cli
    from campaignsync.cli._common import channel_names, locale_tags

    def commands(group: click.Group, path: str) -> list[tuple[str, click.Command]]:
        found: list[tuple[str, click.Command]] = []
        for name, command in group.commands.items():
            found.append((f"{path} {name}", command))
            if isinstance(command, click.Group):
                found.extend(commands(command, f"{path} {name}"))
        return found

    checked = set()
    for name, command in commands(cli, "campaignsync"):
        for param in command.params:
            if "--locale" in param.opts or param.metavar == "LOCALE":
                assert param.callback is locale_tags, name
                checked.add(name)
            if "--channel" in param.opts:
                assert param.callback is channel_names, name
                checked.add(name)
    assert {"campaignsync build", "campaignsync new", "campaignsync locale add"} <= checked
    assert "campaignsync locale status" in checked
