import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Renders the current fragments of one view (by SSE event name); undefined when the source could not be read. */
export type Producer = () => Promise<Record<string, string> | undefined>;

interface Feed {
  producer: Producer;
  last: Record<string, string>;
  streams: Set<ServerResponse>;
  timer: NodeJS.Timeout;
  busy: boolean;
}

/**
 * Server-sent events for the console's live parts. Every open page of one view (an incident for one person, a list
 * with one filter for one person) shares one feed: it asks Temporal once per interval however many tabs are open,
 * and sends a fragment only when its HTML changed. The browser holds one connection and never polls. A feed stops
 * with its last stream. Nothing here outlives the process: a reconnecting browser gets a fresh feed on any replica.
 */
export class LiveFeeds {
  private readonly feeds = new Map<string, Feed>();

  constructor(private readonly intervalMs = 2_000, private readonly heartbeatMs = 15_000) {}

  /**
   * Adds a browser's stream to the view's feed. `seen` is the digest of the fragments its page was rendered with: when
   * the view has changed since (between page load and connect), this stream gets the current fragments at once.
   */
  async open(key: string, stream: ServerResponse, producer: Producer, seen: string | undefined): Promise<void> {
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    stream.write('retry: 3000\n\n');
    let feed = this.feeds.get(key);
    if (!feed) {
      const current = (await producer().catch(() => undefined)) ?? {};
      feed = this.feeds.get(key);
      if (!feed) {
        const created: Feed = { producer, last: current, streams: new Set(), busy: false, timer: setInterval(() => void this.poll(created), this.intervalMs) };
        feed = created;
        this.feeds.set(key, feed);
      }
    } else if (seen !== undefined && seen !== fragmentsDigest(feed.last)) {
      // The feed's last look may be older than the page (a form posted and redirected before the next poll): sending
      // it would put back forms the page has already moved past, under the person's cursor. Look again first.
      await this.poll(feed, true);
    }
    const joined = feed;
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), this.heartbeatMs);
    const leave = () => {
      clearInterval(heartbeat);
      joined.streams.delete(stream);
      if (joined.streams.size === 0) {
        clearInterval(joined.timer);
        if (this.feeds.get(key) === joined) this.feeds.delete(key);
      }
    };
    joined.streams.add(stream);
    // The browser may have gone while the first look was under way.
    if (stream.destroyed) return leave();
    stream.on('close', leave);
    if (seen !== undefined && seen !== fragmentsDigest(joined.last)) for (const [event, html] of Object.entries(joined.last)) stream.write(frame(event, html));
  }

  private async poll(feed: Feed, waitForBusy = false): Promise<void> {
    while (feed.busy && waitForBusy) await new Promise((resolve) => setTimeout(resolve, 10));
    if (feed.busy) return;
    feed.busy = true;
    try {
      const now = await feed.producer().catch(() => undefined);
      if (!now) return;
      for (const [event, html] of Object.entries(now)) {
        if (feed.last[event] === html) continue;
        feed.last[event] = html;
        for (const stream of feed.streams) stream.write(frame(event, html));
      }
    } finally {
      feed.busy = false;
    }
  }

  /** Ends every stream (the server is stopping): browsers reconnect, to this replica or another. */
  closeAll(): void {
    for (const feed of this.feeds.values()) {
      clearInterval(feed.timer);
      for (const stream of feed.streams) stream.end();
    }
    this.feeds.clear();
  }

  get size(): number {
    return this.feeds.size;
  }
}

const frame = (event: string, html: string): string => `event: ${event}\n${html.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`;

/** A short digest of a view's fragments, which the page passes back when it connects (`?seen=`). */
export function fragmentsDigest(fragments: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(fragments).sort()) hash.update(key).update('\0').update(fragments[key]!).update('\0');
  return hash.digest('base64url').slice(0, 22);
}
