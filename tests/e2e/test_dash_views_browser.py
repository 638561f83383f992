"""Readable charts, links that keep a view, and projects, in a real headless Chromium
over a real controller and Redis (fixtures and helpers: test_dash_browser)."""

from __future__ import annotations

import itertools
import json
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


def screenshot(dash_duo, css: str | None, name: str, tmp_path: Path) -> None:
    """A picture of the element at css (None: the top of the page): into docs/img/
    when asked, else tmp_path."""
    folder = DOCS_IMG if os.environ.get("SWEEPD_UPDATE_SCREENSHOT") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    time.sleep(0.5)  # let the last transition settle before the picture (cosmetic only)
    if css is None:
        dash_duo.driver.execute_script("window.scrollTo(0, 0);")
        assert dash_duo.driver.save_screenshot(str(folder / name))
        return
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


# ---------------------------------------------------------------- readable charts


def diverging_sweep(address: str, runs: int = 10, points: int = 25) -> tuple[str, str]:
    """A sweep whose runs' losses stay below about 2.5, but for one (the fourth), which
    climbs to 40 after a normal start. Returns (sweep id, the diverging run's id)."""
    with Client(address) as client:
        sid = client.create_sweep(CONFIG).id
    started: list[str] = []

    def train():
        run = sweepd.init()
        started.append(run.id)
        blows_up = len(started) == 4
        for step in range(points):
            loss = loss_curve(run.config, step)
            if blows_up and step >= points // 2:
                loss = 40.0 * (step - points // 2 + 1) / (points - points // 2)
            run.log({"loss": loss, "accuracy": 1 / (1 + loss)}, step=step)

    sweepd.agent(sid, train, count=runs, controller=address)
    return sid, started[3]


def annotations(dash_duo, graph_id: str) -> list[str]:
    return dash_duo.driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{graph_id} .annotation-text'))"
        ".map(a => a.textContent);")


def test_an_outlier_run_is_marked_and_the_log_toggle_and_full_range_work(dash_duo, controller,
                                                                        app_for, tmp_path):
    sid, blown = diverging_sweep(controller.address)
    dash_duo.start_server(app_for(controller.address))
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{sid}")
    wait_for(lambda: plot(dash_duo, ids.CURVES_GRAPH, "gd._fullData.length") == 10,
             what="the curves")
    # the y-range is the other runs' (below 2.5), not 0..40; the diverging run is
    # dotted, and marked where it leaves the chart
    top = plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.yaxis.range[1]")
    assert 2.0 < top < 3.0
    dash = plot(dash_duo, ids.CURVES_GRAPH,
                f"gd._fullData.filter(t => t.meta === '{blown}')[0].line.dash")
    assert dash == "dot"
    marks = annotations(dash_duo, ids.CURVES_GRAPH)
    assert "▲" in marks and any("1 outlier run beyond the y-range" in m for m in marks)
    hover = plot(dash_duo, ids.CURVES_GRAPH,
                 "gd._fullLayout.annotations.filter(a => a.text === '▲')[0].hovertext")
    assert blown in hover and "reaches 40" in hover
    screenshot(dash_duo, card_of(ids.CURVES_GRAPH), "outlier-range.png", tmp_path)

    # log scale: every metric axis, and the URL says so
    click_radio(dash_duo, ids.YSCALE, "log")
    for graph in (ids.CURVES_GRAPH, ids.BEST_GRAPH):
        wait_for(lambda: plot(dash_duo, graph, "gd._fullLayout.yaxis.type") == "log",
                 what=f"{graph} on a log axis")
    wait_for(lambda: query(dash_duo).get("y") == ["log"], what="y=log in the URL")
    assert wait_for(lambda: plot(dash_duo, ids.PARCOORDS_GRAPH, "gd._fullData[0].meta"),
                    what="the parallel coordinates' metric axis")["metric_log"] is True
    # on a log axis 40 is no outlier: every curve fits
    assert plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.yaxis.range[1]") >= math.log10(40)
    screenshot(dash_duo, card_of(ids.CURVES_GRAPH), "log-scale.png", tmp_path)

    click_radio(dash_duo, ids.YSCALE, "linear")
    click_radio(dash_duo, ids.YRANGE, "all")
    wait_for(lambda: plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.yaxis.range[1]") >= 40,
             what="every point in the range")
    assert plot(dash_duo, ids.CURVES_GRAPH,
                f"gd._fullData.filter(t => t.meta === '{blown}')[0].line.dash") == "solid"
    wait_for(lambda: query(dash_duo).get("range") == ["all"], what="range=all in the URL")


