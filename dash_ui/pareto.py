"""The sweep page of a multi-objective sweep: objective columns, Pareto ranks and the
figures that replace the single metric's, as plain functions of DataFrames.

A sweep with `metrics:` (2 to 4 objectives) gets, on top of the runs frame, one
column per objective (`objective_column(name)`: the run's value by `run_objectives`'
rule, NaN when it lacks one) and `pareto_rank` (`ranks_of`: the controller's rule
of `controller.fronts.rank`, NaN for an unranked run: prior, ignored, or missing an
objective). From those:

- `front_figure`: two objectives -> a Pareto scatter, the front as a step line and
  dominated runs faded; three or four -> a scatter matrix of every pair of
  objectives with the front highlighted. Hover shows the run's config; a click opens
  the run's page (customdata is the run id, as on the other charts).
- `hypervolume_figure`: the best-so-far chart's counterpart, the hypervolume of the
  runs ended or logged so far, against the reference point of all of them (so the
  line never falls).
- `parcoords_figure`: the parameters and one axis per objective, lines coloured by
  Pareto rank (the front brightest).
- `table_rows` / `table_columns`: the runs table with the objectives and the rank,
  sorted by rank (the front first; unranked runs last).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np
import pandas as pd
from dash.dash_table.Format import Format, Scheme, Trim

from sweepd.controller.fronts import minimizing_thresholds
from sweepd.multiobjective import (hypervolume, minimizing, pareto_ranks, reference_point,
                                   run_objectives)

from . import figures
from .data import ParamAxis, category_label
from .plotly_text import plain
from .url_state import DEFAULT_SORT

OBJECTIVE_PREFIX = "objective:"
FRONT_COLOR = "#d62728"
DOMINATED_COLOR = "rgba(31,119,180,0.25)"
UNRANKED_COLOR = "rgba(158,158,158,0.35)"


def objective_column(name: str) -> str:
    return OBJECTIVE_PREFIX + name


def objectives_of(config: Any) -> list[Any]:
    """The config's objectives (ObjectiveSpecs), empty for a single-objective sweep."""
    return list(getattr(config, "metrics", None) or []) if config is not None else []


def ranks_of(config: Any, run_list: Sequence[Any]) -> dict[str, int]:
    """Run id -> Pareto rank by `controller.fronts.rank`'s rule (prior and ignored runs
    and runs missing an objective are not ranked), without its hypervolume, which
    costs seconds with three or four objectives and many runs."""
    objectives = objectives_of(config)
    ranked, values = [], []
    for run in run_list:
        vector = None if run.prior or run.ignored else run_objectives(run, objectives)
        if vector is not None:
            ranked.append(run.id)
            values.append(vector)
    if not ranked:
        return {}
    ranks = pareto_ranks(minimizing(values, [o.goal for o in objectives]))
    return dict(zip(ranked, (int(r) for r in ranks)))


def with_objectives(runs: pd.DataFrame, run_list: Sequence[Any], config: Any) -> pd.DataFrame:
    """`runs` (one row per run, in the order of `run_list`) with one column per
    objective and `pareto_rank` (NaN: not ranked)."""
    objectives = objectives_of(config)
    ranks_by_id = ranks_of(config, run_list)
    columns: dict[str, list[float]] = {objective_column(o.name): [] for o in objectives}
    ranks = []
    for run in run_list:
        vector = run_objectives(run, objectives)
        for o, i in zip(objectives, range(len(objectives))):
            columns[objective_column(o.name)].append(np.nan if vector is None else vector[i])
        ranks.append(ranks_by_id.get(run.id, np.nan))
    return runs.assign(**{c: np.asarray(v, dtype=float) for c, v in columns.items()},
                       pareto_rank=np.asarray(ranks, dtype=float))


def _ranked(runs: pd.DataFrame) -> np.ndarray:
    return np.isfinite(runs["pareto_rank"].to_numpy(dtype=float))


