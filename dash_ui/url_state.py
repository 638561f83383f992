"""Links that keep state: what a page shows, in its URL's query string.

A sweep page's view (`SweepState`) and the sweeps list's (`ListState`) are read from
the query string when a page opens and written back as they change, so a copied
link opens the same view. Only what differs from the defaults is written (the
sweep's own metric and goal are defaults too), so a plain view has a plain URL.

Sweep page parameters (all optional):

| parameter | value | default |
|---|---|---|
| `key` | the metric charted | the sweep's metric |
| `goal` | `minimize` or `maximize` | the sweep's goal |
| `x` | best-so-far x axis: `time` or `number` | `time` |
| `y` | metric axes: `linear` or `log` | `linear` |
| `range` | metric y-range: `robust` (outlier runs left out) or `all` | `robust` |
| `brush` | `LO~HI[,LO~HI…]:LABEL`, one per brushed parallel-coordinates axis | none |
| `filter` | the runs table's filter (its `filter_query`) | none |
| `sort` | `COLUMN:asc` or `COLUMN:desc`, one per sorted column of the runs table; `none` | `number:desc` |

Sweeps list parameters: `q` (the filter text), `project` (the project shown).

Brush ranges are in the axis's coordinates (log10 for a log-distributed parameter,
the index of a category) except on the metric axis, where they are values. Anything
malformed is ignored, never an error: a hand-edited link opens what it can.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from .analysis import normalize_ranges
from .scales import RANGES, SCALES

log = logging.getLogger(__name__)

GOALS = ("minimize", "maximize")
BEST_X = ("time", "number")
DEFAULT_SORT = [{"column_id": "number", "direction": "desc"}]
MAX_QUERY = 16_384  # characters; a longer query string is ignored
MAX_BRUSHES = 64
MAX_TEXT = 2_000  # characters of a key, label, filter or project


@dataclass
class SweepState:
    """A sweep page's view; None for key and goal: the sweep's own."""

    key: str | None = None
    goal: str | None = None
    x: str = "time"
    yscale: str = "linear"
    yrange: str = "robust"
    ranges: dict[str, list[list[float]]] = field(default_factory=dict)
    filter: str = ""
    sort: list[dict[str, str]] = field(default_factory=lambda: list(DEFAULT_SORT))


@dataclass
class ListState:
    """The sweeps list's view."""

    text: str = ""
    project: str | None = None  # None: every project


def _pairs(search: str | None) -> list[tuple[str, str]]:
    search = (search or "").lstrip("?")
    if not search or len(search) > MAX_QUERY:
        return []
    return [(k, v) for k, v in parse_qsl(search, keep_blank_values=False)
            if len(v) <= MAX_TEXT]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_brush(value: str) -> tuple[str, list[list[float]]] | None:
    """`LO~HI[,LO~HI…]:LABEL` as (label, ranges); None when malformed."""
    spans, sep, label = value.partition(":")
    if not sep or not label:
        return None
    ranges = []
    for span in spans.split(","):
        lo_text, tilde, hi_text = span.partition("~")
        lo, hi = _number(lo_text), _number(hi_text)
        if not tilde or lo is None or hi is None:
            return None
        ranges.append(sorted([lo, hi]))
    return label, ranges


def _brush_text(label: str, ranges: list[list[float]]) -> str:
    return ",".join(f"{lo:.7g}~{hi:.7g}" for lo, hi in ranges) + ":" + label


