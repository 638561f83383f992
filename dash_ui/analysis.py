"""Computations on the runs frame that the figures draw: running best, parameter
importance (per parameter, and per value of a categorical), and the
parallel-coordinates selection (brushing) as a filter of runs.

Plain functions of DataFrames; no Redis, no Dash.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

from .data import ParamAxis
from .plotly_text import plain

MIN_IMPORTANCE_RUNS = 5
TERMINAL = ("finished", "failed", "crashed", "stopped")


def metric_label(key: str, axes: Sequence[ParamAxis]) -> str:
    """The parallel-coordinates label of the metric axis (never a parameter's name),
    as plotly markup (`plain`): the selection names dimensions by this label."""
    names = {a.name for a in axes}
    return plain(key if key not in names else f"{key} (metric)")


def running_best(values: Iterable[float], goal: str) -> np.ndarray:
    """Best value seen so far at each position (NaN before the first value)."""
    arr = np.asarray(list(values), dtype=float)
    filled = np.where(np.isnan(arr), np.inf if goal == "minimize" else -np.inf, arr)
    best = np.minimum.accumulate(filled) if goal == "minimize" else np.maximum.accumulate(filled)
    return np.where(np.isinf(best), np.nan, best)


# ---------------------------------------------------------------- importance


def design_matrix(frame: pd.DataFrame, axes: Sequence[ParamAxis]
                  ) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Features for the importance model: numeric parameters as drawn (log10 for log
    distributions), categoricals one-hot; missing numbers take the column median.
    Returns the matrix and, per column, (parameter, column label)."""
    columns: list[np.ndarray] = []
    names: list[tuple[str, str]] = []
    for axis in axes:
        coded = axis.encode(frame[axis.column]) if axis.column in frame else np.full(len(frame), np.nan)
        if axis.kind == "categorical":
            for i, label in enumerate(axis.labels()):
                columns.append((coded == i).astype(float))
                names.append((axis.name, f"{axis.name}={label}"))
        else:
            if np.isnan(coded).all():
                continue
            median = np.nanmedian(coded)
            columns.append(np.where(np.isnan(coded), median, coded))
            names.append((axis.name, axis.name))
    if not columns:
        return np.empty((len(frame), 0)), []
    return np.column_stack(columns), names


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


FEATURE_COLUMNS = ["param", "feature", "importance", "correlation"]


def explained_runs(frame: pd.DataFrame, value: str = "value") -> pd.DataFrame:
    """The runs importance learns from: terminal, with a finite value, not ignored
    (prior runs count)."""
    done = frame[frame["state"].isin(TERMINAL) & np.isfinite(frame[value].astype(float))]
    if "ignored" in done:
        done = done[~done["ignored"].fillna(False).astype(bool)]
    return done


def feature_importance(frame: pd.DataFrame, axes: Sequence[ParamAxis], *,
                       value: str = "value", seed: int = 0) -> pd.DataFrame:
    """Per column of the design matrix (a numeric parameter, or one value of a
    categorical: "opt=adam"): its random-forest importance (impurity based,
    normalised so that all columns sum to 1) and the Pearson correlation of the
    column (for a value: 1 when a run took it, else 0) with the run's value. Rows
    are in parameter order, a categorical's values in config order.

    Uses terminal runs with a finite value that are not ignored (prior runs count);
    an empty frame when there are fewer than MIN_IMPORTANCE_RUNS of them."""
    done = explained_runs(frame, value)
    if len(done) < MIN_IMPORTANCE_RUNS or not axes:
        return pd.DataFrame(columns=FEATURE_COLUMNS)
    X, names = design_matrix(done, axes)
    y = done[value].to_numpy(dtype=float)
    if X.shape[1] == 0:
        return pd.DataFrame(columns=FEATURE_COLUMNS)
    if np.std(y) > 0:
        # each tree sees at most ~400 runs: enough to rank a handful of parameters, and
        # it keeps the fit of a 1,000-run sweep near 100 ms
        model = RandomForestRegressor(n_estimators=48, min_samples_leaf=2, max_features=1.0,
                                      max_samples=min(len(y), 400), random_state=seed,
                                      n_jobs=1)
        model.fit(X, y)
        column_importance = model.feature_importances_
    else:
        column_importance = np.zeros(X.shape[1])
    total = float(np.sum(column_importance))
    rows = [{"param": param, "feature": label,
             "importance": float(column_importance[j]) / total if total > 0 else 0.0,
             "correlation": _pearson(X[:, j], y)}
            for j, (param, label) in enumerate(names)]
    return pd.DataFrame(rows, columns=FEATURE_COLUMNS)


def by_parameter(features: pd.DataFrame) -> pd.DataFrame:
    """Per searched parameter, most important first: its importance (the sum of its
    columns') and the correlation of its most correlated column, with that column's
    label (`correlation_of`, "opt=adam" for a categorical)."""
    out_columns = ["param", "importance", "correlation", "correlation_of"]
    rows: dict[str, dict[str, Any]] = {}
    for f in features.itertuples(index=False):
        row = rows.setdefault(f.param, {"param": f.param, "importance": 0.0,
                                        "correlation": math.nan, "correlation_of": f.param})
        row["importance"] += float(f.importance)
        r = float(f.correlation)
        if not math.isnan(r) and (math.isnan(row["correlation"]) or abs(r) > abs(row["correlation"])):
            row["correlation"], row["correlation_of"] = r, f.feature
    result = pd.DataFrame(list(rows.values()), columns=out_columns)
    return result.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def parameter_importance(frame: pd.DataFrame, axes: Sequence[ParamAxis], *,
                         value: str = "value", seed: int = 0) -> pd.DataFrame:
    """`by_parameter` of `feature_importance`: one row per parameter."""
    return by_parameter(feature_importance(frame, axes, value=value, seed=seed))


def top_parameters(features: pd.DataFrame, axes: Sequence[ParamAxis], n: int = 2
                   ) -> list[ParamAxis]:
    """The n most important parameters' axes (config order breaks ties, so a sweep
    whose runs all scored the same shows its first parameters)."""
    if features.empty:
        return list(axes[:n])
    ranked = by_parameter(features)
    named = {a.name: a for a in axes}
    return [named[p] for p in ranked["param"] if p in named][:n]


# ---------------------------------------------------------------- brushing


def normalize_ranges(value: Any) -> list[list[float]]:
    """A parcoords constraintrange ([lo, hi], [[lo, hi], ...] or nested once more by a
    restyle event) as a list of [lo, hi]; [] for none."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, (int, float)) for v in value):
        lo, hi = sorted(float(v) for v in value)
        return [[lo, hi]]
    if isinstance(value, (list, tuple)):
        out: list[list[float]] = []
        for item in value:
            out += normalize_ranges(item)
        return out
    return []


def apply_restyle(selection: Mapping[str, Any] | None, restyle: Any,
                  labels: Sequence[str], log_labels: Sequence[str] = ()
                  ) -> dict[str, list[list[float]]]:
    """The selection after a parcoords restyle event ({"dimensions[i].constraintrange":
    ranges}, trace indices), with dimensions named by label. A dimension of
    `log_labels` is drawn as log10 of its values (the metric on a log scale): its
    ranges are kept in values, so that a selection outlives a change of scale."""
    out = {k: normalize_ranges(v) for k, v in (selection or {}).items()}
    if not restyle or not isinstance(restyle, (list, tuple)) or not isinstance(restyle[0], dict):
        return {k: v for k, v in out.items() if v}
    for prop, value in restyle[0].items():
        if not prop.startswith("dimensions[") or not prop.endswith("].constraintrange"):
            continue
        try:
            i = int(prop[len("dimensions["):prop.index("]")])
        except ValueError:
            continue
        if 0 <= i < len(labels):
            # restyle values come wrapped in a list, one per trace
            if isinstance(value, list) and len(value) == 1 and (
                    value[0] is None or isinstance(value[0], list)):
                value = value[0]
            ranges = normalize_ranges(value)
            if labels[i] in log_labels:
                ranges = [[10.0 ** lo, 10.0 ** hi] for lo, hi in ranges]
            out[labels[i]] = ranges
    return {k: v for k, v in out.items() if v}


def axis_values(frame: pd.DataFrame, axes: Sequence[ParamAxis], key: str | None
                ) -> dict[str, np.ndarray]:
    """Each parcoords dimension's coordinates of every run, by label."""
    out = {plain(a.name): a.encode(frame[a.column]) for a in axes if a.column in frame}
    if key is not None:
        out[metric_label(key, axes)] = frame["value"].to_numpy(dtype=float)
    return out


def selected_mask(frame: pd.DataFrame, axes: Sequence[ParamAxis], key: str | None,
                  selection: Mapping[str, Any] | None) -> np.ndarray:
    """True for runs drawn inside every brushed range (all runs when nothing is brushed)."""
    mask = np.ones(len(frame), dtype=bool)
    if not any(normalize_ranges(r) for r in (selection or {}).values()):
        return mask
    if key is not None:  # runs without a value are not drawn, so cannot be brushed
        mask &= np.isfinite(frame["value"].to_numpy(dtype=float))
    values = axis_values(frame, axes, key)
    for label, ranges in selection.items():
        ranges = normalize_ranges(ranges)
        if not ranges or label not in values:
            continue
        coords = values[label]
        inside = np.zeros(len(frame), dtype=bool)
        for lo, hi in ranges:
            inside |= (coords >= lo) & (coords <= hi)
        mask &= inside
    return mask
