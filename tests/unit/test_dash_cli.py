"""`sweepd ui`: parsed by the CLI, served by sweepd.dash_ui (imported only when run);
tests/integration/test_dash_cli_serve.py starts it."""

from __future__ import annotations

from sweepd.cli import build_parser


def test_ui_command_options():
    args = build_parser().parse_args(
        ["ui", "--redis-url", "unix:///tmp/r.sock", "--port", "8123", "--host", "0.0.0.0",
         "--controller", "127.0.0.1:50051"])
    assert (args.redis_url, args.port, args.host, args.controller) == (
        "unix:///tmp/r.sock", 8123, "0.0.0.0", "127.0.0.1:50051")
    assert callable(args.handler)
    defaults = build_parser().parse_args(["ui"])
    assert (defaults.port, defaults.host, defaults.controller) == (8050, "127.0.0.1", None)
    assert (defaults.auth, defaults.api_key, defaults.tls_ca) == (False, None, None)


def test_ui_command_login_and_controller_credentials():
    args = build_parser().parse_args(["ui", "--auth", "--api-key", "sk_abc_def",
                                      "--tls-ca", "ca.pem"])
    assert (args.auth, args.api_key, args.tls_ca) == (True, "sk_abc_def", "ca.pem")


def test_ui_command_takes_the_key_and_ca_from_the_environment(monkeypatch):
    import sweepd.dash_ui

    seen = {}
    monkeypatch.setattr(sweepd.dash_ui, "serve", lambda url, **kw: seen.update(kw, url=url))
    monkeypatch.setenv("SWEEPD_API_KEY", "sk_env_key")
    monkeypatch.setenv("SWEEPD_TLS_CA", "/etc/ca.pem")
    args = build_parser().parse_args(["ui", "--redis-url", "redis://h/0"])
    assert args.handler(args) == 0
    assert (seen["api_key"], seen["tls_ca"], seen["auth"]) == ("sk_env_key", "/etc/ca.pem", False)
    args = build_parser().parse_args(["ui", "--auth", "--redis-url", "redis://h/0"])
    args.handler(args)
    assert (seen["api_key"], seen["auth"]) == (None, True)  # with a login: each user's key
