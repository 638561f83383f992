/**
 * Typed errors. Every failed call surfaces as a SweepdError subclass that carries the
 * gRPC status code (`code`, `codeName`), the controller's own message (`details`) and
 * its ErrorInfo `reason`; callers never see a raw grpc-js ServiceError. The class is
 * the one the reason names (LEASE_LOST, INVALID_STATE, REFUSED_CHANGE, ...), as in the
 * Python client; field violations come from the google.rpc.BadRequest details.
 */

import { Metadata, status } from "@grpc/grpc-js";

import { decodeValidateSweepResponse } from "./proto";
import { decodeRichStatus, DETAILS_METADATA_KEY, type RichStatus } from "./rpcstatus";

export { DETAILS_METADATA_KEY } from "./rpcstatus";

/**
 * Trailing metadata key with the field violations as a serialized
 * sweepd.v1.ValidateSweepResponse: what controllers sent before the standard details.
 */
export const VIOLATIONS_METADATA_KEY = "sweepd-violations-bin";

/** One error in a request, with the path of the offending field (e.g. "parameters.lr.max"). */
export interface FieldViolation {
  field: string;
  description: string;
}

export class SweepdError extends Error {
  /** The gRPC status code (grpc-js `status`). */
  readonly code: status;
  /** The status message as the controller sent it. */
  readonly details: string;
  /** The ErrorInfo reason the controller sent (e.g. "LEASE_LOST"); "" when none. */
  reason = "";

  constructor(message: string, code: status = status.UNKNOWN, details: string = message) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }

  /** The code's name, e.g. "NOT_FOUND". */
  get codeName(): string {
    return status[this.code] ?? String(this.code);
  }
}

/** NOT_FOUND: an unknown sweep or run. */
export class NotFoundError extends SweepdError {}

/** ALREADY_EXISTS. */
export class AlreadyExistsError extends SweepdError {}

/**
 * INVALID_ARGUMENT (also OUT_OF_RANGE and RESOURCE_EXHAUSTED): a bad config or request.
 * `violations` lists every error with its field path.
 */
export class InvalidArgumentError extends SweepdError {
  readonly violations: FieldViolation[];

  constructor(message: string, violations: FieldViolation[] = [], code: status = status.INVALID_ARGUMENT,
              details: string = message) {
    super(message, code, details);
    this.violations = violations;
  }

  /** The paths of the offending fields. */
  get fields(): string[] {
    return this.violations.map((v) => v.field);
  }
}

/** FAILED_PRECONDITION: the request is valid but the target's state forbids it. */
export class FailedPreconditionError extends SweepdError {}

/** FAILED_PRECONDITION, reason INVALID_STATE: the sweep's state forbids it (resuming a cancelled sweep). */
export class InvalidStateError extends FailedPreconditionError {}

/**
 * FAILED_PRECONDITION from updateSweep: a change the sweep cannot honour (the method,
 * a removed parameter, a cancelled sweep, ...). `violations` lists every refused
 * field path with its reason.
 */
export class RefusedChangeError extends FailedPreconditionError {
  readonly violations: FieldViolation[];

  constructor(message: string, violations: FieldViolation[], code: status = status.FAILED_PRECONDITION,
              details: string = message) {
    super(message, code, details);
    this.violations = violations;
  }

  /** The refused field paths. */
  get fields(): string[] {
    return this.violations.map((v) => v.field);
  }
}

/**
 * FAILED_PRECONDITION on StartRun, FinishRun or a metric report: the caller no longer
 * holds the run (its lease expired and it was crashed, or the run already ended).
 */
export class LeaseLostError extends FailedPreconditionError {}

/** PERMISSION_DENIED. */
export class PermissionDeniedError extends SweepdError {}

/** UNAUTHENTICATED. */
export class UnauthenticatedError extends SweepdError {}

/** UNAVAILABLE or DEADLINE_EXCEEDED: the controller (or its storage) cannot be reached now; retry. */
export class UnavailableError extends SweepdError {}

/** CANCELLED: the call was cancelled. */
export class CancelledError extends SweepdError {}

