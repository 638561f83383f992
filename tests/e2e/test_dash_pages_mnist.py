"""The run page and the compare page of real MNIST sweeps (the demo's sweep config, its
trainer run as a program, so that its output is captured), in headless Chromium.

These are the pictures in docs/dashboard.md: they are written to docs/img/ only when
SWEEPD_UPDATE_SCREENSHOT=1, so that running the tests leaves the checkout unchanged.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import sweepd
from sweepd.client import Client
from sweepd.dash_ui import ids
from sweepd.demo import demo_config

from test_dash_browser import app_for, dash_duo, plot, pytestmark, wait_for  # noqa: F401
from test_dash_pages_browser import chart, facts

pytestmark = [*pytestmark, pytest.mark.torch, pytest.mark.slow]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
TRAINER = {"program": "sweepd.trainer",
           "command": ["${env}", "${interpreter}", "-m", "sweepd.trainer", "--device=cpu", "${args}"]}


def mnist_sweep(address: str, name: str, method: str, runs: int) -> str:
    config = demo_config(runs=runs, epochs=3, max_train_samples=4000)
    config["parameters"].update({"val_size": {"value": 2000}, "log_every": {"value": 4}})
    return sweepd.sweep({**config, **TRAINER, "name": name, "method": method},
                        controller=address)


def picture(dash_duo, name: str, tmp_path) -> None:
    path = DOCS_IMG / name if os.environ.get("SWEEPD_UPDATE_SCREENSHOT") else tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    driver = dash_duo.driver
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, min(3000, height + 140))  # the whole page in the picture
    time.sleep(1.0)  # let the charts redraw at the new size (cosmetic only)
    assert driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1700)


def test_run_and_compare_pages_of_real_mnist_sweeps(dash_duo, controller, app_for, tmp_path,
                                                    monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # two trainers at once on a small machine
    first = mnist_sweep(controller.address, "mnist-demo", "random", runs=6)
    second = mnist_sweep(controller.address, "mnist-demo-bayes", "bayes", runs=6)
    for sid in (first, second):
        sweepd.agent(sid, controller=controller.address, parallel=2)
    with Client(controller.address) as client:
        sweep = client.get_sweep(first)
        runs = client.list_runs(first)
    assert all(r.state.value == "finished" for r in runs), [r.error for r in runs]
    best = next(r for r in runs if r.id == sweep.best_run_id)
    dash_duo.start_server(app_for(controller.address))

    # the run page of the first sweep's best run, reached from its sweep page
    dash_duo.wait_for_page(f"{dash_duo.server_url}/sweep/{first}")
    wait_for(lambda: plot(dash_duo, ids.CURVES_GRAPH, "gd._fullData.length") == 6, what="curves")
    dash_duo.driver.get(f"{dash_duo.server_url}/sweep/{first}/run/{best.id}")
    shown = wait_for(lambda: facts(dash_duo).get("state") and facts(dash_duo), what="the facts")
    assert shown["why it ended"] == "finished (exit code 0)" and shown["host"] == best.host
    keys = set(best.summary) - {"epoch"}  # every numeric key the trainer logged gets a chart
    n = len([k for k, v in best.summary.items() if isinstance(v, (int, float))])
    wait_for(lambda: chart(dash_duo, n, "gd._fullData[0]._length"), what="every chart")
    titles = {chart(dash_duo, i, "gd.layout.title.text.split(' <span')[0]") for i in range(1, n + 1)}
    assert keys <= titles and chart(dash_duo, 1, "gd.layout.title.text").startswith("val_accuracy")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_OUTPUT}", "test accuracy")  # the trainer's log
    picture(dash_duo, "run-page.png", tmp_path)

    # the comparison, picked on the sweeps list
    dash_duo.driver.get(dash_duo.server_url)
    for sid in (first, second):
        dash_duo.wait_for_element(f"tr[data-sweep='{sid}'] td.col-pick input").click()
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_LINK}", "compare 2 sweeps")
    dash_duo.find_element(f"#{ids.COMPARE_LINK}").click()
    names = wait_for(lambda: plot(dash_duo, ids.COMPARE_BEST,
                                  "gd._fullData.filter(t => t.mode === 'lines').map(t => t.name)"),
                     what="the best-so-far lines")
    assert sorted(names) == ["mnist-demo", "mnist-demo-bayes"]
    boxes = plot(dash_duo, ids.COMPARE_PARAMS, "gd._fullData.filter(t => t.type === 'box').length")
    bars = plot(dash_duo, ids.COMPARE_PARAMS, "gd._fullData.filter(t => t.type === 'bar').length")
    assert (boxes, bars) == (2, 8)  # learning_rate; fc_layer_size, batch_size, optimizer, dropout
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_TABLE}", best.id)
    picture(dash_duo, "compare-page.png", tmp_path)
