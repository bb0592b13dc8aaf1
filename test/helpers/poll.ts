/*
 * Waiting in tests for something another process or workflow does: one polling loop for the in-process tests
 * (`eventually`, re-exported by firebreak.ts) and for the e2e and cluster tests that drive separate processes.
 */

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls every `everyMs` until `check` returns a value (not undefined), or fails after `timeoutMs` with what it last saw. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition', everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** `eventually` for a yes-or-no check: waits until it answers true (a check that throws counts as not yet). */
export async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>, everyMs = 300): Promise<void> {
  await eventually(async () => ((await check()) ? true : undefined), timeoutMs, what, everyMs);
}
