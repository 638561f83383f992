"""What one refresh of a sweep page sends: everything, or only what changed.

The browser keeps, in a small store, which cache (`cache`) and which version of it
its figures show. A tick whose view has not changed sends nothing but the header; a
tick where only points and values of known runs changed sends `Patch`es that
replace those runs' curve traces and table rows (by index: traces and rows are in
run order, and runs only ever append), and the metric axes' ranges and outlier
marks; anything structural (a run appeared or changed state, another key, goal,
scale or range, a new cache) sends every figure whole.

The store also says which brushed ranges the figures show. A brush that lands while
a tick is under way can reach the server as part of that tick (or its reply can
arrive after the brush's own): whatever the trigger, a request whose ranges differ
from the store's is answered as a brush, so the ranges always end up applied.

`SweepUpdater.update` is plain Python returning a dict of outputs, so the benchmark
and the tests call it without a browser.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
from dash import Patch, html, no_update

from sweepd.controller.storage.keys import valid_id

from . import curves, figures, pareto, table_query, top_params
from .analysis import MIN_IMPORTANCE_RUNS, feature_importance, normalize_ranges, selected_mask
from .data import SweepView, points_per_run

ENDED = ("finished", "failed", "crashed", "stopped")

OUTPUTS = ("header", "key_options", "key_value", "loading", "best", "curves", "importance",
           "pareto", "pareto_style", "best_title", "parcoords", "top_params", "table_columns",
           "table_data", "table_pages", "table_page", "selection_note", "versions", "view")


@dataclass
class TableQuery:
    """What the runs table asks for (it pages, sorts and filters on the server): the
    page (0-based) of `size` rows, its sort_by and filter_query (`table_query`)."""

    page: int = 0
    size: int = 25
    sort_by: list[dict[str, str]] = field(default_factory=list)
    filter: str = ""


@dataclass
class Inputs:
    trigger: str  # "tick", "key", "goal", "x", "scale", "selection" or "load"
    key: str | None
    goal: str
    x: str
    selection: dict[str, Any]  # {"ranges": {label: [[lo, hi], ...]}, "epoch": n}
    client: dict[str, Any] | None  # the VIEW store as the browser holds it
    yscale: str = "linear"  # the metric axes: "linear" or "log"
    yrange: str = "robust"  # "robust" (outlier runs left out of the range) or "all"
    table: TableQuery = field(default_factory=TableQuery)  # trigger "table": it alone changed


def _ranges(selection: dict[str, Any] | None) -> dict[str, list[list[float]]]:
    """The brushed ranges of a selection, normalised (what the store compares)."""
    ranges = (selection or {}).get("ranges") or {}
    return {k: r for k, r in ((k, normalize_ranges(v)) for k, v in ranges.items()) if r}


@dataclass
class _Chart:
    """The curves chart's runs: positions drawn (run order), their rows, points per
    curve, their part of the selection; the envelope of the ended runs (None when
    every run is drawn), the extents of the runs it stands for, the note; and
    fingerprints of the drawn runs and of the band."""

    drawn: np.ndarray
    runs: pd.DataFrame
    per_run: int
    selected: np.ndarray | None
    envelope: curves.Envelope | None
    others: curves.Extents | None
    note: str
    signature: int
    band_id: int | None


class SweepUpdater:
    """Builds a sweep page's outputs from a SweepView."""

    def __init__(self, *, total_points: int = 100_000, poll_budget_s: float = 0.3,
                 run_href: Callable[[str, str], str] | None = None,
                 curves_drawn: int = curves.CURVES_DRAWN):
        """`run_href(sweep_id, run_id)`: a run page's URL, for the runs table;
        `curves_drawn`: beyond this many runs, the curves chart draws only the running
        runs and this many of the best, over a band (see `curves`)."""
        self.total_points = total_points
        self.curves_drawn = curves_drawn
        self.poll_budget_s = poll_budget_s
        self.run_href = run_href or (lambda sid, rid: f"/sweep/{sid}/run/{rid}")
        self._importance: dict[tuple, pd.DataFrame] = {}
        self._top: dict[tuple, dict[str, Any]] = {}
        self._hypervolume: dict[tuple, dict[str, Any]] = {}

    # ------------------------------------------------------------ entry point

    def update(self, view: SweepView, inp: Inputs, *, now: float | None = None) -> dict[str, Any]:
        """The page's outputs (OUTPUTS) for these inputs; no_update where unchanged."""
        with view.lock:  # another tab's poll must not change the view under us
            view.poll(budget_s=self.poll_budget_s, max_age=0.3)
            return self._update(view, inp, now)

    def _update(self, view: SweepView, inp: Inputs, now: float | None) -> dict[str, Any]:
        now = time.time() if now is None else now
        out: dict[str, Any] = {name: no_update for name in OUTPUTS}
        out["header"] = header(view, now)
        out["loading"] = loading_text(view)
        if view.sweep is None:
            return self._missing(view, out)
        key = inp.key or default_key(view)
        options = key_options(view, key)
        client = inp.client or {}
        ranges = _ranges(inp.selection)
        epoch = (inp.selection or {}).get("epoch", 0)
        trigger = inp.trigger
        table_asked = trigger == "table"  # a page, sort or filter of the runs table
        if table_asked:
            trigger = "tick"  # the figures: as for a tick
        if trigger == "tick" and client.get("n") is not None and client.get("ranges") != ranges:
            trigger = "selection"  # a brush that came with (or was overtaken by) a tick
        state = {"sweep": view.sweep_id, "cache": view.token, "version": view.version,
                 "structure": view.structure_version, "key": key, "goal": inp.goal,
                 "x": inp.x, "yscale": inp.yscale, "yrange": inp.yrange, "epoch": epoch,
                 "ranges": ranges, "n": len(view.order),
                 "options": [o["value"] for o in options],
                 "config_version": view.sweep.config_version}
        if client.get("config_version") != state["config_version"] or trigger == "load":
            out["versions"] = figures.versions_rows(view.versions_frame())
        if client.get("options") != state["options"]:
            out["key_options"] = options
        if inp.key is None and key is not None:
            out["key_value"] = key
        same = client.get("n") is not None and all(
            client.get(k) == state[k]
            for k in ("sweep", "cache", "key", "goal", "x", "yscale", "yrange", "epoch"))
        if same and trigger == "tick" and client.get("version") == view.version:
            if table_asked:  # nothing else changed: the table alone
                runs, axes, objectives = self._runs(view, key, inp.goal, now)
                mask = selected_mask(runs, axes, key, ranges) if ranges else None
                self._table(out, state, view, runs, axes, objectives, mask, key, inp, client)
                out["view"] = {**client, "table": state["table"], "pages": state["pages"]}
            elif any(client.get(k) != state[k] for k in ("options", "config_version")):
                out["view"] = {**client, "options": state["options"],
                               "config_version": state["config_version"]}
            return out
        # the browser's figures hold the same runs in the same states: patch them
        known = (same and trigger in ("tick", "selection")
                 and client.get("structure") == view.structure_version
                 and client.get("n") == len(view.order))
        tick = known and trigger == "tick"
        runs, axes, objectives = self._runs(view, key, inp.goal, now)
        mask = selected_mask(runs, axes, key, ranges) if ranges else None
        valued = int(np.isfinite(runs["value"].to_numpy(dtype=float)).sum())
        state["valued"] = valued
        state["metric_log"] = figures.parcoords_metric_log(runs, inp.yscale)
        positions = view.changed_since(client.get("version", 0)) if tick else []
        empty = empty_text(view, key, runs)

        if objectives:
            self._multiobjective(out, view, runs, axes, objectives, inp, ranges, epoch)
        elif tick and client.get("valued") == valued and client.get("metric_log") == state["metric_log"]:
            out["best"], state["best_axis"] = self._best_patch(runs, key, inp,
                                                               client.get("best_axis"))
            out["parcoords"] = self._parcoords_patch(runs, axes, key, positions,
                                                     state["metric_log"])
        elif not (known and trigger == "selection"):
            out["best"] = figures.best_so_far_figure(runs, key=key, goal=inp.goal, x=inp.x,
                                                     empty_text=empty, yscale=inp.yscale,
                                                     yrange=inp.yrange)
            state["best_axis"] = _fingerprint(out["best"]["layout"].get("yaxis"),
                                              out["best"]["layout"].get("annotations"))
            out["parcoords"] = figures.parcoords_figure(
                runs, axes, key=key, goal=inp.goal, selection=ranges, yscale=inp.yscale,
                uirevision=f"{view.sweep_id}:{key}:{inp.goal}:{inp.yscale}:{epoch}")

        self._curves(out, state, view, runs, axes, key, inp, mask, empty,
                     known=known, tick=tick, positions=positions, client=client)
        if not known:
            features = self.importance(view, runs, axes, key)
            out["importance"] = figures.importance_figure(
                features, key=key, goal=inp.goal,
                n_runs=int((runs["state"].isin(ENDED) & np.isfinite(runs["value"])).sum()))
            out["top_params"] = self.top_params(view, runs, axes, key, features, inp)
            out["table_columns"] = figures.runs_table_columns(axes, key)
            if objectives:
                out["table_columns"] = pareto.table_columns(out["table_columns"], objectives)
        if client.get("objectives") is None or trigger == "load":
            out["pareto_style"] = {} if objectives else {"display": "none"}
            out["best_title"] = "Hypervolume" if objectives else "Best so far"
        state["objectives"] = len(objectives)
        self._table(out, state, view, runs, axes, objectives, mask, key, inp,
                    client if trigger != "load" else {})
        if known and trigger == "selection":
            # only colours and rows followed the selection: the next tick still owes
            # the browser every other change since its version
            for name in ("version", "valued", "metric_log", "best_axis", "curves_axis", "band"):
                state[name] = client.get(name)
        out["view"] = state
        return out

    # ------------------------------------------------------------ pieces

    @staticmethod
    def _runs(view: SweepView, key, goal: str, now: float) -> tuple[pd.DataFrame, list, list]:
        """(runs frame, parameter axes, objectives) of the view."""
        runs = view.runs_frame(key, goal, now=now)
        objectives = pareto.objectives_of(view.sweep.config)
        if objectives:
            runs = pareto.with_objectives(runs, [e.run for e in view.runs()], view.sweep.config)
        return runs, view.axes(runs), objectives

    def _table(self, out, state, view: SweepView, runs: pd.DataFrame, axes, objectives, mask,
               key, inp: Inputs, client: dict[str, Any]) -> None:
        """The runs table's page (`table_query`): the selected runs, filtered and sorted
        as the table asks, one page of rows sent when it differs from what the browser
        shows; its page count, and the page itself when it had to move back (a filter
        left fewer pages); and the note under the table."""
        query = inp.table
        columns = figures.runs_table_columns(axes, key)
        if objectives:
            columns = pareto.table_columns(columns, objectives)
        found: dict[str, pd.Series] = {}

        def values(column: str) -> pd.Series:
            if column not in found:
                found[column] = figures.runs_table_values(runs, axes, column)
            return found[column]

        base = pareto.rank_order(runs) if objectives else np.arange(len(runs))
        if mask is not None:
            base = base[mask[base]]
        problem = ""
        try:
            keep = table_query.filter_mask(query.filter, values, [c["id"] for c in columns],
                                           len(runs))
        except table_query.FilterError as exc:
            keep, problem = np.ones(len(runs), dtype=bool), str(exc)
        order = table_query.sorted_positions(base[keep[base]], query.sort_by, values)
        page = table_query.page_of(order, query.page, query.size)
        link = (lambda rid: self.run_href(view.sweep_id, rid)) if valid_id(view.sweep_id) else None
        records = figures.records(runs.iloc[page.positions])
        rows = ([pareto.table_row(r, axes, objectives, link) for r in records] if objectives
                else [figures.runs_table_row(r, axes, link) for r in records])
        state["table"], state["pages"] = _fingerprint(rows), page.count
        if client.get("table") != state["table"]:
            out["table_data"] = rows
        if client.get("pages") != page.count:
            out["table_pages"] = page.count
        if page.current != query.page:
            out["table_page"] = page.current
        filtered = page.matched if query.filter and not problem else None
        out["selection_note"] = selection_note(runs, mask, filtered, problem)

    def _multiobjective(self, out, view: SweepView, runs: pd.DataFrame, axes, objectives,
                        inp: Inputs, ranges, epoch) -> None:
        """A multi-objective sweep's front, hypervolume and parallel coordinates, sent
        whole (ranks move whenever a run logs a value). The hypervolume line is
        redrawn only when a run's objective values, rank or time moved (with three or
        four objectives it costs up to seconds)."""
        out["pareto"] = pareto.front_figure(runs, axes, objectives)
        columns = ["run_id", "pareto_rank", "last_update", "number",
                   *(pareto.objective_column(o.name) for o in objectives)]
        signature = (view.sweep_id, view.token, inp.x, view.sweep.config_version,
                     tuple(map(tuple, runs[columns].itertuples(index=False))))
        found = self._hypervolume.get(signature)
        if found is None:
            found = pareto.hypervolume_figure(runs, objectives, view.sweep.config, x=inp.x)
            self._hypervolume = {signature: found}  # one sweep per updater at a time
        out["best"] = found
        out["parcoords"] = pareto.parcoords_figure(
            runs, axes, objectives, selection=ranges,
            uirevision=f"{view.sweep_id}:objectives:{epoch}")

    def importance(self, view: SweepView, runs: pd.DataFrame, axes, key: str | None) -> pd.DataFrame:
        """Importance per column (`analysis.feature_importance`), refitted only when the
        ended runs' values change."""
        if key is None:
            return pd.DataFrame()
        signature = self._signature(view, runs, key)
        found = self._importance.get(signature)
        if found is None:
            found = feature_importance(runs, axes)
            self._importance = {signature: found}  # one sweep per updater at a time is plenty
        return found

    def top_params(self, view: SweepView, runs: pd.DataFrame, axes, key: str | None,
                   features: pd.DataFrame, inp: Inputs) -> dict[str, Any]:
        """The top-two-parameters chart, redrawn only when what importance counts changes."""
        signature = (self._signature(view, runs, key), inp.goal, inp.yscale, inp.yrange)
        found = self._top.get(signature)
        if found is None:
            found = top_params.top_params_figure(runs, features, axes, key=key, goal=inp.goal,
                                                 yscale=inp.yscale, yrange=inp.yrange)
            self._top = {signature: found}
        return found

    @staticmethod
    def _signature(view: SweepView, runs: pd.DataFrame, key: str | None) -> tuple:
        ended = runs[runs["state"].isin(ENDED)]
        return (view.sweep_id, view.token, key,
                tuple(zip(ended["run_id"], ended["value"].round(12), ended["ignored"])))

    def _curves(self, out, state, view, runs, axes, key, inp: Inputs, mask, empty, *,
                known: bool, tick: bool, positions, client) -> None:
        """The metric-curves output: a patch of the figure the browser has when it holds
        the same runs and draws the same of them, else the figure. Beyond
        `curves_drawn` runs, only some are drawn, over the band of the others
        (`curves`)."""
        chart = self._chart(view, runs, key, inp, mask)
        if known and client.get("drawn") is not None and client.get("drawn") == chart.signature:
            state.update(drawn=chart.signature, webgl=client.get("webgl", False),
                         offset=client.get("offset", 0), band=chart.band_id)
            out["curves"], state["outliers"], state["curves_axis"] = self._curves_patch(
                view, chart, axes, key, inp, positions if tick else range(len(runs)),
                colors_only=not tick, webgl=state["webgl"], offset=state["offset"],
                outliers_before=client.get("outliers") or [],
                axis_before=client.get("curves_axis"),
                band_before=client.get("band"))
            return
        if key:
            frame = view.curves_frame(key, chart.per_run, positions=chart.drawn)
        else:
            frame = pd.DataFrame(columns=["run_id", "step", "value"])
        band = chart.envelope.band if chart.envelope is not None else None
        fig = out["curves"] = figures.curves_figure(
            frame, chart.runs, key=key, axes=axes, goal=inp.goal, selected=chart.selected,
            empty_text=empty, yscale=inp.yscale, yrange=inp.yrange, band=band,
            others=chart.others, note=chart.note)
        drawn = any(t.get("meta") not in (None, "band") for t in fig["data"])
        offset = curves.BAND_TRACES if band is not None and fig["data"] else 0
        state.update(drawn=chart.signature if drawn else None, offset=offset, band=chart.band_id,
                     webgl=len(frame) > figures.WEBGL_ABOVE)
        state["outliers"] = [i - offset for i, t in enumerate(fig["data"])
                             if t.get("line", {}).get("dash") == figures.OUTLIER_DASH]
        state["curves_axis"] = _fingerprint(fig["layout"].get("yaxis"),
                                            fig["layout"].get("annotations"),
                                            fig["layout"].get("margin"))

    def _chart(self, view: SweepView, runs: pd.DataFrame, key, inp: Inputs, mask) -> "_Chart":
        """Which runs the curves chart draws, and what stands for the others."""
        if key is None:
            drawn = np.arange(0)
        else:
            drawn = curves.drawn_positions(runs, goal=inp.goal, selected=mask,
                                           most=self.curves_drawn)
        subset = runs.iloc[drawn].reset_index(drop=True)
        envelope = view.envelope(key) if key and len(drawn) < len(runs) else None
        note = ""
        if key is not None:
            note = curves.drawn_note(runs, drawn, selected=mask is not None,
                                     band=envelope.band if envelope is not None else None)
        return _Chart(
            drawn=drawn, runs=subset, per_run=points_per_run(len(drawn), self.total_points),
            selected=None if mask is None else mask[drawn], envelope=envelope,
            others=envelope.others(drawn) if envelope is not None else None, note=note,
            signature=_fingerprint(tuple(subset["run_id"])),
            band_id=_fingerprint(envelope.signature) if envelope is not None else None)

    def _curves_patch(self, view, chart: "_Chart", axes, key, inp: Inputs, positions, *,
                      colors_only: bool, webgl: bool, offset: int, outliers_before: list[int],
                      axis_before: Any, band_before: Any) -> tuple[Any, list[int], Any]:
        """(patch, outlier slots, axis fingerprint): changed runs' traces (or every drawn
        run's colour, for a selection), the band when it changed (a history still being
        read), the y-axis, outlier marks and notes when they moved, and the traces of
        runs that became or stopped being outliers. A drawn run's trace is at `offset`
        plus its slot (its place among the drawn runs)."""
        if key is None:
            return no_update, [], None
        patch = Patch()
        colors = figures.run_colors(chart.runs, inp.goal, chart.selected)
        if colors_only:
            for j in range(len(chart.drawn)):
                patch["data"][offset + j]["line"]["color"] = colors[j]
            return patch, outliers_before, axis_before
        entries = view.runs()
        drawn = [entries[i] for i in chart.drawn]
        scale, yaxis, marks = figures.curves_axis(
            chart.runs, [e.extent(key, chart.per_run) for e in drawn], key=key,
            yscale=inp.yscale, yrange=inp.yrange, others=chart.others)
        outliers = np.flatnonzero(scale.outliers).tolist()
        slot_of = {int(p): j for j, p in enumerate(chart.drawn)}
        changed = {slot_of[p] for p in positions if p in slot_of}
        records = figures.records(chart.runs)
        # changed runs, and runs that became or stopped being outliers
        for j in sorted(changed | set(outliers).symmetric_difference(outliers_before)):
            patch["data"][offset + j] = figures.curve_trace(
                records[j], *drawn[j].thinned(key, chart.per_run), key=key, axes=axes,
                color=colors[j], webgl=bool(webgl), outlier=bool(scale.outliers[j]))
        if chart.envelope is not None and chart.envelope.band is not None \
                and chart.band_id != band_before and offset:
            for i, trace in enumerate(figures.band_traces(chart.envelope.band, key)):
                patch["data"][i] = trace
        yaxis = {**figures._AXIS, **yaxis}  # as `figures.layout` merges it
        annotations, top = figures.curves_notes(marks, chart.note)
        margin = {"l": 55, "r": 20, "t": top, "b": 45}
        fingerprint = _fingerprint(yaxis, annotations, margin)
        if fingerprint != axis_before:
            patch["layout"]["yaxis"] = yaxis
            patch["layout"]["annotations"] = annotations
            patch["layout"]["margin"] = margin
        return patch, outliers, fingerprint

    @staticmethod
    def _best_patch(runs: pd.DataFrame, key, inp: Inputs, axis_before: Any) -> tuple[Patch, Any]:
        """(patch, axis fingerprint): only active runs' dots, the running best and the
        y-axis with its outlier marks (when they moved) change between structural
        changes."""
        patch = Patch()
        traces = figures.best_so_far_traces(runs, key=key, goal=inp.goal, x=inp.x,
                                            states=("pending", "running"))
        for index, trace in traces.items():
            patch["data"][index] = trace
        yaxis, marks = figures.best_so_far_axis(runs, key=key, x=inp.x, yscale=inp.yscale,
                                                yrange=inp.yrange)
        fingerprint = _fingerprint({**figures._AXIS, **yaxis}, marks)
        if fingerprint != axis_before:
            patch["layout"]["yaxis"] = {**figures._AXIS, **yaxis}
            patch["layout"]["annotations"] = marks
        return patch, fingerprint

    @staticmethod
    def _parcoords_patch(runs: pd.DataFrame, axes, key, positions, log: bool) -> Any:
        """The metric values of changed runs (rows are the runs with a value, in order)."""
        if key is None or not axes or not positions:
            return no_update
        values = runs["value"].to_numpy(dtype=float)
        finite = np.isfinite(values)
        if not finite.any():
            return no_update
        row_of = np.cumsum(finite) - 1
        patch = Patch()
        trace = patch["data"][0]
        for i in positions:
            if finite[i]:
                v = figures.parcoords_metric_values(values[i:i + 1], log)[0]
                trace["dimensions"][len(axes)]["values"][int(row_of[i])] = v
                trace["line"]["color"][int(row_of[i])] = v
        return patch

    @staticmethod
    def _missing(view: SweepView, out: dict[str, Any]) -> dict[str, Any]:
        return {**out, **not_found(view.sweep_id)}


