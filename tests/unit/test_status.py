"""sweepd.status, the one table between errors and gRPC statuses: what the controller
encodes, the client decodes as the same class, and statuses of controllers that send
no reason still map by their code."""

from __future__ import annotations

import grpc
import pytest

from sweepd import errors, status
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import types_pb2 as pb

FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION


def _round_trip(error: errors.SweepdError) -> errors.SweepdError:
    code, reason = status.code_of(error)
    violations = [pb.FieldViolation(field=f, description=d) for f, d in error.errors]
    return status.error_of(code, str(error), status.trailers_for(code, str(error), reason, violations))


@pytest.mark.parametrize("kind", [row[0] for row in status.TABLE], ids=lambda k: k.__name__)
def test_every_error_class_comes_back_as_itself(kind):
    back = _round_trip(kind("what happened", [("a.b", "why")]))
    assert type(back) is kind and back.errors == [("a.b", "why")]
    if kind is not errors.Unavailable:  # which names the controller's address
        assert str(back) == "what happened"


def test_every_error_class_has_a_row_before_its_bases():
    rows = [row[0] for row in status.TABLE]
    for i, kind in enumerate(rows):
        assert not any(issubclass(kind, earlier) for earlier in rows[:i]), kind
    assert {c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.SweepdError)
            } - set(rows) == {errors.SweepdError, errors.ConversionError}


def test_a_conversion_error_is_an_invalid_argument_naming_its_path():
    back = _round_trip(errors.ConversionError("points[0].values.x", "non-finite value nan"))
    assert type(back) is errors.InvalidArgument and back.errors == [("points[0].values.x", "non-finite value nan")]


def test_a_status_without_a_reason_maps_by_its_code():
    assert type(status.error_of(FAILED_PRECONDITION, "x", ())) is errors.FailedPrecondition
    assert type(status.error_of(FAILED_PRECONDITION, "x", (), lease_call=True)) is errors.LeaseLost
    assert type(status.error_of(grpc.StatusCode.DEADLINE_EXCEEDED, "x", ())) is errors.Unavailable
    assert type(status.error_of(grpc.StatusCode.INTERNAL, "x", ())) is errors.SweepdError
    legacy = ((status.VIOLATIONS_METADATA_KEY, sweep_pb.ValidateSweepResponse(violations=[
        pb.FieldViolation(field="method", description="cannot change")]).SerializeToString()),)
    refused = status.error_of(FAILED_PRECONDITION, "x", legacy)
    assert type(refused) is errors.RefusedChange and refused.errors == [("method", "cannot change")]


def test_undecodable_details_leave_the_code_to_decide():
    garbage = ((status.DETAILS_METADATA_KEY, b"\xff\xff not a status"),)
    assert type(status.error_of(grpc.StatusCode.NOT_FOUND, "x", garbage)) is errors.NotFound
