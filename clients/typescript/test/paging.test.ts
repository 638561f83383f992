// Listings come in pages (AIP-158): listRuns and getRunMetrics read every page, in
// order; one page at a time with listRunsPage / getRunMetricsPage; a token of another
// request is refused naming page_token.

import assert from "node:assert/strict";
import { test } from "node:test";

import { agent, InvalidArgumentError, silentLogger, type Run } from "@sweepd/client";

import { useStack } from "./stack";

let sweepId: string;

// gRPC's default receive limit (4 MiB), as a client that sets nothing would have
const env = useStack({ client: { channelOptions: { "grpc.max_receive_message_length": 4 * 1024 * 1024 } } },
  async ({ stack, client }) => {
    const sweep = await client.createSweep({
      method: "grid",
      metric: { name: "loss", goal: "minimize" },
      parameters: { i: { values: Array.from({ length: 23 }, (_, i) => i) } },
    });
    sweepId = sweep.id;
    await agent(sweepId, async (run: Run) => {
      for (let step = 0; step < 5; step++) run.log({ loss: Number(run.config.i) + step, ...(step % 2 ? {} : { even: step }) });
    }, { controller: stack.address, logger: silentLogger });
  });

test("listRunsPage pages through the runs in creation order", { timeout: 30_000 }, async () => {
  const sizes: number[] = [];
  const numbers: number[] = [];
  let pageToken = "";
  do {
    const page = await env.client.listRunsPage(sweepId, { pageSize: 7, pageToken });
    sizes.push(page.items.length);
    numbers.push(...page.items.map((r) => r.number));
    pageToken = page.nextPageToken;
  } while (pageToken);
  assert.deepEqual(sizes, [7, 7, 7, 2]);
  assert.deepEqual(numbers, Array.from({ length: 23 }, (_, i) => i + 1));
  const all = await env.client.listRuns(sweepId, { pageSize: 5 });
  assert.deepEqual(all.map((r) => r.number), numbers);
  assert.deepEqual(all.map((r) => r.config.i).sort((a, b) => Number(a) - Number(b)),
    Array.from({ length: 23 }, (_, i) => i));
  assert.deepEqual((await env.client.listRuns(sweepId)).map((r) => r.id), all.map((r) => r.id));
});

test("getRunMetrics reads every page; getRunMetricsPage one", { timeout: 30_000 }, async () => {
  const [run] = await env.client.listRuns(sweepId);
  const points = await env.client.getRunMetrics(sweepId, run.id, [], { pageSize: 2 });
  assert.deepEqual(points.map((p) => p.step), [0, 1, 2, 3, 4]);
  const first = await env.client.getRunMetricsPage(sweepId, run.id, ["even"], { pageSize: 2 });
  assert.deepEqual(first.items.map((p) => p.values), [{ even: 0 }]); // step 1 has no "even"
  assert.ok(first.nextPageToken);
  const rest = await env.client.getRunMetricsPage(sweepId, run.id, ["even"],
    { pageSize: 10, pageToken: first.nextPageToken });
  assert.deepEqual(rest.items.map((p) => p.step), [2, 4]);
  assert.equal(rest.nextPageToken, "");
});

test("a token of another request is InvalidArgumentError naming page_token", async () => {
  const runs = await env.client.listRuns(sweepId);
  const token = (await env.client.getRunMetricsPage(sweepId, runs[0].id, [], { pageSize: 1 })).nextPageToken;
  const err = await env.client.getRunMetricsPage(sweepId, runs[1].id, [], { pageToken: token })
    .then(() => assert.fail("accepted"), (e: unknown) => e);
  assert.ok(err instanceof InvalidArgumentError, String(err));
  assert.deepEqual(err.fields, ["page_token"]);
  await assert.rejects(env.client.listRunsPage(sweepId, { pageSize: -1 }),
    (e: unknown) => e instanceof InvalidArgumentError && e.fields.includes("page_size"));
});

test("listSweepsPage pages through the sweeps newest first", async () => {
  const made = [sweepId];
  for (let i = 0; i < 3; i++) made.push((await env.client.createSweep({ method: "random", parameters: { x: { min: 0, max: 1 } } })).id);
  const first = await env.client.listSweepsPage("", { pageSize: 3 });
  assert.deepEqual(first.items.map((s) => s.id), made.slice(1).reverse());
  const rest = await env.client.listSweepsPage("", { pageSize: 3, pageToken: first.nextPageToken });
  assert.deepEqual(rest.items.map((s) => s.id), [sweepId]);
  assert.equal(rest.nextPageToken, "");
  assert.deepEqual((await env.client.listSweeps("", { pageSize: 1 })).map((s) => s.id), made.slice().reverse());
});
