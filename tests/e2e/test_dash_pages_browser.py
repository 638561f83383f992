"""The run page and the compare page in a real headless Chromium, over a real controller
and Redis: reached from the runs table, a chart click and the sweeps list's checkboxes;
a zoomed chart is redrawn at full resolution; a failed run shows its traceback."""

from __future__ import annotations

import textwrap

import sweepd
from sweepd.client import Client
from sweepd.dash_ui import ids

from test_dash_browser import (  # noqa: F401  (fixtures: dash_duo, app_for)
    CONFIG, app_for, dash_duo, fill_sweep, plot, pytestmark, wait_for,
)

GRAPH0 = '#run-metrics .run-chart:nth-child({n}) .js-plotly-plot'


def chart(dash_duo, n: int, expr: str):
    """`expr` with `gd` bound to the n-th (1-based) chart of the run page."""
    return dash_duo.driver.execute_script(
        f"const gd = document.querySelector('{GRAPH0.format(n=n)}');"
        f"if (!gd || !gd._fullData || !gd._fullData.length) return null; return {expr};")


def drag_along_x(dash_duo, element, start: float, end: float) -> None:
    """A mouse drag across `element` from `start` to `end` (fractions of its width),
    in small moves, as a hand would: plotly zooms the x axis."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    left, top, width, height = dash_duo.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
        element)
    y = int(top + height / 2)
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(left + width * start), y).pointer_down()
    for i in range(1, 11):
        actions.pointer_action.move_to_location(int(left + width * (start + (end - start) * i / 10)),
                                                y + 1)
    actions.pointer_action.pointer_up()
    actions.perform()


def facts(dash_duo) -> dict:
    pairs = dash_duo.driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{ids.RUN_FACTS} dt'))"
        ".map(dt => [dt.innerText, dt.nextElementSibling.innerText]);")
    return dict(pairs or [])


def test_the_runs_table_links_to_a_runs_page_whose_zoomed_chart_is_drawn_at_full_resolution(
        dash_duo, controller, app_for):
    sid = sweepd.sweep({**CONFIG, "name": "long runs"}, controller=controller.address)

    def train():
        run = sweepd.init()
        for step in range(30_000):
            run.log({"loss": 1.0 / (step + 1) + (5.0 if step == 12_345 else 0.0)}, step=step)

    sweepd.agent(sid, train, count=1, controller=controller.address)
    with Client(controller.address) as client:
        run = client.list_runs(sid)[0]
    dash_duo.start_server(app_for(controller.address))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/sweep/{sid}")
    link = dash_duo.wait_for_element(f"#{ids.RUNS_TABLE} td[data-dash-column='open'] a")
    assert link.text == "run page"
    link.click()
    wait_for(lambda: dash_duo.driver.current_url.endswith(f"/sweep/{sid}/run/{run.id}"),
             what="the run page's URL")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_HEADER}", f"Run #{run.number} {run.id}")
    shown = wait_for(lambda: facts(dash_duo).get("state") and facts(dash_duo), what="the facts")
    assert shown["state"] == "finished" and shown["metric points"] == "30,000"
    assert shown["agent"] == run.agent_id and shown["host"] == run.host != ""
    drawn = wait_for(lambda: chart(dash_duo, 1, "gd._fullData[0]._length"), what="the loss chart")
    assert drawn <= 2_000
    assert chart(dash_duo, 1, "Math.max(...gd._fullData[0].y)") > 5.0  # the spike survives
    # drag to zoom (a real mouse drag across a fifth of the chart, x only): the range
    # comes back at full resolution, and the zoom stays
    from selenium.webdriver import ActionChains

    drag = dash_duo.find_element(f"{GRAPH0.format(n=1)} .nsewdrag")
    drag_along_x(dash_duo, drag, 0.4, 0.6)
    lo, hi = wait_for(lambda: chart(dash_duo, 1, "gd.layout.xaxis.autorange === false && "
                                                 "gd.layout.xaxis.range"), what="the zoom")
    assert 0 < lo < hi < 29_999
    wait_for(lambda: chart(dash_duo, 1, "gd.layout.meta.full"), what="the zoomed range in full")
    inside = chart(dash_duo, 1, f"Array.from(gd._fullData[0].x).filter(x => x >= {lo} && x <= {hi}).length")
    assert inside == int(hi) - int(lo)  # every point of the range
    assert chart(dash_duo, 1, "gd.layout.xaxis.range") == [lo, hi]
    ActionChains(dash_duo.driver).double_click(drag).perform()  # back to the whole curve
    wait_for(lambda: chart(dash_duo, 1, "gd.layout.meta.full") is False, what="thinned again")
    assert chart(dash_duo, 1, "gd._fullData[0]._length") <= 2_000
    dash_duo.find_element(f"#{ids.RUN_HEADER} a").click()  # back to the sweep
    dash_duo.wait_for_contains_text(f"#{ids.SWEEP_HEADER}", "long runs")
    assert not [e for e in dash_duo.get_logs() or [] if "favicon" not in e.get("message", "")]


FAILING = textwrap.dedent("""
    import sys, sweepd
    run = sweepd.init()
    for step in range(5):
        run.log({"loss": 1.0 / (step + 1), "acc": step / 10}, step=step)
    print("epoch 1 done", flush=True)
    print("about to fail", file=sys.stderr, flush=True)
    raise RuntimeError("the loader broke")
