"""The one mapping between sweepd's errors (sweepd.errors) and gRPC statuses, used
both ways: the controller encodes an error with `trailers_for`, the client decodes a
failed call with `error_from`, so each side raises the same classes.

On the wire an error is its status code and message, plus, in the trailing
metadata, the standard `grpc-status-details-bin`: a google.rpc.Status whose details
hold a google.rpc.ErrorInfo (domain "sweepd.dev", `reason` naming the class, e.g.
LEASE_LOST) and, when fields are at fault, a google.rpc.BadRequest listing them. Any
gRPC stack decodes those. The field violations are also sent, as before, in
`sweepd-violations-bin` (a serialized sweepd.v1.ValidateSweepResponse), for clients
written against earlier versions.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import grpc
from google.rpc import error_details_pb2, status_pb2

from sweepd import errors as e
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import types_pb2 as pb

DETAILS_METADATA_KEY = "grpc-status-details-bin"
VIOLATIONS_METADATA_KEY = "sweepd-violations-bin"
ERROR_DOMAIN = "sweepd.dev"

C = grpc.StatusCode
# Error class -> (status code, ErrorInfo reason). Subclasses before their bases: an
# error is sent as the first row it is an instance of, and a reason is read back as
# its row's class.
TABLE: tuple[tuple[type[e.SweepdError], grpc.StatusCode, str], ...] = (
    (e.NotFound, C.NOT_FOUND, "NOT_FOUND"),
    (e.AlreadyExists, C.ALREADY_EXISTS, "ALREADY_EXISTS"),
    (e.ResourceExhausted, C.RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"),
    (e.OutOfRange, C.OUT_OF_RANGE, "OUT_OF_RANGE"),
    (e.InvalidArgument, C.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
    (e.LeaseLost, C.FAILED_PRECONDITION, "LEASE_LOST"),
    (e.InvalidState, C.FAILED_PRECONDITION, "INVALID_STATE"),
    (e.RefusedChange, C.FAILED_PRECONDITION, "REFUSED_CHANGE"),
    (e.FailedPrecondition, C.FAILED_PRECONDITION, "FAILED_PRECONDITION"),
    (e.PermissionDenied, C.PERMISSION_DENIED, "PERMISSION_DENIED"),
    (e.Unauthenticated, C.UNAUTHENTICATED, "UNAUTHENTICATED"),
    (e.Unavailable, C.UNAVAILABLE, "UNAVAILABLE"),
)
_BY_REASON = {reason: kind for kind, _, reason in TABLE}
# A status without a sweepd ErrorInfo (an earlier controller, a proxy): by code alone.
_BY_CODE = {
    C.NOT_FOUND: e.NotFound,
    C.ALREADY_EXISTS: e.AlreadyExists,
    C.INVALID_ARGUMENT: e.InvalidArgument,
    C.OUT_OF_RANGE: e.OutOfRange,
    C.RESOURCE_EXHAUSTED: e.ResourceExhausted,
    C.FAILED_PRECONDITION: e.FailedPrecondition,
    C.PERMISSION_DENIED: e.PermissionDenied,
    C.UNAUTHENTICATED: e.Unauthenticated,
    C.UNAVAILABLE: e.Unavailable,
    C.DEADLINE_EXCEEDED: e.Unavailable,
}


def code_of(error: BaseException) -> tuple[grpc.StatusCode, str] | None:
    """The status code and reason an error is sent with (None: not a sweepd error)."""
    for kind, code, reason in TABLE:
        if isinstance(error, kind):
            return code, reason
    return None


def trailers_for(code: grpc.StatusCode, message: str, reason: str,
                 violations: Sequence[pb.FieldViolation] = ()) -> tuple[tuple[str, bytes], ...]:
    """The trailing metadata of an error status: the google.rpc.Status (its message
    must be the status message, as sent) and, with violations, the legacy copy."""
    status = status_pb2.Status(code=code.value[0], message=message)
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN))
    if violations:
        status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in violations]))
    trailers = [(DETAILS_METADATA_KEY, status.SerializeToString())]
    if violations:
        legacy = sweep_pb.ValidateSweepResponse(violations=violations)
        trailers.append((VIOLATIONS_METADATA_KEY, legacy.SerializeToString()))
    return tuple(trailers)


def _details(trailers: Iterable[tuple[str, bytes]], code: grpc.StatusCode | None
             ) -> tuple[str, list[tuple[str, str]] | None]:
    """The sweepd reason and the field violations a status carries (None: no list)."""
    reason, violations, legacy = "", None, None
    for key, value in trailers:
        if key == DETAILS_METADATA_KEY:
            status = status_pb2.Status.FromString(value)
            if code is not None and status.code != code.value[0]:
                continue  # not this status's details
            for any_ in status.details:
                info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
                if any_.Unpack(info) and info.domain == ERROR_DOMAIN:
                    reason = info.reason
                elif any_.Unpack(bad):
                    violations = [(v.field, v.description) for v in bad.field_violations]
        elif key == VIOLATIONS_METADATA_KEY:
            reply = sweep_pb.ValidateSweepResponse.FromString(value)
            legacy = [(v.field, v.description) for v in reply.violations]
    return reason, violations if violations is not None else legacy


def error_from(err: grpc.RpcError, address: str = "", *, lease_call: bool = False) -> e.SweepdError:
    """The sweepd error a failed call stands for (see `error_of`)."""
    return error_of(err.code() if hasattr(err, "code") else None,
                    err.details() if hasattr(err, "details") else str(err),
                    (err.trailing_metadata() if hasattr(err, "trailing_metadata") else None) or (),
                    address, lease_call=lease_call)


def error_of(code: grpc.StatusCode | None, details: str, trailers: Iterable[tuple[str, bytes]],
             address: str = "", *, lease_call: bool = False) -> e.SweepdError:
    """The sweepd error a status stands for: the class its ErrorInfo reason names,
    else the one its code does. `lease_call` (StartRun, FinishRun, metric batches): a
    FAILED_PRECONDITION without a reason, from a controller that sends none, is a
    lost lease."""
    try:
        reason, violations = _details(trailers, code)
    except Exception:  # noqa: BLE001 - undecodable details: the code alone still says much
        reason, violations = "", None
    kind = _BY_REASON.get(reason) or _BY_CODE.get(code, e.SweepdError)
    if kind is e.FailedPrecondition and not reason:
        kind = e.RefusedChange if violations else (e.LeaseLost if lease_call else kind)
    if kind is e.Unavailable:
        return e.Unavailable(f"controller at {address or '?'} is unreachable: {details}", violations)
    return kind(details or str(code), violations or [])