def not_found(sweep_id: str) -> dict[str, Any]:
    """The outputs of a sweep page whose sweep does not exist, or belongs to another
    project than the logged-in key's: the same in both cases, so ids cannot be probed."""
    out: dict[str, Any] = {name: no_update for name in OUTPUTS}
    out["header"] = [html.H2(f"Sweep {sweep_id} not found"),
                     html.P("It may have been created in another Redis, or not yet.",
                            className="muted")]
    out["loading"] = ""
    text = f"No sweep with id {sweep_id}."
    for name in ("best", "curves", "importance", "parcoords", "top_params", "pareto"):
        out[name] = figures.message_figure(text)
    out["table_data"] = []
    out["table_pages"] = 1
    out["versions"] = []
    return out


def _fingerprint(*parts: Any) -> int:
    """A short digest of figure parts, to tell whether the browser already has them."""
    return zlib.crc32(repr(parts).encode())


# ---------------------------------------------------------------- text


def default_key(view: SweepView) -> str | None:
    """The sweep metric, else the first key any run logged."""
    if view.metric:
        return view.metric
    objectives = pareto.objectives_of(view.sweep.config if view.sweep is not None else None)
    if objectives:
        return objectives[0].name
    keys = view.logged_keys()
    return keys[0] if keys else None


