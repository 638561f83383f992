// A Python agent (the sweepd package, spawned with $SWEEPD_PYTHON) and a TypeScript
// agent share one grid sweep: every combination runs once, whichever side ran it.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

import { Agent, silentLogger } from "@sweepd/client";

import { eventually, PYTHON, useStack } from "./stack";

const env = useStack();

const PYTHON_AGENT = `
import sys, time
import sweepd

def train():
    run = sweepd.init()
    time.sleep(0.1)
    for step in range(2):
        run.log({"loss": run.config["a"] * 10 + run.config["lr"] + step, "lang": "python"})

n = sweepd.agent(sys.argv[1], function=train, controller=sys.argv[2])
print("PYTHON_RUNS", n, flush=True)
`;

function runPython(sweepId: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(PYTHON, ["-c", PYTHON_AGENT, sweepId, env.stack.address], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, out }));
  });
}

test("a Python agent and a TypeScript agent share one sweep", { timeout: 45_000 }, async () => {
  const sweep = await env.client.createSweep({
    method: "grid",
    metric: { name: "loss", goal: "minimize" },
    parameters: { a: { values: [1, 2] }, lr: { values: [0.1, 0.01] }, b: { values: ["x", "y"] } },
  });
  const python = runPython(sweep.id);

  let first = true;
  const ts = new Agent(sweep.id, async (run) => {
    if (first) {
      first = false; // hold the first run until the Python agent holds one too
      await eventually(async () => (await env.client.listRuns(sweep.id)).some((r) => r.agentId !== ts.agentId),
        "the Python agent to take a run", 20_000);
    }
    const a = run.config.a as number;
    const lr = run.config.lr as number;
    for (let step = 0; step < 2; step++) run.log({ loss: a * 10 + lr + step, lang: "typescript" });
  }, { client: env.client, logger: silentLogger });
  const tsRuns = await ts.run();
  const py = await python;
  assert.equal(py.code, 0, py.out);
  const match = /PYTHON_RUNS (\d+)/.exec(py.out);
  assert.ok(match, py.out);
  const pyRuns = Number(match[1]);
  assert.ok(pyRuns >= 1 && tsRuns >= 1, `python ${pyRuns}, typescript ${tsRuns}`);
  assert.equal(pyRuns + tsRuns, 8);

  const runs = await env.client.listRuns(sweep.id);
  assert.equal(runs.length, 8);
  const combos = new Set(runs.map((r) => `${r.config.a}/${r.config.lr}/${r.config.b}`));
  assert.equal(combos.size, 8, "every combination exactly once");
  for (const r of runs) {
    assert.equal(r.state, "finished", JSON.stringify(r));
    assert.equal(r.pointCount, 2);
    const expected = (r.config.a as number) * 10 + (r.config.lr as number) + 1;
    assert.ok(Math.abs((r.summary.loss as number) - expected) < 1e-9, `${r.summary.loss} != ${expected}`);
    assert.equal(r.summary.lang, r.agentId === ts.agentId ? "typescript" : "python");
  }
  assert.equal(runs.filter((r) => r.summary.lang === "python").length, pyRuns);
  const done = await env.client.getSweep(sweep.id);
  assert.equal(done.state, "finished");
  assert.equal(done.bestValue, 10.01);
});
