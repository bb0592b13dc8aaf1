import { setTimeout as sleep } from 'node:timers/promises';
import type { RepeatDelivery } from '../workflows/incident/alert-repeats';

export interface RepeatCoalescerOptions {
  /** Sends one batch of repeats to the incident: true once Temporal accepted it, false when the incident has closed. */
  send(incidentId: string, source: string, deliveries: RepeatDelivery[]): Promise<boolean>;
  /** Least time between two signals this process sends one incident (default 250 ms). */
  windowMs?: number;
  /** Most deliveries in one signal (default 500, about 60 KB); more wait for the next window. */
  maxBatch?: number;
}

/** Repeats collected for one signal; closed to new ones once its turn to be sent comes. */
interface Batch {
  deliveries: RepeatDelivery[];
  done: Promise<boolean>;
}

/** One incident's queue in this process: sends go out one at a time, in the order they were queued. */
interface Lane {
  tail: Promise<void>;
  collecting?: Batch;
  lastSentAt: number;
  queued: number;
}

/**
 * Coalesces the repeats of one incident into one signal per window, so the signals an incident gets per second are
 * bounded by the replicas sending them (about 4 per replica by default), not by the sender's rate. At ~100 repeats/s,
 * one signal per repeat overtook every continue-as-new until the run hit the server's signals-per-execution limit.
 *
 * A repeat's promise settles when the signal carrying it does, and the ingress answers the sender only then: nothing
 * is acknowledged before Temporal holds it, so a replica that dies with repeats buffered has acknowledged none of them
 * and their senders retry (the workflow skips a delivery id it has already counted). The cost is latency in a storm: a
 * repeat waits up to one window. The first repeat after a quiet window goes out at once.
 */
export class RepeatCoalescer {
  private readonly lanes = new Map<string, Lane>();
  private readonly windowMs: number;
  private readonly maxBatch: number;

  constructor(private readonly options: RepeatCoalescerOptions) {
    this.windowMs = options.windowMs ?? 250;
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Adds a firing repeat to the incident's next signal. Resolves as `send` does for that signal, or rejects with its error. */
  repeat(incidentId: string, source: string, delivery: RepeatDelivery): Promise<boolean> {
    const lane = this.lane(incidentId);
    let batch = lane.collecting;
    if (!batch || batch.deliveries.length >= this.maxBatch) {
      const deliveries: RepeatDelivery[] = [];
      const done = this.enqueue(incidentId, lane, () => this.options.send(incidentId, source, deliveries), deliveries);
      batch = { deliveries, done };
      lane.collecting = batch;
    }
    batch.deliveries.push(delivery);
    return batch.done;
  }

  /**
   * Runs `call` (a resolve or another status change) after every signal already queued for the incident, so the
   * incident sees this replica's alerts in the order they arrived; it waits at most for the window those repeats wait.
   */
  inOrder<T>(incidentId: string, call: () => Promise<T>): Promise<T> {
    const lane = this.lane(incidentId);
    lane.collecting = undefined;
    return this.enqueue(incidentId, lane, call);
  }

  /** `batch`: the deliveries `call` sends, which wait for the window; without it `call` goes as soon as its turn comes. */
  private enqueue<T>(incidentId: string, lane: Lane, call: () => Promise<T>, batch?: RepeatDelivery[]): Promise<T> {
    lane.queued += 1;
    const result = lane.tail.then(async () => {
      // A loop: a timer may fire a millisecond early, and the bound is what the window promises.
      for (let wait = lane.lastSentAt + this.windowMs - Date.now(); batch && wait > 0; wait = lane.lastSentAt + this.windowMs - Date.now()) await sleep(wait);
      // From here on the batch takes no more repeats: the signal's payload is fixed.
      if (batch && lane.collecting?.deliveries === batch) lane.collecting = undefined;
      lane.lastSentAt = Date.now();
      return call();
    });
    lane.tail = result.then(
      () => this.settled(incidentId, lane),
      () => this.settled(incidentId, lane),
    );
    return result;
  }

  /** Forgets an idle incident once a window has passed, so the map holds only incidents with recent repeats. */
  private settled(incidentId: string, lane: Lane): void {
    lane.queued -= 1;
    if (lane.queued > 0) return;
    setTimeout(() => {
      // Still idle, and its last signal a window ago: a new lane (which sends at once) keeps the bound. Otherwise a
      // later send has armed its own timer.
      const idle = lane.queued === 0 && Date.now() - lane.lastSentAt >= this.windowMs;
      if (idle && this.lanes.get(incidentId) === lane) this.lanes.delete(incidentId);
    }, this.windowMs).unref();
  }

  private lane(incidentId: string): Lane {
    let lane = this.lanes.get(incidentId);
    if (!lane) {
      lane = { tail: Promise.resolve(), lastSentAt: Number.NEGATIVE_INFINITY, queued: 0 };
      this.lanes.set(incidentId, lane);
    }
    return lane;
  }
}
