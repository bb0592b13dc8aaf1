import { sleep } from '@temporalio/workflow';

/** The baseline for bench/clocks.ts: the same number of timers with the same due times, and nothing else. */
export async function bareTimersWorkflow(dueAtMs: number[]): Promise<number[]> {
  return Promise.all(
    dueAtMs.map(async (due) => {
      await sleep(Math.max(1, due - Date.now()));
      return Date.now() - due;
    }),
  );
}
