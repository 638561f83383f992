"""Script replies (controller/storage/replies.py): every status word a script answers
becomes a typed result or the domain error, with the message the API gives, so that
no code outside storage reads one. Real scripts' replies are checked against Redis in
tests/integration/test_storage_contract.py; here each word is fed in as Redis returns it."""

from __future__ import annotations

import pytest

from sweepd.controller.storage import replies
from sweepd.controller.storage.replies import (
    Assigned, Claimed, Closed, IndexGeneration, NoRetryWaiting, Reported, Stale,
)
from sweepd.domain import RunState, SweepState
from sweepd.errors import InvalidState, LeaseLost, NotFound, OutOfRange, RefusedChange

RUN_HASH = ["id", "r1", "sweep_id", "s1", "state", "running", "number", "3", "config", "{}"]


def test_assign_run_replies():
    assert replies.assigned(["ok", "7", '{"x": 1}', "2", "note"], "s1") == Assigned(7, {"x": 1}, 2, "note")
    assert replies.assigned(["stale", "3"], "s1") == Stale(3)
    assert replies.assigned(["cap", "finishing"], "s1") == Closed(SweepState.FINISHING, cap=True)
    assert replies.assigned(["state", "paused"], "s1") == Closed(SweepState.PAUSED, cap=False)
    assert replies.assigned(["claimed", ""], "s1") == Claimed()
    assert replies.assigned(["empty", ""], "s1") == NoRetryWaiting()
    with pytest.raises(NotFound, match="^sweep 's1' not found$"):
        replies.assigned(["notfound", ""], "s1")


def test_run_replies_raise_not_found_and_lease_lost():
    run = replies.started(["ok", "running", RUN_HASH, []], "s1", "r1")
    assert (run.id, run.state) == ("r1", RunState.RUNNING)
    run, state = replies.finished(["ok", "finished", "running", RUN_HASH, []], "s1", "r1")
    assert state is SweepState.RUNNING
    with pytest.raises(NotFound, match="^run 'r1' not found in sweep 's1'$"):
        replies.started(["notfound", ""], "s1", "r1")
    with pytest.raises(LeaseLost, match=r"^run 'r1' is not held by the caller \(run is crashed\)$"):
        replies.finished(["lease", "crashed", ""], "s1", "r1")
    with pytest.raises(LeaseLost, match=r"\(run is unknown\)$"):
        replies.started(["lease", ""], "s1", "r1")


def test_report_metrics_replies():
    assert replies.reported(["ok", "0", "running", 4, "2"], "s1", "r1", 5) == Reported(
        duplicate=False, asked_before=False, sweep_state=SweepState.RUNNING, count=4, new=2)
    assert replies.reported(["dup", "1", "finishing", 4, "0"], "s1", "r1", 5).duplicate
    with pytest.raises(OutOfRange, match="^seq: 9 is not the next batch of run 'r1'; expected 5 ") as gap:
        replies.reported(["gap", "4", ""], "s1", "r1", 9)
    assert gap.value.errors == [("seq", "expected 5")]
    with pytest.raises(LeaseLost):
        replies.reported(["lease", "finished", ""], "s1", "r1", 1)
    with pytest.raises(NotFound):
        replies.reported(["notfound", "", ""], "s1", "r1", 1)


def test_sweep_replies():
    assert replies.state_set(["ok", "paused"], "s1", "pause") is SweepState.PAUSED
    with pytest.raises(InvalidState, match="^cannot resume a sweep that is cancelled$"):
        replies.state_set(["bad", "cancelled"], "s1", "resume")
    with pytest.raises(NotFound):
        replies.state_set(["notfound", ""], "s1", "pause")
    assert replies.updated(["ok", "running"], "s1") is SweepState.RUNNING
    assert replies.updated(["stale", "4"], "s1") == Stale(4)
    with pytest.raises(RefusedChange, match="^cannot update a sweep that is cancelled$") as refused:
        replies.updated(["state", "cancelled"], "s1")
    assert refused.value.errors == [("sweep_id", "the sweep is cancelled")]


def test_run_curation_and_expiry_replies():
    assert replies.requeued(["ok", 3], "s1", "r1") == 3
    with pytest.raises(NotFound, match="^run 'r1' not found"):
        replies.requeued(["norun", ""], "s1", "r1")
    with pytest.raises(NotFound, match="^sweep 's1' not found"):
        replies.requeued(["notfound", ""], "s1", "r1")
    with pytest.raises(InvalidState, match="^cannot requeue a run of a sweep that is finished$"):
        replies.requeued(["state", "finished"], "s1", "r1")
    assert replies.ignored(["ok", "r2"], "s1", "r1") == "r2"
    with pytest.raises(NotFound):
        replies.ignored(["notfound", ""], "s1", "r1")
    assert replies.expired(["crashed", "finishing"]) is SweepState.FINISHING
    assert replies.expired(["alive", ""]) is None and replies.expired(["gone", ""]) is None


def test_stopping_index_replies():
    assert replies.index_reset(["ok", "5"]) == IndexGeneration("5", new=True)
    assert replies.index_reset(["same", "5"]) == IndexGeneration("5", new=False)
    assert replies.index_reset(["stale", "2"]) is None and replies.index_reset(["notfound", ""]) is None
    assert [s.value for s in replies.IndexState] == ["ok", "other", "building", "over", "broken"]
