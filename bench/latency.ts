/** Latency/throughput figures of one load run. */
export interface LoadFigures {
  requests: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Runs `call(i)` for i in [0, requests) with `concurrency` in flight, timing each. A call that throws counts as a
 * failure and is not timed. Bounded in count by construction.
 */
export async function runLoad(requests: number, concurrency: number, call: (i: number) => Promise<void>): Promise<LoadFigures> {
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const lane = async () => {
    while (next < requests) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      try {
        await call(i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { requests, concurrency, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), failures };
}
