"""The dashboard's downloads (runs.csv, runs.json, config.yaml) through Flask's test
client over a real controller and Redis: content, headers, unknown sweeps, the
login and the project check; and `sweepd runs ID --csv` printing the same CSV."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
import redis
import yaml

import sweepd
from sweepd import cli
from sweepd.client import Client
from sweepd.config import config_to_dict, parse_config
from sweepd.controller.auth import create_key
from sweepd.dash_ui import DashboardReader, create_app, ids

from conftest import ControllerHandle

CONFIG = {"method": "grid", "metric": {"name": "loss"},
          "parameters": {"x": {"values": [1, 2]},
                         "opt": {"parameters": {"name": {"values": ["=HYPERLINK(\"x\")"]}}}}}


def train():
    run = sweepd.init()
    run.log({"loss": run.config["x"] * 0.5, "label": "-ünï"}, step=0)


@pytest.fixture
def world(redis_url):
    """A controller with --auth, a key of alpha and one of beta, one sweep each; the
    alpha sweep has two finished runs."""
    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    admin = redis.Redis.from_url(redis_url, decode_responses=True)
    k = {"a": create_key(admin, "alpha"), "b": create_key(admin, "beta")}
    sweeps = {}
    for project, key in (("alpha", k["a"]), ("beta", k["b"])):
        with Client(handle.address, api_key=key) as client:
            sweeps[project] = client.create_sweep({**CONFIG, "project": project}).id
    sweepd.agent(sweeps["alpha"], train, count=2, controller=handle.address, api_key=k["a"])
    readers: list[DashboardReader] = []

    def app(**kwargs):
        readers.append(DashboardReader.from_url(redis_url))
        apps.append(create_app(readers[-1], handle.address, **kwargs))
        return apps[-1].server.test_client()

    apps: list = []
    yield SimpleNamespace(address=handle.address, keys=k, sweeps=sweeps, app=app, apps=apps)
    for reader in readers:
        reader.close()
    handle.close()
    admin.close()


def table(reply) -> list[dict[str, str]]:
    text = reply.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so a spreadsheet reads UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_runs_csv_is_the_runs_table_as_an_attachment(world):
    client, sid = world.app(), world.sweeps["alpha"]
    reply = client.get(f"/sweep/{sid}/runs.csv")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert reply.headers["Content-Disposition"] == f'attachment; filename="sweep-{sid}-runs.csv"'
    assert reply.headers["X-Content-Type-Options"] == "nosniff"  # the app's headers apply
    assert "Content-Security-Policy" in reply.headers
    rows = table(reply)
    assert [(r["Number"], r["State"], r["config.x"], r["summary.loss"]) for r in rows] == [
        ("1", "finished", "1", "0.5"), ("2", "finished", "2", "1.0")]
    assert {r["config.opt.name"] for r in rows} == {"'=HYPERLINK(\"x\")"}
    assert {r["summary.label"] for r in rows} == {"'-ünï"}
    assert all(r["Created"].endswith("Z") and float(r["Runtime"]) >= 0 for r in rows)


def test_runs_json_has_the_same_rows_with_types(world):
    client, sid = world.app(), world.sweeps["alpha"]
    reply = client.get(f"/sweep/{sid}/runs.json")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    assert reply.headers["Content-Disposition"] == f'attachment; filename="sweep-{sid}-runs.json"'
    rows = json.loads(reply.get_data(as_text=True))
    assert [(r["Number"], r["config.x"], r["summary.loss"], r["Ignored"]) for r in rows] == [
        (1, 1, 0.5, False), (2, 2, 1.0, False)]
    assert list(rows[0]) == list(table(client.get(f"/sweep/{sid}/runs.csv"))[0])


def test_config_yaml_is_the_sweeps_config(world):
    client, sid = world.app(), world.sweeps["alpha"]
    reply = client.get(f"/sweep/{sid}/config.yaml")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/yaml; charset=utf-8"
    assert reply.headers["Content-Disposition"] == f'attachment; filename="sweep-{sid}-config.yaml"'
    loaded = yaml.safe_load(reply.get_data(as_text=True))
    assert loaded == config_to_dict(parse_config({**CONFIG, "project": "alpha"}))


@pytest.mark.parametrize("kind", ["runs.csv", "runs.json", "config.yaml"])
def test_an_unknown_sweep_is_404(world, kind):
    reply = world.app().get(f"/sweep/0123456789ab/{kind}")
    assert reply.status_code == 404 and "Content-Disposition" not in reply.headers


@pytest.mark.parametrize("kind", ["runs.csv", "runs.json", "config.yaml"])
def test_with_a_login_downloads_need_one_and_stay_in_the_project(world, kind):
    client = world.app(auth=True, key_check_s=0)
    own, other = world.sweeps["alpha"], world.sweeps["beta"]
    reply = client.get(f"/sweep/{own}/{kind}")
    assert reply.status_code == 302 and "/login?next=" in reply.headers["Location"]
    assert client.post("/login", data={"api_key": world.keys["a"], "next": "/"}).status_code == 302
    assert client.get(f"/sweep/{own}/{kind}").status_code == 200
    hidden = client.get(f"/sweep/{other}/{kind}")
    unknown = client.get(f"/sweep/0123456789ab/{kind}")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.get_data(as_text=True).replace(other, "ID") == \
        unknown.get_data(as_text=True).replace("0123456789ab", "ID")


def test_the_sweep_page_links_each_download(world):
    """The page's buttons, as the route callback builds them, lead to the downloads."""
    sid = world.sweeps["alpha"]
    client = world.app()
    app = world.apps[-1]
    key = next(k for k in app.callback_map if k.startswith(f"{ids.PAGE}.children"))
    spec = app.callback_map[key]
    reply = client.post("/_dash-update-component", json={
        "output": key, "outputs": {"id": ids.PAGE, "property": "children"},
        "inputs": [{**spec["inputs"][0], "value": f"/sweep/{sid}"}],
        "state": [{**state, "value": None} for state in spec["state"]],
        "changedPropIds": [f"{ids.URL}.pathname"]})
    links = props_by_id(reply.get_json()["response"][ids.PAGE]["children"])
    for kind, link_id in ids.DOWNLOADS.items():
        assert links[link_id]["href"] == f"/sweep/{sid}/{kind}"
        assert client.get(links[link_id]["href"]).status_code == 200


def props_by_id(node) -> dict[str, dict]:
    """The props of every component with an id in a serialized component tree."""
    found: dict[str, dict] = {}
    if isinstance(node, list):
        for child in node:
            found.update(props_by_id(child))
    elif isinstance(node, dict) and isinstance(node.get("props"), dict):
        props = node["props"]
        if isinstance(props.get("id"), str):
            found[props["id"]] = props
        found.update(props_by_id(props.get("children")))
    return found


def test_the_cli_prints_the_same_csv(world, capsys):
    sid = world.sweeps["alpha"]
    served = world.app().get(f"/sweep/{sid}/runs.csv").get_data(as_text=True)
    assert cli.main(["runs", sid, "--csv", "--page-size", "1", "--controller", world.address,
                     "--api-key", world.keys["a"]]) == 0
    assert "\ufeff" + capsys.readouterr().out == served
    assert cli.main(["runs", sid, "--json", "--controller", world.address,
                     "--api-key", world.keys["a"]]) == 0  # --json is unchanged
    assert [r["config"]["x"] for r in json.loads(capsys.readouterr().out)] == [1, 2]
    with pytest.raises(SystemExit):
        cli.main(["runs", sid, "--csv", "--json"])
