"""Measure how long `campaignsync preview` takes to show a saved edit in the open page.

Usage (from the repository root, in the project's virtualenv, with Debian's chromium):

    python benchmarks/preview.py              # 5 edits of the sample campaign
    python benchmarks/preview.py --edits 10

It copies the sample campaign to a temporary folder, starts `campaignsync preview`
there as a user would (a separate process on 127.0.0.1), opens the kickoff message's
locale page in headless chromium, then saves a new title into the message file and
times how long it takes until the page shows it (watch, rebuild, poll, reload). It
prints each time and the median and the slowest.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
TITLE = "Joint Cyber Awareness Month starts today"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        repo = Path(work)
        shutil.copy2(ROOT / "campaignsync.toml", repo)
        for folder in ("content", "locales", "templates"):
            shutil.copytree(ROOT / folder, repo / folder)
        server = subprocess.Popen(
            [sys.executable, "-m", "campaignsync", "preview", "--repo", str(repo), "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = server.stdout.readline() if server.stdout else ""
            address = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if not address:
                raise SystemExit(f"preview did not start: {line!r}")
            times = measure(repo, address.group(0), options.edits)
        finally:
            server.terminate()
            server.wait(10)
    for number, seconds in enumerate(times, start=1):
        print(f"edit {number}: {seconds:.2f} s from save to page")
    print(f"median {statistics.median(times):.2f} s, slowest {max(times):.2f} s")


def measure(repo: Path, address: str, edits: int) -> list[float]:
    message = repo / "content" / "messages" / "2026" / "kickoff.md"
    times = []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page()
        page.goto(f"{address}preview/en.html")
        previous = TITLE
        for number in range(1, edits + 1):
            page.wait_for_timeout(1000)  # the page has polled the current build
            title = f"Kickoff, edit {number}"
            message.write_text(message.read_text().replace(f"title: {previous}", f"title: {title}"))
            saved = time.perf_counter()
            page.wait_for_function(
                f"() => document.querySelector('#h-kickoff')?.textContent === {title!r}",
                timeout=60000,
                polling=20,
            )
            times.append(time.perf_counter() - saved)
            previous = title
        browser.close()
    return times


if __name__ == "__main__":
    main()
