"""What the installed `campaignsync` command prints when something no command handles goes wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import CliInvoke

import campaignsync.cli


def run_main(monkeypatch: pytest.MonkeyPatch, error: Exception) -> int:
    def broken(**_: object) -> None:
        raise error

    monkeypatch.delenv("CAMPAIGNSYNC_DEBUG", raising=False)
    monkeypatch.setattr(campaignsync.cli, "cli", broken)
    with pytest.raises(SystemExit) as exited:
        campaignsync.cli.main()
    return int(exited.value.code or 0)


def test_a_dependency_missing_after_an_update_says_to_install_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `import pyphen` raises when a checkout gained a dependency after pip install -e.
    code = run_main(monkeypatch, ModuleNotFoundError("No module named 'pyphen'", name="pyphen"))
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: campaignsync needs the module 'pyphen', which is not installed in {sys.prefix}; "
        "install campaignsync there again (in a checkout: pip install -e .)\n"
    )


@pytest.mark.parametrize(
    "error",
    [
        ModuleNotFoundError("No module named 'campaignsync.gone'", name="campaignsync.gone"),
        RuntimeError("boom"),
    ],
    ids=["own-module", "other"],
)
def test_anything_else_is_an_internal_error_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception
) -> None:
    assert run_main(monkeypatch, error) == 1
    assert capsys.readouterr().err == (
        f"internal error: {type(error).__name__}: {error} "
        "(please report it; set CAMPAIGNSYNC_DEBUG=1 to see the traceback)\n"
    )


def interrupt(*_: object, **__: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    "target",
    [
        # Before the command reaches its work: click alone would print "Aborted!", exit 1.
        pytest.param("campaignsync.cli.build.source_date_epoch", id="early"),
        pytest.param("campaignsync.pipeline.build_pack", id="while-building"),
    ],
)
def test_ctrl_c_says_the_same_whenever_it_comes(
    cli_invoke: CliInvoke,
    sample_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    monkeypatch.setattr(target, interrupt)
    result = cli_invoke(["build", "--repo", str(sample_repo)], expect=130)
    assert result.stderr == "error: interrupted; nothing was changed\n"
    assert result.stdout == ""
    assert not (sample_repo / "dist").exists()


def test_ctrl_c_in_a_subcommand_says_the_same(
    cli_invoke: CliInvoke, sample_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("campaignsync.cli.calendar.source_date_epoch", interrupt)
    result = cli_invoke(["calendar", "export", "--repo", str(sample_repo)], expect=130)
    assert result.stderr == "error: interrupted; nothing was changed\n"
