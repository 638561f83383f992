"""Security headers on every response of the dashboard (Flask's test client): the
Content-Security-Policy, no framing, no MIME sniffing; with and without a login."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import redis

from sweepd.controller.auth import create_key
from sweepd.dash_ui import DashboardReader, create_app, ids

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


@pytest.fixture
def build(redis_url):
    readers = []

    def make(**kwargs):
        reader = DashboardReader.from_url(redis_url)
        readers.append(reader)
        return create_app(reader, None, **kwargs)

    yield make
    for reader in readers:
        reader.close()


def directives(reply) -> dict[str, list[str]]:
    text = reply.headers["Content-Security-Policy"]
    return {name: values for name, *values in (d.split() for d in text.split(";") if d.strip())}


def assert_secured(reply, what: str) -> None:
    missing = [h for h in HEADERS if h not in reply.headers]
    assert not missing, f"{what} ({reply.status_code}) lacks {missing}"
    assert reply.headers["X-Frame-Options"] == "DENY"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    policy = directives(reply)
    assert policy["frame-ancestors"] == ["'none'"] and policy["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "*" not in str(policy)


def suite_paths(client) -> list[str]:
    """The script and stylesheet URLs the index page loads (the _dash-component-suites)."""
    page = client.get("/").get_data(as_text=True)
    return re.findall(r'(?:src|href)="(/_dash-component-suites/[^"]+)"', page)


def every_route(app, client) -> list[tuple[str, object]]:
    suites = suite_paths(client)
    assert suites, "the index page loads no component suite"
    banner = next(k for k in app.callback_map if f"{ids.BANNER}.children" in k)
    update = {"output": banner, "inputs": [{"id": ids.TICK, "property": "n_intervals", "value": 1}],
              "outputs": [{"id": ids.BANNER, "property": p} for p in ("children", "style")],
              "state": [], "changedPropIds": [f"{ids.TICK}.n_intervals"]}
    return [
        ("sweeps list", client.get("/")),
        ("sweep page", client.get("/sweep/abc123")),
        ("unknown page", client.get("/no/such/page")),
        ("layout", client.get("/_dash-layout")),
        ("dependencies", client.get("/_dash-dependencies")),
        ("callback", client.post("/_dash-update-component", json=update)),
        ("failing callback", client.post("/_dash-update-component", json={"output": "x.y"})),
        ("component suite", client.get(suites[0])),
        ("stylesheet", client.get("/assets/style.css")),
        ("script asset", client.get("/assets/session.js")),
        ("favicon", client.get("/_favicon.ico")),
        ("missing asset", client.get("/assets/none.css")),
    ]


def test_every_route_carries_the_security_headers(build):
    app = build()
    routes = every_route(app, app.server.test_client())
    failed = {what: reply.status_code for what, reply in routes if reply.status_code >= 400}
    assert failed == {"failing callback": 500, "missing asset": 404}
    for what, reply in routes:
        assert_secured(reply, what)


def test_every_route_behind_a_login_carries_the_security_headers(build, redis_url):
    admin = redis.Redis.from_url(redis_url)
    key = create_key(admin, "alpha")
    admin.close()
    app = build(auth=True, key_check_s=0)
    client = app.server.test_client()
    refused = [("login page", client.get("/login?next=/")),
               ("redirect to login", client.get("/sweep/abc123")),
               ("refused layout", client.get("/_dash-layout")),
               ("refused callback", client.post("/_dash-update-component", json={})),
               ("bad key", client.post("/login", data={"api_key": "nope"})),
               ("cross-site login", client.post("/login", data={"api_key": key},
                                                headers={"Origin": "https://evil.example"}))]
    assert [r.status_code for _, r in refused] == [200, 302, 401, 401, 401, 403]
    for what, reply in refused:
        assert_secured(reply, what)
    logged_in = client.post("/login", data={"api_key": key, "next": "/"})
    assert logged_in.status_code == 302
    assert_secured(logged_in, "login")
    for what, reply in every_route(app, client):
        assert_secured(reply, what)
    assert_secured(client.get("/logout"), "logout")


def test_the_policy_allows_exactly_the_inline_scripts_the_page_runs(build):
    """Every executable inline script of the index page is allowed by its hash, so
    no inline script can run unless it is one of Dash's own."""
    reply = build().server.test_client().get("/")
    page = reply.get_data(as_text=True)
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)
    inline = [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
              if "src=" not in attrs and "application/json" not in attrs]
    assert inline, "Dash's page has an inline start-up script"
    allowed = directives(reply)["script-src"]
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_replies_with_data_are_not_stored_by_caches_and_bundles_keep_theirs(build, redis_url):
    """Behind a login, a shared cache must not hand one project's page or data to
    another browser; Dash's fingerprinted bundles stay cacheable."""
    admin = redis.Redis.from_url(redis_url)
    key = create_key(admin, "alpha")
    admin.close()
    app = build(auth=True, key_check_s=0)
    client = app.server.test_client()
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert client.get("/_dash-layout").headers["Cache-Control"] == "no-store"  # the 401
    client.post("/login", data={"api_key": key, "next": "/"})
    routes = dict(every_route(app, client))
    for what in ("sweeps list", "sweep page", "layout", "dependencies", "callback"):
        assert routes[what].headers["Cache-Control"] == "no-store", what
    assert "max-age" in routes["component suite"].headers["Cache-Control"]
    assert routes["stylesheet"].headers["Cache-Control"] == "no-cache"  # revalidated by ETag
