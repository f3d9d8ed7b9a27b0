"""Take the gallery screenshots in docs/images/ from the sample campaign.

Usage (from the repository root, in the project's virtualenv, with Debian's
chromium installed: ``apt-get install chromium``; nothing downloads a browser):

    python docs/screenshots.py            # rebuilds the sample pack in a temporary folder
    python docs/screenshots.py --out /tmp/shots --full

It shows the overview, the German locale page and the kickoff message page,
each at desktop (1280 px) and phone (390 px) width.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from chromium import launched  # noqa: E402  (tests/chromium.py, shared with the browser tests)

PAGES = {
    "overview": "index.html",
    "locale": "preview/de.html",
    "message": "preview/messages/kickoff.html",
}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--full", action="store_true", help="Whole pages, not the first screen.")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [sys.executable, "-m", "campaignsync", "build", "--repo", str(ROOT), "--out", work],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        pack = Path(work) / "2026"
        with launched() as browser:
            for width_name, (width, height) in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                for name, rel in PAGES.items():
                    page.goto((pack / rel).as_uri())
                    page.wait_for_load_state("load")
                    target = options.out / f"gallery-{name}-{width_name}.png"
                    page.screenshot(path=str(target), full_page=options.full)
                    print(target)
                page.close()


if __name__ == "__main__":
    main()
