"""Retake the README screenshots: python docs/screenshots/take.py (needs Chromium and playwright).

Builds the sample site into a temporary folder, serves it on 127.0.0.1 and saves the home page at
desktop width and an article at phone width next to this script.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from sitegen.build import build  # noqa: E402
from sitegen.site import BuildOptions  # noqa: E402

from browsertools import launch_chromium, serve  # noqa: E402

SHOTS = [  # file, path, viewport width, height
    ("home.png", "/", 1280, 1000),
    ("article.png", "/articles/tartus-first-container-ship/", 390, 1500),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        output = Path(tmp) / "output"
        build(REPO, BuildOptions(), {"output_dir": str(output)}, datetime(2026, 11, 29, 12, tzinfo=UTC))
        browser = launch_chromium(playwright)
        with serve(output) as base:
            for name, path, width, height in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(base + path, wait_until="networkidle")
                page.evaluate("document.fonts.ready.then(() => true)")
                page.screenshot(path=str(HERE / name))
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
