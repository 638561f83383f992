"""The errors sweepd raises, as one small hierarchy of plain exceptions.

The controller raises them; `sweepd.status` maps each to a gRPC status code (and a
reason) on the way out, and the client maps the status back to the same class, so
callers of either side catch the same exceptions and never see a raw gRPC error:

    SweepdError
    ├── NotFound                  NOT_FOUND
    ├── AlreadyExists             ALREADY_EXISTS
    ├── InvalidArgument           INVALID_ARGUMENT   (bad input; `errors` names the fields)
    │   ├── OutOfRange            OUT_OF_RANGE
    │   ├── ResourceExhausted     RESOURCE_EXHAUSTED
    │   └── ConversionError       a value that cannot be encoded or decoded (a ValueError too)
    ├── FailedPrecondition        FAILED_PRECONDITION (valid, but not now)
    │   ├── LeaseLost             the caller no longer holds the run
    │   ├── InvalidState          the sweep's state forbids the action
    │   └── RefusedChange         an update the sweep cannot honour (`errors` names the paths)
    ├── PermissionDenied          PERMISSION_DENIED
    ├── Unauthenticated           UNAUTHENTICATED
    └── Unavailable               UNAVAILABLE, DEADLINE_EXCEEDED (retry later)

Every error may carry `errors`: (field path, description) pairs, sent as the
standard google.rpc.BadRequest field violations.
"""

from __future__ import annotations


class SweepdError(Exception):
    """Base of the errors the SDK and the controller raise instead of raw gRPC errors."""

    def __init__(self, message: str = "", errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.errors: list[tuple[str, str]] = list(errors or [])


class NotFound(SweepdError):
    """An unknown sweep or run (or one the caller may not see)."""


class AlreadyExists(SweepdError):
    pass


class InvalidArgument(SweepdError):
    """Bad input; `errors` lists (field path, message) pairs when known."""


class ResourceExhausted(InvalidArgument):
    """A request past one of the controller's limits (more runs asked for and held on
    one stream than allowed, a message over 4 MiB); the message names the limit."""


class OutOfRange(InvalidArgument):
    """A request that does not fit where the target stands now (a metric batch whose
    seq is not the run's next one); the message says what was expected."""


class ConversionError(InvalidArgument, ValueError):
    """A message or dict that cannot be mapped; `path` names the offending field."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}", [(path, message)])
        self.path = path
        self.message = message


class FailedPrecondition(SweepdError):
    """A valid request the target's current state forbids; retrying it as it is will
    not help."""


class LeaseLost(FailedPrecondition):
    """The caller no longer holds the run (lease expired, run ended, wrong token)."""


class InvalidState(FailedPrecondition):
    """An action the sweep's current state forbids (resuming a cancelled sweep,
    requeueing a run of a finished one)."""


class RefusedChange(FailedPrecondition):
    """An update a sweep cannot honour (a change of method, a removed parameter, a
    cancelled sweep, ...); `errors` lists (field path, reason) pairs, all of them."""


class PermissionDenied(SweepdError):
    pass


class Unauthenticated(SweepdError):
    pass


class Unavailable(SweepdError):
    """The controller (or its storage) cannot be reached now; retrying may help."""