def hover_texts(runs: pd.DataFrame, axes: Sequence[ParamAxis],
                objectives: Sequence[Any]) -> list[str]:
    """Per run: its number and id, objective values and config, as plotly markup."""
    texts = []
    for row in figures.records(runs):
        rank_value = row.get("pareto_rank")
        where = ("on the front" if rank_value == 0 else
                 f"Pareto rank {int(rank_value)}" if rank_value == rank_value else "not ranked")
        lines = [f"<b>#{row['number']} {row['run_id']}</b> ({row['state']}, {where})"]
        for o in objectives:
            value = row.get(objective_column(o.name))
            shown = "-" if value is None or value != value else f"{value:.5g}"
            lines.append(f"{plain(o.name)} {shown} ({o.goal})")
        for axis in axes:
            lines.append(f"{plain(axis.name)} = {plain(category_label(row.get(axis.column)))}")
        texts.append("<br>".join(lines))
    return texts


def front_line(xs: np.ndarray, ys: np.ndarray, goals: Sequence[str]) -> tuple[list, list]:
    """The front of two objectives as a step line: front points sorted along the first
    objective from its best end, joined so that each step is the region they dominate."""
    order = np.argsort(xs if goals[0] == "minimize" else -xs, kind="stable")
    return xs[order].tolist(), ys[order].tolist()


def front_figure(runs: pd.DataFrame, axes: Sequence[ParamAxis],
                 objectives: Sequence[Any]) -> dict[str, Any]:
    """The Pareto scatter (two objectives) or scatter matrix (three or four)."""
    ranked = runs[_ranked(runs)]
    if ranked.empty:
        names = ", ".join(o.name for o in objectives)
        return figures.message_figure(f"No run has logged every objective yet ({names}).")
    if len(objectives) == 2:
        return _scatter(ranked, axes, objectives)
    return _matrix(ranked, axes, objectives)


def _groups(ranked: pd.DataFrame, axes, objectives):
    on_front = ranked["pareto_rank"].to_numpy(dtype=float) == 0
    texts = np.asarray(hover_texts(ranked, axes, objectives), dtype=object)
    return ((~on_front, "dominated", DOMINATED_COLOR, 7),
            (on_front, "Pareto front", FRONT_COLOR, 10)), texts


def _scatter(ranked: pd.DataFrame, axes, objectives) -> dict[str, Any]:
    cx, cy = (objective_column(o.name) for o in objectives)
    groups, texts = _groups(ranked, axes, objectives)
    data = []
    for mask, name, color, size in groups:
        group = ranked[mask]
        data.append({
            "type": "scatter", "mode": "markers", "name": name,
            "x": group[cx].tolist(), "y": group[cy].tolist(),
            "text": texts[mask].tolist(), "customdata": group["run_id"].tolist(),
            "marker": {"color": color, "size": size,
                       "line": {"width": 1, "color": "white" if mask is groups[1][0] else color}},
            "hovertemplate": f"%{{text}}{figures.CLICK_HINT}<extra></extra>",
        })
    front = ranked[groups[1][0]]
    goals = [o.goal for o in objectives]
    line_x, line_y = front_line(front[cx].to_numpy(dtype=float), front[cy].to_numpy(dtype=float),
                                goals)
    data.append({"type": "scatter", "mode": "lines", "name": "front", "x": line_x, "y": line_y,
                 "line": {"color": FRONT_COLOR, "width": 2, "shape": "hv"},
                 "hoverinfo": "skip"})
    return {"data": data, "layout": figures.layout(
        xaxis={"title": figures.title(f"{objectives[0].name} ({objectives[0].goal})")},
        yaxis={"title": figures.title(f"{objectives[1].name} ({objectives[1].goal})")},
        legend={"orientation": "h", "y": 1.08}, uirevision="pareto", hovermode="closest")}


