// FinishRun's `error` is at most 10,000 characters (the controller refuses more): the
// client sends the end of a longer message behind "[...] ", counting characters as
// the controller does (code points, so an emoji is one).

import assert from "node:assert/strict";
import { test } from "node:test";

import { ERROR_MAX_CHARS, errorTail } from "@sweepd/client";

test("an error that fits is sent as it is", () => {
  const error = "x".repeat(ERROR_MAX_CHARS);
  assert.equal(errorTail(error), error);
  assert.equal(errorTail(""), "");
});

test("a longer error keeps its end, within the limit in code points", () => {
  const error = "head " + "🙂".repeat(20_000) + " ValueError: the last line";
  const sent = errorTail(error);
  assert.equal(Array.from(sent).length, ERROR_MAX_CHARS);
  assert.ok(sent.startsWith("[...] 🙂"));
  assert.ok(sent.endsWith(" ValueError: the last line"));
  assert.ok(!sent.includes("head"));
});
