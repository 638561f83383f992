"""The dashboard behind a login (`sweepd ui --auth`), driven with Flask's test client:
what is refused without a session, which keys open one, what a key of one project
sees and may do, and that no secret reaches a page."""

from __future__ import annotations

import base64
import json
import zlib
from types import SimpleNamespace
from typing import Any

import pytest
import redis

import sweepd
from sweepd.client import Client
from sweepd.controller.auth import create_key, revoke_key
from sweepd.controller.storage import keys
from sweepd.dash_ui import DashboardReader, create_app, ids
from sweepd.dash_ui.login import COOKIE_NAME, LOGIN_HEADER, LoginGate, local_path

from conftest import ControllerHandle

CONFIG = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"x": {"values": [1, 2]}}}


@pytest.fixture
def world(redis_url):
    """A controller with --auth; keys of alpha (read-write, read-only) and beta; one
    sweep per project."""
    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    admin = redis.Redis.from_url(redis_url, decode_responses=True)
    k = {"a": create_key(admin, "alpha"), "a_ro": create_key(admin, "alpha", read_only=True),
         "b": create_key(admin, "beta")}
    sweeps = {}
    for project, key in (("alpha", k["a"]), ("beta", k["b"])):
        with Client(handle.address, api_key=key) as client:
            sweeps[project] = client.create_sweep(
                {**CONFIG, "project": project, "name": f"{project}-sweep"}).id
    yield SimpleNamespace(address=handle.address, admin=admin, keys=k, sweeps=sweeps)
    handle.close()
    admin.close()


@pytest.fixture
def make_app(redis_url):
    readers = []

    def build(controller: str | None = None, reader: DashboardReader | None = None, **kwargs):
        reader = reader or DashboardReader.from_url(redis_url)
        readers.append(reader)
        return create_app(reader, controller, **kwargs)

    yield build
    for reader in readers:
        reader.close()


@pytest.fixture
def login_app(make_app, world):
    """A dashboard with --auth (key re-checked on every request) and its test client."""
    app = make_app(world.address, auth=True, key_check_s=0)
    return app, app.server.test_client()


def login(client, key: str, next_path: str = "/"):
    return client.post("/login", data={"api_key": key, "next": next_path})


def dash_call(app, client, output: str, values: dict[str, Any], changed: str | None = None):
    """Posts one callback the way the browser does. `output` is one output of the
    callback ("page.children"); `values` maps "id.prop" to the inputs' and states' values."""
    key = next(k for k in app.callback_map if output in k.strip(".").split("..."))
    spec = app.callback_map[key]
    outs = [dict(zip(("id", "property"), o.split(".", 1))) for o in key.strip(".").split("...")]

    def fill(items):
        return [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]

    first = spec["inputs"][0]
    return client.post("/_dash-update-component", json={
        "output": key, "outputs": outs if key.startswith("..") else outs[0],
        "inputs": fill(spec["inputs"]), "state": fill(spec["state"]),
        "changedPropIds": [changed or f"{first['id']}.{first['property']}"]})


def page_of(app, client, path: str) -> dict:
    reply = dash_call(app, client, f"{ids.PAGE}.children", {f"{ids.URL}.pathname": path})
    assert reply.status_code == 200, reply.data
    return reply.get_json()["response"][ids.PAGE]["children"]


def sweeps_list(app, client, tick: int = 1):
    return dash_call(app, client, f"{ids.SWEEPS_TABLE}.children",
                     {f"{ids.TICK}.n_intervals": tick, f"{ids.URL}.pathname": "/"})


def rows_of(node: Any) -> list[dict]:
    """The props of every sweeps-list row of a serialized component tree."""
    found = []
    if isinstance(node, dict):
        props = node.get("props", node)
        if "data-sweep" in props:
            found.append(props)
        for value in props.values():
            found += rows_of(value)
    elif isinstance(node, list):
        for item in node:
            found += rows_of(item)
    return found


def sweep_ids_listed(app, client) -> set[str]:
    reply = sweeps_list(app, client)
    assert reply.status_code == 200, reply.data
    return {row["data-sweep"] for row in rows_of(reply.get_json()["response"][ids.SWEEPS_TABLE])}


def refresh(app, client, sweep_id: str):
    return dash_call(app, client, f"{ids.SWEEP_HEADER}.children", {
        f"{ids.TICK}.n_intervals": 0, f"{ids.GOAL}.value": "minimize",
        f"{ids.BEST_X}.value": "time", f"{ids.URL}.pathname": f"/sweep/{sweep_id}"})


def click(app, client, button: str, sweep_id: str):
    return dash_call(app, client, f"{ids.CONTROL_MESSAGE}.children",
                     {f"{button}.n_clicks": 1, f"{ids.URL}.pathname": f"/sweep/{sweep_id}"},
                     changed=f"{button}.n_clicks")