def key_options(view: SweepView, key: str | None) -> list[dict[str, str]]:
    found = view.logged_keys()
    names = ([view.metric] if view.metric else []) + [k for k in found if k != view.metric]
    if key and key not in names:
        names.append(key)
    return [{"label": f"{k} (sweep metric)" if k == view.metric else k, "value": k} for k in names]


def empty_text(view: SweepView, key: str | None, runs: pd.DataFrame) -> str:
    """Why a chart of key has nothing to draw, in words."""
    if runs.empty:
        return f"No runs yet. Start an agent: sweepd agent {view.sweep_id}"
    counts = runs["state"].value_counts()
    if key is None:
        return "No run has logged anything yet."
    parts = [f"No run has logged {key} yet."]
    if counts.get("failed", 0) + counts.get("crashed", 0) == len(runs):
        parts.append(f"All {len(runs)} runs failed or crashed; see the runs table for why.")
    others = [k for k in view.logged_keys() if k != key]
    if others:
        parts.append("Logged keys: " + ", ".join(others[:8]) + ".")
    return " ".join(parts)


def loading_text(view: SweepView) -> str:
    if not view.loading or not view.points_total:
        return ""
    share = min(1.0, view.points_loaded / view.points_total)
    return f"reading history: {share:.0%} of {view.points_total:,} points"


