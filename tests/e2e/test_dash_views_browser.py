"""Readable charts, links that keep a view, and projects, in a real headless Chromium
over a real controller and Redis (fixtures and helpers: test_dash_browser)."""

from __future__ import annotations

import math
import os
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

import sweepd
from sweepd.client import Client
from sweepd.dash_ui import ids, layout
from sweepd.dash_ui.figures import UNSELECTED_COLOR
from sweepd.dash_ui.updates import SweepUpdater

from helpers import LiveRun
from test_dash_browser import (  # noqa: F401 - fixtures
    CONFIG, app_for, dash_duo, fill_sweep, loss_curve, plot, table_column, wait_for,
)

pytestmark = [pytest.mark.browser]

# Pictures for docs/dashboard.md, written only when asked (SWEEPD_UPDATE_SCREENSHOT=1),
# so that running the tests leaves the checkout unchanged.
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def screenshot(dash_duo, css: str, name: str, tmp_path: Path) -> None:
    """A picture of the element at css: into docs/img/ when asked, else tmp_path."""
    folder = DOCS_IMG if os.environ.get("SWEEPD_UPDATE_SCREENSHOT") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    time.sleep(0.5)  # let the last transition settle before the picture (cosmetic only)
    element = dash_duo.find_element(css)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    assert element.screenshot(str(folder / name))


def card_of(graph_id: str) -> str:
    return f"section.card:has(#{graph_id})"


def query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def click_radio(dash_duo, radio_id: str, value: str) -> None:
    dash_duo.find_element(f"#{radio_id} input[value='{value}']").click()


def brush(dash_duo, dim: int, lo: float, hi: float) -> None:
    dash_duo.driver.execute_script(
        f"const gd = document.querySelector('#{ids.PARCOORDS_GRAPH} .js-plotly-plot');"
        f"Plotly.restyle(gd, {{'dimensions[{dim}].constraintrange': [[{lo}, {hi}]]}}, [0]);")


# ---------------------------------------------------------------- the brushing race


def kept_in_colour(dash_duo) -> set[str]:
    """The runs whose curves are not greyed out by the selection."""
    colors = plot(dash_duo, ids.CURVES_GRAPH,
                  "gd._fullData.filter(t => t.meta).map(t => [t.meta, t.line.color])")
    return {rid for rid, color in colors or [] if color != UNSELECTED_COLOR}


class SlowBrushes(SweepUpdater):
    """A server slow to answer a brush (as a loaded one is, filtering a big table):
    the next tick fires while the brush's refresh is under way, and Dash drops that
    refresh for the tick's, which carries the brush as its state."""

    def update(self, view, inp, **kwargs):
        if inp.trigger == "selection":
            time.sleep(0.6)
        return super().update(view, inp, **kwargs)


def test_brushing_during_live_updates_is_applied_every_time(dash_duo, controller, app_for,
                                                            monkeypatch):
    """Ticks four times a second while a run logs without pause, and a brush's refresh
    outlasts a tick: each brush must still filter the table by itself (no second
    brush), whichever request carries it."""
    monkeypatch.setattr(layout, "TICK_MS", 250)
    sid, configs = fill_sweep(controller.address, runs=10, points=5)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 3.0})
    stop = threading.Event()

    def keep_logging():
        step = 1
        while not stop.is_set():
            live.log(step, {"loss": 3.0 / (1 + step)})
            step += 1
            time.sleep(0.03)

    logger = threading.Thread(target=keep_logging, daemon=True)
    dash_duo.start_server(app_for(controller.address, updater=SlowBrushes()))
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{sid}")
    everyone = set(configs) | {live.run.id}
    wait_for(lambda: set(table_column(dash_duo, "run_id")) == everyone, what="the runs table")
    dims = wait_for(lambda: plot(dash_duo, ids.PARCOORDS_GRAPH,
                                 "gd._fullData[0].dimensions.map(d => d.label)"),
                    what="the parallel coordinates")
    lr_dim = dims.index("lr")
    logger.start()
    try:
        lrs = sorted(math.log10(c["lr"]) for c in configs.values())
        lr_of = {rid: math.log10(c["lr"]) for rid, c in configs.items()}
        lr_of[live.run.id] = math.log10(live.run.config["lr"])
        for i in range(8):
            lo, hi = lrs[i % 4] - 1e-6, lrs[4 + i % 5] + 1e-6
            expected = {rid for rid, v in lr_of.items() if lo <= v <= hi}
            time.sleep(0.05 * (i % 5))  # land at another point of the tick each time
            brush(dash_duo, lr_dim, lo, hi)
            wait_for(lambda: set(table_column(dash_duo, "run_id")) == expected, timeout=8,
                     what=f"brush {i} applied")
            note = f"{len(expected)} of {len(everyone)} runs selected"
            wait_for(lambda: note in dash_duo.find_element(f"#{ids.SELECTION_NOTE}").text,
                     what=f"brush {i} noted")
            wait_for(lambda: kept_in_colour(dash_duo) == expected, timeout=8,
                     what=f"brush {i} greying the other curves")
    finally:
        stop.set()
        logger.join(5)
        live.finish()
