/**
 * Reads the standard rich error status every sweepd error carries: the trailing
 * metadata key `grpc-status-details-bin`, a serialized google.rpc.Status whose details
 * hold a google.rpc.ErrorInfo (domain "sweepd.dev", `reason` naming the kind of
 * error) and, when fields are at fault, a google.rpc.BadRequest listing them.
 *
 * The three messages are declared here by their field numbers (only what is read),
 * so no googleapis .proto files are needed.
 */

import { Root, type Type } from "protobufjs";

export const DETAILS_METADATA_KEY = "grpc-status-details-bin";
export const ERROR_DOMAIN = "sweepd.dev";

const ROOT = Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: "int32", id: 1 },
                message: { type: "string", id: 2 },
                details: { rule: "repeated", type: "google.protobuf.Any", id: 3 },
              },
            },
            ErrorInfo: {
              fields: { reason: { type: "string", id: 1 }, domain: { type: "string", id: 2 } },
            },
            BadRequest: {
              fields: { field_violations: { rule: "repeated", type: "FieldViolation", id: 1 } },
              nested: {
                FieldViolation: {
                  fields: { field: { type: "string", id: 1 }, description: { type: "string", id: 2 } },
                },
              },
            },
          },
        },
      },
    },
  },
});

const STATUS = ROOT.lookupType("google.rpc.Status");
const ERROR_INFO = ROOT.lookupType("google.rpc.ErrorInfo");
const BAD_REQUEST = ROOT.lookupType("google.rpc.BadRequest");

/** What a google.rpc.Status says beyond its code and message. */
export interface RichStatus {
  code: number;
  message: string;
  /** ErrorInfo.reason when its domain is sweepd's ("" when there is none). */
  reason: string;
  /** BadRequest's field violations (undefined when there is no BadRequest). */
  violations?: { field: string; description: string }[];
}

function plain<T>(type: Type, bytes: Uint8Array): T {
  return type.toObject(type.decode(bytes), { defaults: true, bytes: Buffer }) as T;
}

/** Decodes a serialized google.rpc.Status (throws on bytes that are not one). */
export function decodeRichStatus(bytes: Uint8Array): RichStatus {
  const status = plain<{ code: number; message: string; details: { type_url: string; value: Buffer }[] }>(
    STATUS, bytes);
  const out: RichStatus = { code: status.code, message: status.message, reason: "" };
  for (const detail of status.details) {
    const name = detail.type_url.slice(detail.type_url.lastIndexOf("/") + 1);
    if (name === "google.rpc.ErrorInfo") {
      const info = plain<{ reason: string; domain: string }>(ERROR_INFO, detail.value);
      if (info.domain === ERROR_DOMAIN) out.reason = info.reason;
    } else if (name === "google.rpc.BadRequest") {
      const bad = plain<{ field_violations: { field: string; description: string }[] }>(BAD_REQUEST, detail.value);
      out.violations = bad.field_violations.map((v) => ({ field: v.field, description: v.description }));
    }
  }
  return out;
}