def selection_note(runs: pd.DataFrame, mask: np.ndarray | None, filtered: int | None = None,
                   problem: str = "") -> str:
    """The note beside the runs table: how many runs, how many the parallel
    coordinates select, how many of those the table's filter keeps (`filtered`), or
    why the filter is not applied (`problem`)."""
    text = (f"{len(runs)} runs" if mask is None
            else f"{int(mask.sum())} of {len(runs)} runs selected in the parallel coordinates")
    if problem:
        return f"{text}; the table's filter is not applied: {problem}"
    if filtered is not None:
        text += f"; {filtered} match the table's filter"
    return text


def _metric_facts(view: SweepView, metric, best: str) -> list:
    """The header's metric and best run, or a multi-objective sweep's objectives and
    the front's size (its hypervolume is the hypervolume chart's last value)."""
    config = view.sweep.config
    objectives = pareto.objectives_of(config)
    if not objectives:
        return [html.Span(f"metric {metric.name} ({metric.goal})" if metric.name else "no metric"),
                html.Span(f"best {best}", className="best")]
    ranks = pareto.ranks_of(config, [e.run for e in view.runs()])
    size = sum(1 for r in ranks.values() if r == 0)
    names = ", ".join(f"{o.name} ({o.goal})" for o in objectives)
    return [html.Span(f"objectives {names}"),
            html.Span(f"Pareto front {size} runs", className="best")]