def _matrix(ranked: pd.DataFrame, axes, objectives) -> dict[str, Any]:
    groups, texts = _groups(ranked, axes, objectives)
    data = []
    for mask, name, color, size in groups:
        group = ranked[mask]
        data.append({
            "type": "splom", "name": name, "showupperhalf": False, "diagonal": {"visible": False},
            "dimensions": [{"label": plain(o.name),
                            "values": group[objective_column(o.name)].tolist()}
                           for o in objectives],
            "text": texts[mask].tolist(), "customdata": group["run_id"].tolist(),
            "marker": {"color": color, "size": size - 2},
            "hovertemplate": f"%{{text}}{figures.CLICK_HINT}<extra></extra>",
        })
    return {"data": data, "layout": figures.layout(
        legend={"orientation": "h", "y": 1.08}, uirevision="pareto", hovermode="closest",
        dragmode="select")}


# ---------------------------------------------------------------- hypervolume over time


HV_STEPS = 40  # at most this many hypervolume computations per line (3+ objectives)


def hypervolume_series(points: np.ndarray, thresholds: Sequence[float | None]) -> np.ndarray:
    """The hypervolume of the first i points, for each i, against the reference point
    of all of them (`points`: minimising form, in the order runs came in).

    With two objectives every step is exact (O(n log n) each). With three or four,
    an exact hypervolume of hundreds of points takes up to seconds, so the line is
    computed at no more than HV_STEPS evenly spread points (the last among them) and
    holds its value in between: exact where it is computed, never above the truth."""
    n = len(points)
    if n == 0:
        return np.zeros(0)
    reference = reference_point(points, thresholds)
    if points.shape[1] == 2 or n <= HV_STEPS:
        at = range(n)
    else:
        at = sorted(set(np.linspace(0, n - 1, HV_STEPS).round().astype(int).tolist()))
    out = np.zeros(n)
    current, last = 0.0, 0
    for i in at:
        earlier = points[:i]
        dominated = i == last + 1 and len(earlier) and np.any(np.all(earlier <= points[i], axis=1))
        if not dominated:
            current = hypervolume(points[:i + 1], reference)
        out[last:i + 1] = out[last]  # held since the last computed point
        out[i] = current
        last = i
    return out


def hypervolume_figure(runs: pd.DataFrame, objectives: Sequence[Any], config: Any, *,
                       x: str) -> dict[str, Any]:
    """Hypervolume over time (or run number): one point per ranked run, the line the
    hypervolume of every ranked run up to it."""
    ranked = runs[_ranked(runs)]
    if ranked.empty:
        return figures.message_figure("No run has logged every objective yet.")
    ranked = ranked.assign(_x=figures.best_x(ranked, x)).sort_values(["_x", "number"],
                                                                      kind="stable")
    goals = [o.goal for o in objectives]
    points = minimizing(ranked[[objective_column(o.name) for o in objectives]].to_numpy(float),
                        goals)
    series = hypervolume_series(points, minimizing_thresholds(config))
    xs = ranked["_x"].tolist()
    texts = [f"#{n} {r}" for n, r in zip(ranked["number"], ranked["run_id"])]
    data = [
        {"type": "scatter", "mode": "markers", "name": "run", "x": xs, "y": series.tolist(),
         "text": texts, "customdata": ranked["run_id"].tolist(),
         "marker": {"color": [FRONT_COLOR if r == 0 else "#1f77b4"
                              for r in ranked["pareto_rank"]], "size": 7},
         "hovertemplate": ("<b>%{text}</b><br>hypervolume after it %{y:.5g}"
                           f"{figures.CLICK_HINT}<extra></extra>")},
        {"type": "scatter", "mode": "lines", "name": "hypervolume", "x": xs,
         "y": series.tolist(), "line": {"color": "#2ca02c", "width": 2, "shape": "hv"},
         "hoverinfo": "skip"},
    ]
    xaxis = {"type": "date", "title": figures.title("time")} if x == "time" else {
        "title": figures.title("run #")}
    return {"data": data, "layout": figures.layout(
        xaxis=xaxis, yaxis={"title": figures.title("hypervolume")}, showlegend=False,
        uirevision="hypervolume")}


