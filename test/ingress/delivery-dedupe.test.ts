import assert from 'node:assert/strict';
import { existsSync, readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { DeliveryDedupe, retentionDays } from '../../ingress/webhooks/delivery-dedupe';
import { TokenBucket } from '../../ingress/webhooks/rate-limit';
import { tempDir } from '../helpers/temporal';

const DAY = retentionDays(1);

/** Backdates every record of `source` by `ms`, as if accepted that long ago. */
function age(dir: string, source: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  for (const shard of readdirSync(path.join(dir, source))) {
    for (const name of readdirSync(path.join(dir, source, shard))) utimesSync(path.join(dir, source, shard, name), when, when);
  }
}

describe('delivery dedupe keeps ids for the sender\'s retry horizon, per source', () => {
  it('remembers a delivery for its source\'s retention and forgets it after', async () => {
    const dir = tempDir('dedupe');
    const dedupe = new DeliveryDedupe(dir, { retentionMs: { sw: retentionDays(4), pd: retentionDays(1) }, pruneEveryMs: 0 });
    await dedupe.remember('sw', 'msg_1');
    await dedupe.remember('pd', 'msg_1');
    assert.deepEqual([await dedupe.seen('sw', 'msg_1'), await dedupe.seen('pd', 'msg_1'), await dedupe.seen('gh', 'msg_1')], [true, true, false]);
    age(dir, 'sw', 2 * DAY);
    age(dir, 'pd', 2 * DAY);
    assert.deepEqual([await dedupe.seen('sw', 'msg_1'), await dedupe.seen('pd', 'msg_1')], [true, false], 'three days of Standard Webhooks retries still deduped');
  });

  it('a delivery recorded in the background is a duplicate at once, and on disk for another process once written', async () => {
    const dir = tempDir('dedupe-bg');
    const dedupe = new DeliveryDedupe(dir, { pruneEveryMs: 0 });
    const errors: unknown[] = [];
    dedupe.rememberInBackground('sw', 'msg_bg', (error) => errors.push(error));
    assert.equal(await dedupe.seen('sw', 'msg_bg'), true, 'a retry racing the write');
    const otherProcess = new DeliveryDedupe(dir, { pruneEveryMs: 0 });
    let onDisk = false;
    for (let i = 0; i < 100 && !onDisk; i++) {
      onDisk = await otherProcess.seen('sw', 'msg_bg');
      if (!onDisk) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(onDisk, true);
    assert.deepEqual(errors, []);
  });

  it('prune deletes only records past their source\'s retention, and their empty shard folders', async () => {
    const dir = tempDir('dedupe');
    const dedupe = new DeliveryDedupe(dir, { retentionMs: { sw: retentionDays(4), pd: retentionDays(1) }, pruneEveryMs: 0 });
    await dedupe.remember('sw', 'keep');
    await dedupe.remember('pd', 'drop');
    age(dir, 'sw', 2 * DAY);
    age(dir, 'pd', 2 * DAY);
    assert.equal(await dedupe.prune(), 1);
    assert.deepEqual([await dedupe.seen('sw', 'keep'), existsSync(path.join(dir, 'pd')) && readdirSync(path.join(dir, 'pd')).length], [true, 0]);
    await dedupe.remember('pd', 'again');
    assert.equal(await dedupe.seen('pd', 'again'), true, 'a pruned shard is recreated');
  });

  it('prunes in the background once the interval has passed, without failing the delivery', async () => {
    const dir = tempDir('dedupe');
    const dedupe = new DeliveryDedupe(dir, { retentionMs: { pd: retentionDays(1) }, pruneEveryMs: 1 });
    await dedupe.remember('pd', 'old');
    age(dir, 'pd', 2 * DAY);
    await new Promise((r) => setTimeout(r, 5));
    await dedupe.remember('pd', 'new');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([await dedupe.seen('pd', 'old'), await dedupe.seen('pd', 'new')], [false, true]);
    assert.equal(readdirSync(path.join(dir, 'pd')).flatMap((s) => readdirSync(path.join(dir, 'pd', s))).length, 1);
  });
});

describe('per-source token bucket', () => {
  it('admits the burst, then asks to retry after the refill time, then admits again', () => {
    let now = 0;
    const bucket = new TokenBucket(6, 2, () => now); // one token every 10 s
    assert.deepEqual([bucket.take(), bucket.take()], [0, 0]);
    assert.equal(bucket.take(), 10);
    now += 4_000;
    assert.equal(bucket.take(), 6);
    now += 6_000;
    assert.equal(bucket.take(), 0);
  });
});