def header(view: SweepView, now: float) -> list:
    sweep = view.sweep
    if sweep is None:
        return not_found(view.sweep_id)["header"]
    c = sweep.counts
    counts = [html.Span(f"{getattr(c, s)} {s}", className=f"pill {s}")
              for s in ("running", "pending", "finished", "stopped", "failed", "crashed")
              if getattr(c, s)]
    metric = sweep.config.metric
    best = ("-" if sweep.best_value is None else
            f"{sweep.best_value:.5g} (run {sweep.best_run_id})")
    end = sweep.updated_at if sweep.state.terminal else now
    return [
        html.H2([sweep.name or sweep.id, html.Span(sweep.state.value,
                                                    className=f"state {sweep.state.value}")]),
        html.Div(className="facts", children=[
            html.Span(["id ", html.Code(sweep.id)]),
            html.Span(f"method {sweep.config.method}"),
            *_metric_facts(view, metric, best),
            html.Span(f"created {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(sweep.created_at))}"),
            html.Span(f"elapsed {figures.duration_text(max(0.0, end - sweep.created_at))}"),
            html.Span(f"{c.total} runs"), *counts,
        ]),
    ]


__all__ = ["SweepUpdater", "Inputs", "OUTPUTS", "MIN_IMPORTANCE_RUNS", "TableQuery", "not_found"]
