/**
 * sweepd.v1.Value <-> plain JS values.
 *
 * JS has one number type, so on the way out an integral number (within 2^53) becomes
 * `int_value` and any other number `double_value`; wrap a number in `double(x)` to send
 * an integral value as a float (e.g. a learning rate of 1.0), or pass a bigint for
 * integers beyond 2^53. On the way in, int_value becomes a number (a bigint when it
 * does not fit in a double exactly) and nested maps and lists become objects and arrays.
 */

import { InvalidArgumentError } from "./errors";
import type { PbTimestamp, PbTimestampIn, PbValue, PbValueIn } from "./wire";

/** A number to be sent as a float even when it is integral. */
export class Double {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** Marks `x` as a float: `{ min: double(1), max: double(10) }` is a uniform, not an int_uniform. */
export function double(x: number): Double {
  return new Double(x);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function bad(path: string, description: string): InvalidArgumentError {
  return new InvalidArgumentError(`${path}: ${description}`, [{ field: path, description }]);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** A JS value as a sweepd.v1.Value; `path` names it in errors. */
export function toValue(x: unknown, path = "value"): PbValueIn {
  if (x === null || x === undefined) return { null_value: true };
  if (typeof x === "boolean") return { bool_value: x };
  if (x instanceof Double) return { double_value: x.value };
  if (typeof x === "number") {
    return Number.isSafeInteger(x) ? { int_value: x } : { double_value: x };
  }
  if (typeof x === "bigint") {
    if (x < INT64_MIN || x > INT64_MAX) throw bad(path, "integer out of the 64-bit range");
    return { int_value: x.toString() };
  }
  if (typeof x === "string") return { string_value: x };
  if (Array.isArray(x)) return { list_value: { items: x.map((v, i) => toValue(v, `${path}[${i}]`)) } };
  if (x instanceof Map) {
    const fields: Record<string, PbValueIn> = {};
    for (const [k, v] of x) fields[String(k)] = toValue(v, `${path}.${String(k)}`);
    return { map_value: { fields } };
  }
  if (isPlainObject(x)) {
    const fields: Record<string, PbValueIn> = {};
    for (const [k, v] of Object.entries(x)) fields[k] = toValue(v, `${path}.${k}`);
    return { map_value: { fields } };
  }
  const kind = typeof x === "object" ? (x as object).constructor?.name ?? "object" : typeof x;
  throw bad(path, `unsupported value type ${kind}`);
}

/**
 * The path of the first non-finite number in a Value, however deep in maps and lists
 * (e.g. "x.y[2]"), or undefined when every number is finite: the controller refuses
 * a metric batch holding one, naming that path.
 */
export function nonFinitePath(v: PbValueIn, path: string): string | undefined {
  if (v.double_value !== undefined && !Number.isFinite(v.double_value)) return path;
  for (const [i, item] of (v.list_value?.items ?? []).entries()) {
    const found = nonFinitePath(item, `${path}[${i}]`);
    if (found) return found;
  }
  for (const [k, item] of Object.entries(v.map_value?.fields ?? {})) {
    const found = nonFinitePath(item, `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}

function int64FromWire(v: string | number | undefined): number | bigint {
  if (v === undefined) return 0;
  if (typeof v === "number") return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
}

/** A sweepd.v1.Value as a plain JS value. */
export function fromValue(v: PbValue | null | undefined): unknown {
  if (!v) return null;
  switch (v.kind) {
    case "double_value":
      return v.double_value ?? 0;
    case "int_value":
      return int64FromWire(v.int_value);
    case "string_value":
      return v.string_value ?? "";
    case "bool_value":
      return v.bool_value ?? false;
    case "map_value":
      return valuesFromProto(v.map_value?.fields ?? {});
    case "list_value":
      return (v.list_value?.items ?? []).map(fromValue);
    default:
      return null;
  }
}

export function valuesToProto(values: Record<string, unknown>, prefix = ""): Record<string, PbValueIn> {
  const out: Record<string, PbValueIn> = {};
  for (const [k, v] of Object.entries(values)) out[k] = toValue(v, `${prefix}${k}`);
  return out;
}

export function valuesFromProto(values: Record<string, PbValue> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values ?? {})) out[k] = fromValue(v);
  return out;
}

/** A google.protobuf.Timestamp for a time in ms since the epoch. */
export function toTimestamp(ms: number): PbTimestampIn {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** A Timestamp as a Date; undefined when unset. */
export function fromTimestamp(ts: PbTimestamp | null | undefined): Date | undefined {
  if (!ts) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6));
}

/** An int64 off the wire as a number (counts and steps fit). */
export function int64ToNumber(v: string | number | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}
