/**
 * Loads the contract (proto/sweepd/v1/*.proto) at run time with @grpc/proto-loader.
 *
 * Where the .proto files are looked for, first found wins:
 *   1. $SWEEPD_PROTO_DIR (a directory holding sweepd/v1/*.proto);
 *   2. the package's own proto/ (copied there by `npm run build`);
 *   3. the sweepd checkout the package sits in (../../proto from the package).
 */

import * as fs from "fs";
import * as path from "path";
import * as protoLoader from "@grpc/proto-loader";

import type { PbValidateSweepResponse } from "./wire";

const FILES = [
  "sweepd/v1/sweep_service.proto",
  "sweepd/v1/agent_service.proto",
  "sweepd/v1/metric_service.proto",
];

/**
 * How messages are mapped to JS objects (see wire.ts). scripts/gen_proto.sh generates
 * src/gen with the same options (--keepCase --longs=String --enums=String --defaults
 * --oneofs): change both together.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export type MethodDefinition = protoLoader.MethodDefinition<object, object>;

export interface Methods {
  sweeps: Record<string, MethodDefinition>;
  agents: Record<string, MethodDefinition>;
  metrics: Record<string, MethodDefinition>;
}

const PACKAGE_ROOT = path.resolve(__dirname, "..");

/** The directory the .proto files are loaded from. */
export function protoDir(): string {
  const candidates = [
    process.env.SWEEPD_PROTO_DIR,
    path.join(PACKAGE_ROOT, "proto"),
    path.resolve(PACKAGE_ROOT, "..", "..", "proto"),
  ].filter((d): d is string => !!d);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, FILES[1]))) return dir;
  }
  throw new Error(
    `sweepd: the .proto files were not found (looked in ${candidates.join(", ")}); ` +
      "run `npm run build` or set SWEEPD_PROTO_DIR",
  );
}

let cached: Methods | undefined;

function service(def: protoLoader.PackageDefinition, name: string): Record<string, MethodDefinition> {
  const svc = def[name];
  if (!svc || "format" in svc) throw new Error(`sweepd: ${name} is not a service in the loaded proto`);
  return svc as unknown as Record<string, MethodDefinition>;
}

/** The three services' method definitions (path, serializers), loaded once. */
export function methods(): Methods {
  if (!cached) {
    const def = protoLoader.loadSync(FILES, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
    cached = {
      sweeps: service(def, "sweepd.v1.SweepService"),
      agents: service(def, "sweepd.v1.AgentService"),
      metrics: service(def, "sweepd.v1.MetricService"),
    };
  }
  return cached;
}

/** Decodes a serialized sweepd.v1.ValidateSweepResponse (the `sweepd-violations-bin` trailer). */
export function decodeValidateSweepResponse(bytes: Buffer): PbValidateSweepResponse {
  const m = methods().sweeps.ValidateSweep;
  return m.responseDeserialize(bytes) as PbValidateSweepResponse;
}