# ---------------------------------------------------------------- parcoords and table


def parcoords_figure(runs: pd.DataFrame, axes: Sequence[ParamAxis], objectives: Sequence[Any],
                     *, selection: dict | None = None, uirevision: str = "") -> dict[str, Any]:
    """The parameters' axes, then one axis per objective; ranked runs only, coloured
    by Pareto rank (the front brightest)."""
    ranked = runs[_ranked(runs)]
    if ranked.empty or not axes:
        return figures.parcoords_figure(runs, axes, key=None, goal="minimize",
                                        selection=selection, uirevision=uirevision)
    figure = figures.parcoords_figure(ranked, axes, key=None, goal="minimize",
                                      selection=selection, uirevision=uirevision)
    trace = figure["data"][0]
    for o in objectives:
        dim: dict[str, Any] = {"label": plain(o.name),
                               "values": ranked[objective_column(o.name)].tolist()}
        if (selection or {}).get(dim["label"]):
            dim["constraintrange"] = selection[dim["label"]]
        trace["dimensions"].append(dim)
    ranks = ranked["pareto_rank"].to_numpy(dtype=float)
    trace["line"] = {"color": ranks.tolist(), "colorscale": "Viridis", "reversescale": True,
                     "showscale": True, "cmin": 0, "cmax": max(1.0, float(ranks.max())),
                     "colorbar": {"title": {"text": "Pareto rank"}, "thickness": 12, "x": 1.0}}
    return figure


RANK_SORT = [{"column_id": "pareto_rank", "direction": "asc"}]


def page_defaults(config: Any, key, goal: str, columns, view):
    """(key, goal, table columns, URL view) a sweep page starts with: for a
    multi-objective sweep, the first objective, the rank and objective columns, and
    the runs table sorted by rank unless the URL asks for another sort."""
    objectives = objectives_of(config)
    if not objectives:
        return key, goal, columns, view
    if view.sort == DEFAULT_SORT:
        view = replace(view, sort=list(RANK_SORT))
    return (objectives[0].name, objectives[0].goal, table_columns(columns, objectives), view)


RANK_COLUMN = {"id": "pareto_rank", "name": "Pareto rank", "type": "numeric"}


def table_columns(base: list[dict[str, Any]], objectives: Sequence[Any]) -> list[dict[str, Any]]:
    """The runs table's columns with the rank and the objectives in place of the metric."""
    number = Format(precision=4, scheme=Scheme.decimal_or_exponent, trim=Trim.yes)
    extra = [RANK_COLUMN] + [{"id": objective_column(o.name), "name": f"{o.name} ({o.goal})",
                              "type": "numeric", "format": number} for o in objectives]
    out = []
    for column in base:
        if column["id"] == "value":
            out += extra
        else:
            out.append(column)
    return out


def table_row(record: dict[str, Any], axes: Sequence[ParamAxis], objectives: Sequence[Any],
              link=None) -> dict[str, Any]:
    """A row of the runs table of a multi-objective sweep: its rank and objectives."""
    row = figures.runs_table_row(record, axes, link)
    rank_value = record["pareto_rank"]
    row["pareto_rank"] = None if rank_value != rank_value else int(rank_value)
    for o in objectives:
        row[objective_column(o.name)] = figures._cell(record[objective_column(o.name)])
    return row


def rank_order(runs: pd.DataFrame) -> np.ndarray:
    """Positions of runs by Pareto rank (then run number), unranked last."""
    ranks = runs["pareto_rank"].to_numpy(dtype=float)
    return np.lexsort((runs["number"].to_numpy(), np.where(np.isnan(ranks), np.inf, ranks)))


def table_rows(runs: pd.DataFrame, axes: Sequence[ParamAxis], objectives: Sequence[Any],
               link=None) -> list[dict[str, Any]]:
    """The runs table's rows sorted by Pareto rank (then run number), unranked last."""
    return [table_row(record, axes, objectives, link)
            for record in figures.records(runs.iloc[rank_order(runs)])]
