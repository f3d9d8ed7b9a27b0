"""The command reference in README.md and docs/cli.md, generated from ``--help`` by cog."""

from __future__ import annotations

import click

WIDTH = 88


def commands(group: click.Group | None = None, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Return every command and subcommand as (full name, command), in help order."""
    from campaignsync.cli import cli

    group = group or cli
    found: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix}{name} "))
    return found


def help_text(name: str) -> str:
    """Return what ``campaignsync <name> --help`` prints, at a fixed width."""
    from campaignsync.cli import cli

    settings = {**cli.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    ctx = click.Context(cli, info_name="campaignsync", **settings)
    group: click.Command = cli
    for part in name.split():
        assert isinstance(group, click.Group)
        group = group.commands[part]
        ctx = click.Context(group, info_name=part, parent=ctx)
    return ctx.get_help()


def summary_table() -> str:
    """Return a Markdown table of every command and the first line of its help."""
    rows = ["| command | what it does |", "|---|---|"]
    for name, command in commands():
        short = command.get_short_help_str(limit=200)
        anchor = "campaignsync-" + name.replace(" ", "-")
        rows.append(f"| [`campaignsync {name}`](docs/cli.md#{anchor}) | {short} |")
    return "\n".join(rows) + "\n"


def full_reference() -> str:
    """Return the help of every command, as Markdown sections."""
    parts = []
    for name, _ in commands():
        shown = help_text(name)
        parts.append(
            f"## campaignsync {name}\n\n```text\n$ campaignsync {name} --help\n{shown}\n```\n"
        )
    return "\n".join(parts)