""")


def test_a_click_in_a_chart_opens_a_runs_page_with_its_output(dash_duo, controller, app_for,
                                                             tmp_path):
    (tmp_path / "train.py").write_text(FAILING)
    sid = sweepd.sweep({**CONFIG, "name": "failing", "program": str(tmp_path / "train.py")},
                       controller=controller.address)
    sweepd.agent(sid, count=1, controller=controller.address)
    with Client(controller.address) as client:
        run = client.list_runs(sid)[0]
    assert run.state.value == "failed"
    dash_duo.start_server(app_for(controller.address))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/sweep/{sid}")
    wait_for(lambda: plot(dash_duo, ids.BEST_GRAPH, "gd._fullData.length"), what="best so far")
    # a real click on the run's dot in the best-so-far chart
    dot = wait_for(lambda: dash_duo.driver.find_elements(
        "css selector", f"#{ids.BEST_GRAPH} .scatterlayer .trace .points path"), what="the dot")
    from selenium.webdriver import ActionChains

    ActionChains(dash_duo.driver).move_to_element(dot[0]).pause(0.3).click().perform()
    wait_for(lambda: dash_duo.driver.current_url.endswith(f"/sweep/{sid}/run/{run.id}"),
             what="the run page, after the click")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_OUTPUT}", "RuntimeError: the loader broke")
    text = dash_duo.find_element(f"#{ids.RUN_OUTPUT}").text
    assert "epoch 1 done" in text and "about to fail" in text
    shown = facts(dash_duo)
    assert shown["why it ended"].startswith("failed: exit code 1") and shown["exit code"] == "1"
    wait_for(lambda: chart(dash_duo, 2, "gd._fullData[0]._length") == 5, what="the second chart")
    titles = [chart(dash_duo, n, "gd.layout.title.text.split(' <span')[0]") for n in (1, 2)]
    assert titles == ["loss", "acc"]  # the sweep's metric first
    dash_duo.wait_for_contains_text(f"#{ids.RUN_ATTEMPTS}", f"{run.id} (this run)")


def test_sweeps_picked_on_the_list_are_compared(dash_duo, controller, app_for):
    first, _ = fill_sweep(controller.address, runs=4, points=5)
    with Client(controller.address) as client:
        second = client.create_sweep({**CONFIG, "name": "second-sweep"}).id
    sweepd.agent(second, lambda: sweepd.init().log({"loss": 0.01}), count=3,
                 controller=controller.address)
    dash_duo.start_server(app_for(controller.address))
    dash_duo.wait_for_contains_text(f"#{ids.SWEEPS_TABLE}", "second-sweep")
    assert "pick two or more" in dash_duo.find_element(f"#{ids.COMPARE_LINK}").text
    for sid in (first, second):
        dash_duo.find_element(f"tr[data-sweep='{sid}'] td.col-pick input").click()
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_LINK}", "compare 2 sweeps")
    dash_duo.find_element(f"#{ids.COMPARE_LINK}").click()
    wait_for(lambda: "/compare?sweeps=" in dash_duo.driver.current_url, what="the compare URL")
    assert set(dash_duo.driver.current_url.split("sweeps=")[1].split(",")) == {first, second}
    names = wait_for(lambda: plot(dash_duo, ids.COMPARE_BEST,
                                  "gd._fullData.filter(t => t.mode === 'lines').map(t => t.name)"),
                     what="the best-so-far lines")
    assert sorted(names) == ["mnist-lr-sweep", "second-sweep"]
    dots = plot(dash_duo, ids.COMPARE_BEST,
                "gd._fullData.filter(t => t.mode === 'markers').map(t => t._length)")
    assert sorted(dots) == [3, 4]
    params = plot(dash_duo, ids.COMPARE_PARAMS, "gd._fullData.map(t => t.type)")
    assert params.count("box") == 4 and params.count("bar") == 2  # lr, layers; optimizer
    table = dash_duo.find_element(f"#{ids.COMPARE_TABLE}").text
    assert "mnist-lr-sweep" in table and "second-sweep" in table
    best = dash_duo.find_element(f"#{ids.COMPARE_TABLE} td.col-run a")
    best_href = best.get_attribute("href")
    best.click()
    wait_for(lambda: dash_duo.driver.current_url == best_href, what="the best run's page")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_HEADER}", "Run #")
    assert not [e for e in dash_duo.get_logs() or [] if "favicon" not in e.get("message", "")]


def test_a_live_runs_page_draws_its_new_points(dash_duo, controller, app_for):
    from helpers import LiveRun

    sid = sweepd.sweep({**CONFIG, "name": "live"}, controller=controller.address)
    live = LiveRun(controller.address, sid)
    for step in range(3):
        live.log(step, {"loss": 1.0 / (step + 1)})
    dash_duo.start_server(app_for(controller.address))
    dash_duo.wait_for_page(f"{dash_duo.server_url}/sweep/{sid}/run/{live.run.id}")
    wait_for(lambda: chart(dash_duo, 1, "gd._fullData[0]._length") == 3, what="3 points")
    assert facts(dash_duo)["why it ended"] == "running: it has not ended"
    live.log(3, {"loss": 0.1, "acc": 0.5})
    wait_for(lambda: chart(dash_duo, 1, "gd._fullData[0]._length") == 4, what="the new point")
    wait_for(lambda: chart(dash_duo, 2, "gd._fullData[0]._length") == 1, what="the new key's chart")
    live.finish()
    wait_for(lambda: facts(dash_duo).get("state") == "finished", what="the run's end")


def test_with_a_login_another_projects_runs_and_sweeps_are_not_found(dash_duo, redis_url, app_for):
    import redis

    from sweepd.controller.auth import create_key

    from conftest import ControllerHandle

    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    admin = redis.Redis.from_url(redis_url)
    try:
        alpha, beta = (create_key(admin, p) for p in ("alpha", "beta"))
        found = {}
        for project, key in (("alpha", alpha), ("beta", beta)):
            with Client(handle.address, api_key=key) as client:
                sid = client.create_sweep({**CONFIG, "project": project, "name": f"{project}-sweep"}).id
            sweepd.agent(sid, lambda: sweepd.init().log({"loss": 0.5}), count=1,
                         controller=handle.address, api_key=key)
            with Client(handle.address, api_key=key) as client:
                found[project] = (sid, client.list_runs(sid)[0].id)
        dash_duo.start_server(app_for(handle.address, auth=True), navigate=False)
        base = dash_duo.server.url.rstrip("/")
        dash_duo.driver.get(f"{base}/sweep/{found['alpha'][0]}/run/{found['alpha'][1]}")
        field = dash_duo.wait_for_element("#api-key")
        field.send_keys(alpha)
        dash_duo.find_element("#login-button").click()
        dash_duo.wait_for_contains_text(f"#{ids.RUN_HEADER}", f"Run #1 {found['alpha'][1]}")
        dash_duo.driver.get(f"{base}/sweep/{found['beta'][0]}/run/{found['beta'][1]}")
        dash_duo.wait_for_contains_text(f"#{ids.RUN_HEADER}", "not found")
        assert "beta-sweep" not in dash_duo.find_element("#page").text
        dash_duo.driver.get(f"{base}/compare?sweeps={found['alpha'][0]},{found['beta'][0]}")
        dash_duo.wait_for_contains_text(f"#{ids.COMPARE_HEADER}", f"Not found: {found['beta'][0]}")
        lines = wait_for(lambda: plot(dash_duo, ids.COMPARE_BEST,
                                      "gd._fullData.filter(t => t.mode === 'lines').map(t => t.name)"),
                         what="the compared sweeps")
        assert lines == ["alpha-sweep"]
        assert "beta-sweep" not in dash_duo.find_element("#page").text
    finally:
        handle.close()
        admin.close()