def test_importance_per_value_the_top_two_parameters_and_log_parameter_axes(
        dash_duo, controller, app_for, tmp_path):
    # A fixed, balanced design (prior runs), not random draws: with 14 random runs the
    # forest ranked the irrelevant `layers` above `lr` in about 1 sweep in 12. Here lr
    # and the optimizer set the loss, layers cycles through every value independently.
    configs = [{"lr": lr, "optimizer": opt, "layers": i % 4 + 1}
               for i, (lr, opt) in enumerate(itertools.product(
                   [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], ["adam", "sgd", "rmsprop"]))]
    source = tmp_path / "design.json"
    source.write_text(json.dumps([
        {"name": f"design-{i}", "config": c,
         "summary": {"loss": 0.1 + abs(math.log10(c["lr"]) + 2.5)
                     + {"adam": 0, "rmsprop": 0.5, "sgd": 1}[c["optimizer"]]}}
        for i, c in enumerate(configs)]))
    with Client(controller.address) as client:
        sid = client.create_sweep(CONFIG, prior_runs=str(source)).id
        assert len(client.list_runs(sid)) == len(configs)
    dash_duo.start_server(app_for(controller.address))
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{sid}")
    bars = wait_for(lambda: plot(dash_duo, ids.IMPORTANCE_GRAPH, "Array.from(gd._fullData[1].y)"),
                    what="the correlation bars")
    assert sorted(bars) == ["layers", "lr", "optimizer=adam", "optimizer=rmsprop", "optimizer=sgd"]
    # sgd is the worst optimizer of the loss curves: its bar says so (red: worse)
    colors = dict(zip(bars, plot(dash_duo, ids.IMPORTANCE_GRAPH,
                                 "Array.from(gd._fullData[1].marker.color)")))
    assert colors["optimizer=sgd"] == "#d62728"
    screenshot(dash_duo, card_of(ids.IMPORTANCE_GRAPH), "importance-per-value.png", tmp_path)

    kinds = wait_for(lambda: plot(dash_duo, ids.TOP_PARAMS_GRAPH,
                                  "gd._fullData.map(t => t.type)"), what="the top-two chart")
    assert kinds[0] in ("contour", "heatmap") and kinds.count("scatter") == 3
    axes = plot(dash_duo, ids.TOP_PARAMS_GRAPH,
                "[gd._fullLayout.xaxis, gd._fullLayout.yaxis].map(a => [a.title.text, a.type])")
    # the two that matter: lr on a log axis, the optimizer's values as categories
    assert dict(axes) == {"lr": "log", "optimizer": "category"}
    assert plot(dash_duo, ids.TOP_PARAMS_GRAPH, "gd._fullData[2].y.length") == len(configs)
    screenshot(dash_duo, card_of(ids.TOP_PARAMS_GRAPH), "top-params.png", tmp_path)

    dims = plot(dash_duo, ids.PARCOORDS_GRAPH, "gd._fullData[0].dimensions.map(d => d.label)")
    ticks = plot(dash_duo, ids.PARCOORDS_GRAPH,
                 f"Array.from(gd._fullData[0].dimensions[{dims.index('lr')}].ticktext)")
    assert {"0.001", "0.01"} <= set(ticks)  # log10 axis, ticks at real values
    screenshot(dash_duo, card_of(ids.PARCOORDS_GRAPH), "parcoords-log.png", tmp_path)


# ---------------------------------------------------------------- links that keep state


def radio_value(dash_duo, radio_id: str) -> str:
    return dash_duo.driver.execute_script(
        f"return document.querySelector('#{radio_id} input:checked').value;")


