import type { SenderRound, SenderStretch } from './http-sender';

/*
 * The alert sender of the HTTP benches, in a process of its own (forked by http-sender.ts), as a real monitoring tool
 * is: its fetch, connection handling and timing cost the measured process nothing. Runs one round per message, with
 * `concurrency` requests in flight, and answers with each request's latency.
 */

async function sendRound(round: SenderRound): Promise<SenderStretch> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const started = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (next < round.requests.length) {
      const request = round.requests[next++]!;
      const t0 = process.hrtime.bigint();
      try {
        const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
        const text = await response.text();
        if (response.status !== round.expectStatus) throw new Error(`${request.url} answered ${response.status}: ${text.slice(0, 300)}`);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        failures += 1;
        firstFailure ??= String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: round.concurrency }, lane));
  return { latencies, failures, firstFailure, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

// Two steps, so that handing a round over (serialising it through the channel costs the bench process CPU) is not
// part of what the bench measures: a round is loaded, and sent when 'go' comes.
let loaded: SenderRound | undefined;
process.on('message', (message: SenderRound | 'go') => {
  if (message !== 'go') {
    loaded = message;
    process.send!('loaded');
    return;
  }
  const round = loaded!;
  loaded = undefined;
  void sendRound(round).then((stretch) => process.send!(stretch));
});
// The bench's end (or its death) closes the channel; nothing else keeps this process.
process.on('disconnect', () => process.exit(0));
