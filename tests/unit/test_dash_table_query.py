"""The runs table's server-side filter, sort and paging (dash_ui/table_query.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sweepd.dash_ui import figures, table_query
from sweepd.dash_ui.data import ParamAxis
from sweepd.dash_ui.table_query import FilterError, filter_mask, page_of, sorted_positions

FRAME = pd.DataFrame({
    "number": [1, 2, 3, 4, 5],
    "run_id": ["ab1", "Ab2", "cd3", "cd4", "ef5"],
    "state": ["finished", "failed", "finished", "running", "finished"],
    "value": [0.5, np.nan, 0.25, 0.75, 0.125],
    "p:opt": ["adam", "sgd", "adam", "3", "rmsprop"],
    "reason": ["", "boom", "", "", ""],
})


def keeps(query: str) -> list[int]:
    mask = filter_mask(query, lambda c: FRAME[c], list(FRAME.columns), len(FRAME))
    return FRAME["number"][mask].tolist()


def test_what_the_filter_row_writes():
    assert keeps("{number} s> 2") == [3, 4, 5]  # the table's own "> 2" in the number cell
    assert keeps("{number} > 2 && {value} < 0.5") == [3, 5]
    assert keeps('{state} contains "fin"') == [1, 3, 5]
    assert keeps("{state} contains fin") == [1, 3, 5]
    assert keeps("{run_id} = ab1") == [1]
    assert keeps("{number} = 4") == [4]
    assert keeps("") == [1, 2, 3, 4, 5]


def test_operators_words_case_and_logic():
    assert keeps("{number} ge 4") == [4, 5] and keeps("{number} lt 2") == [1]
    assert keeps("{number} != 1") == [2, 3, 4, 5]
    assert keeps("{run_id} icontains ab") == [1, 2] and keeps("{run_id} contains ab") == [1]
    assert keeps("{run_id} ieq AB2") == [2] and keeps("{run_id} = AB2") == []
    assert keeps("{number} < 2 || {number} > 4") == [1, 5]
    assert keeps("{number} < 2 or {number} > 4") == [1, 5]
    assert keeps("!({state} = finished)") == [2, 4]
    assert keeps("{number} > 1 && ({state} = failed || {value} < 0.2)") == [2, 5]
    # && binds tighter than ||
    assert keeps("{number} = 1 || {number} = 5 && {state} = failed") == [1]
    assert keeps("{p:opt} = 3") == [4]  # text that is a number equals the number


def test_missing_values_match_no_comparison_and_unary_checks():
    assert keeps("{value} < 1") == [1, 3, 4, 5]
    assert keeps("{value} is nil") == [2] and keeps("{value} is num") == [1, 3, 4, 5]
    assert keeps("{reason} is blank") == [1, 3, 4, 5]
    assert keeps("{number} is even") == [2, 4] and keeps("{number} is prime") == [2, 3, 5]
    assert keeps("{run_id} is str") == [1, 2, 3, 4, 5]
    assert keeps("{value} contains 5") == []  # a number contains nothing: text on one side needed
    assert keeps("{value} contains '5'") == [1, 3, 4, 5]


def test_a_filter_that_does_not_parse_or_names_another_column_says_why():
    with pytest.raises(FilterError, match="names no column of the table: nope"):
        keeps("{nope} > 2")
    with pytest.raises(FilterError, match="an operator expected"):
        keeps("{number} 2")
    with pytest.raises(FilterError, match=r"a \( without its \)"):
        keeps("({number} > 2")
    with pytest.raises(FilterError, match="unexpected text"):
        keeps("{number} > 2 )")


def test_sorted_positions_by_several_columns_missing_values_last():
    columns = lambda c: FRAME[c]  # noqa: E731
    everything = np.arange(len(FRAME))
    order = sorted_positions(everything, [{"column_id": "value", "direction": "asc"}], columns)
    assert FRAME["number"][order].tolist() == [5, 3, 1, 4, 2]
    order = sorted_positions(everything, [{"column_id": "value", "direction": "desc"}], columns)
    assert FRAME["number"][order].tolist() == [4, 1, 3, 5, 2]
    order = sorted_positions(everything, [{"column_id": "state", "direction": "asc"},
                                          {"column_id": "number", "direction": "desc"}], columns)
    assert FRAME["number"][order].tolist() == [2, 5, 3, 1, 4]
    # a subset keeps its order among ties; no sort keeps the given order
    assert sorted_positions(np.array([4, 0, 2]), [], columns).tolist() == [4, 0, 2]
    order = sorted_positions(np.array([4, 2, 0]), [{"column_id": "p:opt", "direction": "asc"}],
                             columns)
    assert order.tolist() == [2, 0, 4]  # adam (3), adam (1), rmsprop (5): ties as given


def test_pages():
    order = np.arange(60)
    page = page_of(order, 1, 25)
    assert page.positions.tolist() == list(range(25, 50)) and (page.count, page.current) == (3, 1)
    last = page_of(order, 7, 25)  # past the end (a filter left fewer): the last page
    assert last.current == 2 and last.positions.tolist() == list(range(50, 60))
    assert page_of(np.arange(0), 0, 25).count == 1


def test_table_values_are_what_the_table_shows():
    axes = [ParamAxis("opt", "categorical", ("adam", 3, True))]
    runs = pd.DataFrame({"p:opt": ["adam", 3, True], "prior": [True, False, False],
                         "ignored": [False, True, False]})
    assert figures.runs_table_values(runs, axes, "p:opt").tolist() == ["adam", "3", "true"]
    assert figures.runs_table_values(runs, axes, "mark").tolist() == ["prior", "ignored", ""]
    assert figures.runs_table_values(runs, axes, "ignore_action").tolist() == [
        "ignore", "unignore", "ignore"]
    with pytest.raises(KeyError):
        figures.runs_table_values(runs, axes, "nope")
    assert table_query.parse_filter("  ") is None
