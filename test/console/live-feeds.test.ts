import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fragmentsDigest, LiveFeeds } from '../../console/live';

/** Reads server-sent events from a real HTTP response into a list, until aborted. */
async function collect(url: string, into: string[], signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) into.push(...decoder.decode(chunk).split('\n\n').filter((f) => f.startsWith('event:')));
  } catch {
    // aborted
  }
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('live feeds (server-sent events)', () => {
  let server: Server;
  let base: string;
  let feeds: LiveFeeds;
  let polls = 0;
  let state = { steps: '<p>waiting</p>' };

  before(async () => {
    feeds = new LiveFeeds(50);
    server = createServer((request, response: ServerResponse) => {
      const seen = new URL(request.url!, 'http://x').searchParams.get('seen') ?? undefined;
      void feeds.open('incident-1', response, async () => {
        polls++;
        return { ...state };
      }, seen);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    feeds.closeAll();
    await new Promise((resolve) => server.close(resolve));
  });

  it('asks once per interval for every tab of a view, sends a fragment only when it changed, and stops with the last tab', async () => {
    const seen = fragmentsDigest(state);
    const a: string[] = [];
    const b: string[] = [];
    const stop = new AbortController();
    void collect(`${base}/?seen=${seen}`, a, stop.signal);
    void collect(`${base}/?seen=${seen}`, b, stop.signal);
    await until(() => feeds.size === 1 && polls >= 4);
    assert.deepEqual([a.length, b.length], [0, 0], 'nothing changed since the pages were rendered');
    const before = polls;
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(polls - before <= 6, `one feed polls for both tabs (${polls - before} looks in 200 ms at 50 ms)`);
    state = { steps: '<p>done</p>\n<p>next</p>' };
    await until(() => a.length === 1 && b.length === 1);
    assert.equal(a[0], 'event: steps\ndata: <p>done</p>\ndata: <p>next</p>');
    stop.abort();
    await until(() => feeds.size === 0);
  });

  it('sends a page rendered before a change the current fragments at once', async () => {
    const frames: string[] = [];
    const stop = new AbortController();
    void collect(`${base}/?seen=stale-digest`, frames, stop.signal);
    await until(() => frames.length === 1);
    assert.match(frames[0]!, /^event: steps\n/);
    stop.abort();
    await until(() => feeds.size === 0);
  });

  it('looks again before answering a page rendered after its feed last looked, so a fresh page never gets older fragments', async () => {
    const slow = new LiveFeeds(60_000);
    let view = { decisions: '<form>answer</form>' };
    const slowServer = createServer((request, response) => {
      const seen = new URL(request.url!, 'http://x').searchParams.get('seen') ?? undefined;
      void slow.open('incident-2', response, async () => ({ ...view }), seen);
    });
    await new Promise<void>((resolve) => slowServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/`;
    const stop = new AbortController();
    try {
      const first: string[] = [];
      void collect(`${url}?seen=${fragmentsDigest(view)}`, first, stop.signal);
      await until(() => slow.size === 1);
      // The answer lands and the page redirects before the feed's next look (a minute away here).
      view = { decisions: '<form>stop the clock</form>' };
      const second: string[] = [];
      void collect(`${url}?seen=${fragmentsDigest(view)}`, second, stop.signal);
      await until(() => first.length === 1);
      assert.equal(first[0], 'event: decisions\ndata: <form>stop the clock</form>', 'the older tab gets the change');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(second, [], 'the fresh page is not sent the answer form back');
    } finally {
      stop.abort();
      slow.closeAll();
      await new Promise((resolve) => slowServer.close(resolve));
    }
  });
});
