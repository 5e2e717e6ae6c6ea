"""The README's pictures of the HTML report, taken with headless Chromium (Playwright).

    python docs/img/make_screenshots.py

- ``html-unet.png``: examples/unet_100.keras, the whole page;
- ``html-resnet50.png``: ResNet50 as keras.applications builds it (the config stored in
  tests/applications/truth), the first blocks of its graph;
- ``html-sequential.png``: a 13-layer Sequential with three warnings (a user's RadioML
  model, tests/realworld/qa/ds_radioml_padding_channels_last), the whole page.

Look at each picture before committing it.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
import tempfile

from playwright.sync_api import sync_playwright

from shapelint.lint import analyse, lint_path
from shapelint.report import html

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def resnet50():
    path = os.path.join(ROOT, "tests", "applications", "truth", "ResNet50.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return analyse(json.load(f)["default"]["config"], "ResNet50.json")


SHOTS = [  # file, result, viewport width, graph height shown (None: the whole page)
    ("html-unet.png", lambda: lint_path("examples/unet_100.keras"), 1400, None),
    ("html-resnet50.png", resnet50, 1000, 1250),
    ("html-sequential.png",
     lambda: lint_path("tests/realworld/qa/ds_radioml_padding_channels_last/bug.json"), 1100,
     None),
]


def main() -> int:
    chromium = os.environ.get("SHAPELINT_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not chromium:
        print("Chromium is not installed", file=sys.stderr)
        return 1
    os.chdir(ROOT)  # the paths the pages show are relative to the repository
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--no-sandbox", "--disable-gpu"])
        for name, result, width, graph_height in SHOTS:
            page_path = os.path.join(tmp, name + ".html")
            with open(page_path, "w", encoding="utf-8") as f:
                f.write(html.render([result()]))
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto("file://" + page_path)
            out = os.path.join(HERE, name)
            if graph_height is None:
                page.screenshot(path=out, full_page=True)
            else:
                top = page.locator("div.graph").bounding_box()["y"]
                page.screenshot(path=out, full_page=True,
                                clip={"x": 0, "y": top - 8, "width": width,
                                      "height": graph_height})
            page.close()
            print(f"{out}: {os.path.getsize(out):,} bytes")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
