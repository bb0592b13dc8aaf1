/** Latency/throughput figures of one load run. */
export interface LoadFigures {
  requests: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  /** CPU time (user + system) of the measured process per request, over this side's rounds. */
  cpuMsPerRequest: number;
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
  return figuresOf([await withCpu(() => timeLoad(0, requests, concurrency, call))], concurrency);
}

/** One timed stretch of a load: calls `from`..`to - 1`, their latencies (ms) and the seconds it took. */
export interface Stretch {
  latencies: number[];
  failures: number;
  seconds: number;
}

/**
 * Prepares requests `from`..`to - 1` of one side (signing, handing them to a sender process) and returns what runs
 * them with `concurrency` in flight: only that is timed and its CPU counted.
 */
export type StretchRunner = (from: number, to: number, concurrency: number) => Promise<() => Promise<Stretch>>;

/** A side whose requests are calls made in this process. */
export const inProcess =
  (call: (i: number) => Promise<void>): StretchRunner =>
  async (from, to, concurrency) =>
  () =>
    timeLoad(from, to, concurrency, call);

async function withCpu(run: () => Promise<Stretch>): Promise<Stretch & { cpuMs: number }> {
  const before = process.cpuUsage();
  const stretch = await run();
  const used = process.cpuUsage(before);
  return { ...stretch, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * `runLoad` for two sides in alternating rounds (a, b, a, b, ...), so a machine that other work slows for a while
 * slows both alike; each side's figures combine its rounds.
 */
export async function runAlternating(requests: number, concurrency: number, rounds: number, a: StretchRunner, b: StretchRunner): Promise<[LoadFigures, LoadFigures]> {
  const stretches: [Measured[], Measured[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const [from, to] = [Math.floor((round * requests) / rounds), Math.floor(((round + 1) * requests) / rounds)];
    stretches[0].push(await withCpu(await a(from, to, concurrency)));
    stretches[1].push(await withCpu(await b(from, to, concurrency)));
  }
  return [figuresOf(stretches[0], concurrency), figuresOf(stretches[1], concurrency)];
}

type Measured = Stretch & { cpuMs: number };

function figuresOf(stretches: readonly Measured[], concurrency: number): LoadFigures {
  const latencies = stretches.flatMap((s) => s.latencies).sort((x, y) => x - y);
  const seconds = stretches.reduce((sum, s) => sum + s.seconds, 0);
  const failures = stretches.reduce((sum, s) => sum + s.failures, 0);
  const requests = latencies.length + failures;
  const cpuMsPerRequest = stretches.reduce((sum, s) => sum + s.cpuMs, 0) / requests;
  return { requests, concurrency, seconds, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), failures, cpuMsPerRequest };
}

async function timeLoad(from: number, to: number, concurrency: number, call: (i: number) => Promise<void>): Promise<Stretch> {
  const latencies: number[] = [];
  let failures = 0;
  let next = from;
  const started = process.hrtime.bigint();
  const lane = async () => {
    while (next < to) {
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
  return { latencies, failures, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
