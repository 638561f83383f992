"""Every component id of the dashboard, named once here.

Layout, callbacks and browser tests all import these, so a renamed id cannot leave
a callback (or a test) pointing at a component that no longer exists.
"""

# app shell
URL = "url"
TICK = "tick"
BANNER = "redis-banner"
PAGE = "page"
ACCOUNT = "account"  # behind a login: who is logged in, and the logout link
LOGOUT = "logout"
QUERY = "query"  # store: the query string the page's view asks for (url_state)
QUERY_SHOWN = "query-shown"  # store: written once the address bar shows it

# sweeps list
SWEEPS_TABLE = "sweeps-table"
SWEEPS_FILTER = "sweeps-filter"
SWEEPS_SHOWN = "sweeps-shown"  # store: what the list shows
SWEEP_CELL = "sweep-cell"  # pattern id of a live cell of the list
SWEEPS_EMPTY = "sweeps-empty"
SWEEPS_PROJECT = "sweeps-project"  # the project filter (without a login)

# sweep page
SWEEP_HEADER = "sweep-header"
KEY = "metric-key"
GOAL = "metric-goal"
BEST_X = "best-x"
YSCALE = "metric-scale"  # linear / log, every metric axis
YRANGE = "metric-range"  # robust (outlier runs left out) / all
SWEEP_DEFAULTS = "sweep-defaults"  # store: the sweep's own metric and goal
LOADING = "curves-loading"
BEST_GRAPH = "best-so-far"
BEST_TITLE = "best-so-far-title"  # "Hypervolume" for a multi-objective sweep
PARETO_CARD = "pareto-card"  # shown for multi-objective sweeps only
PARETO_GRAPH = "pareto-front"
CURVES_GRAPH = "metric-curves"
IMPORTANCE_GRAPH = "param-importance"
PARCOORDS_GRAPH = "parallel-coordinates"
TOP_PARAMS_GRAPH = "top-params"  # the metric over the two most important parameters
RUNS_TABLE = "runs-table"
SELECTION_NOTE = "selection-note"
CLEAR_SELECTION = "clear-selection"
SELECTION = "selection-store"
VERSIONS_TABLE = "versions-table"  # the sweep's config versions
VIEW = "view-store"
DOWNLOAD_CSV = "download-runs-csv"  # links to the runs table as CSV / JSON, the config as YAML
DOWNLOAD_JSON = "download-runs-json"
DOWNLOAD_CONFIG = "download-config-yaml"
DOWNLOADS = {"runs.csv": DOWNLOAD_CSV, "runs.json": DOWNLOAD_JSON, "config.yaml": DOWNLOAD_CONFIG}

# run page (run_page.py)
RUN_HEADER = "run-header"
RUN_FACTS = "run-facts"
RUN_METRICS = "run-metrics"  # the metric charts, one per logged key
RUN_GRAPH = "run-metric-graph"  # pattern id of one metric chart: {"type", "index"}
RUN_CONFIG = "run-config"
RUN_SUMMARY = "run-summary"
RUN_ATTEMPTS = "run-attempts"
RUN_OUTPUT = "run-output"
RUN_VIEW = "run-view-store"  # what the page shows: version, keys, points
RUN_RANGES = "run-ranges-store"  # each chart's zoomed x range

# compare page (compare_page.py)
COMPARE_HEADER = "compare-header"
COMPARE_BEST = "compare-best"
COMPARE_BEST_X = "compare-best-x"
COMPARE_PARAMS = "compare-params"
COMPARE_TABLE = "compare-table"
COMPARE_TICK = "compare-tick"
SWEEP_PICK = "sweep-pick"  # pattern id of a sweeps list row's checkbox: {"type", "sweep"}
COMPARE_LINK = "compare-link"

# sweep controls
PAUSE = "control-pause"
RESUME = "control-resume"
STOP = "control-stop"
CANCEL = "control-cancel"
CONTROL_MESSAGE = "control-message"
RUN_ACTION_MESSAGE = "run-action-message"  # what an ignore / requeue cell of the runs table did

CONTROL_BUTTONS = {PAUSE: "pause", RESUME: "resume", STOP: "stop", CANCEL: "cancel"}


def run_graph(index: int) -> dict[str, object]:
    """The id of the run page's chart of its index-th logged key."""
    return {"type": RUN_GRAPH, "index": index}


def sweep_pick(sweep_id: str) -> dict[str, str]:
    """The id of the sweeps list's checkbox that picks a sweep to compare."""
    return {"type": SWEEP_PICK, "sweep": sweep_id}


def sweep_cell(sweep_id: str, column: str) -> dict[str, str]:
    """The id of one live cell of the sweeps list (matched by SWEEP_CELL callbacks)."""
    return {"type": SWEEP_CELL, "sweep": sweep_id, "column": column}
