// A controller started with --auth (API keys per project) and one with TLS: the
// TypeScript client sends its key on every call, the agent's stream included, and
// talks TLS given the CA certificate.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { status } from "@grpc/grpc-js";

import {
  agent,
  Client,
  NotFoundError,
  PermissionDeniedError,
  silentLogger,
  UnauthenticatedError,
  UnavailableError,
} from "@sweepd/client";

import { PYTHON, startStack, type Stack } from "./stack";

function createKey(stack: Stack, project: string, readOnly = false): string {
  const args = ["-m", "sweepd.cli", "keys", "create", "--project", project, "--redis-url", stack.redisUrl];
  if (readOnly) args.push("--read-only");
  const out = spawnSync(PYTHON, args, { encoding: "utf8" });
  const key = /sk_\S+/.exec(out.stdout)?.[0];
  assert.ok(key, `sweepd keys create: ${out.stdout}${out.stderr}`);
  return key;
}

describe("with --auth", () => {
  let stack: Stack;
  const clients: Client[] = [];
  const clientWith = (apiKey?: string) => {
    const c = new Client(stack.address, { apiKey, retries: 0 });
    clients.push(c);
    return c;
  };

  before(async () => {
    stack = await startStack({ controllerArgs: ["--auth"] });
  });

  after(async () => {
    for (const c of clients) c.close();
    await stack?.stop();
  });

  test("no key or a wrong key is UnauthenticatedError", async () => {
    const err = await clientWith().listSweeps().catch((e: unknown) => e);
    assert.ok(err instanceof UnauthenticatedError, String(err));
    assert.equal(err.code, status.UNAUTHENTICATED);
    await assert.rejects(clientWith("sk_nosuchkey_nosecret").listSweeps(), UnauthenticatedError);
  });

  test("a project's key creates sweeps there and runs them as an agent; others see nothing", async () => {
    const alpha = clientWith(createKey(stack, "alpha"));
    const sweep = await alpha.createSweep({ method: "grid", parameters: { a: { values: [1, 2] } } });
    assert.equal(sweep.config.project, "alpha");
    assert.equal(await agent(sweep.id, (run) => run.log({ loss: run.config.a }), { client: alpha, logger: silentLogger }), 2);
    const runs = await alpha.listRuns(sweep.id);
    assert.deepEqual(runs.map((r) => [r.state, r.pointCount]), [["finished", 1], ["finished", 1]]);

    const beta = clientWith(createKey(stack, "beta"));
    await assert.rejects(beta.getSweep(sweep.id), NotFoundError);
    assert.deepEqual(await beta.listSweeps(), []);
    await assert.rejects(beta.createSweep({ method: "grid", project: "alpha", parameters: { a: { value: 1 } } }),
      PermissionDeniedError);

    const reader = clientWith(createKey(stack, "alpha", true));
    assert.equal((await reader.listRuns(sweep.id)).length, 2);
    await assert.rejects(reader.cancelSweep(sweep.id), PermissionDeniedError);
    const more = await alpha.createSweep({ method: "grid", parameters: { a: { value: 1 } } });
    await assert.rejects(agent(more.id, () => {}, { client: reader, logger: silentLogger }), PermissionDeniedError);
  });

  test("the key can come from $SWEEPD_API_KEY", async () => {
    const saved = process.env.SWEEPD_API_KEY;
    process.env.SWEEPD_API_KEY = createKey(stack, "gamma");
    try {
      const c = clientWith();
      const sweep = await c.createSweep({ method: "random", parameters: { a: { value: 1 } } });
      assert.equal(sweep.config.project, "gamma");
    } finally {
      if (saved === undefined) delete process.env.SWEEPD_API_KEY;
      else process.env.SWEEPD_API_KEY = saved;
    }
  });
});

describe("with TLS", () => {
  let stack: Stack;
  let certDir: string;

  before(async () => {
    certDir = fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), "sweepd-ts-tls-"));
    const made = spawnSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", path.join(certDir, "key.pem"), "-out", path.join(certDir, "cert.pem"),
    ], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    stack = await startStack({
      controllerArgs: ["--tls-cert", path.join(certDir, "cert.pem"), "--tls-key", path.join(certDir, "key.pem")],
    });
  });

  after(async () => {
    await stack?.stop();
    fs.rmSync(certDir, { recursive: true, force: true });
  });

  test("the client talks TLS given the CA certificate, and not in plaintext", async () => {
    const secure = new Client(stack.address, { tlsCa: path.join(certDir, "cert.pem") });
    const plain = new Client(stack.address, { retries: 0, timeoutMs: 3_000 });
    try {
      const sweep = await secure.createSweep({ method: "grid", parameters: { a: { values: [1] } } });
      assert.equal(await agent(sweep.id, (run) => run.log({ loss: 1 }), { client: secure, logger: silentLogger }), 1);
      assert.equal((await secure.listRuns(sweep.id))[0].state, "finished");
      await assert.rejects(plain.getSweep(sweep.id), UnavailableError);
    } finally {
      secure.close();
      plain.close();
    }
  });
});
