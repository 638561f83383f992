"""sweepd's live dashboard: Dash + Plotly over the controller's Redis, read only.

    from sweepd.dash_ui import DashboardReader, create_app
    app = create_app(DashboardReader.from_url("redis://localhost:6379/0"), "127.0.0.1:50051")
    app.run(port=8050)

or `sweepd ui --redis-url URL [--controller HOST:PORT] [--auth]`. Modules: `data`
(what to read, through `controller.storage.readonly` -> DataFrames, incremental),
`analysis` (importance, brushing), `figures` (DataFrames -> figures), `curves` (which
runs the curves chart draws, the band of the others), `table_query` (the runs table's
filter, sort and pages, on the server), `plotly_text` (user text safe in plotly's markup), `updates`
(what a refresh sends), `layout`, `sweeps_list` (the sweeps list page), `app`
(factory, callbacks), `login` (the API-key login of `--auth`), `headers` (security
headers on every reply), `ids` (component ids); `pages` routes to a run's page
(`run_page`, over `run_data` and `run_figures`) and the comparison of sweeps
(`compare_page`, over `compare_figures`), whose small tables `tables` draws.
"""

from sweepd.dash_ui.app import create_app, serve
from sweepd.dash_ui.data import DashboardReader, SweepView

__all__ = ["create_app", "serve", "DashboardReader", "SweepView"]