def test_a_link_to_a_view_opens_that_view(dash_duo, controller, app_for, tmp_path):
    sid, configs = fill_sweep(controller.address, runs=10, points=10)
    with Client(controller.address) as client:
        number = {r.id: r.number for r in client.list_runs(sid)}
    loss = {rid: loss_curve(c, 9) for rid, c in configs.items()}  # each run's last and best
    dash_duo.start_server(app_for(controller.address))
    page = f"{dash_duo.server_url}/sweep/{sid}"
    dash_duo.driver.get(page)
    wait_for(lambda: set(table_column(dash_duo, "run_id")) == set(configs), what="the runs table")
    assert urlparse(dash_duo.driver.current_url).query == ""  # the default view: a plain URL

    click_radio(dash_duo, ids.GOAL, "maximize")
    click_radio(dash_duo, ids.YRANGE, "all")
    click_radio(dash_duo, ids.BEST_X, "number")
    dims = wait_for(lambda: plot(dash_duo, ids.PARCOORDS_GRAPH,
                                 "gd._fullData[0].dimensions.map(d => d.label)"),
                    what="the parallel coordinates")
    assert dims[-1] == "loss"
    values = sorted(loss.values())
    lo, hi = values[1] - 1e-6, values[7] + 1e-6
    brush(dash_duo, len(dims) - 1, lo, hi)  # the metric's axis: no ticks, no snapping
    cell = dash_duo.find_element(f"#{ids.RUNS_TABLE} th.dash-filter[data-dash-column='number'] input")
    cell.send_keys("> 2\n")
    dash_duo.find_element(f"#{ids.RUNS_TABLE} th[data-dash-column='run_id'] .column-header--sort").click()
    brushed = {rid for rid, v in loss.items() if lo <= v <= hi}
    expected = {rid for rid in brushed if number[rid] > 2}
    wait_for(lambda: set(table_column(dash_duo, "run_id")) == expected, what="the filtered table")
    wanted = {"goal": ["maximize"], "range": ["all"], "x": ["number"], "sort": ["run_id:asc"]}
    found = wait_for(lambda: (q := query(dash_duo)) and all(q.get(k) == v for k, v in wanted.items())
                     and "brush" in q and "filter" in q and q, what="the view in the URL")
    assert found["brush"][0].endswith(":loss") and found["filter"][0].startswith("{number}")
    link = dash_duo.driver.current_url

    # the link, opened afresh, shows the same view
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(link)
    wait_for(lambda: set(table_column(dash_duo, "run_id")) == expected, what="the linked table")
    assert table_column(dash_duo, "run_id") == sorted(expected)  # sorted by run id
    assert {radio: radio_value(dash_duo, radio) for radio in (ids.GOAL, ids.YRANGE, ids.BEST_X)} \
        == {ids.GOAL: "maximize", ids.YRANGE: "all", ids.BEST_X: "number"}
    shown_filter = dash_duo.find_element(
        f"#{ids.RUNS_TABLE} th.dash-filter[data-dash-column='number'] input").get_attribute("value")
    assert shown_filter.replace(" ", "") in (">2", "s>2")  # as the table wrote it
    drawn = wait_for(lambda: plot(dash_duo, ids.PARCOORDS_GRAPH,
                                  "gd._fullData[0].dimensions.slice(-1)[0].constraintrange"),
                     what="the brush drawn")
    assert drawn == pytest.approx([lo, hi], abs=1e-5)
    assert plot(dash_duo, ids.BEST_GRAPH, "gd._fullLayout.xaxis.title.text") == "run number"
    dash_duo.wait_for_contains_text(f"#{ids.SELECTION_NOTE}", f"{len(brushed)} of 10 runs selected")
    screenshot(dash_duo, None, "link-view.png", tmp_path)

    # a hand-made link: log axes, and a table filter naming no column of the table,
    # which is dropped (the table itself would refuse to draw at all)
    dash_duo.driver.get(f"{page}?filter=%7Bnope%7D%20%3E%202&y=log")
    wait_for(lambda: set(table_column(dash_duo, "run_id")) == set(configs),
             what="the table, unfiltered")
    assert radio_value(dash_duo, ids.YSCALE) == "log"
    wait_for(lambda: plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.yaxis.type") == "log",
             what="log curves")

    # another metric: picked, it is in the URL; linked, it is picked
    dash_duo.driver.get(page)
    wait_for(lambda: plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.yaxis.title.text") == "loss",
             what="the curves of loss")
    dash_duo.select_dcc_dropdown(f"#{ids.KEY}", value="accuracy")
    wait_for(lambda: query(dash_duo) == {"key": ["accuracy"]}, what="key=accuracy in the URL")
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(f"{page}?key=accuracy")
    wait_for(lambda: plot(dash_duo, ids.CURVES_GRAPH, "gd._fullLayout.yaxis.title.text") == "accuracy",
             what="the curves of accuracy")
    assert "accuracy" in dash_duo.find_element(f"#{ids.KEY}").text
    assert urlparse(dash_duo.driver.current_url).query == "key=accuracy"


# ---------------------------------------------------------------- projects


