"""The collector held off while a build runs, and given back as it was."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CliInvoke

from campaignsync.pipeline import collecting, forking


@pytest.fixture
def collector() -> Iterator[None]:
    """Leave the collector as the test found it."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    gc.enable() if enabled else gc.disable()


def test_a_build_collects_nothing_until_it_is_done(collector: None) -> None:
    gc.enable()
    with collecting.fewer_collections():
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0  # what existed is frozen for the forked workers
        with collecting.fewer_collections():  # nested: the outermost decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_the_collector_is_given_back_when_a_build_fails(collector: None) -> None:
    gc.enable()
    with pytest.raises(ValueError), collecting.fewer_collections():
        raise ValueError("the build failed")
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off(collector: None) -> None:
    gc.disable()
    with collecting.fewer_collections():
        pass
    assert not gc.isenabled()


def _collects(_context: object, _item: object = None) -> bool:
    return gc.isenabled()


def test_every_forked_process_collects_its_own_garbage(collector: None) -> None:
    with collecting.fewer_collections():  # forked from a build that collects nothing
        assert forking.in_processes(_collects, None, [1, 2, 3], 2) == [True, True, True]
        with forking.aside(_collects, None, True) as result:
            assert result() is True
        assert not gc.isenabled()


def test_the_build_command_leaves_the_collector_on(
    cli_invoke: CliInvoke, small_repo: Path, collector: None
) -> None:
    gc.enable()
    cli_invoke(["build", "--repo", str(small_repo)], env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert gc.isenabled()


def test_a_build_rendering_units_itself_collects_at_a_workers_pace(collector: None) -> None:
    gc.set_threshold(700, 10, 10)
    with collecting.fewer_collections():
        with collecting.rendering_here():
            assert gc.isenabled()
            assert gc.get_threshold() == collecting._THRESHOLDS
        assert not gc.isenabled()
        assert gc.get_threshold() == (700, 10, 10)


def test_rendering_here_collects_only_what_rendering_made(collector: None) -> None:
    """What the build made before rendering (the units taken from the render cache) is not
    gone over again by the collections while rendering; the build's end gives it back."""
    with collecting.fewer_collections():
        before = [[n] for n in range(5_000)]  # made by the build, uncollected so far
        frozen = gc.get_freeze_count()
        with collecting.rendering_here():
            assert gc.get_freeze_count() >= frozen + len(before)  # out of every collection
        assert before
    assert gc.get_freeze_count() == 0


def test_rendering_units_in_the_build_collects_their_cycles(
    cli_invoke: CliInvoke, small_repo: Path, collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pipeline import workers

    seen: list[bool] = []
    render_units = workers.render_units

    def noted(*args: object) -> object:
        seen.append(gc.isenabled())
        return render_units(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "render_units", noted)
    gc.enable()
    cli_invoke(["build", "--repo", str(small_repo), "--jobs", "1"])
    assert seen and all(seen)


def test_a_check_collects_nothing_until_it_is_done(
    cli_invoke: CliInvoke, small_repo: Path, collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaignsync.pipeline import lastcheck

    seen: list[bool] = []
    remember = lastcheck.remember

    def noted(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())  # the check's answer kept, at its end
        return remember(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lastcheck, "remember", noted)
    gc.enable()
    cli_invoke(["check", "--repo", str(small_repo)], env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert seen == [False]
    assert gc.isenabled()


def _nested(context: str, item: int) -> tuple[str, list[str]]:
    """Return this pool's context, and that of a pool this worker forks in turn."""
    return context, forking.in_processes(_context_of, f"inner {item}", [1, 2], 2)


def _context_of(context: str, item: int) -> str:
    return context


def test_a_pool_forked_in_a_pools_process_hands_its_workers_its_own_context() -> None:
    assert forking.in_processes(_nested, "outer", [1, 2], 2) == [
        ("outer", ["inner 1", "inner 1"]),
        ("outer", ["inner 2", "inner 2"]),
    ]


def _collecting(context: object) -> None:
    if not gc.isenabled():  # a detached process collects its own garbage, as a worker does
        raise AssertionError("the collector is off")


def _raising(context: object) -> None:
    raise PermissionError(13, "Permission denied", "dist/.campaignsync-cache/checks")


def test_a_detached_process_tells_only_whether_it_returned(
    collector: None, capfd: pytest.CaptureFixture[str]
) -> None:
    """Raising is ending badly, told by wait(), without a trace on the terminal."""
    with collecting.fewer_collections():
        ran = forking.detach(_collecting, None)
        failed = forking.detach(_raising, None)
    assert ran is not None and failed is not None
    assert ran.wait() is True and failed.wait() is False
    assert failed.wait() is False  # waited once, told again
    assert capfd.readouterr().err == ""
