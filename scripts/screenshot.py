"""Pictures for docs/img/ from a running dashboard (for example `sweepd demo`'s), in
headless Chromium: the whole page, or one element of it.

    python scripts/screenshot.py http://127.0.0.1:8050/sweep/SWEEP_ID docs/img/x.png \
        [--element pareto-card] [--wait-for pareto-front] [--width 1400] [--height 1700]

It waits until the graph `--wait-for` (a dcc.Graph id) has drawn data, then a moment
for the last refresh to settle.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser(width: int, height: int) -> webdriver.Chrome:
    options = Options()
    for arg in ("--headless=new", f"--window-size={width},{height}", "--hide-scrollbars",
                "--enable-unsafe-swiftshader", "--use-gl=angle", "--use-angle=swiftshader"):
        options.add_argument(arg)
    if os.geteuid() == 0:  # Chromium refuses to sandbox itself as root (containers)
        options.add_argument("--no-sandbox")
    if shutil.which("chromium"):
        options.binary_location = shutil.which("chromium")
    driver = shutil.which("chromedriver")  # Debian's, matching its chromium
    return webdriver.Chrome(options=options, service=Service(driver) if driver else None)


def drawn(driver, graph_id: str) -> bool:
    return bool(driver.execute_script(
        f"const gd = document.querySelector('#{graph_id} .js-plotly-plot');"
        "return !!(gd && gd._fullData && gd._fullData.length);"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--element", help="the id of the one element to take")
    parser.add_argument("--wait-for", default="best-so-far", help="a graph id to wait for")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1700)
    args = parser.parse_args()
    driver = browser(args.width, args.height)
    try:
        driver.get(args.url)
        deadline = time.monotonic() + 30
        while not drawn(driver, args.wait_for):
            if time.monotonic() > deadline:
                raise SystemExit(f"{args.wait_for} drew nothing in 30 s")
            time.sleep(0.2)
        time.sleep(2.0)  # the charts around it finish drawing
        if args.element:
            driver.find_element(By.ID, args.element).screenshot(args.out)
        else:
            driver.save_screenshot(args.out)
    finally:
        driver.quit()
    print(args.out)


if __name__ == "__main__":
    main()
