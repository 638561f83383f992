"""The runs table for export (sweepd.export): columns, nested parameters, typed
cells, CSV injection, unicode, and that `--prior-runs` reads the CSV back."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import replace

from sweepd.config import parse_config
from sweepd.domain import Run, RunState
from sweepd.export import RUN_COLUMNS, csv_cell, iso_utc, run_rows, to_csv, to_json
from sweepd.prior import read_csv

CONFIG = parse_config({
    "method": "random",
    "metric": {"name": "loss"},
    "parameters": {
        "lr": {"min": 0.001, "max": 0.1},
        "opt": {"parameters": {"name": {"values": ["adam", "=cmd|' /C calc'!A0"]},
                               "beta": {"min": 0.8, "max": 0.99}}},
        "shape": {"values": [{"w": 1, "h": 2}, {"w": 3, "h": 4}]},
    },
})


def make_runs() -> list[Run]:
    return [
        Run(id="r2", sweep_id="s", state=RunState.RUNNING, number=2,
            config={"lr": -0.5, "opt": {"name": "=cmd|' /C calc'!A0", "beta": 0.9},
                    "shape": {"w": 3, "h": 4}},
            created_at=1_700_000_100.0, started_at=1_700_000_101.0,
            summary={"loss": math.inf, "note": "@SUM(A1)", "ünï": "日本語 ok"}),
        Run(id="r1", sweep_id="s", state=RunState.FINISHED, number=1,
            config={"lr": 0.01, "opt": {"name": "adam", "beta": 0.95}, "shape": {"w": 1, "h": 2}},
            created_at=1_700_000_000.0, started_at=1_700_000_000.5, ended_at=1_700_000_060.75,
            summary={"loss": 0.25, "val": {"acc": 0.9}, "hist": [1, 2]},
            prior=True, ignored=True, config_version=2),
    ]


def parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_columns_are_run_fields_then_sorted_config_then_sorted_summary():
    header, rows = run_rows(make_runs(), CONFIG)
    assert header == [*RUN_COLUMNS, "config.lr", "config.opt.beta", "config.opt.name",
                      "config.shape", "summary.hist", "summary.loss", "summary.note",
                      "summary.val.acc", "summary.ünï"]
    assert [r["ID"] for r in rows] == ["r1", "r2"]  # by run number
    first = rows[0]
    assert first["config.opt.beta"] == 0.95 and first["config.shape"] == {"w": 1, "h": 2}
    assert first["summary.val.acc"] == 0.9 and first["summary.note"] is None
    assert (first["Prior"], first["Ignored"], first["Config Version"]) == (True, True, 2)


def test_timings_are_iso_utc_and_runtime_is_seconds():
    _, rows = run_rows(make_runs(), CONFIG)
    done, running = rows
    assert done["Created"] == "2023-11-14T22:13:20.000Z"
    assert done["Started"] == "2023-11-14T22:13:20.500Z"
    assert done["Ended"] == "2023-11-14T22:14:20.750Z"
    assert done["Runtime"] == 60.25
    assert running["Ended"] is None and running["Runtime"] is None
    assert iso_utc(None) is None


def test_runtime_is_to_the_millisecond_whichever_way_the_times_were_read():
    # 1700000000.3 - 1700000000.1 is 0.2000000476837158 in floats
    run = Run(id="r", sweep_id="s", state=RunState.FINISHED, config={},
              started_at=1_700_000_000.1, ended_at=1_700_000_000.3)
    assert run_rows([run])[1][0]["Runtime"] == 0.2


def test_without_the_sweep_config_every_nested_dict_is_flattened():
    header, _ = run_rows(make_runs())
    assert "config.shape.w" in header and "config.opt.name" in header


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted():
    rows = parsed(to_csv(make_runs(), CONFIG))
    header, running = rows[0], rows[2]
    cell = dict(zip(header, running))
    assert cell["config.opt.name"] == "'=cmd|' /C calc'!A0"
    assert cell["summary.note"] == "'@SUM(A1)"
    for text in ("+1", "-x", "=1", "@a", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("a=b") == "a=b" and csv_cell("") == ""
    # numbers are not text: a negative number stays a number
    assert cell["config.lr"] == "-0.5" and csv_cell(-3) == "-3"
    assert not any(c.startswith(("=", "+", "@")) for row in rows for c in row)


def test_csv_cells_are_typed_text_and_unicode_survives():
    text = to_csv(make_runs(), CONFIG)
    rows = parsed(text)
    done = dict(zip(rows[0], rows[1]))
    running = dict(zip(rows[0], rows[2]))
    assert (done["Prior"], done["Ignored"], done["Runtime"]) == ("true", "true", "60.25")
    assert json.loads(done["config.shape"]) == {"w": 1, "h": 2}
    assert done["summary.hist"] == "[1, 2]" and done["summary.note"] == ""
    assert running["summary.loss"] == "inf"
    assert running["summary.ünï"] == "日本語 ok"
    assert text.encode("utf-8").decode("utf-8") == text


def test_json_rows_keep_types_and_write_non_finite_numbers_as_strings():
    rows = json.loads(to_json(make_runs(), CONFIG))
    assert rows[0]["Runtime"] == 60.25 and rows[0]["Prior"] is True
    assert rows[0]["config.shape"] == {"w": 1, "h": 2}
    assert rows[1]["summary.loss"] == "inf" and rows[1]["Ended"] is None
    assert rows[1]["summary.ünï"] == "日本語 ok"
    assert rows[1]["config.opt.name"] == "=cmd|' /C calc'!A0"  # JSON is not a spreadsheet
    assert set(rows[0]) == set(rows[1])


def test_an_empty_sweep_gives_a_header_only():
    assert parsed(to_csv([], CONFIG)) == [[*RUN_COLUMNS, "config.lr", "config.opt.beta",
                                           "config.opt.name", "config.shape"]]
    assert json.loads(to_json([])) == []


def test_the_csv_reads_back_as_prior_runs(tmp_path):
    path = tmp_path / "runs.csv"
    runs = [replace(r, ignored=False) for r in make_runs()]  # an ignored row is skipped
    path.write_text(to_csv(runs, CONFIG), encoding="utf-8")
    first, second = read_csv(str(path), CONFIG)
    assert first.config == {"lr": 0.01, "opt.name": "adam", "opt.beta": 0.95,
                            "shape": {"w": 1, "h": 2}}
    assert first.summary == {"loss": 0.25, "val.acc": 0.9, "hist": [1, 2]}
    assert second.config["opt.name"] == "=cmd|' /C calc'!A0"  # the quote is taken off
    assert second.summary["note"] == "@SUM(A1)"
    assert first.origin == "runs.csv row 2 (r1)"