def list_rows(dash_duo) -> list[str]:
    """The sweeps list as its rows' text: a project heading, or a sweep's name."""
    return dash_duo.driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{ids.SWEEPS_TABLE} tbody tr')).map(tr =>"
        " tr.classList.contains('project-row') ? tr.innerText.trim()"
        " : tr.querySelector('td.col-name').innerText.trim());")


def test_without_a_login_the_sweeps_list_filters_by_project_and_the_link_keeps_it(
        dash_duo, controller, app_for, tmp_path):
    with Client(controller.address) as client:
        for project, name in (("alpha", "alpha-lr"), ("beta", "beta-lr"), (None, "plain-lr"),
                              ("alpha", "alpha-width"), ("beta", "beta-width")):
            config = {**CONFIG, "name": name, **({"project": project} if project else {})}
            client.create_sweep(config)
    dash_duo.start_server(app_for(controller.address))
    wait_for(lambda: len(list_rows(dash_duo)) == 5, what="every sweep")
    assert "project" in dash_duo.find_element(f"#{ids.SWEEPS_TABLE} thead").text
    dash_duo.select_dcc_dropdown(f"#{ids.SWEEPS_PROJECT}", value="beta")
    wait_for(lambda: list_rows(dash_duo) == ["beta-width", "beta-lr"], what="beta's sweeps")
    search = dash_duo.find_element(f"#{ids.SWEEPS_FILTER}")
    search.send_keys("width\n")
    wait_for(lambda: list_rows(dash_duo) == ["beta-width"], what="beta's width sweep")
    wait_for(lambda: query(dash_duo) == {"q": ["width"], "project": ["beta"]},
             what="the filters in the URL")
    dash_duo.find_element(f"#{ids.SWEEPS_PROJECT}").click()
    options = wait_for(lambda: dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.dash-dropdown-option'))"
        ".map(o => o.innerText.trim());"), what="the project options")
    assert options == ["alpha", "beta", "default"]
    link = dash_duo.driver.current_url
    dash_duo.driver.get("about:blank")
    dash_duo.driver.get(link)
    wait_for(lambda: list_rows(dash_duo) == ["beta-width"], what="the linked list")
    assert "beta" in dash_duo.find_element(f"#{ids.SWEEPS_PROJECT}").text
    assert dash_duo.find_element(f"#{ids.SWEEPS_FILTER}").get_attribute("value") == "width"
    dash_duo.driver.get(dash_duo.server_url + "/?project=default")
    wait_for(lambda: list_rows(dash_duo) == ["plain-lr"], what="the default project's sweep")
    dash_duo.driver.get(dash_duo.server_url + "/?project=alpha")
    wait_for(lambda: list_rows(dash_duo) == ["alpha-width", "alpha-lr"], what="alpha's sweeps")
    screenshot(dash_duo, ".app", "sweeps-project-filter.png", tmp_path)


def test_with_a_login_the_sweeps_list_groups_the_keys_projects(dash_duo, redis_url, app_for,
                                                               tmp_path):
    import redis

    from sweepd.controller.auth import create_key

    from conftest import ControllerHandle

    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    admin = redis.Redis.from_url(redis_url)
    try:
        keys = {p: create_key(admin, p) for p in ("alpha", "beta")}
        for project, names in (("alpha", ["alpha-lr", "alpha-width"]), ("beta", ["beta-lr"])):
            with Client(handle.address, api_key=keys[project]) as client:
                for name in names:
                    client.create_sweep({**CONFIG, "project": project, "name": name})
        dash_duo.start_server(app_for(handle.address, auth=True, key_check_s=0), navigate=False)
        dash_duo.driver.get(dash_duo.server.url.rstrip("/") + "/?project=beta")
        dash_duo.wait_for_element("#api-key").send_keys(keys["alpha"])
        dash_duo.find_element("#login-button").click()
        # a link naming another project: the key's own projects, grouped, nothing of beta
        wait_for(lambda: list_rows(dash_duo) == ["project alpha", "alpha-width", "alpha-lr"],
                 what="alpha's sweeps under its heading")
        head = dash_duo.find_element(f"#{ids.SWEEPS_TABLE} thead").text
        assert "project" not in head.split()  # the heading says it: no project column
        assert not dash_duo.find_element(f"#{ids.SWEEPS_PROJECT}").is_displayed()
        screenshot(dash_duo, ".app", "sweeps-by-project.png", tmp_path)
    finally:
        handle.close()
        admin.close()