def buttons(node: Any) -> dict[str, dict]:
    """The control buttons of a serialized component tree, by id."""
    found = {}
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") in ids.CONTROL_BUTTONS:
            found[props["id"]] = props
        for value in props.values():
            found.update(buttons(value))
    elif isinstance(node, list):
        for item in node:
            found.update(buttons(item))
    return found


# ---------------------------------------------------------------- refused without a session


def test_pages_redirect_to_the_login_page_without_a_session(login_app):
    _, client = login_app
    for path in ("/", "/sweep/abc123"):
        reply = client.get(path)
        assert reply.status_code == 302
        assert reply.headers["Location"] == f"/login?next={path}"


def test_dash_endpoints_answer_401_without_a_session(login_app, world):
    app, client = login_app
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-dependencies").status_code == 401
    reply = sweeps_list(app, client)
    assert reply.status_code == 401
    assert reply.headers[LOGIN_HEADER] == "/login"  # assets/session.js goes there
    assert world.sweeps["alpha"] not in reply.get_data(as_text=True)


def test_the_login_page_and_its_stylesheet_need_no_session(login_app):
    _, client = login_app
    page = client.get("/login?next=/sweep/abc")
    assert page.status_code == 200
    assert 'name="api_key"' in page.get_data(as_text=True)
    assert client.get("/assets/style.css").status_code == 200


# ---------------------------------------------------------------- logging in and out


def test_a_valid_key_opens_a_session_in_an_httponly_strict_cookie_without_the_secret(login_app, world):
    _, client = login_app
    reply = login(client, world.keys["a_ro"], "/sweep/abc")
    assert reply.status_code == 302 and reply.headers["Location"] == "/sweep/abc"
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith(COOKIE_NAME))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    payload = cookie.split("=", 1)[1].split(";")[0].split(".")
    compressed = payload[0] == ""
    data = base64.urlsafe_b64decode(payload[1 if compressed else 0] + "==")
    session = json.loads(zlib.decompress(data) if compressed else data)
    key_id, secret = world.keys["a_ro"].split("_", 2)[1:]
    assert session["kid"] == key_id and secret not in json.dumps(session)
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    shown = json.dumps(layout.get_json())
    assert "project alpha (read-only key)" in shown and '"href": "/logout"' in shown
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("key", ["sk_deadbeef0000_wrong", "not-a-key", ""])
def test_a_wrong_key_is_refused(login_app, world, key):
    _, client = login_app
    reply = login(client, key)
    assert reply.status_code == 401
    assert "unknown, revoked or malformed API key" in reply.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_a_wrong_secret_of_a_real_key_id_is_refused(login_app, world):
    _, client = login_app
    key_id = world.keys["a"].split("_")[1]
    assert login(client, f"sk_{key_id}_guessed").status_code == 401
    assert client.get("/_dash-layout").status_code == 401


def test_a_revoked_key_loses_access_at_its_next_request(login_app, world):
    app, client = login_app
    login(client, world.keys["a"])
    assert sweep_ids_listed(app, client) == {world.sweeps["alpha"]}
    revoke_key(world.admin, world.keys["a"])
    reply = sweeps_list(app, client, tick=2)
    assert reply.status_code == 401
    assert client.get("/").status_code == 302
    assert login(client, world.keys["a"]).status_code == 401


def test_a_key_is_checked_again_in_redis_at_most_every_interval(redis_client):
    key = create_key(redis_client, "alpha")
    now = [100.0]
    gate = LoginGate(redis_client, check_every_s=2.0, clock=lambda: now[0])
    sid, principal = gate.open(key)
    revoke_key(redis_client, principal.key_id)
    now[0] += 1.0
    assert gate.lookup(sid, principal.key_id) is not None  # the last check is fresh
    now[0] += 1.5
    assert gate.lookup(sid, principal.key_id) is None
    assert len(gate) == 0


def test_logging_out_ends_the_session_even_for_a_copied_cookie(login_app, world):
    _, client = login_app
    login(client, world.keys["a"])
    copied = client.get_cookie(COOKIE_NAME).value
    reply = client.get("/logout")
    assert reply.status_code == 302 and reply.headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    client.set_cookie(COOKIE_NAME, copied)
    assert client.get("/_dash-layout").status_code == 401


def test_a_cross_site_login_post_is_refused(login_app, world):
    _, client = login_app
    reply = client.post("/login", data={"api_key": world.keys["a"]},
                        headers={"Origin": "https://evil.example"})
    assert reply.status_code == 403
    assert client.get("/_dash-layout").status_code == 401


def test_login_redirects_only_within_the_dashboard(login_app, world):
    _, client = login_app
    reply = login(client, world.keys["a"], "//evil.example/x")
    assert reply.headers["Location"] == "/"


# ---------------------------------------------------------------- one project per key


