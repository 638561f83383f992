/**
 * A private Redis (on a unix socket, never localhost:6379) and a sweepd controller for
 * the tests, started with $SWEEPD_PYTHON (default python3), which must have sweepd.
 */

import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before } from "node:test";

import { Client, type ClientOptions } from "@sweepd/client";

export const PYTHON = process.env.SWEEPD_PYTHON || "python3";
const REDIS_SERVER = process.env.SWEEPD_REDIS_SERVER || "redis-server";

export interface StackOptions {
  /** The controller's --lease-seconds (default 3). */
  leaseSeconds?: number;
  /** More controller arguments (e.g. --auth, --tls-cert ...). */
  controllerArgs?: string[];
}

export interface Stack {
  /** HOST:PORT of the controller. */
  address: string;
  /** unix:///... of the private Redis. */
  redisUrl: string;
  dir: string;
  /** Kills the controller (SIGKILL: a crash, nothing cleaned up). */
  killController(): Promise<void>;
  /** Starts a controller again on the same port and Redis. */
  startController(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once("exit", () => resolve()));
}

async function terminate(proc: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
  await exited(proc);
  clearTimeout(timer);
}

/** Resolves when `proc` prints a line matching `pattern`; rejects if it exits first or after `ms`. */
function waitForOutput(proc: ChildProcess, pattern: RegExp, what: string, log: string[], ms = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`${what} exited (${code}) before it was ready:\n${log.join("")}`));
    const timer = setTimeout(() => finish(new Error(`${what} not ready after ${ms} ms:\n${log.join("")}`)), ms);
    function finish(err?: Error) {
      clearTimeout(timer);
      proc.stdout?.off("data", onData);
      proc.off("exit", onExit);
      if (err) reject(err);
      else resolve();
    }
    proc.stdout?.on("data", onData);
    proc.once("exit", onExit);
  });
}

async function waitForFile(file: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const leaseSeconds = options.leaseSeconds ?? 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sweepd-ts-"));
  const socket = path.join(dir, "redis.sock");
  const redisLog: string[] = [];
  const redis = spawn(REDIS_SERVER, [
    "--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no", "--daemonize", "no",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  redis.stdout!.on("data", (d: Buffer) => redisLog.push(d.toString()));
  redis.stderr!.on("data", (d: Buffer) => redisLog.push(d.toString()));
  try {
    await waitForFile(socket, 10_000);
  } catch (err) {
    await terminate(redis);
    throw new Error(`redis-server did not start: ${(err as Error).message}\n${redisLog.join("")}`);
  }

  const port = await freePort();
  let controller: ChildProcess | undefined;
  const controllerLog: string[] = [];

  async function startController(): Promise<void> {
    const proc = spawn(PYTHON, [
      "-m", "sweepd.cli", "controller", "--host", "127.0.0.1", "--port", String(port),
      "--redis-url", `unix://${socket}`, "--lease-seconds", String(leaseSeconds),
      ...(options.controllerArgs ?? []),
    ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" } });
    proc.stdout!.on("data", (d: Buffer) => controllerLog.push(d.toString()));
    proc.stderr!.on("data", (d: Buffer) => controllerLog.push(d.toString()));
    controller = proc;
    await waitForOutput(proc, /sweepd controller listening on/, `controller (${PYTHON})`, controllerLog);
  }

  const stack: Stack = {
    address: `127.0.0.1:${port}`,
    redisUrl: `unix://${socket}`,
    dir,
    async killController() {
      if (controller) await terminate(controller, "SIGKILL");
    },
    startController,
    async stop() {
      if (controller) await terminate(controller);
      await terminate(redis);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await startController();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/** A test file's stack and a client of its controller (see useStack). */
export interface StackAndClient {
  readonly stack: Stack;
  readonly client: Client;
}

/**
 * One stack and one client for the tests of a file: started by a `before` hook (then
 * `setup`, if given, in the same hook), the client closed and the stack stopped by an
 * `after` hook (node:test's, registered where this is called). Read `stack` and
 * `client` inside tests. (A second top-level `before` would not wait for this one:
 * node runs a file's top-level hooks as they are registered. Use `setup`.)
 */
export function useStack(
  options: StackOptions & { client?: ClientOptions } = {},
  setup?: (env: StackAndClient) => Promise<void>,
): StackAndClient {
  let stack: Stack | undefined;
  let client: Client | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the stack starts in a before hook: use it inside tests");
    return value;
  };
  const env: StackAndClient = {
    get stack() { return started(stack); },
    get client() { return started(client); },
  };
  before(async () => {
    stack = await startStack(options);
    client = new Client(stack.address, options.client);
    await setup?.(env);
  });
  after(async () => {
    client?.close();
    await stack?.stop();
  });
  return env;
}

/** Polls `check` until it returns a value other than undefined/false; throws after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A promise with its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
