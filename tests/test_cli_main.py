"""What the installed `campaignsync` command prints when something no command handles goes wrong."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CliInvoke

import campaignsync.cli
from campaignsync import __version__


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
    small_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
) -> None:
    monkeypatch.setattr(target, interrupt)
    result = cli_invoke(["build", "--repo", str(small_repo)], expect=130)
    assert result.stderr == "error: interrupted; nothing was changed\n"
    assert result.stdout == ""
    assert not (small_repo / "dist").exists()


def test_ctrl_c_in_a_subcommand_says_the_same(
    cli_invoke: CliInvoke, small_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("campaignsync.cli.calendar.source_date_epoch", interrupt)
    result = cli_invoke(["calendar", "export", "--repo", str(small_repo)], expect=130)
    assert result.stderr == "error: interrupted; nothing was changed\n"


#: The installed command, with an exit hook that a normal interpreter shutdown would run.
RUN = """
import atexit, sys
import campaignsync.cli
atexit.register(lambda: print("shut down slowly", file=sys.stderr))
if sys.argv[1:] == ["--exit-with-text"]:
    campaignsync.cli.main = lambda: sys.exit("stopped: no campaign")
sys.argv[0] = "campaignsync"
campaignsync.cli.run()
"""


def run_command(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_the_installed_command_leaves_without_the_interpreters_shutdown(
    small_repo: Path, tmp_path: Path
) -> None:
    """Everything is written and printed before it leaves; only the freeing of values is skipped."""
    out = tmp_path / "out"
    built = run_command("build", "--repo", str(small_repo), "--out", str(out))
    assert built.returncode == 0
    assert built.stdout.startswith(f"Built {out / '2026'}: ")
    assert "shut down slowly" not in built.stderr
    assert zipfile.ZipFile(out / "2026.zip").testzip() is None
    # The exit status and the last words are the command's, as without the shortcut.
    (tmp_path / "empty").mkdir()
    missing = run_command("build", "--repo", str(tmp_path / "empty"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: ")
    assert "shut down slowly" not in missing.stderr
    assert run_command("build", "--no-such-option").returncode == 2
    text = run_command("--exit-with-text")
    assert (text.returncode, text.stderr) == (1, "stopped: no campaign\n")


def test_python_dash_m_is_the_installed_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "campaignsync", "--version"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, f"campaignsync, version {__version__}\n")


def test_under_a_profiler_the_command_leaves_as_any_program_does(tmp_path: Path) -> None:
    """A profiler writes its results on the way out: the shortcut would lose them."""
    stats = tmp_path / "version.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "campaignsync", "--version"],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (0, f"campaignsync, version {__version__}\n")
    assert stats.stat().st_size > 0