def test_the_sweeps_list_shows_only_the_keys_project(login_app, world):
    app, client = login_app
    login(client, world.keys["b"])
    assert sweep_ids_listed(app, client) == {world.sweeps["beta"]}


def test_a_project_without_sweeps_sees_an_empty_list(login_app, world):
    app, client = login_app
    login(client, create_key(world.admin, "gamma"))
    response = sweeps_list(app, client).get_json()["response"]
    assert rows_of(response[ids.SWEEPS_TABLE]) == []
    assert "No sweeps yet" in response[ids.SWEEPS_EMPTY]["children"]


def test_another_projects_sweep_looks_exactly_like_an_unknown_id(login_app, world):
    app, client = login_app
    login(client, world.keys["a"])
    hidden, unknown = world.sweeps["beta"], "0123456789ab"

    def shown(sweep_id: str) -> str:
        page = json.dumps(page_of(app, client, f"/sweep/{sweep_id}"))
        reply = refresh(app, client, sweep_id)
        assert reply.status_code == 200
        return (page + reply.get_data(as_text=True)).replace(sweep_id, "ID")

    assert shown(hidden) == shown(unknown)
    assert "not found" in shown(hidden)
    assert "beta-sweep" not in shown(hidden)
    own = refresh(app, client, world.sweeps["alpha"]).get_data(as_text=True)
    assert "alpha-sweep" in own


# ---------------------------------------------------------------- the controls


def test_a_read_only_key_sees_disabled_controls_and_cannot_use_them(login_app, world):
    app, client = login_app
    sid = world.sweeps["alpha"]
    login(client, world.keys["a_ro"])
    shown = buttons(page_of(app, client, f"/sweep/{sid}"))
    assert set(shown) == set(ids.CONTROL_BUTTONS)
    assert all(b["disabled"] and "read-only" in b["title"] for b in shown.values())
    reply = click(app, client, ids.PAUSE, sid)
    assert "read-only API key cannot" in reply.get_data(as_text=True)
    with Client(world.address, api_key=world.keys["a"]) as admin_client:
        assert admin_client.get_sweep(sid).state.value == "running"


def test_controls_call_the_controller_with_the_logged_in_users_key(login_app, world):
    app, client = login_app
    login(client, world.keys["a"])
    shown = buttons(page_of(app, client, f"/sweep/{world.sweeps['alpha']}"))
    assert not any(b["disabled"] for b in shown.values())
    assert "the sweep is now paused" in click(app, client, ids.PAUSE,
                                              world.sweeps["alpha"]).get_data(as_text=True)
    refused = click(app, client, ids.PAUSE, world.sweeps["beta"]).get_data(as_text=True)
    assert "not found" in refused
    with Client(world.address, api_key=world.keys["b"]) as beta:
        assert beta.get_sweep(world.sweeps["beta"]).state.value == "running"
    with Client(world.address, api_key=world.keys["a"]) as alpha:
        assert alpha.get_sweep(world.sweeps["alpha"]).state.value == "paused"


def test_the_dashboard_keeps_a_key_to_its_project_even_before_an_open_controller(
        make_app, world, controller):
    app = make_app(controller.address, auth=True, key_check_s=0)  # a controller without --auth
    client = app.server.test_client()
    login(client, world.keys["a"])
    refused = click(app, client, ids.STOP, world.sweeps["beta"]).get_data(as_text=True)
    assert "not found" in refused
    with Client(controller.address) as open_client:
        assert open_client.get_sweep(world.sweeps["beta"]).state.value == "running"


def test_without_a_login_the_controls_use_the_dashboards_api_key(make_app, world, monkeypatch):
    monkeypatch.delenv("SWEEPD_API_KEY", raising=False)
    sid = world.sweeps["alpha"]
    keyless = make_app(world.address)
    reply = click(keyless, keyless.server.test_client(), ids.PAUSE, sid)
    assert "pause failed" in reply.get_data(as_text=True)
    keyed = make_app(world.address, api_key=world.keys["a"])
    reply = click(keyed, keyed.server.test_client(), ids.PAUSE, sid)
    assert "the sweep is now paused" in reply.get_data(as_text=True)


# ---------------------------------------------------------------- no secret on a page