/** UNIMPLEMENTED: the controller does not offer this call (an older version?). */
export class UnimplementedError extends SweepdError {}

/** INTERNAL, UNKNOWN, DATA_LOSS, ABORTED: the controller failed. */
export class InternalError extends SweepdError {}

/** The shape of a grpc-js ServiceError, as far as this module needs it. */
export interface GrpcErrorLike {
  code?: number;
  details?: string;
  message?: string;
  metadata?: Metadata;
}

/** The rich status a call's trailers carry for its code, if any. */
function richStatusOf(metadata: Metadata | undefined, code: number): RichStatus | undefined {
  for (const raw of metadata?.get(DETAILS_METADATA_KEY) ?? []) {
    const bytes = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
    try {
      const rich = decodeRichStatus(bytes);
      if (rich.code === code) return rich;
    } catch {
      // undecodable: the code alone still says much
    }
  }
  return undefined;
}

function legacyViolationsOf(metadata: Metadata | undefined): FieldViolation[] {
  for (const raw of metadata?.get(VIOLATIONS_METADATA_KEY) ?? []) {
    const bytes = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
    try {
      return decodeValidateSweepResponse(bytes).violations.map((v) => ({
        field: v.field,
        description: v.description,
      }));
    } catch {
      return [];
    }
  }
  return [];
}

export interface ErrorContext {
  /** The controller's address, named in UnavailableError messages. */
  address?: string;
  /**
   * A call about a held run (StartRun, FinishRun, metrics): a FAILED_PRECONDITION
   * without a reason (from a controller that sends none) means the lease is gone.
   */
  leaseCall?: boolean;
}

/** The typed error a gRPC status stands for: the class its ErrorInfo reason names, else its code's. */
export function fromGrpcError(err: GrpcErrorLike, ctx: ErrorContext = {}): SweepdError {
  if (err instanceof SweepdError) return err;
  const code = (typeof err.code === "number" ? err.code : status.UNKNOWN) as status;
  const details = err.details ?? err.message ?? "";
  const rich = richStatusOf(err.metadata, code);
  const violations = rich?.violations ?? legacyViolationsOf(err.metadata);
  const made = errorFor(code, details, rich?.reason ?? "", violations, ctx);
  made.reason = rich?.reason ?? "";
  return made;
}

function errorFor(code: status, details: string, reason: string, violations: FieldViolation[],
                  ctx: ErrorContext): SweepdError {
  switch (code) {
    case status.NOT_FOUND:
      return new NotFoundError(details || "not found", code, details);
    case status.ALREADY_EXISTS:
      return new AlreadyExistsError(details || "already exists", code, details);
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
    case status.RESOURCE_EXHAUSTED:
      return new InvalidArgumentError(details || "invalid argument", violations, code, details);
    case status.FAILED_PRECONDITION: {
      // without a reason (a controller that sends none): a lease call's is a lost lease
      if (reason === "LEASE_LOST" || (!reason && ctx.leaseCall)) {
        return new LeaseLostError(details || "the run is not held by the caller", code, details);
      }
      if (reason === "INVALID_STATE") return new InvalidStateError(details || "invalid state", code, details);
      if (reason === "REFUSED_CHANGE" || (!reason && violations.length)) {
        return new RefusedChangeError(details || "change refused", violations, code, details);
      }
      return new FailedPreconditionError(details || "failed precondition", code, details);
    }
    case status.PERMISSION_DENIED:
      return new PermissionDeniedError(details || "permission denied", code, details);
    case status.UNAUTHENTICATED:
      return new UnauthenticatedError(details || "unauthenticated", code, details);
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return new UnavailableError(
        `controller at ${ctx.address || "?"} is unreachable: ${details || status[code]}`, code, details);
    case status.CANCELLED:
      return new CancelledError(details || "cancelled", code, details);
    case status.UNIMPLEMENTED:
      return new UnimplementedError(details || "unimplemented", code, details);
    default:
      return new InternalError(details || status[code] || "internal error", code, details);
  }
}
