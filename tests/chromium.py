"""How the browser tests and docs/screenshots.py start Debian's chromium.

Nothing here downloads a browser: Playwright is pointed at the system's
chromium (``apt-get install chromium``), or at $CAMPAIGNSYNC_CHROMIUM.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CHROMIUM = os.environ.get("CAMPAIGNSYNC_CHROMIUM", "/usr/bin/chromium")
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def launched() -> Iterator[Any]:
    """A headless chromium, closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=list(ARGS))
        try:
            yield browser
        finally:
            browser.close()
