"""How much two processes give on this machine: the ceiling of ``build --jobs 2``.

Runs the same work in one process, then in two side by side (forked, each the whole
work), and prints the throughput of two as a multiple of one's: pure Python, then
Python-Markdown converting a message of the sample campaign. A shared or throttled
host gives less than 2 ×, and ``build --jobs 2`` cannot give more than it does.

    python benchmarks/parallel.py            # three rounds of each
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path

import markdown

TEXT = (
    Path(__file__).resolve().parent.parent / "content" / "messages" / "2026" / "kickoff.md"
).read_text(encoding="utf-8")


def pure(rounds: int) -> None:
    total = 0
    for i in range(rounds * 20_000_000):
        total += i * i % 7


def converted(rounds: int) -> None:
    for _ in range(rounds * 1500):
        markdown.markdown(TEXT)


def timed(work: Callable[[int], None], processes: int) -> float:
    """Return the seconds ``processes`` forked processes take, each doing ``work`` whole."""
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    started = [context.Process(target=work, args=(1,)) for _ in range(processes)]
    for process in started:
        process.start()
    for process in started:
        process.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for name, work in (("pure Python", pure), ("Python-Markdown", converted)):
        for _ in range(args.rounds):
            one, two = timed(work, 1), timed(work, 2)
            print(
                f"{name:16} one {one:5.2f} s, two side by side {two:5.2f} s: {2 * one / two:.2f} x"
            )


if __name__ == "__main__":
    main()
