"""A sweep of more runs than the dashboard draws one by one, in a real headless
Chromium: the curves chart draws the best runs and the running one over a band of
all the others, a live point still arrives, and the runs table pages on the server."""

from __future__ import annotations

import pytest

from sweepd.dash_ui import ids
from sweepd.dash_ui.updates import SweepUpdater

from helpers import LiveRun
from test_dash_browser import (  # noqa: F401 - fixtures
    app_for, chrome_options, dash_duo, fill_sweep, loss_curve, plot, pytestmark, table_column,
    wait_for,
)

DRAWN = 4  # the cap, lowered for the test (the dashboard's default is curves.CURVES_DRAWN)


def test_beyond_the_cap_the_best_curves_and_the_live_one_are_drawn_over_a_band(
        dash_duo, controller, app_for):
    sid, configs = fill_sweep(controller.address, runs=30, points=8)
    live = LiveRun(controller.address, sid)
    live.log(0, {"loss": 3.0})
    dash_duo.start_server(app_for(controller.address, updater=SweepUpdater(curves_drawn=DRAWN)))
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{sid}")

    best = sorted(configs, key=lambda rid: min(loss_curve(configs[rid], s) for s in range(8)))
    expected = set(best[:DRAWN]) | {live.run.id}
    traces = wait_for(lambda: (t := plot(dash_duo, ids.CURVES_GRAPH,
                                         "gd._fullData.map(t => [t.meta, t._length || 0])"))
                      and len(t) == 5 + len(expected) and t, what="the band and the best curves")
    assert [meta for meta, _ in traces[:5]] == ["band"] * 5
    assert {meta for meta, _ in traces[5:]} == expected
    # the band spans every ended run: its top at step 0 is the worst first loss
    high = plot(dash_duo, ids.CURVES_GRAPH, "Array.from(gd._fullData[1].y)")
    assert high[0] == pytest.approx(max(loss_curve(c, 0) for c in configs.values()), rel=1e-5)
    notes = plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.annotations.map(a => a.text)")
    assert f"{DRAWN + 1} of 31 runs drawn ({DRAWN} best, 1 running); " \
           "the band covers all 30 ended" in notes

    # a live point arrives on its own trace
    live.log(1, {"loss": 2.0})
    wait_for(lambda: dict(plot(dash_duo, ids.CURVES_GRAPH,
                               "gd._fullData.map(t => [t.meta, t._length || 0])")).get(live.run.id) == 2,
             what="the live point")

    # the table holds one page of 25 (the newest first); the next page the rest
    wait_for(lambda: len(table_column(dash_duo, "run_id")) == 25, what="the first page")
    numbers = [int(n) for n in table_column(dash_duo, "number")]
    assert numbers == list(range(31, 6, -1))
    dash_duo.find_element(f"#{ids.RUNS_TABLE} button.next-page").click()
    wait_for(lambda: [int(n) for n in table_column(dash_duo, "number")] == [6, 5, 4, 3, 2, 1],
             what="the second page")
    live.finish()
    assert not [e for e in dash_duo.get_logs() or [] if "favicon" not in e.get("message", "")]
