import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RepeatCoalescer } from '../../ingress/repeat-coalescer';
import type { RepeatDelivery } from '../../workflows/incident/alert-repeats';

const WINDOW = 100;

function delivery(n: number): RepeatDelivery {
  const at = new Date(Date.UTC(2026, 0, 1) + n).toISOString();
  return { deliveryId: `d-${n}`, receivedAt: at, occurredAt: at };
}

/** A stand-in for Temporal's signal call that records what each signal carried and when it was sent. */
function recorder(answer: (sent: number) => Promise<boolean> = () => Promise.resolve(true)) {
  const sent: { at: number; incidentId: string; ids: string[] }[] = [];
  const coalescer = new RepeatCoalescer({
    windowMs: WINDOW,
    send: async (incidentId, _source, deliveries) => {
      sent.push({ at: Date.now(), incidentId, ids: deliveries.map((d) => d.deliveryId) });
      await sleep(5); // a signal's round trip
      return answer(sent.length);
    },
  });
  return { sent, coalescer };
}

describe('repeat coalescer (one signal per incident per window)', () => {
  it('sends the first repeat at once, then at most one signal per window however fast repeats come, each repeat exactly once and in order', async () => {
    const { sent, coalescer } = recorder();
    const t0 = Date.now();
    const answers: Promise<boolean>[] = [];
    // 600 repeats over ~600 ms: one signal per repeat would be 600 signals.
    for (let n = 0; n < 600; n += 1) {
      answers.push(coalescer.repeat('inc-a', 'generic', delivery(n)));
      if (n % 10 === 9) await sleep(10);
    }
    assert.deepEqual(await Promise.all(answers), answers.map(() => true));
    // The repeats queued in the same tick as the first go with it.
    assert.ok(sent[0]!.at - t0 < 20, 'the first repeat after a quiet window is not held back');
    const elapsed = sent[sent.length - 1]!.at - t0;
    assert.ok(sent.length <= Math.floor(elapsed / WINDOW) + 1, `${sent.length} signals in ${elapsed} ms`);
    for (let i = 1; i < sent.length; i += 1) assert.ok(sent[i]!.at - sent[i - 1]!.at >= WINDOW - 2, `signals ${i - 1} and ${i} were ${sent[i]!.at - sent[i - 1]!.at} ms apart`);
    assert.deepEqual(sent.flatMap((s) => s.ids), Array.from({ length: 600 }, (_, n) => `d-${n}`));
  });

  it('answers a repeat only once the signal carrying it has been sent', async () => {
    const { sent, coalescer } = recorder();
    await coalescer.repeat('inc-b', 'generic', delivery(0));
    const second = coalescer.repeat('inc-b', 'generic', delivery(1));
    const state = await Promise.race([second.then(() => 'answered'), sleep(WINDOW / 2).then(() => 'waiting')]);
    assert.equal(state, 'waiting', 'held for the window, not acknowledged early');
    assert.equal(await second, true);
    assert.deepEqual(sent.map((s) => s.ids), [['d-0'], ['d-1']]);
  });

  it('keeps incidents apart: each has its own window', async () => {
    const { sent, coalescer } = recorder();
    await Promise.all([coalescer.repeat('inc-c', 'generic', delivery(0)), coalescer.repeat('inc-d', 'generic', delivery(1))]);
    assert.deepEqual(sent.map((s) => [s.incidentId, s.ids]), [['inc-c', ['d-0']], ['inc-d', ['d-1']]]);
    assert.ok(Math.abs(sent[1]!.at - sent[0]!.at) < WINDOW / 2, 'neither waited for the other');
  });

  it('runs a status change after the repeats queued before it, without waiting a window of its own', async () => {
    const { sent, coalescer } = recorder();
    const order: string[] = [];
    await coalescer.repeat('inc-e', 'generic', delivery(0));
    const held = coalescer.repeat('inc-e', 'generic', delivery(1)).then(() => order.push('repeat d-1'));
    let resolvedAt = 0;
    const resolved = coalescer.inOrder('inc-e', async () => {
      resolvedAt = Date.now();
      order.push(`resolve after ${sent.length} signals`);
      return 'resolved';
    });
    // A repeat after the resolve goes in a later signal, not into the batch ahead of the resolve.
    const later = coalescer.repeat('inc-e', 'generic', delivery(2));
    assert.equal(await resolved, 'resolved');
    await Promise.all([held, later]);
    assert.deepEqual(order, ['repeat d-1', 'resolve after 2 signals']);
    assert.deepEqual(sent.map((s) => s.ids), [['d-0'], ['d-1'], ['d-2']]);
    assert.ok(resolvedAt - sent[1]!.at < WINDOW / 2, 'the resolve went out right behind the repeats, not a window later');
  });

  it('passes on what the signal met: a closed incident to every repeat it carried, an outage as an error, and carries on after it', async () => {
    const { coalescer } = recorder(async (n) => {
      if (n === 2) return false;
      if (n === 3) throw new Error('Temporal unavailable');
      return true;
    });
    assert.equal(await coalescer.repeat('inc-f', 'generic', delivery(0)), true);
    const closed = [coalescer.repeat('inc-f', 'generic', delivery(1)), coalescer.repeat('inc-f', 'generic', delivery(2))];
    assert.deepEqual(await Promise.all(closed), [false, false]);
    const failed = [coalescer.repeat('inc-f', 'generic', delivery(3)), coalescer.repeat('inc-f', 'generic', delivery(4))];
    for (const f of failed) await assert.rejects(f, /Temporal unavailable/);
    assert.equal(await coalescer.repeat('inc-f', 'generic', delivery(5)), true);
  });

  it('with a window of 0, sends one signal at a time and batches what arrives while it is out', async () => {
    const sent: string[][] = [];
    const coalescer = new RepeatCoalescer({
      windowMs: 0,
      send: async (_incidentId, _source, deliveries) => {
        sent.push(deliveries.map((d) => d.deliveryId));
        await sleep(20);
        return true;
      },
    });
    const first = coalescer.repeat('inc-h', 'generic', delivery(0));
    await sleep(5);
    const during = [1, 2, 3].map((n) => coalescer.repeat('inc-h', 'generic', delivery(n)));
    await Promise.all([first, ...during]);
    assert.deepEqual(sent, [['d-0'], ['d-1', 'd-2', 'd-3']]);
  });

  it('sends at most 500 deliveries in one signal; the rest follow a window later', async () => {
    const { sent, coalescer } = recorder();
    await coalescer.repeat('inc-g', 'generic', delivery(0));
    await Promise.all(Array.from({ length: 700 }, (_, n) => coalescer.repeat('inc-g', 'generic', delivery(n + 1))));
    assert.deepEqual(sent.map((s) => s.ids.length), [1, 500, 200]);
    assert.ok(sent[2]!.at - sent[1]!.at >= WINDOW - 2);
  });
});
