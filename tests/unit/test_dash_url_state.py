"""Links that keep state (the query strings of `url_state`) and the sweeps list's
projects, as plain functions."""

from __future__ import annotations

from dash import no_update

from sweepd.dash_ui import sweeps_list, url_state
from sweepd.dash_ui.url_state import ListState, SweepState


def test_a_sweep_view_survives_the_round_trip_through_its_query_string():
    state = SweepState(key="val loss", goal="maximize", x="number", yscale="log", yrange="all",
                       ranges={"lr": [[-3.25, -2.0], [-1.0, -0.5]], "loss & acc": [[0.1, 0.4]]},
                       filter='{state} contains "fin" && {p:lr} > 0.001',
                       sort=[{"column_id": "p:lr", "direction": "asc"}])
    query = url_state.sweep_query(state, default_key="loss", default_goal="minimize")
    assert query.startswith("?key=val%20loss&goal=maximize&x=number&y=log&range=all&brush=")
    assert url_state.parse_sweep(query) == state


def test_a_default_view_has_a_plain_url():
    assert url_state.sweep_query(SweepState(key="loss", goal="minimize"), default_key="loss",
                                 default_goal="minimize") == ""
    assert url_state.parse_sweep("") == SweepState()
    assert url_state.parse_sweep(None).sort == url_state.DEFAULT_SORT
    unsorted = url_state.sweep_query(SweepState(sort=[]))
    assert unsorted == "?sort=none" and url_state.parse_sweep(unsorted).sort == []


def test_a_malformed_query_opens_what_it_can():
    state = url_state.parse_sweep(
        "?goal=sideways&y=cubic&range=some&x=later&brush=1~2&brush=a~b:lr&brush=nan~1:lr"
        "&brush=0~inf:lr&brush=1~2:layers&sort=state:upward&sort=:asc&key=acc&%ZZ=1")
    assert state == SweepState(key="acc", ranges={"layers": [[1.0, 2.0]]})
    assert url_state.parse_sweep("?key=" + "x" * 20_000) == SweepState()


def test_a_brush_label_may_hold_any_character():
    label = "opt: beta,1~2 &amp; <b>"
    query = url_state.sweep_query(SweepState(ranges={label: [[2.0, 1.0]]}))
    assert url_state.parse_sweep(query).ranges == {label: [[1.0, 2.0]]}


def test_the_components_values_make_a_state():
    state = url_state.state_of_inputs("loss", "minimize", "time", "log", None,
                                      {"ranges": {"lr": [[[-3, -2]]], "opt": []}, "epoch": 2},
                                      "{state} = running", None)
    assert state == SweepState(key="loss", goal="minimize", yscale="log",
                               ranges={"lr": [[-3.0, -2.0]]}, filter="{state} = running", sort=[])


def test_the_sweeps_lists_query_string():
    assert url_state.list_query(ListState()) == ""
    query = url_state.list_query(ListState(text=" mnist lr ", project="alpha"))
    assert query == "?q=mnist%20lr&project=alpha"
    assert url_state.parse_list(query) == ListState(text="mnist lr", project="alpha")


# ---------------------------------------------------------------- projects


def row(sweep_id: str, project: str, name: str) -> dict:
    return {"id": sweep_id, "name": name, "sweep": sweep_id, "project": project,
            "method": "grid", "state": "running", "runs": "1 running", "metric": "loss",
            "best": 0.5, "best_run": "r1", "created": "2026-01-01 00:00:00", "elapsed": "5s"}


ROWS = [row("s3", "beta", "b-new"), row("s2", "alpha", "a-new"), row("s1", "beta", "b-old"),
        row("s0", "alpha", "a-old")]


def texts(node) -> list[str]:
    """Every string in a component tree, depth first."""
    if isinstance(node, str):
        return [node]
    children = getattr(node, "children", None)
    if children is None:
        return []
    if not isinstance(children, (list, tuple)):
        children = [children]
    return [t for c in children for t in texts(c)]


def test_the_project_filter_keeps_one_projects_sweeps():
    table, note, _ = sweeps_list.refresh(ROWS, None, None, project="alpha")
    shown = texts(table)
    assert "a-new" in shown and "a-old" in shown and "b-new" not in shown
    assert note == ""
    assert "project" in shown  # without a login, a project column
    _, empty, _ = sweeps_list.refresh(ROWS, None, None, project="gamma")
    assert empty == "No sweeps in project gamma."
    assert sweeps_list.projects(ROWS) == ["alpha", "beta"]


def test_grouped_rows_come_under_a_heading_per_project_newest_first():
    table, _, store = sweeps_list.refresh(ROWS, None, None, grouped=True)
    shown = [t for t in texts(table) if t.startswith("project ") or t in
             ("a-new", "a-old", "b-new", "b-old")]
    assert shown == ["project alpha", "a-new", "a-old", "project beta", "b-new", "b-old"]
    assert "project" not in texts(table)  # the heading says it: no project column
    assert sweeps_list.refresh(ROWS, None, store, grouped=True)[:2] == (no_update, no_update)
    ungrouped = sweeps_list.refresh(ROWS, None, store)
    assert ungrouped[0] is not no_update  # another layout: the table is sent again


def test_the_filter_text_matches_the_project_too():
    assert [r["id"] for r in sweeps_list.matching(ROWS, "beta new")] == ["s3"]


def test_a_links_table_filter_and_sort_must_name_the_tables_columns():
    columns = [{"id": "number"}, {"id": "p:lr"}, {"id": "state"}]
    state = url_state.parse_sweep("?filter=%7Bp:lr%7D%20%3E%200.01%20%26%26%20%7Bstate%7D%20%3D%20x"
                                  "&sort=p:lr:asc&sort=gone:desc")
    kept = url_state.for_columns(state, columns)
    assert kept.filter == "{p:lr} > 0.01 && {state} = x"
    assert kept.sort == [{"column_id": "p:lr", "direction": "asc"}]
    assert url_state.for_columns(state, None).filter == ""  # columns unknown: no filter
    unknown = url_state.parse_sweep("?filter=%7Bnope%7D%20%3E%201")
    assert url_state.for_columns(unknown, columns).filter == ""
    assert url_state.for_columns(url_state.parse_sweep("?filter=garbage"), columns).filter == ""
    assert url_state.for_columns(SweepState(), None).sort == url_state.DEFAULT_SORT
