import assert from 'node:assert/strict';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { startTemporal } from '../helpers/temporal';

async function probe(baseUrl: string): Promise<{ status: number; body: Record<string, unknown>; tookMs: number }> {
  const started = Date.now();
  const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, tookMs: Date.now() - started };
}

describe('/healthz when Temporal hangs', function () {
  this.timeout(180_000);

  it('answers 503 with the reason within 2 s while the Temporal server process is frozen, and 200 once it thaws', async () => {
    const server = await startTemporal();
    assert.ok(server.pid, 'dev server pid');
    const fb = await FirebreakUnderTest.start({ address: server.address });
    let frozen = false;
    try {
      const healthy = await eventually(async () => {
        const answer = await probe(fb.baseUrl);
        return answer.status === 200 ? answer : undefined;
      }, 30_000, 'healthy before the freeze');
      assert.deepEqual(healthy.body, { ok: true, temporal: true, worker: true });

      // SIGSTOP keeps every socket open and accepting at the kernel level while nothing answers: the hang a load
      // balancer's probe must survive (a killed server refuses connections at once, which is the easy case).
      process.kill(server.pid!, 'SIGSTOP');
      frozen = true;
      for (let i = 0; i < 3; i += 1) {
        const answer = await probe(fb.baseUrl);
        assert.equal(answer.status, 503, JSON.stringify(answer.body));
        assert.ok(answer.tookMs < 2_000, `probe ${i} took ${answer.tookMs} ms`);
        assert.equal(answer.body.ok, false);
        assert.equal(answer.body.temporal, false);
        assert.match(String(answer.body.reason), /^Temporal did not answer within \d+ ms$/);
      }

      process.kill(server.pid!, 'SIGCONT');
      frozen = false;
      await eventually(async () => ((await probe(fb.baseUrl)).status === 200 ? true : undefined), 30_000, 'healthy after the thaw');
    } finally {
      if (frozen) process.kill(server.pid!, 'SIGCONT');
      await fb.stop();
      await server.stop();
    }
  });
});
