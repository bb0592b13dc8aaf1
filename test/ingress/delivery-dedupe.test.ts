import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeliveryDedupe, type DeliveryDedupeOptions, retentionDays } from '../../ingress/webhooks/delivery-dedupe';
import { TokenBucket } from '../../ingress/webhooks/rate-limit';
import { tempDir } from '../helpers/temporal';

const DAY = retentionDays(1);

/** A clock a test moves by hand. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let at = Date.now();
  return { now: () => at, advance: (ms) => (at += ms) };
}

const opened: DeliveryDedupe[] = [];
/** A store the test's `afterEach` closes, as the service closes its own. */
function store(dir: string, options: DeliveryDedupeOptions): DeliveryDedupe {
  const dedupe = new DeliveryDedupe(dir, options);
  opened.push(dedupe);
  return dedupe;
}

const segmentFiles = (dir: string): string[] => readdirSync(path.join(dir, '_segments'));

describe('delivery dedupe keeps ids for the sender\'s retry horizon, per source', () => {
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
  });

  it('remembers a delivery for its source\'s retention and forgets it after', async () => {
    const dir = tempDir('dedupe');
    const clock = manualClock();
    const dedupe = store(dir, { retentionMs: { sw: retentionDays(4), pd: retentionDays(1) }, pruneEveryMs: 0, now: clock.now });
    await dedupe.remember('sw', 'msg_1');
    await dedupe.remember('pd', 'msg_1');
    assert.deepEqual([await dedupe.seen('sw', 'msg_1'), await dedupe.seen('pd', 'msg_1'), await dedupe.seen('gh', 'msg_1')], [true, true, false]);
    clock.advance(2 * DAY);
    assert.deepEqual([await dedupe.seen('sw', 'msg_1'), await dedupe.seen('pd', 'msg_1')], [true, false], 'three days of Standard Webhooks retries still deduped');
  });

  it('a delivery recorded in the background is a duplicate at once, and on disk for another process once written', async () => {
    const dir = tempDir('dedupe-bg');
    const dedupe = store(dir, { pruneEveryMs: 0 });
    const errors: unknown[] = [];
    dedupe.rememberInBackground('sw', 'msg_bg', (error) => errors.push(error));
    assert.equal(await dedupe.seen('sw', 'msg_bg'), true, 'a retry racing the write');
    const otherProcess = store(dir, { pruneEveryMs: 0 });
    let onDisk = false;
    for (let i = 0; i < 100 && !onDisk; i++) {
      onDisk = await otherProcess.seen('sw', 'msg_bg');
      if (!onDisk) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(onDisk, true);
    assert.deepEqual(errors, []);
  });

  it('prune forgets only ids past their source\'s retention, and deletes a segment once all its ids are past the longest', async () => {
    const dir = tempDir('dedupe');
    const clock = manualClock();
    const retentionMs = { sw: retentionDays(4), pd: retentionDays(1) };
    const dedupe = store(dir, { retentionMs, pruneEveryMs: 0, now: clock.now });
    await dedupe.remember('sw', 'keep');
    await dedupe.remember('pd', 'drop');
    clock.advance(2 * DAY);
    assert.equal(await dedupe.prune(), 1);
    assert.deepEqual([await dedupe.seen('sw', 'keep'), await dedupe.seen('pd', 'drop')], [true, false]);
    assert.equal(segmentFiles(dir).length, 1, 'the segment still holds an id within its retention');
    clock.advance(3 * DAY);
    await dedupe.remember('pd', 'again');
    await dedupe.prune();
    assert.equal(segmentFiles(dir).length, 1, 'only the new segment is left');
    assert.deepEqual([await dedupe.seen('sw', 'keep'), await dedupe.seen('pd', 'again')], [false, true]);
    const restarted = store(dir, { retentionMs, pruneEveryMs: 0, now: clock.now });
    assert.deepEqual([await restarted.seen('sw', 'keep'), await restarted.seen('pd', 'again')], [false, true]);
  });

  it('prunes in the background once the interval has passed, without failing the delivery', async () => {
    const dir = tempDir('dedupe');
    const clock = manualClock();
    const dedupe = store(dir, { retentionMs: { pd: retentionDays(1) }, pruneEveryMs: 1, now: clock.now });
    await dedupe.remember('pd', 'old');
    clock.advance(5 * DAY);
    await dedupe.remember('pd', 'new');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([await dedupe.seen('pd', 'old'), await dedupe.seen('pd', 'new')], [false, true]);
    assert.equal(segmentFiles(dir).length, 1);
  });

  it('a restarted process still refuses a delivery remembered before the restart', async () => {
    const dir = tempDir('dedupe-restart');
    const before = store(dir, { pruneEveryMs: 0 });
    await before.remember('sw', 'msg_before');
    await before.close();
    const after = store(dir, { pruneEveryMs: 0 });
    assert.deepEqual([await after.seen('sw', 'msg_before'), await after.seen('sw', 'msg_other'), await after.seen('gh', 'msg_before')], [true, false, false]);
    await after.remember('sw', 'msg_after');
    const again = store(dir, { pruneEveryMs: 0 });
    assert.deepEqual([await again.seen('sw', 'msg_before'), await again.seen('sw', 'msg_after')], [true, true], 'segments of both earlier runs');
    assert.equal(segmentFiles(dir).length, 2, 'each run writes its own segment');
  });

  it('replicas sharing the folder refuse each other\'s deliveries, also once they have loaded it', async () => {
    const dir = tempDir('dedupe-replicas');
    const a = store(dir, { pruneEveryMs: 0 });
    const b = store(dir, { pruneEveryMs: 0 });
    await Promise.all([a.load(), b.load()]);
    await a.remember('sw', 'msg_a');
    await b.remember('sw', 'msg_b');
    assert.deepEqual([await b.seen('sw', 'msg_a'), await a.seen('sw', 'msg_b')], [true, true]);
    // Many lookups at once share looks at the other's segment, and each still sees what was written before it asked.
    const ids = Array.from({ length: 50 }, (_, i) => `msg_many_${i}`);
    await Promise.all(ids.map((id) => a.remember('sw', id)));
    assert.deepEqual(await Promise.all(ids.map((id) => b.seen('sw', id))), ids.map(() => true));
    assert.equal(await b.seen('sw', 'msg_never'), false);
  });

  it('still refuses deliveries kept as one file each by earlier releases, and prunes those files by age', async () => {
    const dir = tempDir('dedupe-legacy');
    const digest = createHash('sha256').update('msg_old_release').digest('hex');
    mkdirSync(path.join(dir, 'sw', digest.slice(0, 2)), { recursive: true });
    writeFileSync(path.join(dir, 'sw', digest.slice(0, 2), digest), '');
    const clock = manualClock();
    const dedupe = store(dir, { retentionMs: { sw: retentionDays(1) }, pruneEveryMs: 0, now: clock.now });
    assert.deepEqual([await dedupe.seen('sw', 'msg_old_release'), await dedupe.seen('sw', 'msg_other')], [true, false]);
    clock.advance(2 * DAY);
    assert.equal(await dedupe.seen('sw', 'msg_old_release'), false);
    assert.equal(await dedupe.prune(), 1);
    assert.equal(existsSync(path.join(dir, 'sw')), false, 'emptied folders are removed');
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