def test_no_lease_token_api_key_or_redis_password_reaches_the_page(make_app, world, redis_url,
                                                                   monkeypatch):
    sid, key = world.sweeps["alpha"], world.keys["a"]

    def train():
        run = sweepd.init()
        run.log({"loss": run.config["x"] * 0.5}, step=0)

    sweepd.agent(sid, train, count=2, controller=world.address, api_key=key)
    run_ids = world.admin.zrange(keys.sweep_runs(sid), 0, -1)
    tokens = [world.admin.hget(keys.run(sid, rid), "token") for rid in run_ids]
    assert len(tokens) == 2 and all(tokens)
    reader = DashboardReader(redis.Redis.from_url(redis_url, decode_responses=True),
                             url="redis://sweepd:hunter2@redis.example:6379/0?password=hunter2")
    monkeypatch.setattr(reader, "ping", lambda: False)  # so the banner names Redis
    app = make_app(world.address, reader=reader, auth=True)
    client = app.server.test_client()
    login(client, key)

    shown = [client.get("/").get_data(as_text=True),
             client.get("/_dash-layout").get_data(as_text=True),
             json.dumps(page_of(app, client, f"/sweep/{sid}")),
             refresh(app, client, sid).get_data(as_text=True),
             sweeps_list(app, client).get_data(as_text=True),
             dash_call(app, client, f"{ids.BANNER}.children",
                       {f"{ids.TICK}.n_intervals": 1}).get_data(as_text=True)]
    everything = "\n".join(shown)
    assert run_ids[0] in everything and "redis.example:6379" in everything  # the page is real
    secrets_ = [*tokens, key, key.split("_", 2)[2], "hunter2"]
    assert not [s for s in secrets_ if s in everything]
    assert '"token"' not in everything


# ---------------------------------------------------------------- where a login goes next

HOSTILE_NEXT = [
    "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\\/evil.example", "\\/evil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
    "/x\r\nSet-Cookie: a=b", "/x\x00", "/x\x7f", "/x\x85", "/x\u2028y",
    "http://evil.example/", "https:evil.example", "javascript:alert(1)", " /x", "/x y",
    "/%09/evil.example", "/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example",
    "/%0d%0aSet-Cookie:%20a=b", "/%252F%252Fevil.example", "/%25252F/evil.example",
    "%2F%2Fevil.example", "/%", "/%zz",
    "/\uff0f\uff0fevil.example", "/x\u200b", "/../evil.example", "/sweep/../../x", "/./x",
    "evil.example", "sweep/abc", "", None, "/" + "a" * 3000,
]


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_next_accepts_no_path_that_could_leave_the_dashboard(value):
    assert local_path(value, "/") == "/"
    assert local_path(value, "/dash/") == "/dash/"


@pytest.mark.parametrize("value", ["/", "/sweep/abc123", "/sweep/abc123?x=1&y=%20",
                                   "/sweep/a-b_c.d~e", "/sweep/abc#runs"])
def test_next_keeps_a_path_of_the_dashboard(value):
    assert local_path(value, "/") == value


def test_next_behind_a_prefix_stays_under_it():
    assert local_path("/dash/sweep/abc", "/dash/") == "/dash/sweep/abc"
    assert local_path("/other/x", "/dash/") == "/dash/"
    assert local_path("/dash", "/dash/") == "/dash/"


@pytest.mark.parametrize("raw", ["/%09/evil.example", "//evil.example", "/%5C/evil.example",
                                 "/%0A/evil.example", "/x%0D%0ASet-Cookie:%20a=b",
                                 "https://evil.example", "/%252F%252Fevil.example"])
def test_the_login_flow_never_redirects_off_the_dashboard(login_app, world, raw):
    """As a browser sends it: the value percent-encoded in the login page's query
    string, then posted back from the form's hidden field."""
    _, client = login_app
    page = client.get(f"/login?next={raw}")
    assert page.status_code == 200
    assert 'name="next" value="/"' in page.get_data(as_text=True)
    reply = client.post(f"/login?next={raw}", data={"api_key": world.keys["a"]})
    assert reply.status_code == 302 and reply.headers["Location"] == "/"
    from urllib.parse import unquote
    reply = login(client, world.keys["a"], unquote(raw))  # the form field decoded
    assert reply.status_code == 302 and reply.headers["Location"] == "/"


def test_the_login_flow_returns_to_the_page_that_asked(login_app, world):
    _, client = login_app
    first = client.get("/sweep/abc123?x=1")
    assert first.status_code == 302
    login_url = first.headers["Location"]
    assert login_url == "/login?next=/sweep/abc123"
    reply = client.post(login_url, data={"api_key": world.keys["a"]})
    assert reply.status_code == 302 and reply.headers["Location"] == "/sweep/abc123"


def test_the_login_flow_under_a_path_prefix_stays_under_it(make_app, world):
    app = make_app(world.address, auth=True, key_check_s=0, url_base_pathname="/dash/")
    client = app.server.test_client()
    first = client.get("/dash/sweep/abc123")
    assert first.headers["Location"] == "/dash/login?next=/dash/sweep/abc123"
    reply = client.post(first.headers["Location"], data={"api_key": world.keys["a"]})
    assert reply.headers["Location"] == "/dash/sweep/abc123"
    reply = client.post("/dash/login?next=/%09/evil.example", data={"api_key": world.keys["a"]})
    assert reply.headers["Location"] == "/dash/"
