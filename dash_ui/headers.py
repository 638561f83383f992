"""Security headers on every response of the dashboard's server.

`install(app)` adds an `after_request` hook to the Flask server that sets, on every
reply (pages, the login form, `_dash-*` endpoints, assets, errors):

- `Content-Security-Policy`: only this origin's scripts, plus the inline scripts Dash
  writes into its page, by hash; nothing may frame the page; no plugins; forms post
  only here. `POLICY` lists what Dash and plotly need and why.
- `X-Frame-Options: DENY` (frame-ancestors for browsers without CSP level 2),
  `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`.
- `Cache-Control: no-store` on every reply that does not set its own (pages,
  callbacks, the login form: what a login shows one project must not be kept by a
  shared cache); Dash's fingerprinted bundles and the assets keep theirs.
"""

from __future__ import annotations

import dash

# Each directive, and why it allows what it does (checked in headless Chromium by
# tests/e2e/test_dash_browser.py: every chart drawn, WebGL ones included, the PNG
# download works, no violation reported). Anything not named here falls back to
# default-src 'none': no fonts, frames, workers, plugins or media from anywhere.
POLICY: dict[str, list[str]] = {
    "default-src": ["'none'"],
    # Dash's bundles from this server; its inline start-up script is allowed by hash
    # (added by `policy`), never 'unsafe-inline'. plotly.js draws WebGL traces
    # (parallel coordinates, line charts of many points) with regl, which compiles
    # its drawing code with Function(): without 'unsafe-eval' those charts show
    # "WebGL is not supported" and nothing is reported to the console.
    "script-src": ["'self'", "'unsafe-eval'"],
    # dash-renderer and dash's components add <style> elements at run time (the CSS
    # of their bundles, built in the browser); hashes would tie the policy to one
    # Dash release's CSS. Styles cannot run code, and no user text becomes markup.
    "style-src": ["'self'", "'unsafe-inline'"],
    # The charts' "download plot as png" draws the figure through data: and blob:
    # images.
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],  # Dash's callbacks (fetch to this server)
    "base-uri": ["'none'"],
    "form-action": ["'self'"],  # the login form
    "frame-ancestors": ["'none'"],  # no other site may frame the dashboard
}


def policy(app: dash.Dash) -> str:
    """The Content-Security-Policy header value for `app` (after its callbacks are
    registered: clientside callbacks add inline scripts)."""
    directives = {name: list(values) for name, values in POLICY.items()}
    directives["script-src"] += app.csp_hashes()
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install(app: dash.Dash) -> None:
    """Sets the headers above on every response of `app.server`."""
    headers = {
        "Content-Security-Policy": policy(app),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }

    @app.server.after_request
    def secure(response):
        for name, value in headers.items():
            response.headers[name] = value
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


__all__ = ["POLICY", "install", "policy"]
