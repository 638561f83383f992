/** Exponential backoff with full jitter, and an abortable sleep. */

/** Delays (ms) for attempt 0, 1, 2, ...: uniform in [0, min(cap, base * 2^attempt)]. */
export function* backoffDelays(baseMs = 200, capMs = 5000): Generator<number, never, void> {
  for (let attempt = 0; ; attempt++) {
    yield Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