def parse_sweep(search: str | None) -> SweepState:
    """The view a sweep page's query string asks for (defaults for what it leaves out)."""
    state = SweepState()
    sort: list[dict[str, str]] = []
    for name, value in _pairs(search):
        if name == "key":
            state.key = value
        elif name == "goal" and value in GOALS:
            state.goal = value
        elif name == "x" and value in BEST_X:
            state.x = value
        elif name == "y" and value in SCALES:
            state.yscale = value
        elif name == "range" and value in RANGES:
            state.yrange = value
        elif name == "brush" and len(state.ranges) < MAX_BRUSHES:
            found = parse_brush(value)
            if found is not None:
                state.ranges[found[0]] = found[1]
        elif name == "filter":
            state.filter = value
        elif name == "sort" and value == "none":
            state.sort = []
        elif name == "sort":
            column, _, direction = value.rpartition(":")
            if column and direction in ("asc", "desc"):
                sort.append({"column_id": column, "direction": direction})
    if sort:
        state.sort = sort
    return state


def sweep_query(state: SweepState, *, default_key: str | None = None,
                default_goal: str | None = None) -> str:
    """The query string ("" or "?…") of a sweep page's view."""
    pairs: list[tuple[str, str]] = []
    if state.key and state.key != default_key:
        pairs.append(("key", state.key))
    if state.goal in GOALS and state.goal != (default_goal or "minimize"):
        pairs.append(("goal", state.goal))
    for name, value, default in (("x", state.x, "time"), ("y", state.yscale, "linear"),
                                 ("range", state.yrange, "robust")):
        if value and value != default:
            pairs.append((name, value))
    for label, ranges in sorted(state.ranges.items()):
        if ranges:
            pairs.append(("brush", _brush_text(label, ranges)))
    if state.filter:
        pairs.append(("filter", state.filter))
    sort = [s for s in state.sort or [] if isinstance(s, dict) and s.get("column_id")]
    if not sort:
        pairs.append(("sort", "none"))
    elif sort != DEFAULT_SORT:
        pairs += [("sort", f"{s['column_id']}:{s.get('direction') or 'asc'}") for s in sort]
    return _query(pairs)


def parse_list(search: str | None) -> ListState:
    state = ListState()
    for name, value in _pairs(search):
        if name == "q":
            state.text = value
        elif name == "project":
            state.project = value
    return state


def list_query(state: ListState) -> str:
    pairs = [("q", state.text.strip())] if state.text and state.text.strip() else []
    if state.project is not None:
        pairs.append(("project", state.project))
    return _query(pairs)


def _query(pairs: list[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs, quote_via=quote, safe=":~,") if pairs else ""


def for_columns(state: SweepState, columns: list[dict[str, Any]] | None) -> SweepState:
    """The state with a table filter and sort that name only these columns (the runs
    table refuses to draw at all under a filter that names another): a filter or a
    sort column it does not know is dropped."""
    known = {c.get("id") for c in columns or ()}
    named = set(re.findall(r"\{([^{}]*)\}", state.filter))
    keep = bool(state.filter) and bool(named) and named <= known
    sort = [s for s in state.sort if s.get("column_id") in known or s in DEFAULT_SORT]
    if state.filter and not keep:
        log.info("dashboard: a link's runs-table filter names unknown columns; dropped")
    return replace(state, filter=state.filter if keep else "", sort=sort)


def state_of_inputs(key: Any, goal: Any, x: Any, yscale: Any, yrange: Any, selection: Any,
                    filter_query: Any, sort_by: Any) -> SweepState:
    """A SweepState from the sweep page's components' values (as Dash gives them)."""
    ranges = (selection or {}).get("ranges") if isinstance(selection, dict) else None
    return SweepState(
        key=key if isinstance(key, str) else None,
        goal=goal if goal in GOALS else None,
        x=x if x in BEST_X else "time",
        yscale=yscale if yscale in SCALES else "linear",
        yrange=yrange if yrange in RANGES else "robust",
        ranges={k: r for k, r in ((k, normalize_ranges(v)) for k, v in (ranges or {}).items())
                if r},
        filter=filter_query if isinstance(filter_query, str) else "",
        sort=sort_by if isinstance(sort_by, list) else [],
    )


__all__ = ["DEFAULT_SORT", "ListState", "SweepState", "for_columns", "list_query", "parse_brush",
           "parse_list", "parse_sweep", "state_of_inputs", "sweep_query"]
