"""A multi-objective sweep's page in a real headless Chromium, over a real controller
and Redis: the front drawn on screen is the front of the runs stored in Redis, it
follows new runs without a reload, and a click on a front point opens that run."""

from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains

import sweepd
from sweepd.client import Client
from sweepd.dash_ui import ids

from test_dash_browser import (  # noqa: F401 - fixtures
    app_for, chrome_options, dash_duo, plot, pytestmark, table_column, wait_for,
)

# k -> (accuracy, latency); k = 6 never logs latency (as in the integration tests of
# issue 13): front k1, k2, k4; k3 and k5 dominated; k6 not ranked
VALUES = {1: (0.5, 10.0), 2: (0.7, 20.0), 3: (0.6, 30.0), 4: (0.9, 40.0), 5: (0.8, 60.0),
          6: (0.95, None)}
MO_GRID = {
    "method": "grid",
    "metrics": [{"name": "acc", "goal": "maximize"},
                {"name": "latency", "goal": "minimize", "threshold": 50}],
    "parameters": {"k": {"values": sorted(VALUES)}},
}


def train_known_values():
    run = sweepd.init()
    acc, latency = VALUES[run.config["k"]]
    run.log({"acc": acc} if latency is None else {"acc": acc, "latency": latency})


def drawn(dash_duo, name: str):
    """The run ids of the Pareto chart's trace `name`, as plotly.js holds them."""
    found = plot(dash_duo, ids.PARETO_GRAPH,
                 f"(gd._fullData.find(t => t.name === '{name}') || {{}}).customdata")
    return None if found is None else sorted(found)


def stored_front(address: str, sweep_id: str) -> tuple[list[str], list[str]]:
    runs = Client(address).list_runs(sweep_id)
    return (sorted(r.id for r in runs if r.pareto_optimal),
            sorted(r.id for r in runs if r.pareto_rank not in (None, 0)))


def test_the_front_on_screen_is_the_front_in_redis_and_follows_new_runs(dash_duo, controller,
                                                                         app_for):
    sid = sweepd.sweep(MO_GRID, controller=controller.address)
    sweepd.agent(sid, function=train_known_values, count=3, controller=controller.address)
    dash_duo.start_server(app_for(controller.address))
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{sid}")

    front, dominated = stored_front(controller.address, sid)
    wait_for(lambda: drawn(dash_duo, "Pareto front") == front, what="the first runs' front")
    assert (drawn(dash_duo, "dominated") or []) == dominated
    assert dash_duo.find_element(f"#{ids.PARETO_CARD}").is_displayed()
    assert dash_duo.find_element(f"#{ids.BEST_TITLE}").text == "Hypervolume"

    # the other runs arrive while the page is open
    sweepd.agent(sid, function=train_known_values, controller=controller.address)
    front, dominated = stored_front(controller.address, sid)
    assert len(front) == 3 and len(dominated) == 2  # the hand-worked grid of issue 13
    wait_for(lambda: drawn(dash_duo, "Pareto front") == front, what="the live front")
    assert drawn(dash_duo, "dominated") == dominated
    ranks = wait_for(lambda: (r := table_column(dash_duo, "pareto_rank")) and len(r) == 6 and r,
                     what="the runs table")
    assert ranks == ["0", "0", "0", "1", "1", ""]  # by Pareto rank, the unranked run last

    # a click on a front point opens that run's page
    target = plot(dash_duo, ids.PARETO_GRAPH,
                  "gd._fullData.find(t => t.name === 'Pareto front').customdata[0]")
    trace = plot(dash_duo, ids.PARETO_GRAPH,
                 "gd._fullData.findIndex(t => t.name === 'Pareto front')")
    points = f"#{ids.PARETO_GRAPH} .scatterlayer .trace:nth-of-type({trace + 1}) path.point"
    point = dash_duo.driver.find_elements("css selector", points)[0]
    ActionChains(dash_duo.driver).move_to_element(point).pause(0.3).click().perform()
    wait_for(lambda: target in dash_duo.find_element(f"#{ids.RUN_HEADER}").text,
             what="the run page")


def test_a_single_objective_page_shows_no_pareto_card(dash_duo, controller, app_for):
    from test_dash_browser import fill_sweep

    sid, _ = fill_sweep(controller.address, runs=2, points=3)
    dash_duo.start_server(app_for(controller.address))
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{sid}")
    wait_for(lambda: len(table_column(dash_duo, "run_id")) == 2, what="the runs table")
    assert not dash_duo.find_element(f"#{ids.PARETO_CARD}").is_displayed()
    assert dash_duo.find_element(f"#{ids.BEST_TITLE}").text == "Best so far"
